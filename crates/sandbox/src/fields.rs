//! Validation and normalisation of field values sent to Create and Update.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::rich_values;
use crate::schema::FieldDef;
use crate::store::Folder;
use crate::time_fmt::{iso_ms, parse_date};

#[derive(Debug, Default, Deserialize)]
pub struct FieldsBody {
    #[serde(default)]
    pub fields: Option<Vec<FieldIn>>,
}

#[derive(Debug, Deserialize)]
pub struct FieldIn {
    pub id: String,
    #[serde(default)]
    pub value: Value,
}

/// Applies `updates` to `values`; returns the `version` value that was sent, if any.
/// Read-only and unknown fields are ignored, as the real API does. Every value that cannot be
/// read is reported at once, each under its field id (a ProblemDetails answer), and then
/// nothing is applied.
pub fn apply_updates(
    folder: &Folder,
    values: &mut Map<String, Value>,
    updates: &[FieldIn],
) -> Result<Option<Value>, ApiError> {
    let mut version = None;
    let mut errors = Vec::new();
    let mut accepted = Vec::new();
    for update in updates {
        let Some(def) = folder.field(&update.id) else {
            continue;
        };
        if def.id == "version" {
            version = Some(update.value.clone());
            continue;
        }
        if def.is_read_only() {
            continue;
        }
        match normalize(def, &update.value) {
            Ok(normalized) => accepted.push((def.id.clone(), normalized)),
            Err(message) => errors.push((def.id.clone(), message)),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    values.extend(accepted);
    Ok(version)
}

/// Returns the stored form of `value` for field `def`, or a message naming the field.
pub fn normalize(def: &FieldDef, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let label = format!("Field '{}' ({})", def.name, def.id);
    let text = match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match def.field_type.as_str() {
        "DropDown" => Ok(text
            .and_then(|t| find_choice(def, &t))
            .map(Value::String)
            // Unknown choices are silently blanked, like BeProduct does.
            .unwrap_or(Value::Null)),
        "MultiSelect" => match value {
            Value::Array(items) => Ok(Value::Array(
                items
                    .iter()
                    .filter_map(|v| v.as_str().and_then(|s| find_choice(def, s.trim())))
                    .map(Value::String)
                    .collect(),
            )),
            // A bare string is blanked by the real API too.
            _ => Ok(Value::Null),
        },
        "Users" => rich_values::user(value).map_err(|m| format!("{label} {m}")),
        "UsersTags" => rich_values::users(value).map_err(|m| format!("{label} {m}")),
        "PartnerDropDown" => rich_values::partner(def, value).map_err(|m| format!("{label} {m}")),
        "ColorDropDown" => rich_values::color(value).map_err(|m| format!("{label} {m}")),
        "CompositeControl" => {
            rich_values::composite(def, value).map_err(|m| format!("{label} {m}"))
        }
        "Tags" => rich_values::tags(value).map_err(|m| format!("{label} {m}")),
        // Free text; a choice's own spelling when it names one.
        "ComboBox" => match value {
            Value::String(_) | Value::Number(_) => {
                let t = text.unwrap_or_default();
                Ok(Value::String(find_choice(def, &t).unwrap_or(t)))
            }
            _ => Err(format!("{label} expects text; got {value}")),
        },
        "TrueFalse" | "InvertedTrueFalse" => {
            match text.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("yes" | "true" | "1") => Ok(Value::String("Yes".into())),
                Some("no" | "false" | "0") => Ok(Value::String("No".into())),
                Some("") => Ok(Value::Null),
                _ => Err(format!("{label} expects \"Yes\" or \"No\"; got {value}")),
            }
        }
        "Number" => match text.as_deref() {
            Some("") => Ok(Value::Null),
            Some(t) => parse_whole(t)
                .map(Value::from)
                .ok_or_else(|| format!("{label} expects a whole number; got {value}")),
            None => Err(format!("{label} expects a whole number; got {value}")),
        },
        "Decimal" | "Percent" | "Currency" | "Measure" | "Weight" => match text.as_deref() {
            Some("") => Ok(Value::Null),
            Some(t) => t
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("{label} expects a number such as 1.5; got {value}")),
            None => Err(format!("{label} expects a number such as 1.5; got {value}")),
        },
        "Date" | "DateTime" => match text.as_deref() {
            Some("") => Ok(Value::Null),
            Some(t) => parse_date(t)
                .map(|d| Value::String(iso_ms(d.at.timestamp_millis())))
                .ok_or_else(|| format!("{label} expects a date such as 2026-05-26; got {value}")),
            None => Err(format!(
                "{label} expects a date such as 2026-05-26; got {value}"
            )),
        },
        // Text, Memo and anything else free-form.
        _ => match value {
            Value::String(s) => Ok(Value::String(s.clone())),
            Value::Number(_) | Value::Bool(_) => Ok(Value::String(text.unwrap_or_default())),
            _ => Err(format!("{label} expects text; got {value}")),
        },
    }
}

fn parse_whole(t: &str) -> Option<i64> {
    t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// Matches a choice by value, code or id (case-insensitive) and returns its value.
fn find_choice(def: &FieldDef, wanted: &str) -> Option<String> {
    def.choices
        .iter()
        .find(|c| {
            c.value.eq_ignore_ascii_case(wanted)
                || c.code.eq_ignore_ascii_case(wanted)
                || c.id.eq_ignore_ascii_case(wanted)
        })
        .map(|c| c.value.clone())
}

/// The text of a field value as used for header_name/header_number.
pub fn value_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}
