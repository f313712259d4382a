//! The field types of the API notes (section 9) and form-input encoding for them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldType {
    Text,
    Memo,
    ComboBox,
    DropDown,
    MultiSelect,
    TrueFalse,
    InvertedTrueFalse,
    Date,
    DateTime,
    Number,
    Decimal,
    Percent,
    Currency,
    Weight,
    Measure,
    UserLabel,
    LabelText,
    LabelSize,
    LabelMaterial,
    LabelStyleGroup,
    Label3dMaterial,
    Label3dStyle,
    LabelMaterialColor,
    FormulaField,
    Auto,
    CompositeControl,
    PartnerDropDown,
    Users,
    Tags,
    /// Any type this client has no special handling for; the wire name is kept.
    Other(String),
}

const NAMED: [(&str, FieldType); 29] = [
    ("Text", FieldType::Text),
    ("Memo", FieldType::Memo),
    ("ComboBox", FieldType::ComboBox),
    ("DropDown", FieldType::DropDown),
    ("MultiSelect", FieldType::MultiSelect),
    ("TrueFalse", FieldType::TrueFalse),
    ("InvertedTrueFalse", FieldType::InvertedTrueFalse),
    ("Date", FieldType::Date),
    ("DateTime", FieldType::DateTime),
    ("Number", FieldType::Number),
    ("Decimal", FieldType::Decimal),
    ("Percent", FieldType::Percent),
    ("Currency", FieldType::Currency),
    ("Weight", FieldType::Weight),
    ("Measure", FieldType::Measure),
    ("UserLabel", FieldType::UserLabel),
    ("LabelText", FieldType::LabelText),
    ("LabelSize", FieldType::LabelSize),
    ("LabelMaterial", FieldType::LabelMaterial),
    ("LabelStyleGroup", FieldType::LabelStyleGroup),
    ("Label3dMaterial", FieldType::Label3dMaterial),
    ("Label3dStyle", FieldType::Label3dStyle),
    ("LabelMaterialColor", FieldType::LabelMaterialColor),
    ("FormulaField", FieldType::FormulaField),
    ("Auto", FieldType::Auto),
    ("CompositeControl", FieldType::CompositeControl),
    ("PartnerDropDown", FieldType::PartnerDropDown),
    ("Users", FieldType::Users),
    ("Tags", FieldType::Tags),
];

