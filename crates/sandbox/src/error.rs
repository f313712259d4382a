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

/// An HTTP error answer: status plus a JSON `{"error": true, "message": ...}` body. With
/// `field_errors` it is also an ASP.NET ProblemDetails body (`type`, `title`, `status`,
/// `errors: {field id: [messages]}`), the shape real tenants use for validation answers; the
/// `error`/`message` keys stay so clients that read only those keep working.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field_errors: Vec<(String, String)>,
}

/// ASP.NET's title and type for a validation answer.
pub const VALIDATION_TITLE: &str = "One or more validation errors occurred.";
const VALIDATION_TYPE: &str = "https://tools.ietf.org/html/rfc7231#section-6.5.1";

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            field_errors: Vec::new(),
        }
    }
    /// A 400 naming the fields at fault: `(field id, message)` pairs, in order.
    pub fn invalid_fields(errors: Vec<(String, String)>) -> Self {
        let message = errors
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
            field_errors: errors,
        }
    }
    /// A 400 about one field.
    pub fn invalid_field(field_id: &str, message: impl Into<String>) -> Self {
        Self::invalid_fields(vec![(field_id.to_owned(), message.into())])
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
        let mut body = serde_json::json!({"error": true, "message": self.message});
        if !self.field_errors.is_empty() {
            let mut errors = serde_json::Map::new();
            for (field, message) in self.field_errors {
                let list = errors
                    .entry(field)
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let serde_json::Value::Array(items) = list {
                    items.push(serde_json::Value::String(message));
                }
            }
            body["type"] = VALIDATION_TYPE.into();
            body["title"] = VALIDATION_TITLE.into();
            body["status"] = self.status.as_u16().into();
            body["errors"] = serde_json::Value::Object(errors);
        }
        (self.status, axum::Json(body)).into_response()
    }
}
