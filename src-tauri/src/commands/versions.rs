//! The detail panel's files of an image (one per upload) and what can be done with them:
//! open one with the system's default app, save one with the native dialog, copy the picture
//! to the clipboard. The image is read again for each (its file URLs are signed and expire),
//! and the page names a file by its number, never by URL or path.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use beproduct::ImageHeader;
use image_library::versions::{image_files, ImageFile};
use image_library::ImageLibrary;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tracing::instrument;

use crate::commands::previews::LocalPreviews;
use crate::commands::require_guid;
use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::native_dialogs;
use crate::working_host::{open_in_editor, progress, WorkingHost};

/// Files opened for viewing (not watched): `<app data>/versions/<image id>/`.
pub const VERSIONS_DIR: &str = "versions";
/// "Copy image" puts at most this many pixels on the longer side on the clipboard.
const CLIPBOARD_SIDE: u32 = 4096;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileView {
    pub number: usize,
    pub name: String,
    pub current: bool,
    pub size: Option<u64>,
    pub created_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageFiles {
    /// Oldest first.
    pub files: Vec<FileView>,
    /// Whether the API gave any date or size (it documents `files` as bare URLs).
    pub has_details: bool,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn image_files_list(
    conn: State<'_, ConnectionManager>,
    image_id: String,
) -> AppResult<ImageFiles> {
    require_guid("image id", &image_id)?;
    let image = conn.library().await?.get(&image_id).await?;
    let files: Vec<FileView> = image_files(&image)
        .into_iter()
        .map(|f| FileView {
            number: f.number,
            name: f.name,
            current: f.current,
            size: f.size,
            created_at: f.created_at,
        })
        .collect();
    let has_details = files
        .iter()
        .any(|f| f.size.is_some() || f.created_at.is_some());
    Ok(ImageFiles { files, has_details })
}

/// Downloads file `number` of the image (for viewing: not watched, never uploaded) and opens
/// it with the system's default app.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn open_image_file<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    image_id: String,
    number: usize,
) -> AppResult<()> {
    require_guid("image id", &image_id)?;
    let library = conn.library().await?;
    let (image, file) = file_of(&library, &image_id, Some(number)).await?;
    let dir = data_dir(&app)?
        .join(VERSIONS_DIR)
        .join(image.id.to_ascii_lowercase());
    let path = library
        .download_file(
            &image,
            &file.url,
            &dir,
            &version_stem(&image, &file),
            progress(&app, &image.id, "view"),
        )
        .await?;
    open_in_editor(&path, None)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub file_name: String,
}

/// "Save as…": file `number` (the current original without one) to where the user chooses
/// in the native dialog; `null` when cancelled.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn save_image_file<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    image_id: String,
    number: Option<usize>,
) -> AppResult<Option<Saved>> {
    require_guid("image id", &image_id)?;
    let library = conn.library().await?;
    let (image, file) = file_of(&library, &image_id, number).await?;
    let stem = if file.current {
        image_library::file_stem(&image)
    } else {
        version_stem(&image, &file)
    };
    let suggested = match file.name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() => format!("{stem}.{}", ext.to_ascii_lowercase()),
        _ => stem,
    };
    let Some(dest) = native_dialogs::save_image(&app, suggested).await else {
        return Ok(None);
    };
    library
        .save_file_as(&image, &file.url, &dest, progress(&app, &image.id, "save"))
        .await?;
    Ok(Some(Saved {
        file_name: dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }))
}

/// Longest side of a version's preview in the panel's preview dialog.
const PREVIEW_SIDE: u32 = 1200;

#[derive(Debug, Serialize)]
pub struct VersionPreview {
    /// `data:image/png;base64,…`, made here (so also for PSD, TIFF, AI).
    pub url: String,
}

