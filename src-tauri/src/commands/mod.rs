//! Thin IPC commands: adapt arguments, call the service (the connection's image library, the
//! upload queue), map errors. Each command is `#[instrument(skip_all, err)]`, so every error
//! is logged once, here at the boundary (never the arguments: they may hold credentials).
//! Names and arguments follow the IPC table in docs/ARCHITECTURE.md.

pub mod annotations;
pub mod bulk;
pub mod connection;
pub mod diagnostics;
pub mod drag_out;
pub mod hot_folders;
pub mod images;
pub mod intake;
pub mod paste;
pub mod presets;
pub mod previews;
pub mod sheets;
pub mod updates;
pub mod uploads;
pub mod versions;
pub mod working;

use crate::error::AppResult;

/// IDs go into URL paths, so only the hyphenated GUID form is accepted (the client's rule).
pub(crate) fn require_guid(what: &str, id: &str) -> AppResult<()> {
    Ok(image_library::require_guid(what, id)?)
}
