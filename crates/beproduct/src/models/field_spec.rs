//! One descriptor per schema field: the widget a form shows for it, whether it may be edited,
//! its choices, how its values are read and written (`field_values`) and how it is filtered
//! (`filter_spec`). The app hands these to the UI with the schema, so the field-type rules live
//! here only: the UI renders them, it does not decide them again.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::field_values;
use super::filter_spec::FilterSpec;
use super::{FieldType, HeaderField, SchemaField};
use crate::error::{Error, Result};

/// The input a form shows for a field. Widget values (what `FieldSpec::decode` gives and
/// `FieldSpec::encode` takes) are, per widget:
/// - `text`, `memo`, `select`, `combo`: a string (`""` when empty);
/// - `multiSelect`, `tags`: a list of strings;
/// - `user`, `partner`: `{value, label}` or null (`value` identifies the user or partner,
///   `label` is shown); a plain string is taken as the `value`;
/// - `users`: a list of `{value, label}`;
/// - `bool`: true, false or null;
/// - `date`: `"YYYY-MM-DD"` or null; `dateTime`: an ISO-8601 instant with `Z`, or null;
/// - `integer`, `decimal`, `percent`, `currency`, `measure`, `weight`: a number or null;
/// - `color`: `{hex, label}` or null (shown, not edited);
/// - `readOnly`: the value as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Widget {
    Text,
    Memo,
    /// DropDown, Radio: one of `choices`.
    Select,
    /// ComboBox: free text, `choices` are suggestions.
    Combo,
    MultiSelect,
    /// Tags: free names, suggested from the tags in use.
    Tags,
    /// Users: one user.
    User,
    /// UsersTags: several users.
    Users,
    /// PartnerDropDown: one directory partner.
    Partner,
    /// TrueFalse and InvertedTrueFalse. Both are stored as "Yes"/"No" and shown as stored:
    /// the TS SDK gives them the same value type and operators, and nothing in either SDK says
    /// the API inverts InvertedTrueFalse, so inverting it here could show the opposite.
    Bool,
    Date,
    DateTime,
    Integer,
    Decimal,
    Percent,
    Currency,
    Measure,
    Weight,
    /// ColorDropDown: a color-library color; picking one needs the color library, which this
    /// client does not read, so it is shown and never written.
    Color,
    /// Computed, server-managed, structured values this client cannot edit safely
    /// (CompositeControl), and any type it does not know: shown as text, never sent back.
    ReadOnly,
}

impl Widget {
    pub fn for_type(field_type: &FieldType) -> Widget {
        use FieldType as T;
        match field_type {
            T::Text => Widget::Text,
            T::Memo => Widget::Memo,
            T::DropDown | T::Radio => Widget::Select,
            T::ComboBox => Widget::Combo,
            T::MultiSelect => Widget::MultiSelect,
            T::Tags => Widget::Tags,
            T::Users => Widget::User,
            T::UsersTags => Widget::Users,
            T::PartnerDropDown => Widget::Partner,
            T::TrueFalse | T::InvertedTrueFalse => Widget::Bool,
            T::Date => Widget::Date,
            T::DateTime => Widget::DateTime,
            T::Number => Widget::Integer,
            T::Decimal => Widget::Decimal,
            T::Percent => Widget::Percent,
            T::Currency => Widget::Currency,
            T::Measure => Widget::Measure,
            T::Weight => Widget::Weight,
            T::ColorDropDown => Widget::Color,
            // UserLabel, Label*, FormulaField, Auto, Hidden, CompositeControl, ColorwayField,
            // MultiSelectBOMVariation, ImageColor and unknown types.
            _ => Widget::ReadOnly,
        }
    }

    pub fn is_editable(self) -> bool {
        !matches!(self, Widget::Color | Widget::ReadOnly)
    }

    /// Whether the widget value is a list.
    pub fn is_multi(self) -> bool {
        matches!(self, Widget::MultiSelect | Widget::Tags | Widget::Users)
    }
}

