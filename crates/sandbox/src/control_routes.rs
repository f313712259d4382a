//! The test hooks over HTTP under `/__sandbox/`: served only with `test_controls` (the
//! `--test-controls` flag) and only to loopback clients. No auth, so never in the desktop app.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::config::Oversize;
use crate::controls::{add_folder, Controls};
use crate::error::ApiError;
use crate::fault_kinds::FaultKind;
use crate::sources::SourceOptions;
use crate::{seed, store};

type Shared = State<Arc<AppState>>;
type JsonResult = Result<Json<Value>, ApiError>;

fn controls(state: &Arc<AppState>) -> Controls {
    Controls::new(state.clone())
}

fn done() -> JsonResult {
    Ok(Json(json!({})))
}

/// Upload sources may be large test pictures.
const MAX_SOURCE_BYTES: usize = 512 * 1024 * 1024;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/__sandbox/revoke-access-tokens",
            post(revoke_access_tokens),
        )
        .route("/__sandbox/fail-next", post(fail_next))
        .route("/__sandbox/fault-rate", post(fault_rate))
        .route("/__sandbox/rate-limit", post(rate_limit))
        .route("/__sandbox/latency", post(latency))
        .route("/__sandbox/upload-kbps", post(upload_kbps))
        .route("/__sandbox/processing", post(processing))
        .route("/__sandbox/signed-urls", post(signed_urls))
        .route("/__sandbox/rewrite-file-names", post(rewrite_file_names))
        .route("/__sandbox/upload-limit", post(upload_limit))
        .route("/__sandbox/requests-seen", get(requests_seen))
        .route("/__sandbox/count-images", get(count_images))
        .route("/__sandbox/seed-images", post(seed_images))
        .route("/__sandbox/create-folder", post(create_folder))
        .route(
            "/__sandbox/sources/{name}",
            get(get_source)
                .put(put_source)
                .post(put_source)
                .layer(DefaultBodyLimit::max(MAX_SOURCE_BYTES)),
        )
        .route("/__sandbox/sources/{name}/release", post(release_source))
}

