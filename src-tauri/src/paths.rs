//! Where the app keeps its files. `BP_APP_DATA_DIR` (optional) puts everything under one
//! folder, so tests and demos never touch a user's data; otherwise the platform folders
//! for the identifier are used (Linux: `$XDG_DATA_HOME/com.beproduct.images`,
//! `$XDG_CONFIG_HOME/com.beproduct.images`).

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};

use crate::error::{AppError, AppResult};

pub const ENV_APP_DATA_DIR: &str = "BP_APP_DATA_DIR";

#[derive(Debug, Clone)]
pub struct AppPaths {
    /// Sandbox database and files live in `data_dir/sandbox`.
    pub data_dir: PathBuf,
    /// `settings.json`.
    pub config_dir: PathBuf,
}

impl AppPaths {
    pub fn resolve<R: Runtime>(app: &AppHandle<R>) -> AppResult<AppPaths> {
        if let Some(dir) = std::env::var_os(ENV_APP_DATA_DIR).filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            return Ok(AppPaths {
                config_dir: dir.join("config"),
                data_dir: dir,
            });
        }
        let missing = |what: &str, e: tauri::Error| {
            AppError::Io {
            message: format!("Could not find the app's {what} folder. Set {ENV_APP_DATA_DIR} to a writable folder."),
            detail: e.to_string(),
        }
        };
        Ok(AppPaths {
            data_dir: app.path().app_data_dir().map_err(|e| missing("data", e))?,
            config_dir: app
                .path()
                .app_config_dir()
                .map_err(|e| missing("config", e))?,
        })
    }

    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }
}
