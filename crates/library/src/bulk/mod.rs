//! Bulk edits: the same field operations on many images of one folder.
//!
//! 1. `ImageLibrary::plan_bulk_selection` (and `plan_bulk_edit` for ids) checks the operations
//!    against the folder's schema (the client's `FieldSpec` rules) before anything is read or
//!    sent, resolves the [`Selection`] (chosen ids are read; everything a search matches comes
//!    with fresh headers, minus the images left out) and gives the [`Plan`]: per image the
//!    before/after of each touched field, images that already hold the values, and images
//!    skipped with the reason (processing, not found, another folder). `Plan::preview` is what
//!    a page shows of it.
//! 2. `ImageLibrary::run_plan` writes the plan to a journal (JSON lines), then sends only the
//!    changed fields of each image, [`run::IN_FLIGHT`] at a time. Every image ends changed,
//!    unchanged, skipped or failed with the reason ([`BulkResult`]).
//! 3. `ImageLibrary::resume_bulk` finishes a journal after a crash, and retries its failed
//!    images: each is read first, so nothing is sent twice or over someone else's change.
//! 4. `ImageLibrary::undo_bulk` writes the previous values back to the images the edit
//!    changed (and still hold its values), as a new journaled edit.
//!
//! Stopping: drop the future of `run_plan`/`resume_bulk`/`undo_bulk` (a Cancel button, a task
//! abort). The journal then says which images changed, and `resume_bulk` finishes the rest.
//!
//! A spreadsheet import (`crate::sheet`) produces a [`Plan`] too and runs the same way.
//! [`PresetStore`] keeps named sets of operations per folder; `delete_many` deletes a
//! selection a few at a time.

mod journal;
mod ops;
mod plan;
mod presets;
mod preview;
mod run;
mod selection;

use std::collections::HashMap;
use std::path::Path;

use beproduct::FieldSpec;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use journal::{load as load_journal, Loaded, Mark};
pub use ops::{FieldEdit, FieldOp};
pub use plan::{FieldChange, ImageChange, ImageRef, Plan, PlanKind, Skipped};
pub use presets::{Preset, PresetStore, SummaryLine};
pub use preview::{FieldCount, Preview, Sample, SampleField, SAMPLE_SIZE};
pub use run::{BulkResult, Counts, ImageOutcome, Progress, Status, IN_FLIGHT};
pub use selection::{SearchSpec, Selected, Selection};

use crate::error::{Error, Result};
use crate::{require_guid, ImageLibrary};

/// Most images one bulk edit takes (a season's drop is hundreds; ten thousand is a folder).
pub const MAX_BULK_IMAGES: usize = 10_000;

/// Deletes sent at once by [`ImageLibrary::delete_many`].
pub const DELETE_IN_FLIGHT: usize = 4;

/// What a bulk delete did: how many images are gone, and those that are not, with the error.
#[derive(Debug, Default)]
pub struct Deleted {
    pub deleted: usize,
    pub failed: Vec<(ImageRef, Error)>,
}

/// What the caller asks for: operations on the images `ids` of folder `folder_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkEdit {
    pub folder_id: String,
    pub ids: Vec<String>,
    pub edits: Vec<FieldEdit>,
    /// Images the caller knows are busy (e.g. the app's upload queue is still processing
    /// them), by id, with the reason shown: they are skipped, not edited.
    #[serde(default)]
    pub busy: Vec<(String, String)>,
}

impl ImageLibrary {
    /// Checks field operations against the folder's schema (the only request: the cached
    /// schema), so a caller can refuse them before it even selects the images.
    pub async fn check_bulk_edit(&self, folder_id: &str, edits: &[FieldEdit]) -> Result<()> {
        require_guid("folderId", folder_id)?;
        let schema = self.schema(folder_id).await?;
        ops::check(&schema, edits).map(|_| ())
    }

    /// The preview of a bulk edit; refuses invalid operations before any request but the
    /// folder's (cached) schema.
    pub async fn plan_bulk_edit(&self, edit: &BulkEdit) -> Result<Plan> {
        require_guid("folderId", &edit.folder_id)?;
        if edit.ids.is_empty() {
            return Err(Error::invalid_input(
                "The bulk edit has no images: select at least one.",
            ));
        }
        if edit.ids.len() > MAX_BULK_IMAGES {
            return Err(Error::invalid_input(format!(
                "{} images selected; one bulk edit takes at most {MAX_BULK_IMAGES}. Split the selection.",
                edit.ids.len()
            )));
        }
        for id in &edit.ids {
            require_guid("ids", id)?;
        }
        self.plan_bulk_selection(
            &edit.folder_id,
            &Selection::Ids {
                ids: edit.ids.clone(),
            },
            &edit.edits,
            &edit.busy,
        )
        .await
    }

