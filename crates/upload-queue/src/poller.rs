//! The one task that watches every job in Processing: polls the server's processing
//! status with an adaptive interval per job (fast at first, slower later) and moves
//! jobs to Done or Failed. Waiting for processing holds no upload slot.

use crate::job::JobState;
use crate::queue::Inner;
use beproduct::ErrorKind;
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

struct Timer {
    upload_id: String,
    next_at: Instant,
    interval: Duration,
    since: Instant,
    errors: u32,
}

enum Polled {
    Done,
    Failed(String),
    Pending,
    Offline(String),
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
        sync_timers(&inner, &mut timers, now);
        let client = inner.client();
        let mut due: Vec<(String, String)> = Vec::new();
        if let (Some(_), false) = (&client, inner.is_paused()) {
            due = timers
                .iter()
                .filter(|(_, t)| t.next_at <= now)
                .map(|(id, t)| (id.clone(), t.upload_id.clone()))
                .collect();
        }
        if let (Some(client), false) = (client, due.is_empty()) {
            use futures::StreamExt;
            let results: Vec<(String, Polled)> = futures::stream::iter(due)
                .map(|(job_id, upload_id)| {
                    let client = client.clone();
                    async move { (job_id, poll_once(&client, &upload_id).await) }
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

/// Starts timers for jobs that entered Processing and drops those that left it.
fn sync_timers(inner: &Inner, timers: &mut HashMap<String, Timer>, now: Instant) {
    let st = inner.lock();
    timers.retain(|id, _| {
        st.jobs
            .get(id)
            .is_some_and(|j| j.rec.state == JobState::Processing && !j.interrupted)
    });
    for job in st.jobs.values() {
        if job.rec.state != JobState::Processing || job.interrupted {
            continue;
        }
        if let Some(upload_id) = &job.rec.upload_id {
            timers.entry(job.rec.id.clone()).or_insert_with(|| Timer {
                upload_id: upload_id.clone(),
                next_at: now + FIRST_POLL,
                interval: FIRST_POLL,
                since: now,
                errors: 0,
            });
        }
    }
}

async fn poll_once(client: &beproduct::Client, upload_id: &str) -> Polled {
    match client.processing_status(upload_id).await {
        Ok(s) if s.finished && s.error_occured => Polled::Failed(format!(
            "the server could not process the file: {}",
            s.message.as_deref().unwrap_or("no reason given")
        )),
        Ok(s) if s.finished => Polled::Done,
        Ok(_) => Polled::Pending,
        Err(beproduct::Error::Throttled { retry_after }) => Polled::Wait(retry_after),
        Err(e) => match e.kind() {
            ErrorKind::Transport => Polled::Offline(e.to_string()),
            ErrorKind::NotFound => Polled::Failed(format!(
                "the server does not know this upload ({e}); Retry uploads the file again"
            )),
            _ => Polled::Error(e.to_string()),
        },
    }
}

fn apply(inner: &Arc<Inner>, timers: &mut HashMap<String, Timer>, job_id: &str, polled: Polled) {
    let Some(timer) = timers.get_mut(job_id) else {
        return;
    };
    let still_processing = |j: &crate::queue::Job| j.rec.state == JobState::Processing;
    let finish = |state: JobState, forget_upload: bool| {
        let result = inner.update_if(job_id, still_processing, |j| {
            j.rec.state = state;
            if forget_upload {
                // Processing failed: Retry must send the file again, not poll this id.
                j.rec.upload_id = None;
            }
        });
        if let Err(e) = result {
            if !matches!(e, crate::Error::Stopped(_)) {
                tracing::warn!("upload job {job_id}: {e}");
            }
        }
        // The image is free for its next upload.
        inner.dispatch.notify_one();
    };
    match polled {
        Polled::Done => {
            timers.remove(job_id);
            finish(JobState::Done, false);
        }
        Polled::Failed(reason) => {
            timers.remove(job_id);
            finish(JobState::Failed { reason }, true);
        }
        Polled::Pending | Polled::Error(_) | Polled::Wait(_) | Polled::Offline(_) => {
            let now = Instant::now();
            if let Polled::Error(reason) = &polled {
                timer.errors += 1;
                if timer.errors >= MAX_POLL_ERRORS {
                    let reason = format!(
                        "checking the processing status kept failing: {reason}; Retry checks again"
                    );
                    timers.remove(job_id);
                    return finish(JobState::Failed { reason }, false);
                }
            } else {
                timer.errors = 0;
            }
            if now.duration_since(timer.since) > inner.config.processing_timeout {
                let reason = format!(
                    "the server was still processing after {} s; Retry checks again",
                    inner.config.processing_timeout.as_secs()
                );
                timers.remove(job_id);
                return finish(JobState::Failed { reason }, false);
            }
            timer.interval = (timer.interval.mul_f64(1.5)).min(MAX_INTERVAL);
            timer.next_at = now
                + match &polled {
                    Polled::Wait(w) => *w,
                    _ => timer.interval,
                };
            if let Polled::Offline(reason) = polled {
                inner.go_offline(reason);
            }
        }
    }
}
