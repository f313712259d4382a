//! The intake preview: per file, the number, name and field values a new image would get,
//! where each came from, and what is wrong with any of them. Pure and synchronous (reading a
//! file's metadata is the only I/O), so a caller can run it off the async runtime.
//!
//! Every value goes through the one rule for typed text (`typed::from_text`, then the field's
//! `FieldSpec::encode`), as a sheet import does; the only intake-specific step is matching a
//! choice by its code (`SP` for Spring) or with dashes for spaces (`All-over`), since file
//! names carry codes and dashes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use beproduct::{FieldSpec, FieldUpdate, SchemaField, Widget};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::metadata::{read_metadata, EmbeddedMetadata};
use super::rules::CompiledRule;
use super::settings::{IntakeSettings, MetadataMapping};
use super::{find_spec, NAME, NUMBER};
use crate::error::{Error, Result};
use crate::{require_guid, typed, ImageLibrary};

/// Files whose metadata is read at the same time.
const METADATA_READS_IN_FLIGHT: usize = 4;

/// Where a cell's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CellSource {
    Rule,
    Metadata,
    FileName,
    Edited,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeCell {
    pub field_id: String,
    pub label: String,
    /// The value as it will be saved, in typed form (a choice by its name, a date as
    /// YYYY-MM-DD); as read when it has a problem.
    pub text: String,
    pub source: CellSource,
    /// What is wrong and what to do; `None`: the value is valid.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeRow {
    pub file_name: String,
    pub number: IntakeCell,
    pub name: IntakeCell,
    /// Other fields, in the folder's field order.
    pub cells: Vec<IntakeCell>,
    /// About the whole row: the name does not follow the rule, the metadata was unreadable.
    pub note: Option<String>,
}

/// What a new image is created with.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeValues {
    pub number: String,
    pub name: String,
    /// API values (encoded by the fields' rules), without the number and name.
    pub fields: Vec<FieldUpdate>,
}

/// A folder's fields as intake reads them: the specs, and the choice codes the specs do not
/// keep (a DropDown's `{code: "SP", value: "Spring"}`).
#[derive(Debug, Clone, Default)]
pub struct IntakeFields {
    specs: Vec<FieldSpec>,
    /// Field id → (code, stored value).
    codes: HashMap<String, Vec<(String, String)>>,
}

impl IntakeFields {
    pub fn from_schema(schema: &[SchemaField]) -> IntakeFields {
        let specs = crate::field_specs(schema);
        let mut codes: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for field in schema {
            let chosen = specs
                .iter()
                .find(|s| s.field_id == field.field_id)
                .is_some_and(|s| {
                    matches!(
                        s.widget,
                        Widget::Select | Widget::MultiSelect | Widget::Combo
                    )
                });
            if !chosen {
                continue;
            }
            for choice in field.choices() {
                if let Some(code) = choice.code.map(|c| c.trim().to_owned()) {
                    if !code.is_empty() && code != choice.value {
                        codes
                            .entry(field.field_id.clone())
                            .or_default()
                            .push((code, choice.value));
                    }
                }
            }
        }
        IntakeFields { specs, codes }
    }

    pub fn specs(&self) -> &[FieldSpec] {
        &self.specs
    }

    /// `text` as the field's value: shown text and problem.
    fn check(&self, spec: &FieldSpec, text: &str) -> (String, Option<String>) {
        let text = text.trim();
        match encode_text(spec, text, |widget| self.resolve_choices(spec, widget)) {
            Ok(value) => (typed::to_text(spec, &value), None),
            Err(why) => (text.to_owned(), Some(why)),
        }
    }

    /// Typed choices that `typed` left as typed (no value or label matched) matched by code,
    /// or by label with dashes, underscores and spaces alike.
    fn resolve_choices(&self, spec: &FieldSpec, widget: Value) -> Value {
        if !matches!(
            spec.widget,
            Widget::Select | Widget::MultiSelect | Widget::Combo
        ) {
            return widget;
        }
        let one = |typed: String| self.choice_for(spec, &typed).unwrap_or(typed);
        match widget {
            Value::String(s) => Value::String(one(s)),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(s) => Value::String(one(s)),
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    fn choice_for(&self, spec: &FieldSpec, typed: &str) -> Option<String> {
        if typed.is_empty() || spec.choices.iter().any(|c| c.value == typed) {
            return None;
        }
        let by_code = self.codes.get(&spec.field_id).and_then(|codes| {
            codes
                .iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(typed))
                .map(|(_, value)| value.clone())
        });
        by_code.or_else(|| {
            let key = loose(typed);
            spec.choices
                .iter()
                .find(|c| loose(&c.value) == key || loose(&c.label) == key)
                .map(|c| c.value.clone())
        })
    }
}

impl From<Vec<FieldSpec>> for IntakeFields {
    /// Specs without choice codes (choices then match by value or label only); the image
    /// number and name are added when missing, as every image has both.
    fn from(mut specs: Vec<FieldSpec>) -> IntakeFields {
        for core in crate::field_specs(&[]).into_iter().rev() {
            if !specs.iter().any(|s| s.field_id == core.field_id) {
                specs.insert(0, core);
            }
        }
        IntakeFields {
            specs,
            codes: HashMap::new(),
        }
    }
}

impl std::ops::Deref for IntakeFields {
    type Target = [FieldSpec];

