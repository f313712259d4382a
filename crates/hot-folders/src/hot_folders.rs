//! The public handle: open the saved hot folders, add and remove them, list their status
//! and follow its changes.

use crate::config::{HotFolderConfig, Planner, Timing};
use crate::error::{Error, Result};
use crate::folder;
use crate::journal::Journal;
use crate::lock::StateLock;
use crate::outcomes;
use crate::shared::{lock, Live, Running, Shared};
use crate::status::{HotFolderEvent, HotFolderStatus};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use upload_queue::Queue;

/// The journal's file name in the state folder.
const JOURNAL_FILE: &str = "hot-folders.sqlite";

/// The running hot folders. Cheap to clone; all clones drive the same folders.
#[derive(Clone)]
pub struct HotFolders {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    listener: Mutex<Option<JoinHandle<()>>>,
    state_lock: Mutex<Option<StateLock>>,
    closed: AtomicBool,
}

impl Drop for Inner {
    /// Dropped without `close`: the tasks are told to stop and end by themselves.
    fn drop(&mut self) {
        for f in lock(&self.shared.folders).drain(..) {
            let _ = f.stop.send(true);
        }
        if let Some(l) = lock(&self.listener).take() {
            l.abort();
        }
    }
}

impl HotFolders {
    /// Opens the hot folders saved in `state_dir` (created if needed) and starts watching
    /// them: files that arrived while they were closed are taken, files already taken are
    /// not. Jobs the queue finished meanwhile are recorded. Only one process at a time can
    /// run the hot folders of a state folder (`Error::InUse`). Must be called inside a
    /// Tokio runtime.
    pub async fn open(
        state_dir: impl Into<PathBuf>,
        queue: Queue,
        planner: Planner,
        timing: Timing,
    ) -> Result<HotFolders> {
        if timing.poll.is_zero() {
            return Err(Error::InvalidInput(
                "Timing::poll must be longer than zero.".into(),
            ));
        }
        let state_dir = state_dir.into();
        std::fs::create_dir_all(&state_dir).map_err(|e| Error::StatePath {
            path: state_dir.clone(),
            message: format!("cannot create it: {e}"),
        })?;
        let state_lock = StateLock::acquire(&state_dir)?;
        let journal = Arc::new(Journal::open(&state_dir.join(JOURNAL_FILE))?);
        // Subscribe before looking at the queue, so no change falls in between.
        let queue_events = queue.subscribe();
        let paused = queue.totals().paused.then(|| {
            "The upload queue is paused (offline or signed out); files wait in it until it resumes.".to_owned()
        });
        let shared = Arc::new(Shared::new(queue, planner, timing, journal, paused));
        outcomes::recover_taking(&shared)?;
        for config in shared.journal.folders()? {
            start(&shared, &mut lock(&shared.folders), config);
        }
        outcomes::reconcile(&shared).await?;
        let listener = tokio::spawn(outcomes::listen(shared.clone(), queue_events));
        Ok(HotFolders {
            inner: Arc::new(Inner {
                shared,
                listener: Mutex::new(Some(listener)),
                state_lock: Mutex::new(Some(state_lock)),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// Saves a new hot folder and starts watching it; everything already in it is taken.
    /// `config.dir` must exist; it is stored as its canonical path (absolute on Windows).
    pub async fn add(&self, config: HotFolderConfig) -> Result<HotFolderStatus> {
        self.check_open()?;
        if config.id.trim().is_empty() {
            return Err(Error::InvalidInput(
                "a hot folder needs an id; give it one.".into(),
            ));
        }
        if config.folder_id.trim().is_empty() {
            return Err(Error::InvalidInput(format!(
                "hot folder {} has no BeProduct folder to upload to; choose one.",
                config.id
            )));
        }
        let dir = canonical_dir(&config.dir).await?;
        let config = HotFolderConfig { dir, ..config };
        let shared = &self.inner.shared;
        {
            let mut folders = lock(&shared.folders);
            if folders.iter().any(|f| f.config.id == config.id) {
                return Err(Error::DuplicateId(config.id));
            }
            if let Some(other) = folders.iter().find(|f| {
                f.config.dir.starts_with(&config.dir) || config.dir.starts_with(&f.config.dir)
            }) {
                return Err(Error::Overlap {
                    dir: config.dir,
                    other_id: other.config.id.clone(),
                    other_dir: other.config.dir.clone(),
                });
            }
            shared.journal.add_folder(&config)?;
            start(shared, &mut folders, config.clone());
        }
        shared.publish(&config.id);
        shared
            .status(&config.id)
            .ok_or_else(|| Error::UnknownFolder(config.id))
    }

    /// Stops watching the folder and forgets it, with what it took (adding it again takes
    /// its files anew). Its files stay where they are; its jobs stay in the queue.
    pub async fn remove(&self, id: &str) -> Result<()> {
        self.check_open()?;
        let shared = &self.inner.shared;
        let running = {
            let mut folders = lock(&shared.folders);
            let at = folders
                .iter()
                .position(|f| f.config.id == id)
                .ok_or_else(|| Error::UnknownFolder(id.to_owned()))?;
            folders.remove(at)
        };
        stop(running).await;
        shared.journal.remove_folder(id)?;
        shared.removed(id);
        Ok(())
    }

    /// Every hot folder's status, in the order they were added.
    pub fn list(&self) -> Vec<HotFolderStatus> {
        let shared = &self.inner.shared;
        shared
            .ids()
            .iter()
            .filter_map(|id| shared.status(id))
            .collect()
    }

    pub fn status(&self, id: &str) -> Option<HotFolderStatus> {
        self.inner.shared.status(id)
    }

    /// Status changes (state or counts) of every hot folder, and removals. A receiver that
    /// lags gets `Lagged`; reload with `list()`.
    pub fn subscribe(&self) -> broadcast::Receiver<HotFolderEvent> {
        self.inner.shared.subscribe()
    }

    /// Stops watching (a take in progress finishes first) and lets go of the state folder,
    /// so it can be opened again. The queue is not touched.
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        let running: Vec<Running> = lock(&self.inner.shared.folders).drain(..).collect();
        for r in running {
            stop(r).await;
        }
        let listener = lock(&self.inner.listener).take();
        if let Some(l) = listener {
            l.abort();
            let _ = l.await;
        }
        lock(&self.inner.state_lock).take();
    }

    fn check_open(&self) -> Result<()> {
        match self.inner.closed.load(Ordering::SeqCst) {
            true => Err(Error::Closed),
            false => Ok(()),
        }
    }
}

fn start(shared: &Arc<Shared>, folders: &mut Vec<Running>, config: HotFolderConfig) {
    let live = Arc::new(Live::default());
    let (stop, stopped) = watch::channel(false);
    let task = folder::spawn(shared.clone(), config.clone(), live.clone(), stopped);
    folders.push(Running {
        config,
        live,
        stop,
        task,
    });
}

async fn stop(running: Running) {
    let _ = running.stop.send(true);
    let _ = running.task.await;
}

/// The folder as stored: canonical (so overlaps are found through links), except on
/// Windows, where canonical paths carry the `\\?\` prefix into every message and note.
async fn canonical_dir(dir: &Path) -> Result<PathBuf> {
    let not_a_folder = || Error::NotAFolder {
        dir: dir.to_path_buf(),
    };
    let stored = if cfg!(windows) {
        std::path::absolute(dir).map_err(|_| not_a_folder())?
    } else {
        tokio::fs::canonicalize(dir)
            .await
            .map_err(|_| not_a_folder())?
    };
    match tokio::fs::metadata(&stored).await {
        Ok(meta) if meta.is_dir() => Ok(stored),
        _ => Err(not_a_folder()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app keeps `HotFolders` in its state and awaits these in async commands.
    #[allow(dead_code)]
    fn handle_and_futures_are_send(hot: HotFolders, queue: Queue, planner: Planner) {
        fn send<T: Send + Sync>(_: &T) {}
        fn future<T: Send>(_: T) {}
        send(&hot);
        future(HotFolders::open("x", queue, planner, Timing::default()));
        future(hot.add(HotFolderConfig {
            id: "x".into(),
            dir: "x".into(),
            folder_id: "x".into(),
            move_uploaded: false,
        }));
        future(hot.remove("x"));
        future(hot.close());
    }
}
