//! The user's decisions on jobs: cancel, retry, send a duplicate anyway, clear finished
//! jobs, and resume or discard what an earlier run left unfinished.

use super::{Job, Queue, State};
use crate::error::{Error, Result};
use crate::events::QueueEvent;
use crate::job::{JobId, JobState, JobSummary, Source};
use crate::journal::{now_ms, JobRecord};
use crate::{preflight, recovery};
use std::collections::HashSet;

impl Queue {
    fn state_of(&self, id: &str) -> Result<(JobState, bool)> {
        let st = self.inner.lock();
        let job = st
            .jobs
            .get(id)
            .ok_or_else(|| Error::UnknownJob(id.into()))?;
        Ok((job.rec.state.clone(), job.interrupted))
    }

    fn wrong_state(
        id: &str,
        state: &JobState,
        action: &'static str,
        allowed: &'static str,
    ) -> Error {
        Error::WrongState {
            id: id.into(),
            state: state.name().into(),
            action,
            allowed,
        }
    }

    /// Cancels a queued, running or processing job; a running upload is aborted. What the
    /// server may already have is recorded, so a later retry checks before sending.
    pub fn cancel(&self, id: &str) -> Result<JobSummary> {
        let (state, _) = self.state_of(id)?;
        if state.is_finished() {
            return Err(Self::wrong_state(
                id,
                &state,
                "cancel",
                "queued, running or processing",
            ));
        }
        let task = self
            .inner
            .lock()
            .jobs
            .get_mut(id)
            .and_then(|j| j.task.take());
        if let Some(task) = task {
            task.abort();
        }
        self.inner.update(id, |j| {
            j.rec.state = JobState::Cancelled;
            j.interrupted = false;
            j.bytes_sent = 0;
        })?;
        self.inner.dispatch.notify_one();
        self.job(id).ok_or_else(|| Error::UnknownJob(id.into()))
    }

    /// Queues a failed, cancelled or changed job again (a changed file is checked and hashed
    /// anew). A job whose upload the server has (upload id known) goes back to polling.
    pub async fn retry(&self, id: &str) -> Result<JobSummary> {
        let (state, _) = self.state_of(id)?;
        if !matches!(
            state,
            JobState::Failed { .. } | JobState::Cancelled | JobState::Changed
        ) {
            return Err(Self::wrong_state(
                id,
                &state,
                "retry",
                "failed, cancelled or changed",
            ));
        }
        let rec = self
            .inner
            .record(id)
            .ok_or_else(|| Error::UnknownJob(id.into()))?;
        let mut fresh = None;
        if let Source::Path { path } = &rec.source {
            if rec.upload_id.is_none() && recovery::file_change(&rec, false).is_some() {
                let (path, max) = (path.clone(), self.inner.config.max_file_bytes);
                let facts = tokio::task::spawn_blocking(move || preflight::check_file(&path, max))
                    .await
                    .map_err(|e| Error::InvalidInput(format!("checking the file stopped: {e}")))?;
                match facts {
                    Ok(f) => fresh = Some(f),
                    Err(reason) => {
                        self.inner.set_state(id, JobState::Failed { reason })?;
                        return self.job(id).ok_or_else(|| Error::UnknownJob(id.into()));
                    }
                }
            }
        }
        let next = if rec.upload_id.is_some() {
            JobState::Processing
        } else {
            JobState::Queued
        };
        self.inner.update(id, |j| {
            if let Some(f) = fresh {
                j.rec.size = Some(f.size);
                j.rec.mtime_ns = Some(f.mtime_ns);
                j.rec.sha256 = Some(f.sha256);
            }
            j.rec.state = next;
            j.rec.attempts = 0;
            j.bytes_sent = 0;
        })?;
        self.inner.dispatch.notify_one();
        self.inner.poll.notify_one();
        self.job(id).ok_or_else(|| Error::UnknownJob(id.into()))
    }

    /// Retries every failed job; returns how many were queued again.
    pub async fn retry_all_failed(&self) -> Result<usize> {
        let failed: Vec<JobId> = self
            .jobs()
            .into_iter()
            .filter(|j| matches!(j.state, JobState::Failed { .. }))
            .map(|j| j.id)
            .collect();
        for id in &failed {
            self.retry(id).await?;
        }
        Ok(failed.len())
    }

