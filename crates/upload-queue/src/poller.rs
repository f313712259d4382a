//! The one task that watches every job in Processing, with an adaptive interval per job
//! (fast at first, slower later), holding no upload slot:
//! * a job with an upload id: the server's processing status, until finished;
//! * a job whose upload answer was lost: the image itself, until the file shows or the
//!   server must have finished processing (`watch_until_ms`); then the user decides.
//!
//! Only jobs of the current client's server are watched. A finished job's event carries
//! the image's header, so the UI needs no request per finished upload.

use crate::job::JobState;
use crate::journal::now_ms;
use crate::queue::{Inner, Job, Trouble};
use crate::recovery::{self, ImageFingerprint, UploadCheck};
use beproduct::{Client, ErrorKind, ImageHeader};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_INTERVAL: Duration = Duration::from_secs(5);
/// Status requests in flight at once.
const PARALLEL_POLLS: usize = 4;
/// Consecutive failed status requests (other than offline/throttled) before a job fails.
const MAX_POLL_ERRORS: u32 = 8;

#[derive(Clone)]
enum Watch {
    Status {
        upload_id: String,
    },
    Landing {
        image_id: String,
        before: ImageFingerprint,
        until: Instant,
    },
}

struct Timer {
    watch: Watch,
    next_at: Instant,
    interval: Duration,
    since: Instant,
    errors: u32,
}

enum Polled {
    Done(Option<Box<ImageHeader>>),
    /// Processing failed: sending the same file again cannot help.
    Refused(String),
    /// The server lost track of the upload; sending it again may.
    Failed(String),
    Pending,
    Offline(String),
    SignIn(String),
    Wait(Duration),
    Error(String),
}

