//! Paste on the grid or an open image (Ctrl/Cmd+V outside a text field): files copied in a
//! file manager are handed over like a drop; image data (a screenshot, "Copy image" in another
//! app) becomes a PNG in `<data>/pasted` and is handed over the same way. The clipboard is read
//! here, not by the page, so no path passes through the page (docs/SECURITY.md).

use std::path::{Path, PathBuf};

use tauri::State;
use tracing::instrument;

use crate::error::{AppError, AppResult};
use crate::file_handles::{FileHandles, HandedFiles};
use crate::intake_host::IntakeHost;

/// The clipboard's files (or its image, saved as a PNG) under a handle for `enqueue_uploads`
/// or `plan_intake`; `None` when it holds neither.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn paste_files(
    handles: State<'_, FileHandles>,
    intake: State<'_, IntakeHost>,
) -> AppResult<Option<HandedFiles>> {
    let dir = intake.pasted_dir().to_path_buf();
    let paths = tokio::task::spawn_blocking(move || clipboard_files(&dir))
        .await
        .map_err(|e| AppError::Internal(format!("reading the clipboard stopped: {e}")))??;
    Ok(handles.register(paths))
}

fn clipboard_files(pasted_dir: &Path) -> AppResult<Vec<PathBuf>> {
    let mut clipboard = arboard::Clipboard::new().map_err(unreadable)?;
    if let Ok(files) = clipboard.get().file_list() {
        if !files.is_empty() {
            return Ok(files);
        }
    }
    let image = match clipboard.get_image() {
        Ok(image) => image,
        Err(arboard::Error::ContentNotAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e)),
    };
    let (width, height) = (image.width as u32, image.height as u32);
    let pixels = image::RgbaImage::from_raw(width, height, image.bytes.into_owned())
        .ok_or_else(|| AppError::Internal("the clipboard's image has the wrong size".into()))?;
    std::fs::create_dir_all(pasted_dir).map_err(|e| write_failed(pasted_dir, e))?;
    let path = free_name(
        pasted_dir,
        &chrono::Local::now()
            .format("Pasted image %Y-%m-%d %H-%M-%S")
            .to_string(),
    );
    pixels
        .save_with_format(&path, image::ImageFormat::Png)
        .map_err(|e| write_failed(&path, std::io::Error::other(e)))?;
    Ok(vec![path])
}

/// `<dir>/<stem>.png`, or `<stem> (2).png`… when taken: two pastes in one second stay two files.
fn free_name(dir: &Path, stem: &str) -> PathBuf {
    let mut path = dir.join(format!("{stem}.png"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem} ({n}).png"));
        n += 1;
    }
    path
}

fn unreadable(e: arboard::Error) -> AppError {
    AppError::Io {
        message: "The clipboard could not be read. Copy the image or files again, then paste."
            .into(),
        detail: e.to_string(),
    }
}

fn write_failed(path: &Path, e: std::io::Error) -> AppError {
    AppError::Io {
        message: format!(
            "The pasted image could not be saved in {}. Check that the disk has space.",
            path.display()
        ),
        detail: e.to_string(),
    }
}