    fn deref(&self) -> &[FieldSpec] {
        &self.specs
    }
}

/// Lowercase, with `-`, `_` and runs of spaces as one space.
fn loose(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Typed text → the field's API value, through `typed` and the spec; `adjust` may change
/// the widget value in between. `Err` names the field.
fn encode_text(
    spec: &FieldSpec,
    text: &str,
    adjust: impl FnOnce(Value) -> Value,
) -> std::result::Result<Value, String> {
    let widget = typed::from_text(spec, text)
        .map_err(|why| format!("{} ({}) {why}", spec.label, spec.field_id))?;
    spec.encode(&adjust(widget))
        .map_err(|e| Error::from(e).to_string())
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The file name without folders and without its last extension.
fn stem_of(file_name: &str) -> &str {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// What to do about a problem, by where the value came from.
fn hint(source: CellSource) -> &'static str {
    match source {
        CellSource::Rule | CellSource::FileName => "; edit the cell, or rename the file",
        CellSource::Metadata => "; edit the cell, or fix the file's metadata",
        CellSource::Edited => "",
    }
}

/// Fields whose values keep their dashes under a rule's dash-as-space (a date, a number).
fn literal_fields(specs: &[FieldSpec]) -> impl Iterator<Item = String> + '_ {
    specs
        .iter()
        .filter(|s| {
            matches!(
                s.widget,
                Widget::Date
                    | Widget::DateTime
                    | Widget::Integer
                    | Widget::Decimal
                    | Widget::Percent
                    | Widget::Currency
                    | Widget::Measure
                    | Widget::Weight
            )
        })
        .map(|s| s.field_id.clone())
}

/// A rule compiled once for many files.
fn compile(
    fields: &IntakeFields,
    settings: &IntakeSettings,
) -> Option<std::result::Result<CompiledRule, String>> {
    settings.rule.as_ref().map(|rule| {
        rule.compile()
            .map(|c| c.keep_dashes(literal_fields(fields)))
    })
}

/// Plans rows for one folder's fields and settings.
struct Planner<'a> {
    fields: &'a IntakeFields,
    mapping: &'a MetadataMapping,
    rule: Option<&'a std::result::Result<CompiledRule, String>>,
}

impl Planner<'_> {
    fn cell(&self, field_id: &str, text: &str, source: CellSource) -> IntakeCell {
        match find_spec(self.fields, field_id) {
            Some(spec) => {
                let (text, problem) = self.fields.check(spec, text);
                IntakeCell {
                    field_id: spec.field_id.clone(),
                    label: spec.label.clone(),
                    text,
                    source,
                    problem: problem.map(|p| format!("{p}{}", hint(source))),
                }
            }
            None => IntakeCell {
                field_id: field_id.to_owned(),
                label: field_id.to_owned(),
                text: text.trim().to_owned(),
                source,
                problem: Some(format!(
                    "{field_id:?} is not a field of this folder; fix the folder's intake settings"
                )),
            },
        }
    }

