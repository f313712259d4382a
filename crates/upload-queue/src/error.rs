//! The crate's one error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The journal database could not be opened, migrated or written.
    #[error(
        "upload journal problem: {0}. Check that the app's data folder is writable and not full."
    )]
    Journal(#[from] rusqlite::Error),

    #[error("cannot use the upload journal at {path}: {message}")]
    JournalPath { path: PathBuf, message: String },

    /// Another process (another app window, a `bp-upload` run) has the journal open.
    #[error("the upload journal {} is in use by another process (the app or a bp-upload run); close it or wait until it is done, or use another journal.", path.display())]
    JournalInUse { path: PathBuf },

    /// The journal was written by a newer version of the app (it is then moved aside).
    #[error("the upload journal has schema version {found}, newer than this app understands ({supported}). Update the app.")]
    JournalTooNew { found: i64, supported: i64 },

    #[error("no upload job with id {0}; it may have been cleared. Reload the job list.")]
    UnknownJob(String),

    #[error("job {id} is {state}; {action} is only possible when it is {allowed}.")]
    WrongState {
        id: String,
        state: String,
        action: &'static str,
        allowed: &'static str,
    },

    /// Internal: a worker step was refused because the job was cancelled meanwhile.
    #[error("job {0} was cancelled while it was running")]
    Stopped(String),

    #[error("the upload queue has been shut down; open it again to continue.")]
    ShutDown,

    #[error("invalid setting: {0}")]
    InvalidInput(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