/// One entry of a picker: `value` is what is stored, `label` what is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOption {
    pub value: String,
    pub label: String,
    /// More to tell entries apart (a user's email, a partner's type and country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl FieldOption {
    pub fn plain(value: impl Into<String>) -> FieldOption {
        let value = value.into();
        FieldOption {
            label: value.clone(),
            value,
            detail: None,
        }
    }
}

/// Where a field's choices come from when the schema does not list them (see `Directory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChoicesSource {
    /// `GET Users/List`.
    Users,
    /// `GET Directory/Companies`.
    Partners,
    /// `GET Tag/Image/List` (suggestions only: new names are allowed).
    Tags,
}

/// Everything a form and a filter builder need to know about one field (JSON: camelCase).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    pub field_id: String,
    /// The schema's field name, or the id when the name is empty.
    pub label: String,
    pub field_type: FieldType,
    pub widget: Widget,
    pub editable: bool,
    pub required: bool,
    /// The schema's own choices (select, combo, multiSelect, partner, CompositeControl).
    #[serde(default)]
    pub choices: Vec<FieldOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices_source: Option<ChoicesSource>,
    /// `%` for percent; for currency, measure and weight the unit the schema names, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The widget value is a list.
    pub multi: bool,
    /// How the field can be filtered; `None`: not at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterSpec>,
}

/// System fields the server fills in itself, whatever their type says.
const SERVER_MANAGED_FIELDS: [&str; 5] = [
    "created_by",
    "modified_by",
    "created_at",
    "modified_at",
    // Changed by uploads; an update that sets it is refused unless `preserveVersion`.
    "version",
];

/// Schema property names that may carry a unit. None is confirmed by the SDKs, so a unit is
/// shown only when one of them is present.
const UNIT_PROPERTIES: [&str; 6] = [
    "Unit",
    "UnitOfMeasure",
    "Uom",
    "MeasureUnit",
    "CurrencySymbol",
    "Currency",
];

impl FieldSpec {
    pub fn from_schema(field: &SchemaField) -> FieldSpec {
        let read_only_property = property(&field.properties, "ReadOnly")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut spec = FieldSpec::build(
            &field.field_id,
            &field.field_name,
            field.field_type.clone(),
            field.required,
            field.choices(),
            &field.properties,
        );
        spec.editable &= !read_only_property;
        spec
    }

    /// For a header field the schema does not list: its own type, no choices.
    pub fn from_header_field(field: &HeaderField) -> FieldSpec {
        let field_type = field
            .field_type
            .clone()
            .unwrap_or_else(|| FieldType::Other(String::new()));
        FieldSpec::build(
            &field.id,
            &field.name,
            field_type,
            field.required,
            Vec::new(),
            &Value::Null,
        )
    }