    fn plan(
        &self,
        file_name: &str,
        meta: Option<&EmbeddedMetadata>,
        mut notes: Vec<String>,
    ) -> IntakeRow {
        let stem = stem_of(file_name);
        let ruled = match self.rule {
            None => Vec::new(),
            Some(Err(why)) => {
                notes.push(format!(
                    "The naming rule cannot be used ({why}); the number and name are the file name."
                ));
                Vec::new()
            }
            Some(Ok(rule)) => rule.extract(stem).unwrap_or_else(|why| {
                notes.push(format!(
                    "The file name does not follow the naming rule: {why}. The number and name \
                     are the file name; rename the file or edit the cells."
                ));
                Vec::new()
            }),
        };
        let header = |id: &str| match ruled.iter().find(|(f, _)| f.eq_ignore_ascii_case(id)) {
            Some((_, text)) => self.cell(id, text, CellSource::Rule),
            None => self.cell(id, stem, CellSource::FileName),
        };
        let (number, name) = (header(NUMBER), header(NAME));
        let mut cells: Vec<IntakeCell> = ruled
            .iter()
            .filter(|(f, _)| !f.eq_ignore_ascii_case(NUMBER) && !f.eq_ignore_ascii_case(NAME))
            .map(|(f, text)| self.cell(f, text, CellSource::Rule))
            .collect();
        if let Some(meta) = meta {
            for (what, field_id) in self.mapping.entries() {
                let Some(text) = metadata_text(meta, what) else {
                    continue;
                };
                // The file name wins: a team's naming is deliberate, embedded metadata may be
                // left over from a template.
                let target = find_spec(self.fields, field_id).map_or(field_id, |s| &s.field_id);
                if cells
                    .iter()
                    .any(|c| c.field_id == target && !c.text.is_empty())
                {
                    continue;
                }
                cells.push(self.cell(field_id, &text, CellSource::Metadata));
            }
            if !meta.unreadable.is_empty() {
                notes.push(format!(
                    "Part of the file's metadata could not be read ({}).",
                    meta.unreadable.join("; ")
                ));
            }
        }
        sort_cells(self.fields, &mut cells);
        IntakeRow {
            file_name: file_name.to_owned(),
            number,
            name,
            cells,
            note: (!notes.is_empty()).then(|| notes.join(" ")),
        }
    }

    fn plan_path(&self, path: &Path) -> IntakeRow {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let mut notes = Vec::new();
        // Reading is skipped when no metadata is mapped: a batch of 1,000 files then costs
        // no file reads at all.
        let meta = match self.mapping.is_empty() {
            true => None,
            false => match read_metadata(path) {
                Ok(meta) => Some(meta),
                Err(e) => {
                    notes.push(format!(
                        "The file's metadata could not be read ({e}); fill the cells by hand."
                    ));
                    None
                }
            },
        };
        self.plan(&file_name, meta.as_ref(), notes)
    }
}

