use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{nullable, Extra, FieldType};

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

/// System fields the server fills in itself.
const SERVER_MANAGED_FIELDS: [&str; 2] = ["created_by", "modified_by"];

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

    /// True when a form must not offer this field for editing.
    pub fn is_read_only(&self) -> bool {
        self.field_type.is_read_only()
            || SERVER_MANAGED_FIELDS.contains(&self.field_id.as_str())
            || self
                .properties
                .get("ReadOnly")
                .and_then(Value::as_bool)
                .unwrap_or(false)
    }

    /// Checks and converts form input for this field; see `FieldType::encode`.
    /// DropDown values must be one of `choices()` when the schema lists any.
    pub fn encode(&self, input: &Value) -> crate::Result<Value> {
        if self.is_read_only() {
            return Err(crate::Error::InvalidInput(format!(
                "{} ({}) is read-only",
                self.field_name, self.field_id
            )));
        }
        let value = self.field_type.encode(input).map_err(|e| match e {
            crate::Error::InvalidInput(m) => {
                crate::Error::InvalidInput(format!("{}: {m}", self.field_name))
            }
            other => other,
        })?;
        let choices = self.choices();
        if matches!(
            self.field_type,
            FieldType::DropDown | FieldType::MultiSelect
        ) && !choices.is_empty()
        {
            let picked: Vec<&str> = match &value {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if let Some(bad) = picked
                .iter()
                .find(|p| !choices.iter().any(|c| c.value == **p))
            {
                return Err(crate::Error::InvalidInput(format!(
                    "{} ({}): {bad:?} is not one of the allowed values: {}",
                    self.field_name,
                    self.field_id,
                    list_choices(&choices)
                )));
            }
        }
        Ok(value)
    }
}

/// The allowed values for an error message; long lists are cut short.
fn list_choices(choices: &[Choice]) -> String {
    const SHOWN: usize = 20;
    let mut text = choices
        .iter()
        .take(SHOWN)
        .map(|c| format!("{:?}", c.value))
        .collect::<Vec<_>>()
        .join(", ");
    if choices.len() > SHOWN {
        text.push_str(&format!(" and {} more", choices.len() - SHOWN));
    }
    text
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
