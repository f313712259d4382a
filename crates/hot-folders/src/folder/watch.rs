//! The file-system watcher of one hot folder: `notify`'s recommended backend (inotify,
//! FSEvents, ReadDirectoryChangesW) behind the full debouncer, recursive, sending its
//! batches into the folder's channel.

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

pub(crate) type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Starts watching `root`; the error is the backend's message.
pub(crate) fn start(
    root: &Path,
    debounce: Duration,
    events: UnboundedSender<DebounceEventResult>,
) -> Result<Watcher, String> {
    let mut debouncer = new_debouncer(debounce, None, move |batch: DebounceEventResult| {
        // The folder's task is gone when it was stopped: nothing to tell then.
        let _ = events.send(batch);
    })
    .map_err(|e| e.to_string())?;
    debouncer
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| e.to_string())?;
    Ok(debouncer)
}
