//! The crate's one error type. Messages say what went wrong and what to do; none carries a token.

use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Connection refused/reset, timeout, or the body could not be read.
    #[error("could not reach BeProduct ({method} {url}): {message}. Check the network connection and the API URL, then try again")]
    Transport {
        method: String,
        url: String,
        message: String,
    },
    /// The server answered with a non-success status; `message` is the server's own text.
    #[error("BeProduct answered {status} to {method} {url}: {message}")]
    Api {
        status: u16,
        message: String,
        method: String,
        url: String,
    },
    /// The token endpoint refused the credentials; the user has to reconnect the account.
    #[error("{0}")]
    Auth(String),
    /// The server kept answering 429 (or asked for a longer wait than the client accepts).
    #[error("BeProduct is throttling requests; try again in {} s", retry_after.as_secs().max(1))]
    Throttled { retry_after: Duration },
    /// A response did not have the expected JSON shape.
    #[error("unexpected response from BeProduct at `{path}`: {message}")]
    Decode { path: String, message: String },
    /// A create or upload may have reached the server; check before repeating it.
    #[error("{method} {url} may or may not have been carried out ({message}); check BeProduct before repeating it")]
    OutcomeUnknown {
        method: String,
        url: String,
        message: String,
    },
    /// The caller passed something the client refuses before sending anything.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A local file could not be read.
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
}

impl Error {
    /// A short stable name the UI branches on; an API 404 is `not_found`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Transport { .. } => "transport",
            Error::Api { status: 404, .. } => "not_found",
            Error::Api { .. } => "api",
            Error::Auth(_) => "auth",
            Error::Throttled { .. } => "throttled",
            Error::Decode { .. } => "decode",
            Error::OutcomeUnknown { .. } => "outcome_unknown",
            Error::InvalidInput(_) => "invalid_input",
            Error::Io { .. } => "io",
        }
    }

    /// The HTTP status for `Api` errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn decode(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Decode {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Longest server message kept in an error.
const MAX_MESSAGE_CHARS: usize = 500;

/// The server's own message: JSON `message`/`error`/`title`/`detail`, else the text body, truncated.
pub(crate) fn server_message(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        for key in [
            "message",
            "error",
            "title",
            "detail",
            "Message",
            "error_description",
        ] {
            if let Some(text) = json.get(key).and_then(|v| v.as_str()) {
                if !text.trim().is_empty() {
                    return truncate(text.trim());
                }
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(empty response body)".to_owned()
    } else {
        truncate(text)
    }
}

fn truncate(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(MAX_MESSAGE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_message_prefers_json_fields_then_text() {
        assert_eq!(
            server_message(br#"{"message":"Image not found"}"#),
            "Image not found"
        );
        assert_eq!(
            server_message(br#"{"error":"Rate limit exceeded","retryAfterSeconds":3}"#),
            "Rate limit exceeded"
        );
        assert_eq!(
            server_message(br#"{"error":true,"message":"Bad folder"}"#),
            "Bad folder"
        );
        assert_eq!(
            server_message(br#"{"title":"One or more validation errors occurred."}"#),
            "One or more validation errors occurred."
        );
        assert_eq!(server_message(b"plain failure"), "plain failure");
        assert_eq!(server_message(b""), "(empty response body)");
        let long = "x".repeat(2000);
        let m = server_message(long.as_bytes());
        assert_eq!(m.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn kind_maps_404_to_not_found() {
        let e = Error::Api {
            status: 404,
            message: "Image not found".into(),
            method: "GET".into(),
            url: "u".into(),
        };
        assert_eq!(e.kind(), "not_found");
        let e = Error::Api {
            status: 500,
            message: "boom".into(),
            method: "GET".into(),
            url: "u".into(),
        };
        assert_eq!(e.kind(), "api");
        assert_eq!(
            Error::Throttled {
                retry_after: Duration::from_secs(3)
            }
            .kind(),
            "throttled"
        );
    }
}
