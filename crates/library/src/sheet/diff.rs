//! An imported sheet against the folder: rows matched by image number, each typed cell read
//! through the field's `FieldSpec` rules. Cells that change become a bulk-edit plan; cells the
//! schema refuses are flagged with the reason; numbers not in the folder are listed.

use std::collections::HashMap;

use beproduct::FieldSpec;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::export::columns;
use super::Table;
use crate::bulk::{FieldChange, ImageChange, ImageRef, Plan, PlanKind};
use crate::error::{Error, Result};
use crate::{require_guid, typed, ImageLibrary};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellDiff {
    pub field_id: String,
    pub label: String,
    pub before: String,
    pub after: String,
    /// Why the cell cannot be applied; `None`: it is a valid change.
    pub problem: Option<String>,
}

/// A row with at least one changed or refused cell. `line`: the row's line in the sheet
/// (the header is line 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowDiff {
    pub line: usize,
    pub image: ImageRef,
    pub cells: Vec<CellDiff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnknownRow {
    pub line: usize,
    pub number: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SheetDiff {
    pub rows: Vec<RowDiff>,
    /// Rows whose number is empty, not in the folder, or repeated.
    pub unknown: Vec<UnknownRow>,
    /// Header cells that name no field of the folder (their cells are not read).
    pub ignored_columns: Vec<String>,
    /// The valid changes, ready for `ImageLibrary::run_plan`.
    pub plan: Plan,
}

impl SheetDiff {
    /// Cells refused for the schema.
    pub fn problems(&self) -> impl Iterator<Item = (&RowDiff, &CellDiff)> {
        self.rows
            .iter()
            .flat_map(|r| r.cells.iter().map(move |c| (r, c)))
            .filter(|(_, c)| c.problem.is_some())
    }

    /// Cells that change.
    pub fn changed_cells(&self) -> usize {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .filter(|c| c.problem.is_none())
            .count()
    }
}

impl ImageLibrary {
    /// The diff of the sheet file at `path` (`.csv` or `.xlsx`) against folder `folder_id`:
    /// what `bp import` and the app's import show before anything is sent.
    pub async fn diff_sheet_file(
        &self,
        folder_id: &str,
        path: &std::path::Path,
    ) -> Result<SheetDiff> {
        require_guid("folderId", folder_id)?;
        let table = super::read_sheet(path)?;
        self.diff_sheet(folder_id, &table).await
    }

    /// The diff of `table` against the images of folder `folder_id` (read whole, a page at a
    /// time). Sends nothing.
    pub async fn diff_sheet(&self, folder_id: &str, table: &Table) -> Result<SheetDiff> {
        require_guid("folderId", folder_id)?;
        let specs = columns(&self.schema(folder_id).await?);
        let mut ignored_columns = Vec::new();
        // Column index → spec.
        let mut mapped: Vec<(usize, &FieldSpec)> = Vec::new();
        for (c, header) in table.headers.iter().enumerate() {
            let header = header.trim();
            if header.is_empty() {
                continue;
            }
            let spec = specs.iter().find(|s| {
                s.label.trim().eq_ignore_ascii_case(header)
                    || s.field_id.eq_ignore_ascii_case(header)
            });
            match spec {
                Some(spec) if mapped.iter().any(|(_, m)| m.field_id == spec.field_id) => {
                    return Err(Error::invalid_input(format!(
                        "Two columns are named {header:?}; keep one column per field."
                    )))
                }
                Some(spec) => mapped.push((c, spec)),
                None => ignored_columns.push(header.to_owned()),
            }
        }
        let number_column = mapped
            .iter()
            .find(|(_, s)| s.field_id == "header_number")
            .map(|(c, _)| *c)
            .ok_or_else(|| {
                let label = specs
                    .iter()
                    .find(|s| s.field_id == "header_number")
                    .map_or("Image Number", |s| s.label.as_str());
                Error::invalid_input(format!(
                    "The sheet has no {label:?} column, so its rows cannot be matched to images; \
                     keep the column from the export."
                ))
            })?;

        let images = self.folder_images(folder_id).await?;
        let by_number: HashMap<String, &beproduct::ImageHeader> = images
            .iter()
            .map(|i| (i.header_number.trim().to_lowercase(), i))
            .collect();

        let mut diff = SheetDiff {
            rows: Vec::new(),
            unknown: Vec::new(),
            ignored_columns,
            plan: Plan {
                kind: PlanKind::Import,
                folder_id: folder_id.to_owned(),
                changes: Vec::new(),
                unchanged: Vec::new(),
                skipped: Vec::new(),
            },
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (r, row) in table.rows.iter().enumerate() {
            let line = r + 2;
            let number = row.get(number_column).map(|n| n.trim()).unwrap_or("");
            let unknown = |reason: String| UnknownRow {
                line,
                number: number.to_owned(),
                reason,
            };
            if number.is_empty() {
                diff.unknown.push(unknown(
                    "has no image number; fill it in or delete the row".into(),
                ));
                continue;
            }
            if let Some(first) = seen.insert(number.to_lowercase(), line) {
                diff.unknown.push(unknown(format!(
                    "repeats the number of line {first}; keep one row per image (this row was not read)"
                )));
                continue;
            }
            let Some(image) = by_number.get(&number.to_lowercase()) else {
                diff.unknown
                    .push(unknown("is not an image number of this folder".into()));
                continue;
            };
            let mut cells = Vec::new();
            let mut fields = Vec::new();
            for (c, spec) in &mapped {
                if *c == number_column {
                    continue;
                }
                let Some(typed_text) = row.get(*c) else {
                    continue;
                };
                let server = image
                    .field(&spec.field_id)
                    .map(|f| f.value.clone())
                    .unwrap_or(Value::Null);
                let before = typed::to_text(spec, &server);
                if typed_text.trim() == before.trim() {
                    continue;
                }
                let change = typed::from_text(spec, typed_text)
                    .map_err(|why| format!("{} ({}) {why}", spec.label, spec.field_id))
                    .and_then(|w| spec.encode_change(&w, &server).map_err(|e| e.to_string()));
                let problem = match change {
                    Ok(None) => continue,
                    Ok(Some(after)) => {
                        fields.push(FieldChange::new(spec, server, after));
                        None
                    }
                    Err(why) => Some(why),
                };
                cells.push(CellDiff {
                    field_id: spec.field_id.clone(),
                    label: spec.label.clone(),
                    before,
                    after: typed_text.trim().to_owned(),
                    problem,
                });
            }
            let image_ref = ImageRef::of(image);
            if !fields.is_empty() {
                diff.plan.changes.push(ImageChange {
                    image: image_ref.clone(),
                    fields,
                });
            }
            if cells.is_empty() {
                diff.plan.unchanged.push(image_ref);
            } else {
                diff.rows.push(RowDiff {
                    line,
                    image: image_ref,
                    cells,
                });
            }
        }
        Ok(diff)
    }
}