pub(crate) async fn run(inner: Arc<Inner>) {
    let mut timers: HashMap<String, Timer> = HashMap::new();
    loop {
        if inner.shut_down.load(Ordering::SeqCst) {
            return;
        }
        let now = Instant::now();
        let client = inner.client();
        sync_timers(&inner, &mut timers, now, client.as_ref());
        let due: Vec<(String, Watch)> = match (&client, inner.is_paused()) {
            (Some(_), false) => timers
                .iter()
                .filter(|(_, t)| t.next_at <= now)
                .map(|(id, t)| (id.clone(), t.watch.clone()))
                .collect(),
            _ => Vec::new(),
        };
        if let (Some(client), false) = (client, due.is_empty()) {
            use futures::StreamExt;
            let results: Vec<(String, Polled)> = futures::stream::iter(due)
                .map(|(job_id, watch)| {
                    let client = client.clone();
                    let image = inner
                        .lock()
                        .jobs
                        .get(&job_id)
                        .and_then(|j| j.image().map(str::to_owned));
                    async move { (job_id, poll_once(&client, &watch, image).await) }
                })
                .buffer_unordered(PARALLEL_POLLS)
                .collect()
                .await;
            for (job_id, polled) in results {
                apply(&inner, &mut timers, &job_id, polled);
            }
            continue;
        }
        let next = timers.values().map(|t| t.next_at).min();
        let sleep = match next {
            Some(at) if !inner.is_paused() => at.saturating_duration_since(Instant::now()),
            _ => Duration::from_secs(3600),
        };
        tokio::select! {
            _ = inner.poll.notified() => {}
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

/// What to watch for a job in Processing, if it can be watched with this client.
fn watch_of(job: &Job, server: &str) -> Option<Watch> {
    if job.rec.state != JobState::Processing || job.interrupted || !job.runs_on(server) {
        return None;
    }
    if let Some(upload_id) = &job.rec.upload_id {
        return Some(Watch::Status {
            upload_id: upload_id.clone(),
        });
    }
    let before = ImageFingerprint::from_json(job.rec.pre_upload.as_deref()?)?;
    let left = job.rec.watch_until_ms? - now_ms();
    Some(Watch::Landing {
        image_id: job.image()?.to_owned(),
        before,
        until: Instant::now() + Duration::from_millis(left.max(0) as u64),
    })
}

/// Starts timers for jobs that entered Processing and drops those that left it.
fn sync_timers(
    inner: &Inner,
    timers: &mut HashMap<String, Timer>,
    now: Instant,
    client: Option<&Client>,
) {
    let Some(server) = client.map(Client::server_key) else {
        timers.clear();
        return;
    };
    let st = inner.lock();
    timers.retain(|id, _| {
        st.jobs
            .get(id)
            .is_some_and(|j| watch_of(j, server).is_some())
    });
    for job in st.jobs.values() {
        if job.rec.state != JobState::Processing || timers.contains_key(&job.rec.id) {
            continue;
        }
        if let Some(watch) = watch_of(job, server) {
            timers.insert(
                job.rec.id.clone(),
                Timer {
                    watch,
                    next_at: now + FIRST_POLL,
                    interval: FIRST_POLL,
                    since: now,
                    errors: 0,
                },
            );
        }
    }
}

async fn poll_once(client: &Client, watch: &Watch, image_id: Option<String>) -> Polled {
    let result = match watch {
        Watch::Status { upload_id } => match client.processing_status(upload_id).await {
            Ok(s) if s.finished && s.error_occured => Ok(Polled::Refused(format!(
                "the server could not process the file: {}",
                s.message.as_deref().unwrap_or("no reason given")
            ))),
            Ok(s) if s.finished => {
                // The header once, for the finished job's event (the UI shows it as is).
                let header = match &image_id {
                    Some(id) => client.get_image(id).await.ok().map(Box::new),
                    None => None,
                };
                Ok(Polled::Done(header))
            }
            Ok(_) => Ok(Polled::Pending),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Polled::Failed(format!(
                "the server does not know this upload ({e}); Retry uploads the file again"
            ))),
            Err(e) => Err(e),
        },
        Watch::Landing {
            image_id, before, ..
        } => match recovery::check_upload(client, image_id, before).await {
            Ok(UploadCheck::Landed(header)) => Ok(Polled::Done(Some(header))),
            Ok(UploadCheck::NotYet) => Ok(Polled::Pending),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Polled::Failed(format!(
                "the image was deleted on BeProduct while its upload was checked ({e})"
            ))),
            Err(e) => Err(e),
        },
    };
    result.unwrap_or_else(|e| match e {
        beproduct::Error::Throttled { retry_after } => Polled::Wait(retry_after),
        beproduct::Error::Auth(message) => Polled::SignIn(message),
        e if e.kind() == ErrorKind::Transport => Polled::Offline(e.to_string()),
        e => Polled::Error(e.to_string()),
    })
}

fn apply(inner: &Arc<Inner>, timers: &mut HashMap<String, Timer>, job_id: &str, polled: Polled) {
    let Some(timer) = timers.get_mut(job_id) else {
        return;
    };
    let still_processing = |j: &Job| j.rec.state == JobState::Processing;
    // Returns whether the change was written; a journal that refused it paused the queue
    // and the timer stays, so the result is applied once it can be written.
    let finish = |state: JobState, forget_upload: bool, image: Option<ImageHeader>| -> bool {
        let result = inner.transition(
            job_id,
            still_processing,
            |j| {
                if forget_upload {
                    // Processing failed: Retry must send the file again, not poll this id.
                    j.rec.upload_id = None;
                }
                if state == JobState::Done {
                    j.rec.upload_sent = false;
                }
                j.rec.state = state;
            },
            image,
        );
        // The image is free for its next upload.
        inner.dispatch.notify_one();
        match result {
            Err(crate::Error::Journal(_)) => false,
            Err(crate::Error::Stopped(_) | crate::Error::UnknownJob(_)) | Ok(_) => true,
            Err(e) => {
                tracing::warn!("upload job {job_id}: {e}");
                true
            }
        }
    };
    let now = Instant::now();
    let wait = match &polled {
        Polled::Wait(w) => Some(*w),
        _ => None,
    };
    if matches!(polled, Polled::Error(_)) {
        timer.errors += 1;
    } else {
        timer.errors = 0;
    }
    let outcome = match polled {
        Polled::Done(header) => Some((JobState::Done, false, header.map(|h| *h))),
        Polled::Refused(reason) => Some((JobState::refused(reason), true, None)),
        Polled::Failed(reason) => Some((JobState::failed(reason), true, None)),
        Polled::Error(reason) if timer.errors >= MAX_POLL_ERRORS => Some((
            JobState::failed(format!(
                "checking the processing status kept failing: {reason}; Retry checks again"
            )),
            false,
            None,
        )),
        // Only the server's own "not yet" ends a watch: time spent throttled or failing
        // to ask says nothing about how long processing takes.
        Polled::Pending => match &timer.watch {
            Watch::Landing { until, .. } if now >= *until => {
                Some((JobState::MayHaveLanded, false, None))
            }
            Watch::Status { .. }
                if now.duration_since(timer.since) > inner.config.processing_timeout =>
            {
                Some((
                    JobState::failed(format!(
                        "the server was still processing after {} s; Retry checks again",
                        inner.config.processing_timeout.as_secs()
                    )),
                    false,
                    None,
                ))
            }
            _ => None,
        },
        Polled::Error(_) | Polled::Wait(_) => None,
        Polled::Offline(reason) => {
            inner.pause(Trouble::Offline, reason);
            None
        }
        Polled::SignIn(reason) => {
            inner.pause(Trouble::SignIn, reason);
            None
        }
    };
    if let Some((state, forget_upload, image)) = outcome {
        if finish(state, forget_upload, image) {
            timers.remove(job_id);
        }
        return;
    }
    let Some(timer) = timers.get_mut(job_id) else {
        return;
    };
    timer.interval = (timer.interval.mul_f64(1.5)).min(MAX_INTERVAL);
    timer.next_at = now + wait.unwrap_or(timer.interval);
}
