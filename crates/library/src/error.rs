//! The library's one error type: the client's errors pass through with their kind; input the
//! library refuses before calling anything is `InvalidInput`.

use std::path::Path;

use beproduct::ErrorKind;

// No variant of its own for local files (journals, sheets): the app matches this enum
// exhaustively, so a new variant would break its build. A file problem is something the user
// fixes (another path, a sheet saved as CSV or XLSX, free disk space), so it is `InvalidInput`
// with the path in the message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Client(beproduct::Error),

    /// The caller asked for something the library refuses before any request, or a local
    /// file (bulk-edit journal, spreadsheet) could not be read or written.
    #[error("{0}")]
    InvalidInput(String),
}

/// The client's refusals of input read as the library's own (the message without the client's
/// "invalid input:" lead, which is for logs, not for people).
impl From<beproduct::Error> for Error {
    fn from(e: beproduct::Error) -> Self {
        match e {
            beproduct::Error::InvalidInput(message) => Error::InvalidInput(message),
            other => Error::Client(other),
        }
    }
}

impl Error {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// A local file that could not be read or written: the path, then what went wrong.
    pub fn file(path: &Path, message: impl std::fmt::Display) -> Self {
        Error::InvalidInput(format!("{}: {message}", path.display()))
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Client(e) => e.kind(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
