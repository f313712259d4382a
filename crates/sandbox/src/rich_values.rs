//! Values of the structured field types: Users, UsersTags, PartnerDropDown, ColorDropDown,
//! CompositeControl and Tags. Shapes follow the TS SDK's `FieldValueSchemas` (beproduct-api.md
//! §9); what each accepts on Create/Update is the sandbox's choice where no SDK says (see the
//! README). Each returns the stored value or a message without the field's name (the caller
//! adds it).

use serde_json::{json, Map, Value};

use crate::palette::find_color;
use crate::people::{find_partner, find_user, DemoUser};
use crate::schema::FieldDef;

/// The text that identifies a person, partner or color in an input: a string itself, or an
/// object's `id`/`code`, else its `value`/`name`/`text`.
fn key_of(value: &Value, keys: &[&str]) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Object(map) => keys
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))
            .map(|s| s.trim().to_owned()),
        _ => None,
    }
}

const ID_KEYS: [&str; 6] = ["id", "code", "value", "name", "text", "email"];

fn active_user(value: &Value) -> Result<&'static DemoUser, String> {
    let wanted = key_of(value, &ID_KEYS)
        .ok_or_else(|| format!("expects a user id (see Users/List); got {value}"))?;
    let user = find_user(&wanted).ok_or_else(|| {
        format!("expects a user of this company (see Users/List); no user is '{wanted}'")
    })?;
    if !user.active {
        return Err(format!(
            "cannot be set to {}: that user is no longer active",
            user.display_name()
        ));
    }
    Ok(user)
}

/// Users: the user's id, as a string (the TS SDK's type for Users values).
pub fn user(value: &Value) -> Result<Value, String> {
    if value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(Value::Null);
    }
    Ok(Value::String(active_user(value)?.id.to_owned()))
}

/// UsersTags: `[{value: <name>, code: <user id>}]`, each user once.
pub fn users(value: &Value) -> Result<Value, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "expects a list of users such as [{{\"code\": \"<user id>\"}}]; got {value}"
        ));
    };
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        let user = active_user(item)?;
        if !out.iter().any(|o| o["code"] == user.id) {
            out.push(json!({"value": user.display_name(), "code": user.id}));
        }
    }
    Ok(Value::Array(out))
}

/// PartnerDropDown: `{value, code, text}` for one of the field's partners (its choices).
pub fn partner(def: &FieldDef, value: &Value) -> Result<Value, String> {
    if value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(Value::Null);
    }
    let wanted = key_of(value, &["code", "id", "value", "text", "name"]).ok_or_else(|| {
        format!("expects a partner from the directory (its id as code); got {value}")
    })?;
    let partner = find_partner(&wanted)
        .filter(|p| def.choices.iter().any(|c| c.code == p.id))
        .ok_or_else(|| {
            let kind = def
                .properties
                .get("PartnerType")
                .and_then(Value::as_str)
                .unwrap_or("partner");
            format!("expects a {kind} from the directory; '{wanted}' is not one")
        })?;
    Ok(partner.field_value())
}

/// ColorDropDown: the color library's object for the chosen color.
pub fn color(value: &Value) -> Result<Value, String> {
    if value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(Value::Null);
    }
    let wanted = key_of(value, &["id", "color_number", "hex", "color_name", "name"])
        .ok_or_else(|| format!("expects a color of the color library; got {value}"))?;
    find_color(&wanted)
        .map(|c| c.field_value())
        .ok_or_else(|| format!("expects a color of the color library; '{wanted}' is not one"))
}

/// CompositeControl: `[{code: <choice>, value: <percent>}]`, parts from the field's choices,
/// each between 0 and 100, together at most 100.
pub fn composite(def: &FieldDef, value: &Value) -> Result<Value, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "expects a list such as [{{\"code\": \"Cotton\", \"value\": 60}}]; got {value}"
        ));
    };
    let mut out = Vec::new();
    let mut total = 0.0;
    for item in items {
        let part = item.as_object().cloned().unwrap_or_else(Map::new);
        let code = part
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        let choice = def
            .choices
            .iter()
            .find(|c| c.value.eq_ignore_ascii_case(code) || c.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                let names: Vec<&str> = def.choices.iter().map(|c| c.value.as_str()).collect();
                format!("takes parts among {}; got {item}", names.join(", "))
            })?;
        let share = match part.get("value") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|n| (0.0..=100.0).contains(n))
        .ok_or_else(|| {
            format!(
                "needs a share between 0 and 100 for {}; got {item}",
                choice.value
            )
        })?;
        total += share;
        out.push(json!({"code": choice.value, "value": share}));
    }
    if total > 100.0 + 1e-9 {
        return Err(format!("parts add up to {total}; at most 100 is possible"));
    }
    Ok(Value::Array(out))
}

/// Tags: a list of free names, trimmed, blank ones dropped, each once (case-insensitive).
pub fn tags(value: &Value) -> Result<Value, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "expects a list of names such as [\"summer\"]; got {value}"
        ));
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let Some(name) = item.as_str().map(str::trim) else {
            return Err(format!("expects names as text; got {item}"));
        };
        if !name.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            out.push(name.to_owned());
        }
    }
    Ok(json!(out))
}
