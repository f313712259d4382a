//! Image library commands: folders, schema, search, get, create, update, delete.

use std::collections::HashSet;

use beproduct::{
    Client, FieldType, FieldUpdate, Filter, Folder, ImageHeader, Page, SchemaField, SearchQuery,
};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime, State};

use super::require_guid;
use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::settings::SettingsFile;

/// Largest page the API is asked for.
pub const MAX_PAGE_SIZE: i64 = 200;
/// A quick search reads at most this many matches per side (number, name) before merging.
pub const QUICK_SEARCH_CAP: usize = 500;
const QUICK_FETCH_PAGE: u32 = 200;

#[derive(Debug, Serialize)]
pub struct Empty {}

#[tauri::command]
pub async fn list_folders<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
) -> AppResult<Vec<Folder>> {
    Ok(conn.client().await?.folders().await?)
}

#[tauri::command]
pub async fn folder_schema<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    folder_id: String,
) -> AppResult<Vec<SchemaField>> {
    require_guid("folderId", &folder_id)?;
    Ok(conn.client().await?.folder_schema(&folder_id).await?)
}

/// One page of a folder's images. With `quick`, images whose number OR name contains it
/// (two searches merged here, since the API's filters only AND), paged over the merged list.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn list_images<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    folder_id: Option<String>,
    quick: Option<String>,
    filters: Option<Vec<Value>>,
    page_size: Option<i64>,
    page_number: Option<i64>,
) -> AppResult<Page<ImageHeader>> {
    let folder_id = folder_id.filter(|f| !f.trim().is_empty());
    if let Some(id) = &folder_id {
        require_guid("folderId", id)?;
    }
    let page_size = page_size.unwrap_or(50);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(AppError::invalid_input(format!(
            "pageSize must be between 1 and {MAX_PAGE_SIZE}, got {page_size}"
        )));
    }
    let page_number = page_number.unwrap_or(0);
    if page_number < 0 || page_number > i64::from(u32::MAX) {
        return Err(AppError::invalid_input(format!(
            "pageNumber must be 0 or more, got {page_number}"
        )));
    }
    let query = SearchQuery {
        folder_id: folder_id.clone(),
        filters: parse_filters(filters.unwrap_or_default())?,
    };
    let client = conn.client().await?;
    if let Some(folder_id) = folder_id {
        remember_folder(&app, folder_id);
    }
    let (page_size, page_number) = (page_size as u32, page_number as u32);
    match quick.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => Ok(client.search_page(&query, page_size, page_number).await?),
        Some(q) => {
            let merged = quick_search(&client, query, q).await?;
            let total = merged.len() as u64;
            let result = merged
                .into_iter()
                .skip(page_size as usize * page_number as usize)
                .take(page_size as usize)
                .collect();
            Ok(Page { result, total })
        }
    }
}

#[tauri::command]
pub async fn get_image<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    id: String,
) -> AppResult<ImageHeader> {
    require_guid("id", &id)?;
    Ok(conn.client().await?.get_image(&id).await?)
}

/// At most this many ids per `get_images` call, and this many requests in flight for it.
const MAX_IDS_PER_CALL: usize = 500;
const GET_IMAGES_IN_FLIGHT: usize = 4;

/// Several images in one IPC call: when an upload batch finishes, the page refreshes its cards
/// with one call per group instead of one per image (each IPC round trip costs the page's main
/// thread ~20 ms under WebKitGTK; see BENCHMARKS.md, app section).
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
pub async fn get_images<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    ids: Vec<String>,
) -> AppResult<ImagesResult> {
    if ids.len() > MAX_IDS_PER_CALL {
        return Err(AppError::invalid_input(format!(
            "Asked for {} images at once; at most {MAX_IDS_PER_CALL} per call.",
            ids.len()
        )));
    }
    for id in &ids {
        require_guid("ids", id)?;
    }
    let client = conn.client().await?;
    Ok(fetch_images(&client, ids).await)
}

/// Fetches each image (a few at a time), keeping the order of `ids`; failures are reported
/// per id so one deleted image does not hide the others.
async fn fetch_images(client: &Client, ids: Vec<String>) -> ImagesResult {
    let results: Vec<(String, Result<ImageHeader, beproduct::Error>)> = futures::stream::iter(ids)
        .map(|id| async move {
            let result = client.get_image(&id).await;
            (id, result)
        })
        .buffered(GET_IMAGES_IN_FLIGHT)
        .collect()
        .await;
    let mut out = ImagesResult {
        images: Vec::new(),
        failed: Vec::new(),
    };
    for (id, result) in results {
        match result {
            Ok(image) => out.images.push(image),
            Err(e) => out.failed.push(FailedImage {
                id,
                error: e.into(),
            }),
        }
    }
    out
}

