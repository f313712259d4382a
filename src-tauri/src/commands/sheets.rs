//! Spreadsheet commands: export images to CSV/XLSX through the native save dialog, and
//! preview an import (a dropped file's handle, or the native open dialog) as a diff whose
//! valid changes are a plan for `run_bulk`. What happens with the chosen path is in
//! `export_to_path` and `preview_import` (app tests); the dialogs are driven by the e2e tests.

use std::path::{Path, PathBuf};

use image_library::bulk::Selection;
use image_library::sheet::{export_file_name, today, write_file, Format, ImportPreview, Source};
use image_library::ImageLibrary;
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Runtime, State};
use tracing::instrument;

use super::bulk::parse_selection;
use crate::bulk_runs::{busy_images, BulkRuns};
use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::file_handles::FileHandles;
use crate::native_dialogs;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// The file's name (not its folder).
    pub file_name: String,
    /// Images written (one row each).
    pub rows: usize,
}

fn parse_format(format: &str) -> AppResult<Format> {
    match format.trim().to_ascii_lowercase().as_str() {
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        other => Err(AppError::invalid_input(format!(
            "'{other}' is not a sheet format; use csv or xlsx."
        ))),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The name the save dialog suggests: `<folder name> YYYY-MM-DD.csv|xlsx` (today, local).
pub async fn suggested_export_name(
    library: &ImageLibrary,
    folder_id: &str,
    format: Format,
) -> AppResult<String> {
    image_library::require_guid("folderId", folder_id)?;
    let folder_name = library
        .folders()
        .await?
        .into_iter()
        .find(|f| f.id.eq_ignore_ascii_case(folder_id))
        .map(|f| f.name)
        .unwrap_or_default();
    Ok(export_file_name(&folder_name, format, today()))
}

/// Writes the images of `selection` (else the quick search `quick`, else the whole folder) to
/// `path` in `format`.
pub async fn export_to_path(
    library: &ImageLibrary,
    folder_id: &str,
    selection: Option<Selection>,
    quick: Option<&str>,
    format: Format,
    path: &Path,
) -> AppResult<Exported> {
    let images = match selection {
        Some(Selection::Ids { ids }) => library.images_of(folder_id, &Source::Ids(ids)).await?,
        Some(all @ Selection::All { .. }) => library.select(folder_id, &all).await?.images,
        None => match quick.map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => {
                library
                    .images_of(folder_id, &Source::Search(q.to_owned()))
                    .await?
            }
            None => library.images_of(folder_id, &Source::Folder).await?,
        },
    };
    let (table, numeric) = library.table_for(folder_id, &images).await?;
    write_file(&table, &numeric, format, path)?;
    Ok(Exported {
        file_name: file_name(path),
        rows: table.rows.len(),
    })
}

/// Asks where to save (native dialog), then writes the sheet; null when cancelled.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn export_sheet<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    folder_id: String,
    selection: Option<Value>,
    quick: Option<String>,
    format: String,
) -> AppResult<Option<Exported>> {
    let format = parse_format(&format)?;
    let selection = selection
        .filter(|s| !s.is_null())
        .map(parse_selection)
        .transpose()?;
    let library = conn.library().await?;
    let suggested = suggested_export_name(&library, &folder_id, format).await?;
    let Some(path) = native_dialogs::save_sheet(&app, suggested, format).await else {
        return Ok(None);
    };
    let path = with_extension(path, format);
    Ok(Some(
        export_to_path(
            &library,
            &folder_id,
            selection,
            quick.as_deref(),
            format,
            &path,
        )
        .await?,
    ))
}

/// A chosen path without an extension gets the format's.
fn with_extension(path: PathBuf, format: Format) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension(format.extension())
    }
}

/// The diff of the sheet at `path` against the folder, kept as a plan (for `run_bulk`) when
/// no cell is refused. Images the upload queue is still processing are left out.
pub async fn preview_import<R: Runtime>(
    app: &AppHandle<R>,
    runs: &BulkRuns,
    library: &ImageLibrary,
    folder_id: &str,
    path: &Path,
) -> AppResult<ImportPreview> {
    let mut diff = library.diff_sheet_file(folder_id, path).await?;
    diff.plan.skip_busy(&busy_images(app));
    let mut preview = diff.preview(&file_name(path));
    if preview.problems == 0 {
        preview.plan_id = Some(runs.keep_plan(diff.plan));
    }
    Ok(preview)
}

const ONE_SHEET: &str =
    "Drop one spreadsheet (.csv or .xlsx) to import it, or choose it with Import.";

/// With `handle` (from `app://dropped`: one .csv or .xlsx file) that file, else the native
/// open dialog; null when cancelled.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn import_sheet<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    runs: State<'_, BulkRuns>,
    handles: State<'_, FileHandles>,
    folder_id: String,
    handle: Option<String>,
) -> AppResult<Option<ImportPreview>> {
    image_library::require_guid("folderId", &folder_id)?;
    let path = match handle {
        Some(handle) => {
            let paths = handles.take(&handle).ok_or_else(|| {
                AppError::invalid_input(
                    "This file is no longer available to the app (the drop was already used, or \
                     is more than two minutes old). Drop it again.",
                )
            })?;
            match paths.as_slice() {
                [one] if Format::of_path(one).is_some() => one.clone(),
                _ => return Err(AppError::invalid_input(ONE_SHEET)),
            }
        }
        None => match native_dialogs::open_sheet(&app).await {
            Some(path) => path,
            None => return Ok(None),
        },
    };
    let library = conn.library().await?;
    Ok(Some(
        preview_import(&app, &runs, &library, &folder_id, &path).await?,
    ))
}
