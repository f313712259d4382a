//! Image library commands: short adapters from IPC arguments to `image_library::ImageLibrary`
//! (the connection's current one). Errors are logged by `#[instrument(err)]`, once, here at
//! the boundary.

use beproduct::{ChoicesSource, FieldOption, FieldSpec, Folder, ImageHeader, Page};
use image_library::{fields_from_json, filters_from_json, FormField, PageRequest};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime, State};
use tracing::instrument;

use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::settings::SettingsFile;

#[derive(Debug, Serialize)]
pub struct Empty {}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn list_folders(conn: State<'_, ConnectionManager>) -> AppResult<Vec<Folder>> {
    Ok(conn.library().await?.folders().await?)
}

/// A folder's fields as the page shows them: every active field (number and name first), and
/// those a search can filter by, each with its widget, choices and operators (decided in Rust:
/// `beproduct::FieldSpec`).
#[derive(Debug, Serialize)]
pub struct FolderFields {
    pub fields: Vec<FieldSpec>,
    pub filters: Vec<FieldSpec>,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn folder_schema(
    conn: State<'_, ConnectionManager>,
    folder_id: String,
) -> AppResult<FolderFields> {
    let library = conn.library().await?;
    Ok(FolderFields {
        fields: library.field_specs(&folder_id).await?,
        filters: library.filter_specs(&folder_id).await?,
    })
}

/// The attribute form of `image` (the page's copy, not read again) or, without one, of a new
/// image in `folder_id`: each field's spec and its value as its widget shows it.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn image_form(
    conn: State<'_, ConnectionManager>,
    folder_id: String,
    image: Option<ImageHeader>,
) -> AppResult<Vec<FormField>> {
    Ok(conn
        .library()
        .await?
        .form(&folder_id, image.as_ref())
        .await?)
}

/// The options of a picker the schema does not list (users, partners, tags in use), cached.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn field_choices(
    conn: State<'_, ConnectionManager>,
    source: String,
) -> AppResult<Vec<FieldOption>> {
    // Parsed here, not by Tauri, so a wrong name is an `invalid_input` like every refusal.
    let source: ChoicesSource =
        serde_json::from_value(Value::String(source.clone())).map_err(|_| {
            AppError::invalid_input(format!(
                "'{source}' is not a source of choices; use users, partners or tags."
            ))
        })?;
    Ok(conn.library().await?.choices(source).await?)
}

/// One page of a folder's images; with `quick`, images whose number OR name contains it;
/// `filters` as the filter builder picks them (`image_library::PickedFilter`).
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn list_images<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    folder_id: Option<String>,
    quick: Option<String>,
    filters: Option<Vec<Value>>,
    page_size: Option<i64>,
    page_number: Option<i64>,
) -> AppResult<Page<ImageHeader>> {
    let page = PageRequest::new(page_size, page_number)?;
    let filters = filters_from_json(filters.unwrap_or_default())?;
    let library = conn.library().await?;
    let found = library
        .search(folder_id.as_deref(), filters, quick.as_deref(), page)
        .await?;
    if let Some(folder_id) = folder_id.filter(|f| !f.trim().is_empty()) {
        remember_folder(&app, folder_id);
    }
    Ok(found)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn get_image(conn: State<'_, ConnectionManager>, id: String) -> AppResult<ImageHeader> {
    Ok(conn.library().await?.get(&id).await?)
}

/// Several images in one IPC call; failures are reported per id so one deleted image does not
/// hide the others.
#[derive(Debug, Serialize)]
pub struct ImagesResult {
    pub images: Vec<ImageHeader>,
    pub failed: Vec<FailedImage>,
}

#[derive(Debug, Serialize)]
pub struct FailedImage {
    pub id: String,
    pub error: AppError,
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn get_images(
    conn: State<'_, ConnectionManager>,
    ids: Vec<String>,
) -> AppResult<ImagesResult> {
    let many = conn.library().await?.get_many(ids).await?;
    Ok(ImagesResult {
        images: many.images,
        failed: many
            .failed
            .into_iter()
            .map(|(id, e)| FailedImage {
                id,
                error: e.into(),
            })
            .collect(),
    })
}

/// `fields`: `[{id, value}]` with widget values (`FormField::value` shapes).
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn create_image(
    conn: State<'_, ConnectionManager>,
    folder_id: String,
    fields: Vec<Value>,
) -> AppResult<ImageHeader> {
    let fields = fields_from_json(fields)?;
    Ok(conn.library().await?.create(&folder_id, fields).await?)
}

/// `folderId` is the folder the page read the image from: the image is not read again.
/// `fields`: the changed fields, `[{id, value}]` with widget values.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn update_image(
    conn: State<'_, ConnectionManager>,
    id: String,
    folder_id: String,
    fields: Vec<Value>,
) -> AppResult<ImageHeader> {
    let fields = fields_from_json(fields)?;
    Ok(conn.library().await?.save(&id, &folder_id, fields).await?)
}

/// An image that is already gone counts as deleted.
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn delete_image(conn: State<'_, ConnectionManager>, id: String) -> AppResult<Empty> {
    conn.library().await?.delete(&id).await?;
    Ok(Empty {})
}

/// Remembers the folder for the next start; a settings problem never fails the search.
fn remember_folder<R: Runtime>(app: &AppHandle<R>, folder_id: String) {
    if let Some(settings) = app.try_state::<SettingsFile>() {
        if settings.load().last_folder_id.as_deref() != Some(folder_id.as_str()) {
            if let Err(e) = settings.update(|s| s.last_folder_id = Some(folder_id)) {
                tracing::warn!(error = %e, "could not remember the last folder");
            }
        }
    }
}
