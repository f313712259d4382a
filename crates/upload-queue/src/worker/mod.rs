//! The dispatcher (starts jobs within the concurrency limit, one per image, each only with
//! a client of its own server) and the worker that takes one job through check → create →
//! upload, journaling each step before it is sent and each server id the moment it arrives.

mod classify;
mod progress;
mod steps;

use crate::job::{JobState, Target};
use crate::queue::{Inner, Task};
use beproduct::Client;
use classify::{classify, Next};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use steps::{Marker, Step, StepError};

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
    let server = client.server_key();
    let mut st = inner.lock();
    let mut running = st.jobs.values().filter(|j| j.task.is_some()).count();
    if running >= limit {
        return;
    }
    // An image with a running, processing or undecided job takes no second upload: a
    // landing check must not take another job's file for its own.
    let mut busy: HashSet<String> = st
        .jobs
        .values()
        .filter(|j| {
            j.task.is_some()
                || matches!(j.rec.state, JobState::Processing | JobState::MayHaveLanded)
        })
        .filter_map(|j| j.image().map(str::to_owned))
        .collect();
    for index in 0..st.order.len() {
        if running >= limit {
            break;
        }
        let id = &st.order[index];
        let Some(job) = st.jobs.get(id) else {
            continue;
        };
        if job.rec.state != JobState::Queued
            || job.interrupted
            || job.task.is_some()
            || !job.runs_on(server)
        {
            continue;
        }
        if let Some(image) = job.image() {
            if !busy.insert(image.to_owned()) {
                continue;
            }
        }
        let id = id.clone();
        let run = inner.next_run.fetch_add(1, Ordering::SeqCst);
        let handle = tokio::spawn(run_job(inner.clone(), client.clone(), id.clone(), run));
        if let Some(job) = st.jobs.get_mut(&id) {
            job.task = Some(Task {
                run,
                handle: handle.abort_handle(),
            });
        }
        running += 1;
    }
}

/// Runs one job; always gives its slot back, however it ends.
async fn run_job(inner: Arc<Inner>, client: Client, id: String, run: u64) {
    struct Slot(Arc<Inner>, String, u64);
    impl Drop for Slot {
        fn drop(&mut self) {
            if let Some(job) = self.0.lock().jobs.get_mut(&self.1) {
                // Only this run's handle: after a cancel and a retry, a newer run owns the job.
                if job.task.as_ref().is_some_and(|t| t.run == self.2) {
                    job.task = None;
                }
            }
            self.0.dispatch.notify_one();
        }
    }
    let _slot = Slot(inner.clone(), id.clone(), run);
    match process(&inner, &client, &id).await {
        Ok(()) | Err(crate::Error::Stopped(_)) => {}
        // The journal refused a write (the queue paused): stop here rather than send
        // unrecorded work; the job runs again once the journal can be written.
        Err(crate::Error::Journal(_)) => inner.requeue_in_memory(&id),
        Err(e) => {
            tracing::warn!("upload job {id}: {e}");
            let _ = inner.set_running_state(&id, JobState::failed(e.to_string()));
        }
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
        let step = if rec.server_key.is_none() {
            steps::adopt(inner, client, &rec).await
        } else {
            match &rec.target {
                Target::NewImage { folder_id } if rec.image_id.is_none() => {
                    steps::create_step(inner, client, &rec, folder_id).await
                }
                _ => steps::upload_step(inner, client, &rec).await,
            }
        };
        let (error, marker) = match step {
            Ok(Step::Continue) => continue,
            Ok(Step::Finished) => return Ok(()),
            Err(StepError::Journal(e)) => return Err(e),
            Err(StepError::Server { error, marker }) => (error, marker),
        };
        let cut_offs = inner.lock().jobs.get(id).map_or(0, |j| j.cut_offs);
        let judged = classify(&error, &rec, cut_offs);
        inner.update_running(id, |j| {
            match (marker, judged.may_have_acted) {
                // Proof the server did not act on that request: it may go again unchecked.
                (Marker::Create, false) => j.rec.create_sent = false,
                (Marker::Upload, false) => j.rec.upload_sent = false,
                // The client's word that the whole body may have gone out, whatever the
                // meter journaled: the next run checks before sending again.
                (Marker::Upload, true) => j.rec.body_sent = true,
                (Marker::Create, true) | (Marker::None, _) => {}
            }
            if judged.cut_off {
                j.cut_offs += 1;
            }
            j.rec.attempts += 1;
        })?;
        attempt += 1;
        match judged.next {
            Next::Retry(_) if attempt >= inner.config.max_attempts => {
                let reason = format!("{error} (gave up after {attempt} tries; Retry to try again)");
                inner.set_running_state(id, JobState::failed(reason))?;
                return Ok(());
            }
            Next::Retry(wait) => tokio::time::sleep(backoff(attempt, wait)).await,
            Next::Pause(trouble, reason) => {
                inner.set_running_state(id, JobState::Queued)?;
                inner.pause(trouble, reason);
                return Ok(());
            }
            Next::Fail(state) => {
                inner.set_running_state(id, state)?;
                return Ok(());
            }
        }
    }
}
