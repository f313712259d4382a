//! The IPC commands, invoked through Tauri's IPC path without a window, against a real
//! sandbox server on 127.0.0.1 (env-style credentials, nothing stored).

mod common;

use common::uploads::folder_id;
use common::{start_sandbox, TestApp};
use serde_json::{json, Value};

fn field_value<'a>(image: &'a Value, id: &str) -> &'a Value {
    image["headerData"]["fields"]
        .as_array()
        .expect("headerData.fields")
        .iter()
        .find(|f| f["id"] == id)
        .map(|f| &f["value"])
        .unwrap_or(&Value::Null)
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
    .to_uppercase()
}

fn page_of(app: &TestApp, folder: &str) -> Value {
    app.ok(
        "list_images",
        json!({"folderId": folder, "pageSize": 5, "pageNumber": 0}),
    )
}

#[test]
fn status_folders_schema_and_paged_search() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));

    let status = app.ok("connection_status", json!({}));
    assert_eq!(status["mode"], "env");
    assert_eq!(status["company"], "sandbox");
    assert_eq!(status["apiUrl"], sandbox.public_api_url());
    // A fresh keychain service in the test session's unlocked keyring: usable, nothing saved.
    assert_eq!(status["keychain"]["available"], true, "{status}");
    assert_eq!(status["hasSavedAccount"], false, "{status}");

    let prints = folder_id(&app, "Prints");
    let schema = app.ok("folder_schema", json!({"folderId": prints}));
    let ids = |list: &str| -> Vec<String> {
        schema[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fieldId"].as_str().unwrap().to_owned())
            .collect()
    };
    let fields = ids("fields");
    assert_eq!(fields[..2], ["header_number", "header_name"], "{fields:?}");
    for expected in ["width_px", "season"] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} missing from {fields:?}"
        );
    }
    // Each field arrives with the widget and filter Rust decided for it.
    let season = schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fieldId"] == "season")
        .unwrap();
    assert_eq!(season["widget"], "select", "{season}");
    assert!(
        !season["choices"].as_array().unwrap().is_empty(),
        "{season}"
    );
    let filters = ids("filters");
    assert!(filters.iter().any(|f| f == "season"), "{filters:?}");
    assert!(
        schema["filters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["filter"]["operators"].is_array()),
        "{schema}"
    );

    let page = app.ok(
        "list_images",
        json!({"folderId": prints, "quick": null, "filters": [], "pageSize": 5, "pageNumber": 0}),
    );
    let first = page["result"].as_array().unwrap().clone();
    let total = page["total"].as_u64().unwrap();
    assert!(!first.is_empty() && first.len() <= 5, "{page}");
    assert!(total >= first.len() as u64);
    if total > 5 {
        let second = app.ok(
            "list_images",
            json!({"folderId": prints, "quick": null, "filters": [], "pageSize": 5, "pageNumber": 1}),
        );
        let second_ids: Vec<&Value> = second["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["id"])
            .collect();
        assert!(
            first.iter().all(|i| !second_ids.contains(&&i["id"])),
            "pages overlap"
        );
    }

    // A filter on the number of a known image finds exactly it.
    let number = first[0]["headerNumber"].as_str().unwrap();
    let found = app.ok(
        "list_images",
        json!({"folderId": prints, "quick": null, "pageSize": 50, "pageNumber": 0,
               "filters": [{"field": "header_number", "op": "is", "value": number}]}),
    );
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["result"][0]["id"], first[0]["id"]);
}

