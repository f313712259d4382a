//! Every field type: its descriptor, reading the server's value into the widget value and
//! writing a widget value back, including empty, null and unknown values.

use serde_json::{json, Value};

use super::*;

fn field(field_type: &str) -> FieldSpec {
    field_with(field_type, json!({}))
}

fn field_with(field_type: &str, properties: Value) -> FieldSpec {
    let schema: SchemaField = serde_json::from_value(json!({
        "fieldId": "f", "fieldName": "F", "fieldType": field_type,
        "required": false, "properties": properties
    }))
    .unwrap();
    schema.spec()
}

/// `server` reads as `widget`, and an unedited field is never sent back.
fn reads(spec: &FieldSpec, server: Value, widget: Value) {
    assert_eq!(
        spec.decode(&server),
        widget,
        "{} reading {server}",
        spec.field_type
    );
    assert_eq!(
        spec.encode_change(&widget, &server).unwrap(),
        None,
        "{} rewrote an unedited {server}",
        spec.field_type
    );
}

/// Editing to `widget` (from `server`) sends `api`; reading `api` back and saving again sends
/// the same, and once saved, reading it and not editing sends nothing.
fn writes(spec: &FieldSpec, server: Value, widget: Value, api: Value) {
    let sent = spec.encode_change(&widget, &server).unwrap();
    assert_eq!(
        sent,
        Some(api.clone()),
        "{} writing {widget}",
        spec.field_type
    );
    let read_back = spec.decode(&api);
    assert_eq!(
        spec.encode_change(&read_back, &server).unwrap(),
        Some(api.clone())
    );
    assert_eq!(spec.encode_change(&read_back, &api).unwrap(), None);
}

fn refused(spec: &FieldSpec, widget: Value) -> String {
    let err = spec.encode(&widget).unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    err.to_string()
}

#[test]
fn text_memo_and_combo_take_any_text() {
    let text = field("Text");
    assert_eq!(
        (text.widget, text.editable, text.multi),
        (Widget::Text, true, false)
    );
    reads(&text, json!("Front"), json!("Front"));
    writes(&text, json!("Front"), json!("Back"), json!("Back"));
    assert_eq!(text.encode(&json!(12)).unwrap(), json!("12"));
    reads(&field("Memo"), json!("a\nb"), json!("a\nb"));

    let combo = field_with(
        "ComboBox",
        json!({"Choices": [{"id": "1", "code": "C", "value": "Cotton"}]}),
    );
    assert_eq!(combo.widget, Widget::Combo);
    assert_eq!(combo.choices, [FieldOption::plain("Cotton")]);
    // Free text: the choices are suggestions only.
    writes(&combo, json!("Cotton"), json!("Silk"), json!("Silk"));
}

