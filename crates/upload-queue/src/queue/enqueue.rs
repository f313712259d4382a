//! Accepting a batch: each request is checked (target id, file readable, an image, under
//! the limit, hashed), numbered, matched against earlier content, and the accepted ones are
//! journaled in one transaction before anything starts.

use super::naming::{file_name_of, stem_of, suffixed_number};
use super::{Job, Queue};
use crate::error::{Error, Result};
use crate::events::QueueEvent;
use crate::expand::{expand_paths, Skipped};
use crate::job::{
    fields_problem, FieldValue, JobRequest, JobState, JobSummary, Naming, Source, Target,
};
use crate::journal::{now_ms, JobRecord};
use crate::preflight;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    /// The path or URL as given.
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnqueueReport {
    pub batch_id: String,
    pub accepted: Vec<JobSummary>,
    pub rejected: Vec<Rejected>,
}

/// What `enqueue_paths` did with dropped files and folders.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathsReport {
    pub batch_id: String,
    pub accepted: Vec<JobSummary>,
    /// Files refused at enqueue (empty, not an image, too large, unreadable…).
    pub rejected: Vec<Rejected>,
    /// Left out while expanding: non-images inside folders, folder loops, unreadable
    /// paths. A path named directly (not found inside a folder) is listed here too.
    pub skipped: Vec<Skipped>,
}

fn source_text(source: &Source) -> String {
    match source {
        Source::Path { path } => path.display().to_string(),
        Source::Url { url } => url.clone(),
    }
}

/// A caller's number and name must be usable as they are: only for new images, not blank.
fn naming_problem(target: &Target, naming: Option<&Naming>) -> Option<String> {
    let naming = naming?;
    if let Target::Version { .. } = target {
        return Some(
            "a number and name apply only to new images; a new version keeps its image's.".into(),
        );
    }
    if naming.number.trim().is_empty() || naming.name.trim().is_empty() {
        return Some("a new image needs a number and a name; neither may be blank.".into());
    }
    None
}

/// A target id that is not a GUID (e.g. `../x` or `a?b` from a hand-edited link) is
/// refused before it could become part of a request path.
fn target_problem(target: &Target) -> Option<String> {
    let (what, id) = match target {
        Target::Version { image_id } => ("image", image_id),
        Target::NewImage { folder_id } => ("folder", folder_id),
    };
    if beproduct::is_guid(id) {
        return None;
    }
    let shown: String = id.chars().take(60).collect();
    Some(format!(
        "'{shown}' is not a BeProduct {what} id (ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6); choose the {what} again."
    ))
}

impl Queue {
    /// Expands dropped files and folders (off the async threads) and enqueues every image
    /// found for `target`: the one way the app and `bp-upload` turn a drop into jobs.
    pub async fn enqueue_paths(&self, paths: Vec<PathBuf>, target: Target) -> Result<PathsReport> {
        self.enqueue_paths_with_fields(paths, target, Vec::new())
            .await
    }

    /// `enqueue_paths` where every new image is created with `fields` (API values, see
    /// `FieldValue`). Fields that cannot go with `target` refuse the whole call before
    /// anything is queued.
    pub async fn enqueue_paths_with_fields(
        &self,
        paths: Vec<PathBuf>,
        target: Target,
        fields: Vec<FieldValue>,
    ) -> Result<PathsReport> {
        if let Some(problem) = fields_problem(&target, &fields) {
            return Err(Error::InvalidInput(problem));
        }
        let expanded = tokio::task::spawn_blocking(move || expand_paths(&paths))
            .await
            .map_err(|e| Error::InvalidInput(format!("walking the folders stopped: {e}")))?;
        let requests = expanded
            .files
            .into_iter()
            .map(|file| JobRequest::file(file, target.clone()).with_fields(fields.clone()))
            .collect();
        let report = self.enqueue(requests).await?;
        Ok(PathsReport {
            batch_id: report.batch_id,
            accepted: report.accepted,
            rejected: report.rejected,
            skipped: expanded.skipped,
        })
    }

