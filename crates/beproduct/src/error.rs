//! The crate's one error type. Messages say what went wrong and what to do; none carries a token.

use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Connection refused/reset, timeout, or the body could not be read; also a token endpoint
    /// that answered 5xx (unavailable, nothing to reconnect) or whose answer was lost.
    #[error("could not reach BeProduct ({method} {url}): {message}. Check the network connection and the API URL, then try again")]
    Transport {
        method: String,
        url: String,
        message: String,
    },
    /// The server answered with a non-success status; `message` is the server's own text
    /// (with the per-field messages of a validation answer appended). `field_errors`: the
    /// per-field messages of a ProblemDetails body (`errors: {field: [messages]}`), empty
    /// for any other answer.
    #[error("BeProduct answered {status} to {method} {url}: {message}")]
    Api {
        status: u16,
        message: String,
        method: String,
        url: String,
        field_errors: Vec<FieldError>,
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
    /// An upload's body was cut off before its last byte: the connection stopped taking it for
    /// `RetryPolicy::stall_timeout` (`stalled`), was closed or reset, or the server answered
    /// with a 5xx before the whole file was sent. BeProduct cannot have the whole file, so
    /// sending it again cannot make a duplicate. `sent`: file bytes the connection had taken.
    /// Kind `transport`.
    #[error("{method} {url} was cut off after {sent} bytes of the file ({message}); BeProduct did not get the whole file. Check the network connection, then send it again")]
    SendInterrupted {
        method: String,
        url: String,
        message: String,
        sent: u64,
        stalled: bool,
    },
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
    /// BeProduct refused the file as too large (HTTP 413). Sending it again cannot help.
    #[error("BeProduct refused the file as too large{}: {message}", size.map(|s| format!(" ({s} bytes)")).unwrap_or_default())]
    TooLarge { size: Option<u64>, message: String },
    /// The local file's content no longer matches the checksum taken when it was queued; the
    /// upload was stopped before its last byte, so the server cannot have the changed file.
    #[error("{path} changed on disk after it was queued (its content no longer matches); nothing was uploaded")]
    FileChanged { path: String },
}

/// What kind of failure an [`Error`] is: the stable name callers branch on (the app sends it to
/// the UI as the `kind` string, so the names are part of the IPC contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Transport,
    Api,
    NotFound,
    Auth,
    Throttled,
    Decode,
    OutcomeUnknown,
    InvalidInput,
    Io,
    TooLarge,
    FileChanged,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Transport,
        ErrorKind::Api,
        ErrorKind::NotFound,
        ErrorKind::Auth,
        ErrorKind::Throttled,
        ErrorKind::Decode,
        ErrorKind::OutcomeUnknown,
        ErrorKind::InvalidInput,
        ErrorKind::Io,
        ErrorKind::TooLarge,
        ErrorKind::FileChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Transport => "transport",
            ErrorKind::Api => "api",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Auth => "auth",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Decode => "decode",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Io => "io",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::FileChanged => "file_changed",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests compare with the wire name: `assert_eq!(e.kind(), "not_found")`.
impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Error {
    /// What kind of failure this is; an API "not found" (404, or the server's own
    /// "… not found" text, which some endpoints send with another status) is `NotFound`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Transport { .. } | Error::SendInterrupted { .. } => ErrorKind::Transport,
            Error::Api { .. } if self.is_not_found() => ErrorKind::NotFound,
            Error::Api { .. } => ErrorKind::Api,
            Error::Auth(_) => ErrorKind::Auth,
            Error::Throttled { .. } => ErrorKind::Throttled,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::OutcomeUnknown { .. } => ErrorKind::OutcomeUnknown,
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Io { .. } => ErrorKind::Io,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::FileChanged { .. } => ErrorKind::FileChanged,
        }
    }

    /// The server said the thing asked for does not exist: a 404, or a 4xx whose message is
    /// the API's "<Entity> not found" (the official SDKs match the text, not the status).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Api { status: 404, .. } => true,
            Error::Api {
                status, message, ..
            } if (400..500).contains(status) => message.to_ascii_lowercase().contains("not found"),
            _ => false,
        }
    }

    /// The per-field messages of a validation answer (see `FieldError`); empty otherwise.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Api { field_errors, .. } => field_errors,
            _ => &[],
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

