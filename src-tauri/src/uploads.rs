//! Hosts the upload queue for the app: opens it with its journal in the app data folder,
//! hands it the current BeProduct client whenever the connection switches, and forwards
//! the queue's events to the UI in batches as the Tauri event `upload://event`.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use upload_queue::{Queue, QueueConfig, QueueEvent};

use crate::error::{AppError, AppResult};

/// The UI listens to this; each payload is an array of `QueueEvent` JSON, in queue order.
pub const EVENT: &str = "upload://event";
/// Events are gathered this long after the first one before they go out together: each Tauri
/// event is a script evaluation in the webview, so a 1,000-file batch sent one event at a time
/// would keep the page's main thread busy.
const BATCH_WINDOW: Duration = Duration::from_millis(60);
/// At most this many events in one payload.
const BATCH_MAX: usize = 2_000;
/// Sent when the forwarder fell behind and dropped events: the UI reloads `upload_jobs`.
pub const EVENT_LAGGED: &str = "upload://lagged";
/// Journal file name inside the app data folder.
pub const JOURNAL_FILE: &str = "uploads.sqlite";
/// Optional: seconds the server may take to process a file (the queue's `processing_timeout`,
/// default 15 min), which is also how long an image whose upload answer was lost is watched
/// before the job waits for the user. For very slow servers, and for tests that scale it down.
pub const ENV_PROCESSING_SECS: &str = "BP_UPLOAD_PROCESSING_SECS";

pub struct UploadHost {
    queue: Queue,
}

impl UploadHost {
    /// Opens the queue with its journal in `data_dir` and the default settings. Must run inside
    /// the Tokio runtime.
    pub async fn open(data_dir: &Path) -> AppResult<UploadHost> {
        let mut config = QueueConfig::new(data_dir.join(JOURNAL_FILE));
        if let Some(timeout) = processing_timeout_from_env() {
            config.processing_timeout = timeout;
        }
        UploadHost::open_with(data_dir, config).await
    }

    /// As `open`, with `config` (tests shorten the processing watch); its journal path is
    /// replaced by the one in `data_dir`.
    pub async fn open_with(data_dir: &Path, config: QueueConfig) -> AppResult<UploadHost> {
        std::fs::create_dir_all(data_dir).map_err(|e| AppError::Io {
            message: format!(
                "Could not create the app data folder {} for the upload journal. Check its permissions.",
                data_dir.display()
            ),
            detail: e.to_string(),
        })?;
        let config = QueueConfig {
            journal_path: data_dir.join(JOURNAL_FILE),
            ..config
        };
        let queue = Queue::open(config).await.map_err(queue_error)?;
        if let Some(notice) = queue.journal_notice() {
            tracing::warn!("{notice}");
        }
        Ok(UploadHost { queue })
    }

    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Forwards queue events to the UI until the queue's sender is gone.
    pub fn forward_events<R: Runtime>(&self, app: AppHandle<R>) {
        let mut events = self.queue.subscribe();
        tauri::async_runtime::spawn(async move {
            loop {
                let (batch, lagged, closed) = next_batch(&mut events).await;
                if !batch.is_empty() {
                    if let Err(e) = app.emit(EVENT, coalesce(batch)) {
                        tracing::warn!(error = %e, "could not send upload events to the window");
                    }
                }
                if let Some(missed) = lagged {
                    tracing::warn!(
                        missed,
                        "upload events dropped; asking the UI to reload the job list"
                    );
                    let _ = app.emit(EVENT_LAGGED, missed);
                }
                if closed {
                    break;
                }
            }
        });
    }

    pub async fn shutdown(&self) {
        self.queue.shutdown().await;
    }
}

/// `BP_UPLOAD_PROCESSING_SECS` as a duration; a value that is not a whole number of seconds
/// above 0 is ignored with a warning (the default stays).
fn processing_timeout_from_env() -> Option<Duration> {
    let text = std::env::var(ENV_PROCESSING_SECS).ok()?;
    match text.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Some(Duration::from_secs(secs)),
        _ => {
            tracing::warn!(
                "{ENV_PROCESSING_SECS}={text:?} is not a whole number of seconds above 0; using the default"
            );
            None
        }
    }
}

