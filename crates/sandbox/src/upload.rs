//! `POST Image/Header/{id}/Image/Upload`: streams the `file` part to disk, then queues processing.
//! A file over the size limit is refused early (413), cut off (reset) or failed in processing,
//! as `UploadLimits` says.

use std::sync::{Arc, Mutex};

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::api::parse_guid;
use crate::app::AppState;
use crate::config::Oversize;
use crate::error::{ApiError, SandboxError};
use crate::faults;
use crate::store::{self, UploadRow, UploadState};
use crate::time_fmt::now_ms;

const MB: u64 = 1024 * 1024;

/// The size limit and what passing it does; changeable at run time.
pub struct UploadLimits {
    state: Mutex<(u64, Oversize)>,
}

impl UploadLimits {
    pub fn new(max_upload_mb: u64, oversize: Oversize) -> UploadLimits {
        UploadLimits {
            state: Mutex::new((max_upload_mb, oversize)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Oversize)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self) -> (u64, Oversize) {
        *self.lock()
    }

    pub fn set_max_upload_mb(&self, mb: u64) {
        self.lock().0 = mb;
    }

    pub fn set_oversize(&self, oversize: Oversize) {
        self.lock().1 = oversize;
    }
}

pub async fn upload(
    State(app): State<Arc<AppState>>,
    Path((_company, id)): Path<(String, String)>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let image_id = parse_guid(&id, "image")?;
    let lookup = image_id.clone();
    let exists = app
        .store
        .call(move |c| store::get_image(c, &lookup))
        .await?
        .is_some_and(|i| !i.is_deleted);
    if !exists {
        return Err(ApiError::image_not_found(&image_id));
    }
    let mut multipart = multipart.map_err(|e| {
        ApiError::bad_request(format!(
            "send the file as multipart/form-data with a part named 'file' ({e})"
        ))
    })?;

    let upload_id = uuid::Uuid::new_v4().to_string();
    let temp_rel = format!("incoming/{upload_id}.part");
    let temp = app.store.data_dir().join(&temp_rel);
    let (max_mb, oversize) = app.limits.get();
    let limit = max_mb * MB;
    let mut received = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if !field.name().is_some_and(|n| n.eq_ignore_ascii_case("file")) {
            continue;
        }
        let file_name = field.file_name().map(clean_file_name).unwrap_or_default();
        if file_name.is_empty() {
            return Err(ApiError::bad_request(
                "the 'file' part has no filename; send Content-Disposition with filename=\"...\"",
            ));
        }
        let mut out = tokio::fs::File::create(&temp)
            .await
            .map_err(|e| ApiError::from(SandboxError::io(&temp, e)))?;
        let mut size: u64 = 0;
        let mut writing = true;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    drop(out);
                    let _ = tokio::fs::remove_file(&temp).await;
                    return Err(multipart_error(e));
                }
            };
            size += chunk.len() as u64;
            if writing && size > limit {
                writing = false;
                let _ = tokio::fs::remove_file(&temp).await;
                match oversize {
                    // Answer now; returning leaves the rest of the body unread.
                    Oversize::Status413 => {
                        return Err(too_large(&file_name, max_mb, &headers));
                    }
                    Oversize::Reset => return Ok(faults::dropped()),
                    // Keep reading so the client gets its answer; processing fails later.
                    Oversize::FailProcessing => {}
                }
            }
            if writing {
                out.write_all(&chunk)
                    .await
                    .map_err(|e| ApiError::from(SandboxError::io(&temp, e)))?;
            }
        }
        if writing {
            out.flush()
                .await
                .map_err(|e| ApiError::from(SandboxError::io(&temp, e)))?;
        }
        received = Some((file_name, size, writing));
        break;
    }
    let Some((file_name, size, within_limit)) = received else {
        return Err(ApiError::bad_request(
            "the multipart body has no part named 'file'",
        ));
    };
    // Over the limit (fail-processing): the failure is decided now and reported when due.
    let verdict = (!within_limit).then(|| {
        format!(
            "{file_name} is {:.1} MB; the limit is {max_mb} MB",
            size as f64 / MB as f64
        )
    });
    let row = UploadRow {
        id: upload_id.clone(),
        image_id: image_id.clone(),
        file_name,
        temp_path: temp_rel,
        size: size as i64,
        received_at: now_ms(),
        state: UploadState::Pending,
        message: verdict,
    };
    app.store
        .call(move |c| store::insert_upload(c, &row))
        .await?;
    app.processor.wake(&image_id);
    Ok(Json(json!({"imageId": upload_id})).into_response())
}

fn too_large(file_name: &str, max_mb: u64, headers: &HeaderMap) -> ApiError {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(|bytes| format!(" (the request is {:.1} MB)", bytes as f64 / MB as f64))
        .unwrap_or_default();
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("{file_name} is larger than the upload limit of {max_mb} MB{declared}"),
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::bad_request(format!("the multipart upload could not be read: {e}"))
}

/// Keeps only the base name, without control characters.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string()
}
