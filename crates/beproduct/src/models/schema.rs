use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{nullable, Extra, FieldSpec, FieldType};

/// A field of `GET Image/FolderSchema?folderId=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaField {
    #[serde(deserialize_with = "nullable::string")]
    pub field_id: String,
    #[serde(default, deserialize_with = "nullable::string")]
    pub field_name: String,
    pub field_type: FieldType,
    #[serde(default, deserialize_with = "nullable::boolean")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// `Choices`, `Formula`, ... as sent; see `choices()`.
    #[serde(default)]
    pub properties: Value,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One allowed value of a DropDown/MultiSelect/ComboBox/PartnerDropDown/CompositeControl field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: Option<String>,
    pub code: Option<String>,
    /// What is shown and what is sent as the field value.
    pub value: String,
}

impl SchemaField {
    /// `properties.Choices` as a list: `{id, code, value}` objects, plain strings, or
    /// CompositeControl's single newline-separated string.
    pub fn choices(&self) -> Vec<Choice> {
        let raw = self
            .properties
            .get("Choices")
            .or_else(|| self.properties.get("choices"));
        match raw {
            Some(Value::Array(items)) => items.iter().filter_map(choice_from_json).collect(),
            Some(Value::String(text)) => text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Choice {
                    id: None,
                    code: None,
                    value: l.to_owned(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// This field's descriptor: widget, editability, choices, filters, value encoding.
    pub fn spec(&self) -> FieldSpec {
        FieldSpec::from_schema(self)
    }

    /// True when a form must not offer this field for editing (see `FieldSpec::editable`).
    pub fn is_read_only(&self) -> bool {
        !self.spec().editable
    }

    /// Checks and converts a form value for this field; see `FieldSpec::encode`.
    pub fn encode(&self, input: &Value) -> crate::Result<Value> {
        self.spec().encode(input)
    }
}

fn choice_from_json(item: &Value) -> Option<Choice> {
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    match item {
        Value::String(s) => Some(Choice {
            id: None,
            code: None,
            value: s.clone(),
        }),
        Value::Object(map) => {
            let id = text(map.get("id"));
            let code = text(map.get("code"));
            let value = text(map.get("value")).or_else(|| code.clone())?;
            Some(Choice { id, code, value })
        }
        _ => None,
    }
}
