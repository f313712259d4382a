//! The user's decisions on jobs: cancel, retry, send a duplicate anyway, check again or
//! send again after a lost answer, clear finished jobs, and resume or discard what an
//! earlier run left unfinished. Each checks the job's state and changes it under one
//! guard (with the journal write), so a job cannot change in between (e.g. a Done job
//! never becomes Cancelled).

use super::{Job, Queue};
use crate::error::{Error, Result};
use crate::events::QueueEvent;
use crate::job::{JobId, JobState, JobSummary, Source};
use crate::journal::{now_ms, JobRecord};
use crate::{preflight, recovery};
use std::collections::HashSet;

/// Where a job goes when it is started again: back to polling when the server has the
/// upload (upload id known, server known), else to the queue (which checks first when a
/// marker says the server may have acted).
pub(crate) fn restart_state(rec: &JobRecord) -> JobState {
    if rec.upload_id.is_some() && rec.server_key.is_some() {
        JobState::Processing
    } else {
        JobState::Queued
    }
}

impl Queue {
    fn state_of(&self, id: &str) -> Result<JobState> {
        let st = self.inner.lock();
        let job = st
            .jobs
            .get(id)
            .ok_or_else(|| Error::UnknownJob(id.into()))?;
        Ok(job.rec.state.clone())
    }

    fn summary_of(&self, id: &str) -> Result<JobSummary> {
        self.job(id).ok_or_else(|| Error::UnknownJob(id.into()))
    }

    /// Applies `change` if `allowed` holds, both under the queue's lock.
    fn decide(
        &self,
        id: &str,
        action: &'static str,
        allowed_text: &'static str,
        allowed: impl FnOnce(&Job) -> bool,
        change: impl FnOnce(&mut Job),
    ) -> Result<JobSummary> {
        let mut refused_in = None;
        let guard = |j: &Job| {
            let ok = allowed(j);
            if !ok {
                refused_in = Some(j.rec.state.clone());
            }
            ok
        };
        match self.inner.update_if(id, guard, change) {
            Ok(_) => {
                self.inner.dispatch.notify_one();
                self.inner.poll.notify_one();
                self.summary_of(id)
            }
            Err(Error::Stopped(_)) => Err(Error::WrongState {
                id: id.into(),
                state: refused_in.map_or("changed", |s| s.name()).into(),
                action,
                allowed: allowed_text,
            }),
            Err(e) => Err(e),
        }
    }

    /// Cancels a queued, running or processing job (or one that may have landed); a
    /// running upload is aborted. What the server may already have is recorded, so a later
    /// retry checks before sending.
    pub fn cancel(&self, id: &str) -> Result<JobSummary> {
        let result = self.decide(
            id,
            "cancel",
            "queued, running, processing or may have landed",
            |j| !j.rec.state.is_finished() || j.rec.state == JobState::MayHaveLanded,
            |j| {
                if let Some(task) = j.task.take() {
                    task.handle.abort();
                }
                // A URL's body counts as sent from its start (its length is unknown). If not
                // one byte of it went out, the server cannot have the file: a retry sends it
                // at once instead of watching the image for the whole processing time.
                if matches!(j.rec.source, Source::Url { .. })
                    && j.bytes_sent == 0
                    && j.rec.upload_id.is_none()
                {
                    j.rec.body_sent = false;
                }
                j.rec.state = JobState::Cancelled;
                j.interrupted = false;
                j.bytes_sent = 0;
            },
        );
        if matches!(result, Err(Error::Journal(_))) {
            // Its task may be gone already: run it again once the journal can be written.
            self.inner.requeue_in_memory(id);
        }
        result
    }

    /// Queues a failed, cancelled or changed job again (a changed file is checked and hashed
    /// anew). A job whose upload the server has (upload id known) goes back to polling.
    pub async fn retry(&self, id: &str) -> Result<JobSummary> {
        let retryable = |s: &JobState| {
            matches!(
                s,
                JobState::Failed { .. } | JobState::Cancelled | JobState::Changed
            )
        };
        const ALLOWED: &str = "failed, cancelled or changed";
        let state = self.state_of(id)?;
        if !retryable(&state) {
            return Err(Error::WrongState {
                id: id.into(),
                state: state.name().into(),
                action: "retry",
                allowed: ALLOWED,
            });
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
                        return self.decide(
                            id,
                            "retry",
                            ALLOWED,
                            |j| retryable(&j.rec.state),
                            |j| j.rec.state = JobState::refused(reason),
                        );
                    }
                }
            }
        }
        self.decide(
            id,
            "retry",
            ALLOWED,
            |j| retryable(&j.rec.state),
            |j| {
                if let Some(f) = fresh {
                    j.rec.size = Some(f.size);
                    j.rec.mtime_ns = Some(f.mtime_ns);
                    j.rec.sha256 = Some(f.sha256);
                }
                j.rec.state = restart_state(&j.rec);
                j.rec.attempts = 0;
                j.bytes_sent = 0;
                j.cut_offs = 0;
            },
        )
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
        self.decide(
            id,
            "send anyway",
            "a duplicate",
            |j| j.rec.state == JobState::Duplicate,
            |j| {
                j.rec.state = JobState::Queued;
                j.rec.send_anyway = true;
            },
        )
    }

    /// For a job that may have landed: asks the server once more whether the file shows
    /// on the image. Landed → Done; still not there → back to may-have-landed.
    pub fn check_again(&self, id: &str) -> Result<JobSummary> {
        self.decide(
            id,
            "check again",
            "may have landed",
            |j| j.rec.state == JobState::MayHaveLanded,
            |j| {
                // The upload marker stays: the worker checks instead of sending.
                j.rec.upload_sent = true;
                j.rec.state = JobState::Queued;
                j.rec.attempts = 0;
            },
        )
    }

    /// For a job that may have landed: the user judged it did not, so the file is sent
    /// again (with a fresh look at the image first).
    pub fn send_again(&self, id: &str) -> Result<JobSummary> {
        self.decide(
            id,
            "send again",
            "may have landed",
            |j| j.rec.state == JobState::MayHaveLanded,
            |j| {
                j.rec.upload_sent = false;
                j.rec.body_sent = false;
                j.rec.watch_until_ms = None;
                j.rec.state = JobState::Queued;
                j.rec.attempts = 0;
                j.bytes_sent = 0;
                j.cut_offs = 0;
            },
        )
    }

    /// Removes finished jobs (done, failed, cancelled, duplicate, changed) from the list.
    /// Jobs that may have landed stay until the user decides. The journal keeps removed
    /// jobs hidden so uploaded content is still recognised as a duplicate.
    pub fn clear_finished(&self) -> Result<Vec<JobId>> {
        self.remove_where(
            |j| {
                j.rec.state.is_finished()
                    && j.rec.state != JobState::MayHaveLanded
                    && !j.interrupted
            },
            None,
        )
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
            st.remove(&ids);
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
            let next = match change {
                Some(reason) => {
                    tracing::info!("{reason}");
                    JobState::Changed
                }
                None => restart_state(rec),
            };
            let resumed = self.inner.update_if(
                &rec.id,
                |j| j.interrupted,
                |j| {
                    j.interrupted = false;
                    j.rec.state = next;
                    j.rec.attempts = 0;
                },
            );
            match resumed {
                Ok(_) | Err(Error::Stopped(_) | Error::UnknownJob(_)) => {}
                Err(e) => return Err(e),
            }
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
