//! Filters: which operators each field type offers and the wire filters a UI filter becomes.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::*;

fn field(field_type: &str) -> FieldSpec {
    let schema: SchemaField =
        serde_json::from_value(json!({"fieldId": "f", "fieldName": "F", "fieldType": field_type}))
            .unwrap();
    schema.spec()
}

/// The wire JSON of the filters for `op` and `value` (UTC+02:00 for dates).
fn wire(field_type: &str, op: FilterOp, value: Value) -> Value {
    let filters = field(field_type).search_filters(op, &value, 120).unwrap();
    serde_json::to_value(filters).unwrap()
}

fn refusal(field_type: &str, op: FilterOp, value: Value) -> String {
    let err = field(field_type).search_filters(op, &value, 0).unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    err.to_string()
}

#[test]
fn operators_per_field_type() {
    let ops = |t: &str| field(t).filter.map(|f| (f.operators, f.value_kind));
    use FilterOp::*;
    assert_eq!(
        ops("Text"),
        Some((
            vec![Contains, Is, IsNot, IsEmpty, IsNotEmpty],
            FilterValueKind::Text
        ))
    );
    assert_eq!(
        ops("Number"),
        Some((
            vec![Is, IsNot, Gt, Gte, Lt, Lte, IsEmpty, IsNotEmpty],
            FilterValueKind::Integer
        ))
    );
    assert_eq!(ops("Currency").unwrap().1, FilterValueKind::Decimal);
    assert_eq!(
        ops("DateTime"),
        Some((
            vec![Is, Gt, Gte, Lt, Lte, IsEmpty, IsNotEmpty],
            FilterValueKind::Date
        ))
    );
    assert_eq!(ops("TrueFalse"), Some((vec![Is], FilterValueKind::Bool)));
    for picks in [
        "DropDown",
        "MultiSelect",
        "Tags",
        "Users",
        "UsersTags",
        "PartnerDropDown",
        "CompositeControl",
    ] {
        assert_eq!(
            ops(picks),
            Some((
                vec![In, NotIn, IsEmpty, IsNotEmpty],
                FilterValueKind::Options
            )),
            "{picks}"
        );
    }
    assert_eq!(field("Text").filter.unwrap().default_operator, Contains);
    assert_eq!(ops("SomethingNew"), None);
    assert_eq!(ops("Hidden"), None);
}

#[test]
fn text_number_and_bool_filters() {
    assert_eq!(
        wire("Text", FilterOp::Contains, json!(" tee ")),
        json!([{"field": "f", "operator": "Contains", "value": "tee"}])
    );
    assert_eq!(
        wire("Memo", FilterOp::IsNot, json!("x")),
        json!([{"field": "f", "operator": "Neq", "value": "x"}])
    );
    assert_eq!(
        wire("Number", FilterOp::Gte, json!(5)),
        json!([{"field": "f", "operator": "Gte", "value": "5", "type": "Number"}])
    );
    assert_eq!(
        wire("Decimal", FilterOp::Lt, json!("2.5")),
        json!([{"field": "f", "operator": "Lt", "value": "2.5", "type": "Number"}])
    );
    assert_eq!(
        wire("TrueFalse", FilterOp::Is, json!("Yes")),
        json!([{"field": "f", "operator": "Eq", "value": "true", "type": "Boolean"}])
    );
    assert!(refusal("Number", FilterOp::Is, json!("1.5")).contains("whole number"));
    assert!(refusal("Decimal", FilterOp::Is, json!("ten")).contains("a number"));
    assert!(refusal("Text", FilterOp::Contains, json!("  ")).contains("some text"));
    assert!(refusal("TrueFalse", FilterOp::Is, json!("maybe")).contains("Yes or No"));
}

#[test]
fn choice_filters_join_their_values() {
    assert_eq!(
        wire("Users", FilterOp::In, json!(["u1", "u2"])),
        json!([{"field": "f", "operator": "Eq", "value": "u1■u2"}])
    );
    assert_eq!(
        wire("DropDown", FilterOp::NotIn, json!("Fall")),
        json!([{"field": "f", "operator": "Neq", "value": "Fall"}])
    );
    assert!(refusal("MultiSelect", FilterOp::In, json!([])).contains("at least one value"));
}

#[test]
fn emptiness_filters_compare_with_nothing_and_carry_no_type() {
    assert_eq!(
        wire("Date", FilterOp::IsEmpty, Value::Null),
        json!([{"field": "f", "operator": "Eq", "value": ""}])
    );
    assert_eq!(
        wire("Users", FilterOp::IsNotEmpty, Value::Null),
        json!([{"field": "f", "operator": "Neq", "value": ""}])
    );
}

#[test]
fn date_filters_cover_whole_days_in_the_users_zone() {
    let (day_start, day_end) = ("2026-05-25T22:00:00.000Z", "2026-05-26T22:00:00.000Z");
    let at = |op: &str, v: &str| json!({"field": "f", "operator": op, "value": v, "type": "Date"});
    assert_eq!(
        wire("Date", FilterOp::Is, json!("2026-05-26")),
        json!([at("Gte", day_start), at("Lt", day_end)])
    );
    assert_eq!(
        wire("DateTime", FilterOp::Gt, json!("2026-05-26")),
        json!([at("Gte", day_end)])
    );
    assert_eq!(
        wire("DateTime", FilterOp::Gte, json!("2026-05-26")),
        json!([at("Gte", day_start)])
    );
    assert_eq!(
        wire("Date", FilterOp::Lt, json!("2026-05-26")),
        json!([at("Lt", day_start)])
    );
    assert_eq!(
        wire("Date", FilterOp::Lte, json!("2026-05-26")),
        json!([at("Lt", day_end)])
    );
    assert!(refusal("Date", FilterOp::Is, json!("26.05.2026")).contains("a day such as"));
}

#[test]
fn whole_days_in_any_offset() {
    let day = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let iso = |(a, b): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)| {
        (a.to_rfc3339(), b.to_rfc3339())
    };
    assert_eq!(
        iso(whole_day_utc(day, -300).unwrap()),
        (
            "2026-01-15T05:00:00+00:00".into(),
            "2026-01-16T05:00:00+00:00".into()
        )
    );
    assert_eq!(
        iso(whole_day_utc(day, 330).unwrap()),
        (
            "2026-01-14T18:30:00+00:00".into(),
            "2026-01-15T18:30:00+00:00".into()
        )
    );
    assert_eq!(
        whole_day_utc(day, 0).unwrap().0.to_rfc3339(),
        "2026-01-15T00:00:00+00:00"
    );
    let err = whole_day_utc(day, 24 * 60).unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

#[test]
fn operators_a_field_does_not_offer_are_refused_by_name() {
    let why = refusal("Number", FilterOp::Contains, json!("1"));
    assert!(
        why.contains("cannot be filtered with contains; use one of: is, isNot, gt"),
        "{why}"
    );
    assert!(
        refusal("Hidden", FilterOp::Is, json!("x")).contains("cannot be used in a search filter")
    );
}

#[test]
fn filters_from_the_ui_keep_an_optional_type() {
    let f: Filter = serde_json::from_str(
        r#"{"field":"ModifiedAt","operator":"Gt","value":"2026-05-26T00:00:00Z","type":"Date"}"#,
    )
    .unwrap();
    assert_eq!(f.value_type, Some(FilterType::Date));
    let f: Filter = serde_json::from_str(r#"{"field":"x","operator":"Eq","value":"1"}"#).unwrap();
    assert_eq!(f.value_type, None);
    assert_eq!(
        serde_json::to_value(f.typed(FilterType::Number)).unwrap()["type"],
        "Number"
    );
}
