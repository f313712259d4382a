//! The library's one error type: the client's errors pass through with their kind; input the
//! library refuses before calling anything is `InvalidInput`.

use beproduct::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Client(#[from] beproduct::Error),

    /// The caller asked for something the library refuses before any request.
    #[error("{0}")]
    InvalidInput(String),
}

impl Error {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Client(e) => e.kind(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
