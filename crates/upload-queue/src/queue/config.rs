//! Queue settings and their defaults.

use crate::preflight::DEFAULT_MAX_FILE_BYTES;
use std::path::PathBuf;
use std::time::Duration;

/// Settings; `QueueConfig::new(journal_path)` gives the defaults.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// The SQLite journal (the app passes a file in its data folder).
    pub journal_path: PathBuf,
    /// Uploads (creates, checks) running at once. Default 3.
    pub concurrency: usize,
    /// Files over this are rejected at enqueue. Default 50 MB.
    pub max_file_bytes: u64,
    /// The longest the server may take to process a file. A job still processing after
    /// this fails (Retry polls again); an upload whose answer was lost is watched for this
    /// long on the image (servers show a file only once processed) before it waits for the
    /// user as "may have landed". Default 15 min.
    pub processing_timeout: Duration,
    /// Longest wait between probes while the server is unreachable. Default 30 s.
    pub offline_probe_max: Duration,
    /// Retries of transient failures (lost create answers, 5xx, throttling) per run of a
    /// job. Default 8.
    pub max_attempts: u32,
}

impl QueueConfig {
    pub fn new(journal_path: impl Into<PathBuf>) -> Self {
        QueueConfig {
            journal_path: journal_path.into(),
            concurrency: 3,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            processing_timeout: Duration::from_secs(15 * 60),
            offline_probe_max: Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}
