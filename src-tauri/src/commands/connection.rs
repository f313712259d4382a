//! Connection commands: status, test, save, switch, sign out.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tracing::instrument;

use crate::connection::{ConnectionManager, ConnectionStatus};
use crate::credentials::Credentials;
use crate::error::AppResult;
use crate::settings::SettingsFile;

/// `ConnectionStatus` plus the folder the user last opened, so the UI can reopen it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReply {
    #[serde(flatten)]
    pub status: ConnectionStatus,
    pub last_folder_id: Option<String>,
}

fn reply<R: Runtime>(app: &AppHandle<R>, status: ConnectionStatus) -> StatusReply {
    let last_folder_id = app
        .try_state::<SettingsFile>()
        .and_then(|s| s.load().last_folder_id);
    StatusReply {
        status,
        last_folder_id,
    }
}

/// A test that fails is an error, so the answer only says what the test saw.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub folder_count: usize,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn connection_status<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
) -> AppResult<StatusReply> {
    Ok(reply(&app, conn.status().await?))
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn test_connection(
    conn: State<'_, ConnectionManager>,
    creds: Credentials,
) -> AppResult<TestResult> {
    let folder_count = conn.test(&creds).await?;
    Ok(TestResult { folder_count })
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn save_credentials<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    creds: Credentials,
) -> AppResult<StatusReply> {
    Ok(reply(&app, conn.save_and_use(creds).await?))
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn use_sandbox<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
) -> AppResult<StatusReply> {
    Ok(reply(&app, conn.use_sandbox().await?))
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn use_account<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
) -> AppResult<StatusReply> {
    Ok(reply(&app, conn.use_account().await?))
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
) -> AppResult<StatusReply> {
    Ok(reply(&app, conn.sign_out().await?))
}