#[test]
fn select_takes_one_of_its_choices() {
    let select = field_with(
        "DropDown",
        json!({"Choices": [{"id": "0c1", "code": "SP", "value": "Spring"}, {"id": "9a2", "code": "FA", "value": "Fall"}]}),
    );
    assert_eq!(select.widget, Widget::Select);
    reads(&select, json!("Spring"), json!("Spring"));
    writes(&select, json!("Spring"), json!("Fall"), json!("Fall"));
    let why = refused(&select, json!("Winter"));
    assert!(
        why.contains(r#"got "Winter""#) && why.contains(r#""Spring", "Fall""#),
        "{why}"
    );
    // A stored value outside the choices stays as it is unless it is changed.
    reads(&select, json!("Legacy"), json!("Legacy"));
    // Radio is a select too.
    assert_eq!(field("Radio").widget, Widget::Select);
}

#[test]
fn multi_select_and_tags_are_lists() {
    let multi = field_with("MultiSelect", json!({"Choices": ["Red", "Blue"]}));
    assert_eq!((multi.widget, multi.multi), (Widget::MultiSelect, true));
    reads(&multi, json!(["Red"]), json!(["Red"]));
    writes(
        &multi,
        json!(["Red"]),
        json!(["Red", "Blue"]),
        json!(["Red", "Blue"]),
    );
    // The API blanks a bare string, so text is sent as a list.
    assert_eq!(
        multi.encode(&json!("Red■Blue")).unwrap(),
        json!(["Red", "Blue"])
    );
    assert!(refused(&multi, json!(["Green"])).contains("Green"));
    assert!(refused(&multi, json!([1])).contains("list of text"));

    let tags = field("Tags");
    assert_eq!(
        (tags.widget, tags.choices_source),
        (Widget::Tags, Some(ChoicesSource::Tags))
    );
    reads(
        &tags,
        json!(["summer", "prints"]),
        json!(["summer", "prints"]),
    );
    writes(
        &tags,
        json!(["summer"]),
        json!(["summer", " new ", "summer"]),
        json!(["summer", "new"]),
    );
}

#[test]
fn users_write_the_user_id_or_the_shape_the_server_sent() {
    let user = field("Users");
    assert_eq!(
        (user.widget, user.choices_source),
        (Widget::User, Some(ChoicesSource::Users))
    );
    let id = "b7aff40a-59ab-4c0b-9ff1-730a86468480";
    reads(&user, json!(id), json!({"value": id, "label": id}));
    writes(
        &user,
        json!(id),
        json!({"value": "u2", "label": "Bea"}),
        json!("u2"),
    );
    writes(&user, Value::Null, json!("u2"), json!("u2"));
    // Read as `{id, name}` (reported by another integration): written back the same way.
    reads(
        &user,
        json!({"id": "u1", "name": "Ann"}),
        json!({"value": "u1", "label": "Ann"}),
    );
    writes(
        &user,
        json!({"id": "u1", "name": "Ann"}),
        json!({"value": "u2", "label": "Bea"}),
        json!({"id": "u2", "name": "Bea"}),
    );
    writes(&user, json!(id), Value::Null, Value::Null);
}

#[test]
fn users_tags_are_value_and_code_pairs() {
    let users = field("UsersTags");
    assert_eq!((users.widget, users.multi), (Widget::Users, true));
    reads(
        &users,
        json!([{"value": "Ann", "code": "u1"}]),
        json!([{"value": "u1", "label": "Ann"}]),
    );
    writes(
        &users,
        json!([{"value": "Ann", "code": "u1"}]),
        json!([{"value": "u1", "label": "Ann"}, {"value": "u2", "label": "Bea"}, "u2"]),
        json!([{"value": "Ann", "code": "u1"}, {"value": "Bea", "code": "u2"}]),
    );
}

#[test]
fn partners_are_value_code_text_and_checked_against_the_schema_choices() {
    let partner = field_with(
        "PartnerDropDown",
        json!({"Choices": [{"code": "dir-1", "value": "Factory A"}, {"code": "dir-2", "value": "Factory B"}]}),
    );
    assert_eq!(partner.widget, Widget::Partner);
    assert_eq!(partner.choices_source, None);
    assert_eq!(partner.choices[1].value, "dir-2");
    assert_eq!(partner.choices[1].label, "Factory B");
    let sent = json!({"value": "Factory A", "code": "dir-1", "text": "Factory A"});
    reads(
        &partner,
        sent.clone(),
        json!({"value": "dir-1", "label": "Factory A"}),
    );
    // A plain value gets its label from the choices.
    writes(
        &partner,
        sent,
        json!("dir-2"),
        json!({"value": "Factory B", "code": "dir-2", "text": "Factory B"}),
    );
    assert!(refused(&partner, json!("dir-9")).contains(r#"got "dir-9""#));
    // `{code, value}` as sent by other integrations stays in that shape.
    writes(
        &partner,
        json!({"code": "dir-1", "value": "Factory A"}),
        json!("dir-2"),
        json!({"value": "Factory B", "code": "dir-2"}),
    );
    // Without schema choices the partners come from the directory.
    assert_eq!(
        field("PartnerDropDown").choices_source,
        Some(ChoicesSource::Partners)
    );
}

#[test]
fn yes_no_fields_keep_the_servers_form_and_are_not_inverted() {
    let flag = field("TrueFalse");
    assert_eq!(flag.widget, Widget::Bool);
    reads(&flag, json!("Yes"), json!(true));
    writes(&flag, json!("Yes"), json!(false), json!("No"));
    writes(&flag, Value::Null, json!("yes"), json!("Yes"));
    writes(&flag, json!(true), json!(false), json!(false));
    assert!(refused(&flag, json!("maybe")).contains("Yes or No"));
    let inverted = field("InvertedTrueFalse");
    reads(&inverted, json!("No"), json!(false));
    writes(&inverted, json!("No"), json!(true), json!("Yes"));
}

#[test]
fn dates_are_days_and_date_times_are_utc_instants() {
    let date = field("Date");
    // The day as written; the time the server keeps is untouched unless the day changes.
    reads(
        &date,
        json!("2026-03-09T17:47:12.849Z"),
        json!("2026-03-09"),
    );
    writes(
        &date,
        json!("2026-03-09T17:47:12.849Z"),
        json!("2026-03-10"),
        json!("2026-03-10T00:00:00.000Z"),
    );
    writes(
        &date,
        json!("2026-03-09"),
        json!("2026-03-10"),
        json!("2026-03-10"),
    );
    assert!(refused(&date, json!("09/03/2026")).contains("2026-05-26"));

    let at = field("DateTime");
    reads(
        &at,
        json!("2026-03-09T17:47:12.849Z"),
        json!("2026-03-09T17:47:12.849Z"),
    );
    reads(
        &at,
        json!("2026-03-09T19:47:12+02:00"),
        json!("2026-03-09T17:47:12.000Z"),
    );
    writes(
        &at,
        Value::Null,
        json!("2026-05-26T10:00:00+02:00"),
        json!("2026-05-26T08:00:00.000Z"),
    );
    assert!(refused(&at, json!("2026-05-26T10:00")).contains("with its zone"));
}

#[test]
fn numbers_stay_numbers_with_their_unit() {
    let int = field("Number");
    assert_eq!(int.widget, Widget::Integer);
    reads(&int, json!(3), json!(3));
    reads(&int, json!(7.0), json!(7));
    reads(&int, json!("4"), json!(4));
    writes(&int, json!(3), json!("42"), json!(42));
    assert!(refused(&int, json!("1.5")).contains("whole number"));
    assert!(refused(&int, json!("abc")).contains(r#"got "abc""#));

    let dec = field("Decimal");
    reads(&dec, json!(1.5), json!(1.5));
    writes(&dec, json!(1.5), json!("2.25"), json!(2.25));
    assert!(refused(&dec, json!("ten")).contains("number"));

    let pct = field("Percent");
    assert_eq!(
        (pct.widget, pct.unit.as_deref()),
        (Widget::Percent, Some("%"))
    );
    writes(&pct, json!(12), json!("15%"), json!(15));

    let money = field_with("Currency", json!({"CurrencySymbol": "USD"}));
    assert_eq!(
        (money.widget, money.unit.as_deref()),
        (Widget::Currency, Some("USD"))
    );
    reads(&money, json!(9.99), json!(9.99));
    let length = field_with("Measure", json!({"unit": "cm"}));
    assert_eq!(
        (length.widget, length.unit.as_deref()),
        (Widget::Measure, Some("cm"))
    );
    let weight = field("Weight");
    assert_eq!(
        (weight.widget, weight.unit.as_deref()),
        (Widget::Weight, None)
    );
    writes(&weight, Value::Null, json!(0.25), json!(0.25));
}

#[test]
fn colors_are_shown_as_a_swatch_and_never_written() {
    let color = field("ColorDropDown");
    assert_eq!((color.widget, color.editable), (Widget::Color, false));
    let sent =
        json!({"Id": "57a4", "hex": "ff86ab", "rgb_r": 255, "suggested_name": "Luminous Peach"});
    reads(
        &color,
        sent.clone(),
        json!({"hex": "#ff86ab", "label": "Luminous Peach"}),
    );
    assert!(refused(&color, json!({"hex": "#000000", "label": "Black"})).contains("read-only"));
    reads(&color, Value::Null, Value::Null);
}

#[test]
fn computed_structured_and_unknown_types_are_read_only_text() {
    let cases = [
        (
            "UserLabel",
            json!("jdoe @ 5/26/2026 1:45:28 AM"),
            "jdoe @ 5/26/2026 1:45:28 AM",
        ),
        ("LabelText", json!("S1 - 2027"), "S1 - 2027"),
        ("LabelSize", json!("28-35"), "28-35"),
        ("LabelMaterial", Value::Null, ""),
        ("LabelStyleGroup", json!("Denim"), "Denim"),
        ("Label3dMaterial", json!(false), "false"),
        ("Label3dStyle", json!("x"), "x"),
        ("LabelMaterialColor", json!("Indigo"), "Indigo"),
        ("FormulaField", json!(4), "4"),
        ("Auto", json!("IMG-0042"), "IMG-0042"),
        ("Hidden", json!({"a": 1}), r#"{"a":1}"#),
        (
            "CompositeControl",
            json!([{"code": "Cotton", "value": 60}, {"code": "Elastane", "value": 40}]),
            "Cotton 60, Elastane 40",
        ),
        (
            "ColorwayField",
            json!({"Id": "c", "color_name": "Red"}),
            r#"{"Id":"c","color_name":"Red"}"#,
        ),
        ("MultiSelectBOMVariation", json!(["v1", "v2"]), "v1, v2"),
        ("ImageColor", json!({"name": "Front"}), "Front"),
        ("SomethingNew", json!({"code": "x"}), "x"),
    ];
    for (field_type, server, shown) in cases {
        let spec = field(field_type);
        assert_eq!(
            (spec.widget, spec.editable),
            (Widget::ReadOnly, false),
            "{field_type}"
        );
        reads(&spec, server.clone(), json!(shown));
        assert!(
            refused(&spec, json!("changed")).contains("read-only"),
            "{field_type}"
        );
        let changed = spec.encode_change(&json!("changed"), &server);
        assert!(changed.is_err(), "{field_type} would send a changed value");
    }
    assert_eq!(
        field("SomethingNew").field_type,
        FieldType::Other("SomethingNew".into())
    );
}

#[test]
fn empty_values_read_as_empty_and_are_never_rewritten() {
    let all = [
        "Text",
        "Memo",
        "ComboBox",
        "DropDown",
        "Radio",
        "MultiSelect",
        "Tags",
        "Users",
        "UsersTags",
        "PartnerDropDown",
        "TrueFalse",
        "InvertedTrueFalse",
        "Date",
        "DateTime",
        "Number",
        "Decimal",
        "Percent",
        "Currency",
        "Measure",
        "Weight",
        "ColorDropDown",
        "UserLabel",
        "FormulaField",
        "CompositeControl",
        "SomethingNew",
    ];
    for field_type in all {
        let spec = field(field_type);
        for empty in [Value::Null, json!(""), json!([])] {
            let widget = spec.decode(&empty);
            assert_eq!(
                spec.encode_change(&widget, &empty).unwrap(),
                None,
                "{field_type} {empty}"
            );
        }
        if spec.editable {
            // Clearing an optional field is allowed and sends the field's empty value.
            let cleared = spec.encode(&spec.decode(&Value::Null)).unwrap();
            assert!(
                super::field_values::is_empty(&cleared),
                "{field_type}: {cleared}"
            );
        }
    }
}

#[test]
fn server_managed_required_and_read_only_fields() {
    for id in [
        "created_by",
        "modified_by",
        "version",
        "created_at",
        "modified_at",
    ] {
        let schema: SchemaField =
            serde_json::from_value(json!({"fieldId": id, "fieldName": id, "fieldType": "Text"}))
                .unwrap();
        assert!(!schema.spec().editable && schema.is_read_only(), "{id}");
    }
    let locked: SchemaField = serde_json::from_value(
        json!({"fieldId": "x", "fieldName": "X", "fieldType": "Text", "properties": {"ReadOnly": true}}),
    )
    .unwrap();
    assert!(locked.is_read_only());

    let required: SchemaField = serde_json::from_value(
        json!({"fieldId": "header_name", "fieldName": "Image Name", "fieldType": "Text", "required": true}),
    )
    .unwrap();
    let err = required.encode(&json!("  ")).unwrap_err();
    assert!(
        err.to_string()
            .contains("Image Name (header_name) is required"),
        "{err}"
    );
    assert_eq!(required.encode(&json!("Front")).unwrap(), json!("Front"));
}

#[test]
fn header_fields_without_a_schema_entry_get_a_spec_from_their_own_type() {
    let f: HeaderField = serde_json::from_value(
        json!({"id": "designer", "name": "DESIGNER", "value": null, "type": "Users", "required": false}),
    )
    .unwrap();
    let spec = FieldSpec::from_header_field(&f);
    assert_eq!(
        (spec.label.as_str(), spec.widget),
        ("DESIGNER", Widget::User)
    );
    let untyped: HeaderField = serde_json::from_value(json!({"id": "x", "value": 1})).unwrap();
    let spec = FieldSpec::from_header_field(&untyped);
    assert_eq!((spec.label.as_str(), spec.widget), ("x", Widget::ReadOnly));
}

#[test]
fn the_descriptor_json_is_the_ui_contract() {
    let select = field_with("DropDown", json!({"Choices": ["Spring"]}));
    assert_eq!(
        serde_json::to_value(&select).unwrap(),
        json!({
            "fieldId": "f", "label": "F", "fieldType": "DropDown", "widget": "select",
            "editable": true, "required": false, "choices": [{"value": "Spring", "label": "Spring"}],
            "multi": false,
            "filter": {"operators": ["in", "notIn", "isEmpty", "isNotEmpty"], "defaultOperator": "in", "valueKind": "options"}
        })
    );
    let names: Vec<Value> = [
        Widget::MultiSelect,
        Widget::DateTime,
        Widget::ReadOnly,
        Widget::User,
        Widget::Users,
        Widget::Partner,
    ]
    .iter()
    .map(|w| serde_json::to_value(w).unwrap())
    .collect();
    assert_eq!(
        names,
        [
            json!("multiSelect"),
            json!("dateTime"),
            json!("readOnly"),
            json!("user"),
            json!("users"),
            json!("partner")
        ]
    );
    let back: FieldSpec = serde_json::from_value(serde_json::to_value(&select).unwrap()).unwrap();
    assert_eq!(back, select);
}

#[test]
fn display_text_shows_any_value_on_one_line() {
    assert_eq!(display_text(&json!(null)), "");
    assert_eq!(
        display_text(&json!({"value": "Factory A", "code": "d1", "text": "Factory A Inc"})),
        "Factory A"
    );
    assert_eq!(display_text(&json!({"name": "Ann", "id": "u1"})), "Ann");
    assert_eq!(
        display_text(&json!([{"value": "Ann", "code": "u1"}, "x"])),
        "Ann, x"
    );
    assert_eq!(display_text(&json!({"k": [1]})), r#"{"k":[1]}"#);
}
