//! A sheet's diff as the page previews it before an import: counts, the changed or refused
//! rows (the first [`PREVIEW_ROWS`]), cells refused with the reason, unknown numbers.

use serde::{Deserialize, Serialize};

use super::SheetDiff;
use crate::bulk::ImageRef;

/// Rows shown in full.
pub const PREVIEW_ROWS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewCell {
    pub field_id: String,
    pub label: String,
    pub before_text: String,
    pub after_text: String,
    /// Why the cell cannot be applied; null: a valid change.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub image: ImageRef,
    /// The row's line in the sheet (the header is line 1).
    pub line: usize,
    pub cells: Vec<PreviewCell>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewUnknown {
    /// The row's line in the sheet (the header is line 1).
    pub row: usize,
    pub number: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// Set by the caller when the plan can be applied (no refused cell); null otherwise.
    pub plan_id: Option<String>,
    pub file_name: String,
    /// Images with at least one valid change.
    pub changed_rows: usize,
    pub changed_cells: usize,
    pub unchanged_rows: usize,
    pub rows: Vec<PreviewRow>,
    /// Cells refused for the folder's schema.
    pub problems: usize,
    pub unknown: Vec<PreviewUnknown>,
    /// Header cells that name no field of the folder (their cells are not read).
    pub ignored_columns: Vec<String>,
    /// Images of the plan left out (e.g. still processing an upload).
    pub skipped: Vec<crate::bulk::Skipped>,
}

impl SheetDiff {
    /// The preview of this diff for the file `file_name` (no plan id yet).
    pub fn preview(&self, file_name: &str) -> ImportPreview {
        ImportPreview {
            plan_id: None,
            file_name: file_name.to_owned(),
            changed_rows: self.plan.changing(),
            changed_cells: self.changed_cells(),
            unchanged_rows: self.plan.unchanged.len(),
            rows: self
                .rows
                .iter()
                .take(PREVIEW_ROWS)
                .map(|r| PreviewRow {
                    image: r.image.clone(),
                    line: r.line,
                    cells: r
                        .cells
                        .iter()
                        .map(|c| PreviewCell {
                            field_id: c.field_id.clone(),
                            label: c.label.clone(),
                            before_text: c.before.clone(),
                            after_text: c.after.clone(),
                            problem: c.problem.clone(),
                        })
                        .collect(),
                })
                .collect(),
            problems: self.problems().count(),
            unknown: self
                .unknown
                .iter()
                .map(|u| PreviewUnknown {
                    row: u.line,
                    number: u.number.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
            ignored_columns: self.ignored_columns.clone(),
            skipped: self.plan.skipped.clone(),
        }
    }
}
