//! Decoding of the sample JSON from the API notes (section 8) and the form helpers.

use serde_json::json;

use super::*;

const SAMPLE_HEADER: &str = r#"{
  "id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe",
  "headerNumber": "IMG-001",
  "headerName": "Front Print",
  "folder": {"id": "250bde3a-3496-40f1-a554-600d9f2e5375", "name": "Prints"},
  "headerData": {
    "fields": [
      {"id": "header_number", "name": "Image Number", "value": "IMG-001", "type": "Text", "required": true},
      {"id": "header_name", "name": "Image Name", "value": "Front Print", "type": "Text", "required": true},
      {"id": "created_by", "name": "Created", "value": "jdoe @ 5/26/2026 1:45:28 AM", "type": "UserLabel", "required": false},
      {"id": "active", "name": "Active", "value": "Yes", "type": "TrueFalse", "required": false},
      {"id": "version", "name": "Version", "value": "1", "type": "Text", "required": true},
      {"id": "colors", "name": "Colors", "value": ["Red", "Blue"], "type": "MultiSelect", "required": null},
      {"id": "count", "name": "Count", "value": 3, "type": "Number", "required": false},
      {"id": "odd", "name": null, "value": {"code": "x"}, "type": "SomethingNew", "required": false, "hint": 1}
    ],
    "preview": {
      "preview": "https://us-stream2.beproduct.com/preview/c/f/1/0/f.png?width=1000",
      "origin": "https://us-cdn.beproduct.com/storage/c/f/1/front-print.png?sas"
    },
    "variations": null,
    "somethingElse": 42
  },
  "files": null,
  "createdBy": {"id": "b7aff40a-59ab-4c0b-9ff1-730a86468480", "name": "jdoe"},
  "createdAt": "2026-05-26T01:45:28.554Z",
  "modifiedBy": {"id": null, "name": null},
  "modifiedAt": "2026-05-26T06:19:46.302Z",
  "isDeleted": false,
  "tags": [{"id": "t1", "name": "summer"}]
}"#;

#[test]
fn decodes_the_sample_header_and_keeps_unknown_keys() {
    let h: ImageHeader = serde_json::from_str(SAMPLE_HEADER).unwrap();
    assert_eq!(h.header_number, "IMG-001");
    assert_eq!(h.folder.as_ref().unwrap().name.as_deref(), Some("Prints"));
    assert_eq!(h.header_data.fields.len(), 8);
    assert_eq!(h.field("colors").unwrap().value, json!(["Red", "Blue"]));
    assert!(!h.field("colors").unwrap().required);
    assert_eq!(
        h.field("count").unwrap().field_type,
        Some(FieldType::Number)
    );
    assert_eq!(
        h.field("odd").unwrap().field_type,
        Some(FieldType::Other("SomethingNew".into()))
    );
    assert_eq!(h.field("odd").unwrap().extra["hint"], json!(1));
    assert!(h.preview_url().unwrap().contains("width=1000"));
    assert!(h.origin_url().unwrap().contains("front-print.png"));
    assert_eq!(h.header_data.extra["somethingElse"], json!(42));
    assert_eq!(h.extra["tags"][0]["name"], "summer");
    assert_eq!(h.modified_by.as_ref().unwrap().name, None);

    // Round trip keeps the API's own shape (the app hands it to the UI as is).
    let back = serde_json::to_value(&h).unwrap();
    assert_eq!(back["headerData"]["somethingElse"], json!(42));
    assert_eq!(back["headerData"]["fields"][6]["type"], "Number");
    assert_eq!(back["tags"][0]["id"], "t1");
}

