//! Per-field operations of a bulk edit, checked against the folder's schema before anything
//! is read or sent, and applied to each image's current value.

use beproduct::{FieldSpec, SchemaField, Widget};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// What to do with one field on every image of the edit. Values are widget values (see
/// `beproduct::Widget`): what a form or `typed::from_text` gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "value", rename_all = "camelCase")]
pub enum FieldOp {
    /// Replace the value.
    Set(Value),
    /// Empty the field (refused for required fields).
    Clear,
    /// Multi-value fields: add these items where missing (kept in order, no duplicates).
    Add(Vec<Value>),
    /// Multi-value fields: remove these items where present.
    Remove(Vec<Value>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldEdit {
    pub field_id: String,
    #[serde(flatten)]
    pub op: FieldOp,
}

impl FieldEdit {
    pub fn new(field_id: impl Into<String>, op: FieldOp) -> FieldEdit {
        FieldEdit {
            field_id: field_id.into(),
            op,
        }
    }
}

/// An edit checked against the schema: each operation with its field's spec.
pub(crate) struct Checked {
    pub edits: Vec<(FieldSpec, FieldOp)>,
}

/// Refuses, naming the field and what to do, anything the API would refuse or silently blank:
/// unknown or read-only fields, values that do not fit, values outside the choices, clearing
/// a required field, adding to a single-value field.
pub(crate) fn check(schema: &[SchemaField], edits: &[FieldEdit]) -> Result<Checked> {
    if edits.is_empty() {
        return Err(Error::invalid_input(
            "The bulk edit changes no field: add at least one field operation.",
        ));
    }
    let mut checked: Vec<(FieldSpec, FieldOp)> = Vec::new();
    for edit in edits {
        let def = schema
            .iter()
            .find(|d| d.field_id.eq_ignore_ascii_case(edit.field_id.trim()))
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "{:?} is not a field of this folder; use one of: {}.",
                    edit.field_id,
                    schema
                        .iter()
                        .map(|d| d.field_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let spec = FieldSpec::from_schema(def);
        if checked.iter().any(|(s, _)| s.field_id == spec.field_id) {
            return Err(Error::invalid_input(format!(
                "{} ({}) has two operations; give one per field.",
                spec.label, spec.field_id
            )));
        }
        if spec.field_id == "header_number" {
            return Err(Error::invalid_input(
                "Image Number (header_number) identifies each image and cannot be bulk edited; \
                 change numbers one image at a time.",
            ));
        }
        match &edit.op {
            FieldOp::Set(value) => {
                spec.encode(value)?;
            }
            FieldOp::Clear => {
                spec.encode(&empty(&spec))?;
            }
            FieldOp::Add(items) | FieldOp::Remove(items) => {
                if !spec.multi {
                    return Err(Error::invalid_input(format!(
                        "{} ({}) holds one value: set or clear it instead of adding or removing items.",
                        spec.label, spec.field_id
                    )));
                }
                if items.is_empty() {
                    return Err(Error::invalid_input(format!(
                        "{} ({}): name at least one item to add or remove.",
                        spec.label, spec.field_id
                    )));
                }
                if matches!(edit.op, FieldOp::Add(_)) {
                    spec.encode(&Value::Array(items.clone()))?;
                } else if !spec.editable {
                    spec.encode(&Value::Array(Vec::new()))?;
                }
            }
        }
        checked.push((spec, edit.op.clone()));
    }
    Ok(Checked { edits: checked })
}

/// The widget value of an empty field.
fn empty(spec: &FieldSpec) -> Value {
    match spec.widget {
        _ if spec.multi => Value::Array(Vec::new()),
        Widget::Text | Widget::Memo | Widget::Select | Widget::Combo => {
            Value::String(String::new())
        }
        _ => Value::Null,
    }
}

/// The widget value the field should hold after `op`, given its current widget value.
pub(crate) fn apply(spec: &FieldSpec, op: &FieldOp, current: &Value) -> Value {
    match op {
        FieldOp::Set(value) => value.clone(),
        FieldOp::Clear => empty(spec),
        FieldOp::Add(items) => {
            let mut list = current.as_array().cloned().unwrap_or_default();
            for item in items {
                if !list.iter().any(|have| item_key(have) == item_key(item)) {
                    list.push(item.clone());
                }
            }
            Value::Array(list)
        }
        FieldOp::Remove(items) => {
            let mut list = current.as_array().cloned().unwrap_or_default();
            list.retain(|have| !items.iter().any(|gone| item_key(gone) == item_key(have)));
            Value::Array(list)
        }
    }
}

/// What identifies a list item: its text, or the `value` of a `{value, label}` pick.
fn item_key(item: &Value) -> Option<String> {
    match item {
        Value::String(s) => Some(s.trim().to_lowercase()),
        Value::Object(map) => map
            .get("value")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_lowercase()),
        _ => None,
    }
}