#[test]
fn quick_search_matches_number_or_name_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));
    let prints = folder_id(&app, "Prints");

    let tag = unique("QK");
    let by_number = app.ok(
        "create_image",
        json!({"folderId": prints, "fields": [
            {"id": "header_number", "value": format!("{tag}-N")},
            {"id": "header_name", "value": "Plain name"}]}),
    );
    let by_name = app.ok(
        "create_image",
        json!({"folderId": prints, "fields": [
            {"id": "header_number", "value": unique("OTHER")},
            {"id": "header_name", "value": format!("Artwork {tag}")}]}),
    );
    let both = app.ok(
        "create_image",
        json!({"folderId": prints, "fields": [
            {"id": "header_number", "value": format!("{tag}-B")},
            {"id": "header_name", "value": format!("{tag} in both")}]}),
    );

    let quick = |q: &str, page_size: u32, page_number: u32| {
        app.ok(
            "list_images",
            json!({"folderId": prints, "quick": q, "filters": [], "pageSize": page_size, "pageNumber": page_number}),
        )
    };
    let result = quick(&tag.to_lowercase(), 50, 0);
    let mut ids: Vec<&str> = result["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![
        by_number["id"].as_str().unwrap(),
        by_name["id"].as_str().unwrap(),
        both["id"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(ids, expected, "number OR name, each image once: {result}");
    assert_eq!(result["total"], 3);

    // Paging runs over the merged list.
    let p0 = quick(&tag, 2, 0);
    let p1 = quick(&tag, 2, 1);
    assert_eq!(p0["result"].as_array().unwrap().len(), 2);
    assert_eq!(p1["result"].as_array().unwrap().len(), 1);
    assert_eq!(p1["total"], 3);

    // Quick search and filters combine (AND).
    let filtered = app.ok(
        "list_images",
        json!({"folderId": prints, "quick": tag, "pageSize": 50, "pageNumber": 0,
               "filters": [{"field": "header_name", "op": "contains", "value": "both"}]}),
    );
    assert_eq!(filtered["total"], 1, "{filtered}");
    assert_eq!(filtered["result"][0]["id"], both["id"]);

    // A blank quick box is a plain search.
    let none = quick("   ", 1, 0);
    assert!(none["total"].as_u64().unwrap() >= 3);
}

#[test]
fn create_get_update_delete_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));
    let prints = folder_id(&app, "Prints");

    let number = unique("RT");
    let created = app.ok(
        "create_image",
        json!({"folderId": prints, "fields": [
            {"id": "header_number", "value": number},
            {"id": "header_name", "value": "Round trip"},
            {"id": "width_px", "value": "1200"}]}),
    );
    let id = created["id"]
        .as_str()
        .expect("created image has an id")
        .to_owned();
    assert_eq!(created["headerNumber"], number);

    let fetched = app.ok("get_image", json!({"id": id}));
    assert_eq!(fetched["headerName"], "Round trip");
    assert_eq!(fetched["folder"]["id"], prints);

    let updated = app.ok(
        "update_image",
        json!({"id": id, "folderId": prints, "fields": [{"id": "header_name", "value": "Renamed"}, {"id": "designer", "value": "Ada"}]}),
    );
    assert_eq!(updated["headerName"], "Renamed");
    assert_eq!(field_value(&updated, "designer"), "Ada");
    assert_eq!(
        app.ok("get_image", json!({"id": id}))["headerName"],
        "Renamed"
    );

    // A value that does not fit its field is refused by the field's rules, naming it, before
    // anything is sent.
    let bad = app.err(
        "update_image",
        json!({"id": id, "folderId": prints, "fields": [{"id": "width_px", "value": "wide"}]}),
    );
    assert_eq!(bad["kind"], "invalid_input", "{bad}");
    let message = bad["message"].as_str().unwrap();
    assert!(
        message.contains("width_px") && message.contains("whole number"),
        "{message}"
    );
    // What only the server can know comes back as its own message, and nothing changes.
    let page = page_of(&app, &prints);
    let other = page["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] != id.as_str())
        .expect("another image")["headerNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let taken = app.err(
        "update_image",
        json!({"id": id, "folderId": prints, "fields": [{"id": "header_number", "value": other}]}),
    );
    assert_eq!(taken["kind"], "api", "{taken}");
    assert!(
        taken["message"].as_str().unwrap().contains("already used"),
        "{taken}"
    );
    // The server's per-field reason travels with it, for the page to show next to the field.
    assert_eq!(taken["fields"][0]["field"], "header_number", "{taken}");
    assert!(
        taken["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{taken}"
    );
    assert_eq!(
        app.ok("get_image", json!({"id": id}))["headerName"],
        "Renamed"
    );

    let many = app.ok("get_images", json!({"ids": [id]}));
    assert_eq!(many["images"][0]["headerName"], "Renamed", "{many}");
    assert_eq!(many["failed"], json!([]));

    assert_eq!(app.ok("delete_image", json!({"id": id})), json!({}));
    // Deleting what is already gone is a success (a second click, another user, a lost answer).
    assert_eq!(app.ok("delete_image", json!({"id": id})), json!({}));
    let gone = app.err("get_image", json!({"id": id}));
    assert_eq!(gone["kind"], "not_found", "{gone}");
    // One missing image is reported by id and does not fail the whole call.
    let partly = app.ok("get_images", json!({"ids": [id]}));
    assert_eq!(partly["images"], json!([]));
    assert_eq!(partly["failed"][0]["id"], id.as_str(), "{partly}");
    assert_eq!(
        partly["failed"][0]["error"]["kind"], "not_found",
        "{partly}"
    );
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));
    let prints = folder_id(&app, "Prints");

    let invalid = |cmd: &str, args: Value| {
        let e = app.err(cmd, args.clone());
        assert_eq!(e["kind"], "invalid_input", "{cmd} {args}: {e}");
        assert!(!e["message"].as_str().unwrap().is_empty());
        e
    };
    let e = invalid("get_image", json!({"id": "not-a-guid"}));
    assert!(e["message"].as_str().unwrap().contains("GUID"), "{e}");
    invalid("get_image", json!({"id": "../../Folders"}));
    invalid("get_images", json!({"ids": ["../../Folders"]}));
    invalid(
        "delete_image",
        json!({"id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f/"}),
    );
    invalid(
        "update_image",
        json!({"id": "x", "folderId": prints, "fields": [{"id": "header_name", "value": "n"}]}),
    );
    invalid("folder_schema", json!({"folderId": "Prints"}));
    invalid("create_image", json!({"folderId": "?", "fields": []}));
    for page_size in [0, 201, -1] {
        invalid(
            "list_images",
            json!({"folderId": prints, "quick": null, "filters": [], "pageSize": page_size, "pageNumber": 0}),
        );
    }
    invalid(
        "list_images",
        json!({"folderId": prints, "quick": null, "filters": [], "pageSize": 10, "pageNumber": -1}),
    );
    let e = invalid(
        "list_images",
        json!({"folderId": prints, "quick": null, "pageSize": 10, "pageNumber": 0,
               "filters": [{"field": "season", "op": "like", "value": "x"}]}),
    );
    assert!(e["message"].as_str().unwrap().contains("contains"), "{e}");
    // A field the folder cannot be searched by is refused, not silently ignored by the server.
    let e = invalid(
        "list_images",
        json!({"folderId": prints, "quick": null, "pageSize": 10, "pageNumber": 0,
               "filters": [{"field": "no_such_field", "op": "is", "value": "x"}]}),
    );
    assert!(
        e["message"].as_str().unwrap().contains("no_such_field"),
        "{e}"
    );
    invalid(
        "update_image",
        json!({"id": uuid::Uuid::new_v4().to_string(), "folderId": prints, "fields": [{"value": 1}]}),
    );

    let unknown = app.err("get_image", json!({"id": uuid::Uuid::new_v4().to_string()}));
    assert_eq!(unknown["kind"], "not_found", "{unknown}");
    let unknown = app.err(
        "folder_schema",
        json!({"folderId": uuid::Uuid::new_v4().to_string()}),
    );
    assert_eq!(unknown["kind"], "not_found", "{unknown}");
}

