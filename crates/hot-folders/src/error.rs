//! The crate's one error type. Messages say what is wrong and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The hot folders' journal could not be opened or written.
    #[error("hot folder journal problem: {0}. Check that the app's data folder is writable and not full.")]
    Journal(#[from] rusqlite::Error),

    #[error("cannot use the hot folders' state folder {}: {message}", path.display())]
    StatePath { path: PathBuf, message: String },

    /// Another process (the app, a `bp watch` run) runs the hot folders of this state folder.
    #[error("the hot folders in {} are already run by another process (the app or a `bp watch` run); close it first, or use another state folder.", path.display())]
    InUse { path: PathBuf },

    #[error("the hot folder journal has schema version {found}, newer than this app understands ({supported}). Update the app.")]
    TooNew { found: i64, supported: i64 },

    /// `add` was given a folder that is not there.
    #[error("{} is not an existing folder; choose a folder that exists to watch.", dir.display())]
    NotAFolder { dir: PathBuf },

    /// A saved hot folder whose folder went away (a drive unplugged, a folder deleted).
    #[error("The hot folder {} no longer exists; reconnect the drive or remove it.", dir.display())]
    FolderGone { dir: PathBuf },

    #[error("The hot folder {} cannot be read ({message}); check that you may open it, or remove it.", dir.display())]
    FolderUnreadable { dir: PathBuf, message: String },

    #[error("Cannot watch {} for new files ({message}); it is checked again shortly. On Linux, raising fs.inotify.max_user_watches may help.", dir.display())]
    WatchFailed { dir: PathBuf, message: String },

    #[error("a hot folder with id {0} already exists; remove it first or use another id.")]
    DuplicateId(String),

    #[error("{} overlaps hot folder {other_id} ({}); its files would be uploaded twice. Choose a folder outside it.", dir.display(), other_dir.display())]
    Overlap {
        dir: PathBuf,
        other_id: String,
        other_dir: PathBuf,
    },

    #[error("no hot folder with id {0}; reload the list.")]
    UnknownFolder(String),

    #[error("{0}")]
    InvalidInput(String),

    /// The upload queue refused a batch as a whole (shut down, its journal failed).
    #[error("the upload queue did not take the files ({0}); they are tried again shortly.")]
    Queue(#[from] upload_queue::Error),

    #[error("the hot folders were closed; open them again to continue.")]
    Closed,
}

pub type Result<T> = std::result::Result<T, Error>;
