//! The crate's one error type. Messages say what is wrong and what to do.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A local file or folder (a working copy, the registry's state file) could not be used.
    #[error("{path}: {message}")]
    Io { path: String, message: String },

    /// The caller asked for something the registry refuses (an unknown copy, a copy in the
    /// wrong state for the action).
    #[error("{0}")]
    InvalidInput(String),
}

impl Error {
    pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> Error {
        Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidInput(message.into())
    }
}

pub type Result<T> = std::result::Result<T, Error>;
