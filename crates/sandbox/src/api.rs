//! Handlers for the Image endpoints under `/api/{company}/`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::error::ApiError;
use crate::fields::{self, FieldsBody};
use crate::header::{folder_json, render};
use crate::search::{self, SearchBody};
use crate::store::{self, Folder, ImageRow, UploadState};
use crate::time_fmt::now_ms;

pub type Params = Query<HashMap<String, String>>;
pub type ApiResult = Result<Json<Value>, ApiError>;

/// Query parameter by case-insensitive name (ASP.NET binds them that way).
pub fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `pageSize` (at least 1, `default_size` when absent) and `pageNumber` (from 0).
pub fn paging(
    params: &HashMap<String, String>,
    default_size: usize,
) -> Result<(usize, usize), ApiError> {
    let page_size = match param(params, "pageSize") {
        None | Some("") => default_size,
        Some(s) => s.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            ApiError::bad_request(format!(
                "pageSize must be a whole number of at least 1; got '{s}'"
            ))
        })?,
    };
    let page_number = match param(params, "pageNumber") {
        None | Some("") => 0,
        Some(s) => s.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "pageNumber must be a whole number starting at 0; got '{s}'"
            ))
        })?,
    };
    Ok((page_size, page_number))
}

/// Accepts any GUID spelling and returns the lower-case hyphenated form.
pub fn parse_guid(raw: &str, what: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad_request(format!("'{raw}' is not a valid {what} id; ids are GUIDs like 3f2504e0-4f89-11d3-9a0c-0305e82c3301")))
}

pub fn json_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the request body is not valid JSON for this endpoint: {e}"
        ))
    })
}

async fn load_folders(app: &AppState) -> Result<Vec<Folder>, ApiError> {
    Ok(app.store.call(|c| store::folders(c)).await?)
}

/// Renders one image with its files.
async fn render_one(app: &AppState, image: ImageRow) -> ApiResult {
    let folder_id = image.folder_id.clone();
    let image_id = image.id.clone();
    let (folder, mut files) = app
        .store
        .call(move |c| -> Result<_, ApiError> {
            let folder = store::folder(c, &folder_id)?.ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "the image's folder is missing",
                )
            })?;
            Ok((folder, store::files_for(c, &[image_id.as_str()])?))
        })
        .await?;
    let files = files.remove(&image.id).unwrap_or_default();
    Ok(Json(render(&image, &folder, &files, &app.render_ctx())))
}

pub async fn folders(State(app): State<Arc<AppState>>) -> ApiResult {
    let folders = load_folders(&app).await?;
    Ok(Json(folders.iter().map(folder_json).collect()))
}

/// The folder named by the `folderId` query parameter.
async fn folder_from_query(
    app: &AppState,
    params: &HashMap<String, String>,
) -> Result<Folder, ApiError> {
    let raw = param(params, "folderId").unwrap_or("").to_owned();
    let id = parse_guid(&raw, "folder")?;
    let folder = app.store.call(move |c| store::folder(c, &id)).await?;
    folder.ok_or_else(|| {
        ApiError::not_found(format!(
            "Folder not found: there is no Image folder with id {raw}"
        ))
    })
}

pub async fn folder_schema(State(app): State<Arc<AppState>>, Query(params): Params) -> ApiResult {
    let folder = folder_from_query(&app, &params).await?;
    Ok(Json(folder.fields.iter().map(|f| f.to_wire()).collect()))
}

/// `GET Image/FolderSearchSchema?folderId=`: the fields `POST Image/Headers` can filter on, in
/// the FolderSchema shape.
pub async fn folder_search_schema(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
) -> ApiResult {
    let folder = folder_from_query(&app, &params).await?;
    Ok(Json(
        folder
            .fields
            .iter()
            .filter(|f| f.is_searchable())
            .map(|f| f.to_wire())
            .collect(),
    ))
}

