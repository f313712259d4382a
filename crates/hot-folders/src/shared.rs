//! What the public handle, the folder watchers and the queue listener share: the queue,
//! the planner, the journal, the running folders and the status broadcast.

use crate::config::{HotFolderConfig, Planner, Timing};
use crate::journal::Journal;
use crate::status::{FolderState, HotFolderEvent, HotFolderStatus};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use upload_queue::Queue;

/// What a running folder reports about itself.
#[derive(Default)]
pub(crate) struct Live {
    /// The folder is missing, unreadable or cannot be watched.
    pub folder_problem: Mutex<Option<String>>,
    /// The queue refused the last batch as a whole.
    pub queue_problem: Mutex<Option<String>>,
    pub settling: AtomicU64,
}

impl Live {
    pub fn set_folder_problem(&self, problem: Option<String>) {
        *lock(&self.folder_problem) = problem;
    }

    pub fn set_queue_problem(&self, problem: Option<String>) {
        *lock(&self.queue_problem) = problem;
    }

    /// What the folder's own report holds, to tell whether its status may have changed.
    pub fn fingerprint(&self) -> (u64, Option<String>, Option<String>) {
        (
            self.settling.load(Ordering::Relaxed),
            lock(&self.folder_problem).clone(),
            lock(&self.queue_problem).clone(),
        )
    }

    fn problem(&self) -> Option<String> {
        lock(&self.folder_problem)
            .clone()
            .or_else(|| lock(&self.queue_problem).clone())
    }
}

/// A running hot folder: its settings, its report and how to stop its watcher.
pub(crate) struct Running {
    pub config: HotFolderConfig,
    pub live: Arc<Live>,
    pub stop: watch::Sender<bool>,
    pub task: JoinHandle<()>,
}

pub(crate) struct Shared {
    pub queue: Queue,
    pub planner: Planner,
    pub timing: Timing,
    pub journal: Arc<Journal>,
    events: broadcast::Sender<HotFolderEvent>,
    /// The queue's pause reason while it is paused.
    paused: Mutex<Option<String>>,
    /// In the order they were added.
    pub folders: Mutex<Vec<Running>>,
    /// The last status sent per folder, so only changes are sent.
    sent: Mutex<HashMap<String, HotFolderStatus>>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn new(
        queue: Queue,
        planner: Planner,
        timing: Timing,
        journal: Arc<Journal>,
        paused: Option<String>,
    ) -> Shared {
        Shared {
            queue,
            planner,
            timing,
            journal,
            events: broadcast::channel(1024).0,
            paused: Mutex::new(paused),
            folders: Mutex::new(Vec::new()),
            sent: Mutex::new(HashMap::new()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<HotFolderEvent> {
        self.events.subscribe()
    }

    pub fn config(&self, id: &str) -> Option<HotFolderConfig> {
        lock(&self.folders)
            .iter()
            .find(|f| f.config.id == id)
            .map(|f| f.config.clone())
    }

    pub fn ids(&self) -> Vec<String> {
        lock(&self.folders)
            .iter()
            .map(|f| f.config.id.clone())
            .collect()
    }

    pub fn status(&self, id: &str) -> Option<HotFolderStatus> {
        let (config, live) = {
            let folders = lock(&self.folders);
            let f = folders.iter().find(|f| f.config.id == id)?;
            (f.config.clone(), f.live.clone())
        };
        let state = match (live.problem(), lock(&self.paused).clone()) {
            (Some(reason), _) => FolderState::Error { reason },
            (None, Some(reason)) => FolderState::Paused { reason },
            (None, None) => FolderState::Watching,
        };
        let mut counts = self.journal.counts(id).unwrap_or_else(|e| {
            tracing::warn!("hot folder {id}: counts unavailable: {e}");
            Default::default()
        });
        counts.settling = live.settling.load(Ordering::Relaxed);
        Some(HotFolderStatus {
            id: config.id,
            dir: config.dir,
            folder_id: config.folder_id,
            move_uploaded: config.move_uploaded,
            state,
            counts,
        })
    }

    /// Sends the folder's status if it differs from the last one sent.
    pub fn publish(&self, id: &str) {
        let Some(status) = self.status(id) else {
            return;
        };
        let mut sent = lock(&self.sent);
        if sent.get(id) == Some(&status) {
            return;
        }
        sent.insert(id.to_owned(), status.clone());
        // Nobody listening is fine: `list()` gives the same.
        let _ = self.events.send(HotFolderEvent::Changed { status });
    }

    pub fn publish_all(&self) {
        for id in self.ids() {
            self.publish(&id);
        }
    }

    pub fn removed(&self, id: &str) {
        lock(&self.sent).remove(id);
        let _ = self
            .events
            .send(HotFolderEvent::Removed { id: id.to_owned() });
    }

    pub fn set_paused(&self, reason: Option<String>) {
        *lock(&self.paused) = reason;
        self.publish_all();
    }
}
