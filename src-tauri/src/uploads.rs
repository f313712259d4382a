//! Hosts the upload queue for the app: opens it with its journal in the app data folder,
//! hands it the current BeProduct client whenever the connection switches, and forwards
//! every `QueueEvent` to the UI unchanged as the Tauri event `upload://event`.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::broadcast::error::RecvError;
use upload_queue::{Queue, QueueConfig};

use crate::error::{AppError, AppResult};

/// The UI listens to this; payloads are `QueueEvent` JSON exactly as the queue made them.
pub const EVENT: &str = "upload://event";
/// Sent when the forwarder fell behind and dropped events: the UI reloads `upload_jobs`.
pub const EVENT_LAGGED: &str = "upload://lagged";
/// Journal file name inside the app data folder.
pub const JOURNAL_FILE: &str = "uploads.sqlite";

pub struct UploadHost {
    queue: Queue,
}

impl UploadHost {
    /// Opens the queue with its journal in `data_dir`. Must run inside the Tokio runtime.
    pub async fn open(data_dir: &Path) -> AppResult<UploadHost> {
        std::fs::create_dir_all(data_dir).map_err(|e| AppError::Io {
            message: format!(
                "Could not create the app data folder {} for the upload journal. Check its permissions.",
                data_dir.display()
            ),
            detail: e.to_string(),
        })?;
        let journal: PathBuf = data_dir.join(JOURNAL_FILE);
        let queue = Queue::open(QueueConfig::new(&journal))
            .await
            .map_err(queue_error)?;
        Ok(UploadHost { queue })
    }

    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Running jobs keep the client they started with; new steps use this one.
    pub fn set_client(&self, client: beproduct::Client) {
        self.queue.set_client(client);
    }

    /// Forwards queue events to the UI until the queue's sender is gone.
    pub fn forward_events<R: Runtime>(&self, app: AppHandle<R>) {
        let mut events = self.queue.subscribe();
        tauri::async_runtime::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => {
                        if let Err(e) = app.emit(EVENT, &event) {
                            tracing::warn!(error = %e, "could not send an upload event to the window");
                        }
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            missed,
                            "upload events dropped; asking the UI to reload the job list"
                        );
                        let _ = app.emit(EVENT_LAGGED, missed);
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }

    pub async fn shutdown(&self) {
        self.queue.shutdown().await;
    }
}

/// Queue errors at the IPC boundary: the queue's message already says what to do.
pub fn queue_error(e: upload_queue::Error) -> AppError {
    use upload_queue::Error as E;
    match e {
        E::UnknownJob(_) | E::WrongState { .. } | E::InvalidInput(_) => {
            AppError::invalid_input(e.to_string())
        }
        E::Journal(_) | E::JournalPath { .. } | E::JournalTooNew { .. } => AppError::Io {
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

    #[test]
    fn queue_errors_keep_their_message() {
        let e = queue_error(upload_queue::Error::UnknownJob("abc".into()));
        assert_eq!(e.kind(), "invalid_input");
        assert!(e.to_string().contains("abc"));
    }
}
