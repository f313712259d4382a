//! Field values as a person types them (a spreadsheet cell, a preview line): one line of text
//! per field, read back through the client's `FieldSpec` rules, which decide what is valid.

use beproduct::{FieldSpec, Widget};
use serde_json::Value;

/// Items of a multi-value cell are written joined by this and read split on `,` `;` or a
/// line break (what people type between items).
pub const ITEM_JOIN: &str = ", ";

/// The server's value as one line of text.
pub fn to_text(spec: &FieldSpec, server: &Value) -> String {
    let widget = spec.decode(server);
    let label = |v: &Value| -> String {
        v.get("label")
            .or_else(|| v.get("value"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match (&spec.widget, &widget) {
        (_, Value::Null) => String::new(),
        (Widget::Bool, Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_owned(),
        (Widget::Users, Value::Array(items)) => items
            .iter()
            .map(label)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(ITEM_JOIN),
        (_, Value::Array(items)) => items
            .iter()
            .map(beproduct::display_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(ITEM_JOIN),
        (Widget::User | Widget::Partner | Widget::Color, v @ Value::Object(_)) => label(v),
        (_, Value::String(s)) => s.clone(),
        (_, other) => beproduct::display_text(other),
    }
}

/// The widget value for typed text, to hand to `FieldSpec::encode_change`; `Err` says why
/// this field cannot take text (the caller names the field).
pub fn from_text(spec: &FieldSpec, text: &str) -> Result<Value, String> {
    let text = text.trim();
    match spec.widget {
        Widget::MultiSelect | Widget::Tags => Ok(Value::Array(
            text.split([',', ';', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Value::String(choice_value(spec, t)))
                .collect(),
        )),
        // Directory partners are identified by id; without the schema's list, a typed name
        // cannot be matched safely.
        Widget::Partner if spec.choices.is_empty() => Err(
            "holds a directory partner, which cannot be set from typed text; pick it in the app"
                .to_owned(),
        ),
        Widget::Select | Widget::Partner => Ok(if text.is_empty() {
            Value::Null
        } else {
            Value::String(choice_value(spec, text))
        }),
        // Users are identified by id, which a person does not type; pick them in the app.
        Widget::User | Widget::Users => {
            Err("holds users, which cannot be set from typed text; pick them in the app".to_owned())
        }
        Widget::Color | Widget::ReadOnly => {
            Err("is read-only: BeProduct fills it in, so it cannot be changed here".to_owned())
        }
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// The stored value of the choice typed as its value or label in any letter case; the text
/// itself when no choice matches (the spec's check then names the allowed values).
fn choice_value(spec: &FieldSpec, typed: &str) -> String {
    spec.choices
        .iter()
        .find(|c| c.value == typed || c.label == typed)
        .or_else(|| {
            spec.choices.iter().find(|c| {
                c.value.eq_ignore_ascii_case(typed) || c.label.eq_ignore_ascii_case(typed)
            })
        })
        .map_or_else(|| typed.to_owned(), |c| c.value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use beproduct::SchemaField;
    use serde_json::json;

    fn spec(field_type: &str, choices: Value) -> FieldSpec {
        let field: SchemaField = serde_json::from_value(json!({
            "fieldId": "f", "fieldName": "F", "fieldType": field_type, "required": false,
            "properties": {"Choices": choices}
        }))
        .unwrap();
        FieldSpec::from_schema(&field)
    }

    #[test]
    fn typed_text_round_trips_through_the_spec() {
        let colors = spec(
            "MultiSelect",
            json!([{"id": "1", "code": "RED", "value": "Red"}, {"id": "2", "code": "BLU", "value": "Blue"}]),
        );
        assert_eq!(to_text(&colors, &json!(["Red", "Blue"])), "Red, Blue");
        let typed = from_text(&colors, "blue; Red").unwrap();
        assert_eq!(typed, json!(["Blue", "Red"]));
        assert_eq!(
            colors
                .encode_change(&typed, &json!(["Red", "Blue"]))
                .unwrap(),
            Some(json!(["Blue", "Red"]))
        );
        let bool_spec = spec("TrueFalse", Value::Null);
        assert_eq!(to_text(&bool_spec, &json!("Yes")), "Yes");
        let typed = from_text(&bool_spec, "no").unwrap();
        assert_eq!(
            bool_spec.encode_change(&typed, &json!("Yes")).unwrap(),
            Some(json!("No"))
        );
        let number = spec("Decimal", Value::Null);
        assert_eq!(to_text(&number, &json!(1.5)), "1.5");
        let typed = from_text(&number, "1.50").unwrap();
        assert_eq!(number.encode_change(&typed, &json!(1.5)).unwrap(), None);
        let users = spec("Users", Value::Null);
        assert!(from_text(&users, "jdoe").is_err());
    }
}
