//! The in-memory job list: one `Job` per journal row plus what only lives while running
//! (progress, the worker task), and running totals kept up to date on every change.

use crate::events::{BatchTotals, Tally};
use crate::job::{JobId, JobSummary, Target};
use crate::journal::JobRecord;
use std::collections::HashMap;
use tokio::task::AbortHandle;

/// The worker task running a job. `run` tells this run from a later one of the same job,
/// so a task that ends late only clears its own handle.
pub(crate) struct Task {
    pub run: u64,
    pub handle: AbortHandle,
}

pub(crate) struct Job {
    pub rec: JobRecord,
    pub interrupted: bool,
    pub bytes_sent: u64,
    pub bytes_per_sec: Option<f64>,
    /// The worker task running this job (it holds an upload slot while set).
    pub task: Option<Task>,
    /// Uploads of this job cut off mid-body in a row while the server answered otherwise
    /// (see `worker::classify`); not journaled: the rule is bounded within one app run.
    pub cut_offs: u32,
}

impl Job {
    pub fn new(rec: JobRecord, interrupted: bool) -> Job {
        Job {
            rec,
            interrupted,
            bytes_sent: 0,
            bytes_per_sec: None,
            task: None,
            cut_offs: 0,
        }
    }

    pub fn summary(&self, server: Option<&str>) -> JobSummary {
        let r = &self.rec;
        JobSummary {
            id: r.id.clone(),
            batch_id: r.batch_id.clone(),
            source: r.source.clone(),
            target: r.target.clone(),
            fields: r.fields.clone(),
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
            server_key: r.server_key.clone(),
            waiting_for_server: self.waits_for_other_server(server),
            attempts: r.attempts,
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
        }
    }

    /// The job belongs to a server other than `server` (the current client's), or no
    /// client is set; it is neither run nor checked until its server's client is back.
    pub fn waits_for_other_server(&self, server: Option<&str>) -> bool {
        !self.rec.state.is_finished()
            && match (&self.rec.server_key, server) {
                (None, _) => false,
                (Some(own), Some(current)) => own != current,
                (Some(_), None) => true,
            }
    }

    /// This job may be run or checked with a client of `server`.
    pub fn runs_on(&self, server: &str) -> bool {
        self.rec
            .server_key
            .as_deref()
            .is_none_or(|own| own == server)
    }

    fn tally(&self, server: Option<&str>) -> Tally {
        Tally::of(
            &self.rec.state,
            self.interrupted,
            self.waits_for_other_server(server),
            self.rec.size.unwrap_or(0),
            self.bytes_sent,
        )
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
    /// Read freely; change jobs through `change`/`insert`/`remove` so the totals follow.
    pub jobs: HashMap<JobId, Job>,
    /// The current client's server key.
    pub server: Option<String>,
    totals: BatchTotals,
}

impl State {
    pub fn summary(&self, job: &Job) -> JobSummary {
        job.summary(self.server.as_deref())
    }

    /// Changes one job and updates the totals by its difference: constant cost per change.
    pub fn change<R>(&mut self, id: &str, f: impl FnOnce(&mut Job) -> R) -> Option<R> {
        let server = self.server.as_deref();
        let job = self.jobs.get_mut(id)?;
        let before = job.tally(server);
        let out = f(job);
        let after = job.tally(server);
        if before != after {
            self.totals.remove(&before);
            self.totals.add(&after);
        }
        Some(out)
    }

    pub fn insert(&mut self, job: Job) {
        let id = job.rec.id.clone();
        self.totals.add(&job.tally(self.server.as_deref()));
        match self.jobs.insert(id.clone(), job) {
            Some(old) => self.totals.remove(&old.tally(self.server.as_deref())),
            None => self.order.push(id),
        }
    }

    /// Removes jobs from the list (`order` is rebuilt once for the whole set).
    pub fn remove(&mut self, ids: &[JobId]) {
        for id in ids {
            if let Some(job) = self.jobs.remove(id) {
                self.totals.remove(&job.tally(self.server.as_deref()));
            }
        }
        let jobs = &self.jobs;
        self.order.retain(|id| jobs.contains_key(id));
    }

    /// A client for `server` was set: which jobs wait for their server may change for
    /// all of them, so the totals are counted afresh (once per client change).
    pub fn set_server(&mut self, server: &str) -> bool {
        if self.server.as_deref() == Some(server) {
            return false;
        }
        self.server = Some(server.to_owned());
        self.totals = self.recount();
        true
    }

    pub fn totals(&self, paused: bool) -> BatchTotals {
        BatchTotals {
            paused,
            ..self.totals.clone()
        }
    }

    fn recount(&self) -> BatchTotals {
        let mut totals = BatchTotals::default();
        for job in self.jobs.values() {
            totals.add(&job.tally(self.server.as_deref()));
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{JobRequest, JobState};

    fn job(id: &str, server: Option<&str>, size: u64) -> Job {
        Job::new(
            JobRecord {
                size: Some(size),
                server_key: server.map(Into::into),
                ..JobRecord::queued(
                    id.into(),
                    1,
                    "b".into(),
                    JobRequest::file(
                        format!("/{id}.png"),
                        Target::NewImage {
                            folder_id: "f".into(),
                        },
                    ),
                    format!("{id}.png"),
                    0,
                )
            },
            false,
        )
    }

    #[test]
    fn running_totals_match_a_fresh_count_after_every_kind_of_change() {
        let mut st = State::default();
        st.set_server("A");
        st.insert(job("a", Some("A"), 100));
        st.insert(job("b", Some("B"), 50));
        st.insert(job("c", None, 10));
        assert_eq!(st.totals, st.recount());
        assert_eq!(st.totals.waiting_for_server, 1);
        assert_eq!((st.totals.busy, st.totals.bytes_total), (3, 160));

        st.change("a", |j| {
            j.rec.state = JobState::Uploading;
            j.bytes_sent = 40;
        });
        assert_eq!(st.totals.bytes_sent, 40);
        st.change("a", |j| j.bytes_sent = 400); // more than the size counts as the size
        assert_eq!(st.totals.bytes_sent, 100);
        st.change("c", |j| j.rec.state = JobState::refused("no"));
        st.change("b", |j| j.interrupted = true);
        assert_eq!(st.totals, st.recount());
        assert_eq!(st.totals.busy, 1, "a is running; b is on hold; c failed");

        assert!(st.set_server("B"));
        assert_eq!(st.totals.waiting_for_server, 1, "now a waits, b does not");
        st.change("a", |j| j.rec.state = JobState::MayHaveLanded);
        assert_eq!(
            st.totals.waiting_for_server, 0,
            "finished jobs wait for nothing"
        );
        assert_eq!(st.totals.may_have_landed, 1);
        st.remove(&["a".to_string(), "c".to_string()]);
        assert_eq!(st.totals, st.recount());
        assert_eq!(st.order, vec!["b".to_string()]);
        assert_eq!(st.totals.total, 1);
    }
}
