//! Field values between the API and a form's widgets, following the TS SDK's
//! `FieldValueSchemas` (`src/schemas/field-values.ts`, derived from the server's C# types).
//! Reading is tolerant (any shape; what does not fit reads as empty). Writing uses the SDK's
//! shapes, or the shape the server sent for this field when that is known. Where the real
//! format is not confirmed the functions say so; `FieldSpec::encode_change` keeps such values
//! untouched unless the user edits them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Number, Value};

use super::field_spec::{FieldSpec, Widget};
use super::filter::MULTI_VALUE_SEPARATOR;

/// The widget value for a server value (see `Widget` for the shapes).
pub(super) fn decode(widget: Widget, server: &Value) -> Value {
    match widget {
        Widget::Text | Widget::Memo | Widget::Select | Widget::Combo => {
            Value::String(scalar_text(server))
        }
        Widget::MultiSelect | Widget::Tags => Value::Array(
            list_items(server)
                .into_iter()
                .map(|item| Value::String(scalar_text(&item)))
                .collect(),
        ),
        Widget::Bool => yes_no(server).map_or(Value::Null, Value::Bool),
        Widget::Integer => number(server)
            .map(|n| match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
                _ => Value::Number(n),
            })
            .unwrap_or(Value::Null),
        Widget::Decimal | Widget::Percent | Widget::Currency | Widget::Measure | Widget::Weight => {
            number(server).map_or(Value::Null, Value::Number)
        }
        Widget::Date => server
            .as_str()
            .and_then(day_as_written)
            .map_or(Value::Null, |d| {
                Value::String(d.format("%Y-%m-%d").to_string())
            }),
        Widget::DateTime => server
            .as_str()
            .and_then(instant)
            .map_or(Value::Null, |at| Value::String(iso(at))),
        Widget::User | Widget::Partner => picked(server).unwrap_or(Value::Null),
        Widget::Users => Value::Array(list_items(server).iter().filter_map(picked).collect()),
        Widget::Color => color(server),
        Widget::ReadOnly => Value::String(display_text(server)),
    }
}

/// The API value for a widget value; `server` is the field's current value, whose shape is
/// kept where the SDKs allow two. `Err` says what the field takes (the caller names the field).
pub(super) fn encode(spec: &FieldSpec, input: &Value, server: &Value) -> Result<Value, String> {
    match spec.widget {
        Widget::Text | Widget::Memo | Widget::Select | Widget::Combo => match input {
            Value::Null => Ok(Value::String(String::new())),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                Ok(Value::String(scalar_text(input)))
            }
            _ => Err("takes text".into()),
        },
        Widget::MultiSelect | Widget::Tags => encode_list(input),
        Widget::Bool => encode_bool(input, server),
        Widget::Integer => encode_integer(input),
        Widget::Decimal | Widget::Percent | Widget::Currency | Widget::Measure | Widget::Weight => {
            encode_decimal(input, spec.widget == Widget::Percent)
        }
        Widget::Date => encode_date(input, server),
        Widget::DateTime => encode_date_time(input),
        Widget::User => encode_user(spec, input, server),
        Widget::Users => encode_users(spec, input),
        Widget::Partner => encode_partner(spec, input, server),
        // `FieldSpec` refuses read-only fields before getting here.
        Widget::Color | Widget::ReadOnly => Err("is read-only".into()),
    }
}

/// Null, blank text or an empty list: the field is cleared.
pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Any value as one line of text: objects by their name or value, lists comma-separated,
/// a composition (`[{code, value}]`) as "Cotton 60, Elastane 40", anything else as JSON.
pub fn display_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(_) | Value::Bool(_) => value.to_string(),
        Value::Array(items) => items
            .iter()
            .map(display_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => {
            let text = |key: &str| map.get(key).filter(|v| !v.is_null()).map(display_text);
            match (text("code"), map.get("value")) {
                (Some(code), Some(Value::Number(n))) => format!("{code} {n}"),
                _ => ["name", "value", "text", "label", "code", "id"]
                    .iter()
                    .find_map(|k| text(k).filter(|t| !t.is_empty()))
                    .unwrap_or_else(|| value.to_string()),
            }
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => display_text(other),
    }
}

/// A list value; a `■`-joined string (the filter form) and a single item are read as lists.
fn list_items(value: &Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.clone(),
        Value::String(s) => s
            .split(MULTI_VALUE_SEPARATOR)
            .filter(|p| !p.trim().is_empty())
            .map(|p| Value::String(p.to_owned()))
            .collect(),
        other => vec![other.clone()],
    }
}

