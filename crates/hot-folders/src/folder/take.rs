//! Taking complete files: each is journaled as being taken, checked to be an image by its
//! content (the queue's own rule), turned into a job by the caller's planner and enqueued
//! in one batch. Files the planner or the queue refuses move to `_rejected/` with a note.

use super::key_of;
use crate::config::HotFolderConfig;
use crate::error::Error;
use crate::journal::{FileKey, Journal};
use crate::moves;
use crate::outcomes;
use crate::settle::Ready;
use crate::shared::{Live, Shared};
use beproduct::{sniff_image, ACCEPTED_IMAGE_FORMATS};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use upload_queue::{JobRequest, Source};

/// A complete file with its journal key.
struct Taking {
    file: Ready,
    key: FileKey,
}

/// Takes `ready`; returns the files to settle and try again (the queue refused the whole
/// batch, e.g. while it is being shut down).
pub(crate) async fn take(
    shared: &Arc<Shared>,
    config: &HotFolderConfig,
    live: &Live,
    ready: Vec<Ready>,
) -> Vec<Ready> {
    let journal = shared.journal.clone();
    let hot_id = config.id.clone();
    let root = config.dir.clone();
    let images = tokio::task::spawn_blocking(move || begin(&journal, &hot_id, &root, ready))
        .await
        .unwrap_or_default();
    if images.is_empty() {
        return Vec::new();
    }

    let mut rejected: Vec<(Taking, String)> = Vec::new();
    let mut planned: Vec<(Taking, JobRequest)> = Vec::new();
    for t in images {
        match (shared.planner)(config.folder_id.clone(), t.file.path.clone()).await {
            Ok(req)
                if req.source
                    == (Source::Path {
                        path: t.file.path.clone(),
                    }) =>
            {
                planned.push((t, req))
            }
            Ok(req) => {
                let why = format!(
                    "the hot folder's naming rules made a job for another file ({:?}); report this as a bug.",
                    req.source
                );
                rejected.push((t, why));
            }
            Err(reason) => rejected.push((t, reason)),
        }
    }

    let requests: Vec<JobRequest> = planned.iter().map(|(_, r)| r.clone()).collect();
    let mut again = Vec::new();
    let mut accepted_ids = Vec::new();
    if !requests.is_empty() {
        match shared.queue.enqueue(requests).await {
            Err(e) => {
                tracing::warn!("hot folder {}: queue refused a batch: {e}", config.id);
                live.set_queue_problem(Some(Error::Queue(e).to_string()));
                for (t, _) in planned {
                    if let Err(e) = shared.journal.forget(&config.id, &t.key) {
                        tracing::warn!("hot folder {}: {e}", config.id);
                    }
                    again.push(t.file);
                }
            }
            Ok(report) => {
                live.set_queue_problem(None);
                let ids: HashMap<PathBuf, String> = report
                    .accepted
                    .into_iter()
                    .filter_map(|j| match j.source {
                        Source::Path { path } => Some((path, j.id)),
                        Source::Url { .. } => None,
                    })
                    .collect();
                let reasons: HashMap<String, String> = report
                    .rejected
                    .into_iter()
                    .map(|r| (r.path, r.reason))
                    .collect();
                for (t, _) in planned {
                    if let Some(id) = ids.get(&t.file.path) {
                        match shared.journal.set_taken(&config.id, &t.key, id) {
                            Ok(()) => accepted_ids.push(id.clone()),
                            Err(e) => tracing::warn!("hot folder {}: {e}", config.id),
                        }
                    } else {
                        let reason = reasons
                            .get(&t.file.path.display().to_string())
                            .cloned()
                            .unwrap_or_else(|| "the upload queue did not take it".to_owned());
                        rejected.push((t, reason));
                    }
                }
            }
        }
    }

    if !rejected.is_empty() {
        let journal = shared.journal.clone();
        let hot_id = config.id.clone();
        let root = config.dir.clone();
        let _ =
            tokio::task::spawn_blocking(move || reject(&journal, &hot_id, &root, rejected)).await;
    }
    // A job may have changed before its id was journaled: ask the queue where it is now.
    for id in accepted_ids {
        let state = shared.queue.job(&id).map(|j| j.state);
        outcomes::apply(shared, &id, state).await;
    }
    again
}

/// Journals each file as being taken and keeps the images; a file that is not an image by
/// its content is journaled as ignored and left where it is.
fn begin(
    journal: &Journal,
    hot_id: &str,
    root: &std::path::Path,
    ready: Vec<Ready>,
) -> Vec<Taking> {
    let mut images = Vec::new();
    for file in ready {
        let Some(key) = key_of(root, &file.path, file.size, file.mtime_ns) else {
            continue;
        };
        let step = || -> crate::Result<Option<Taking>> {
            if journal.blocks(hot_id, &key)? {
                return Ok(None);
            }
            journal.begin_take(hot_id, &key)?;
            match upload_queue::preflight::read_head(&file.path) {
                Ok(head) if sniff_image(&head).is_some() => Ok(Some(Taking {
                    file: file.clone(),
                    key: key.clone(),
                })),
                Ok(_) => {
                    let why = format!(
                        "not an image by its content; accepted are {ACCEPTED_IMAGE_FORMATS}"
                    );
                    journal.set_ignored(hot_id, &key, &why)?;
                    Ok(None)
                }
                // Gone or unreadable since it settled: its next event brings it back.
                Err(_) => {
                    journal.forget(hot_id, &key)?;
                    Ok(None)
                }
            }
        };
        match step() {
            Ok(Some(t)) => images.push(t),
            Ok(None) => {}
            Err(e) => tracing::warn!("hot folder {hot_id}: {e}"),
        }
    }
    images
}

/// Moves each refused file (if it is still the file that was judged) to `_rejected/` with
/// its note, and journals the reason.
fn reject(
    journal: &Journal,
    hot_id: &str,
    root: &std::path::Path,
    rejected: Vec<(Taking, String)>,
) {
    let now = chrono::Local::now();
    for (t, reason) in rejected {
        let unchanged = upload_queue::preflight::stat(&t.file.path)
            .is_ok_and(|s| s == (t.key.size, t.key.mtime_ns));
        let moved = if unchanged {
            match moves::reject(root, std::path::Path::new(&t.key.rel), &reason, now) {
                Ok(to) => Some(to.to_string_lossy().into_owned()),
                Err(e) => {
                    tracing::warn!(
                        "hot folder {hot_id}: cannot move {} to {}: {e}",
                        t.file.path.display(),
                        crate::filter::REJECTED_DIR
                    );
                    None
                }
            }
        } else {
            None
        };
        if let Err(e) = journal.set_rejected(hot_id, &t.key, &reason, moved.as_deref()) {
            tracing::warn!("hot folder {hot_id}: {e}");
        }
    }
}
