//! The public API: `Queue` owns the journal, the dispatcher, the workers and the poller.

use crate::error::{Error, Result};
use crate::events::{BatchTotals, QueueEvent};
use crate::job::{JobId, JobRequest, JobState, JobSummary, Source, Target};
use crate::journal::{now_ms, JobRecord, Journal};
use crate::preflight::{self, DEFAULT_MAX_FILE_BYTES};
use crate::{poller, recovery, worker};
use beproduct::Client;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::AbortHandle;

/// Settings; `QueueConfig::new(journal_path)` gives the defaults.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// The SQLite journal (the app passes a file in its data folder).
    pub journal_path: PathBuf,
    /// Uploads (creates, checks) running at once. Default 3.
    pub concurrency: usize,
    /// Files over this are rejected at enqueue. Default 50 MB.
    pub max_file_bytes: u64,
    /// How long an upload whose answer was lost is watched for on the server before it is
    /// judged lost and sent again (see `recovery`). Default 60 s.
    pub upload_settle: Duration,
    /// A job still processing after this fails (Retry polls again). Default 15 min.
    pub processing_timeout: Duration,
    /// Longest wait between probes while the server is unreachable. Default 30 s.
    pub offline_probe_max: Duration,
    /// Retries of transient failures (lost answers, 5xx, throttling) per run of a job. Default 8.
    pub max_attempts: u32,
}