async fn revoke_access_tokens(State(s): Shared) -> JsonResult {
    s.store.call(|c| store::revoke_access_tokens(c)).await?;
    done()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FailNextBody {
    #[serde(default = "one")]
    n: u32,
    path: String,
    kind: String,
    retry_after_secs: Option<u64>,
    body_retry_after: Option<u64>,
    status: Option<u16>,
}

fn one() -> u32 {
    1
}

async fn fail_next(State(s): Shared, Json(b): Json<FailNextBody>) -> JsonResult {
    let kind = match b.kind.parse::<FaultKind>().map_err(ApiError::bad_request)? {
        FaultKind::Status429 {
            retry_after_secs, ..
        } => FaultKind::Status429 {
            retry_after_secs: b.retry_after_secs.or(retry_after_secs),
            body_retry_after: b.body_retry_after,
        },
        FaultKind::StatusAfterHandling { status } => match b.status.unwrap_or(status) {
            status @ 500..=599 => FaultKind::StatusAfterHandling { status },
            other => {
                return Err(ApiError::bad_request(format!(
                    "status must be a 5xx (500-599); got {other}"
                )))
            }
        },
        other => other,
    };
    controls(&s).fail_next(b.n, &b.path, kind);
    done()
}

#[derive(Deserialize)]
struct RateBody {
    rate: f64,
    /// Fault kinds as in `--fault-kinds`, e.g. `["DropAfterHandling", "StatusAfterHandling=500"]`.
    kinds: Option<Vec<String>>,
}

async fn fault_rate(State(s): Shared, Json(b): Json<RateBody>) -> JsonResult {
    let c = controls(&s);
    if let Some(kinds) = b.kinds {
        let kinds = kinds
            .iter()
            .map(|k| k.parse::<FaultKind>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::bad_request)?;
        c.set_fault_kinds(kinds);
    }
    c.set_fault_rate(b.rate);
    done()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitBody {
    per_minute: Option<u32>,
}

async fn rate_limit(State(s): Shared, Json(b): Json<RateLimitBody>) -> JsonResult {
    controls(&s).set_rate_limit(b.per_minute);
    done()
}

#[derive(Deserialize)]
struct LatencyBody {
    ms: u64,
}

async fn latency(State(s): Shared, Json(b): Json<LatencyBody>) -> JsonResult {
    controls(&s).set_latency_ms(b.ms);
    done()
}

#[derive(Deserialize)]
struct KbpsBody {
    kbps: Option<u32>,
}

async fn upload_kbps(State(s): Shared, Json(b): Json<KbpsBody>) -> JsonResult {
    controls(&s).set_upload_kbps(b.kbps);
    done()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProcessingBody {
    ms: u64,
    #[serde(default)]
    jitter_ms: u64,
}

async fn processing(State(s): Shared, Json(b): Json<ProcessingBody>) -> JsonResult {
    controls(&s).set_processing_ms(b.ms, b.jitter_ms);
    done()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignedUrlsBody {
    enabled: bool,
    #[serde(default = "an_hour")]
    ttl_secs: u64,
}

fn an_hour() -> u64 {
    3600
}

async fn signed_urls(State(s): Shared, Json(b): Json<SignedUrlsBody>) -> JsonResult {
    let ttl = b.enabled.then(|| Duration::from_secs(b.ttl_secs));
    controls(&s).set_signed_urls(ttl);
    done()
}

#[derive(Deserialize)]
struct EnabledBody {
    enabled: bool,
}

async fn rewrite_file_names(State(s): Shared, Json(b): Json<EnabledBody>) -> JsonResult {
    controls(&s).set_rewrite_file_names(b.enabled);
    done()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadLimitBody {
    max_upload_mb: Option<u64>,
    oversize: Option<String>,
}

async fn upload_limit(State(s): Shared, Json(b): Json<UploadLimitBody>) -> JsonResult {
    let (current_mb, current_oversize) = s.limits.get();
    let oversize = match b.oversize {
        Some(text) => text.parse::<Oversize>().map_err(ApiError::bad_request)?,
        None => current_oversize,
    };
    controls(&s).set_upload_limit(b.max_upload_mb.unwrap_or(current_mb), oversize);
    done()
}

async fn requests_seen(State(s): Shared, Query(q): Query<HashMap<String, String>>) -> JsonResult {
    let path = q.get("path").cloned().unwrap_or_default();
    Ok(Json(json!({"count": controls(&s).requests_seen(&path)})))
}

async fn count_images(State(s): Shared, Query(q): Query<HashMap<String, String>>) -> JsonResult {
    let folder = q
        .get("folderId")
        .filter(|f| !f.is_empty())
        .map(|f| f.to_ascii_lowercase());
    let n = s
        .store
        .call(move |c| store::count_images(c, folder.as_deref()))
        .await?;
    Ok(Json(json!({"count": n})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedBody {
    folder_id: String,
    n: u64,
}

async fn seed_images(State(s): Shared, Json(b): Json<SeedBody>) -> JsonResult {
    let id = b.folder_id.trim().to_ascii_lowercase();
    s.store
        .call(move |c| seed::bulk_images(c, &id, b.n))
        .await?;
    Ok(Json(json!({"created": b.n})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateFolderBody {
    name: String,
    schema_from: Option<String>,
}

async fn create_folder(State(s): Shared, Json(b): Json<CreateFolderBody>) -> JsonResult {
    let id = s
        .store
        .call(move |c| add_folder(c, &b.name, b.schema_from.as_deref()))
        .await?;
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize)]
struct SourceParams {
    #[serde(default)]
    hold: bool,
    kbps: Option<u32>,
}

/// `PUT /__sandbox/sources/{name}?hold=true&kbps=N` with the bytes as the body; the answer
/// names the URL to upload from.
async fn put_source(
    State(s): Shared,
    Path(name): Path<String>,
    Query(params): Query<SourceParams>,
    headers: HeaderMap,
    body: Bytes,
) -> JsonResult {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let options = SourceOptions {
        hold: params.hold,
        kbps: params.kbps,
        content_type,
    };
    let c = controls(&s);
    c.put_source(&name, body, options)?;
    Ok(Json(json!({"url": c.source_url(&name)})))
}

async fn get_source(State(s): Shared, Path(name): Path<String>) -> Response {
    s.sources.serve(&name).await
}

async fn release_source(State(s): Shared, Path(name): Path<String>) -> JsonResult {
    controls(&s).release_source(&name)?;
    done()
}
