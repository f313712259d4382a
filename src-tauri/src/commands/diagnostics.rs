//! About → "Open logs folder" and "Copy diagnostics" (src/diagnostics.rs, src/log_files.rs).

use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::connection::ConnectionManager;
use crate::diagnostics::{os_description, Diagnostics, LogFolder};
use crate::error::{AppError, AppResult};
use crate::uploads::UploadHost;

/// On X11 the text is served by this process until another app takes the clipboard, so the
/// `Clipboard` outlives the command.
static CLIPBOARD: Mutex<Option<arboard::Clipboard>> = Mutex::new(None);

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopiedDiagnostics {
    /// What was put on the clipboard, so the About box can show it too.
    pub text: String,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn copy_diagnostics<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    uploads: State<'_, UploadHost>,
) -> AppResult<CopiedDiagnostics> {
    let text = Diagnostics {
        app_version: app.package_info().version.to_string(),
        os: os_description(),
        webview: tauri::webview_version().ok(),
        mode: conn.status().await.ok().map(|s| s.mode),
        totals: uploads.queue().totals(),
    }
    .report();
    let unavailable = |e: arboard::Error| {
        AppError::Io {
        message: format!(
            "The clipboard could not be used ({e}). Try again, or select the text in the About box and copy it."
        ),
        detail: String::new(),
    }
    };
    let mut slot = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        *slot = Some(arboard::Clipboard::new().map_err(unavailable)?);
    }
    slot.as_mut()
        .expect("just set")
        .set_text(text.clone())
        .map_err(unavailable)?;
    Ok(CopiedDiagnostics { text })
}

/// Opens the log folder in the file manager (the opener plugin, called from Rust).
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn open_logs_folder(folder: State<'_, LogFolder>) -> AppResult<()> {
    let dir = folder.0.clone();
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Io {
        message: format!(
            "The logs folder {} could not be created ({e}). Check that the folder is writable.",
            dir.display()
        ),
        detail: String::new(),
    })?;
    tauri_plugin_opener::open_path(&dir, None::<&str>).map_err(|e| AppError::Io {
        message: format!(
            "The file manager could not open the logs folder ({e}). Open {} yourself.",
            dir.display()
        ),
        detail: String::new(),
    })
}
