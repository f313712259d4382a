//! The crate's error type (start-up and test-hook failures) and the HTTP error answer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot use the data folder {path}: {message}")]
    DataDir { path: String, message: String },
    #[error("sandbox database error: {0}; delete the data folder to start fresh if it is corrupt")]
    Database(#[from] rusqlite::Error),
    #[error("cannot listen on {addr}: {message}; pick another address with --listen")]
    Bind { addr: String, message: String },
    #[error("file error on {path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("internal sandbox error: {0}")]
    Internal(String),
}

impl SandboxError {
    pub(crate) fn io(path: &std::path::Path, e: std::io::Error) -> Self {
        SandboxError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// An HTTP error answer: status plus a JSON `{"error": true, "message": ...}` body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub fn image_not_found(id: &str) -> Self {
        Self::not_found(format!("Image not found: there is no image with id {id}"))
    }
}

impl From<SandboxError> for ApiError {
    fn from(e: SandboxError) -> Self {
        match e {
            SandboxError::InvalidInput(m) => ApiError::bad_request(m),
            SandboxError::NotFound(m) => ApiError::not_found(m),
            other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        SandboxError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": true, "message": self.message});
        (self.status, axum::Json(body)).into_response()
    }
}
