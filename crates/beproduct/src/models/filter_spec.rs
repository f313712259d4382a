//! Which filters a field offers and how a filter chosen in the UI becomes the API's filters.
//!
//! Wire operators (notes §6): `Eq, Neq, Gt, Gte, Lt, Lte` are in the Python SDK's docs and
//! `Contains` in its parsers, so only these are sent. `In`/`NotIn`/`NotEq` (TS docs only) are
//! not: "in" is `Eq` with the values joined by `■` (what both SDKs' helpers send for a list),
//! "not in" is `Neq` with `■` (by analogy; not confirmed). "is empty" is `Eq ""` and "is not
//! empty" `Neq ""` (not confirmed). A filter carries the Python SDK's `type` (`Date`,
//! `Number`, `Boolean`) from the field type; dates are ISO-8601 instants with `Z`, and a date
//! filter covers whole days in the user's time zone (`whole_day_utc`).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::field_spec::FieldSpec;
use super::field_values::iso;
use super::filter::{Filter, FilterType, FilterValue, Operator};
use super::FieldType;
use crate::error::{Error, Result};

/// A filter as the user picks it (the TS SDK's `FieldSearchOperators` names, camelCase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FilterOp {
    Contains,
    /// Equal; for dates: on that day.
    Is,
    IsNot,
    IsEmpty,
    IsNotEmpty,
    /// For dates: after that day.
    Gt,
    /// For dates: on or after that day.
    Gte,
    /// For dates: before that day.
    Lt,
    /// For dates: on or before that day.
    Lte,
    /// Any of the chosen values.
    In,
    /// None of the chosen values.
    NotIn,
}

/// What a filter's value is, so the UI shows the right input. The value sent with a
/// `FilterOp`: `text` a string; `integer`/`decimal` a number (or its text); `date` a day
/// `"YYYY-MM-DD"`; `bool` true/false; `options` a list of the field's option values (from
/// `choices` or `choicesSource`). `isEmpty`/`isNotEmpty` take no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FilterValueKind {
    Text,
    Integer,
    Decimal,
    Date,
    Bool,
    Options,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterSpec {
    pub operators: Vec<FilterOp>,
    pub default_operator: FilterOp,
    pub value_kind: FilterValueKind,
}

impl FilterSpec {
    /// The filters a field type supports (after the TS SDK's `FieldSearchOperators`, minus
    /// the ones the wire cannot express: "does not contain", and "is not" on a whole day).
    pub fn for_type(field_type: &FieldType) -> Option<FilterSpec> {
        use FieldType as T;
        use FilterOp::*;
        let spec = |operators: &[FilterOp], value_kind| FilterSpec {
            operators: operators.to_vec(),
            default_operator: operators[0],
            value_kind,
        };
        const TEXT: [FilterOp; 5] = [Contains, Is, IsNot, IsEmpty, IsNotEmpty];
        const COMPARE: [FilterOp; 8] = [Is, IsNot, Gt, Gte, Lt, Lte, IsEmpty, IsNotEmpty];
        const DATES: [FilterOp; 7] = [Is, Gt, Gte, Lt, Lte, IsEmpty, IsNotEmpty];
        const PICKS: [FilterOp; 4] = [In, NotIn, IsEmpty, IsNotEmpty];
        Some(match field_type {
            T::Text
            | T::Memo
            | T::ComboBox
            | T::UserLabel
            | T::LabelText
            | T::LabelSize
            | T::LabelMaterial
            | T::LabelStyleGroup
            | T::Label3dMaterial
            | T::Label3dStyle
            | T::LabelMaterialColor => spec(&TEXT, FilterValueKind::Text),
            T::Number => spec(&COMPARE, FilterValueKind::Integer),
            T::Decimal | T::Percent | T::Currency | T::Weight | T::Measure => {
                spec(&COMPARE, FilterValueKind::Decimal)
            }
            // Number or text: compared as the server compares it, no `type`.
            T::FormulaField => spec(&COMPARE, FilterValueKind::Text),
            T::Date | T::DateTime => spec(&DATES, FilterValueKind::Date),
            T::TrueFalse | T::InvertedTrueFalse => spec(&[Is], FilterValueKind::Bool),
            T::DropDown
            | T::Radio
            | T::MultiSelect
            | T::Tags
            | T::Users
            | T::UsersTags
            | T::PartnerDropDown
            | T::CompositeControl => spec(&PICKS, FilterValueKind::Options),
            // What a color filter compares is not known; emptiness is all that is safe.
            T::ColorDropDown => spec(&[IsNotEmpty, IsEmpty], FilterValueKind::Text),
            _ => return None,
        })
    }
}

/// The instants [start, end) of a whole calendar day in a time zone `utc_offset_minutes` east
/// of UTC (+120 for CEST; in JavaScript that is `-date.getTimezoneOffset()` for that day).
pub fn whole_day_utc(
    day: NaiveDate,
    utc_offset_minutes: i32,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let zone = utc_offset_minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "time-zone offset {utc_offset_minutes} minutes is out of range (-1080 to 1080)"
            ))
        })?;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let start = zone
        .from_local_datetime(&midnight)
        .single()
        .ok_or_else(|| Error::InvalidInput(format!("{day} has no midnight in that time zone")))?
        .with_timezone(&Utc);
    Ok((start, start + Duration::days(1)))
}

