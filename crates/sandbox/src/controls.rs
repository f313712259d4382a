//! Test hooks, in Rust (`Controls`) and over HTTP under `/__sandbox/` (loopback only, no auth).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::error::{ApiError, SandboxError};
pub use crate::faults::FaultKind;
use crate::{seed, store};

/// Handle on a running sandbox's test hooks; cheap to clone.
#[derive(Clone)]
pub struct Controls {
    state: Arc<AppState>,
}

impl Controls {
    pub(crate) fn new(state: Arc<AppState>) -> Controls {
        Controls { state }
    }

    /// Every access token issued so far answers 401 from now on; refreshing still works.
    ///
    /// # Panics
    /// If the sandbox database cannot be written.
    pub fn revoke_access_tokens(&self) {
        self.state
            .store
            .call_sync(|c| store::revoke_access_tokens(c))
            .expect("sandbox database failed to revoke tokens");
    }

    /// The next `n` requests whose path (and query) contain `path_substring` (case-insensitive) get `kind`.
    pub fn fail_next(&self, n: u32, path_substring: &str, kind: FaultKind) {
        self.state.ops.fail_next(n, path_substring, kind);
    }

    /// Share (0.0–1.0) of API requests that fail at random with 503 or a dropped connection.
    pub fn set_fault_rate(&self, rate: f64) {
        self.state.ops.set_fault_rate(rate);
    }

    /// Requests per minute before 429; `None` turns rate limiting off.
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        self.state.ops.set_rate_limit(per_minute);
    }

    /// Delay added to every API request.
    pub fn set_latency_ms(&self, ms: u64) {
        self.state.ops.set_latency_ms(ms);
    }

    /// Requests seen (including failed ones) whose path and query contain `path_substring`, case-insensitive.
    pub fn requests_seen(&self, path_substring: &str) -> u64 {
        self.state.ops.requests_seen(path_substring)
    }

    /// Images not deleted, in one folder or (`None`) in all.
    ///
    /// # Panics
    /// If the sandbox database cannot be read.
    pub fn count_images(&self, folder_id: Option<&str>) -> u64 {
        self.state
            .store
            .call_sync(|c| store::count_images(c, folder_id))
            .expect("sandbox database failed to count images")
    }

    /// Creates `n` images without files in `folder_id`, in one transaction (fast even for thousands).
    pub fn seed_images(&self, folder_id: &str, n: u64) -> Result<(), SandboxError> {
        let id = folder_id.trim().to_ascii_lowercase();
        self.state.store.call_sync(|c| seed::bulk_images(c, &id, n))
    }

    /// Adds an active folder named `name` (any text, unchecked: tests use hostile names) with
    /// the schema of `schema_from` (default: the first folder). Returns the new folder's id.
    pub fn create_folder(
        &self,
        name: &str,
        schema_from: Option<&str>,
    ) -> Result<String, SandboxError> {
        let (name, from) = (name.to_owned(), schema_from.map(str::to_owned));
        self.state
            .store
            .call_sync(move |c| add_folder(c, &name, from.as_deref()))
    }
}

fn add_folder(
    conn: &mut rusqlite::Connection,
    name: &str,
    schema_from: Option<&str>,
) -> Result<String, SandboxError> {
    let existing = store::folders(conn)?;
    let template = match schema_from {
        Some(id) => existing
            .iter()
            .find(|f| f.id.eq_ignore_ascii_case(id.trim())),
        None => existing.first(),
    }
    .ok_or_else(|| {
        SandboxError::InvalidInput(format!(
            "schemaFrom {:?} is not a folder id; give an existing folder's id or leave it out",
            schema_from.unwrap_or("")
        ))
    })?;
    let folder = store::Folder {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        description: String::new(),
        active: true,
        fields: template.fields.clone(),
    };
    store::insert_folder(conn, &folder, existing.len() as i64)?;
    Ok(folder.id)
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
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
struct RateBody {
    rate: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitBody {
    per_minute: Option<u32>,
}

#[derive(Deserialize)]
struct LatencyBody {
    ms: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedBody {
    folder_id: String,
    n: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateFolderBody {
    name: String,
    schema_from: Option<String>,
}

fn controls(state: &Arc<AppState>) -> Controls {
    Controls::new(state.clone())
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/__sandbox/revoke-access-tokens",
            post(|State(s): State<Arc<AppState>>| async move {
                s.store.call(|c| store::revoke_access_tokens(c)).await.map_err(ApiError::from)?;
                Ok::<_, ApiError>(Json(json!({})))
            }),
        )
        .route(
            "/__sandbox/fail-next",
            post(|State(s): State<Arc<AppState>>, Json(b): Json<FailNextBody>| async move {
                let kind = match b.kind.to_ascii_lowercase().as_str() {
                    "status503" => FaultKind::Status503,
                    "status429" => FaultKind::Status429 { retry_after_secs: b.retry_after_secs, body_retry_after: b.body_retry_after },
                    "dropbeforehandling" => FaultKind::DropBeforeHandling,
                    "dropafterhandling" => FaultKind::DropAfterHandling,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "unknown kind '{other}'; use Status503, Status429, DropBeforeHandling or DropAfterHandling"
                        )))
                    }
                };
                controls(&s).fail_next(b.n, &b.path, kind);
                Ok(Json(json!({})))
            }),
        )
        .route(
            "/__sandbox/fault-rate",
            post(|State(s): State<Arc<AppState>>, Json(b): Json<RateBody>| async move {
                controls(&s).set_fault_rate(b.rate);
                Json(json!({}))
            }),
        )
        .route(
            "/__sandbox/rate-limit",
            post(|State(s): State<Arc<AppState>>, Json(b): Json<RateLimitBody>| async move {
                controls(&s).set_rate_limit(b.per_minute);
                Json(json!({}))
            }),
        )
        .route(
            "/__sandbox/latency",
            post(|State(s): State<Arc<AppState>>, Json(b): Json<LatencyBody>| async move {
                controls(&s).set_latency_ms(b.ms);
                Json(json!({}))
            }),
        )
        .route(
            "/__sandbox/requests-seen",
            get(|State(s): State<Arc<AppState>>, Query(q): Query<HashMap<String, String>>| async move {
                let path = q.get("path").cloned().unwrap_or_default();
                Json(json!({"count": controls(&s).requests_seen(&path)}))
            }),
        )
        .route(
            "/__sandbox/count-images",
            get(|State(s): State<Arc<AppState>>, Query(q): Query<HashMap<String, String>>| async move {
                let folder = q.get("folderId").filter(|f| !f.is_empty()).map(|f| f.to_ascii_lowercase());
                let n = s.store.call(move |c| store::count_images(c, folder.as_deref())).await.map_err(ApiError::from)?;
                Ok::<_, ApiError>(Json(json!({"count": n})))
            }),
        )
        .route(
            "/__sandbox/seed-images",
            post(|State(s): State<Arc<AppState>>, Json(b): Json<SeedBody>| async move {
                let id = b.folder_id.trim().to_ascii_lowercase();
                s.store.call(move |c| seed::bulk_images(c, &id, b.n)).await.map_err(ApiError::from)?;
                Ok::<_, ApiError>(Json(json!({"created": b.n})))
            }),
        )
        .route(
            "/__sandbox/create-folder",
            post(|State(s): State<Arc<AppState>>, Json(b): Json<CreateFolderBody>| async move {
                let id = s
                    .store
                    .call(move |c| add_folder(c, &b.name, b.schema_from.as_deref()))
                    .await
                    .map_err(ApiError::from)?;
                Ok::<_, ApiError>(Json(json!({"id": id})))
            }),
        )
}
