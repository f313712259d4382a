//! Working copies of originals opened in a desktop editor (Photoshop, Illustrator, or whatever
//! the system opens the file with): the registry that remembers them across restarts, the
//! change detection that tells a real save from a touch or a half-written file, and a
//! debounced watcher of the working folder. No Tauri and no network: the app downloads the
//! original, opens it, and queues the upload; this crate keeps the books.

mod base;
mod error;
mod registry;
pub mod stamp;
mod watch;

pub use base::ServerBase;
pub use error::{Error, Result};
pub use registry::{
    CopyState, ImageRef, Prepared, Refresh, Registry, WorkingCopy, SENT_DIR, STATE_FILE,
};
pub use stamp::FileStamp;
pub use watch::{FolderWatch, SETTLE};
