//! Events the queue publishes; serialised with camelCase fields so the app can
//! forward them to the UI unchanged. Every job event carries the batch totals.

use crate::job::{JobId, JobState, JobSummary};
use beproduct::ImageHeader;
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
    /// A job's state (or ids) changed; carries the whole job. `image` is the image's header
    /// as the server has it now, set only on the transition to Done (so the UI needs no
    /// request per finished upload); otherwise null.
    JobChanged {
        job: Box<JobSummary>,
        totals: BatchTotals,
        image: Option<Box<ImageHeader>>,
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
    /// A client for another server (or the first client) was set: which jobs wait for their
    /// server changed (`waitingForServer`); reload the list with `jobs()`.
    ServerChanged {
        server_key: String,
        totals: BatchTotals,
    },
    /// Nothing new starts: the server cannot be reached, sign-in was refused, or the journal
    /// cannot be written. The queue probes by itself (back-off) and sends `resumed`.
    Paused {
        reason: String,
    },
    Resumed,
}

/// Counts per state and bytes for an overall progress bar. Bytes count the jobs that
/// are or will be sent (queued … done, and may-have-landed); failed, cancelled, duplicate
/// and changed jobs are left out so the bar can reach 100 %.
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
    pub may_have_landed: u32,
    /// Jobs found unfinished at open, waiting for resume or discard.
    pub interrupted: u32,
    /// Unfinished jobs of another server than the current client's (see `JobSummary`).
    pub waiting_for_server: u32,
    pub bytes_total: u64,
    pub bytes_sent: u64,
    pub paused: bool,
    /// Unfinished jobs not on hold (interrupted): while any, the queue is not idle.
    #[serde(skip)]
    pub(crate) busy: u32,
}

/// What one job adds to the totals. The queue keeps running totals: a change takes the
/// job's old tally off and adds the new one, so an event costs the same in any batch size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    pub state: StateSlot,
    pub interrupted: bool,
    pub waiting_for_server: bool,
    pub bytes_total: u64,
    pub bytes_sent: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateSlot {
    Queued,
    Checking,
    Creating,
    Uploading,
    Processing,
    Done,
    Failed,
    Cancelled,
    Duplicate,
    Changed,
    MayHaveLanded,
}

impl Tally {
    pub fn of(
        state: &JobState,
        interrupted: bool,
        waiting_for_server: bool,
        size: u64,
        bytes_sent: u64,
    ) -> Tally {
        let slot = match state {
            JobState::Queued => StateSlot::Queued,
            JobState::Checking => StateSlot::Checking,
            JobState::Creating => StateSlot::Creating,
            JobState::Uploading => StateSlot::Uploading,
            JobState::Processing => StateSlot::Processing,
            JobState::Done => StateSlot::Done,
            JobState::Failed { .. } => StateSlot::Failed,
            JobState::Cancelled => StateSlot::Cancelled,
            JobState::Duplicate => StateSlot::Duplicate,
            JobState::Changed => StateSlot::Changed,
            JobState::MayHaveLanded => StateSlot::MayHaveLanded,
        };
        let (bytes_total, bytes_sent) = match slot {
            StateSlot::Queued | StateSlot::Checking | StateSlot::Creating => (size, 0),
            StateSlot::Uploading => (size, bytes_sent.min(size)),
            StateSlot::Processing | StateSlot::Done | StateSlot::MayHaveLanded => (size, size),
            _ => (0, 0),
        };
        Tally {
            state: slot,
            interrupted,
            waiting_for_server: waiting_for_server && !state.is_finished(),
            bytes_total,
            bytes_sent,
        }
    }

    fn busy(&self) -> bool {
        !self.interrupted
            && matches!(
                self.state,
                StateSlot::Queued
                    | StateSlot::Checking
                    | StateSlot::Creating
                    | StateSlot::Uploading
                    | StateSlot::Processing
            )
    }
}

impl BatchTotals {
    fn counter(&mut self, slot: StateSlot) -> &mut u32 {
        match slot {
            StateSlot::Queued => &mut self.queued,
            StateSlot::Checking => &mut self.checking,
            StateSlot::Creating => &mut self.creating,
            StateSlot::Uploading => &mut self.uploading,
            StateSlot::Processing => &mut self.processing,
            StateSlot::Done => &mut self.done,
            StateSlot::Failed => &mut self.failed,
            StateSlot::Cancelled => &mut self.cancelled,
            StateSlot::Duplicate => &mut self.duplicate,
            StateSlot::Changed => &mut self.changed,
            StateSlot::MayHaveLanded => &mut self.may_have_landed,
        }
    }

    pub(crate) fn add(&mut self, t: &Tally) {
        self.total += 1;
        *self.counter(t.state) += 1;
        self.interrupted += u32::from(t.interrupted);
        self.waiting_for_server += u32::from(t.waiting_for_server);
        self.busy += u32::from(t.busy());
        self.bytes_total += t.bytes_total;
        self.bytes_sent += t.bytes_sent;
    }

    /// Takes off a tally added earlier (the counts cannot go below zero by construction).
    pub(crate) fn remove(&mut self, t: &Tally) {
        self.total -= 1;
        *self.counter(t.state) -= 1;
        self.interrupted -= u32::from(t.interrupted);
        self.waiting_for_server -= u32::from(t.waiting_for_server);
        self.busy -= u32::from(t.busy());
        self.bytes_total -= t.bytes_total;
        self.bytes_sent -= t.bytes_sent;
    }

    /// Jobs that still have work to do (not counting interrupted ones on hold).
    pub fn active(&self) -> u32 {
        self.busy
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
            fields: Vec::new(),
            file_name: "front print.png".into(),
            header_number: Some("front print".into()),
            header_name: Some("front print".into()),
            size: Some(2048),
            sha256: Some("ab".into()),
            state: JobState::failed("no"),
            image_id: None,
            upload_id: None,
            bytes_sent: 0,
            bytes_per_sec: None,
            duplicate_of: None,
            interrupted: false,
            server_key: Some("http://127.0.0.1:9/api/sandbox/".into()),
            waiting_for_server: false,
            attempts: 1,
            created_at_ms: 1,
            updated_at_ms: 2,
        };
        let mut totals = BatchTotals::default();
        totals.add(&Tally::of(&job.state, false, false, 2048, 0));
        let event = QueueEvent::JobChanged {
            job: Box::new(job),
            totals,
            image: None,
        };
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(v["type"], "jobChanged");
        assert_eq!(v["job"]["fileName"], "front print.png");
        assert_eq!(
            v["job"]["state"],
            json!({"kind": "failed", "reason": "no", "permanent": false})
        );
        assert_eq!(v["job"]["waitingForServer"], false);
        assert_eq!(v["image"], json!(null));
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