/// One message of a validation answer, for the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The key as the server sent it: a field id, or a path into the request body such as
    /// `fields[2].value` (see `field_index`); empty for a message about the whole request.
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// For a key like `fields[2].value` or `$.Fields[2].Value`: 2, the index of the entry in
    /// the `fields` list that was sent, so the app can find the field id it sent there.
    pub fn field_index(&self) -> Option<usize> {
        let key = self.field.to_ascii_lowercase();
        let rest = &key[key.find("fields[")? + "fields[".len()..];
        rest[..rest.find(']')?].parse().ok()
    }
}

/// Longest server message kept in an error.
const MAX_MESSAGE_CHARS: usize = 500;
/// Most per-field messages kept from one answer.
const MAX_FIELD_ERRORS: usize = 50;

/// The `errors` of an ASP.NET ProblemDetails body: `{"title": ..., "errors": {"field":
/// ["message", ...]}}` (a single string per field is read too).
pub(crate) fn problem_field_errors(body: &[u8]) -> Vec<FieldError> {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let errors = json
        .get("errors")
        .or_else(|| json.get("Errors"))
        .and_then(|e| e.as_object());
    let Some(errors) = errors else {
        return Vec::new();
    };
    errors
        .iter()
        .flat_map(|(field, messages)| {
            let messages = match messages {
                serde_json::Value::Array(items) => {
                    items.iter().filter_map(|m| m.as_str()).collect()
                }
                serde_json::Value::String(m) => vec![m.as_str()],
                _ => Vec::new(),
            };
            messages.into_iter().map(move |m| FieldError {
                field: truncate(field.trim()),
                message: truncate(m.trim()),
            })
        })
        .filter(|e| !e.message.is_empty())
        .take(MAX_FIELD_ERRORS)
        .collect()
}

/// "field: message; field: message", for an error's text.
pub(crate) fn describe_field_errors(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            if e.field.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.field, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

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
            field_errors: Vec::new(),
        };
        assert_eq!(e.kind(), "not_found");
        let e = Error::Api {
            status: 500,
            message: "boom".into(),
            method: "GET".into(),
            url: "u".into(),
            field_errors: Vec::new(),
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

    #[test]
    fn not_found_is_recognised_by_status_or_by_the_servers_text() {
        let api = |status: u16, message: &str| Error::Api {
            status,
            message: message.into(),
            method: "GET".into(),
            url: "u".into(),
            field_errors: Vec::new(),
        };
        assert_eq!(api(400, "Image not found").kind(), ErrorKind::NotFound);
        assert_eq!(api(404, "").kind(), ErrorKind::NotFound);
        assert_eq!(api(400, "Bad folder").kind(), ErrorKind::Api);
        // A 5xx that mentions "not found" says nothing certain about the image.
        assert_eq!(api(500, "Image not found").kind(), ErrorKind::Api);
    }

    #[test]
    fn kind_names_are_unique_and_snake_case() {
        let names: std::collections::HashSet<&str> =
            ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        for k in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn problem_details_keep_each_fields_messages() {
        let body = br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1",
            "title":"One or more validation errors occurred.","status":400,
            "errors":{"fields[1].value":["Season must be one of Spring, Fall","Season is required"],
                      "header_name":"Name is too long","":["The request is invalid"],"x":[42]}}"#;
        let errors = problem_field_errors(body);
        let pairs: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(pairs.len(), 4);
        assert!(pairs.contains(&("fields[1].value", "Season must be one of Spring, Fall")));
        assert!(pairs.contains(&("fields[1].value", "Season is required")));
        assert!(pairs.contains(&("header_name", "Name is too long")));
        assert!(pairs.contains(&("", "The request is invalid")));
        let index = |field: &str| {
            FieldError {
                field: field.into(),
                message: String::new(),
            }
            .field_index()
        };
        assert_eq!(index("fields[1].value"), Some(1));
        assert_eq!(index("$.Fields[12].Value"), Some(12));
        assert_eq!(index("header_name"), None);
        assert_eq!(index("fields[x]"), None);
        assert!(describe_field_errors(&errors).contains("header_name: Name is too long"));

        assert!(problem_field_errors(br#"{"title":"Bad"}"#).is_empty());
        assert!(problem_field_errors(b"not json").is_empty());
        let many = format!(
            "{{\"errors\":{{{}}}}}",
            (0..80)
                .map(|i| format!("\"f{i}\":[\"m\"]"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(
            problem_field_errors(many.as_bytes()).len(),
            MAX_FIELD_ERRORS
        );
    }
}
