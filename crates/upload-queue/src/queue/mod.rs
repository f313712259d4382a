//! The public API: `Queue` owns the journal, the dispatcher, the workers and the poller.
//! Its methods live by job: `enqueue` (accepting a batch), `decisions` (cancel, retry,
//! resume…); the shared core is `Inner`.

mod config;
mod decisions;
mod enqueue;
mod inner;
mod naming;
mod state;

pub use config::QueueConfig;
pub use enqueue::{EnqueueReport, PathsReport, Rejected};
pub(crate) use inner::{Inner, Trouble};
pub(crate) use naming::suffixed_number;
pub(crate) use state::{Job, State, Task};

use crate::error::{Error, Result};
use crate::events::{BatchTotals, QueueEvent};
use crate::job::JobSummary;
use crate::journal::{Journal, JournalLock, JournalNotice};
use crate::{poller, worker};
use beproduct::Client;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::AbortHandle;

/// The upload queue. Cheap to clone; all clones drive the same queue.
#[derive(Clone)]
pub struct Queue {
    pub(crate) inner: Arc<Inner>,
}

impl Queue {
    /// Opens (or creates) the journal and starts the queue's tasks. Jobs left unfinished
    /// by an earlier run are held as `interrupted()` until resumed or discarded.
    /// Only one queue (in any process) can have a journal open: a second gets
    /// `Error::JournalInUse`. A journal that cannot be read is moved aside and a new one
    /// started (`journal_notice()` says where the old one is).
    /// Must be called inside a Tokio runtime.
    pub async fn open(config: QueueConfig) -> Result<Queue> {
        if config.concurrency == 0 {
            return Err(Error::InvalidInput("concurrency must be at least 1".into()));
        }
        let lock = JournalLock::acquire(&config.journal_path)?;
        let opened = Journal::open(&config.journal_path)?;
        let mut state = State::default();
        for rec in opened.visible {
            let interrupted = !rec.state.is_finished();
            state.insert(Job::new(rec, interrupted));
        }
        let (events, _) = broadcast::channel(4096);
        let inner = Arc::new(Inner {
            concurrency: AtomicUsize::new(config.concurrency),
            config,
            journal: opened.journal,
            journal_lock: Mutex::new(Some(lock)),
            notice: opened.notice,
            state: Mutex::new(state),
            events,
            dispatch: Notify::new(),
            poll: Notify::new(),
            probe: Notify::new(),
            changes: watch::channel(0).0,
            client: RwLock::new(None),
            paused: AtomicBool::new(false),
            shut_down: AtomicBool::new(false),
            tasks: Mutex::new(Vec::new()),
            next_run: AtomicU64::new(0),
            adopted: Mutex::new(Default::default()),
        });
        let dispatcher = tokio::spawn(worker::dispatcher(inner.clone()));
        let poller = tokio::spawn(poller::run(inner.clone()));
        inner
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend([dispatcher.abort_handle(), poller.abort_handle()]);
        Ok(Queue { inner })
    }

    /// Set when the journal found at `open` could not be read: it was moved aside (the
    /// notice says where and why) and the queue started with a new one. Show it to the user.
    pub fn journal_notice(&self) -> Option<JournalNotice> {
        self.inner.notice.clone()
    }

    /// Events: job changes, progress, pauses. A receiver that lags gets `Lagged`; reload with `jobs()`.
    pub fn subscribe(&self) -> broadcast::Receiver<QueueEvent> {
        self.inner.events.subscribe()
    }

    /// The client to upload with (set again after re-connecting; running jobs keep theirs).
    /// Jobs run and are checked only with a client of their own server
    /// (`Client::server_key`); the others wait (`waitingForServer`) until it is set again.
    pub fn set_client(&self, client: Client) {
        let key = client.server_key().to_owned();
        *self.inner.client.write().unwrap_or_else(|p| p.into_inner()) = Some(client);
        let changed = {
            let mut st = self.inner.lock();
            st.set_server(&key)
                .then(|| st.totals(self.inner.is_paused()))
        };
        if let Some(totals) = changed {
            self.inner.emit(QueueEvent::ServerChanged {
                server_key: key,
                totals,
            });
        }
        self.inner.dispatch.notify_one();
        self.inner.poll.notify_one();
        self.inner.probe.notify_one();
    }

    pub fn set_concurrency(&self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::InvalidInput("concurrency must be at least 1".into()));
        }
        self.inner.concurrency.store(n, Ordering::SeqCst);
        self.inner.dispatch.notify_one();
        Ok(())
    }

    /// Snapshot of every job in the list, in queue order.
    pub fn jobs(&self) -> Vec<JobSummary> {
        let st = self.inner.lock();
        st.order
            .iter()
            .filter_map(|id| st.jobs.get(id))
            .map(|j| st.summary(j))
            .collect()
    }

    pub fn job(&self, id: &str) -> Option<JobSummary> {
        let st = self.inner.lock();
        st.jobs.get(id).map(|j| st.summary(j))
    }

    pub fn totals(&self) -> BatchTotals {
        self.inner.totals()
    }

    /// Waits until no job is queued, running or processing (interrupted jobs on hold do
    /// not count). Returns false when `timeout` ran out first.
    pub async fn wait_until_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut changes = self.inner.changes.subscribe();
        loop {
            if self.inner.totals().active() == 0 {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // Also re-check now and then, in case a change slipped between check and wait.
            let _ =
                tokio::time::timeout(left.min(Duration::from_millis(500)), changes.changed()).await;
        }
    }

    /// Stops the queue: running transfers are aborted and nothing new starts. The journal
    /// keeps every job, so `open` on the same journal offers them as interrupted; its lock
    /// is let go here.
    pub async fn shutdown(&self) {
        self.inner.shut_down.store(true, Ordering::SeqCst);
        let handles: Vec<AbortHandle> = {
            let mut st = self.inner.lock();
            st.jobs
                .values_mut()
                .filter_map(|j| j.task.take().map(|t| t.handle))
                .collect()
        };
        let background: Vec<AbortHandle> = self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
            .collect();
        for h in handles.iter().chain(background.iter()) {
            h.abort();
        }
        // Let the aborted tasks unwind before returning.
        for _ in 0..50 {
            if handles
                .iter()
                .chain(background.iter())
                .all(|h| h.is_finished())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.inner
            .journal_lock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
}
