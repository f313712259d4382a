//! Intake commands: a folder's naming rule and metadata mapping, and the preview a drop into
//! such a folder gets before anything is created (`crate::intake_host`). Rules, metadata and
//! checks are `image_library::intake`, shared with `bp upload --rules`.

use std::path::PathBuf;

use image_library::intake::{IntakeRow, IntakeSettings};
use serde::{Deserialize, Serialize};
use tauri::State;
use tracing::instrument;
use upload_queue::{JobRequest, Target};

use super::images::Empty;
use super::uploads::{resolve_target, DropResult, LeftOut, UploadTarget, DROP_AGAIN};
use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::file_handles::{display_name, FileHandles};
use crate::intake_host::{IntakeHost, Pending};
use crate::uploads::{queue_error, UploadHost};

/// A column of the preview: a field some row has a value for (number and name always).
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub field_id: String,
    pub label: String,
}

/// `plan_intake`'s answer: one row per file, in the order they will be queued.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakePreview {
    pub plan_id: String,
    pub folder_id: String,
    pub columns: Vec<Column>,
    pub rows: Vec<IntakeRow>,
    /// Non-images and unreadable paths left out while expanding folders.
    pub skipped: Vec<LeftOut>,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn intake_settings(
    intake: State<'_, IntakeHost>,
    folder_id: String,
) -> AppResult<IntakeSettings> {
    super::require_guid("folderId", &folder_id)?;
    Ok(intake.store().load(&folder_id)?)
}

/// Checked against the folder's fields before it is saved; answers with what was saved.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn save_intake_settings(
    conn: State<'_, ConnectionManager>,
    intake: State<'_, IntakeHost>,
    folder_id: String,
    settings: IntakeSettings,
) -> AppResult<IntakeSettings> {
    let fields = conn.library().await?.intake_fields(&folder_id).await?;
    Ok(intake.store().save(&folder_id, &fields, settings)?)
}

/// The settings' test box: what a sample file name gives, without saving anything.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn try_intake_name(
    conn: State<'_, ConnectionManager>,
    folder_id: String,
    settings: IntakeSettings,
    file_name: String,
) -> AppResult<IntakeRow> {
    let fields = conn.library().await?.intake_fields(&folder_id).await?;
    Ok(image_library::intake::plan_name(
        &fields, &settings, &file_name, None,
    ))
}

/// Plans the files behind `handle` for `target` when the folder has intake settings; `None`
/// (the handle untouched) when it has none, or the target is a version: the page then queues
/// the handle as before.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn plan_intake(
    handles: State<'_, FileHandles>,
    conn: State<'_, ConnectionManager>,
    intake: State<'_, IntakeHost>,
    handle: String,
    target: UploadTarget,
) -> AppResult<Option<IntakePreview>> {
    let (target, preset) = resolve_target(&conn, target).await?;
    let Target::NewImage { folder_id } = target else {
        return Ok(None);
    };
    let settings = intake.store().load(&folder_id)?;
    if !settings.is_active() {
        return Ok(None);
    }
    let roots = handles
        .take(&handle)
        .ok_or_else(|| AppError::invalid_input(DROP_AGAIN))?;
    let walk = roots.clone();
    let expanded = tokio::task::spawn_blocking(move || upload_queue::expand_paths(&walk))
        .await
        .map_err(|e| AppError::Internal(format!("walking the dropped folders stopped: {e}")))?;
    let library = conn.library().await?;
    let rows = match library
        .intake_plan(&folder_id, &settings, expanded.files.clone())
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            handles.put_back(handle, roots);
            return Err(e.into());
        }
    };
    let specs = library.field_specs(&folder_id).await?;
    let skipped = expanded
        .skipped
        .iter()
        .map(|s| LeftOut {
            name: display_name(&roots, &s.path),
            reason: s.reason.clone(),
        })
        .collect();
    let preview = IntakePreview {
        plan_id: String::new(),
        folder_id: folder_id.clone(),
        columns: columns(&specs, &rows),
        rows: rows.clone(),
        skipped,
    };
    let plan_id = intake.keep(Pending::new(folder_id, preset, roots, expanded.files, rows));
    Ok(Some(IntakePreview { plan_id, ..preview }))
}