fn encode_list(input: &Value) -> Result<Value, String> {
    const WHAT: &str = "takes a list of text values";
    let items = match input {
        Value::Null => return Ok(Value::Array(Vec::new())),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| WHAT.to_owned()))
            .collect::<Result<Vec<_>, _>>()?,
        // The API blanks a list sent as a bare string, so text is split into a list here.
        Value::String(s) => s
            .split([MULTI_VALUE_SEPARATOR, '\n'])
            .map(str::to_owned)
            .collect(),
        _ => return Err(WHAT.into()),
    };
    let mut out: Vec<Value> = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(Value::String(item.to_owned()));
        }
    }
    Ok(Value::Array(out))
}

/// TrueFalse: "Yes"/"No" in the samples; the TS SDK also allows booleans.
pub(super) fn yes_no(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "y" | "on" => Some(true),
            "no" | "false" | "0" | "n" | "off" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_i64().filter(|n| *n == 0 || *n == 1).map(|n| n == 1),
        _ => None,
    }
}

fn encode_bool(input: &Value, server: &Value) -> Result<Value, String> {
    if input.is_null() || input.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(Value::Null);
    }
    let b = yes_no(input).ok_or("takes Yes or No")?;
    // Write what the server sends: booleans if it sent one, otherwise "Yes"/"No".
    Ok(if server.is_boolean() {
        Value::Bool(b)
    } else {
        Value::String(if b { "Yes" } else { "No" }.to_owned())
    })
}

fn number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => parse_number(s),
        _ => None,
    }
}

fn parse_number(text: &str) -> Option<Number> {
    let text = text.trim();
    text.parse::<i64>().map(Number::from).ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(Number::from_f64)
    })
}

fn got(input: &Value) -> String {
    let text: String = scalar_text(input).chars().take(60).collect();
    format!("{text:?}")
}

fn encode_integer(input: &Value) -> Result<Value, String> {
    let what = || format!("takes a whole number such as 42; got {}", got(input));
    match input {
        Value::Null => Ok(Value::Null),
        Value::String(s) if s.trim().is_empty() => Ok(Value::Null),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Value::Number(n.clone())),
        Value::Number(_) => Err(what()),
        Value::String(s) => s.trim().parse::<i64>().map(Value::from).map_err(|_| what()),
        _ => Err(what()),
    }
}

/// Decimal, Percent, Currency, Weight, Measure: a JSON number. A percent is kept as the number
/// entered and shown (12 for 12 %); whether BeProduct stores 12 or 0.12 is not confirmed, so
/// a stored value is only rewritten when the user edits it.
fn encode_decimal(input: &Value, percent: bool) -> Result<Value, String> {
    let what = || format!("takes a number such as 1.5; got {}", got(input));
    match input {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(n.clone())),
        Value::String(s) => {
            let text = s.trim();
            let text = if percent {
                text.trim_end_matches('%').trim_end()
            } else {
                text
            };
            if text.is_empty() {
                return Ok(Value::Null);
            }
            parse_number(text).map(Value::Number).ok_or_else(what)
        }
        _ => Err(what()),
    }
}

/// The calendar day of a Date value as written (its first ten characters), without moving it
/// to another time zone: BeProduct sends dates as instants ("2026-03-09T17:47:12.849Z" in the
/// TS SDK's tests) and which zone the day belongs to is not confirmed.
fn day_as_written(text: &str) -> Option<NaiveDate> {
    let day = text.trim().get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// A Date is written as the day at midnight UTC (the instant form the server sends), or as a
/// plain day when the server sent the field's value as a plain day.
fn encode_date(input: &Value, server: &Value) -> Result<Value, String> {
    let text = match input {
        Value::Null => return Ok(Value::Null),
        Value::String(s) if s.trim().is_empty() => return Ok(Value::Null),
        Value::String(s) => s.trim(),
        _ => {
            return Err(format!(
                "takes a date such as 2026-05-26; got {}",
                got(input)
            ))
        }
    };
    let day = day_as_written(text)
        .ok_or_else(|| format!("takes a date such as 2026-05-26; got {}", got(input)))?;
    let server_sent_a_plain_day = server.as_str().is_some_and(|s| s.trim().len() == 10);
    Ok(Value::String(if server_sent_a_plain_day {
        day.format("%Y-%m-%d").to_string()
    } else {
        iso(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
    }))
}

/// An instant: RFC 3339 with any offset, or a time without a zone (read as UTC: the API writes
/// its timestamps in UTC); a plain day is its midnight UTC.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| naive_time(text).map(|at| at.and_utc()))
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|at| at.and_utc())
        })
}