#[test]
fn unreachable_server_is_a_transport_error() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));
    app.ok("list_folders", json!({}));
    tauri::async_runtime::block_on(sandbox.shutdown());
    let e = app.err("list_folders", json!({}));
    assert_eq!(e["kind"], "transport", "{e}");
}

/// The form's fields, widgets and values come from Rust (`image_form`); a save sends widget
/// values, which Rust encodes by the same field rules, and the form reads them back unchanged.
#[test]
fn the_form_is_described_by_rust_and_saves_widget_values() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));
    let prints = folder_id(&app, "Prints");
    let image = page_of(&app, &prints)["result"][0].clone();
    let id = image["id"].as_str().unwrap().to_owned();

    let form = |image: &Value| -> Vec<Value> {
        app.ok("image_form", json!({"folderId": prints, "image": image}))
            .as_array()
            .unwrap()
            .clone()
    };
    let field = |form: &[Value], id: &str| -> Value {
        form.iter()
            .find(|f| f["fieldId"] == id)
            .unwrap_or_else(|| panic!("no {id} in the form"))
            .clone()
    };
    let before = form(&image);
    assert_eq!(before[0]["fieldId"], "header_number");
    assert_eq!(before[0]["value"], image["headerNumber"]);
    assert_eq!(before[1]["fieldId"], "header_name");
    let first_shown_only = before.iter().position(|f| f["editable"] == false).unwrap();
    assert!(
        before[first_shown_only..]
            .iter()
            .all(|f| f["editable"] == false),
        "editable fields come first"
    );
    assert_eq!(field(&before, "created_by")["widget"], "readOnly");
    assert_eq!(
        field(&before, "version")["editable"],
        false,
        "server-managed"
    );
    assert_eq!(field(&before, "repeat")["widget"], "bool");
    assert_eq!(field(&before, "due_date")["widget"], "date");
    let colors = field(&before, "colors");
    assert_eq!(colors["widget"], "multiSelect");
    assert!(colors["value"].is_array(), "{colors}");
    let choices: Vec<String> = colors["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap().to_owned())
        .collect();

    let saved = app.ok(
        "update_image",
        json!({"id": id, "folderId": prints, "fields": [
            {"id": "repeat", "value": true},
            {"id": "colors", "value": [choices[0], choices[1]]},
            {"id": "due_date", "value": "2026-05-26"},
            {"id": "print_scale", "value": 1.5}]}),
    );
    let stored = app.ok("get_image", json!({"id": id}));
    assert_eq!(
        field_value(&stored, "repeat"),
        "Yes",
        "stored as the API keeps it"
    );
    assert!(
        field_value(&stored, "due_date")
            .as_str()
            .unwrap()
            .starts_with("2026-05-26"),
        "{stored}"
    );
    let after = form(&saved);
    assert_eq!(field(&after, "repeat")["value"], true);
    assert_eq!(
        field(&after, "colors")["value"],
        json!([choices[0], choices[1]])
    );
    assert_eq!(field(&after, "due_date")["value"], "2026-05-26");
    assert_eq!(field(&after, "print_scale")["value"], 1.5);

    // A read-only field is refused by name, before anything is sent.
    let refused = app.err(
        "update_image",
        json!({"id": id, "folderId": prints, "fields": [{"id": "version", "value": "9"}]}),
    );
    assert_eq!(refused["kind"], "invalid_input", "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("read-only"),
        "{refused}"
    );

    // A new image's form: the folder's fields, nothing filled in.
    let blank = app.ok("image_form", json!({"folderId": prints}));
    let mut blank_ids: Vec<String> = blank
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldId"].as_str().unwrap().to_owned())
        .collect();
    let mut schema_ids: Vec<String> = app.ok("folder_schema", json!({"folderId": prints}))
        ["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldId"].as_str().unwrap().to_owned())
        .collect();
    blank_ids.sort();
    schema_ids.sort();
    assert_eq!(blank_ids, schema_ids);
    assert_eq!(blank[0]["value"], "");
}

