//! Carrying out a plan: a few updates in flight, each written to the journal before and after,
//! each outcome checked. An update whose answer was lost or that failed after the server may
//! have acted is settled by reading the image again, so every image ends changed or failed
//! with the reason, never "maybe". Throttling is the client's job (it waits out 429s).

use std::collections::HashMap;
use std::path::Path;

use beproduct::{Error as ClientError, FieldSpec, ImageHeader};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::journal::{Journal, Mark};
use super::plan::{FieldChange, ImageChange, ImageRef, Plan, PlanKind};
use crate::error::Result;
use crate::ImageLibrary;

/// Updates in flight at once: enough to hide latency, few enough not to provoke throttling.
pub const IN_FLIGHT: usize = 4;
/// Reads of an image whose update may or may not have landed, before it is reported in doubt.
const READ_BACK_ATTEMPTS: u32 = 3;

/// How one image ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Status {
    Changed,
    /// It already held the values asked for.
    Unchanged,
    /// Not changed; `resume` tries it again.
    Failed {
        reason: String,
    },
    /// Left out when the edit was planned.
    Skipped {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageOutcome {
    pub image: ImageRef,
    #[serde(flatten)]
    pub status: Status,
    /// The planned change (before/after of each field); empty for unchanged and skipped images.
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub changed: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Every image of the plan with its outcome, and the journal that holds them (for `resume`
/// and `undo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    pub edit_id: String,
    pub kind: PlanKind,
    pub journal: std::path::PathBuf,
    pub outcomes: Vec<ImageOutcome>,
}

impl BulkResult {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for o in &self.outcomes {
            match o.status {
                Status::Changed => c.changed += 1,
                Status::Unchanged => c.unchanged += 1,
                Status::Failed { .. } => c.failed += 1,
                Status::Skipped { .. } => c.skipped += 1,
            }
        }
        c
    }

    pub fn failed(&self) -> impl Iterator<Item = &ImageOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Failed { .. }))
    }
}

/// Called with each image's outcome as soon as it is known (for progress bars).
pub type Progress<'a> = &'a (dyn Fn(&ImageOutcome) + Sync);

/// Where an image stands against a planned change.
enum Holds {
    After,
    Before,
    /// Neither: someone else changed it, or the server kept something else.
    Other(String),
}

pub(crate) struct Runner<'a> {
    pub library: &'a ImageLibrary,
    pub journal: &'a Journal,
    pub folder_id: &'a str,
    pub specs: HashMap<String, FieldSpec>,
    pub progress: Option<Progress<'a>>,
}