impl QueueConfig {
    pub fn new(journal_path: impl Into<PathBuf>) -> Self {
        QueueConfig {
            journal_path: journal_path.into(),
            concurrency: 3,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            upload_settle: Duration::from_secs(60),
            processing_timeout: Duration::from_secs(15 * 60),
            offline_probe_max: Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    /// The path or URL as given.
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnqueueReport {
    pub batch_id: String,
    pub accepted: Vec<JobSummary>,
    pub rejected: Vec<Rejected>,
}

/// The upload queue. Cheap to clone; all clones drive the same queue.
#[derive(Clone)]
pub struct Queue {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Job {
    pub rec: JobRecord,
    pub interrupted: bool,
    pub bytes_sent: u64,
    pub bytes_per_sec: Option<f64>,
    /// The worker task running this job (it holds an upload slot while set).
    pub task: Option<AbortHandle>,
}

impl Job {
    pub fn summary(&self) -> JobSummary {
        let r = &self.rec;
        JobSummary {
            id: r.id.clone(),
            batch_id: r.batch_id.clone(),
            source: r.source.clone(),
            target: r.target.clone(),
            file_name: r.file_name.clone(),
            header_number: r.header_number.clone(),
            header_name: r.header_name.clone(),
            size: r.size,
            sha256: r.sha256.clone(),
            state: r.state.clone(),
            image_id: r.image_id.clone(),
            upload_id: r.upload_id.clone(),
            bytes_sent: self.bytes_sent,
            bytes_per_sec: self.bytes_per_sec,
            duplicate_of: r.duplicate_of.clone(),
            interrupted: self.interrupted,
            attempts: r.attempts,
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
        }
    }

    /// The image this job writes to, when known (one upload per image at a time).
    pub fn image(&self) -> Option<&str> {
        match &self.rec.target {
            Target::Version { image_id } => Some(image_id),
            Target::NewImage { .. } => self.rec.image_id.as_deref(),
        }
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub order: Vec<JobId>,
    pub jobs: HashMap<JobId, Job>,
}

impl State {
    pub fn totals(&self, paused: bool) -> BatchTotals {
        let mut t = BatchTotals {
            paused,
            ..Default::default()
        };
        for job in self.jobs.values() {
            t.add(&job.summary());
        }
        t
    }
}

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
                    Err(e) => e.kind() != "transport",
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

/// "front print" from "front print.png"; "image" when nothing is left.
fn stem_of(file_name: &str) -> String {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let collapsed = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed: String = collapsed.chars().take(60).collect();
    if trimmed.is_empty() {
        "image".into()
    } else {
        trimmed
    }
}

pub(crate) fn suffixed_number(stem: &str, job_id: &str) -> String {
    format!("{stem}-{}", &job_id[..8.min(job_id.len())])
}

fn file_name_of(source: &Source) -> String {
    match source {
        Source::Path { path } => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
        Source::Url { url } => url
            .split(['?', '#'])
            .next()
            .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
            .filter(|s| !s.is_empty() && !s.contains(':'))
            .unwrap_or("upload")
            .to_owned(),
    }
}

impl Queue {
    /// Opens (or creates) the journal and starts the queue's tasks. Jobs left unfinished
    /// by an earlier run are held as `interrupted()` until resumed or discarded.
    /// Must be called inside a Tokio runtime.
    pub async fn open(config: QueueConfig) -> Result<Queue> {
        if config.concurrency == 0 {
            return Err(Error::InvalidInput("concurrency must be at least 1".into()));
        }
        let journal = Journal::open(&config.journal_path)?;
        let mut state = State::default();
        for rec in journal.load_visible()? {
            let interrupted = !rec.state.is_finished();
            state.order.push(rec.id.clone());
            state.jobs.insert(
                rec.id.clone(),
                Job {
                    rec,
                    interrupted,
                    bytes_sent: 0,
                    bytes_per_sec: None,
                    task: None,
                },
            );
        }
        let (events, _) = broadcast::channel(4096);
        let inner = Arc::new(Inner {
            concurrency: AtomicUsize::new(config.concurrency),
            config,
            journal,
            state: Mutex::new(state),
            events,
            dispatch: Notify::new(),
            poll: Notify::new(),
            changes: watch::channel(0).0,
            client: RwLock::new(None),
            paused: AtomicBool::new(false),
            shut_down: AtomicBool::new(false),
            tasks: Mutex::new(Vec::new()),
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

    /// Events: job changes, progress, pauses. A receiver that lags gets `Lagged`; reload with `jobs()`.
    pub fn subscribe(&self) -> broadcast::Receiver<QueueEvent> {
        self.inner.events.subscribe()
    }

    /// The client to upload with (set again after re-connecting; running jobs keep theirs).
    pub fn set_client(&self, client: Client) {
        *self.inner.client.write().unwrap_or_else(|p| p.into_inner()) = Some(client);
        self.inner.dispatch.notify_one();
        self.inner.poll.notify_one();
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
            .map(Job::summary)
            .collect()
    }

    pub fn job(&self, id: &str) -> Option<JobSummary> {
        self.inner.lock().jobs.get(id).map(Job::summary)
    }

    pub fn totals(&self) -> BatchTotals {
        self.inner.totals()
    }

    /// Checks each request (the rest of the batch goes on when one fails), journals the
    /// accepted ones in one transaction and starts them. Local files are hashed here.
    pub async fn enqueue(&self, requests: Vec<JobRequest>) -> Result<EnqueueReport> {
        if self.inner.shut_down.load(Ordering::SeqCst) {
            return Err(Error::ShutDown);
        }
        let max = self.inner.config.max_file_bytes;
        // Hashing reads whole files: keep it off the async threads.
        let checked = tokio::task::spawn_blocking(move || {
            requests
                .into_iter()
                .map(|req| {
                    let facts = match &req.source {
                        Source::Path { path } => Some(preflight::check_file(path, max)),
                        Source::Url { url } => {
                            let lower = url.trim().to_ascii_lowercase();
                            if lower.starts_with("http://") || lower.starts_with("https://") {
                                None
                            } else {
                                Some(Err(format!(
                                    "{url} is not an http(s) URL; only web addresses and local files can be uploaded."
                                )))
                            }
                        }
                    };
                    (req, facts)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| Error::InvalidInput(format!("checking the files stopped: {e}")))?;

        let batch_id = uuid::Uuid::new_v4().to_string();
        let mut seq = self.inner.journal.next_seq()?;
        let now = now_ms();
        let mut rejected = Vec::new();
        let mut records: Vec<JobRecord> = Vec::new();
        let mut batch_content: HashMap<(String, Target), String> = HashMap::new();
        let mut batch_numbers: HashSet<String> = HashSet::new();
        for (req, facts) in checked {
            let facts = match facts {
                Some(Err(reason)) => {
                    let path = match &req.source {
                        Source::Path { path } => path.display().to_string(),
                        Source::Url { url } => url.clone(),
                    };
                    rejected.push(Rejected { path, reason });
                    continue;
                }
                Some(Ok(f)) => Some(f),
                None => None,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let file_name = file_name_of(&req.source);
            let (header_number, header_name) = match &req.target {
                Target::NewImage { .. } => {
                    let stem = stem_of(&file_name);
                    let taken = batch_numbers.contains(&stem)
                        || self.inner.journal.number_taken(&stem, &id)?;
                    let number = if taken {
                        suffixed_number(&stem, &id)
                    } else {
                        stem.clone()
                    };
                    batch_numbers.insert(number.clone());
                    (Some(number), Some(stem))
                }
                Target::Version { .. } => (None, None),
            };
            let sha256 = facts.as_ref().map(|f| f.sha256.clone());
            let duplicate_of = match &sha256 {
                Some(sha) => match batch_content.get(&(sha.clone(), req.target.clone())) {
                    Some(first) => Some(first.clone()),
                    None => self
                        .inner
                        .journal
                        .find_same_content(sha, &req.target, &id)?,
                },
                None => None,
            };
            if let (Some(sha), None) = (&sha256, &duplicate_of) {
                batch_content.insert((sha.clone(), req.target.clone()), id.clone());
            }
            records.push(JobRecord {
                id,
                seq,
                batch_id: batch_id.clone(),
                state: if duplicate_of.is_some() {
                    JobState::Duplicate
                } else {
                    JobState::Queued
                },
                source: req.source,
                target: req.target,
                file_name,
                header_number,
                header_name,
                size: facts.as_ref().map(|f| f.size),
                mtime_ns: facts.as_ref().map(|f| f.mtime_ns),
                sha256,
                duplicate_of,
                send_anyway: false,
                image_id: None,
                create_sent: false,
                pre_upload: None,
                upload_sent: false,
                upload_id: None,
                attempts: 0,
                cleared: false,
                created_at_ms: now,
                updated_at_ms: now,
            });
            seq += 1;
        }
        self.inner.journal.save_all(&records)?;
        let (accepted, totals) = {
            let mut st = self.inner.lock();
            let mut accepted = Vec::with_capacity(records.len());
            for rec in records {
                let job = Job {
                    rec,
                    interrupted: false,
                    bytes_sent: 0,
                    bytes_per_sec: None,
                    task: None,
                };
                accepted.push(job.summary());
                st.order.push(job.rec.id.clone());
                st.jobs.insert(job.rec.id.clone(), job);
            }
            (accepted, st.totals(self.inner.is_paused()))
        };
        if !accepted.is_empty() {
            self.inner.emit(QueueEvent::JobsAdded {
                jobs: accepted.clone(),
                totals,
            });
        }
        self.inner.dispatch.notify_one();
        Ok(EnqueueReport {
            batch_id,
            accepted,
            rejected,
        })
    }

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

    /// Waits until no job is queued, running or processing (interrupted jobs on hold do
    /// not count). Returns false when `timeout` ran out first.
    pub async fn wait_until_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut changes = self.inner.changes.subscribe();
        loop {
            let busy = {
                let st = self.inner.lock();
                st.jobs
                    .values()
                    .any(|j| !j.interrupted && !j.rec.state.is_finished())
            };
            if !busy {
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
    /// keeps every job, so `open` on the same journal offers them as interrupted.
    pub async fn shutdown(&self) {
        self.inner.shut_down.store(true, Ordering::SeqCst);
        let handles: Vec<AbortHandle> = {
            let mut st = self.inner.lock();
            st.jobs.values_mut().filter_map(|j| j.task.take()).collect()
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_come_from_the_file_name() {
        assert_eq!(stem_of("front  print.final.png"), "front print.final");
        assert_eq!(stem_of(".png"), ".png");
        assert_eq!(stem_of(""), "image");
        assert_eq!(suffixed_number("logo", "0123456789abcdef"), "logo-01234567");
        let url = Source::Url {
            url: "https://cdn.example/a/b/print.jpg?sig=1".into(),
        };
        assert_eq!(file_name_of(&url), "print.jpg");
        let bare = Source::Url {
            url: "https://cdn.example/".into(),
        };
        assert_eq!(file_name_of(&bare), "cdn.example");
    }
}