/// Picker options, tags and comments through the IPC path against the sandbox's demo tenant.
#[test]
fn choices_tags_and_comments_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));
    let prints = folder_id(&app, "Prints");
    let id = page_of(&app, &prints)["result"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let users = app.ok("field_choices", json!({"source": "users"}));
    let labels: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"Jordan Blake"), "{labels:?}");
    let mut sorted = labels.clone();
    sorted.sort_by_key(|l| l.to_lowercase());
    assert_eq!(labels, sorted, "sorted by name");
    let partners = app.ok("field_choices", json!({"source": "partners"}));
    assert!(
        partners.as_array().unwrap().len() > 20,
        "every page of the directory"
    );
    invalid_choice(&app);

    let tag = format!("t-{}", uuid::Uuid::new_v4().simple());
    let tags = app.ok(
        "change_tags",
        json!({"id": id, "add": [format!(" {tag} "), tag.to_uppercase()], "remove": []}),
    );
    assert_eq!(
        tags.as_array()
            .unwrap()
            .iter()
            .filter(|t| t.as_str().unwrap().eq_ignore_ascii_case(&tag))
            .count(),
        1,
        "{tags}"
    );
    assert_eq!(app.ok("image_tags", json!({"id": id})), tags);
    let in_use = app.ok("field_choices", json!({"source": "tags"}));
    assert!(in_use
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["label"] == tag.as_str()));
    let tags = app.ok("change_tags", json!({"id": id, "add": [], "remove": [tag]}));
    assert!(!tags.as_array().unwrap().iter().any(|t| t == tag.as_str()));
    let nothing = app.err("change_tags", json!({"id": id, "add": [" "], "remove": []}));
    assert_eq!(nothing["kind"], "invalid_input", "{nothing}");

    let before = app
        .ok("image_comments", json!({"id": id}))
        .as_array()
        .unwrap()
        .len();
    let thread = app.ok("add_comment", json!({"id": id, "text": "Scale up 10 %"}));
    let added = thread.as_array().unwrap().last().unwrap().clone();
    assert_eq!(thread.as_array().unwrap().len(), before + 1);
    assert_eq!(added["body"], "Scale up 10 %");
    let comment = added["id"].as_str().unwrap();
    let thread = app.ok(
        "edit_comment",
        json!({"id": id, "commentId": comment, "text": "Scale up 12 %"}),
    );
    assert!(thread
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["body"] == "Scale up 12 %"));
    let thread = app.ok("delete_comment", json!({"id": id, "commentId": comment}));
    assert_eq!(thread.as_array().unwrap().len(), before);
    let empty = app.err("add_comment", json!({"id": id, "text": "   "}));
    assert_eq!(empty["kind"], "invalid_input", "{empty}");
}

fn invalid_choice(app: &TestApp) {
    let e = app.err("field_choices", json!({"source": "colors"}));
    assert_eq!(e["kind"], "invalid_input", "{e}");
}