pub async fn search(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
    body: Bytes,
) -> ApiResult {
    let (page_size, page_number) = paging(&params, 30)?;
    let show_deleted =
        param(&params, "showDeleted").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let folder_id = match param(&params, "folderId") {
        None | Some("") => None,
        Some(raw) => Some(parse_guid(raw, "folder")?),
    };
    let body: SearchBody = json_body(&body)?;
    let folders = load_folders(&app).await?;
    if let Some(id) = &folder_id {
        if !folders.iter().any(|f| &f.id == id) {
            return Err(ApiError::not_found(format!(
                "Folder not found: there is no Image folder with id {id}"
            )));
        }
    }
    let scope: Vec<&Folder> = folders
        .iter()
        .filter(|f| folder_id.as_ref().is_none_or(|id| &f.id == id))
        .collect();
    let filters = search::compile(body.filters.as_deref().unwrap_or(&[]), &scope)?;

    let fid = folder_id.clone();
    let images = app
        .store
        .call(move |c| store::list_images(c, fid.as_deref(), show_deleted))
        .await?;
    let by_id: HashMap<&str, &Folder> = folders.iter().map(|f| (f.id.as_str(), f)).collect();
    let matching: Vec<&ImageRow> = images
        .iter()
        .filter(|img| {
            by_id
                .get(img.folder_id.as_str())
                .is_some_and(|f| search::matches(img, f, &filters))
        })
        .collect();
    let total = matching.len();
    let page: Vec<ImageRow> = matching
        .into_iter()
        .skip(page_number.saturating_mul(page_size))
        .take(page_size)
        .cloned()
        .collect();
    let ids: Vec<String> = page.iter().map(|i| i.id.clone()).collect();
    let mut files = app
        .store
        .call(move |c| store::files_for(c, &ids.iter().map(String::as_str).collect::<Vec<_>>()))
        .await?;
    let ctx = app.render_ctx();
    let result: Vec<Value> = page
        .iter()
        .filter_map(|img| {
            let folder = by_id.get(img.folder_id.as_str())?;
            Some(render(
                img,
                folder,
                &files.remove(&img.id).unwrap_or_default(),
                &ctx,
            ))
        })
        .collect();
    Ok(Json(json!({"result": result, "total": total})))
}

pub async fn live_image(app: &AppState, raw_id: &str) -> Result<ImageRow, ApiError> {
    let id = parse_guid(raw_id, "image")?;
    let lookup = id.clone();
    let image = app
        .store
        .call(move |c| store::get_image(c, &lookup))
        .await?;
    image
        .filter(|i| !i.is_deleted)
        .ok_or_else(|| ApiError::image_not_found(&id))
}

pub async fn get_header(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
) -> ApiResult {
    let image = live_image(&app, &id).await?;
    render_one(&app, image).await
}

fn require_name(values: &Map<String, Value>) -> Result<String, ApiError> {
    let name = fields::value_text(values.get("header_name"));
    if name.is_empty() {
        return Err(ApiError::invalid_field(
            "header_name",
            "Field 'Image Name' (header_name) is required: send {\"id\":\"header_name\",\"value\":\"...\"} in fields",
        ));
    }
    Ok(name)
}

pub async fn create(
    State(app): State<Arc<AppState>>,
    Query(params): Params,
    body: Bytes,
) -> ApiResult {
    let raw_folder = param(&params, "folderId").unwrap_or("");
    if raw_folder.is_empty() {
        return Err(ApiError::bad_request(
            "folderId is required: POST Image/Header/Create?folderId=<folder id>",
        ));
    }
    let folder_id = parse_guid(raw_folder, "folder")?;
    let preserve_version =
        param(&params, "preserveVersion").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let body: FieldsBody = json_body(&body)?;
    let updates = body.fields.unwrap_or_default();
    let image = app
        .store
        .call(move |conn| -> Result<ImageRow, ApiError> {
            let folder = store::folder(conn, &folder_id)?
                .ok_or_else(|| ApiError::not_found(format!("Folder not found: there is no Image folder with id {folder_id}")))?;
            let mut values = Map::new();
            values.insert("active".into(), Value::String("Yes".into()));
            let sent_version = fields::apply_updates(&folder, &mut values, &updates)?;
            require_name(&values)?;
            let tx = conn.transaction()?;
            let number = fields::value_text(values.get("header_number"));
            let number = if number.is_empty() {
                store::next_header_number(&tx)?
            } else if store::number_in_use(&tx, &number, None)? {
                return Err(ApiError::invalid_field("header_number", format!("Image Number '{number}' is already used by another image; choose another or leave header_number out to get one assigned")));
            } else {
                number
            };
            values.insert("header_number".into(), Value::String(number.clone()));
            let version = match sent_version.filter(|_| preserve_version) {
                Some(v) => parse_version(&v)?,
                None => 1,
            };
            let now = now_ms();
            let image = ImageRow {
                id: uuid::Uuid::new_v4().to_string(),
                folder_id: folder.id.clone(),
                header_number: number,
                version,
                values,
                preview_file: None,
                created_at: now,
                modified_at: now,
                folder_modified_at: now,
                is_deleted: false,
            };
            store::insert_image(&tx, &image)?;
            tx.commit()?;
            Ok(image)
        })
        .await?;
    render_one(&app, image).await
}