/// A preview of file `number` of the image, made on this computer from a download that is
/// removed again (the PNG stays in the preview cache). The error says why there is none.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn preview_image_file<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    previews: State<'_, LocalPreviews>,
    image_id: String,
    number: usize,
) -> AppResult<VersionPreview> {
    require_guid("image id", &image_id)?;
    let library = conn.library().await?;
    let (image, file) = file_of(&library, &image_id, Some(number)).await?;
    let dir = data_dir(&app)?.join(VERSIONS_DIR).join(".preview");
    let path = library
        .download_file(
            &image,
            &file.url,
            &dir,
            &version_stem(&image, &file),
            progress(&app, &image.id, "view"),
        )
        .await?;
    let url = previews.data_url(path.clone(), PREVIEW_SIDE).await;
    let _ = std::fs::remove_file(&path);
    let url =
        url.map_err(|why| AppError::invalid_input(format!("No preview of this version: {why}")))?;
    Ok(VersionPreview { url })
}

#[derive(Debug, Serialize)]
pub struct Copied {
    pub width: u32,
    pub height: u32,
}

/// Keeps the clipboard served: on X11 the picture lives in this process until another app
/// takes the clipboard, so the `Clipboard` must outlive the command.
static CLIPBOARD: Mutex<Option<arboard::Clipboard>> = Mutex::new(None);

/// "Copy image": the current original's picture (PSD, TIFF, AI, JPEG… decoded here, at most
/// `CLIPBOARD_SIDE` pixels on its longer side) onto the clipboard.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn copy_image<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    working: State<'_, WorkingHost>,
    image_id: String,
) -> AppResult<Copied> {
    require_guid("image id", &image_id)?;
    let library = conn.library().await?;
    let image = library.get(&image_id).await?;
    let dir = data_dir(&app)?.join(VERSIONS_DIR).join(".clipboard");
    let path = library
        .download_original(&image, &dir, progress(&app, &image.id, "copy"))
        .await?;
    let png = working.preview_png(&path, CLIPBOARD_SIDE).await;
    let _ = std::fs::remove_file(&path);
    let png = png
        .map_err(|why| AppError::invalid_input(format!("The picture could not be read: {why}.")))?;
    tauri::async_runtime::spawn_blocking(move || put_on_clipboard(&png))
        .await
        .map_err(|e| AppError::Internal(format!("copying stopped: {e}")))?
}

fn put_on_clipboard(png: &[u8]) -> AppResult<Copied> {
    let rgba = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("the preview could not be decoded: {e}")))?
        .to_rgba8();
    let (width, height) = rgba.dimensions();
    let unavailable = |e: arboard::Error| AppError::Io {
        message: format!("The clipboard could not be used ({e}). Try again, or use Save as…"),
        detail: String::new(),
    };
    let mut slot = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        *slot = Some(arboard::Clipboard::new().map_err(unavailable)?);
    }
    let clipboard = slot.as_mut().expect("just set");
    clipboard
        .set_image(arboard::ImageData {
            width: width as usize,
            height: height as usize,
            bytes: rgba.into_raw().into(),
        })
        .map_err(unavailable)?;
    Ok(Copied { width, height })
}

/// The image (read now, for fresh signed URLs) and its file `number` (the current original
/// when `None`).
async fn file_of(
    library: &ImageLibrary,
    image_id: &str,
    number: Option<usize>,
) -> AppResult<(ImageHeader, ImageFile)> {
    let image = library.get(image_id).await?;
    let files = image_files(&image);
    let file = match number {
        Some(n) => files.into_iter().find(|f| f.number == n),
        None => files.into_iter().find(|f| f.current),
    };
    match file {
        Some(file) => Ok((image, file)),
        None if number.is_none() => Err(AppError::invalid_input(image_library::NOT_PROCESSED)),
        None => Err(AppError::invalid_input(
            "That file is no longer listed for the image; reopen the image to see its files.",
        )),
    }
}

/// `IMG-1 v2`: a version's file name, apart from the working copy's `IMG-1`.
fn version_stem(image: &ImageHeader, file: &ImageFile) -> String {
    format!("{} v{}", image_library::file_stem(image), file.number)
}

fn data_dir<R: Runtime>(app: &AppHandle<R>) -> AppResult<PathBuf> {
    let working = app.state::<WorkingHost>();
    working
        .registry()
        .root()
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| AppError::Internal("the working folder has no parent".into()))
}
