//! Bulk edit commands: thin adapters over `image_library::bulk` (plans, selections, deletes)
//! and `crate::bulk_runs` (the background edit, its journal, events). Selections and field
//! operations arrive as JSON and are parsed here, so a malformed one is an `invalid_input`
//! like every refusal.

use image_library::bulk::{FieldEdit, Preview, Selection};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use super::images::Empty;
use crate::bulk_runs::{busy_images, BulkRuns, BulkStatus, ImageReason, Started};
use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};

/// `selection` as the page's `selectionArg()` gives it.
pub(crate) fn parse_selection(selection: Value) -> AppResult<Selection> {
    serde_json::from_value(selection).map_err(|_| {
        AppError::invalid_input(
            "The selection must be {ids: [..]} or {all: {quick, filters}, except: [..]}; \
             select the images again.",
        )
    })
}

/// `edits`: `[{fieldId, op: 'set'|'clear'|'add'|'remove', value?}]`.
pub(crate) fn parse_edits(edits: Vec<Value>) -> AppResult<Vec<FieldEdit>> {
    edits
        .into_iter()
        .enumerate()
        .map(|(i, edit)| {
            serde_json::from_value(edit.clone()).map_err(|e| {
                AppError::invalid_input(format!(
                    "Field operation {} is not {{fieldId, op: set|clear|add|remove, value}} ({e}).",
                    i + 1
                ))
            })
        })
        .collect()
}

/// The preview of a bulk edit, kept under `planId` for `run_bulk`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkPreview {
    pub plan_id: String,
    #[serde(flatten)]
    pub preview: Preview,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn plan_bulk_edit<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    folder_id: String,
    selection: Value,
    edits: Vec<Value>,
) -> AppResult<BulkPreview> {
    let selection = parse_selection(selection)?;
    let edits = parse_edits(edits)?;
    let busy = busy_images(&app);
    let plan = conn
        .library()
        .await?
        .plan_bulk_selection(&folder_id, &selection, &edits, &busy)
        .await?;
    let preview = plan.preview();
    Ok(BulkPreview {
        plan_id: runs.keep_plan(plan),
        preview,
    })
}

/// Starts the previewed plan in the background; progress and the end arrive as events.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn run_bulk<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    plan_id: String,
) -> AppResult<Started> {
    let library = conn.library().await?;
    runs.run_plan(&app, library, &plan_id)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn cancel_bulk<R: Runtime>(
    app: AppHandle<R>,
    runs: State<'_, BulkRuns>,
) -> AppResult<Empty> {
    runs.cancel(&app).await;
    Ok(Empty {})
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn retry_bulk<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    edit_id: String,
) -> AppResult<Started> {
    let library = conn.library().await?;
    runs.retry(&app, library, &edit_id)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn undo_bulk<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    edit_id: String,
) -> AppResult<Started> {
    let library = conn.library().await?;
    runs.undo(&app, library, &edit_id)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn bulk_status(runs: State<'_, BulkRuns>) -> AppResult<BulkStatus> {
    Ok(runs.status())
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn discard_bulk(runs: State<'_, BulkRuns>, edit_id: String) -> AppResult<Empty> {
    runs.discard(&edit_id)?;
    Ok(Empty {})
}

#[derive(Debug, Serialize)]
pub struct DeleteResult {
    pub deleted: usize,
    pub failed: Vec<ImageReason>,
}

/// Deletes the selected images, a few at a time; an image already gone counts as deleted.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn delete_images(
    conn: State<'_, ConnectionManager>,
    folder_id: String,
    selection: Value,
) -> AppResult<DeleteResult> {
    let selection = parse_selection(selection)?;
    let library = conn.library().await?;
    let selected = library.select(&folder_id, &selection).await?;
    let refs = selected
        .images
        .iter()
        .map(image_library::bulk::ImageRef::of)
        .chain(selected.unreadable.into_iter().map(|s| s.image))
        .collect();
    let done = library.delete_many(refs).await?;
    Ok(DeleteResult {
        deleted: done.deleted,
        failed: done
            .failed
            .into_iter()
            .map(|(image, e)| ImageReason {
                image,
                reason: e.to_string(),
            })
            .collect(),
    })
}
