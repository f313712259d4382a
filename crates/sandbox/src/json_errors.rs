//! axum's own rejections (a path segment that is not UTF-8, a wrong method, an unreadable or
//! oversized body) answer in plain text or with no body at all. The API answers every error
//! as JSON `{"error": true, "message": ...}`, so those answers are rewrapped here.
//! Bare 404s stay bare: an unknown company is an empty 404 on the real API too.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Longest plain-text rejection read back into the JSON message.
const MAX_TEXT: usize = 16 * 1024;

pub async fn rewrap(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || status == StatusCode::NOT_FOUND || is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, MAX_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        // The `Allow` header is added outside this layer, so the message names the rule instead.
        format!(
            "{method} is not allowed on {path}; the API takes GET, POST and (for deleting a comment) DELETE; see the sandbox README for which"
        )
    } else if text.is_empty() {
        format!(
            "the request was refused ({})",
            status.canonical_reason().unwrap_or("client error")
        )
    } else {
        text
    };
    let body = serde_json::json!({"error": true, "message": message}).to_string();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts
        .headers
        .insert(header::CONTENT_LENGTH, body.len().into());
    Response::from_parts(parts, Body::from(body))
}
