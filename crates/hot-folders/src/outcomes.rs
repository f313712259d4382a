//! What became of taken files: the queue's events (and, after a restart or a lagging
//! receiver, its job list) are written to the journal; a file whose upload is done moves
//! to `_uploaded/` when its folder asks for it. The queue's pauses show in every status.

use crate::error::Result;
use crate::filter::UPLOADED_DIR;
use crate::journal::{FileKey, JobOutcome, RowState};
use crate::moves;
use crate::shared::Shared;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use upload_queue::{JobState, QueueEvent, Source};

/// The journal's view of a job state (`None`: the queue no longer lists the job).
pub(crate) fn outcome_of(state: Option<&JobState>) -> JobOutcome {
    let Some(state) = state else {
        return JobOutcome::Failed(
            "its upload job was removed from the upload list before it finished; change or copy the file again to upload it.".into(),
        );
    };
    match state {
        JobState::Done => JobOutcome::Done,
        JobState::Failed { reason, .. } => JobOutcome::Failed(format!(
            "the upload failed: {reason} Retry it in the upload list."
        )),
        JobState::Cancelled => {
            JobOutcome::Failed("its upload was cancelled in the upload list.".into())
        }
        JobState::Duplicate => JobOutcome::Failed(
            "the same picture is already being uploaded to this folder; it was not sent twice (Send anyway in the upload list sends it).".into(),
        ),
        JobState::Changed => JobOutcome::Failed(
            "it changed after it was queued; the changed file is taken as a new upload.".into(),
        ),
        JobState::MayHaveLanded => JobOutcome::Failed(
            "its upload may have reached the server; check the image and decide in the upload list.".into(),
        ),
        _ => JobOutcome::Pending,
    }
}

/// Journals where the job is now; moves the file when its upload just finished.
pub(crate) async fn apply(shared: &Arc<Shared>, job_id: &str, state: Option<JobState>) {
    let change = match shared
        .journal
        .apply_job(job_id, &outcome_of(state.as_ref()))
    {
        Ok(Some(change)) => change,
        Ok(None) => return,
        Err(e) => return tracing::warn!("hot folders: journaling job {job_id}: {e}"),
    };
    if change.uploaded {
        move_uploaded(shared, &change.hot_id, change.key).await;
    }
    shared.publish(&change.hot_id);
}

/// Moves an uploaded file to `_uploaded/` if its folder asks for it and the file there is
/// still the one uploaded (not replaced since).
async fn move_uploaded(shared: &Arc<Shared>, hot_id: &str, key: FileKey) {
    let Some(config) = shared.config(hot_id).filter(|c| c.move_uploaded) else {
        return;
    };
    let journal = shared.journal.clone();
    let hot_id = hot_id.to_owned();
    let _ = tokio::task::spawn_blocking(move || {
        let rel = Path::new(&key.rel);
        let path = config.dir.join(rel);
        let same =
            upload_queue::preflight::stat(&path).is_ok_and(|s| s == (key.size, key.mtime_ns));
        if !same {
            return;
        }
        match moves::move_into(&config.dir, rel, UPLOADED_DIR) {
            Ok(to) => {
                if let Err(e) = journal.set_moved(&hot_id, &key, &to.to_string_lossy()) {
                    tracing::warn!("hot folder {hot_id}: {e}");
                }
            }
            Err(e) => tracing::warn!(
                "hot folder {hot_id}: cannot move {} to {UPLOADED_DIR}: {e}",
                path.display()
            ),
        }
    })
    .await;
}

/// Follows the queue until it closes or the hot folders are closed.
pub(crate) async fn listen(shared: Arc<Shared>, mut events: Receiver<QueueEvent>) {
    loop {
        match events.recv().await {
            Ok(QueueEvent::JobChanged { job, .. }) => {
                apply(&shared, &job.id, Some(job.state)).await;
            }
            Ok(QueueEvent::JobsRemoved { job_ids, .. }) => {
                for id in job_ids {
                    apply(&shared, &id, None).await;
                }
            }
            Ok(QueueEvent::Paused { reason }) => shared.set_paused(Some(reason)),
            Ok(QueueEvent::Resumed) => shared.set_paused(None),
            Ok(_) => {}
            Err(RecvError::Lagged(n)) => {
                tracing::info!("hot folders: {n} queue events missed; reading the job list");
                if let Err(e) = reconcile(&shared).await {
                    tracing::warn!("hot folders: {e}");
                }
            }
            Err(RecvError::Closed) => break,
        }
    }
}

/// Brings the journal up to date with the queue: at open (the queue may have finished
/// jobs while the hot folders were closed) and after missed events.
pub(crate) async fn reconcile(shared: &Arc<Shared>) -> Result<()> {
    for row in shared
        .journal
        .rows_in(&[RowState::Taken, RowState::Failed])?
    {
        if let Some(id) = row.job_id {
            let state = shared.queue.job(&id).map(|j| j.state);
            apply(shared, &id, state).await;
        }
    }
    // A move interrupted by a close or a crash is done now.
    for row in shared.journal.rows_in(&[RowState::Uploaded])? {
        if row.moved_to.is_none() {
            move_uploaded(shared, &row.hot_id, row.key).await;
        }
    }
    Ok(())
}

/// Rows left `taking` by a crash between journaling and enqueueing: if the queue has a job
/// for that very file (same path and size, created after the take began), the row gets it;
/// otherwise the row goes and the file is taken again.
/// Only at open, before the folders start: later, `taking` rows are takes in progress.
pub(crate) fn recover_taking(shared: &Shared) -> Result<()> {
    let rows = shared.journal.rows_in(&[RowState::Taking])?;
    if rows.is_empty() {
        return Ok(());
    }
    let jobs = shared.queue.jobs();
    let folders = shared.journal.folders()?;
    for row in rows {
        let Some(config) = folders.iter().find(|c| c.id == row.hot_id) else {
            continue;
        };
        let path = config.dir.join(&row.key.rel);
        let job = jobs.iter().find(|j| {
            j.source == (Source::Path { path: path.clone() })
                && j.size == Some(row.key.size)
                && j.created_at_ms >= row.updated_at_ms
        });
        match job {
            Some(j) => shared.journal.set_taken(&row.hot_id, &row.key, &j.id)?,
            None => shared.journal.forget(&row.hot_id, &row.key)?,
        }
    }
    Ok(())
}