fn parse_version(v: &Value) -> Result<i64, ApiError> {
    let text = fields::value_text(Some(v));
    text.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
        ApiError::invalid_field(
            "version",
            format!("Field 'Version' (version) expects a whole number; got {v}"),
        )
    })
}

pub async fn update(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let image_id = parse_guid(&id, "image")?;
    let body: FieldsBody = json_body(&body)?;
    let updates = body.fields.unwrap_or_default();
    let image = app
        .store
        .call(move |conn| -> Result<ImageRow, ApiError> {
            let tx = conn.transaction()?;
            let mut image = store::get_image(&tx, &image_id)?
                .filter(|i| !i.is_deleted)
                .ok_or_else(|| ApiError::image_not_found(&image_id))?;
            let folder = store::folder(&tx, &image.folder_id)?.ok_or_else(|| {
                ApiError::not_found("Folder not found: the image's folder no longer exists")
            })?;
            fields::apply_updates(&folder, &mut image.values, &updates)?;
            require_name(&image.values)?;
            let number = fields::value_text(image.values.get("header_number"));
            if number.is_empty() {
                image.values.insert(
                    "header_number".into(),
                    Value::String(image.header_number.clone()),
                );
            } else if !number.eq_ignore_ascii_case(&image.header_number) {
                if store::number_in_use(&tx, &number, Some(&image.id))? {
                    return Err(ApiError::invalid_field(
                        "header_number",
                        format!("Image Number '{number}' is already used by another image"),
                    ));
                }
                image.header_number = number;
            }
            let now = now_ms();
            image.modified_at = now;
            image.folder_modified_at = now;
            store::save_image(&tx, &image)?;
            tx.commit()?;
            Ok(image)
        })
        .await?;
    render_one(&app, image).await
}

pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
) -> ApiResult {
    let mut image = live_image(&app, &id).await?;
    image.is_deleted = true;
    image.modified_at = now_ms();
    let number = image.header_number.clone();
    app.store
        .call(move |c| store::save_image(c, &image))
        .await?;
    Ok(Json(
        json!({"error": false, "message": format!("Image {number} deleted")}),
    ))
}

pub async fn status_by_path(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
) -> ApiResult {
    status(&app, &id).await
}

pub async fn status_by_query(State(app): State<Arc<AppState>>, Query(params): Params) -> ApiResult {
    let id = param(&params, "imageId").unwrap_or("").to_string();
    if id.is_empty() {
        return Err(ApiError::bad_request(
            "imageId is required: GET Image/GetImageProcessingStatus?imageId=<upload id>",
        ));
    }
    status(&app, &id).await
}

async fn status(app: &AppState, raw: &str) -> ApiResult {
    // Upload ids are the server's own; an id it never issued is simply not found.
    let id = raw.trim().to_owned();
    let upload = match parse_guid(&id, "upload") {
        Ok(lookup) => {
            app.store
                .call(move |c| store::get_upload(c, &lookup))
                .await?
        }
        Err(_) => None,
    };
    let upload = upload.ok_or_else(|| {
        ApiError::not_found(format!(
            "Upload not found: no upload has id {id}; use the imageId returned by the upload call"
        ))
    })?;
    // The processor settles an upload only once it is due, so the state alone answers.
    let finished = upload.state != UploadState::Pending;
    let failed = upload.state == UploadState::Failed;
    Ok(Json(json!({
        "finished": finished,
        "errorOccured": failed,
        "message": if failed { upload.message.map(Value::String).unwrap_or(Value::Null) } else { Value::Null },
    })))
}

/// Any other path under `/api/{company}/`.
pub async fn unknown_endpoint() -> ApiError {
    ApiError::not_found("No such endpoint in the BeProduct sandbox (it serves the Image master folder, users, the partner directory, tags and comments; see its README)")
}
