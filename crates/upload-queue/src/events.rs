//! Events the queue publishes; serialised with camelCase fields so the app can
//! forward them to the UI unchanged. Every job event carries the batch totals.

use crate::job::{JobId, JobState, JobSummary};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum QueueEvent {
    /// New jobs were accepted (in queue order).
    JobsAdded {
        jobs: Vec<JobSummary>,
        totals: BatchTotals,
    },
    /// A job's state (or ids) changed; carries the whole job.
    JobChanged {
        job: Box<JobSummary>,
        totals: BatchTotals,
    },
    /// Byte progress of an upload, at most ~10 per second per job.
    Progress {
        job_id: JobId,
        bytes_sent: u64,
        bytes_total: Option<u64>,
        bytes_per_sec: f64,
        totals: BatchTotals,
    },
    /// Jobs left the list (`clear_finished`, `discard_interrupted`).
    JobsRemoved {
        job_ids: Vec<JobId>,
        totals: BatchTotals,
    },
    /// The server cannot be reached; the queue waits and probes by itself.
    Paused {
        reason: String,
    },
    Resumed,
}

/// Counts per state and bytes for an overall progress bar. Bytes count the jobs that
/// are or will be sent (queued … done); failed, cancelled, duplicate and changed
/// jobs are left out so the bar can reach 100 %.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchTotals {
    pub total: u32,
    pub queued: u32,
    pub checking: u32,
    pub creating: u32,
    pub uploading: u32,
    pub processing: u32,
    pub done: u32,
    pub failed: u32,
    pub cancelled: u32,
    pub duplicate: u32,
    pub changed: u32,
    /// Jobs found unfinished at open, waiting for resume or discard.
    pub interrupted: u32,
    pub bytes_total: u64,
    pub bytes_sent: u64,
    pub paused: bool,
}

impl BatchTotals {
    pub fn add(&mut self, job: &JobSummary) {
        self.total += 1;
        if job.interrupted {
            self.interrupted += 1;
        }
        let counter = match job.state {
            JobState::Queued => &mut self.queued,
            JobState::Checking => &mut self.checking,
            JobState::Creating => &mut self.creating,
            JobState::Uploading => &mut self.uploading,
            JobState::Processing => &mut self.processing,
            JobState::Done => &mut self.done,
            JobState::Failed { .. } => &mut self.failed,
            JobState::Cancelled => &mut self.cancelled,
            JobState::Duplicate => &mut self.duplicate,
            JobState::Changed => &mut self.changed,
        };
        *counter += 1;
        let size = job.size_for_totals();
        match job.state {
            JobState::Queued | JobState::Checking | JobState::Creating => self.bytes_total += size,
            JobState::Uploading => {
                self.bytes_total += size;
                self.bytes_sent += job.bytes_sent.min(size);
            }
            JobState::Processing | JobState::Done => {
                self.bytes_total += size;
                self.bytes_sent += size;
            }
            _ => {}
        }
    }

    /// Jobs that still have work to do (not counting interrupted ones on hold).
    pub fn active(&self) -> u32 {
        self.queued + self.checking + self.creating + self.uploading + self.processing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{Source, Target};
    use serde_json::json;

    #[test]
    fn events_serialise_as_camel_case_for_the_ui() {
        let job = JobSummary {
            id: "j1".into(),
            batch_id: "b1".into(),
            source: Source::Path {
                path: "/drop/front print.png".into(),
            },
            target: Target::NewImage {
                folder_id: "f1".into(),
            },
            file_name: "front print.png".into(),
            header_number: Some("front print".into()),
            header_name: Some("front print".into()),
            size: Some(2048),
            sha256: Some("ab".into()),
            state: JobState::Failed {
                reason: "no".into(),
            },
            image_id: None,
            upload_id: None,
            bytes_sent: 0,
            bytes_per_sec: None,
            duplicate_of: None,
            interrupted: false,
            attempts: 1,
            created_at_ms: 1,
            updated_at_ms: 2,
        };
        let mut totals = BatchTotals::default();
        totals.add(&job);
        let event = QueueEvent::JobChanged {
            job: Box::new(job),
            totals,
        };
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(v["type"], "jobChanged");
        assert_eq!(v["job"]["fileName"], "front print.png");
        assert_eq!(v["job"]["state"], json!({"kind": "failed", "reason": "no"}));
        assert_eq!(
            v["job"]["target"],
            json!({"kind": "newImage", "folderId": "f1"})
        );
        assert_eq!(
            v["job"]["source"],
            json!({"kind": "path", "path": "/drop/front print.png"})
        );
        assert_eq!(v["totals"]["failed"], 1);
        assert_eq!(
            v["totals"]["bytesTotal"], 0,
            "failed jobs leave the overall bar"
        );

        let progress = QueueEvent::Progress {
            job_id: "j1".into(),
            bytes_sent: 10,
            bytes_total: Some(20),
            bytes_per_sec: 5.0,
            totals: BatchTotals::default(),
        };
        let v = serde_json::to_value(&progress).unwrap();
        assert_eq!(v["type"], "progress");
        assert_eq!(v["jobId"], "j1");
        assert_eq!(v["bytesPerSec"], 5.0);
        let paused = serde_json::to_value(QueueEvent::Paused {
            reason: "offline".into(),
        })
        .unwrap();
        assert_eq!(paused, json!({"type": "paused", "reason": "offline"}));
    }
}
