//! The library's one error type: the client's errors pass through with their kind; input the
//! library refuses before calling anything is `InvalidInput`.

use beproduct::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Client(beproduct::Error),

    /// The caller asked for something the library refuses before any request.
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

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Client(e) => e.kind(),
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
