//! Property tests of the models' JSON decoding: arbitrary, mutated and truncated JSON never
//! panics, and valid answers round-trip with every unknown key kept.

mod strategies;

use beproduct::models::UploadResponse;
use beproduct::{Folder, ImageHeader, Page, ProcessingStatus, SchemaField};
use proptest::prelude::*;
use serde_json::{json, Value};
use strategies::{arb_bytes, arb_json, byte_mutations, extra_keys, mutate_bytes, mutate_json};

/// Decodes `value` and `text` as every answer type the client reads; only panics can fail this.
fn decode_as_everything(value: &Value, text: &[u8]) {
    let _ = serde_json::from_value::<Vec<Folder>>(value.clone());
    let _ = serde_json::from_value::<Vec<SchemaField>>(value.clone());
    let _ = serde_json::from_value::<ImageHeader>(value.clone());
    let _ = serde_json::from_value::<Page<ImageHeader>>(value.clone());
    let _ = serde_json::from_value::<ProcessingStatus>(value.clone());
    let _ = serde_json::from_value::<UploadResponse>(value.clone());
    let _ = serde_json::from_slice::<Vec<Folder>>(text);
    let _ = serde_json::from_slice::<Vec<SchemaField>>(text);
    let _ = serde_json::from_slice::<ImageHeader>(text);
    let _ = serde_json::from_slice::<Page<ImageHeader>>(text);
    let _ = serde_json::from_slice::<ProcessingStatus>(text);
    let _ = serde_json::from_slice::<UploadResponse>(text);
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        decode_as_everything(&value, value.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in arb_bytes()) {
        decode_as_everything(&Value::Null, &bytes);
    }

    #[test]
    fn mutated_valid_answers_never_panic(
        which in 0usize..strategies::SAMPLES,
        edits in prop::collection::vec((any::<u32>(), arb_json(), 0u8..3), 1..4),
        flips in byte_mutations(),
    ) {
        let mut value = strategies::sample(which);
        mutate_json(&mut value, &edits);
        decode_as_everything(&value, value.to_string().as_bytes());
        let text = mutate_bytes(strategies::sample(which).to_string().into_bytes(), &flips);
        decode_as_everything(&Value::Null, &text);
    }

    #[test]
    fn valid_headers_round_trip_keeping_unknown_keys(
        top in extra_keys(),
        data in extra_keys(),
        field in extra_keys(),
        value in arb_json(),
        name in "\\PC{0,20}",
        preview in prop_oneof![
            Just(Value::Null),
            "\\PC{0,20}".prop_map(Value::from),
            ("\\PC{0,10}", "\\PC{0,10}").prop_map(|(p, o)| json!({"preview": p, "origin": o})),
        ],
    ) {
        let mut header = json!({
            "id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe",
            "headerNumber": "IMG-000001",
            "headerName": name,
            "folder": {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "name": "Prints"},
            "headerData": {
                "fields": [{"id": "season", "name": "Season", "value": value, "type": "DropDown", "required": true}],
                "preview": preview,
                "variations": null
            },
            "files": null,
            "createdBy": {"id": null, "name": "someone"},
            "createdAt": "2026-05-26T01:45:28.554Z",
            "modifiedBy": null,
            "modifiedAt": "2026-05-26T01:45:28.554Z",
            "isDeleted": false
        });
        insert_all(&mut header, &top);
        insert_all(&mut header["headerData"], &data);
        insert_all(&mut header["headerData"]["fields"][0], &field);

        let decoded: ImageHeader = serde_json::from_value(header.clone()).expect("valid header decodes");
        prop_assert_eq!(&decoded.field("season").unwrap().value, &header["headerData"]["fields"][0]["value"]);
        let encoded = serde_json::to_value(&decoded).unwrap();
        for (k, v) in &top {
            prop_assert_eq!(&encoded[k], v, "top-level key {} lost", k);
        }
        for (k, v) in &data {
            prop_assert_eq!(&encoded["headerData"][k], v, "headerData key {} lost", k);
        }
        for (k, v) in &field {
            prop_assert_eq!(&encoded["headerData"]["fields"][0][k], v, "field key {} lost", k);
        }
        let again: ImageHeader = serde_json::from_value(encoded).unwrap();
        prop_assert_eq!(again, decoded);
    }

    #[test]
    fn schema_helpers_never_panic_on_arbitrary_properties(
        field_type in prop_oneof![
            Just("DropDown"), Just("MultiSelect"), Just("Number"), Just("Decimal"), Just("Date"),
            Just("TrueFalse"), Just("Text"), Just("CompositeControl"), Just("FormulaField"), Just("Whatever")
        ],
        properties in arb_json(),
        choices in arb_json(),
        input in arb_json(),
    ) {
        let mut properties = properties;
        if let Value::Object(map) = &mut properties {
            map.insert("Choices".into(), choices);
        }
        let raw = json!({"fieldId": "f", "fieldName": "F", "fieldType": field_type, "properties": properties});
        let field: SchemaField = serde_json::from_value(raw).expect("schema field decodes");
        let _ = field.choices();
        let _ = field.is_read_only();
        if let Err(e) = field.encode(&input) {
            prop_assert_eq!(e.kind(), "invalid_input", "{}", e);
        }
    }
}

fn insert_all(target: &mut Value, extra: &serde_json::Map<String, Value>) {
    let map = target.as_object_mut().expect("an object");
    for (k, v) in extra {
        map.insert(k.clone(), v.clone());
    }
}

#[test]
fn deeply_nested_json_is_a_decode_error_not_a_stack_overflow() {
    let deep = format!(
        "{{\"result\":[{{\"id\":\"a\",\"headerData\":{{\"fields\":[{{\"id\":\"x\",\"value\":{}1{}}}]}}}}],\"total\":1}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(serde_json::from_str::<Page<ImageHeader>>(&deep).is_err());
}
