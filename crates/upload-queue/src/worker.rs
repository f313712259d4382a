//! The dispatcher (starts jobs within the concurrency limit, one per image) and the
//! worker that takes one job through check → create → upload, journaling each step
//! before it is sent and each server id the moment it arrives.

use crate::events::QueueEvent;
use crate::job::{JobState, Source, Target};
use crate::journal::JobRecord;
use crate::queue::{suffixed_number, Inner};
use crate::recovery::{self, CreateCheck, ImageFingerprint, UploadCheck};
use beproduct::{Client, FieldUpdate, ProgressFn};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Progress events per job are at least this far apart (≈10 per second).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub(crate) async fn dispatcher(inner: Arc<Inner>) {
    loop {
        if inner.shut_down.load(Ordering::SeqCst) {
            return;
        }
        if !inner.is_paused() {
            if let Some(client) = inner.client() {
                start_ready_jobs(&inner, &client);
            }
        }
        inner.dispatch.notified().await;
    }
}

fn start_ready_jobs(inner: &Arc<Inner>, client: &Client) {
    let limit = inner.concurrency.load(Ordering::SeqCst);
    let mut st = inner.lock();
    let mut running = st.jobs.values().filter(|j| j.task.is_some()).count();
    // An image with a running or processing job takes no second upload until it is done.
    let mut busy: HashSet<String> = st
        .jobs
        .values()
        .filter(|j| j.task.is_some() || j.rec.state == JobState::Processing)
        .filter_map(|j| j.image().map(str::to_owned))
        .collect();
    let order = st.order.clone();
    for id in order {
        if running >= limit {
            break;
        }
        let Some(job) = st.jobs.get_mut(&id) else {
            continue;
        };
        if job.rec.state != JobState::Queued || job.interrupted || job.task.is_some() {
            continue;
        }
        if let Some(image) = job.image() {
            if !busy.insert(image.to_owned()) {
                continue;
            }
        }
        let handle = tokio::spawn(run(inner.clone(), client.clone(), id.clone()));
        job.task = Some(handle.abort_handle());
        running += 1;
    }
}

/// Runs one job; always gives its slot back, however it ends.
async fn run(inner: Arc<Inner>, client: Client, id: String) {
    struct Slot(Arc<Inner>, String);
    impl Drop for Slot {
        fn drop(&mut self) {
            if let Some(job) = self.0.lock().jobs.get_mut(&self.1) {
                job.task = None;
            }
            self.0.dispatch.notify_one();
        }
    }
    let _slot = Slot(inner.clone(), id.clone());
    if let Err(e) = process(&inner, &client, &id).await {
        if matches!(e, crate::Error::Stopped(_)) {
            return;
        }
        tracing::warn!("upload job {id}: {e}");
        // The journal refused a write: stop here rather than send unrecorded work.
        let reason = e.to_string();
        let _ = inner.set_running_state(&id, JobState::Failed { reason });
    }
}

/// How a server error is handled.
enum Next {
    /// Try again (after checking, if the marker says the server may have acted).
    Retry(Duration),
    /// Unreachable: back to the queue, pause everything.
    Offline(String),
    Fail(String),
}

/// `keep_marker`: whether the server may have acted, so a retry must check first.
fn classify(e: &beproduct::Error) -> (Next, bool) {
    match e {
        beproduct::Error::Throttled { retry_after } => (
            Next::Retry((*retry_after).min(Duration::from_secs(60))),
            false,
        ),
        beproduct::Error::OutcomeUnknown { .. } | beproduct::Error::Decode { .. } => {
            (Next::Retry(Duration::ZERO), true)
        }
        beproduct::Error::Transport { .. } => (Next::Offline(e.to_string()), true),
        beproduct::Error::Api {
            status: 502..=504, ..
        } => {
            // A gateway may have passed the request on before failing: check first.
            (Next::Retry(Duration::from_millis(500)), true)
        }
        _ => (Next::Fail(e.to_string()), false),
    }
}

fn backoff(attempt: u32, asked: Duration) -> Duration {
    let own = Duration::from_millis(200) * 2u32.saturating_pow(attempt.min(5));
    asked.max(own.min(Duration::from_secs(5)))
}

