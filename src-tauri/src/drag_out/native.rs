//! The OS drag of files already on disk. GTK, AppKit and OLE all want it begun on the UI
//! thread while the mouse button is down, so it runs there, and a button let go while the
//! files were downloading starts nothing. On Linux it is GTK's own drag source
//! (`gtk_source`); on macOS and Windows, CrabNebula's `drag` crate (the library behind
//! tauri-plugin-drag, whose IPC command is not used: it would let the page drag any path,
//! docs/SECURITY.md).

use std::path::PathBuf;

use serde::Serialize;
use tauri::{Runtime, WebviewWindow};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

/// The picture under the pointer while dragging.
const DRAG_ICON: &[u8] = include_bytes!("../../../icons/64x64.png");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DragOutcome {
    /// Another app (or the desktop) took the files.
    Dropped,
    /// Let go where nothing takes files, or Escape.
    Cancelled,
    /// The mouse button was up when the files were ready: no drag was started.
    Released,
}

/// Starts the drag of `files` (absolute paths) from `window`. `Ok(None)`: the button was let go
/// meanwhile, nothing started. Otherwise the receiver tells how the drag ended.
pub async fn start<R: Runtime>(
    window: &WebviewWindow<R>,
    files: Vec<PathBuf>,
) -> AppResult<Option<oneshot::Receiver<DragOutcome>>> {
    let (started_tx, started_rx) = oneshot::channel();
    let on_main = window.clone();
    window
        .run_on_main_thread(move || {
            let _ = started_tx.send(start_on_main_thread(&on_main, files));
        })
        .map_err(|e| AppError::Internal(format!("the window could not start a drag: {e}")))?;
    started_rx
        .await
        .map_err(|_| AppError::Internal("the window closed before the drag started".into()))?
}

#[cfg(target_os = "linux")]
fn start_on_main_thread<R: Runtime>(
    window: &WebviewWindow<R>,
    files: Vec<PathBuf>,
) -> AppResult<Option<oneshot::Receiver<DragOutcome>>> {
    use super::gtk_source;
    let source = window
        .gtk_window()
        .map_err(|e| AppError::Internal(format!("the window has no GTK window: {e}")))?;
    if !gtk_source::button_held(&source) {
        return Ok(None);
    }
    let (done_tx, done_rx) = oneshot::channel();
    gtk_source::start(&source, &files, DRAG_ICON, move |outcome| {
        let _ = done_tx.send(outcome);
    })?;
    Ok(Some(done_rx))
}

/// The drag starts from the current mouse event: a button already let go ends it at once.
#[cfg(not(target_os = "linux"))]
fn start_on_main_thread<R: Runtime>(
    window: &WebviewWindow<R>,
    files: Vec<PathBuf>,
) -> AppResult<Option<oneshot::Receiver<DragOutcome>>> {
    let (done_tx, done_rx) = oneshot::channel();
    // The callback is `Fn`; it runs once per drag.
    let done = std::sync::Mutex::new(Some(done_tx));
    drag::start_drag(
        window,
        drag::DragItem::Files(files),
        drag::Image::Raw(DRAG_ICON.to_vec()),
        move |result, _| {
            let outcome = match result {
                drag::DragResult::Dropped => DragOutcome::Dropped,
                drag::DragResult::Cancel => DragOutcome::Cancelled,
            };
            if let Some(tx) = done.lock().ok().and_then(|mut d| d.take()) {
                let _ = tx.send(outcome);
            }
        },
        drag::Options::default(),
    )
    .map_err(|e| {
        AppError::Internal(format!(
            "The drag could not be started ({e}). Try dragging the image again."
        ))
    })?;
    Ok(Some(done_rx))
}