    fn build(
        field_id: &str,
        name: &str,
        field_type: FieldType,
        required: bool,
        schema_choices: Vec<super::Choice>,
        properties: &Value,
    ) -> FieldSpec {
        let widget = Widget::for_type(&field_type);
        let choices: Vec<FieldOption> = schema_choices
            .into_iter()
            .map(|c| match widget {
                // A partner choice is `{code: <directory id>, value: <name>}`.
                Widget::Partner => FieldOption {
                    value: c.code.unwrap_or_else(|| c.value.clone()),
                    label: c.value,
                    detail: None,
                },
                _ => FieldOption::plain(c.value),
            })
            .collect();
        let choices_source = match widget {
            Widget::User | Widget::Users => Some(ChoicesSource::Users),
            Widget::Partner if choices.is_empty() => Some(ChoicesSource::Partners),
            Widget::Tags => Some(ChoicesSource::Tags),
            _ => None,
        };
        let unit = match widget {
            Widget::Percent => Some("%".to_owned()),
            Widget::Currency | Widget::Measure | Widget::Weight => UNIT_PROPERTIES
                .iter()
                .find_map(|key| property(properties, key)?.as_str())
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned),
            _ => None,
        };
        FieldSpec {
            field_id: field_id.to_owned(),
            label: if name.trim().is_empty() {
                field_id.to_owned()
            } else {
                name.to_owned()
            },
            filter: FilterSpec::for_type(&field_type),
            editable: widget.is_editable() && !SERVER_MANAGED_FIELDS.contains(&field_id),
            field_type,
            widget,
            required,
            choices,
            choices_source,
            unit,
            multi: widget.is_multi(),
        }
    }

    /// The server's value as this field's widget value (see `Widget`). Never fails: a value of
    /// an unexpected shape reads as empty, and stays untouched unless the user edits the field.
    pub fn decode(&self, server: &Value) -> Value {
        field_values::decode(self.widget, server)
    }

    /// The widget value as the API takes it, in the SDKs' value shapes. Refuses read-only
    /// fields, input that does not fit, values outside the schema's choices and an empty
    /// required field, with a message naming the field.
    pub fn encode(&self, widget_value: &Value) -> Result<Value> {
        self.encode_like(widget_value, &Value::Null)
    }

    /// What to send for this field after an edit: `None` when the widget value is what the
    /// server's value already reads as (so an unedited field is never rewritten), otherwise
    /// the encoded value in the shape the server sent (e.g. `true` stays a boolean, a `Date`
    /// sent as a plain day stays a plain day).
    pub fn encode_change(&self, widget_value: &Value, server: &Value) -> Result<Option<Value>> {
        let current = self.decode(server);
        if *widget_value == current {
            return Ok(None);
        }
        let encoded = self.encode_like(widget_value, server)?;
        Ok((self.decode(&encoded) != current).then_some(encoded))
    }

    fn encode_like(&self, widget_value: &Value, server: &Value) -> Result<Value> {
        if !self.editable {
            return Err(
                self.refusal("is read-only: BeProduct fills it in, so it cannot be changed here")
            );
        }
        let value =
            field_values::encode(self, widget_value, server).map_err(|why| self.refusal(&why))?;
        if self.required && field_values::is_empty(&value) {
            return Err(self.refusal("is required; fill it in before saving"));
        }
        self.check_choices(&value)?;
        Ok(value)
    }

    /// The API answers 200 but silently blanks a value outside the choices, so it is refused
    /// here instead, naming the allowed values.
    fn check_choices(&self, value: &Value) -> Result<()> {
        let checked = match self.widget {
            Widget::Select | Widget::MultiSelect => true,
            Widget::Partner => self.choices_source.is_none(),
            _ => false,
        };
        if !checked || self.choices.is_empty() {
            return Ok(());
        }
        let picked: Vec<&str> = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::Object(partner) => partner
                .get("code")
                .and_then(Value::as_str)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        match picked
            .into_iter()
            .filter(|p| !p.is_empty())
            .find(|p| !self.choices.iter().any(|c| c.value == *p))
        {
            Some(bad) => Err(self.refusal(&format!(
                "takes one of the allowed values ({}); got {bad:?}",
                list_choices(&self.choices)
            ))),
            None => Ok(()),
        }
    }

    /// The option with this stored value, if the field lists it.
    pub(crate) fn option(&self, value: &str) -> Option<&FieldOption> {
        self.choices.iter().find(|c| c.value == value)
    }

    pub(crate) fn refusal(&self, why: &str) -> Error {
        Error::InvalidInput(format!("{} ({}) {why}", self.label, self.field_id))
    }
}

/// A property by name, in the server's casing or camelCase.
fn property<'a>(properties: &'a Value, key: &str) -> Option<&'a Value> {
    properties
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The allowed values for an error message; long lists are cut short.
fn list_choices(choices: &[FieldOption]) -> String {
    const SHOWN: usize = 20;
    let mut text = choices
        .iter()
        .take(SHOWN)
        .map(|c| format!("{:?}", c.label))
        .collect::<Vec<_>>()
        .join(", ");
    if choices.len() > SHOWN {
        text.push_str(&format!(" and {} more", choices.len() - SHOWN));
    }
    text
}