/// The mapped piece of metadata as one line of text (lists joined as `typed` reads them).
fn metadata_text(meta: &EmbeddedMetadata, what: &str) -> Option<String> {
    let text = match what {
        "title" => meta.title.clone()?,
        "description" => meta.description.clone()?,
        "keywords" => meta.keywords.join(typed::ITEM_JOIN),
        "creator" => meta.creator.join(typed::ITEM_JOIN),
        _ => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

fn sort_cells(specs: &[FieldSpec], cells: &mut [IntakeCell]) {
    cells.sort_by_key(|c| {
        specs
            .iter()
            .position(|s| s.field_id == c.field_id)
            .unwrap_or(usize::MAX)
    });
}

/// The row for a file named `file_name` with embedded metadata `meta` (already read).
pub fn plan_name(
    fields: &IntakeFields,
    settings: &IntakeSettings,
    file_name: &str,
    meta: Option<&EmbeddedMetadata>,
) -> IntakeRow {
    let rule = compile(fields, settings);
    Planner {
        fields,
        mapping: &settings.metadata,
        rule: rule.as_ref(),
    }
    .plan(file_name, meta, Vec::new())
}

/// The row for the file at `path`, reading its metadata when the settings map any; metadata
/// that cannot be read is a note on the row.
pub fn plan_file(fields: &IntakeFields, settings: &IntakeSettings, path: &Path) -> IntakeRow {
    let rule = compile(fields, settings);
    Planner {
        fields,
        mapping: &settings.metadata,
        rule: rule.as_ref(),
    }
    .plan_path(path)
}

/// A row from cells typed in place (`edits`: field id, text), every one checked again. The
/// number and name are the file name's stem unless edited.
pub fn recheck(fields: &IntakeFields, file_name: &str, edits: Vec<(String, String)>) -> IntakeRow {
    let planner = Planner {
        fields,
        mapping: &MetadataMapping::default(),
        rule: None,
    };
    let row = planner.plan(file_name, None, Vec::new());
    row.with_edits(fields, edits)
}

impl IntakeRow {
    /// This row with `edits` (field id, text) checked again and marked edited; the other
    /// cells keep their text and where it came from.
    pub fn with_edits(mut self, fields: &IntakeFields, edits: Vec<(String, String)>) -> IntakeRow {
        let planner = Planner {
            fields,
            mapping: &MetadataMapping::default(),
            rule: None,
        };
        for (field_id, text) in edits {
            let cell = planner.cell(&field_id, &text, CellSource::Edited);
            if cell.field_id == NUMBER {
                self.number = cell;
            } else if cell.field_id == NAME {
                self.name = cell;
            } else if let Some(old) = self.cells.iter_mut().find(|c| c.field_id == cell.field_id) {
                *old = cell;
            } else {
                self.cells.push(cell);
            }
        }
        sort_cells(fields, &mut self.cells);
        self
    }

    /// This row with one cell typed in place (see `with_edits`); a field the folder does not
    /// have is refused.
    pub fn edited(&self, fields: &IntakeFields, field_id: &str, text: &str) -> Result<IntakeRow> {
        let spec = find_spec(fields, field_id).ok_or_else(|| {
            Error::invalid_input(format!(
                "'{field_id}' is not a field of this folder; reload the folder and try again."
            ))
        })?;
        Ok(self
            .clone()
            .with_edits(fields, vec![(spec.field_id.clone(), text.to_owned())]))
    }

    /// Every cell's problem (number and name first).
    pub fn problems(&self) -> Vec<String> {
        [&self.number, &self.name]
            .into_iter()
            .chain(&self.cells)
            .filter_map(|c| c.problem.clone())
            .collect()
    }

    /// What to create the image with; `Err`: every problem, when any cell has one.
    pub fn values(&self, specs: &[FieldSpec]) -> std::result::Result<IntakeValues, Vec<String>> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        self.encode(specs, false)
    }

    /// What to create the image with, leaving out the cells that have a problem ("send with
    /// what is valid"); `None` when the number or the name has one, as no image can be
    /// created without them (`values` says what).
    pub fn valid_values(&self, specs: &[FieldSpec]) -> Option<IntakeValues> {
        if self.number.problem.is_some() || self.name.problem.is_some() {
            return None;
        }
        self.encode(specs, true).ok()
    }

    fn encode(
        &self,
        specs: &[FieldSpec],
        skip_invalid: bool,
    ) -> std::result::Result<IntakeValues, Vec<String>> {
        let mut problems = Vec::new();
        let mut header = |cell: &IntakeCell| -> String {
            let text = cell.text.trim().to_owned();
            if let Some(spec) = find_spec(specs, &cell.field_id) {
                if let Err(why) = encode_text(spec, &text, |w| w) {
                    problems.push(why);
                }
            }
            text
        };
        let (number, name) = (header(&self.number), header(&self.name));
        let mut fields = Vec::new();
        for cell in &self.cells {
            if skip_invalid && cell.problem.is_some() {
                continue;
            }
            let encoded = match find_spec(specs, &cell.field_id) {
                Some(spec) => encode_text(spec, &cell.text, |w| w).map(|v| (spec, v)),
                None => Err(format!("{:?} is not a field of this folder", cell.field_id)),
            };
            match encoded {
                Ok((_, value)) if is_empty(&value) => {}
                Ok((spec, value)) => fields.push(FieldUpdate {
                    id: spec.field_id.clone(),
                    value,
                }),
                Err(_) if skip_invalid => {}
                Err(why) => problems.push(why),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(IntakeValues {
            number,
            name,
            fields,
        })
    }
}

impl ImageLibrary {
    /// The folder's fields for intake (specs and choice codes), from the cached schema.
    pub async fn intake_fields(&self, folder_id: &str) -> Result<IntakeFields> {
        Ok(IntakeFields::from_schema(&self.schema(folder_id).await?))
    }

    /// The intake preview of `paths` for folder `folder_id`, one row per path in order. The
    /// folder's fields are read once; metadata is read off the async runtime, a few files
    /// at a time. Sends nothing.
    pub async fn intake_plan(
        &self,
        folder_id: &str,
        settings: &IntakeSettings,
        paths: Vec<PathBuf>,
    ) -> Result<Vec<IntakeRow>> {
        require_guid("folderId", folder_id)?;
        let fields = self.intake_fields(folder_id).await?;
        let rule = compile(&fields, settings);
        let shared = Arc::new((fields, settings.metadata.clone(), rule));
        let rows: Vec<std::result::Result<IntakeRow, tokio::task::JoinError>> =
            futures::stream::iter(paths)
                .map(|path| {
                    let shared = shared.clone();
                    tokio::task::spawn_blocking(move || {
                        let (fields, mapping, rule) = &*shared;
                        Planner {
                            fields,
                            mapping,
                            rule: rule.as_ref(),
                        }
                        .plan_path(&path)
                    })
                })
                .buffered(METADATA_READS_IN_FLIGHT)
                .collect()
                .await;
        rows.into_iter()
            .map(|row| {
                row.map_err(|e| {
                    Error::invalid_input(format!("Planning the intake of a file failed: {e}"))
                })
            })
            .collect()
    }
}
