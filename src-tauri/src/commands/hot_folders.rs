//! Hot folder commands: watch a local folder (picked in the native dialog) and upload what
//! appears in it into a BeProduct folder; list and stop watching. Status changes arrive as
//! `hotfolders://changed` (`crate::hot_folder_host`).

use hot_folders::HotFolderConfig;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use super::images::Empty;
use super::require_guid;
use crate::error::AppResult;
use crate::hot_folder_host::{hot_error, HotFolderHost, HotFolderView};

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn list_hot_folders(host: State<'_, HotFolderHost>) -> AppResult<Vec<HotFolderView>> {
    Ok(host.folders().list().into_iter().map(Into::into).collect())
}

/// Asks which local folder to watch for `folderId`; `None` when the dialog was cancelled.
/// Everything already in the chosen folder is uploaded too.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn add_hot_folder<R: Runtime>(
    app: AppHandle<R>,
    host: State<'_, HotFolderHost>,
    folder_id: String,
    move_uploaded: bool,
) -> AppResult<Option<HotFolderView>> {
    require_guid("folderId", &folder_id)?;
    let Some(dir) = crate::native_dialogs::pick_folder(&app).await else {
        return Ok(None);
    };
    let status = host
        .folders()
        .add(HotFolderConfig {
            id: uuid::Uuid::new_v4().to_string(),
            dir,
            folder_id,
            move_uploaded,
        })
        .await
        .map_err(hot_error)?;
    Ok(Some(status.into()))
}

/// Stops watching; the files stay where they are.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn remove_hot_folder(host: State<'_, HotFolderHost>, id: String) -> AppResult<Empty> {
    host.folders().remove(&id).await.map_err(hot_error)?;
    Ok(Empty {})
}