    /// The preview of a bulk edit of `selection` (chosen ids, or everything a search matches
    /// minus some). Invalid operations are refused before the images are selected; a search
    /// plans from the headers it gives (no image is read again); `busy` images (by id, with
    /// the reason) are skipped.
    pub async fn plan_bulk_selection(
        &self,
        folder_id: &str,
        selection: &Selection,
        edits: &[FieldEdit],
        busy: &[(String, String)],
    ) -> Result<Plan> {
        require_guid("folderId", folder_id)?;
        // Refused before any image is read.
        self.check_bulk_edit(folder_id, edits).await?;
        let selected = self.select(folder_id, selection).await?;
        self.plan_selected(folder_id, selected, edits, busy).await
    }

    /// The preview of a bulk edit of images already read (fresh headers, e.g. from a search);
    /// nothing is read again.
    pub async fn plan_selected(
        &self,
        folder_id: &str,
        selected: Selected,
        edits: &[FieldEdit],
        busy: &[(String, String)],
    ) -> Result<Plan> {
        require_guid("folderId", folder_id)?;
        let schema = self.schema(folder_id).await?;
        let checked = ops::check(&schema, edits)?;
        if selected.is_empty() {
            return Err(Error::invalid_input(
                "The bulk edit has no images: select at least one.",
            ));
        }
        let mut plan = Plan {
            kind: PlanKind::Edit,
            folder_id: folder_id.to_owned(),
            changes: Vec::new(),
            unchanged: Vec::new(),
            skipped: selected.unreadable,
        };
        for image in selected.images {
            let image_ref = ImageRef::of(&image);
            let in_folder = image
                .folder
                .as_ref()
                .is_none_or(|f| f.id.eq_ignore_ascii_case(folder_id));
            if let Some((_, reason)) = busy.iter().find(|(b, _)| b.eq_ignore_ascii_case(&image.id))
            {
                plan.skipped.push(Skipped {
                    image: image_ref,
                    reason: reason.clone(),
                });
                continue;
            }
            if !in_folder {
                plan.skipped.push(Skipped {
                    image: image_ref,
                    reason: "is in another folder; bulk edit one folder at a time".into(),
                });
                continue;
            }
            match changes_for(&checked, &image) {
                Ok(fields) if fields.is_empty() => plan.unchanged.push(image_ref),
                Ok(fields) => plan.changes.push(ImageChange {
                    image: image_ref,
                    fields,
                }),
                Err(e) => plan.skipped.push(Skipped {
                    image: image_ref,
                    reason: e.to_string(),
                }),
            }
        }
        Ok(plan)
    }

    /// Deletes `images`, [`DELETE_IN_FLIGHT`] at a time; one that is already gone counts as
    /// deleted, one failure does not stop the others.
    pub async fn delete_many(&self, images: Vec<ImageRef>) -> Result<Deleted> {
        use futures::StreamExt;
        if images.len() > MAX_BULK_IMAGES {
            return Err(Error::invalid_input(format!(
                "{} images selected; one bulk delete takes at most {MAX_BULK_IMAGES}.",
                images.len()
            )));
        }
        for image in &images {
            require_guid("ids", &image.id)?;
        }
        let results: Vec<(ImageRef, Result<()>)> = futures::stream::iter(images)
            .map(|image| async move {
                let result = self.delete(&image.id).await;
                (image, result)
            })
            .buffer_unordered(DELETE_IN_FLIGHT)
            .collect()
            .await;
        let mut done = Deleted::default();
        for (image, result) in results {
            match result {
                Ok(()) => done.deleted += 1,
                Err(e) => done.failed.push((image, e)),
            }
        }
        Ok(done)
    }

