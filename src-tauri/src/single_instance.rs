//! One app process per data folder (and so per upload journal): a second launch hands its
//! arguments to the running instance, which comes to the front, and exits before it opens a
//! window (tauri-plugin-single-instance; on Linux a D-Bus name on the session bus). The name is
//! keyed by the data folder, so separate `BP_APP_DATA_DIR`s may run side by side. Without a
//! session bus the plugin cannot see other instances; the journal's own lock (upload-queue)
//! still refuses a second user of the same journal.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Runtime};

/// The D-Bus name stem for the instance that owns `data_dir` (the plugin appends
/// `.SingleInstance`). Name elements may not start with a digit, hence the letter.
pub fn instance_id(identifier: &str, data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{identifier}.d{short}")
}

pub fn plugin<R: Runtime>(identifier: &str, data_dir: &Path) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(identifier, data_dir))
        .callback(second_launch)
        .build()
}

/// Runs in the first instance: brings the window to the front and hands the second launch's
/// file arguments ("Open with BeProduct Images" in a file manager is such a launch) to the page
/// as a drop without a pointer (file_handles), which the page puts in the open folder.
fn second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>, cwd: String) {
    let args = argv.get(1..).unwrap_or_default();
    tracing::info!(?args, %cwd, "another launch of the app was redirected here");
    if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        if let Err(e) = window.set_focus() {
            tracing::warn!(error = %e, "could not bring the window to the front");
        }
    }
    let paths = handed_paths(args, Path::new(&cwd));
    if !paths.is_empty() {
        crate::file_handles::announce_handover(app, crate::MAIN_WINDOW, paths);
    }
}

/// The arguments that name existing files or folders, relative ones resolved against the
/// second launch's working folder. Options (`-…`) and anything missing are left out (logged).
pub fn handed_paths(args: &[String], cwd: &Path) -> Vec<PathBuf> {
    args.iter()
        .filter(|arg| !arg.is_empty() && !arg.starts_with('-'))
        .filter_map(|arg| {
            let path = cwd.join(arg);
            if path.exists() {
                Some(path)
            } else {
                tracing::info!(path = %path.display(), "a launch argument is not an existing file; ignored");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handed_paths_are_existing_and_resolved_against_the_launch_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.png"), b"x").unwrap();
        let other = tempfile::tempdir().unwrap();
        let absolute = other.path().join("b.jpg");
        std::fs::write(&absolute, b"x").unwrap();
        let args: Vec<String> = vec![
            "a.png".into(),
            absolute.display().to_string(),
            "missing.png".into(),
            "--flag".into(),
            String::new(),
        ];
        assert_eq!(
            handed_paths(&args, dir.path()),
            [dir.path().join("a.png"), absolute]
        );
    }

    #[test]
    fn one_name_per_data_folder() {
        let a = instance_id("com.beproduct.images", Path::new("/home/a/.local/share/x"));
        let b = instance_id("com.beproduct.images", Path::new("/home/b/.local/share/x"));
        assert_ne!(a, b);
        assert_eq!(
            a,
            instance_id("com.beproduct.images", Path::new("/home/a/.local/share/x"))
        );
        assert!(
            a.starts_with("com.beproduct.images.d")
                && a.len() == "com.beproduct.images.d".len() + 16
        );
    }
}
