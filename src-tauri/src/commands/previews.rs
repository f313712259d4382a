//! Local previews (`local_previews`): while BeProduct is still processing an upload, or for a
//! format the webview cannot show (PSD, TIFF, AI, CMYK JPEG), the tray and the card show a
//! preview made from the file on disk. Made off the async threads, cached by content hash in
//! `<data>/previews`, never sent anywhere but to the page, as a `data:` URL (the page's CSP
//! allows `data:` images, not local files).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use local_previews::PreviewCache;
use serde::Serialize;
use tauri::State;
use tracing::instrument;
use upload_queue::Source;

use crate::error::{AppError, AppResult};
use crate::uploads::UploadHost;

pub const PREVIEWS_DIR: &str = "previews";
/// Cache size on disk; the oldest previews go first.
const CACHE_BYTES: u64 = 256 * 1024 * 1024;
/// Longest side of a preview: a card at 2× on a HiDPI screen.
const MAX_SIDE: u32 = 480;

/// Tauri state: the one preview cache, for uploads and working copies alike.
#[derive(Clone)]
pub struct LocalPreviews(Arc<PreviewCache>);

impl LocalPreviews {
    pub fn open(data_dir: &Path) -> AppResult<LocalPreviews> {
        PreviewCache::new(data_dir.join(PREVIEWS_DIR), CACHE_BYTES)
            .map(|cache| LocalPreviews(Arc::new(cache)))
            .map_err(|e| AppError::Io {
                message: format!("The preview cache could not be opened: {e}"),
                detail: String::new(),
            })
    }

    /// A PNG of the picture in `path`, at most `max_side` pixels on its longer side, made off
    /// the async threads; the error says why there is none.
    pub async fn png(&self, path: PathBuf, max_side: u32) -> Result<Vec<u8>, String> {
        let cache = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let file = cache
                .get_or_make(&path, max_side)
                .map_err(|e| e.to_string())?;
            std::fs::read(&file).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| format!("making the preview stopped: {e}"))?
    }

    /// `png` as a `data:` URL for the page.
    pub async fn data_url(&self, path: PathBuf, max_side: u32) -> Result<String, String> {
        let png = self.png(path, max_side).await?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ))
    }
}

#[derive(Debug, Serialize)]
pub struct LocalPreview {
    /// `data:image/png;base64,…`
    pub url: String,
}

/// A preview of the file behind upload job `jobId`. An error says why there is none (e.g. an
/// Illustrator file saved without PDF compatibility), for the page to show instead.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "debug"))]
pub async fn local_preview(
    uploads: State<'_, UploadHost>,
    previews: State<'_, LocalPreviews>,
    job_id: String,
) -> AppResult<LocalPreview> {
    let job = uploads
        .queue()
        .job(&job_id)
        .ok_or_else(|| AppError::invalid_input("That upload is no longer in the list."))?;
    let Source::Path { path } = job.source else {
        return Err(AppError::invalid_input(
            "A download from a web address has no local file to preview.",
        ));
    };
    let url = previews
        .data_url(path, MAX_SIDE)
        .await
        .map_err(AppError::invalid_input)?;
    Ok(LocalPreview { url })
}
