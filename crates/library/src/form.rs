//! An image's attribute form as the UI renders it: one entry per field with the field's spec
//! (widget, editability, choices, unit, filter: `beproduct::FieldSpec`) and its current value as
//! that widget shows it, in the order the form lists them. The UI sends widget values back and
//! `encode_fields` turns them into the API's values, so no field-type rule is decided twice.

use beproduct::{FieldSpec, FieldType, FieldUpdate, HeaderField, ImageHeader, SchemaField};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

const NUMBER: &str = "header_number";
const NAME: &str = "header_name";

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    #[serde(flatten)]
    pub spec: FieldSpec,
    /// The current value in the widget's shape (`beproduct::Widget` lists them).
    pub value: Value,
}

/// The specs of a folder's active fields, the image number and name first (added when the
/// schema does not list them: every image has both).
pub fn field_specs(schema: &[SchemaField]) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = schema
        .iter()
        .filter(|f| f.active != Some(false) && !f.field_id.trim().is_empty())
        .map(FieldSpec::from_schema)
        .collect();
    for (id, label) in [(NAME, "Image Name"), (NUMBER, "Image Number")] {
        let position = specs.iter().position(|s| s.field_id == id);
        let spec = match position {
            Some(i) => specs.remove(i),
            None => core_spec(id, label),
        };
        specs.insert(0, spec);
    }
    specs
}

fn core_spec(id: &str, label: &str) -> FieldSpec {
    FieldSpec::from_header_field(&HeaderField {
        id: id.to_owned(),
        name: label.to_owned(),
        value: Value::Null,
        field_type: Some(FieldType::Text),
        required: true,
        extra: Default::default(),
    })
}

/// The form for `image` (None: a new image) in a folder with `schema`: number and name, the
/// editable fields, then what is shown only (read-only fields, and values the image has that
/// the schema does not describe, which are never sent back).
pub fn form(schema: &[SchemaField], image: Option<&ImageHeader>) -> Vec<FormField> {
    let mut specs = field_specs(schema);
    let header_fields = image.map_or(&[][..], |i| &i.header_data.fields[..]);
    for field in header_fields {
        if field.id.is_empty() || specs.iter().any(|s| s.field_id == field.id) {
            continue;
        }
        let mut spec = FieldSpec::from_header_field(field);
        spec.editable = false;
        specs.push(spec);
    }
    let (core, rest): (Vec<_>, Vec<_>) = specs
        .into_iter()
        .partition(|s| s.field_id == NUMBER || s.field_id == NAME);
    let (editable, shown): (Vec<_>, Vec<_>) = rest.into_iter().partition(|s| s.editable);
    core.into_iter()
        .chain(editable)
        .chain(shown)
        .map(|spec| {
            let value = image.map_or(Value::Null, |i| server_value(i, &spec.field_id));
            FormField {
                value: spec.decode(&value),
                spec,
            }
        })
        .collect()
}

fn server_value(image: &ImageHeader, field_id: &str) -> Value {
    match image.field(field_id) {
        Some(field) => field.value.clone(),
        None if field_id == NUMBER => Value::String(image.header_number.clone()),
        None if field_id == NAME => Value::String(image.header_name.clone()),
        None => Value::Null,
    }
}

/// Widget values from the form (`[{id, value}]`) as the API takes them. Refuses, before
/// anything is sent, a field the folder does not have, a read-only one, and a value that does
/// not fit its field (naming the field and what it takes).
pub fn encode_fields(specs: &[FieldSpec], fields: Vec<FieldUpdate>) -> Result<Vec<FieldUpdate>> {
    fields
        .into_iter()
        .map(|field| {
            let spec = specs
                .iter()
                .find(|s| s.field_id.eq_ignore_ascii_case(&field.id))
                .ok_or_else(|| {
                    Error::invalid_input(format!(
                        "'{}' is not a field of this folder; reload the folder and try again.",
                        field.id
                    ))
                })?;
            let value = spec.encode(&field.value)?;
            Ok(FieldUpdate {
                id: spec.field_id.clone(),
                value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Vec<SchemaField> {
        serde_json::from_value(json!([
            {"fieldId": "version", "fieldName": "Version", "fieldType": "Number", "required": false},
            {"fieldId": "season", "fieldName": "Season", "fieldType": "DropDown", "required": false,
             "properties": {"Choices": [{"value": "SS27"}, {"value": "FW27"}]}},
            {"fieldId": "header_name", "fieldName": "Image Name", "fieldType": "Text", "required": true},
            {"fieldId": "retired", "fieldName": "Retired", "fieldType": "Text", "active": false},
            {"fieldId": "approved", "fieldName": "Approved", "fieldType": "TrueFalse", "required": false}
        ]))
        .unwrap()
    }

    fn image() -> ImageHeader {
        serde_json::from_value(json!({
            "id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe", "headerNumber": "PRT-1", "headerName": "Ditsy",
            "headerData": {"fields": [
                {"id": "season", "name": "Season", "value": "SS27"},
                {"id": "approved", "name": "Approved", "value": "Yes"},
                {"id": "version", "name": "Version", "value": 3},
                {"id": "legacy_code", "name": "Legacy code", "value": {"code": "L1"}}
            ]}
        }))
        .unwrap()
    }

    #[test]
    fn number_and_name_first_then_editable_then_shown_only() {
        let form = form(&schema(), Some(&image()));
        let order: Vec<(&str, bool)> = form
            .iter()
            .map(|f| (f.spec.field_id.as_str(), f.spec.editable))
            .collect();
        assert_eq!(
            order,
            [
                ("header_number", true),
                ("header_name", true),
                ("season", true),
                ("approved", true),
                ("version", false),
                ("legacy_code", false),
            ]
        );
        assert_eq!(form[0].value, "PRT-1", "the number comes from the header");
        assert_eq!(form[3].value, true, "Yes reads as the switch's on");
        assert_eq!(form[4].value, 3);
    }

    #[test]
    fn a_new_image_has_empty_widgets() {
        let form = form(&schema(), None);
        assert_eq!(form[0].spec.label, "Image Number");
        assert!(form[0].spec.required);
        assert_eq!(form[2].value, "");
        assert_eq!(form[3].value, Value::Null);
    }

    #[test]
    fn widget_values_are_encoded_or_refused_by_the_field_rules() {
        let specs = field_specs(&schema());
        let update = |id: &str, value: Value| FieldUpdate {
            id: id.into(),
            value,
        };
        let encoded = encode_fields(
            &specs,
            vec![
                update("SEASON", json!("FW27")),
                update("approved", json!(false)),
            ],
        )
        .unwrap();
        assert_eq!(encoded[0].id, "season");
        assert_eq!(encoded[0].value, "FW27");
        assert_eq!(encoded[1].value, "No");
        for (field, value, says) in [
            ("season", json!("Monsoon"), "Season (season)"),
            ("version", json!(4), "read-only"),
            ("retired", json!("x"), "not a field of this folder"),
            ("header_name", json!(""), "required"),
        ] {
            let err = encode_fields(&specs, vec![update(field, value)]).unwrap_err();
            assert_eq!(err.kind(), beproduct::ErrorKind::InvalidInput);
            assert!(err.to_string().contains(says), "{field}: {err}");
            assert!(!err.to_string().starts_with("invalid input"), "{err}");
        }
    }
}
