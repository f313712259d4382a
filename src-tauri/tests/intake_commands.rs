//! The intake preview through the real IPC path against a real sandbox on 127.0.0.1: a drop
//! into a folder with a naming rule is planned (rows, problems), refused while a kept row has a
//! problem (nothing queued, the preview kept), fixed in place or skipped, then queued with the
//! rule's numbers, names and fields; a folder without rules is not previewed.

mod common;

use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::file_handles::DROPPED_EVENT;
use beproduct_images_lib::sandbox_host::SandboxHost;
use common::uploads::{drop_files, folder_id, jobs, record, wait_until, write_png};
use common::{sandbox_credentials, start_sandbox, test_keychain, TestApp};
use serde_json::{json, Value};

const RULE: &str = "{season}_{header_number}_{header_name}_{artwork_type}";

/// A field's value on an image header (null when the image has no such field).
fn field_value(image: &Value, id: &str) -> Value {
    image["headerData"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

fn cell<'a>(row: &'a Value, field: &str) -> &'a Value {
    row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["fieldId"] == field)
        .unwrap_or_else(|| panic!("no {field} cell in {row}"))
}

#[test]
fn a_drop_into_a_folder_with_rules_is_previewed_fixed_and_queued_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let app = TestApp::with_uploads(
        ConnectionManager::new(
            test_keychain(),
            SandboxHost::new(dir.path().join("embedded")),
            Some(sandbox_credentials(&sandbox)),
        ),
        &dir.path().join("data"),
    );
    let prints = folder_id(&app, "Prints");
    let graphics = folder_id(&app, "Graphics");
    let target = json!({"kind": "newImage", "folderId": prints});

    // A rule naming a field the folder does not have is refused, saying which.
    let e = app.err(
        "save_intake_settings",
        json!({"folderId": prints, "settings": {"rule": {"kind": "pattern", "pattern": "{season}_{colour}"}, "metadata": {}}}),
    );
    assert_eq!(e["kind"], "invalid_input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("colour"), "{e}");
    let saved = app.ok(
        "save_intake_settings",
        json!({"folderId": prints, "settings": {"rule": {"kind": "pattern", "pattern": RULE, "dashAsSpace": true}, "metadata": {}}}),
    );
    assert_eq!(saved["rule"]["pattern"], RULE);
    assert_eq!(
        app.ok("intake_settings", json!({"folderId": prints})),
        saved
    );

    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let names = [
        "FA_PRT-0412_Floral-Ditsy_Embroidery.png",
        "SU_PRT-0413_Stripe_Weave.png",
        "HO_PRT-0414_Snow_print.png",
    ];
    let paths: Vec<_> = names.iter().map(|n| files.join(n)).collect();
    for (i, p) in paths.iter().enumerate() {
        write_png(p, i as u8 + 1);
    }
    let dropped = record(&app, DROPPED_EVENT);

    // A folder without rules is not previewed, and its handle is left for enqueue_uploads.
    let handle = drop_files(&app, &dropped, &paths[..1]);
    let none = app.ok(
        "plan_intake",
        json!({"handle": handle, "target": {"kind": "newImage", "folderId": graphics}}),
    );
    assert!(none.is_null(), "{none}");
    let queued = app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "newImage", "folderId": graphics}}),
    );
    assert_eq!(queued["accepted"], 1, "{queued}");

    let handle = drop_files(&app, &dropped, &paths);
    let preview = app.ok("plan_intake", json!({"handle": handle, "target": target}));
    let plan_id = preview["planId"].as_str().unwrap().to_owned();
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{preview}");
    let columns: Vec<&str> = preview["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fieldId"].as_str().unwrap())
        .collect();
    for id in ["header_number", "header_name", "season", "artwork_type"] {
        assert!(columns.contains(&id), "{columns:?}");
    }
    let weave = rows.iter().position(|r| r["fileName"] == names[1]).unwrap();
    assert!(cell(&rows[weave], "artwork_type")["problem"]
        .as_str()
        .is_some_and(|p| p.contains("Weave")));
    let snow = rows.iter().position(|r| r["fileName"] == names[2]).unwrap();
    assert_eq!(
        cell(&rows[snow], "artwork_type")["problem"],
        Value::Null,
        "a label in another case is a choice"
    );

    // While a kept row has a problem nothing is queued, and the preview stays open.
    let before = jobs(&app).len();
    let e = app.err(
        "commit_intake",
        json!({"planId": plan_id, "answer": {"skip": [], "validOnly": false}}),
    );
    assert_eq!(e["kind"], "invalid_input", "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains(names[1]) && message.contains("skip"),
        "{message}"
    );
    assert_eq!(jobs(&app).len(), before);

    // A cell of a row that is not there, or of a field the folder lacks, is refused.
    let e = app.err(
        "edit_intake_cell",
        json!({"planId": plan_id, "row": 9, "fieldId": "season", "text": "Fall"}),
    );
    assert_eq!(e["kind"], "invalid_input", "{e}");
    let e = app.err(
        "edit_intake_cell",
        json!({"planId": plan_id, "row": weave, "fieldId": "colour", "text": "x"}),
    );
    assert_eq!(e["kind"], "invalid_input", "{e}");

    // Fixed in place: the row comes back valid; then all three go.
    let fixed = app.ok(
        "edit_intake_cell",
        json!({"planId": plan_id, "row": weave, "fieldId": "artwork_type", "text": "pattern"}),
    );
    assert_eq!(
        cell(&fixed, "artwork_type")["problem"],
        Value::Null,
        "{fixed}"
    );
    assert_eq!(cell(&fixed, "artwork_type")["source"], "edited");
    let done = app.ok(
        "commit_intake",
        json!({"planId": plan_id, "answer": {"skip": [], "validOnly": false}}),
    );
    assert_eq!(done["accepted"], 3, "{done}");
    let e = app.err("commit_intake", json!({"planId": plan_id, "answer": {}}));
    assert!(
        e["message"].as_str().unwrap().contains("no longer open"),
        "{e}"
    );

    wait_until("the three intake jobs to finish", || {
        jobs(&app)
            .iter()
            .filter(|j| j["state"]["kind"] == "done")
            .count()
            == before + 3
    });
    let by_number = |number: &str| {
        jobs(&app)
            .into_iter()
            .find(|j| j["headerNumber"] == number)
            .unwrap_or_else(|| panic!("no job numbered {number}: {:?}", jobs(&app)))
    };
    for (number, name) in [
        ("PRT-0412", "Floral Ditsy"),
        ("PRT-0413", "Stripe"),
        ("PRT-0414", "Snow"),
    ] {
        let job = by_number(number);
        let image = app.ok("get_image", json!({"id": job["imageId"]}));
        assert_eq!(image["headerName"], name, "{image}");
    }
    let image = app.ok("get_image", json!({"id": by_number("PRT-0413")["imageId"]}));
    assert_eq!(field_value(&image, "artwork_type"), json!("Pattern"));
    assert_eq!(field_value(&image, "season"), json!("Summer"));

    // "Upload with valid values only": the refused value is left out, the rest goes.
    let again = files.join("SP_PRT-0415_Leaf_Weave.png");
    write_png(&again, 9);
    let handle = drop_files(&app, &dropped, &[again]);
    let preview = app.ok("plan_intake", json!({"handle": handle, "target": target}));
    let done = app.ok(
        "commit_intake",
        json!({"planId": preview["planId"], "answer": {"skip": [], "validOnly": true}}),
    );
    assert_eq!(done["accepted"], 1, "{done}");
    wait_until("the valid-only job to finish", || {
        jobs(&app)
            .iter()
            .any(|j| j["headerNumber"] == "PRT-0415" && j["state"]["kind"] == "done")
    });
    let image = app.ok("get_image", json!({"id": by_number("PRT-0415")["imageId"]}));
    assert_eq!(field_value(&image, "season"), json!("Spring"));
    let artwork = field_value(&image, "artwork_type");
    assert!(artwork.is_null() || artwork == json!(""), "{image}");
}