/// Waits for one event, then gathers whatever follows within `BATCH_WINDOW`. Returns the events,
/// how many were missed if the receiver lagged, and whether the queue is gone.
async fn next_batch(
    events: &mut broadcast::Receiver<QueueEvent>,
) -> (Vec<QueueEvent>, Option<u64>, bool) {
    let mut batch = Vec::new();
    let deadline = Instant::now() + BATCH_WINDOW;
    loop {
        let next = if batch.is_empty() {
            events.recv().await
        } else {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(next) => next,
                Err(_) => return (batch, None, false),
            }
        };
        match next {
            Ok(event) => {
                batch.push(event);
                if batch.len() >= BATCH_MAX {
                    return (batch, None, false);
                }
            }
            Err(RecvError::Lagged(missed)) => return (batch, Some(missed), false),
            Err(RecvError::Closed) => return (batch, None, true),
        }
    }
}

/// Drops byte-progress events that a later event of the same batch supersedes (a newer
/// progress, or any change of that job). Order is kept; totals travel with the last event.
fn coalesce(batch: Vec<QueueEvent>) -> Vec<QueueEvent> {
    let mut seen_later: HashSet<String> = HashSet::new();
    let mut kept: Vec<QueueEvent> = batch
        .into_iter()
        .rev()
        .filter(|event| match event {
            QueueEvent::Progress { job_id, .. } => seen_later.insert(job_id.clone()),
            QueueEvent::JobChanged { job, .. } => {
                seen_later.insert(job.id.clone());
                true
            }
            _ => true,
        })
        .collect();
    kept.reverse();
    kept
}

/// Queue errors at the IPC boundary: the queue's message already says what to do.
pub fn queue_error(e: upload_queue::Error) -> AppError {
    use upload_queue::Error as E;
    match e {
        E::UnknownJob(_) | E::WrongState { .. } | E::InvalidInput(_) => {
            AppError::invalid_input(e.to_string())
        }
        E::Journal(_)
        | E::JournalPath { .. }
        | E::JournalTooNew { .. }
        | E::JournalInUse { .. } => AppError::Io {
            message: e.to_string(),
            detail: "upload journal".into(),
        },
        E::Stopped(_) | E::ShutDown => AppError::Internal(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_opens_in_the_data_dir_and_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let host = UploadHost::open(&dir.path().join("data")).await.unwrap();
            assert!(host.queue().jobs().is_empty());
            assert!(host.queue().interrupted().is_empty());
            host.shutdown().await;
        });
        assert!(dir.path().join("data").join(JOURNAL_FILE).exists());
    }

    fn progress(job: &str, sent: u64) -> QueueEvent {
        QueueEvent::Progress {
            job_id: job.into(),
            bytes_sent: sent,
            bytes_total: Some(100),
            bytes_per_sec: 1.0,
            totals: Default::default(),
        }
    }

    #[test]
    fn only_the_newest_progress_of_each_job_is_kept_in_order() {
        let removed = QueueEvent::JobsRemoved {
            job_ids: vec!["c".into()],
            totals: Default::default(),
        };
        let batch = vec![
            progress("a", 10),
            progress("b", 5),
            removed.clone(),
            progress("a", 20),
            QueueEvent::Resumed,
            progress("a", 30),
        ];
        assert_eq!(
            coalesce(batch),
            vec![
                progress("b", 5),
                removed,
                QueueEvent::Resumed,
                progress("a", 30)
            ]
        );
    }

    #[tokio::test]
    async fn events_close_together_travel_in_one_batch() {
        let (tx, mut rx) = broadcast::channel(16);
        for i in 0..3 {
            tx.send(progress("a", i)).unwrap();
        }
        let (batch, lagged, closed) = next_batch(&mut rx).await;
        assert_eq!((batch.len(), lagged, closed), (3, None, false));
        drop(tx);
        let (batch, _, closed) = next_batch(&mut rx).await;
        assert!(batch.is_empty() && closed);
    }

    #[test]
    fn queue_errors_keep_their_message() {
        let e = queue_error(upload_queue::Error::UnknownJob("abc".into()));
        assert_eq!(e.kind(), "invalid_input");
        assert!(e.to_string().contains("abc"));
    }
}