fn naive_time(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// A DateTime is written as a UTC instant with `Z` (what the TS docs ask for). A time typed
/// without a zone is refused rather than guessed.
fn encode_date_time(input: &Value) -> Result<Value, String> {
    let what = || {
        format!(
            "takes a date and time with its zone, such as 2026-05-26T10:00:00Z; got {}",
            got(input)
        )
    };
    let text = match input {
        Value::Null => return Ok(Value::Null),
        Value::String(s) if s.trim().is_empty() => return Ok(Value::Null),
        Value::String(s) => s.trim(),
        _ => return Err(what()),
    };
    if naive_time(text).is_some() {
        return Err(what());
    }
    instant(text)
        .map(|at| Value::String(iso(at)))
        .ok_or_else(what)
}

/// ISO-8601 UTC with milliseconds and `Z`, as the API writes timestamps.
pub(super) fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `{value, label}` for a user or partner value: a string (the TS SDK's Users shape), an
/// object with `id`/`code` (what identifies it) and `name`/`value`/`text` (what is shown).
fn picked(value: &Value) -> Option<Value> {
    let (key, label) = match value {
        Value::String(s) if !s.trim().is_empty() => (s.clone(), s.clone()),
        Value::Object(map) => {
            let text = |k: &str| {
                map.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim().is_empty())
            };
            let key = text("code")
                .or_else(|| text("id"))
                .or_else(|| text("value"))?;
            let label = ["name", "value", "text"]
                .iter()
                .find_map(|k| text(k))
                .unwrap_or(key);
            (key.to_owned(), label.to_owned())
        }
        _ => return None,
    };
    Some(json!({ "value": key, "label": label }))
}

/// (value, label) from a widget value: `{value, label}` or a plain string, whose label is the
/// field's option for it when there is one. `None`: cleared.
fn pick_input(spec: &FieldSpec, input: &Value) -> Result<Option<(String, String)>, String> {
    let what = "takes {value, label} or the value as text";
    let (value, label) = match input {
        Value::Null => return Ok(None),
        Value::String(s) => (s.trim().to_owned(), None),
        Value::Object(map) => (
            map.get("value")
                .and_then(Value::as_str)
                .ok_or(what)?
                .trim()
                .to_owned(),
            map.get("label").and_then(Value::as_str).map(str::to_owned),
        ),
        _ => return Err(what.into()),
    };
    if value.is_empty() {
        return Ok(None);
    }
    let label = label
        .filter(|l| !l.trim().is_empty())
        .or_else(|| spec.option(&value).map(|o| o.label.clone()))
        .unwrap_or_else(|| value.clone());
    Ok(Some((value, label)))
}

/// Users: a string in the TS SDK; whether it holds the user's id or name is not confirmed.
/// This client writes the user id, or `{id, name}` when the server sent the value that way.
fn encode_user(spec: &FieldSpec, input: &Value, server: &Value) -> Result<Value, String> {
    Ok(match pick_input(spec, input)? {
        None => Value::Null,
        Some((id, name)) if server.get("id").is_some() => json!({ "id": id, "name": name }),
        Some((id, _)) => Value::String(id),
    })
}

/// UsersTags: `[{value, code}]` (TS SDK); `value` is taken as the name, `code` as the user id
/// (the PartnerDropDown pattern; not confirmed for users).
fn encode_users(spec: &FieldSpec, input: &Value) -> Result<Value, String> {
    let items = match input {
        Value::Null => return Ok(Value::Array(Vec::new())),
        Value::Array(items) => items,
        _ => return Err("takes a list of users ({value, label})".into()),
    };
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if let Some((code, name)) = pick_input(spec, item)? {
            if !out.iter().any(|o| o["code"] == code.as_str()) {
                out.push(json!({ "value": name, "code": code }));
            }
        }
    }
    Ok(Value::Array(out))
}

/// PartnerDropDown: `{value, code, text}` (TS SDK) where `code` identifies the partner and
/// `value`/`text` name it. A server that sent `{code, value}` or a plain string gets that back.
fn encode_partner(spec: &FieldSpec, input: &Value, server: &Value) -> Result<Value, String> {
    let Some((code, name)) = pick_input(spec, input)? else {
        return Ok(Value::Null);
    };
    Ok(match server {
        Value::String(_) => Value::String(code),
        Value::Object(sent) if !sent.contains_key("text") => json!({ "value": name, "code": code }),
        _ => json!({ "value": name, "code": code, "text": name }),
    })
}

/// ColorDropDown: `{hex, label}` from the color-library object (TS `ColorDropDownValueSchema`).
fn color(value: &Value) -> Value {
    let Some(map) = value.as_object() else {
        return Value::Null;
    };
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let hex = text("hex").map(|h| format!("#{}", h.trim_start_matches('#')));
    let label = ["color_name", "name", "suggested_name"]
        .iter()
        .find_map(|k| text(k))
        .map(str::to_owned)
        .or_else(|| hex.clone());
    let mut out = Map::new();
    out.insert("hex".into(), hex.map_or(Value::Null, Value::String));
    out.insert("label".into(), label.map_or(Value::Null, Value::String));
    Value::Object(out)
}
