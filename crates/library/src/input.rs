//! Input from callers (the UI's JSON, later the command line), checked with messages that name
//! the bad entry and say what is expected.

use beproduct::{FieldUpdate, FilterOp};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// Largest page the API is asked for.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The page size when the caller does not choose one (the UI's grid shows this many cards).
pub const DEFAULT_PAGE_SIZE: u32 = 60;

/// A checked page request: `size` in 1..=MAX_PAGE_SIZE, `number` from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub size: u32,
    pub number: u32,
}

impl PageRequest {
    pub fn new(size: Option<i64>, number: Option<i64>) -> Result<PageRequest> {
        let size = size.unwrap_or(i64::from(DEFAULT_PAGE_SIZE));
        if !(1..=i64::from(MAX_PAGE_SIZE)).contains(&size) {
            return Err(Error::invalid_input(format!(
                "pageSize must be between 1 and {MAX_PAGE_SIZE}, got {size}"
            )));
        }
        let number = number.unwrap_or(0);
        if number < 0 || number > i64::from(u32::MAX) {
            return Err(Error::invalid_input(format!(
                "pageNumber must be 0 or more, got {number}"
            )));
        }
        Ok(PageRequest {
            size: size as u32,
            number: number as u32,
        })
    }

    /// How many items come before this page.
    pub fn offset(&self) -> usize {
        self.size as usize * self.number as usize
    }
}

/// A filter as the user picks it: a field, one of the operators its `FilterSpec` offers, the
/// value, and for a date the user's offset from UTC on that day (minutes east, e.g. 120 for
/// CEST), so a day means the user's whole day.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PickedFilter {
    pub field: String,
    pub op: FilterOp,
    #[serde(default)]
    pub value: Value,
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

/// `[{field, op, value, utcOffsetMinutes?}]`, with a message naming the bad entry.
pub fn filters_from_json(raw: Vec<Value>) -> Result<Vec<PickedFilter>> {
    each(
        raw,
        "Filter",
        "{field, op, value} with op one of contains, is, isNot, isEmpty, isNotEmpty, gt, gte, \
         lt, lte, in, notIn",
        |f: &PickedFilter| {
            f.field
                .trim()
                .is_empty()
                .then_some("has no field; choose one.")
        },
    )
}

/// `[{id, value}]`; ids are schema field ids such as `header_name`.
pub fn fields_from_json(raw: Vec<Value>) -> Result<Vec<FieldUpdate>> {
    each(raw, "Field", "{id, value}", |f: &FieldUpdate| {
        f.id.trim().is_empty().then_some("has an empty id.")
    })
}

/// Reads every entry of `raw` as a `T`; a refusal names the entry (`Filter 2 …`), says what
/// was expected, or what `problem` found wrong with it.
fn each<T: DeserializeOwned>(
    raw: Vec<Value>,
    what: &str,
    expected: &str,
    problem: impl Fn(&T) -> Option<&'static str>,
) -> Result<Vec<T>> {
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let n = i + 1;
            let item: T = serde_json::from_value(v).map_err(|e| {
                Error::invalid_input(format!(
                    "{what} {n} is not valid ({e}). Expected {expected}."
                ))
            })?;
            match problem(&item) {
                Some(problem) => Err(Error::invalid_input(format!("{what} {n} {problem}"))),
                None => Ok(item),
            }
        })
        .collect()
}

/// IDs go into URL paths, so only the hyphenated GUID form is accepted (the client's rule).
pub fn require_guid(what: &str, id: &str) -> Result<()> {
    beproduct::validate_guid(what, id)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_requests_are_bounded() {
        assert_eq!(
            PageRequest::new(None, None).unwrap(),
            PageRequest {
                size: DEFAULT_PAGE_SIZE,
                number: 0
            }
        );
        assert_eq!(PageRequest::new(Some(5), Some(3)).unwrap().offset(), 15);
        for (size, number) in [(0, 0), (201, 0), (-1, 0), (10, -1)] {
            let e = PageRequest::new(Some(size), Some(number)).unwrap_err();
            assert_eq!(
                e.kind(),
                beproduct::ErrorKind::InvalidInput,
                "{size} {number}"
            );
        }
    }

    #[test]
    fn bad_entries_are_named() {
        let e = filters_from_json(vec![json!({"field": "season", "op": "like", "value": "x"})])
            .unwrap_err();
        assert!(e.to_string().starts_with("Filter 1 is not valid"), "{e}");
        let e =
            filters_from_json(vec![json!({"field": " ", "op": "is", "value": "x"})]).unwrap_err();
        assert_eq!(e.to_string(), "Filter 1 has no field; choose one.");
        let ok = filters_from_json(vec![
            json!({"field": "shoot_date", "op": "gte", "value": "2026-05-26", "utcOffsetMinutes": 120}),
        ])
        .unwrap();
        assert_eq!(ok[0].op, FilterOp::Gte);
        assert_eq!(ok[0].utc_offset_minutes, 120);
        let e = fields_from_json(vec![json!({"id": "a", "value": 1}), json!({"value": 1})])
            .unwrap_err();
        assert!(e.to_string().starts_with("Field 2 is not valid"), "{e}");
        let ok = fields_from_json(vec![json!({"id": "header_name", "value": "n"})]).unwrap();
        assert_eq!(ok, vec![FieldUpdate::new("header_name", "n")]);
    }

    #[test]
    fn guid_check() {
        assert!(require_guid("id", "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe").is_ok());
        for bad in [
            "",
            "../x",
            "a5ca8dfe4ff84549b54d2e1bbce514fe",
            "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f/",
        ] {
            assert_eq!(
                require_guid("id", bad).unwrap_err().kind(),
                beproduct::ErrorKind::InvalidInput
            );
        }
    }
}
