//! The library's one error type: the client's errors pass through with their kind; input the
//! library refuses before calling anything is `InvalidInput`; a journal or spreadsheet file
//! that cannot be read or written is `File`.

use std::path::{Path, PathBuf};

use beproduct::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Client(#[from] beproduct::Error),

    /// The caller asked for something the library refuses before any request.
    #[error("{0}")]
    InvalidInput(String),

    /// A local file (bulk-edit journal, spreadsheet) could not be read or written.
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
}

impl Error {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    pub fn file(path: &Path, message: impl std::fmt::Display) -> Self {
        Error::File {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Client(e) => e.kind(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::File { .. } => ErrorKind::Io,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
