//! One app process per data folder (and so per upload journal): a second launch hands its
//! arguments to the running instance, which comes to the front, and exits before it opens a
//! window (tauri-plugin-single-instance; on Linux a D-Bus name on the session bus). The name is
//! keyed by the data folder, so separate `BP_APP_DATA_DIR`s may run side by side. Without a
//! session bus the plugin cannot see other instances; the journal's own lock (upload-queue)
//! still refuses a second user of the same journal.

use std::path::Path;

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

/// Runs in the first instance. Handing the files of a second launch over is a later step;
/// for now its arguments are logged.
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