    /// Carries out `plan`, journaled at `journal` (a new file; refused if it exists).
    pub async fn run_plan(
        &self,
        plan: &Plan,
        journal: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<BulkResult> {
        let edit_id = uuid::Uuid::new_v4().to_string();
        self.run_plan_as(&edit_id, plan, journal, progress).await
    }

    /// As [`run_plan`](Self::run_plan), under the caller's `edit_id` (the app answers with it
    /// before the edit ends).
    pub async fn run_plan_as(
        &self,
        edit_id: &str,
        plan: &Plan,
        journal: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<BulkResult> {
        let edit_id = edit_id.to_owned();
        let file = journal::Journal::create(journal, &edit_id, plan, None)?;
        let steps = plan.changes.iter().map(|c| (c, false)).collect();
        let marks = self.runner(&file, plan, progress).await?.run(steps).await?;
        Ok(run::result(&edit_id, journal, plan, &marks))
    }

    /// Finishes the edit in `journal`: images not yet changed (never sent, in doubt after a
    /// crash, or failed) are read, and sent only if they still hold their previous values.
    pub async fn resume_bulk(
        &self,
        journal: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<BulkResult> {
        // Locked before reading, so no other run adds to it meanwhile.
        let file = journal::Journal::append(journal)?;
        let loaded = journal::load(journal)?;
        let steps = loaded
            .plan
            .changes
            .iter()
            .filter(|c| loaded.mark(&c.image.id) != Mark::Changed)
            .map(|c| (c, true))
            .collect();
        let mut marks = loaded.marks.clone();
        let done = self
            .runner(&file, &loaded.plan, progress)
            .await?
            .run(steps)
            .await?;
        marks.extend(done);
        Ok(run::result(&loaded.edit_id, journal, &loaded.plan, &marks))
    }

    /// Reverts the edit in `journal` as a new edit journaled at `undo_journal`: every image it
    /// changed (or may have changed) gets its previous values back, unless it no longer holds
    /// the edit's values (someone changed it since), which is reported, not overwritten.
    pub async fn undo_bulk(
        &self,
        journal: &Path,
        undo_journal: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<BulkResult> {
        let edit_id = uuid::Uuid::new_v4().to_string();
        self.undo_bulk_as(&edit_id, journal, undo_journal, progress)
            .await
    }

    /// As [`undo_bulk`](Self::undo_bulk), under the caller's `edit_id` for the undo.
    pub async fn undo_bulk_as(
        &self,
        edit_id: &str,
        journal: &Path,
        undo_journal: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<BulkResult> {
        let loaded = journal::load(journal)?;
        let plan = undo_plan(&loaded);
        if plan.changes.is_empty() {
            return Err(Error::invalid_input(format!(
                "{} changed no image, so there is nothing to undo.",
                journal.display()
            )));
        }
        let edit_id = edit_id.to_owned();
        let file = journal::Journal::create(undo_journal, &edit_id, &plan, Some(journal))?;
        let steps = plan.changes.iter().map(|c| (c, true)).collect();
        let marks = self
            .runner(&file, &plan, progress)
            .await?
            .run(steps)
            .await?;
        Ok(run::result(&edit_id, undo_journal, &plan, &marks))
    }

    async fn runner<'a>(
        &'a self,
        journal: &'a journal::Journal,
        plan: &'a Plan,
        progress: Option<Progress<'a>>,
    ) -> Result<run::Runner<'a>> {
        let specs: HashMap<String, FieldSpec> = self
            .schema(&plan.folder_id)
            .await?
            .iter()
            .map(|f| (f.field_id.clone(), FieldSpec::from_schema(f)))
            .collect();
        Ok(run::Runner {
            library: self,
            journal,
            folder_id: &plan.folder_id,
            specs,
            progress,
        })
    }
}

/// The edit that reverts the journal's: every image it changed (or may have changed) back to
/// its previous values.
pub fn undo_plan(loaded: &Loaded) -> Plan {
    Plan {
        kind: PlanKind::Undo,
        folder_id: loaded.plan.folder_id.clone(),
        changes: loaded
            .plan
            .changes
            .iter()
            .filter(|c| matches!(loaded.mark(&c.image.id), Mark::Changed | Mark::InDoubt))
            .map(|c| ImageChange {
                image: c.image.clone(),
                fields: c.fields.iter().map(FieldChange::reversed).collect(),
            })
            .collect(),
        unchanged: Vec::new(),
        skipped: Vec::new(),
    }
}

/// Where the edit in `journal` stands, as a result: images with no outcome written (never
/// sent, or stopped mid-way) are failed with the reason, so `resume_bulk` finishes them.
pub fn journal_result(journal: &Path) -> Result<BulkResult> {
    let loaded = journal::load(journal)?;
    Ok(run::result(
        &loaded.edit_id,
        journal,
        &loaded.plan,
        &loaded.marks,
    ))
}

/// The touched fields of one image whose value the edit changes.
fn changes_for(checked: &ops::Checked, image: &beproduct::ImageHeader) -> Result<Vec<FieldChange>> {
    let mut fields = Vec::new();
    for (spec, op) in &checked.edits {
        let server = image
            .field(&spec.field_id)
            .map(|f| f.value.clone())
            .unwrap_or(Value::Null);
        let target = ops::apply(spec, op, &spec.decode(&server));
        if let Some(after) = spec.encode_change(&target, &server)? {
            fields.push(FieldChange::new(spec, server, after));
        }
    }
    Ok(fields)
}
