//! About → "Check for updates", its Download and "Restart to install" (src/updates.rs).

use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use crate::error::AppResult;
use crate::updates::{UpdateHost, UpdateInfo};

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn check_for_update<R: Runtime>(
    app: AppHandle<R>,
    host: State<'_, UpdateHost>,
) -> AppResult<UpdateInfo> {
    host.check(&app).await
}

/// Downloads and verifies the update found by the last check (`update://progress` events);
/// → `{version}`, ready to install.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn download_update<R: Runtime>(
    app: AppHandle<R>,
    host: State<'_, UpdateHost>,
) -> AppResult<serde_json::Value> {
    let version = host.download(&app).await?;
    Ok(serde_json::json!({ "version": version }))
}

/// Installs the downloaded update and restarts the app.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    host: State<'_, UpdateHost>,
) -> AppResult<()> {
    host.install(&app)
}
