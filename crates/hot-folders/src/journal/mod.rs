//! The hot folders' SQLite journal: the saved folders, and every file each has taken,
//! keyed by hot folder id + relative path + size + mtime, so a file is never taken twice
//! while one replaced with new content is a new upload.

mod files;
mod folders;

pub(crate) use files::JobOutcome;

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

const VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE folders (
    id TEXT PRIMARY KEY,
    dir TEXT NOT NULL,
    folder_id TEXT NOT NULL,
    move_uploaded INTEGER NOT NULL,
    added_at INTEGER NOT NULL
);
CREATE TABLE files (
    hot_id TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    state TEXT NOT NULL,
    job_id TEXT,
    reason TEXT,
    moved_to TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (hot_id, rel_path, size, mtime_ns)
);
CREATE INDEX files_by_job ON files(job_id);
CREATE INDEX files_by_state ON files(hot_id, state);
";

/// A file as it was when it was looked at. Paths are stored as text: a name that is not
/// valid Unicode (possible only on Linux) is stored lossily.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FileKey {
    pub rel: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// What happened to a taken file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowState {
    /// Being planned and enqueued (a row left so by a crash is settled at the next open).
    Taking,
    /// In the upload queue.
    Taken,
    Uploaded,
    Rejected,
    Failed,
    /// Not an image by its content.
    Ignored,
}

impl RowState {
    fn as_str(self) -> &'static str {
        match self {
            RowState::Taking => "taking",
            RowState::Taken => "taken",
            RowState::Uploaded => "uploaded",
            RowState::Rejected => "rejected",
            RowState::Failed => "failed",
            RowState::Ignored => "ignored",
        }
    }

    fn parse(s: &str) -> Option<RowState> {
        Some(match s {
            "taking" => RowState::Taking,
            "taken" => RowState::Taken,
            "uploaded" => RowState::Uploaded,
            "rejected" => RowState::Rejected,
            "failed" => RowState::Failed,
            "ignored" => RowState::Ignored,
            _ => return None,
        })
    }
}

pub(crate) struct Journal {
    conn: Mutex<Connection>,
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        match found {
            0 => conn.execute_batch(&format!(
                "BEGIN; {SCHEMA} PRAGMA user_version = {VERSION}; COMMIT;"
            ))?,
            VERSION => {}
            _ => {
                return Err(Error::TooNew {
                    found,
                    supported: VERSION,
                })
            }
        }
        Ok(Journal {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
