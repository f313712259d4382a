//! Preset commands: named field operations per folder (`image_library::bulk::PresetStore`
//! in the app data folder), checked against the folder's schema when saved.

use image_library::bulk::Preset;
use serde_json::Value;
use tauri::State;
use tracing::instrument;

use super::bulk::parse_edits;
use super::images::Empty;
use crate::bulk_runs::BulkRuns;
use crate::connection::ConnectionManager;
use crate::error::AppResult;

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn list_presets(
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    folder_id: String,
) -> AppResult<Vec<Preset>> {
    Ok(conn
        .library()
        .await?
        .presets(runs.presets(), &folder_id)
        .await?)
}

/// A preset of the same name (any letter case) is replaced and keeps its id.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn save_preset(
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    folder_id: String,
    name: String,
    edits: Vec<Value>,
) -> AppResult<Preset> {
    let edits = parse_edits(edits)?;
    Ok(conn
        .library()
        .await?
        .save_preset(runs.presets(), &folder_id, &name, edits)
        .await?)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn delete_preset(
    runs: State<'_, BulkRuns>,
    folder_id: String,
    preset_id: String,
) -> AppResult<Empty> {
    runs.presets().delete(&folder_id, &preset_id)?;
    Ok(Empty {})
}
