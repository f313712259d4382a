//! `POST Image/Headers` filters: AND-combined, `■`-separated values mean "any of these".

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::store::{Folder, ImageRow};
use crate::time_fmt::{parse_date, ParsedDate};

/// The separator for multiple values in one filter (U+25A0 BLACK SQUARE).
pub const MULTI_SEPARATOR: char = '\u{25A0}';

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchBody {
    #[serde(default)]
    pub filters: Option<Vec<FilterIn>>,
}

#[derive(Debug, Deserialize)]
pub struct FilterIn {
    pub field: String,
    pub operator: String,
    #[serde(default)]
    pub value: Value,
    #[serde(default, rename = "type")]
    pub type_hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Date,
    Bool,
}

#[derive(Debug)]
pub struct Filter {
    field: String,
    op: Op,
    values: Vec<String>,
    type_hint: Option<Kind>,
}

const SYSTEM_DATE_FIELDS: [&str; 3] = ["ModifiedAt", "FolderModifiedAt", "CreatedAt"];

/// Checks the filters; filters on fields that no folder has are dropped (the real API ignores them).
pub fn compile(filters: &[FilterIn], folders: &[&Folder]) -> Result<Vec<Filter>, ApiError> {
    let mut out = Vec::new();
    for f in filters {
        let op = match f.operator.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "neq" | "ne" | "noteq" => Op::Neq,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "contains" => Op::Contains,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Unknown filter operator '{}' on field '{}'; use Eq, Neq, Ne, Gt, Gte, Lt, Lte or Contains",
                    f.operator, f.field
                )))
            }
        };
        let known = SYSTEM_DATE_FIELDS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&f.field))
            || folders
                .iter()
                .any(|folder| folder.field(&f.field).is_some());
        if !known {
            continue;
        }
        let values = match &f.value {
            Value::Null => vec![String::new()],
            Value::String(s) => s.split(MULTI_SEPARATOR).map(str::to_string).collect(),
            Value::Array(items) => items.iter().map(scalar_text).collect(),
            other => vec![scalar_text(other)],
        };
        let type_hint = match f
            .type_hint
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("date" | "datetime") => Some(Kind::Date),
            Some("number" | "decimal") => Some(Kind::Number),
            Some("boolean") => Some(Kind::Bool),
            _ => None,
        };
        out.push(Filter {
            field: f.field.clone(),
            op,
            values,
            type_hint,
        });
    }
    Ok(out)
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// True when `image` (in `folder`) passes every filter.
pub fn matches(image: &ImageRow, folder: &Folder, filters: &[Filter]) -> bool {
    filters.iter().all(|f| matches_one(image, folder, f))
}

fn matches_one(image: &ImageRow, folder: &Folder, f: &Filter) -> bool {
    let (candidates, field_kind) = field_values(image, folder, &f.field);
    let kind = f.type_hint.unwrap_or(field_kind);
    match f.op {
        Op::Eq => f
            .values
            .iter()
            .any(|v| candidates_equal(&candidates, v, kind)),
        Op::Neq => !f
            .values
            .iter()
            .any(|v| candidates_equal(&candidates, v, kind)),
        Op::Contains => f.values.iter().any(|v| {
            let needle = v.to_lowercase();
            candidates
                .iter()
                .any(|c| c.to_lowercase().contains(&needle))
        }),
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => f.values.iter().any(|v| {
            candidates
                .iter()
                .any(|c| compare(c, v, kind).is_some_and(|o| op_holds(f.op, o)))
        }),
    }
}

fn candidates_equal(candidates: &[String], wanted: &str, kind: Kind) -> bool {
    if wanted.trim().is_empty() {
        return candidates.iter().all(|c| c.trim().is_empty());
    }
    candidates.iter().any(|c| match kind {
        Kind::Date => match (parse_date(c), parse_date(wanted)) {
            // A date-only filter value matches the whole day.
            (Some(a), Some(b)) if !b.has_time => a.at.date_naive() == b.at.date_naive(),
            (Some(a), Some(b)) => a.at == b.at,
            _ => false,
        },
        _ => compare(c, wanted, kind) == Some(std::cmp::Ordering::Equal),
    })
}

fn op_holds(op: Op, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Gt => ord == Greater,
        Op::Gte => ord != Less,
        Op::Lt => ord == Less,
        Op::Lte => ord != Greater,
        _ => false,
    }
}

fn compare(candidate: &str, wanted: &str, kind: Kind) -> Option<std::cmp::Ordering> {
    match kind {
        Kind::Number => {
            let a: f64 = candidate.trim().parse().ok()?;
            let b: f64 = wanted.trim().parse().ok()?;
            a.partial_cmp(&b)
        }
        Kind::Date => {
            let a: ParsedDate = parse_date(candidate)?;
            let b: ParsedDate = parse_date(wanted)?;
            Some(a.at.cmp(&b.at))
        }
        Kind::Bool => Some(bool_text(candidate).cmp(&bool_text(wanted))),
        Kind::Text => Some(
            candidate
                .trim()
                .to_lowercase()
                .cmp(&wanted.trim().to_lowercase()),
        ),
    }
}

fn bool_text(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "1")
}

/// The image's value(s) for `field` as text, and how to compare them.
fn field_values(image: &ImageRow, folder: &Folder, field: &str) -> (Vec<String>, Kind) {
    let date = |ms: i64| (vec![crate::time_fmt::iso_ms(ms)], Kind::Date);
    if field.eq_ignore_ascii_case("ModifiedAt") {
        return date(image.modified_at);
    }
    if field.eq_ignore_ascii_case("FolderModifiedAt") {
        return date(image.folder_modified_at);
    }
    if field.eq_ignore_ascii_case("CreatedAt") {
        return date(image.created_at);
    }
    let Some(def) = folder.field(field) else {
        return (Vec::new(), Kind::Text);
    };
    let kind = if def.is_numeric() || def.id == "version" {
        Kind::Number
    } else if def.is_date() {
        Kind::Date
    } else if def.is_yes_no() {
        Kind::Bool
    } else {
        Kind::Text
    };
    let values = match def.id.as_str() {
        "header_number" => vec![image.header_number.clone()],
        "version" => vec![image.version.to_string()],
        _ if def.field_type == "FormulaField" => {
            match crate::formula::evaluate(def, &image.values) {
                Value::Null => Vec::new(),
                v => vec![scalar_text(&v)],
            }
        }
        // A Users value is the user's id; a filter may also name the user.
        id if def.field_type == "Users" => match image.values.get(id) {
            Some(Value::String(user_id)) => match crate::people::find_user(user_id) {
                Some(u) => vec![u.id.to_owned(), u.username.to_owned(), u.display_name()],
                None => vec![user_id.clone()],
            },
            _ => Vec::new(),
        },
        id => match image.values.get(id) {
            Some(Value::Array(items)) => items.iter().flat_map(match_texts).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(v) => match_texts(v),
        },
    };
    (values, kind)
}

/// What a filter value is compared with: a scalar's text; for a person or partner object
/// (`{value, code, text}`, `{id, name}`) both what identifies it and what names it, so a filter
/// may use either (Users values are already the user's id).
fn match_texts(v: &Value) -> Vec<String> {
    match v {
        Value::Object(map) => ["code", "id", "value", "name", "text"]
            .iter()
            .filter_map(|k| map.get(*k).and_then(Value::as_str))
            .map(str::to_owned)
            .collect(),
        other => vec![scalar_text(other)],
    }
}
