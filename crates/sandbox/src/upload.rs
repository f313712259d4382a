//! `POST Image/Header/{id}/Image/Upload`: streams the `file` part to disk, then queues processing.

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::Json;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use crate::api::parse_guid;
use crate::app::AppState;
use crate::error::ApiError;
use crate::store::{self, UploadRow, UploadState};
use crate::time_fmt::now_ms;

const MB: u64 = 1024 * 1024;

pub async fn upload(
    State(app): State<Arc<AppState>>,
    Path((_company, id)): Path<(String, String)>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<Value>, ApiError> {
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
    let limit = app.config.max_upload_mb * MB;
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
            .map_err(|e| ApiError::from(crate::error::SandboxError::io(&temp, e)))?;
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
                // Past the limit: stop writing (keep reading so the client gets its answer).
                writing = false;
                let _ = tokio::fs::remove_file(&temp).await;
            }
            if writing {
                out.write_all(&chunk)
                    .await
                    .map_err(|e| ApiError::from(crate::error::SandboxError::io(&temp, e)))?;
            }
        }
        if writing {
            out.flush()
                .await
                .map_err(|e| ApiError::from(crate::error::SandboxError::io(&temp, e)))?;
        }
        received = Some((file_name, size, writing));
        break;
    }
    let Some((file_name, size, within_limit)) = received else {
        return Err(ApiError::bad_request(
            "the multipart body has no part named 'file'",
        ));
    };
    let (state, message) = if within_limit {
        (UploadState::Pending, None)
    } else {
        let msg = format!(
            "{file_name} is {:.1} MB; the limit is {} MB",
            size as f64 / MB as f64,
            app.config.max_upload_mb
        );
        (UploadState::Failed, Some(msg))
    };
    let row = UploadRow {
        id: upload_id.clone(),
        image_id: image_id.clone(),
        file_name,
        temp_path: temp_rel,
        size: size as i64,
        received_at: now_ms(),
        state,
        message,
    };
    app.store
        .call(move |c| store::insert_upload(c, &row))
        .await?;
    if state == UploadState::Pending {
        app.processor.wake(&image_id);
    }
    Ok(Json(json!({"imageId": upload_id})))
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
