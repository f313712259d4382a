//! Watches the working folder (recursive, debounced: an editor's save is many writes, or a
//! write to a temporary file renamed over the copy) and hands each settled batch of touched
//! paths to a callback, on the debouncer's thread. The callback decides what they mean
//! (`Registry::refresh`); events are only a hint, the file's content is the truth.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::error::{Error, Result};

/// A save is taken as finished after this long without further events.
pub const SETTLE: Duration = Duration::from_millis(400);

/// Stops watching when dropped.
pub struct FolderWatch {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

impl FolderWatch {
    /// Starts watching `root` (which must exist). `on_paths` gets the paths of each batch
    /// (possibly empty when the backend only said "something changed": look at everything).
    pub fn start(
        root: &Path,
        settle: Duration,
        on_paths: impl Fn(Vec<PathBuf>) + Send + 'static,
    ) -> Result<FolderWatch> {
        let mut debouncer = new_debouncer(settle, None, move |batch: DebounceEventResult| {
            let paths = match batch {
                Ok(events) => events.into_iter().flat_map(|e| e.event.paths).collect(),
                Err(errors) => {
                    for e in errors {
                        tracing::warn!(error = %e, "watching the working folder");
                    }
                    Vec::new()
                }
            };
            on_paths(paths);
        })
        .map_err(|e| Error::io(root, e))?;
        debouncer
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| Error::io(root, format!("cannot be watched for saves ({e})")))?;
        Ok(FolderWatch {
            _debouncer: debouncer,
        })
    }
}