    /// Checks each request (the rest of the batch goes on when one fails), journals the
    /// accepted ones in one transaction and starts them. Local files are hashed here.
    pub async fn enqueue(&self, requests: Vec<JobRequest>) -> Result<EnqueueReport> {
        if self.inner.shut_down.load(Ordering::SeqCst) {
            return Err(Error::ShutDown);
        }
        let max = self.inner.config.max_file_bytes;
        // Hashing reads whole files: keep it off the async threads.
        let checked = tokio::task::spawn_blocking(move || {
            requests
                .into_iter()
                .map(|req| {
                    let facts = match &req.source {
                        Source::Path { path } => Some(preflight::check_file(path, max)),
                        Source::Url { url } => {
                            let lower = url.trim().to_ascii_lowercase();
                            if lower.starts_with("http://") || lower.starts_with("https://") {
                                None
                            } else {
                                Some(Err(format!(
                                    "{url} is not an http(s) URL; only web addresses and local files can be uploaded."
                                )))
                            }
                        }
                    };
                    (req, facts)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| Error::InvalidInput(format!("checking the files stopped: {e}")))?;

        let batch_id = uuid::Uuid::new_v4().to_string();
        // Jobs belong to the server whose folder or image was chosen: the current client's.
        // Without a client, the first client that proves the target is on its server
        // adopts them (`worker::adopt`).
        let server_key = self.inner.lock().server.clone();
        let mut seq = self.inner.journal.next_seq()?;
        let now = now_ms();
        let mut rejected = Vec::new();
        let mut records: Vec<JobRecord> = Vec::new();
        let mut batch_content: HashMap<(String, Target), String> = HashMap::new();
        let mut batch_numbers: HashSet<String> = HashSet::new();
        for (req, facts) in checked {
            if let Some(reason) = target_problem(&req.target)
                .or_else(|| fields_problem(&req.target, &req.fields))
                .or_else(|| naming_problem(&req.target, req.naming.as_ref()))
            {
                rejected.push(Rejected {
                    path: source_text(&req.source),
                    reason,
                });
                continue;
            }
            let facts = match facts {
                Some(Err(reason)) => {
                    rejected.push(Rejected {
                        path: source_text(&req.source),
                        reason,
                    });
                    continue;
                }
                Some(Ok(f)) => Some(f),
                None => None,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let file_name = file_name_of(&req.source);
            let (header_number, header_name) = match &req.target {
                Target::NewImage { .. } => {
                    let (wanted, name) = match &req.naming {
                        Some(naming) => (naming.number.clone(), naming.name.clone()),
                        None => {
                            let stem = stem_of(&file_name);
                            (stem.clone(), stem)
                        }
                    };
                    let taken = batch_numbers.contains(&wanted)
                        || self.inner.journal.number_taken(&wanted, &id)?;
                    let number = if taken {
                        suffixed_number(&wanted, &id)
                    } else {
                        wanted
                    };
                    batch_numbers.insert(number.clone());
                    (Some(number), Some(name))
                }
                Target::Version { .. } => (None, None),
            };
            let sha256 = facts.as_ref().map(|f| f.sha256.clone());
            let duplicate_of = match &sha256 {
                Some(sha) => match batch_content.get(&(sha.clone(), req.target.clone())) {
                    Some(first) => Some(first.clone()),
                    None => self
                        .inner
                        .journal
                        .find_same_content(sha, &req.target, &id)?,
                },
                None => None,
            };
            if let (Some(sha), None) = (&sha256, &duplicate_of) {
                batch_content.insert((sha.clone(), req.target.clone()), id.clone());
            }
            let state = if duplicate_of.is_some() {
                JobState::Duplicate
            } else {
                JobState::Queued
            };
            records.push(JobRecord {
                state,
                header_number,
                header_name,
                size: facts.as_ref().map(|f| f.size),
                mtime_ns: facts.as_ref().map(|f| f.mtime_ns),
                sha256,
                duplicate_of,
                server_key: server_key.clone(),
                ..JobRecord::queued(id, seq, batch_id.clone(), req, file_name, now)
            });
            seq += 1;
        }
        self.inner.journal.save_all(&records)?;
        let (accepted, totals) = {
            let mut st = self.inner.lock();
            let mut accepted = Vec::with_capacity(records.len());
            for rec in records {
                let job = Job::new(rec, false);
                accepted.push(st.summary(&job));
                st.insert(job);
            }
            (accepted, st.totals(self.inner.is_paused()))
        };
        if !accepted.is_empty() {
            self.inner.emit(QueueEvent::JobsAdded {
                jobs: accepted.clone(),
                totals,
            });
        }
        self.inner.dispatch.notify_one();
        Ok(EnqueueReport {
            batch_id,
            accepted,
            rejected,
        })
    }
}