/// Number, name, then every field a row has a value for, in the folder's field order.
fn columns(specs: &[beproduct::FieldSpec], rows: &[IntakeRow]) -> Vec<Column> {
    specs
        .iter()
        .filter(|spec| {
            image_library::intake::is_name_field(&spec.field_id)
                || rows
                    .iter()
                    .any(|r| r.cells.iter().any(|c| c.field_id == spec.field_id))
        })
        .map(|spec| Column {
            field_id: spec.field_id.clone(),
            label: spec.label.clone(),
        })
        .collect()
}

/// A cell fixed in place: the row checked again with the new text.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn edit_intake_cell(
    conn: State<'_, ConnectionManager>,
    intake: State<'_, IntakeHost>,
    plan_id: String,
    row: usize,
    field_id: String,
    text: String,
) -> AppResult<IntakeRow> {
    let folder_id = intake.with(&plan_id, |p| p.folder_id.clone())?;
    let fields = conn.library().await?.intake_fields(&folder_id).await?;
    intake.with(&plan_id, |p| {
        let current = p
            .rows
            .get(row)
            .ok_or_else(|| AppError::invalid_input("That row is not in this upload preview."))?;
        let edited = current.edited(&fields, &field_id, &text)?;
        p.rows[row] = edited.clone();
        Ok(edited)
    })?
}

/// How the page answers the preview: rows to leave out, and whether rows that still have
/// problems go with their valid values only (otherwise they refuse the whole upload).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeAnswer {
    #[serde(default)]
    pub skip: Vec<usize>,
    #[serde(default)]
    pub valid_only: bool,
}

/// Queues the preview's files with their numbers, names and values. Nothing is queued while a
/// row that is not skipped has a problem, unless `validOnly`.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn commit_intake(
    conn: State<'_, ConnectionManager>,
    intake: State<'_, IntakeHost>,
    host: State<'_, UploadHost>,
    plan_id: String,
    answer: IntakeAnswer,
) -> AppResult<DropResult> {
    let pending = intake.take(&plan_id)?;
    let built = match conn.library().await {
        Ok(library) => match library.field_specs(&pending.folder_id).await {
            Ok(specs) => requests(&specs, &pending, &answer),
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e),
    };
    let requests = match built {
        Ok(requests) => requests,
        Err(e) => {
            intake.put_back(plan_id, pending);
            return Err(e);
        }
    };
    let report = match host.queue().enqueue(requests).await {
        Ok(report) => report,
        Err(e) => {
            intake.put_back(plan_id, pending);
            return Err(queue_error(e));
        }
    };
    Ok(DropResult {
        batch_id: report.batch_id,
        accepted: report.accepted.len(),
        rejected: report
            .rejected
            .into_iter()
            .map(|r| LeftOut {
                name: display_name(&pending.roots, &PathBuf::from(r.path)),
                reason: r.reason,
            })
            .collect(),
        skipped: Vec::new(),
    })
}

/// The queue's requests for the rows the user kept; the first row with a problem (without
/// `valid_only`) refuses them all, saying which file and what to do.
fn requests(
    specs: &[beproduct::FieldSpec],
    pending: &Pending,
    answer: &IntakeAnswer,
) -> AppResult<Vec<JobRequest>> {
    let mut requests = Vec::new();
    let mut blocked = Vec::new();
    for (i, (row, path)) in pending.rows.iter().zip(&pending.files).enumerate() {
        if answer.skip.contains(&i) {
            continue;
        }
        let values = match row.values(specs) {
            Ok(values) => values,
            Err(problems) if answer.valid_only => match row.valid_values(specs) {
                Some(values) => values,
                None => {
                    blocked.push(format!("{}: {}", row.file_name, problems.join("; ")));
                    continue;
                }
            },
            Err(problems) => {
                blocked.push(format!("{}: {}", row.file_name, problems.join("; ")));
                continue;
            }
        };
        requests.push(values.job(path, &pending.folder_id, &pending.preset));
    }
    if let Some(first) = blocked.first() {
        let more = match blocked.len() {
            1 => String::new(),
            n => format!(" (and {} more files)", n - 1),
        };
        return Err(AppError::invalid_input(format!(
            "{first}{more}. Fix the marked cells, skip those files, or upload with the valid values only."
        )));
    }
    if requests.is_empty() {
        return Err(AppError::invalid_input(
            "Every file is skipped: nothing to upload. Keep at least one file, or cancel.",
        ));
    }
    Ok(requests)
}

/// The user closed the preview: its files are forgotten (nothing was created).
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn cancel_intake(intake: State<'_, IntakeHost>, plan_id: String) -> AppResult<Empty> {
    intake.forget(&plan_id);
    Ok(Empty {})
}
