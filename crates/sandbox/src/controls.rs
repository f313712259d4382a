//! Test hooks for Rust tests (`Controls`); `control_routes` offers them over HTTP when enabled.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::app::AppState;
use crate::config::Oversize;
use crate::error::SandboxError;
use crate::fault_kinds::{FaultKind, FaultRule};
use crate::sources::SourceOptions;
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
        self.state.ops.fail_next(FaultRule {
            n,
            path: path_substring.to_owned(),
            kind,
        });
    }

    /// Share (0.0–1.0) of API requests that fail at random with 503 or a dropped connection.
    pub fn set_fault_rate(&self, rate: f64) {
        self.state.ops.set_fault_rate(rate);
    }

    /// What random faults pick from, uniformly (e.g. add `StatusAfterHandling` for 5xx after
    /// acting); an empty list restores 503, drop before handling and drop after handling.
    pub fn set_fault_kinds(&self, kinds: Vec<FaultKind>) {
        self.state.ops.set_random_kinds(kinds);
    }

    /// Requests per minute before 429; `None` turns rate limiting off.
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        self.state.ops.set_rate_limit(per_minute);
    }

    /// Delay added to every API request.
    pub fn set_latency_ms(&self, ms: u64) {
        self.state.ops.set_latency_ms(ms);
    }

    /// Request bodies are taken no faster than `kbps` kilobits per second, shared by all
    /// connections like one uplink; `None` lifts the limit. Applies to bodies in flight too.
    pub fn set_upload_kbps(&self, kbps: Option<u32>) {
        self.state.uplink.set_kbps(kbps);
    }

    /// Processing takes `ms` plus up to `jitter_ms` per upload; also for uploads already waiting.
    pub fn set_processing_ms(&self, ms: u64, jitter_ms: u64) {
        self.state.processor.set_timing(ms, jitter_ms);
    }

    /// Media URLs carry a signature valid for `ttl`, checked by `/media`; `None`: plain URLs.
    pub fn set_signed_urls(&self, ttl: Option<Duration>) {
        self.state.signer.set_ttl(ttl);
    }

    /// Files stored from now on get the real service's rewritten names (`----.png`).
    pub fn set_rewrite_file_names(&self, on: bool) {
        self.state.processor.set_rewrite_file_names(on);
    }

    /// The upload size limit and what an upload over it gets.
    pub fn set_upload_limit(&self, max_upload_mb: u64, oversize: Oversize) {
        self.state.limits.set_max_upload_mb(max_upload_mb);
        self.state.limits.set_oversize(oversize);
    }

    /// Stores `bytes` as an upload source at [`Controls::source_url`]`(name)`.
    pub fn put_source(
        &self,
        name: &str,
        bytes: impl Into<Bytes>,
        options: SourceOptions,
    ) -> Result<(), SandboxError> {
        self.state.sources.put(name, bytes.into(), options)
    }

    /// Lets the GETs of a held source proceed.
    pub fn release_source(&self, name: &str) -> Result<(), SandboxError> {
        self.state.sources.release(name)
    }

    /// `http://127.0.0.1:PORT/__sandbox/sources/{name}` (served only with `test_controls`).
    pub fn source_url(&self, name: &str) -> String {
        format!("{}/__sandbox/sources/{name}", self.state.base_url)
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

pub(crate) fn add_folder(
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
