//! The synchronous side of one hot folder: it keeps the folder watched (starting the
//! watcher again when a missing folder comes back), turns events and scans into files to
//! settle, and hands out the ones that are complete. Its methods do blocking file-system
//! and journal work, so the folder's task runs them on the blocking pool.

use super::watch::{self, Watcher};
use crate::error::Error;
use crate::filter::{is_candidate, is_skipped_dir};
use crate::journal::{FileKey, Journal};
use crate::scan::walk;
use crate::settle::{Ready, Tracker};
use crate::shared::Live;
use notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::DebounceEventResult;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// How long to wait before trying again to watch a folder the watcher refused.
const WATCH_RETRY: Duration = Duration::from_secs(5);

pub(crate) struct Observer {
    pub hot_id: String,
    pub root: PathBuf,
    journal: Arc<Journal>,
    live: Arc<Live>,
    tracker: Tracker,
    debounce: Duration,
    events: UnboundedSender<DebounceEventResult>,
    watcher: Option<Watcher>,
    retry_at: Instant,
}

/// The journal's key for a file under `root`.
pub(crate) fn key_of(root: &Path, path: &Path, size: u64, mtime_ns: i64) -> Option<FileKey> {
    let rel = path.strip_prefix(root).ok()?;
    Some(FileKey {
        rel: rel.to_string_lossy().into_owned(),
        size,
        mtime_ns,
    })
}

impl Observer {
    pub fn new(
        hot_id: String,
        root: PathBuf,
        journal: Arc<Journal>,
        live: Arc<Live>,
        settle: Duration,
        debounce: Duration,
        events: UnboundedSender<DebounceEventResult>,
    ) -> Observer {
        Observer {
            hot_id,
            root,
            journal,
            live,
            tracker: Tracker::new(settle),
            debounce,
            events,
            watcher: None,
            retry_at: Instant::now(),
        }
    }

    /// Files seen by the watcher: each path is looked at as it is now.
    pub fn on_events(&mut self, batches: Vec<DebounceEventResult>) {
        let now = Instant::now();
        let mut rescan = false;
        for batch in batches {
            match batch {
                Ok(events) => {
                    for event in events {
                        // The backend dropped events (inotify queue overflow…): walk again.
                        rescan |= event.need_rescan();
                        // The folder itself went or was renamed: its watch is dead even if
                        // a new folder of that name is there by the next tick.
                        if self.watcher.is_some()
                            && event.paths.iter().any(|p| p == &self.root)
                            && matches!(
                                event.kind,
                                EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
                            )
                        {
                            self.watcher = None;
                        }
                        for path in &event.paths {
                            self.look_at(path, now);
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        tracing::warn!("hot folder {}: watcher error: {e}", self.hot_id);
                    }
                    rescan = true;
                }
            }
        }
        if rescan {
            if let Err(e) = self.rescan(now) {
                // `tick` watches it again (and clears this) once it can be read.
                self.watcher = None;
                self.live.set_folder_problem(Some(e.to_string()));
            }
        }
        self.report();
    }

    /// Keeps the folder watched and returns the files that are complete.
    pub fn tick(&mut self) -> Vec<Ready> {
        let now = Instant::now();
        self.keep_watching(now);
        let ready = self.tracker.poll(now);
        self.report();
        ready
    }

    /// Files to settle again (the queue refused their batch).
    pub fn retry(&mut self, files: Vec<Ready>) {
        let now = Instant::now();
        for f in files {
            self.tracker.touch(&f.path, f.size, f.mtime_ns, now);
        }
        self.report();
    }

    fn report(&self) {
        self.live
            .settling
            .store(self.tracker.len() as u64, Ordering::Relaxed);
    }

    fn keep_watching(&mut self, now: Instant) {
        match std::fs::metadata(&self.root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return self.lost(self.gone()),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                return self.lost(self.gone())
            }
            Err(e) => {
                return self.lost(Error::FolderUnreadable {
                    dir: self.root.clone(),
                    message: e.to_string(),
                })
            }
        }
        if self.watcher.is_some() || now < self.retry_at {
            return;
        }
        // Watch first, then walk: a file arriving in between is seen by one or the other.
        let watch_problem = match watch::start(&self.root, self.debounce, self.events.clone()) {
            Ok(w) => {
                self.watcher = Some(w);
                None
            }
            Err(message) => {
                self.retry_at = now + WATCH_RETRY;
                Some(
                    Error::WatchFailed {
                        dir: self.root.clone(),
                        message,
                    }
                    .to_string(),
                )
            }
        };
        match self.rescan(now) {
            Ok(()) => self.live.set_folder_problem(watch_problem),
            Err(e) => {
                self.watcher = None;
                self.retry_at = now + WATCH_RETRY;
                self.live.set_folder_problem(Some(e.to_string()));
            }
        }
    }

    fn gone(&self) -> Error {
        Error::FolderGone {
            dir: self.root.clone(),
        }
    }

    /// The folder is gone or unreadable: stop watching until it is back.
    fn lost(&mut self, problem: Error) {
        self.watcher = None;
        self.tracker.clear();
        self.live.set_folder_problem(Some(problem.to_string()));
    }

    /// Catch-up: every file in the folder not taken yet is settled.
    fn rescan(&mut self, now: Instant) -> Result<(), Error> {
        let found = walk(&self.root).map_err(|e| Error::FolderUnreadable {
            dir: self.root.clone(),
            message: e.to_string(),
        })?;
        for f in found {
            self.consider(&f.path, f.size, f.mtime_ns, now);
        }
        Ok(())
    }

    fn look_at(&mut self, path: &Path, now: Instant) {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return;
        };
        if !is_candidate(rel) {
            return;
        }
        let Ok(meta) = std::fs::metadata(path) else {
            // Gone again (a rename's old name, a deleted temporary file).
            return;
        };
        if meta.is_dir() {
            // A folder moved or copied in: its files may predate the watch on it.
            if rel.file_name().is_some_and(|n| !is_skipped_dir(n)) {
                match walk(path) {
                    Ok(found) => {
                        for f in found {
                            self.consider(&f.path, f.size, f.mtime_ns, now);
                        }
                    }
                    Err(e) => tracing::warn!("hot folder: cannot read {}: {e}", path.display()),
                }
            }
        } else if meta.is_file() {
            if let Ok((size, mtime_ns)) = upload_queue::preflight::stat(path) {
                self.consider(path, size, mtime_ns, now);
            }
        }
    }

    /// Settles the file unless this very file (same size and mtime) was taken already.
    fn consider(&mut self, path: &Path, size: u64, mtime_ns: i64, now: Instant) {
        if self.tracker.contains(path) {
            return self.tracker.touch(path, size, mtime_ns, now);
        }
        let Some(key) = key_of(&self.root, path, size, mtime_ns) else {
            return;
        };
        match self.journal.blocks(&self.hot_id, &key) {
            Ok(false) => self.tracker.touch(path, size, mtime_ns, now),
            Ok(true) => {}
            Err(e) => tracing::warn!("hot folder {}: {e}", self.hot_id),
        }
    }
}
