//! The IPC commands, invoked through Tauri's IPC path without a window, against a real
//! sandbox server on 127.0.0.1 (env-style credentials, nothing stored).

mod common;

use common::{start_sandbox, TestApp};
use serde_json::{json, Value};

fn folder_id(app: &TestApp, name: &str) -> String {
    let folders = app.ok("list_folders", json!({}));
    let folders = folders.as_array().expect("list_folders returns an array");
    folders
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no folder named {name} in {folders:?}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

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
    let ids: Vec<&str> = schema
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldId"].as_str().unwrap())
        .collect();
    for expected in ["header_number", "header_name", "width_px", "season"] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:?}");
    }

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
               "filters": [{"field": "header_number", "operator": "Eq", "value": number}]}),
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
               "filters": [{"field": "header_name", "operator": "Contains", "value": "both"}]}),
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

    // The server's own message comes through for a bad value, and nothing changes.
    let bad = app.err(
        "update_image",
        json!({"id": id, "folderId": prints, "fields": [{"id": "width_px", "value": "wide"}]}),
    );
    assert_eq!(bad["kind"], "api", "{bad}");
    let message = bad["message"].as_str().unwrap();
    assert!(
        message.contains("width_px") && message.contains("whole number"),
        "{message}"
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
               "filters": [{"field": "season", "operator": "Like", "value": "x"}]}),
    );
    assert!(e["message"].as_str().unwrap().contains("Contains"), "{e}");
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