#[test]
fn preview_may_be_object_string_null_or_absent() {
    let with = |preview: &str| -> ImageHeader {
        serde_json::from_str(&format!(
            r#"{{"id":"x","headerData":{{"fields":[],"preview":{preview}}}}}"#
        ))
        .unwrap()
    };
    assert_eq!(
        with(r#""https://p/1.png""#).preview_url(),
        Some("https://p/1.png")
    );
    assert_eq!(with("null").preview_url(), None);
    assert_eq!(with(r#"{"preview":"","origin":""}"#).preview_url(), None);
    let h: ImageHeader =
        serde_json::from_str(r#"{"id":"x","headerNumber":null,"headerData":null}"#).unwrap();
    assert_eq!(h.header_number, "");
    assert!(h.header_data.fields.is_empty());
}

#[test]
fn decodes_folders_page_and_status() {
    let folders: Vec<Folder> = serde_json::from_str(
        r#"[{"id":"f52840ad-9313-4330-bc88-7e6248690395","name":"Prints","description":"Print artwork","active":true},
            {"id":"592413ca-9ecd-4899-be24-b70cb42944bf","name":"Archive","extraKey":[1]}]"#,
    )
    .unwrap();
    assert_eq!(folders[0].active, Some(true));
    assert_eq!(folders[1].description, None);
    assert_eq!(folders[1].extra["extraKey"], json!([1]));

    let page: Page<ImageHeader> =
        serde_json::from_str(&format!(r#"{{"result":[{SAMPLE_HEADER}],"total":31}}"#)).unwrap();
    assert_eq!((page.result.len(), page.total), (1, 31));

    let s: ProcessingStatus = serde_json::from_str(
        r#"{"finished":true,"errorOccured":true,"message":"Unsupported file"}"#,
    )
    .unwrap();
    assert!(s.failed() && !s.succeeded());
    assert_eq!(s.message.as_deref(), Some("Unsupported file"));
    let s: ProcessingStatus =
        serde_json::from_str(r#"{"finished":false,"errorOccured":null,"message":null}"#).unwrap();
    assert!(!s.finished && !s.error_occured);
}

fn schema() -> Vec<SchemaField> {
    serde_json::from_str(
        r#"[
  {"fieldId": "header_number", "fieldName": "Image Number", "fieldType": "Text", "required": true, "properties": {}},
  {"fieldId": "season", "fieldName": "SEASON", "fieldType": "DropDown", "required": true, "active": true,
   "properties": {"Choices": [{"id": "0c1", "code": "SP", "value": "Spring"}, {"id": "9a2", "code": "FA", "value": "Fall"}],
                  "SortAlphabetically": true}},
  {"fieldId": "season_year", "fieldName": "SEASON YEAR", "fieldType": "LabelText", "required": false,
   "properties": {"Formula": "<server formula text>"}},
  {"fieldId": "content", "fieldName": "Content", "fieldType": "CompositeControl", "required": false,
   "properties": {"Choices": "Cotton\nPolyester\nElastane"}},
  {"fieldId": "factory", "fieldName": "FACTORY", "fieldType": "PartnerDropDown", "required": false,
   "properties": {"Choices": [{"code": "dir-1", "value": "Factory A"}]}},
  {"fieldId": "colors", "fieldName": "Colors", "fieldType": "MultiSelect", "required": false,
   "properties": {"Choices": ["Red", "Blue"]}},
  {"fieldId": "created_by", "fieldName": "Created", "fieldType": "UserLabel", "required": null, "properties": null}
]"#,
    )
    .unwrap()
}

#[test]
fn schema_choices_in_all_three_shapes() {
    let s = schema();
    let values = |i: usize| {
        s[i].choices()
            .into_iter()
            .map(|c| c.value)
            .collect::<Vec<_>>()
    };
    assert_eq!(values(1), ["Spring", "Fall"]);
    assert_eq!(s[1].choices()[0].code.as_deref(), Some("SP"));
    assert_eq!(values(3), ["Cotton", "Polyester", "Elastane"]);
    assert_eq!(values(4), ["Factory A"]);
    assert_eq!(values(5), ["Red", "Blue"]);
    assert!(values(0).is_empty());
    assert!(s[2].is_read_only() && s[6].is_read_only());
    assert!(!s[0].is_read_only() && !s[1].is_read_only());
}

#[test]
fn schema_encode_checks_choices_and_read_only() {
    let s = schema();
    assert_eq!(s[1].encode(&json!("Fall")).unwrap(), json!("Fall"));
    let err = s[1].encode(&json!("Winter")).unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    assert!(
        err.to_string().contains(
            r#"SEASON (season) takes one of the allowed values ("Spring", "Fall"); got "Winter""#
        ),
        "{err}"
    );
    assert_eq!(s[5].encode(&json!(["Red"])).unwrap(), json!(["Red"]));
    assert!(s[5].encode(&json!(["Green"])).is_err());
    let err = s[2].encode(&json!("x")).unwrap_err();
    assert!(
        err.to_string()
            .contains("SEASON YEAR (season_year) is read-only"),
        "{err}"
    );
}

#[test]
fn comments_decode_in_either_sdks_form_and_keep_unknown_keys() {
    let ts: Comment = serde_json::from_value(json!({
        "id": "c1", "body": "Spec is final", "from": {"id": "u1", "name": "Ann"},
        "createdDate": "2026-05-26T10:00:00Z", "edited": true
    }))
    .unwrap();
    assert_eq!(ts.body, "Spec is final");
    assert_eq!(ts.from.as_ref().unwrap().name.as_deref(), Some("Ann"));
    assert_eq!(ts.created_date.as_deref(), Some("2026-05-26T10:00:00Z"));
    assert_eq!(ts.extra["edited"], json!(true));

    let py: Comment = serde_json::from_value(json!({
        "id": 7, "comment": "Looks good", "createdBy": "bea", "createdAt": "2026-05-27T08:00:00Z"
    }))
    .unwrap();
    assert_eq!((py.id.as_str(), py.body.as_str()), ("7", "Looks good"));
    assert_eq!(py.from.unwrap().name.as_deref(), Some("bea"));
    assert_eq!(py.created_date.as_deref(), Some("2026-05-27T08:00:00Z"));

    // Both keys: `body` wins, `comment` is kept; the canonical form reads back the same.
    let both: Comment =
        serde_json::from_value(json!({"id": "c2", "body": "B", "comment": "C", "from": null}))
            .unwrap();
    assert_eq!(both.body, "B");
    assert_eq!(both.extra["comment"], json!("C"));
    let again: Comment = serde_json::from_value(serde_json::to_value(&both).unwrap()).unwrap();
    assert_eq!(again, both);
}

#[test]
fn users_partners_and_tags_decode_with_their_picker_entries() {
    let users: Vec<User> = serde_json::from_value(json!([
        {"id": "u1", "email": "ann@x.test", "firstName": "Ann", "lastName": "Lee", "registerdOn": "2024-01-01", "active": true},
        {"id": "u2", "email": "bea@x.test", "firstName": null, "lastName": " ", "username": "bea"},
        {"id": "u3", "email": null}
    ]))
    .unwrap();
    assert_eq!(users[0].display_name(), "Ann Lee");
    assert_eq!(users[0].extra["registerdOn"], json!("2024-01-01"));
    assert_eq!(users[1].display_name(), "bea");
    assert_eq!(users[2].display_name(), "u3");
    assert_eq!(
        serde_json::to_value(users[0].option()).unwrap(),
        json!({"value": "u1", "label": "Ann Lee", "detail": "ann@x.test"})
    );

    let partner: DirectoryCompany = serde_json::from_value(json!({
        "id": "p1", "directoryId": null, "name": "Factory A", "partnerType": "Factory",
        "country": "Portugal", "zip": "4000"
    }))
    .unwrap();
    assert_eq!(partner.extra["zip"], json!("4000"));
    assert_eq!(
        serde_json::to_value(partner.option()).unwrap(),
        json!({"value": "p1", "label": "Factory A", "detail": "Factory · Portugal"})
    );

    let tag: Tag = serde_json::from_value(json!({
        "id": "t1", "name": "summer", "integration": null, "tagDate": "2026-05-01", "tagUsers": ["u1"], "color": "red"
    }))
    .unwrap();
    assert_eq!(tag.name, "summer");
    assert_eq!(tag.tag_users, Some(vec![json!("u1")]));
    assert_eq!(tag.extra["color"], json!("red"));
}
