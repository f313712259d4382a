//! The core shared by the `Queue` handle, the dispatcher, the workers and the poller:
//! the job list, the journal-first update, events, and the offline pause with its probe.

use super::{Job, QueueConfig, State};
use crate::error::{Error, Result};
use crate::events::{BatchTotals, QueueEvent};
use crate::job::JobState;
use crate::journal::{now_ms, JobRecord, Journal};
use beproduct::Client;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::AbortHandle;

pub(crate) struct Inner {
    pub config: QueueConfig,
    pub journal: Journal,
    pub state: Mutex<State>,
    pub events: broadcast::Sender<QueueEvent>,
    /// Wakes the dispatcher (new work, a free slot, a resumed connection).
    pub dispatch: Notify,
    /// Wakes the poller (a job entered Processing, connection back).
    pub poll: Notify,
    /// Bumped on every change; `wait_until_idle` watches it.
    pub changes: watch::Sender<u64>,
    pub client: RwLock<Option<Client>>,
    pub concurrency: AtomicUsize,
    pub paused: AtomicBool,
    pub shut_down: AtomicBool,
    pub tasks: Mutex<Vec<AbortHandle>>,
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
    pub fn update(&self, id: &str, f: impl FnOnce(&mut Job)) -> Result<JobRecord> {
        self.update_if(id, |_| true, f)
    }

    /// A worker's update: refused (`Error::Stopped`) once the job was cancelled, so a
    /// worker that is still finishing a step cannot overwrite the user's decision.
    pub fn update_running(&self, id: &str, f: impl FnOnce(&mut Job)) -> Result<JobRecord> {
        self.update_if(id, |j| j.task.is_some(), f)
    }

    pub fn set_running_state(&self, id: &str, state: JobState) -> Result<JobRecord> {
        self.update_running(id, |j| j.rec.state = state)
    }

    pub fn update_if(
        &self,
        id: &str,
        guard: impl FnOnce(&Job) -> bool,
        f: impl FnOnce(&mut Job),
    ) -> Result<JobRecord> {
        let (summary, rec, totals) = {
            let mut st = self.lock();
            let job = st
                .jobs
                .get_mut(id)
                .ok_or_else(|| Error::UnknownJob(id.to_owned()))?;
            if !guard(job) {
                return Err(Error::Stopped(id.to_owned()));
            }
            let before = job.rec.clone();
            f(job);
            job.rec.updated_at_ms = now_ms();
            if let Err(e) = self.journal.save(&job.rec) {
                job.rec = before;
                return Err(e);
            }
            if !matches!(job.rec.state, JobState::Uploading) {
                job.bytes_per_sec = None;
            }
            let summary = job.summary();
            let rec = job.rec.clone();
            (summary, rec, st.totals(self.is_paused()))
        };
        self.emit(QueueEvent::JobChanged {
            job: Box::new(summary),
            totals,
        });
        Ok(rec)
    }

    pub fn set_state(&self, id: &str, state: JobState) -> Result<JobRecord> {
        self.update(id, |j| j.rec.state = state)
    }

    /// The server is unreachable: stop starting work and probe until it answers.
    pub fn go_offline(self: &Arc<Self>, reason: String) {
        if self.paused.swap(true, Ordering::SeqCst) {
            return;
        }
        tracing::warn!("upload queue paused: {reason}");
        self.emit(QueueEvent::Paused { reason });
        let inner = self.clone();
        let handle = tokio::spawn(async move { inner.probe_until_online().await });
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(handle.abort_handle());
    }

    async fn probe_until_online(self: Arc<Self>) {
        let mut wait = Duration::from_secs(1);
        loop {
            tokio::time::sleep(wait).await;
            if self.shut_down.load(Ordering::SeqCst) {
                return;
            }
            let reachable = match self.client() {
                Some(c) => match c.folders().await {
                    Ok(_) => true,
                    Err(e) => e.kind() != beproduct::ErrorKind::Transport,
                },
                None => false,
            };
            if reachable {
                self.paused.store(false, Ordering::SeqCst);
                self.emit(QueueEvent::Resumed);
                self.dispatch.notify_one();
                self.poll.notify_one();
                return;
            }
            wait = (wait * 2).min(self.config.offline_probe_max);
        }
    }
}
