//! Generators shared by the property tests: arbitrary JSON that often uses the API's own keys,
//! valid sample answers of every endpoint, and structural and byte-level mutations of them.
#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Keys of the API's answers, so random objects often look like the real thing.
const KNOWN_KEYS: [&str; 38] = [
    "id",
    "headerNumber",
    "headerName",
    "folder",
    "headerData",
    "fields",
    "preview",
    "origin",
    "variations",
    "files",
    "createdBy",
    "createdAt",
    "modifiedBy",
    "modifiedAt",
    "isDeleted",
    "value",
    "type",
    "required",
    "name",
    "fieldId",
    "fieldName",
    "fieldType",
    "properties",
    "Choices",
    "active",
    "description",
    "result",
    "total",
    "finished",
    "errorOccured",
    "message",
    "imageId",
    "access_token",
    "expires_in",
    "refresh_token",
    "error",
    "error_description",
    "retryAfterSeconds",
];

pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(&KNOWN_KEYS[..]).prop_map(str::to_owned),
        1 => "\\PC{0,8}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "\\PC{0,16}".prop_map(Value::from),
        key().prop_map(Value::from),
    ]
}

/// Any JSON value, up to 4 levels deep.
pub fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

pub fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

/// Unknown keys (all start with `x`, which no known key does) with arbitrary values.
pub fn extra_keys() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("x[A-Za-z0-9_]{0,8}", arb_json(), 0..4)
        .prop_map(|m| m.into_iter().collect())
}

pub const HEADER_ID: &str = "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe";
pub const FOLDER_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
pub const UPLOAD_ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

pub fn header_sample() -> Value {
    json!({
        "id": HEADER_ID,
        "headerNumber": "IMG-000001",
        "headerName": "Front Print",
        "folder": {"id": FOLDER_ID, "name": "Prints"},
        "headerData": {
            "fields": [
                {"id": "header_number", "name": "Image Number", "value": "IMG-000001", "type": "Text", "required": true},
                {"id": "colors", "name": "Colors", "value": ["Red", "Blue"], "type": "MultiSelect", "required": false},
                {"id": "width_px", "name": "Width (px)", "value": 1200, "type": "Number", "required": false}
            ],
            "preview": {"preview": "http://127.0.0.1/p.png?width=1000", "origin": "http://127.0.0.1/o.png"},
            "variations": null
        },
        "files": null,
        "createdBy": {"id": null, "name": "Sandbox User"},
        "createdAt": "2026-05-26T01:45:28.554Z",
        "modifiedBy": {"id": null, "name": "Sandbox User"},
        "modifiedAt": "2026-05-26T01:45:28.554Z",
        "isDeleted": false
    })
}

/// Number of valid sample answers `sample` knows.
pub const SAMPLES: usize = 7;

/// A valid answer: 0 folders, 1 schema, 2 header, 3 page, 4 processing status, 5 upload, 6 token.
pub fn sample(which: usize) -> Value {
    match which % SAMPLES {
        0 => json!([{"id": FOLDER_ID, "name": "Prints", "description": null, "active": true}]),
        1 => json!([
            {"fieldId": "header_number", "fieldName": "Image Number", "fieldType": "Text", "required": true, "properties": {}},
            {"fieldId": "season", "fieldName": "SEASON", "fieldType": "DropDown", "required": true, "active": true,
             "properties": {"Choices": [{"id": "0c1", "code": "SP", "value": "Spring"}, {"id": "9a2", "code": "FA", "value": "Fall"}]}},
            {"fieldId": "content", "fieldName": "Content", "fieldType": "CompositeControl", "required": false,
             "properties": {"Choices": "Cotton\nPolyester"}}
        ]),
        2 => header_sample(),
        3 => json!({"result": [header_sample()], "total": 1}),
        4 => json!({"finished": true, "errorOccured": false, "message": null}),
        5 => json!({"imageId": UPLOAD_ID}),
        _ => {
            json!({"access_token": "at-1", "expires_in": 3600, "token_type": "Bearer", "refresh_token": "rt-1"})
        }
    }
}

/// Applies `(selector, replacement, action)` edits at pseudo-random places in `value`:
/// action 0 replaces a value, 1 removes an object key or array item, 2 inserts an extra one.
pub fn mutate_json(value: &mut Value, edits: &[(u32, Value, u8)]) {
    for (selector, replacement, action) in edits {
        let mut node = &mut *value;
        let mut s = *selector;
        // Walk down while the selector says so and there is somewhere to go.
        loop {
            let len = match &*node {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => 0,
            };
            if len == 0 || s % 3 == 0 {
                break;
            }
            let i = (s as usize / 3) % len;
            s /= 7;
            node = match node {
                Value::Array(a) => &mut a[i],
                Value::Object(o) => o.values_mut().nth(i).expect("index below len"),
                _ => unreachable!("len > 0 only for containers"),
            };
        }
        match (action, &mut *node) {
            (1, Value::Array(a)) if !a.is_empty() => {
                a.remove(*selector as usize % a.len());
            }
            (1, Value::Object(o)) if !o.is_empty() => {
                let k = o.keys().nth(*selector as usize % o.len()).cloned();
                if let Some(k) = k {
                    o.remove(&k);
                }
            }
            (2, Value::Array(a)) => a.push(replacement.clone()),
            (2, Value::Object(o)) => {
                o.insert(format!("k{selector}"), replacement.clone());
            }
            _ => *node = replacement.clone(),
        }
    }
}

/// Byte edits: (position, byte, action) with action 0 overwrite, 1 delete, 2 insert, 3 truncate.
pub fn byte_mutations() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..6)
}

pub fn mutate_bytes(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for (pos, byte, action) in edits {
        if bytes.is_empty() {
            bytes.push(*byte);
            continue;
        }
        let i = pos % bytes.len();
        match action {
            0 => bytes[i] = *byte,
            1 => {
                bytes.remove(i);
            }
            2 => bytes.insert(i, *byte),
            _ => bytes.truncate(i),
        }
    }
    bytes
}
