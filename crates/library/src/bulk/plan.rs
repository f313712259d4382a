//! The plan of a bulk edit: which images change and how (before/after of each touched field),
//! which do not, and which are skipped with the reason. It is the preview shown before
//! anything is sent, and what the journal records first.

use beproduct::{FieldSpec, FieldUpdate, ImageHeader};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::typed;

/// What a journal holds: a bulk edit, a spreadsheet import, or the undo of either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PlanKind {
    Edit,
    Import,
    Undo,
}

/// One field of one image: the value it holds and the value it gets (both as the API keeps
/// them, so `before` is what an undo sends back), and both as typed text for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field_id: String,
    pub label: String,
    pub before: Value,
    pub after: Value,
    pub before_text: String,
    pub after_text: String,
}

impl FieldChange {
    pub(crate) fn new(spec: &FieldSpec, before: Value, after: Value) -> FieldChange {
        FieldChange {
            field_id: spec.field_id.clone(),
            label: spec.label.clone(),
            before_text: typed::to_text(spec, &before),
            after_text: typed::to_text(spec, &after),
            before,
            after,
        }
    }

    /// The same change backwards.
    pub(crate) fn reversed(&self) -> FieldChange {
        FieldChange {
            field_id: self.field_id.clone(),
            label: self.label.clone(),
            before: self.after.clone(),
            after: self.before.clone(),
            before_text: self.after_text.clone(),
            after_text: self.before_text.clone(),
        }
    }
}

/// An image as people name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRef {
    pub id: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
}

impl ImageRef {
    pub fn of(image: &ImageHeader) -> ImageRef {
        ImageRef {
            id: image.id.clone(),
            number: image.header_number.clone(),
            name: image.header_name.clone(),
        }
    }

    /// `IMG-001 (Front Print)`, or the id when the image was never read.
    pub fn display(&self) -> String {
        match (self.number.is_empty(), self.name.is_empty()) {
            (true, _) => self.id.clone(),
            (false, true) => self.number.clone(),
            (false, false) => format!("{} ({})", self.number, self.name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageChange {
    pub image: ImageRef,
    pub fields: Vec<FieldChange>,
}

impl ImageChange {
    /// The body of the update: only the changed fields.
    pub fn updates(&self) -> Vec<FieldUpdate> {
        self.fields
            .iter()
            .map(|f| FieldUpdate::new(f.field_id.clone(), f.after.clone()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub image: ImageRef,
    pub reason: String,
}

/// The preview of a bulk edit, and what `run` carries out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub kind: PlanKind,
    pub folder_id: String,
    pub changes: Vec<ImageChange>,
    /// Images that already hold the values asked for.
    pub unchanged: Vec<ImageRef>,
    /// Images left out, each with the reason (processing, not found, not in the folder).
    pub skipped: Vec<Skipped>,
}

impl Plan {
    /// How many images the edit changes.
    pub fn changing(&self) -> usize {
        self.changes.len()
    }
}
