//! Turns queue events into progress lines on stdout: one line per finished file, a byte
//! count for running uploads at most once a second, and a summary line every few seconds.

use crate::preflight::format_size;
use crate::{BatchTotals, JobState, JobSummary, QueueEvent};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const BYTES_EVERY: Duration = Duration::from_secs(1);
pub const TOTALS_EVERY: Duration = Duration::from_secs(3);

#[derive(Default)]
pub struct Reporter {
    names: HashMap<String, String>,
    /// The state last printed per job: steps journal several changes in one state.
    last_state: HashMap<String, &'static str>,
    last_bytes_line: HashMap<String, Instant>,
}

impl Reporter {
    pub fn remember(&mut self, job: &JobSummary) {
        self.names.insert(job.id.clone(), job.file_name.clone());
    }

    /// Prints the job's state line unless this run already did (a file left failed by an
    /// earlier run still gets its reason listed).
    pub fn list(&mut self, job: &JobSummary) {
        let state = job.state.name();
        if self.last_state.insert(job.id.clone(), state) != Some(state) {
            if let Some(line) = state_line(job) {
                println!("{line}");
            }
        }
    }

    pub fn event(&mut self, event: &QueueEvent) {
        match event {
            QueueEvent::JobChanged { job, .. } => {
                self.remember(job);
                let state = job.state.name();
                if self.last_state.insert(job.id.clone(), state) == Some(state) {
                    return;
                }
                if let Some(line) = state_line(job) {
                    println!("{line}");
                }
            }
            QueueEvent::Progress {
                job_id,
                bytes_sent,
                bytes_total,
                ..
            } => {
                let now = Instant::now();
                let due = self
                    .last_bytes_line
                    .get(job_id)
                    .is_none_or(|t| now.duration_since(*t) >= BYTES_EVERY);
                let finished = bytes_total.is_some_and(|t| *bytes_sent >= t);
                if due && !finished {
                    self.last_bytes_line.insert(job_id.clone(), now);
                    let name = self.names.get(job_id).map_or("?", String::as_str);
                    let total = bytes_total.map_or("?".into(), format_size);
                    println!("sending    {name}: {} of {total}", format_size(*bytes_sent));
                }
            }
            QueueEvent::Paused { reason } => {
                println!("paused     {reason}; retrying by itself")
            }
            QueueEvent::Resumed => println!("resumed    the server answers again"),
            QueueEvent::JobsAdded { .. }
            | QueueEvent::JobsRemoved { .. }
            | QueueEvent::ServerChanged { .. } => {}
        }
    }
}

/// The line for a job reaching a state worth telling (start of a step or an outcome).
pub fn state_line(job: &JobSummary) -> Option<String> {
    let name = &job.file_name;
    Some(match &job.state {
        JobState::Checking => format!("checking   {name}: what an interrupted step left on the server"),
        JobState::Creating => format!("creating   {name}"),
        JobState::Uploading => format!(
            "uploading  {name} ({}) to image {}",
            job.size.map_or("?".into(), format_size),
            job.header_number.as_deref().unwrap_or("?")
        ),
        JobState::Done => format!(
            "done       {name} -> image {}",
            job.header_number.as_deref().unwrap_or("?")
        ),
        JobState::Failed { reason, .. } => format!("failed     {name}: {reason}"),
        JobState::MayHaveLanded => format!(
            "unsure     {name}: sent, but its answer was lost and it does not show on BeProduct yet; it may have landed. Run with --resume to check again (add --send-again to send it if it still does not show)."
        ),
        JobState::Changed => format!(
            "changed    {name}: the file changed on disk since it was queued; not sent. Run it again as a new upload."
        ),
        JobState::Duplicate => format!(
            "duplicate  {name}: the same content was already uploaded to this folder; not sent again."
        ),
        JobState::Cancelled => format!("cancelled  {name}"),
        JobState::Queued | JobState::Processing => return None,
    })
}

pub fn totals_line(t: &BatchTotals) -> String {
    format!(
        "progress   {} of {} done, {} queued, {} uploading, {} processing, {} failed, {} unsure ({} of {})",
        t.done,
        t.total,
        t.queued,
        t.checking + t.creating + t.uploading,
        t.processing,
        t.failed + t.changed + t.cancelled,
        t.may_have_landed,
        format_size(t.bytes_sent),
        format_size(t.bytes_total),
    )
}
