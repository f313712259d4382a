//! The app's one error type. It crosses the IPC boundary as `{kind, message, detail?}`;
//! `kind` is what the UI branches on, `message` says what is wrong and what to do.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Every `kind` the UI can receive: the client's kinds plus the app's own. The UI's list
/// (`ERROR_KINDS` in ui/js/api.js) is checked against `ErrorKind::all()` by the contract tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Client(beproduct::ErrorKind),
    /// The OS keychain could not be used.
    Keychain,
    /// A bug, an impossible state, or the embedded sandbox failing to start.
    Internal,
}

impl ErrorKind {
    pub fn all() -> Vec<ErrorKind> {
        beproduct::ErrorKind::ALL
            .into_iter()
            .map(ErrorKind::Client)
            .chain([ErrorKind::Keychain, ErrorKind::Internal])
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Client(kind) => kind.as_str(),
            ErrorKind::Keychain => "keychain",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Lets tests and callers compare with the wire name: `assert_eq!(e.kind(), "invalid_input")`.
impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Anything the BeProduct client reports; its `kind()` passes through unchanged.
    #[error(transparent)]
    BeProduct(#[from] beproduct::Error),

    /// The OS keychain could not be used. `detail` is the platform's own text (never a secret).
    #[error("{message}")]
    Keychain {
        message: String,
        detail: Option<String>,
    },

    /// The UI sent something the app refuses before calling anything.
    #[error("{0}")]
    InvalidInput(String),

    /// The embedded sandbox could not be started.
    #[error("{message}")]
    Sandbox { message: String, detail: String },

    /// A local file (settings, app folders) could not be read or written.
    #[error("{message}")]
    Io { message: String, detail: String },

    /// A bug or an impossible state; the detail helps a bug report.
    #[error("{0}")]
    Internal(String),

    /// Another error, with what it was about in front ("Downloading “IMG-1”: …"); its kind,
    /// detail and field errors are the inner error's.
    #[error("{context}: {source}")]
    Context {
        context: String,
        source: Box<AppError>,
    },
}

impl AppError {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        AppError::InvalidInput(message.into())
    }

    /// `self` with what it was about in front of its message.
    pub fn context(self, context: impl Into<String>) -> Self {
        AppError::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        use beproduct::ErrorKind as Client;
        match self {
            AppError::Context { source, .. } => source.kind(),
            AppError::BeProduct(e) => ErrorKind::Client(e.kind()),
            AppError::Keychain { .. } => ErrorKind::Keychain,
            AppError::InvalidInput(_) => ErrorKind::Client(Client::InvalidInput),
            AppError::Sandbox { .. } | AppError::Internal(_) => ErrorKind::Internal,
            AppError::Io { .. } => ErrorKind::Client(Client::Io),
        }
    }

    /// The server's messages per field of a refused save (ProblemDetails `errors`), so the
    /// page can put each next to its field.
    pub fn field_errors(&self) -> &[beproduct::FieldError] {
        match self {
            AppError::BeProduct(e) => e.field_errors(),
            AppError::Context { source, .. } => source.field_errors(),
            _ => &[],
        }
    }

    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::Keychain { detail, .. } => detail.as_deref(),
            AppError::Sandbox { detail, .. } | AppError::Io { detail, .. } => Some(detail),
            AppError::Context { source, .. } => source.detail(),
            _ => None,
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let detail = self.detail();
        let fields = self.field_errors();
        let len = 2 + usize::from(detail.is_some()) + usize::from(!fields.is_empty());
        let mut s = serializer.serialize_struct("AppError", len)?;
        s.serialize_field("kind", &self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        if let Some(detail) = detail {
            s.serialize_field("detail", detail)?;
        }
        if !fields.is_empty() {
            s.serialize_field("fields", fields)?;
        }
        s.end()
    }
}

impl From<image_library::Error> for AppError {
    fn from(e: image_library::Error) -> Self {
        match e {
            image_library::Error::Client(e) => AppError::BeProduct(e),
            image_library::Error::InvalidInput(message) => AppError::InvalidInput(message),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_kind_message_and_optional_detail() {
        let e = AppError::invalid_input("image id must be a GUID");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"kind": "invalid_input", "message": "image id must be a GUID"})
        );
        let e = AppError::Keychain {
            message: "The system keychain is locked.".into(),
            detail: Some("Cannot create an item in a locked collection".into()),
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"kind": "keychain", "message": "The system keychain is locked.",
                   "detail": "Cannot create an item in a locked collection"})
        );
    }

    #[test]
    fn client_errors_keep_their_kind() {
        let e: AppError = beproduct::Error::Api {
            status: 404,
            message: "Image not found".into(),
            method: "GET".into(),
            url: "http://127.0.0.1/api/x/Image/Header/1".into(),
            field_errors: Vec::new(),
        }
        .into();
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "not_found");
        assert!(v["message"].as_str().unwrap().contains("Image not found"));
        assert!(v.get("fields").is_none(), "{v}");
        let refused: AppError = beproduct::Error::Api {
            status: 400,
            message: "One or more validation errors occurred.".into(),
            method: "POST".into(),
            url: "http://127.0.0.1/api/x/Image/Header/1/Update".into(),
            field_errors: vec![beproduct::FieldError {
                field: "header_number".into(),
                message: "Image Number 'A-1' is already used".into(),
            }],
        }
        .into();
        assert_eq!(
            serde_json::to_value(&refused).unwrap()["fields"],
            json!([{"field": "header_number", "message": "Image Number 'A-1' is already used"}])
        );
        let e: AppError = beproduct::Error::Auth("refresh token revoked; reconnect".into()).into();
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "auth");
    }

    #[test]
    fn context_goes_in_front_and_keeps_kind_and_detail() {
        let e = AppError::Io {
            message: "The disk is full.".into(),
            detail: "ENOSPC".into(),
        }
        .context("Downloading “IMG-1”");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"kind": "io", "message": "Downloading “IMG-1”: The disk is full.", "detail": "ENOSPC"})
        );
    }

    #[test]
    fn kinds_have_distinct_wire_names() {
        let names: std::collections::HashSet<&str> = ErrorKind::all()
            .into_iter()
            .map(ErrorKind::as_str)
            .collect();
        assert_eq!(names.len(), ErrorKind::all().len());
        for kind in ErrorKind::all() {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
