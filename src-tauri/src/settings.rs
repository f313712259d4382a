//! Non-secret settings (last folder, window size, position and maximised state) as JSON in the
//! app's config folder.
//! Secrets never go here: they live in the OS keychain only.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

const FILE_NAME: &str = "settings.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    #[serde(default)]
    pub last_folder_id: Option<String>,
    #[serde(default)]
    pub window: Option<WindowState>,
}

/// The main window (window_state.rs): logical (DPI-independent) size and top-left position of
/// its normal (not maximised) state, and whether it was maximised. Files from before position
/// and maximised state were kept load with none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowState {
    pub width: f64,
    pub height: f64,
    #[serde(default)]
    pub x: Option<f64>,
    #[serde(default)]
    pub y: Option<f64>,
    #[serde(default)]
    pub maximized: bool,
}

#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn in_dir(config_dir: &Path) -> Self {
        SettingsFile {
            path: config_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Missing file → defaults. A damaged file is logged and replaced by defaults on the next
    /// save: settings are a convenience and must never stop the app from starting.
    pub fn load(&self) -> Settings {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(path = %self.path.display(), error = %e, "settings file is damaged; using defaults");
                Settings::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot read settings; using defaults");
                Settings::default()
            }
        }
    }

    /// Writes to a temporary file and renames it, so a crash never leaves half a file.
    pub fn save(&self, settings: &Settings) -> AppResult<()> {
        let io = |what: &str, e: std::io::Error| AppError::Io {
            message: format!(
                "Could not {what} the settings file {}. Check that the folder is writable.",
                self.path.display()
            ),
            detail: e.to_string(),
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io("create the folder of", e))?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(settings).expect("settings always serialise");
        std::fs::write(&tmp, text).map_err(|e| io("write", e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| io("replace", e))
    }

    /// Load, change, save.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> AppResult<()> {
        let mut settings = self.load();
        change(&mut settings);
        self.save(&settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(&dir.path().join("nested"));
        assert_eq!(file.load(), Settings::default());
        file.update(|s| {
            s.last_folder_id = Some("f".into());
            s.window = Some(WindowState {
                width: 1000.0,
                height: 700.0,
                x: Some(-20.0),
                y: Some(40.0),
                maximized: true,
            });
        })
        .unwrap();
        let loaded = file.load();
        assert_eq!(loaded.last_folder_id.as_deref(), Some("f"));
        assert_eq!(
            loaded.window,
            Some(WindowState {
                width: 1000.0,
                height: 700.0,
                x: Some(-20.0),
                y: Some(40.0),
                maximized: true,
            })
        );
        // A file from before the position was kept: the size still loads.
        std::fs::write(file.path(), r#"{"window": {"width": 950, "height": 650}}"#).unwrap();
        let window = file.load().window.unwrap();
        assert_eq!(
            (window.width, window.height, window.x, window.maximized),
            (950.0, 650.0, None, false)
        );
        std::fs::write(file.path(), "{not json").unwrap();
        assert_eq!(file.load(), Settings::default());
    }
}