impl FieldType {
    /// Parses the wire name (case-insensitive); unknown names become `Other`.
    pub fn from_name(name: &str) -> FieldType {
        NAMED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| FieldType::Other(name.to_owned()))
    }

    pub fn name(&self) -> &str {
        match self {
            FieldType::Other(name) => name,
            known => NAMED
                .iter()
                .find(|(_, t)| t == known)
                .map(|(n, _)| *n)
                .unwrap_or_default(),
        }
    }

    /// Computed or server-managed types a form must not edit.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            FieldType::UserLabel
                | FieldType::LabelText
                | FieldType::LabelSize
                | FieldType::LabelMaterial
                | FieldType::LabelStyleGroup
                | FieldType::Label3dMaterial
                | FieldType::Label3dStyle
                | FieldType::LabelMaterialColor
                | FieldType::FormulaField
                | FieldType::Auto
        )
    }

    /// Converts form input (a JSON string, number, bool or array) into the value the API takes:
    /// TrueFalse → `"Yes"`/`"No"`, MultiSelect → array of strings, Number → integer,
    /// Decimal-like → number, Date/DateTime → ISO string. Empty input becomes `null`
    /// (`""` for text). Anything that does not fit gives `InvalidInput` saying why.
    pub fn encode(&self, input: &Value) -> Result<Value> {
        if self.is_read_only() {
            return Err(Error::InvalidInput(format!(
                "{} fields are read-only",
                self.name()
            )));
        }
        let text = as_text(input);
        match self {
            FieldType::Text | FieldType::Memo | FieldType::ComboBox | FieldType::DropDown => {
                match input {
                    Value::Null => Ok(Value::String(String::new())),
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                        Ok(Value::String(text.unwrap_or_default()))
                    }
                    _ => Err(self.expected("text")),
                }
            }
            FieldType::TrueFalse | FieldType::InvertedTrueFalse => match input {
                Value::Bool(b) => Ok(yes_no(*b)),
                Value::Null => Ok(Value::Null),
                _ => match text.as_deref().map(|t| t.trim().to_ascii_lowercase()) {
                    Some(t) if t.is_empty() => Ok(Value::Null),
                    Some(t) if ["yes", "true", "1", "y", "on"].contains(&t.as_str()) => {
                        Ok(yes_no(true))
                    }
                    Some(t) if ["no", "false", "0", "n", "off"].contains(&t.as_str()) => {
                        Ok(yes_no(false))
                    }
                    _ => Err(self.expected("Yes or No")),
                },
            },
            FieldType::MultiSelect | FieldType::Tags => match input {
                Value::Null => Ok(Value::Array(Vec::new())),
                Value::Array(items) => items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(Value::String(s.clone())),
                        _ => Err(self.expected("a list of text values")),
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Value::Array),
                // A bare string is blanked by the server, so split it into a list here.
                Value::String(s) => Ok(Value::Array(
                    s.split(['■', '\n'])
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| Value::String(p.to_owned()))
                        .collect(),
                )),
                _ => Err(self.expected("a list of text values")),
            },
            FieldType::Number => match input {
                Value::Null => Ok(Value::Null),
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Value::Number(n.clone())),
                _ => match text.as_deref().map(str::trim) {
                    Some("") => Ok(Value::Null),
                    Some(t) => t
                        .parse::<i64>()
                        .map(|n| Value::Number(n.into()))
                        .map_err(|_| self.expected_got("a whole number", t)),
                    None => Err(self.expected("a whole number")),
                },
            },
            FieldType::Decimal
            | FieldType::Percent
            | FieldType::Currency
            | FieldType::Weight
            | FieldType::Measure => match input {
                Value::Null => Ok(Value::Null),
                Value::Number(n) => Ok(Value::Number(n.clone())),
                _ => match text.as_deref().map(str::trim) {
                    Some("") => Ok(Value::Null),
                    Some(t) => t
                        .parse::<f64>()
                        .ok()
                        .and_then(Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| self.expected_got("a number", t)),
                    None => Err(self.expected("a number")),
                },
            },
            FieldType::Date | FieldType::DateTime => match text.as_deref().map(str::trim) {
                None if input.is_null() => Ok(Value::Null),
                Some("") => Ok(Value::Null),
                Some(t) if is_iso_date(t, *self == FieldType::DateTime) => {
                    Ok(Value::String(t.to_owned()))
                }
                Some(t) => {
                    Err(self.expected_got("an ISO date like 2026-05-26 or 2026-05-26T10:00:00Z", t))
                }
                None => Err(self.expected("an ISO date")),
            },
            // Structured or unknown types: passed through unchanged, as the official SDKs do.
            _ => Ok(input.clone()),
        }
    }

    fn expected(&self, what: &str) -> Error {
        Error::InvalidInput(format!("{} fields take {what}", self.name()))
    }

    fn expected_got(&self, what: &str, got: &str) -> Error {
        let got: String = got.chars().take(60).collect();
        Error::InvalidInput(format!("{} fields take {what}; got {got:?}", self.name()))
    }
}

fn yes_no(b: bool) -> Value {
    Value::String(if b { "Yes" } else { "No" }.to_owned())
}

fn as_text(input: &Value) -> Option<String> {
    match input {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_iso_date(text: &str, allow_time: bool) -> bool {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        || (allow_time
            && (DateTime::parse_from_rfc3339(text).is_ok()
                || NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
                || NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").is_ok()))
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = Option::<String>::deserialize(d)?.unwrap_or_default();
        Ok(FieldType::from_name(&name))
    }
}
