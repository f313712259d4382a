//! Open in editor and the working copies (docs/ARCHITECTURE.md, IPC table): thin adapters over
//! `working_host::WorkingHost`, which downloads, opens, watches and queues.

use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::commands::images::Empty;
use crate::commands::require_guid;
use crate::connection::ConnectionManager;
use crate::error::AppResult;
use crate::uploads::UploadHost;
use crate::working_host::{Banner, CopiesList, CopyView, UploadAnswer, WorkingHost};

/// "Open original": downloads the image's current original into its working folder (progress
/// as `working://progress`), opens it with the system's default app and watches it.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn open_original<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    working: State<'_, WorkingHost>,
    image_id: String,
) -> AppResult<CopyView> {
    require_guid("image id", &image_id)?;
    let library = conn.library().await?;
    working.open_original(&app, &library, &image_id, None).await
}

/// "Open with…": as `open_original`, with an app the user chooses in the native dialog;
/// `None` when the dialog was cancelled (nothing downloaded).
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn open_original_with<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    working: State<'_, WorkingHost>,
    image_id: String,
) -> AppResult<Option<CopyView>> {
    require_guid("image id", &image_id)?;
    let Some(editor) = crate::native_dialogs::pick_app(&app).await else {
        return Ok(None);
    };
    let library = conn.library().await?;
    let copy = working
        .open_original(&app, &library, &image_id, Some(&editor))
        .await?;
    Ok(Some(copy))
}

#[tauri::command]
pub fn working_copies(working: State<'_, WorkingHost>) -> CopiesList {
    working.list()
}

/// The banner of an edited copy: before/after thumbnails and whether the server's file changed.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn working_copy_banner(
    conn: State<'_, ConnectionManager>,
    working: State<'_, WorkingHost>,
    copy_id: String,
) -> AppResult<Banner> {
    let library = conn.library().await?;
    working.banner(&library, &copy_id).await
}

/// "Upload as new version".
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn upload_working_copy<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    uploads: State<'_, UploadHost>,
    working: State<'_, WorkingHost>,
    copy_id: String,
    accept_server_change: Option<bool>,
) -> AppResult<UploadAnswer> {
    let library = conn.library().await?;
    working
        .upload(
            &app,
            &library,
            uploads.queue(),
            &copy_id,
            accept_server_change.unwrap_or(false),
        )
        .await
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub fn decline_working_copy<R: Runtime>(
    app: AppHandle<R>,
    working: State<'_, WorkingHost>,
    copy_id: String,
) -> AppResult<CopyView> {
    working.decline(&app, &copy_id)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub fn open_working_copy(working: State<'_, WorkingHost>, copy_id: String) -> AppResult<Empty> {
    working.open_again(&copy_id)?;
    Ok(Empty {})
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub fn reveal_working_copy(working: State<'_, WorkingHost>, copy_id: String) -> AppResult<Empty> {
    working.reveal(&copy_id)?;
    Ok(Empty {})
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub fn remove_working_copy<R: Runtime>(
    app: AppHandle<R>,
    working: State<'_, WorkingHost>,
    copy_id: String,
) -> AppResult<Empty> {
    working.remove(&app, &copy_id)?;
    Ok(Empty {})
}