#[tauri::command]
pub async fn create_image<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    folder_id: String,
    fields: Vec<Value>,
) -> AppResult<ImageHeader> {
    require_guid("folderId", &folder_id)?;
    let fields = parse_fields(fields)?;
    let client = conn.client().await?;
    let fields = check_choices(&client, &folder_id, fields).await?;
    Ok(client.create_image(&folder_id, &fields, false).await?)
}

#[tauri::command]
pub async fn update_image<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    id: String,
    fields: Vec<Value>,
) -> AppResult<ImageHeader> {
    require_guid("id", &id)?;
    let fields = parse_fields(fields)?;
    if fields.is_empty() {
        return Err(AppError::invalid_input(
            "Nothing to save: no field was changed.",
        ));
    }
    let client = conn.client().await?;
    let folder_id = client.get_image(&id).await?.folder.map(|f| f.id);
    let fields = match folder_id.filter(|f| !f.is_empty()) {
        Some(folder_id) => check_choices(&client, &folder_id, fields).await?,
        None => fields,
    };
    Ok(client.update_image(&id, &fields).await?)
}

#[tauri::command]
pub async fn delete_image<R: Runtime>(
    _app: AppHandle<R>,
    conn: State<'_, ConnectionManager>,
    id: String,
) -> AppResult<Empty> {
    require_guid("id", &id)?;
    conn.client().await?.delete_image(&id).await?;
    Ok(Empty {})
}

/// `[{field, operator, value}]` from the UI, with a message naming the bad entry.
fn parse_filters(raw: Vec<Value>) -> AppResult<Vec<Filter>> {
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let filter: Filter = serde_json::from_value(v).map_err(|e| {
                AppError::invalid_input(format!(
                    "Filter {} is not valid ({e}). Expected {{field, operator, value}} with operator one of \
                     Eq, Neq, Gt, Gte, Lt, Lte, Contains and value a string or a list of strings.",
                    i + 1
                ))
            })?;
            if filter.field.trim().is_empty() {
                return Err(AppError::invalid_input(format!("Filter {} has no field; choose one.", i + 1)));
            }
            Ok(filter)
        })
        .collect()
}

/// `[{id, value}]` from the UI; ids are schema field ids such as `header_name`.
fn parse_fields(raw: Vec<Value>) -> AppResult<Vec<FieldUpdate>> {
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let field: FieldUpdate = serde_json::from_value(v).map_err(|e| {
                AppError::invalid_input(format!(
                    "Field {} is not valid ({e}). Expected {{id, value}}.",
                    i + 1
                ))
            })?;
            if field.id.trim().is_empty() {
                return Err(AppError::invalid_input(format!(
                    "Field {} has an empty id.",
                    i + 1
                )));
            }
            Ok(field)
        })
        .collect()
}

/// The API answers 200 but silently blanks a DropDown or MultiSelect field whose value is not
/// one of its choices (or a MultiSelect sent as a bare string), so such values are checked
/// against the folder's schema here and refused, naming field and choices, before anything is
/// sent. Returns the fields with those values in the form the API keeps.
async fn check_choices(
    client: &Client,
    folder_id: &str,
    fields: Vec<FieldUpdate>,
) -> AppResult<Vec<FieldUpdate>> {
    let schema = client.folder_schema(folder_id).await?;
    fields
        .into_iter()
        .map(|mut field| {
            let def = schema
                .iter()
                .find(|d| d.field_id.eq_ignore_ascii_case(&field.id))
                .filter(|d| matches!(d.field_type, FieldType::DropDown | FieldType::MultiSelect));
            // Clearing a field (null, "" or []) is always allowed and sent as it is.
            let clears = match &field.value {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty(),
                Value::Array(items) => items.is_empty(),
                _ => false,
            };
            if let Some(def) = def.filter(|_| !clears) {
                field.value = def.encode(&field.value)?;
            }
            Ok(field)
        })
        .collect()
}

/// Number matches first, then name matches not already listed.
async fn quick_search(client: &Client, base: SearchQuery, q: &str) -> AppResult<Vec<ImageHeader>> {
    let by_number = base.clone().filter(Filter::contains("header_number", q));
    let by_name = base.filter(Filter::contains("header_name", q));
    let (numbers, names) =
        futures::try_join!(collect(client, by_number), collect(client, by_name))?;
    let mut seen = HashSet::new();
    Ok(numbers
        .into_iter()
        .chain(names)
        .filter(|image| seen.insert(image.id.clone()))
        .take(QUICK_SEARCH_CAP)
        .collect())
}

async fn collect(client: &Client, query: SearchQuery) -> AppResult<Vec<ImageHeader>> {
    Ok(client
        .search(query, QUICK_FETCH_PAGE)
        .take(QUICK_SEARCH_CAP)
        .try_collect()
        .await?)
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