    /// Sends a job flagged `Duplicate` after all.
    pub fn send_anyway(&self, id: &str) -> Result<JobSummary> {
        let (state, _) = self.state_of(id)?;
        if state != JobState::Duplicate {
            return Err(Self::wrong_state(id, &state, "send anyway", "a duplicate"));
        }
        self.inner.update(id, |j| {
            j.rec.state = JobState::Queued;
            j.rec.send_anyway = true;
        })?;
        self.inner.dispatch.notify_one();
        self.job(id).ok_or_else(|| Error::UnknownJob(id.into()))
    }

    /// Removes finished jobs (done, failed, cancelled, duplicate, changed) from the list.
    /// The journal keeps them hidden so uploaded content is still recognised as a duplicate.
    pub fn clear_finished(&self) -> Result<Vec<JobId>> {
        self.remove_where(|j| j.rec.state.is_finished() && !j.interrupted, None)
    }

    fn remove_where(
        &self,
        pick: impl Fn(&Job) -> bool,
        new_state: Option<JobState>,
    ) -> Result<Vec<JobId>> {
        let (ids, totals) = {
            let mut st = self.inner.lock();
            let picked: Vec<JobRecord> = st
                .jobs
                .values()
                .filter(|j| pick(j))
                .map(|j| {
                    let mut r = j.rec.clone();
                    r.cleared = true;
                    r.updated_at_ms = now_ms();
                    if let Some(s) = &new_state {
                        r.state = s.clone();
                    }
                    r
                })
                .collect();
            self.inner.journal.save_all(&picked)?;
            let ids: Vec<JobId> = picked.into_iter().map(|r| r.id).collect();
            for id in &ids {
                st.jobs.remove(id);
            }
            let State { order, jobs } = &mut *st;
            order.retain(|id| jobs.contains_key(id));
            (ids, st.totals(self.inner.is_paused()))
        };
        if !ids.is_empty() {
            self.inner.emit(QueueEvent::JobsRemoved {
                job_ids: ids.clone(),
                totals,
            });
        }
        Ok(ids)
    }

    /// Jobs an earlier run left unfinished (found in the journal at `open`).
    pub fn interrupted(&self) -> Vec<JobSummary> {
        self.jobs().into_iter().filter(|j| j.interrupted).collect()
    }

    /// Continues interrupted jobs: uploads the server has are polled again, creates and
    /// uploads that may have reached it are checked first, and files changed on disk
    /// since they were queued are flagged `Changed` instead of sent.
    pub async fn resume_interrupted(&self) -> Result<Vec<JobSummary>> {
        let records: Vec<JobRecord> = {
            let st = self.inner.lock();
            st.jobs
                .values()
                .filter(|j| j.interrupted)
                .map(|j| j.rec.clone())
                .collect()
        };
        let changes = tokio::task::spawn_blocking(move || {
            records
                .into_iter()
                .map(|r| {
                    let change = if r.upload_id.is_none() {
                        recovery::file_change(&r, true)
                    } else {
                        None
                    };
                    (r, change)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| Error::InvalidInput(format!("checking the files stopped: {e}")))?;
        for (rec, change) in &changes {
            let next = match (change, &rec.upload_id) {
                (Some(reason), _) => {
                    tracing::info!("{reason}");
                    JobState::Changed
                }
                (None, Some(_)) => JobState::Processing,
                (None, None) => JobState::Queued,
            };
            self.inner.update(&rec.id, |j| {
                j.interrupted = false;
                j.rec.state = next;
                j.rec.attempts = 0;
            })?;
        }
        self.inner.dispatch.notify_one();
        self.inner.poll.notify_one();
        let ids: HashSet<&String> = changes.iter().map(|(r, _)| &r.id).collect();
        Ok(self
            .jobs()
            .into_iter()
            .filter(|j| ids.contains(&j.id))
            .collect())
    }

    /// Drops interrupted jobs from the list (marked cancelled in the journal).
    pub fn discard_interrupted(&self) -> Result<Vec<JobId>> {
        self.remove_where(|j| j.interrupted, Some(JobState::Cancelled))
    }
}