async fn process(inner: &Arc<Inner>, client: &Client, id: &str) -> crate::Result<()> {
    let mut attempt = 0u32;
    loop {
        let Some(rec) = inner.record(id) else {
            return Ok(());
        };
        let step = match &rec.target {
            Target::NewImage { folder_id } if rec.image_id.is_none() => {
                create_step(inner, client, &rec, folder_id).await
            }
            _ => upload_step(inner, client, &rec).await,
        };
        let outcome = match step {
            Ok(Step::Continue) => continue,
            Ok(Step::Finished) => return Ok(()),
            Err(StepError::Journal(e)) => return Err(e),
            Err(StepError::Server(e, marker)) => (e, marker),
        };
        let (error, marker) = outcome;
        let (next, keep_marker) = classify(&error);
        if !keep_marker {
            // The server certainly did not act: the step may be sent again without a check.
            inner.update_running(id, |j| match marker {
                Marker::Create => j.rec.create_sent = false,
                Marker::Upload => j.rec.upload_sent = false,
                Marker::None => {}
            })?;
        }
        attempt += 1;
        inner.update_running(id, |j| j.rec.attempts += 1)?;
        match next {
            Next::Retry(_) if attempt >= inner.config.max_attempts => {
                let reason = format!("{error} (gave up after {attempt} tries; Retry to try again)");
                inner.set_running_state(id, JobState::Failed { reason })?;
                return Ok(());
            }
            Next::Retry(wait) => tokio::time::sleep(backoff(attempt, wait)).await,
            Next::Offline(reason) => {
                inner.set_running_state(id, JobState::Queued)?;
                inner.go_offline(reason);
                return Ok(());
            }
            Next::Fail(reason) => {
                inner.set_running_state(id, JobState::Failed { reason })?;
                return Ok(());
            }
        }
    }
}

enum Step {
    Continue,
    Finished,
}

#[derive(Clone, Copy)]
enum Marker {
    None,
    Create,
    Upload,
}

enum StepError {
    Journal(crate::Error),
    Server(beproduct::Error, Marker),
}

impl From<crate::Error> for StepError {
    fn from(e: crate::Error) -> Self {
        StepError::Journal(e)
    }
}

fn server(marker: Marker) -> impl Fn(beproduct::Error) -> StepError {
    move |e| StepError::Server(e, marker)
}

/// Finds out whether an earlier create landed, else creates the image. The number is
/// journaled (with "create sent") before the create goes out.
async fn create_step(
    inner: &Arc<Inner>,
    client: &Client,
    rec: &JobRecord,
    folder_id: &str,
) -> Result<Step, StepError> {
    let id = &rec.id;
    let number = rec
        .header_number
        .clone()
        .unwrap_or_else(|| suffixed_number("image", id));
    if rec.create_sent {
        inner.set_running_state(id, JobState::Checking)?;
        // A failed check says nothing about the create: the marker stays (Marker::None).
        match recovery::check_create(client, &number, folder_id)
            .await
            .map_err(server(Marker::None))?
        {
            CreateCheck::Created {
                image_id,
                fingerprint,
            } => {
                // Unguarded: a server id is journaled even if the job was cancelled meanwhile.
                inner.update(id, |j| {
                    j.rec.image_id = Some(image_id);
                    j.rec.create_sent = false;
                    j.rec.pre_upload = Some(fingerprint.to_json());
                })?;
                return Ok(Step::Continue);
            }
            CreateCheck::NotCreated => {
                inner.update_running(id, |j| j.rec.create_sent = false)?;
            }
        }
    }
    inner.set_running_state(id, JobState::Creating)?;
    // A number already on the server (from before this queue) gets the job's suffix, so a
    // later lookup by number can only find this job's image.
    let mut number = number;
    if client
        .get_image_by_number(&number)
        .await
        .map_err(server(Marker::None))?
        .is_some()
    {
        number = suffixed_number(rec.header_name.as_deref().unwrap_or("image"), id);
    }
    let name = rec.header_name.clone().unwrap_or_else(|| number.clone());
    inner.update_running(id, |j| {
        j.rec.header_number = Some(number.clone());
        j.rec.create_sent = true;
    })?;
    let fields = [
        FieldUpdate::new("header_number", number.as_str()),
        FieldUpdate::new("header_name", name.as_str()),
    ];
    let header = client
        .create_image(folder_id, &fields, false)
        .await
        .map_err(server(Marker::Create))?;
    // Unguarded: a server id is journaled even if the job was cancelled meanwhile.
    inner.update(id, |j| {
        j.rec.image_id = Some(header.id.clone());
        j.rec.create_sent = false;
        j.rec.pre_upload = Some(ImageFingerprint::of(&header).to_json());
    })?;
    Ok(Step::Continue)
}

