//! Upload sources served by the sandbox itself (test controls only): a test stores bytes under a
//! name and a client uploads "from URL" with `GET /__sandbox/sources/{name}`. A source can be held
//! (the GET waits until released) and served slowly, so a URL upload stays running for as long
//! as a test needs. Clients may fetch only from their own API server, so this is where such a
//! URL must live.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::watch;

use crate::error::{ApiError, SandboxError};
use crate::throttle::{self, Link};

/// How a stored source is served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceOptions {
    /// GETs wait (without answering) until [`crate::Controls::release_source`] is called.
    pub hold: bool,
    /// Serve the body at this many kilobits per second (`None`: at full speed).
    pub kbps: Option<u32>,
    /// `Content-Type` of the answer (default `application/octet-stream`).
    pub content_type: Option<String>,
}

struct Source {
    bytes: Bytes,
    content_type: String,
    kbps: Option<u32>,
    /// `true` once released (a source stored without `hold` starts released).
    released: watch::Sender<bool>,
}

#[derive(Default)]
pub struct Sources {
    by_name: Mutex<HashMap<String, Arc<Source>>>,
}

/// Names end up as the last URL segment, i.e. as the uploaded file name: keep them plain.
pub fn check_name(name: &str) -> Result<(), SandboxError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if name.is_empty() || name.len() > 200 || name.starts_with('.') || !name.chars().all(plain) {
        return Err(SandboxError::InvalidInput(format!(
            "source name {name:?} is not usable; use 1-200 letters, digits, '.', '-' or '_' (e.g. held-1.png)"
        )));
    }
    Ok(())
}

impl Sources {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Source>>> {
        self.by_name.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores (or replaces) a source. A replaced held source lets its waiting GETs go.
    pub fn put(
        &self,
        name: &str,
        bytes: Bytes,
        options: SourceOptions,
    ) -> Result<(), SandboxError> {
        check_name(name)?;
        if let Some(ct) = &options.content_type {
            axum::http::HeaderValue::from_str(ct).map_err(|_| {
                SandboxError::InvalidInput(format!(
                    "content type {ct:?} cannot be sent in a header; use e.g. image/png"
                ))
            })?;
        }
        let (released, _) = watch::channel(!options.hold);
        let source = Arc::new(Source {
            bytes,
            content_type: options
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            kbps: options.kbps.filter(|k| *k > 0),
            released,
        });
        if let Some(old) = self.lock().insert(name.to_owned(), source) {
            old.released.send_replace(true);
        }
        Ok(())
    }

    /// Lets current and future GETs of a held source proceed.
    pub fn release(&self, name: &str) -> Result<(), SandboxError> {
        let source = self
            .lock()
            .get(name)
            .cloned()
            .ok_or_else(|| unknown(name))?;
        source.released.send_replace(true);
        Ok(())
    }

    /// The answer to `GET /__sandbox/sources/{name}`; waits while the source is held.
    pub async fn serve(&self, name: &str) -> Response {
        let Some(source) = self.lock().get(name).cloned() else {
            return ApiError::from(unknown(name)).into_response();
        };
        let mut released = source.released.subscribe();
        // Only fails when the source is dropped, which `put` never does while it is held.
        let _ = released.wait_for(|r| *r).await;
        let body = throttle::paced(Body::from(source.bytes.clone()), Link::new(source.kbps));
        Response::builder()
            .header(header::CONTENT_TYPE, source.content_type.as_str())
            .header(header::CONTENT_LENGTH, source.bytes.len())
            .body(body)
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

fn unknown(name: &str) -> SandboxError {
    SandboxError::NotFound(format!(
        "no source named {name:?}; store it first with PUT /__sandbox/sources/{name}"
    ))
}
