//! Search filters for `POST Image/Headers`: `{field, operator, value, type?}`, combined with
//! AND. Which filters a schema field offers, and how a UI filter becomes these, is in
//! `filter_spec`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use super::field_values::iso;

/// Joins the values of a multi-value filter on the wire (U+25A0 BLACK SQUARE).
pub const MULTI_VALUE_SEPARATOR: char = '■';

/// System fields the API filters on besides the schema's own field ids.
pub const FIELD_HEADER_NUMBER: &str = "header_number";
pub const FIELD_MODIFIED_AT: &str = "ModifiedAt";
pub const FIELD_FOLDER_MODIFIED_AT: &str = "FolderModifiedAt";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
}

/// How the server should compare a filter's value: the Python SDK passes `type` on when it
/// is one of these (`helpers/parsers.py`), and the client sets it from the field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterType {
    Date,
    Number,
    Boolean,
}

/// One value, or several that the API ORs within this filter (joined with `■`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    One(String),
    Many(Vec<String>),
}

impl FilterValue {
    pub fn to_wire(&self) -> String {
        match self {
            FilterValue::One(v) => v.clone(),
            FilterValue::Many(vs) => {
                let sep = MULTI_VALUE_SEPARATOR.to_string();
                vs.join(&sep)
            }
        }
    }
}

impl Serialize for FilterValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl From<&str> for FilterValue {
    fn from(v: &str) -> Self {
        FilterValue::One(v.to_owned())
    }
}

impl From<String> for FilterValue {
    fn from(v: String) -> Self {
        FilterValue::One(v)
    }
}

impl From<Vec<String>> for FilterValue {
    fn from(v: Vec<String>) -> Self {
        FilterValue::Many(v)
    }
}

impl From<Vec<&str>> for FilterValue {
    fn from(v: Vec<&str>) -> Self {
        FilterValue::Many(v.into_iter().map(str::to_owned).collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub field: String,
    pub operator: Operator,
    pub value: FilterValue,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<FilterType>,
}

impl Filter {
    pub fn new(
        field: impl Into<String>,
        operator: Operator,
        value: impl Into<FilterValue>,
    ) -> Self {
        Filter {
            field: field.into(),
            operator,
            value: value.into(),
            value_type: None,
        }
    }
    /// The same filter, compared as `value_type`.
    pub fn typed(self, value_type: FilterType) -> Self {
        Filter {
            value_type: Some(value_type),
            ..self
        }
    }
    pub fn eq(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Eq, value)
    }
    pub fn neq(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Neq, value)
    }
    pub fn gt(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Gt, value)
    }
    pub fn gte(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Gte, value)
    }
    pub fn lt(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Lt, value)
    }
    pub fn lte(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Lte, value)
    }
    pub fn contains(field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::new(field, Operator::Contains, value)
    }
    /// `Eq` on the image number.
    pub fn header_number(number: impl Into<String>) -> Self {
        Self::eq(FIELD_HEADER_NUMBER, number.into())
    }
    /// Images modified after `at` (`ModifiedAt Gt`).
    pub fn modified_after(at: DateTime<Utc>) -> Self {
        Self::gt(FIELD_MODIFIED_AT, iso(at)).typed(FilterType::Date)
    }
    /// Images modified before `at` (`ModifiedAt Lt`).
    pub fn modified_before(at: DateTime<Utc>) -> Self {
        Self::lt(FIELD_MODIFIED_AT, iso(at)).typed(FilterType::Date)
    }
    /// Images whose folder was modified after `at` (`FolderModifiedAt Gt`).
    pub fn folder_modified_after(at: DateTime<Utc>) -> Self {
        Self::gt(FIELD_FOLDER_MODIFIED_AT, iso(at)).typed(FilterType::Date)
    }
}

/// What to search for: a folder (or all folders) and filters combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub folder_id: Option<String>,
    pub filters: Vec<Filter>,
}

impl SearchQuery {
    /// All images of all folders.
    pub fn all() -> Self {
        Self::default()
    }

    pub fn in_folder(folder_id: impl Into<String>) -> Self {
        SearchQuery {
            folder_id: Some(folder_id.into()),
            filters: Vec::new(),
        }
    }

    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// The JSON body: `{"filters":[...],"colorwayFilters":null}`.
    pub(crate) fn body(&self) -> serde_json::Value {
        serde_json::json!({ "filters": self.filters, "colorwayFilters": null })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn body_matches_the_sdk_wire_shape() {
        let q = SearchQuery::in_folder("f")
            .filter(Filter::header_number("IMG-001"))
            .filter(Filter::eq("season", vec!["Fall", "Spring"]))
            .filter(Filter::modified_after(
                Utc.with_ymd_and_hms(2026, 5, 26, 1, 2, 3).unwrap(),
            ));
        let body = serde_json::to_string(&q.body()).unwrap();
        assert_eq!(
            body,
            r#"{"colorwayFilters":null,"filters":[{"field":"header_number","operator":"Eq","value":"IMG-001"},{"field":"season","operator":"Eq","value":"Fall■Spring"},{"field":"ModifiedAt","operator":"Gt","type":"Date","value":"2026-05-26T01:02:03.000Z"}]}"#
        );
    }

    #[test]
    fn every_operator_has_its_wire_name() {
        let ops = [
            (Filter::eq("a", "1"), "Eq"),
            (Filter::neq("a", "1"), "Neq"),
            (Filter::gt("a", "1"), "Gt"),
            (Filter::gte("a", "1"), "Gte"),
            (Filter::lt("a", "1"), "Lt"),
            (Filter::lte("a", "1"), "Lte"),
            (Filter::contains("a", "1"), "Contains"),
        ];
        for (f, name) in ops {
            assert_eq!(serde_json::to_value(&f).unwrap()["operator"], name);
        }
    }

    #[test]
    fn filters_from_ui_json_accept_strings_and_lists() {
        let f: Filter =
            serde_json::from_str(r#"{"field":"tags","operator":"Contains","value":["a","b"]}"#)
                .unwrap();
        assert_eq!(f.value, FilterValue::Many(vec!["a".into(), "b".into()]));
        assert_eq!(f.value.to_wire(), "a■b");
        let f: Filter =
            serde_json::from_str(r#"{"field":"x","operator":"Lte","value":"5"}"#).unwrap();
        assert_eq!(f, Filter::lte("x", "5"));
    }
}