/// Sends the file (after checking a possibly-landed earlier upload) and hands the job to
/// the poller once the server returned the upload id.
async fn upload_step(
    inner: &Arc<Inner>,
    client: &Client,
    rec: &JobRecord,
) -> Result<Step, StepError> {
    let id = &rec.id;
    let Some(image_id) = rec.image_id.clone().or(match &rec.target {
        Target::Version { image_id } => Some(image_id.clone()),
        Target::NewImage { .. } => None,
    }) else {
        return Ok(Step::Continue);
    };
    if rec.upload_id.is_some() {
        inner.set_running_state(id, JobState::Processing)?;
        inner.poll.notify_one();
        return Ok(Step::Finished);
    }
    let before = rec
        .pre_upload
        .as_deref()
        .and_then(ImageFingerprint::from_json);
    if rec.upload_sent {
        inner.set_running_state(id, JobState::Checking)?;
        let Some(before) = before.clone() else {
            // Unreachable by construction (the fingerprint is saved with the marker); be safe.
            return Err(StepError::Server(
                beproduct::Error::InvalidInput("no record of the image before the upload".into()),
                Marker::None,
            ));
        };
        // A failed check says nothing about the upload: the marker stays (Marker::None).
        match recovery::check_upload(client, &image_id, &before, inner.config.upload_settle)
            .await
            .map_err(server(Marker::None))?
        {
            UploadCheck::Landed => {
                // The header shows the file, so the server processed it.
                inner.update_running(id, |j| {
                    j.rec.upload_sent = false;
                    j.rec.state = JobState::Done;
                })?;
                return Ok(Step::Finished);
            }
            UploadCheck::NotLanded(now) => {
                inner.update_running(id, |j| {
                    j.rec.upload_sent = false;
                    j.rec.pre_upload = Some(now.to_json());
                })?;
                return Ok(Step::Continue);
            }
        }
    }
    if let Some(reason) = recovery::file_change(rec, false) {
        tracing::info!("{reason}");
        inner.set_running_state(id, JobState::Changed)?;
        return Ok(Step::Finished);
    }
    let before = match before {
        Some(b) => b,
        None => {
            let header = client
                .get_image(&image_id)
                .await
                .map_err(server(Marker::None))?;
            ImageFingerprint::of(&header)
        }
    };
    inner.update_running(id, |j| {
        j.rec.state = JobState::Uploading;
        j.rec.pre_upload = Some(before.to_json());
        j.rec.upload_sent = true;
        j.bytes_sent = 0;
    })?;
    let progress = progress_reporter(inner.clone(), id.clone());
    let sent = match &rec.source {
        Source::Path { path } => client.upload_file(&image_id, path, Some(progress)).await,
        Source::Url { url } => client.upload_from_url(&image_id, url, Some(progress)).await,
    };
    let upload_id = sent.map_err(server(Marker::Upload))?;
    // Unguarded: the upload id is journaled even if the job was cancelled meanwhile
    // (a retry then polls instead of uploading again).
    inner.update(id, |j| {
        j.rec.upload_id = Some(upload_id.clone());
        j.rec.upload_sent = false;
        if j.task.is_some() {
            j.rec.state = JobState::Processing;
            j.bytes_sent = j.rec.size.unwrap_or(j.bytes_sent);
        }
    })?;
    inner.poll.notify_one();
    Ok(Step::Finished)
}

/// Builds the client's progress callback: updates the job and publishes at most one
/// event per `PROGRESS_EVERY` (plus the last one), with a smoothed speed.
fn progress_reporter(inner: Arc<Inner>, id: String) -> ProgressFn {
    struct Meter {
        last_emit: Option<Instant>,
        last_bytes: u64,
        speed: Option<f64>,
    }
    let meter = Mutex::new(Meter {
        last_emit: None,
        last_bytes: 0,
        speed: None,
    });
    let started = Instant::now();
    Arc::new(move |sent: u64, total: Option<u64>| {
        let mut m = meter.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let last = m.last_emit.unwrap_or(started);
        let finished = total.is_some_and(|t| sent >= t);
        if sent < m.last_bytes {
            // The client restarted the body (a retry): start counting again.
            m.last_bytes = 0;
        }
        if now.duration_since(last) < PROGRESS_EVERY && !finished {
            return;
        }
        let secs = now.duration_since(last).as_secs_f64().max(1e-3);
        let rate = (sent - m.last_bytes) as f64 / secs;
        let speed = match m.speed {
            Some(s) => 0.7 * s + 0.3 * rate,
            None => rate,
        };
        m.speed = Some(speed);
        m.last_emit = Some(now);
        m.last_bytes = sent;
        drop(m);
        let totals = {
            let mut st = inner.lock();
            let Some(job) = st.jobs.get_mut(&id) else {
                return;
            };
            if job.rec.size.is_none() {
                job.rec.size = total;
            }
            job.bytes_sent = sent;
            job.bytes_per_sec = Some(speed);
            st.totals(inner.is_paused())
        };
        inner.emit(QueueEvent::Progress {
            job_id: id.clone(),
            bytes_sent: sent,
            bytes_total: total,
            bytes_per_sec: speed,
            totals,
        });
    })
}
