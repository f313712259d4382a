//! Hot folders: watch local folders and upload every image that appears in them into a
//! BeProduct image folder, through the journaled upload queue.
//!
//! `HotFolders::open(state_dir, queue, planner, timing)` resumes the folders saved in
//! `state_dir`; `add` / `remove` / `list` manage them and `subscribe` reports status changes.
//! A file is taken once it is complete (see `settle` and `writers`), turned into a job by the
//! caller's `Planner`, and journaled by size and modification time so it is never taken
//! twice, across restarts too. Rejected files move to `_rejected/` with a note; uploaded ones
//! to `_uploaded/` when the folder asks for it.

mod config;
mod error;
mod filter;
mod folder;
mod hot_folders;
mod journal;
mod lock;
mod moves;
mod outcomes;
mod scan;
mod settle;
mod shared;
mod status;
mod writers;

pub use config::{HotFolderConfig, Planner, Timing};
pub use error::{Error, Result};
pub use filter::{REJECTED_DIR, UPLOADED_DIR};
pub use hot_folders::HotFolders;
pub use status::{Counts, FolderState, HotFolderEvent, HotFolderStatus};
