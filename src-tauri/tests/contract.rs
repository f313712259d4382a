//! Writes the contract with the UI (ui/contract/ipc.json): the error kinds, and the members of
//! every reply of the image and connection commands, taken from real replies through the IPC
//! path against a real sandbox. tests/js/contract.test.mjs checks the page against it.

mod common;

use beproduct_images_lib::error::ErrorKind;
use common::contract::{check_contract_file, member_paths};
use common::{creds_json, sandbox_credentials, start_sandbox, TestApp};
use serde_json::{json, Map, Value};

#[test]
fn the_ui_contract_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::env_mode(&sandbox, &dir.path().join("embedded"));

    let mut replies = Map::new();
    let mut reply = |cmd: &str, args: Value| -> Value {
        let answer = app.ok(cmd, args);
        replies.insert(cmd.to_owned(), json!(member_paths(&answer)));
        answer
    };
    reply("connection_status", json!({}));
    reply(
        "test_connection",
        json!({"creds": creds_json(&sandbox_credentials(&sandbox))}),
    );
    let folders = reply("list_folders", json!({}));
    let prints = folders
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Prints")
        .expect("the demo seed has Prints")["id"]
        .clone();
    reply("folder_schema", json!({"folderId": prints}));
    let page = reply(
        "list_images",
        json!({"folderId": prints, "pageSize": 5, "pageNumber": 0}),
    );
    let id = page["result"][0]["id"].clone();
    let image = reply("get_image", json!({"id": id}));
    reply("image_form", json!({"folderId": prints, "image": image}));
    reply("get_images", json!({"ids": [id]}));
    let created = reply(
        "create_image",
        json!({"folderId": prints, "fields": [
            {"id": "header_number", "value": format!("CONTRACT-{}", uuid::Uuid::new_v4().simple())},
            {"id": "header_name", "value": "Contract"}]}),
    );
    reply(
        "update_image",
        json!({"id": created["id"], "folderId": prints,
               "fields": [{"id": "header_name", "value": "Contract, saved"}]}),
    );
    reply("delete_image", json!({"id": created["id"]}));

    let kinds: Vec<&str> = ErrorKind::all()
        .into_iter()
        .map(ErrorKind::as_str)
        .collect();
    check_contract_file(
        "ipc",
        &json!({"errorKinds": kinds, "replyMembers": replies}),
    );
}
