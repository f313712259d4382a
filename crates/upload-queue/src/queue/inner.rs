//! The core shared by the `Queue` handle, the dispatcher, the workers and the poller:
//! the job list, the journal-first update, events, and the pause with its probe.

use super::{Job, QueueConfig, State};
use crate::error::{Error, Result};
use crate::events::{BatchTotals, QueueEvent};
use crate::job::JobState;
use crate::journal::{now_ms, JobRecord, Journal, JournalLock, JournalNotice};
use beproduct::{Client, ErrorKind, ImageHeader};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::AbortHandle;

/// Why the queue paused; the probe checks the matching thing before resuming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trouble {
    /// The server did not answer.
    Offline,
    /// The token endpoint refused the credentials; waits for a working client.
    SignIn,
    /// A journal write failed (disk full, locked, read-only).
    Journal,
}

pub(crate) struct Inner {
    pub config: QueueConfig,
    pub journal: Journal,
    /// Held while the queue is open (`shutdown` lets it go).
    pub journal_lock: Mutex<Option<JournalLock>>,
    /// Set when the journal found at open was unusable and moved aside.
    pub notice: Option<JournalNotice>,
    pub state: Mutex<State>,
    pub events: broadcast::Sender<QueueEvent>,
    /// Wakes the dispatcher (new work, a free slot, a resumed connection).
    pub dispatch: Notify,
    /// Wakes the poller (a job entered Processing, connection back).
    pub poll: Notify,
    /// Wakes the probe of a pause (a new client was set).
    pub probe: Notify,
    /// Bumped on every change; `wait_until_idle` watches it.
    pub changes: watch::Sender<u64>,
    pub client: RwLock<Option<Client>>,
    pub concurrency: AtomicUsize,
    pub paused: AtomicBool,
    pub shut_down: AtomicBool,
    pub tasks: Mutex<Vec<AbortHandle>>,
    /// Numbers worker runs (see `state::Task`).
    pub next_run: AtomicU64,
    /// (server key, folder or image id) pairs proven to exist on that server, so jobs
    /// without a server are adopted with one request per target, not per job.
    pub adopted: Mutex<HashSet<(String, String)>>,
}

impl Inner {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn client(&self) -> Option<Client> {
        self.client
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    pub fn emit(&self, event: QueueEvent) {
        // No subscribers is fine: the UI may not be listening yet.
        let _ = self.events.send(event);
        self.changes.send_modify(|v| *v += 1);
    }

    pub fn totals(&self) -> BatchTotals {
        self.lock().totals(self.is_paused())
    }

    pub fn record(&self, id: &str) -> Option<JobRecord> {
        self.lock().jobs.get(id).map(|j| j.rec.clone())
    }

    /// Changes a job, writes it to the journal, then publishes it. The journal write comes
    /// first: callers only go on to the network once this returned Ok.
    pub fn update(self: &Arc<Self>, id: &str, f: impl FnOnce(&mut Job)) -> Result<JobRecord> {
        self.update_if(id, |_| true, f)
    }

    /// A worker's update: refused (`Error::Stopped`) once the job was cancelled, so a
    /// worker that is still finishing a step cannot overwrite the user's decision.
    pub fn update_running(
        self: &Arc<Self>,
        id: &str,
        f: impl FnOnce(&mut Job),
    ) -> Result<JobRecord> {
        self.update_if(id, |j| j.task.is_some(), f)
    }

    pub fn set_running_state(self: &Arc<Self>, id: &str, state: JobState) -> Result<JobRecord> {
        self.update_running(id, |j| j.rec.state = state)
    }

    pub fn update_if(
        self: &Arc<Self>,
        id: &str,
        guard: impl FnOnce(&Job) -> bool,
        f: impl FnOnce(&mut Job),
    ) -> Result<JobRecord> {
        self.transition(id, guard, f, None)
    }

