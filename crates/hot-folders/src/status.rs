//! What a sidebar shows of each hot folder, and the events that tell it something changed.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FolderState {
    Watching,
    /// The upload queue is paused (offline, sign-in refused): files are still taken and
    /// wait in the queue until it resumes.
    Paused {
        reason: String,
    },
    /// The folder cannot be watched (missing, unreadable) or the queue refused its files.
    Error {
        reason: String,
    },
}

/// Files by what happened to them. A file replaced with new content counts again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub uploaded: u64,
    /// Taken and in the upload queue, not finished yet.
    pub queued: u64,
    /// Moved to `_rejected/` (or left in place when moving failed), with the reason.
    pub rejected: u64,
    /// The queue gave up on the upload (failed, duplicate, cancelled…); see the queue's list.
    pub failed: u64,
    /// Not images by their content: left where they are.
    pub ignored: u64,
    /// Seen, waiting until they are complete.
    pub settling: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HotFolderStatus {
    pub id: String,
    pub dir: PathBuf,
    pub folder_id: String,
    pub move_uploaded: bool,
    pub state: FolderState,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum HotFolderEvent {
    /// A hot folder was added or its state or counts changed.
    Changed {
        status: HotFolderStatus,
    },
    Removed {
        id: String,
    },
}