impl Runner<'_> {
    /// Runs `steps` (change, whether to read the image first) and returns each image's mark.
    pub(crate) async fn run(
        &self,
        steps: Vec<(&ImageChange, bool)>,
    ) -> Result<HashMap<String, Mark>> {
        // The (not yet started) futures are collected first: a stream over a mapping closure
        // taking references is not provably `Send`, and the app runs this as a spawned task.
        let steps: Vec<_> = steps
            .into_iter()
            .map(|(change, check_first)| self.reported_step(change, check_first))
            .collect();
        futures::stream::iter(steps)
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await
    }

    async fn reported_step(
        &self,
        change: &ImageChange,
        check_first: bool,
    ) -> Result<(String, Mark)> {
        let mark = self.step(change, check_first).await?;
        if let Some(progress) = self.progress {
            progress(&outcome(change, &mark));
        }
        Ok((change.image.id.clone(), mark))
    }

    async fn step(&self, change: &ImageChange, check_first: bool) -> Result<Mark> {
        let id = change.image.id.as_str();
        if check_first {
            // Resume, retry and undo: the image may have changed since the plan was made.
            match self.read_back(id).await {
                Ok(image) => match self.holds(&image, change) {
                    Holds::After => return self.changed(id),
                    Holds::Before => {}
                    Holds::Other(what) => {
                        return self.failed(
                            id,
                            format!("not changed: {what} since the edit was planned, so it was not overwritten"),
                        )
                    }
                },
                Err(e) => {
                    return self.failed(id, format!("could not be read to check it ({e}); resume to try again"))
                }
            }
        }
        self.journal.sending(id)?;
        match self
            .library
            .save(id, self.folder_id, change.updates())
            .await
        {
            Ok(saved) => match self.holds(&saved, change) {
                Holds::After => self.changed(id),
                Holds::Before | Holds::Other(_) => self.failed(
                    id,
                    "the server answered but did not keep the new values (it may have refused them)".to_owned(),
                ),
            },
            Err(crate::Error::Client(e)) if may_have_acted(&e) => {
                // The update may have landed: the image itself says whether it did.
                match self.read_back(id).await {
                    Ok(image) => match self.holds(&image, change) {
                        Holds::After => self.changed(id),
                        Holds::Before => self.failed(id, e.to_string()),
                        Holds::Other(what) => self.failed(id, format!("{e}; and {what}")),
                    },
                    Err(check) => self.failed(
                        id,
                        format!("{e}; it could not be read to check whether it changed ({check}); resume to check again"),
                    ),
                }
            }
            Err(e) => self.failed(id, e.to_string()),
        }
    }

    /// Reads the image to settle an uncertain update. The client already retries transient
    /// failures; a few more attempts make "could not check" rare, since it leaves the user
    /// with an image in doubt (reported, and settled by `resume`).
    async fn read_back(&self, id: &str) -> beproduct::Result<ImageHeader> {
        let mut attempt = 1;
        loop {
            match self.library.client().get_image(id).await {
                Err(e)
                    if attempt < READ_BACK_ATTEMPTS
                        && e.kind() != beproduct::ErrorKind::NotFound =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn changed(&self, id: &str) -> Result<Mark> {
        self.journal.changed(id)?;
        Ok(Mark::Changed)
    }

    fn failed(&self, id: &str, reason: String) -> Result<Mark> {
        self.journal.failed(id, &reason)?;
        Ok(Mark::Failed(reason))
    }

    fn holds(&self, image: &ImageHeader, change: &ImageChange) -> Holds {
        let mut all_after = true;
        let mut all_before = true;
        let mut other = Vec::new();
        for f in &change.fields {
            let now = image
                .field(&f.field_id)
                .map(|h| h.value.clone())
                .unwrap_or(Value::Null);
            let same = |a: &Value, b: &Value| match self.specs.get(&f.field_id) {
                Some(spec) => spec.decode(a) == spec.decode(b),
                None => a == b,
            };
            let (is_after, is_before) = (same(&now, &f.after), same(&now, &f.before));
            all_after &= is_after;
            all_before &= is_before;
            if !is_after && !is_before {
                let text = self
                    .specs
                    .get(&f.field_id)
                    .map(|s| crate::typed::to_text(s, &now))
                    .unwrap_or_else(|| beproduct::display_text(&now));
                other.push(format!("{} is now {text:?}", f.label));
            }
        }
        if all_after {
            Holds::After
        } else if all_before {
            Holds::Before
        } else if other.is_empty() {
            Holds::Other("some fields changed and others did not".to_owned())
        } else {
            Holds::Other(other.join(", "))
        }
    }
}

/// A 5xx, a transport error or a lost answer: the server may have carried the update out.
fn may_have_acted(e: &ClientError) -> bool {
    match e {
        ClientError::Api { status, .. } => *status >= 500,
        ClientError::Transport { .. } | ClientError::OutcomeUnknown { .. } => true,
        _ => false,
    }
}

fn outcome(change: &ImageChange, mark: &Mark) -> ImageOutcome {
    let status = match mark {
        Mark::Changed => Status::Changed,
        Mark::Failed(reason) => Status::Failed {
            reason: reason.clone(),
        },
        Mark::InDoubt => Status::Failed {
            reason: "sent, but the edit stopped before its outcome was known; resume to check"
                .to_owned(),
        },
        Mark::NotStarted => Status::Failed {
            reason: "not sent: the edit stopped before it; resume to send it".to_owned(),
        },
    };
    ImageOutcome {
        image: change.image.clone(),
        status,
        fields: change.fields.clone(),
    }
}

/// The whole plan's outcomes, in plan order.
pub(crate) fn result(
    edit_id: &str,
    journal: &Path,
    plan: &Plan,
    marks: &HashMap<String, Mark>,
) -> BulkResult {
    let mut outcomes: Vec<ImageOutcome> = plan
        .changes
        .iter()
        .map(|c| outcome(c, marks.get(&c.image.id).unwrap_or(&Mark::NotStarted)))
        .collect();
    outcomes.extend(plan.unchanged.iter().map(|image| ImageOutcome {
        image: image.clone(),
        status: Status::Unchanged,
        fields: Vec::new(),
    }));
    outcomes.extend(plan.skipped.iter().map(|s| ImageOutcome {
        image: s.image.clone(),
        status: Status::Skipped {
            reason: s.reason.clone(),
        },
        fields: Vec::new(),
    }));
    BulkResult {
        edit_id: edit_id.to_owned(),
        kind: plan.kind,
        journal: journal.to_path_buf(),
        outcomes,
    }
}