    /// `guard` and the change run under one lock with the journal write, so what the guard
    /// saw is what is changed. A failed write leaves the job as it was and pauses the queue.
    /// `image` travels with the event (set on the transition to Done).
    pub fn transition(
        self: &Arc<Self>,
        id: &str,
        guard: impl FnOnce(&Job) -> bool,
        f: impl FnOnce(&mut Job),
        image: Option<ImageHeader>,
    ) -> Result<JobRecord> {
        let written = {
            let mut st = self.lock();
            let journal = &self.journal;
            let outcome = st
                .change(id, |job| {
                    if !guard(job) {
                        return Err(Error::Stopped(id.to_owned()));
                    }
                    let before = job.rec.clone();
                    f(job);
                    job.rec.updated_at_ms = now_ms();
                    if let Err(e) = journal.save(&job.rec) {
                        job.rec = before;
                        return Err(e);
                    }
                    if !matches!(job.rec.state, JobState::Uploading) {
                        job.bytes_per_sec = None;
                    }
                    Ok(job.rec.clone())
                })
                .unwrap_or_else(|| Err(Error::UnknownJob(id.to_owned())));
            outcome.map(|rec| {
                let summary = st.summary(&st.jobs[id]);
                (rec, summary, st.totals(self.is_paused()))
            })
        };
        match written {
            Ok((rec, summary, totals)) => {
                self.emit(QueueEvent::JobChanged {
                    job: Box::new(summary),
                    totals,
                    image: image.map(Box::new),
                });
                Ok(rec)
            }
            Err(e) => {
                if matches!(e, Error::Journal(_)) {
                    self.pause(Trouble::Journal, journal_pause_reason(&e));
                }
                Err(e)
            }
        }
    }

    /// A worker stopped because the journal refused a write: the job goes back to the
    /// queue in memory only (the journal keeps its last written step and markers, which is
    /// what a later run checks), and runs again once the journal can be written.
    pub fn requeue_in_memory(&self, id: &str) {
        let published = {
            let mut st = self.lock();
            st.change(id, |j| {
                if j.rec.state.holds_slot() {
                    j.rec.state = JobState::Queued;
                }
            });
            st.jobs
                .get(id)
                .map(|j| (st.summary(j), st.totals(self.is_paused())))
        };
        if let Some((summary, totals)) = published {
            self.emit(QueueEvent::JobChanged {
                job: Box::new(summary),
                totals,
                image: None,
            });
        }
    }

    /// The upload body's last byte is about to go out. Journaled first; if the journal
    /// refuses, memory still says so (the safe side: a lost answer is then checked, never
    /// taken as proof that nothing landed) and the queue pauses.
    pub fn mark_body_sent(self: &Arc<Self>, id: &str) {
        let failed = {
            let mut st = self.lock();
            let journal = &self.journal;
            st.change(id, |j| {
                if j.rec.body_sent {
                    return None;
                }
                j.rec.body_sent = true;
                journal.save(&j.rec).err()
            })
            .flatten()
        };
        if let Some(e) = failed {
            self.pause(Trouble::Journal, journal_pause_reason(&e));
        }
    }

    /// Stop starting work and probe (with back-off) until `trouble` is over.
    pub fn pause(self: &Arc<Self>, trouble: Trouble, reason: String) {
        if self.paused.swap(true, Ordering::SeqCst) {
            return;
        }
        tracing::warn!("upload queue paused: {reason}");
        self.emit(QueueEvent::Paused { reason });
        let inner = self.clone();
        let handle = tokio::spawn(async move { inner.probe_until_fixed(trouble).await });
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(handle.abort_handle());
    }

    async fn probe_until_fixed(self: Arc<Self>, trouble: Trouble) {
        let mut wait = Duration::from_secs(1);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.probe.notified() => {}
            }
            if self.shut_down.load(Ordering::SeqCst) {
                return;
            }
            if self.trouble_is_over(trouble).await {
                self.paused.store(false, Ordering::SeqCst);
                self.emit(QueueEvent::Resumed);
                self.dispatch.notify_one();
                self.poll.notify_one();
                return;
            }
            wait = (wait * 2).min(self.config.offline_probe_max);
        }
    }

    async fn trouble_is_over(&self, trouble: Trouble) -> bool {
        match trouble {
            Trouble::Journal => self.journal.probe().is_ok(),
            Trouble::Offline | Trouble::SignIn => match self.client() {
                Some(c) => match c.folders().await {
                    Ok(_) => true,
                    Err(e) => !matches!(
                        e.kind(),
                        ErrorKind::Transport | ErrorKind::Auth | ErrorKind::Throttled
                    ),
                },
                None => false,
            },
        }
    }
}

fn journal_pause_reason(e: &Error) -> String {
    format!("{e} Nothing new is sent until it can be written again; the queue retries by itself.")
}
