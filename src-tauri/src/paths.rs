//! Where the app keeps its files. `BP_APP_DATA_DIR` (optional) puts everything under one
//! folder, so tests and demos never touch a user's data; otherwise the platform folders for the
//! identifier are used, by Tauri's own rule (Linux: `$XDG_DATA_HOME/com.beproduct.images`,
//! `$XDG_CONFIG_HOME/com.beproduct.images`). Resolved before the app is built, because the
//! single-instance guard is keyed by the data folder.

use std::path::PathBuf;

use crate::error::{AppError, AppResult};

pub const ENV_APP_DATA_DIR: &str = "BP_APP_DATA_DIR";

#[derive(Debug, Clone)]
pub struct AppPaths {
    /// The upload journal; the sandbox database and files live in `data_dir/sandbox`.
    pub data_dir: PathBuf,
    /// `settings.json`.
    pub config_dir: PathBuf,
    /// The log files (`log_files`): Tauri's `app_log_dir` rule, or `<BP_APP_DATA_DIR>/logs`.
    pub log_dir: PathBuf,
}

impl AppPaths {
    /// The folders for the app `identifier` (tauri.conf.json), as Tauri's `app_data_dir` and
    /// `app_config_dir` would give them.
    pub fn resolve(identifier: &str) -> AppResult<AppPaths> {
        if let Some(dir) = std::env::var_os(ENV_APP_DATA_DIR).filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            return Ok(AppPaths {
                config_dir: dir.join("config"),
                log_dir: dir.join("logs"),
                data_dir: dir,
            });
        }
        let missing = |what: &str| {
            AppError::Io {
            message: format!(
                "Could not find the app's {what} folder. Set {ENV_APP_DATA_DIR} to a writable folder."
            ),
            detail: "the platform reports no home or data folder".into(),
        }
        };
        Ok(AppPaths {
            log_dir: platform_log_dir(identifier).ok_or_else(|| missing("log"))?,
            data_dir: dirs::data_dir()
                .ok_or_else(|| missing("data"))?
                .join(identifier),
            config_dir: dirs::config_dir()
                .ok_or_else(|| missing("config"))?
                .join(identifier),
        })
    }

    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }
}

/// Tauri's `app_log_dir`: `~/Library/Logs/<id>` on macOS, `<local data>/<id>/logs` elsewhere.
fn platform_log_dir(identifier: &str) -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|home| home.join("Library/Logs").join(identifier))
    } else {
        dirs::data_local_dir().map(|dir| dir.join(identifier).join("logs"))
    }
}
