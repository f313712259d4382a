//! Benchmark 1: many ~1 MB JPEGs into new images until all are processed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use upload_queue::{JobRequest, Queue, QueueConfig, Target};

use crate::child::{number, run_json};
use crate::error::{BenchError, Result};

/// Upper bound for one batch; far above any expected time, only stops a hung run.
const BATCH_TIMEOUT: Duration = Duration::from_secs(3600);

/// Our upload queue (fresh journal) sending `files` at `concurrency`; seconds until all done.
pub async fn ours(
    client: beproduct::Client,
    files: &[PathBuf],
    folder_id: &str,
    concurrency: usize,
    journal: &Path,
) -> Result<f64> {
    let config = QueueConfig {
        concurrency,
        ..QueueConfig::new(journal)
    };
    let queue = Queue::open(config).await?;
    queue.set_client(client);
    let requests = files
        .iter()
        .map(|p| {
            JobRequest::file(
                p.clone(),
                Target::NewImage {
                    folder_id: folder_id.to_owned(),
                },
            )
        })
        .collect();
    let start = Instant::now();
    let report = queue.enqueue(requests).await?;
    if report.accepted.len() != files.len() {
        return Err(BenchError::Check(format!(
            "the queue accepted {} of {} files",
            report.accepted.len(),
            files.len()
        )));
    }
    let idle = queue.wait_until_idle(BATCH_TIMEOUT).await;
    let secs = start.elapsed().as_secs_f64();
    let totals = queue.totals();
    queue.shutdown().await;
    if !idle || totals.done as usize != files.len() {
        return Err(BenchError::Check(format!(
            "queue finished with {} done, {} failed of {} (idle: {idle})",
            totals.done,
            totals.failed,
            files.len()
        )));
    }
    Ok(secs)
}

/// The SDK's documented loop (benches/sdk_bulk_upload.py) over every JPEG in `dir`.
/// Returns (seconds inside the script, wall seconds including Python start-up).
pub fn sdk(
    python: &Path,
    script: &Path,
    base_url: &str,
    folder_id: &str,
    dir: &Path,
    n: usize,
) -> Result<(f64, f64)> {
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .args(["--api", base_url, "--folder-id", folder_id])
        .arg("--dir")
        .arg(dir);
    let (wall, json) = run_json(cmd, "sdk_bulk_upload.py")?;
    let done = number(&json, "count", "sdk_bulk_upload.py")? as usize;
    if done != n {
        return Err(BenchError::Check(format!(
            "the SDK loop uploaded {done} of {n} files"
        )));
    }
    Ok((number(&json, "secs", "sdk_bulk_upload.py")?, wall))
}
