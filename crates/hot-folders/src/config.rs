//! What the caller gives: a folder to watch, how a file becomes a job, and the timings.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use upload_queue::JobRequest;

/// One hot folder: files appearing under `dir` go to the BeProduct image folder `folder_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HotFolderConfig {
    /// The caller's id for it (unique among the hot folders).
    pub id: String,
    pub dir: PathBuf,
    /// The BeProduct image folder the files go to.
    pub folder_id: String,
    /// Move each file to `<dir>/_uploaded/` once its upload is done.
    #[serde(default)]
    pub move_uploaded: bool,
}

/// Turns a complete file of a hot folder into a job for the hot folder's BeProduct folder
/// (the first argument, its id), or says why the file is rejected (e.g. the folder's naming
/// rule does not match). The app and `bp` plug in the folder's naming rules here.
pub type Planner =
    Arc<dyn Fn(String, PathBuf) -> BoxFuture<'static, Result<JobRequest, String>> + Send + Sync>;

/// How long a file must stay unchanged before it is taken, and how often pending files are
/// looked at. Tests scale these down; the app uses `Timing::default()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// A file is complete once its size and mtime stayed the same this long (and, on Linux,
    /// no process has it open for writing).
    pub settle: Duration,
    /// How often files still settling are checked, and how long file events are debounced.
    pub poll: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            settle: Duration::from_secs(2),
            poll: Duration::from_millis(500),
        }
    }
}
