//! Journaled upload queue for BeProduct images.
//!
//! `Queue::open(config)` → `enqueue(requests)`; state changes and progress arrive on
//! `subscribe()`. Every job is written to a SQLite journal before any network step,
//! so an interrupted batch resumes without sending anything twice.

pub mod cli;
pub mod error;
pub mod events;
pub mod expand;
pub mod job;
mod journal;
mod jpeg_end;
pub mod preflight;

pub use error::{Error, Result};
pub use events::{BatchTotals, QueueEvent};
pub use expand::{expand_paths, Expanded, Skipped};
pub use job::{
    fields_problem, FieldValue, JobId, JobRequest, JobState, JobSummary, Naming, Source, Target,
    FILE_NAME_FIELDS,
};
mod poller;
pub mod queue;
mod recovery;
mod worker;

pub use queue::{EnqueueReport, Queue, QueueConfig, Rejected};
