//! The in-memory job list: one `Job` per journal row plus what only lives while running
//! (progress, the worker task), and the totals derived from it.

use crate::events::BatchTotals;
use crate::job::{JobId, JobSummary, Target};
use crate::journal::JobRecord;
use std::collections::HashMap;
use tokio::task::AbortHandle;

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