impl FieldSpec {
    /// The API filters for a filter picked in the UI: `value` as `FilterSpec::value_kind`
    /// says, `utc_offset_minutes` the user's zone for date filters (see `whole_day_utc`). A
    /// day ("is" on a date) gives two filters (from its start, before its end); the API ANDs
    /// them. Refuses operators the field does not offer and values that do not fit.
    pub fn search_filters(
        &self,
        op: FilterOp,
        value: &Value,
        utc_offset_minutes: i32,
    ) -> Result<Vec<Filter>> {
        let spec = self
            .filter
            .as_ref()
            .ok_or_else(|| self.refusal("cannot be used in a search filter"))?;
        if !spec.operators.contains(&op) {
            let names: Vec<String> = spec.operators.iter().map(op_name).collect();
            return Err(self.refusal(&format!(
                "cannot be filtered with {}; use one of: {}",
                op_name(&op),
                names.join(", ")
            )));
        }
        let field = self.field_id.as_str();
        match op {
            FilterOp::IsEmpty => return Ok(vec![Filter::eq(field, "")]),
            FilterOp::IsNotEmpty => return Ok(vec![Filter::neq(field, "")]),
            _ => {}
        }
        let wire = |operator, value: String, kind: Option<FilterType>| Filter {
            field: field.to_owned(),
            operator,
            value: FilterValue::One(value),
            value_type: kind,
        };
        Ok(match spec.value_kind {
            FilterValueKind::Text => vec![wire(operator(op), self.filter_text(value)?, None)],
            FilterValueKind::Integer | FilterValueKind::Decimal => {
                let n = self.filter_number(value, spec.value_kind == FilterValueKind::Integer)?;
                vec![wire(operator(op), n, Some(FilterType::Number))]
            }
            // "true"/"false", the form a server comparing as Boolean can read (not confirmed).
            FilterValueKind::Bool => {
                let b = super::field_values::yes_no(value)
                    .ok_or_else(|| self.refusal("is filtered by Yes or No (true or false)"))?;
                vec![wire(Operator::Eq, b.to_string(), Some(FilterType::Boolean))]
            }
            FilterValueKind::Date => {
                let day = value
                    .as_str()
                    .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
                    .ok_or_else(|| {
                        self.refusal(&format!(
                            "is filtered by a day such as 2026-05-26; got {value}"
                        ))
                    })?;
                let (start, end) = whole_day_utc(day, utc_offset_minutes)?;
                let at = |operator, instant| wire(operator, iso(instant), Some(FilterType::Date));
                match op {
                    FilterOp::Is => vec![at(Operator::Gte, start), at(Operator::Lt, end)],
                    FilterOp::Gt => vec![at(Operator::Gte, end)],
                    FilterOp::Gte => vec![at(Operator::Gte, start)],
                    FilterOp::Lt => vec![at(Operator::Lt, start)],
                    _ => vec![at(Operator::Lt, end)],
                }
            }
            FilterValueKind::Options => {
                let picked = self.filter_options(value)?;
                vec![Filter {
                    value: FilterValue::Many(picked),
                    ..wire(operator(op), String::new(), None)
                }]
            }
        })
    }

    fn filter_text(&self, value: &Value) -> Result<String> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(self.refusal("needs some text to filter by")),
        }
    }

    fn filter_number(&self, value: &Value, whole: bool) -> Result<String> {
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_owned(),
            _ => String::new(),
        };
        let ok = if whole {
            text.parse::<i64>().is_ok()
        } else {
            text.parse::<f64>().is_ok_and(f64::is_finite)
        };
        if ok {
            Ok(text)
        } else {
            let what = if whole { "a whole number" } else { "a number" };
            Err(self.refusal(&format!("is filtered by {what}; got {value}")))
        }
    }

    fn filter_options(&self, value: &Value) -> Result<Vec<String>> {
        let picked: Vec<String> = match value {
            Value::String(s) => vec![s.trim().to_owned()],
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.trim().to_owned())
                .collect(),
            _ => Vec::new(),
        };
        let picked: Vec<String> = picked.into_iter().filter(|s| !s.is_empty()).collect();
        if picked.is_empty() {
            return Err(self.refusal("needs at least one value to filter by"));
        }
        Ok(picked)
    }
}

fn operator(op: FilterOp) -> Operator {
    match op {
        FilterOp::Contains => Operator::Contains,
        FilterOp::IsNot | FilterOp::NotIn | FilterOp::IsNotEmpty => Operator::Neq,
        FilterOp::Gt => Operator::Gt,
        FilterOp::Gte => Operator::Gte,
        FilterOp::Lt => Operator::Lt,
        FilterOp::Lte => Operator::Lte,
        FilterOp::Is | FilterOp::In | FilterOp::IsEmpty => Operator::Eq,
    }
}

fn op_name(op: &FilterOp) -> String {
    serde_json::to_value(op)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
