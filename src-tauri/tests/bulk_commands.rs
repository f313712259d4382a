//! Bulk edits, bulk delete, presets and spreadsheet import through the app's commands (the
//! real IPC path) against a real sandbox on 127.0.0.1. Every end state is read back from the
//! sandbox through the API; faults are injected with the sandbox's controls.

mod common;

use std::path::Path;
use std::time::Duration;

use beproduct::{ImageHeader, SearchQuery};
use beproduct_images_lib::bulk_runs::{BulkRuns, FINISHED_EVENT, PROGRESS_EVENT};
use beproduct_images_lib::commands::sheets::{export_to_path, suggested_export_name};
use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::file_handles::DROPPED_EVENT;
use beproduct_images_lib::sandbox_host::SandboxHost;
use beproduct_sandbox::{FaultKind, Sandbox};
use common::contract::Replies;
use common::uploads::{drop_files, folder_id, record, wait_until_within, Seen};
use common::{sandbox_credentials, start_sandbox, test_keychain, TestApp};
use futures::TryStreamExt;
use image_library::sheet::{read_sheet, write_csv, Format};
use image_library::ImageLibrary;
use serde_json::{json, Value};
use tauri::Manager;

struct Env {
    dir: tempfile::TempDir,
    sandbox: Sandbox,
    app: TestApp,
    folder: String,
    finished: Seen,
    progress: Seen,
}

/// A sandbox with a fresh folder (the Prints schema) holding `n` images, and the app (with
/// its upload queue and bulk state in a temporary data folder) connected to it.
fn start(n: u64) -> Env {
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
    app.app
        .manage(BulkRuns::open(&dir.path().join("data")).expect("bulk state opens"));
    let prints = folder_id(&app, "Prints");
    let controls = sandbox.controls();
    let folder = controls.create_folder("Bulk", Some(&prints)).unwrap();
    controls.seed_images(&folder, n).unwrap();
    let finished = record(&app, FINISHED_EVENT);
    let progress = record(&app, PROGRESS_EVENT);
    Env {
        dir,
        sandbox,
        app,
        folder,
        finished,
        progress,
    }
}

fn library(app: &TestApp) -> std::sync::Arc<ImageLibrary> {
    tauri::async_runtime::block_on(app.app.state::<ConnectionManager>().library()).unwrap()
}

/// Every image of the folder, read from the sandbox now.
fn images(env: &Env) -> Vec<ImageHeader> {
    let library = library(&env.app);
    let query = SearchQuery {
        folder_id: Some(env.folder.clone()),
        filters: Vec::new(),
    };
    let mut images: Vec<ImageHeader> =
        tauri::async_runtime::block_on(library.client().search(query, 200).try_collect()).unwrap();
    images.sort_by(|a, b| a.header_number.cmp(&b.header_number));
    images
}

fn ids(env: &Env) -> Vec<String> {
    images(env).into_iter().map(|i| i.id).collect()
}

fn value(image: &ImageHeader, field: &str) -> Value {
    image
        .field(field)
        .map(|f| f.value.clone())
        .unwrap_or(Value::Null)
}

fn is_empty(v: &Value) -> bool {
    v.is_null() || v == &json!("") || v == &json!([])
}

fn edits() -> Value {
    json!([
        {"fieldId": "season", "op": "set", "value": "Fall"},
        {"fieldId": "colors", "op": "add", "value": ["Red", "Blue"]},
    ])
}

fn holds_edit(image: &ImageHeader) -> bool {
    value(image, "season") == json!("Fall") && value(image, "colors") == json!(["Red", "Blue"])
}

/// The `bulk://finished` payload of `edit_id`, waited for.
fn finished(env: &Env, edit_id: &Value) -> Value {
    let find = || {
        env.finished
            .lock()
            .unwrap()
            .iter()
            .find(|f| &f["editId"] == edit_id)
            .cloned()
    };
    wait_until_within(Duration::from_secs(90), "bulk://finished", || {
        find().is_some()
    });
    find().unwrap()
}

fn plan(env: &Env, selection: Value, edits: Value) -> Value {
    env.app.ok(
        "plan_bulk_edit",
        json!({"folderId": env.folder, "selection": selection, "edits": edits}),
    )
}

#[test]
fn bulk_edit_runs_in_the_background_reports_progress_and_undo_restores() {
    let env = start(30);
    let ids = ids(&env);
    let updates = || env.sandbox.controls().requests_seen("/update");

    // Invalid operations are refused before anything is read or written.
    let sent_before = updates();
    let reads_before = env.sandbox.controls().requests_seen("/Header/");
    for bad in [
        json!([{"fieldId": "no_such_field", "op": "set", "value": "x"}]),
        json!([{"fieldId": "season", "op": "set", "value": "Winter"}]),
        json!([{"fieldId": "header_number", "op": "set", "value": "X-1"}]),
        json!([{"fieldId": "designer", "op": "add", "value": ["x"]}]),
        json!([{"fieldId": "season", "op": "paint"}]),
        json!([]),
    ] {
        let e = env.app.err(
            "plan_bulk_edit",
            json!({"folderId": env.folder, "selection": {"ids": ids}, "edits": bad}),
        );
        assert_eq!(e["kind"], "invalid_input", "{bad}: {e}");
    }
    let e = env.app.err(
        "plan_bulk_edit",
        json!({"folderId": env.folder, "selection": {"some": 1}, "edits": edits()}),
    );
    assert_eq!(e["kind"], "invalid_input", "{e}");
    assert_eq!(updates(), sent_before, "nothing was written");
    assert_eq!(
        env.sandbox.controls().requests_seen("/Header/"),
        reads_before,
        "no image was read"
    );
    let e = env.app.err("run_bulk", json!({"planId": "no-such-plan"}));
    assert_eq!(e["kind"], "invalid_input", "{e}");

    // The preview.
    let preview = plan(&env, json!({"ids": ids}), edits());
    assert_eq!(preview["kind"], "edit");
    assert_eq!(preview["changing"], 30, "{preview}");
    assert_eq!(preview["unchanged"], 0);
    assert_eq!(preview["skipped"], json!([]));
    assert_eq!(
        preview["fields"],
        json!([
            {"fieldId": "season", "label": "Season", "images": 30},
            {"fieldId": "colors", "label": "Colors", "images": 30},
        ])
    );
    let sample = preview["sample"].as_array().unwrap();
    assert_eq!(sample.len(), 30);
    assert_eq!(sample[0]["fields"][0]["afterText"], "Fall");
    assert_eq!(sample[0]["fields"][1]["afterText"], "Red, Blue");
    assert!(sample[0]["image"]["number"].as_str().unwrap().len() > 1);
    assert_eq!(updates(), sent_before, "a preview sends nothing");

    // Run: the answer comes at once, the edit runs in the background.
    let started = env.app.ok("run_bulk", json!({"planId": preview["planId"]}));
    assert_eq!(started["total"], 30);
    let edit_id = started["editId"].clone();
    let end = finished(&env, &edit_id);
    assert_eq!(end["kind"], "edit");
    assert_eq!(end["cancelled"], false);
    assert_eq!(
        end["counts"],
        json!({"changed": 30, "unchanged": 0, "failed": 0, "skipped": 0})
    );
    assert_eq!(end["failed"], json!([]));
    assert_eq!(
        (end["canUndo"].clone(), end["canRetry"].clone()),
        (json!(true), json!(false))
    );
    assert!(
        images(&env).iter().all(holds_edit),
        "the sandbox shows the edit"
    );
    let progress = env.progress.lock().unwrap().clone();
    let last = progress.last().expect("progress events");
    assert_eq!(
        (last["done"].clone(), last["total"].clone()),
        (json!(30), json!(30))
    );
    assert_eq!(last["editId"], edit_id);
    assert!(progress.len() <= 31, "throttled: {} events", progress.len());

    let status = env.app.ok("bulk_status", json!({}));
    assert_eq!(status["running"], Value::Null);
    assert_eq!(status["last"]["editId"], edit_id);
    assert_eq!(status["interrupted"], json!([]));
    // A plan runs once.
    let e = env
        .app
        .err("run_bulk", json!({"planId": preview["planId"]}));
    assert_eq!(e["kind"], "invalid_input");

    // Undo puts the previous (empty) values back.
    let undo = env.app.ok("undo_bulk", json!({"editId": edit_id}));
    assert_eq!(undo["total"], 30);
    assert_ne!(undo["editId"], edit_id);
    let end = finished(&env, &undo["editId"]);
    assert_eq!(end["kind"], "undo");
    assert_eq!(end["counts"]["changed"], 30, "{end}");
    assert_eq!(end["canUndo"], false);
    for image in images(&env) {
        assert!(is_empty(&value(&image, "season")), "{image:?}");
        assert!(is_empty(&value(&image, "colors")), "{image:?}");
    }
    let e = env
        .app
        .err("undo_bulk", json!({"editId": "../../etc/passwd"}));
    assert_eq!(e["kind"], "invalid_input");
}

#[test]
fn failed_images_are_listed_and_retry_finishes_them() {
    let env = start(20);
    let ids = ids(&env);
    let controls = env.sandbox.controls();
    // Every attempt (the first and the client's retries) to update two images gets a 503.
    for id in &ids[..2] {
        controls.fail_next(4, &format!("{id}/update"), FaultKind::Status503);
    }
    let preview = plan(&env, json!({"ids": ids}), edits());
    let started = env.app.ok("run_bulk", json!({"planId": preview["planId"]}));
    let end = finished(&env, &started["editId"]);
    let failed: Vec<&str> = end["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["image"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        end["counts"]["changed"].as_u64().unwrap() + failed.len() as u64,
        20,
        "{end}"
    );
    assert!(
        failed.contains(&ids[0].as_str()) && failed.contains(&ids[1].as_str()),
        "{end}"
    );
    assert!(end["failed"][0]["reason"].as_str().unwrap().len() > 5);
    assert_eq!(end["canRetry"], true);
    // Every image is either changed or listed as failed (and then untouched).
    for image in images(&env) {
        if failed.contains(&image.id.as_str()) {
            assert!(is_empty(&value(&image, "season")), "{image:?}");
        } else {
            assert!(holds_edit(&image), "{image:?}");
        }
    }

    let retry = env
        .app
        .ok("retry_bulk", json!({"editId": started["editId"]}));
    assert_eq!(retry["editId"], started["editId"]);
    assert_eq!(retry["total"], failed.len());
    let ends = || {
        env.finished
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f["editId"] == started["editId"])
            .count()
    };
    wait_until_within(Duration::from_secs(60), "the retry's end", || ends() == 2);
    let end = env
        .finished
        .lock()
        .unwrap()
        .iter()
        .rfind(|f| f["editId"] == started["editId"])
        .cloned()
        .unwrap();
    assert_eq!(end["counts"]["changed"], 20, "{end}");
    assert_eq!(end["canRetry"], false);
    assert!(images(&env).iter().all(holds_edit));
}

#[test]
fn a_cancelled_edit_is_interrupted_for_the_next_start_and_retry_finishes_it() {
    let env = start(40);
    let ids = ids(&env);
    let controls = env.sandbox.controls();
    let preview = plan(&env, json!({"ids": ids}), edits());
    let other = plan(
        &env,
        json!({"ids": ids}),
        json!([{"fieldId": "designer", "op": "set", "value": "Ana"}]),
    );
    controls.set_latency_ms(150);
    let started = env.app.ok("run_bulk", json!({"planId": preview["planId"]}));
    let edit_id = started["editId"].clone();
    // One bulk edit at a time.
    let e = env.app.err("run_bulk", json!({"planId": other["planId"]}));
    assert_eq!(e["kind"], "invalid_input");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("A bulk edit is running"),
        "{e}"
    );
    wait_until_within(Duration::from_secs(30), "some progress", || {
        env.progress
            .lock()
            .unwrap()
            .iter()
            .any(|p| p["done"].as_u64() > Some(0))
    });
    let running = env.app.ok("bulk_status", json!({}))["running"].clone();
    assert_eq!(running["editId"], edit_id, "{running}");
    env.app.ok("cancel_bulk", json!({}));
    let end = finished(&env, &edit_id);
    assert_eq!(end["cancelled"], true, "{end}");
    assert_eq!(end["canRetry"], true, "{end}");
    let changed = end["counts"]["changed"].as_u64().unwrap() as usize;
    assert!(changed < 40, "{end}");
    controls.set_latency_ms(0);
    assert_eq!(env.app.ok("bulk_status", json!({}))["running"], Value::Null);
    // The journal's "changed" images did change; at most the updates in flight when the edit
    // stopped may also have landed (in doubt: the retry reads them before anything else).
    let changed_now = images(&env).iter().filter(|i| holds_edit(i)).count();
    assert!(
        (changed..=changed + image_library::bulk::IN_FLIGHT).contains(&changed_now),
        "journal {changed}, sandbox {changed_now}"
    );

    // The next start of the app finds the journal unfinished.
    let next = TestApp::env_mode(&env.sandbox, &env.dir.path().join("embedded"));
    next.app
        .manage(BulkRuns::open(&env.dir.path().join("data")).unwrap());
    let finished_next = record(&next, FINISHED_EVENT);
    let status = next.ok("bulk_status", json!({}));
    let interrupted = status["interrupted"].as_array().unwrap();
    assert_eq!(interrupted.len(), 1, "{status}");
    assert_eq!(interrupted[0]["editId"], edit_id);
    assert_eq!(interrupted[0]["kind"], "edit");
    assert_eq!(interrupted[0]["total"], 40);
    assert_eq!(
        interrupted[0]["changed"].as_u64().unwrap() as usize,
        changed
    );
    assert!(interrupted[0]["startedAt"].as_str().unwrap().contains('T'));

    let retry = next.ok("retry_bulk", json!({"editId": edit_id}));
    assert_eq!(retry["total"].as_u64().unwrap() as usize, 40 - changed);
    wait_until_within(Duration::from_secs(60), "the retry's end", || {
        !finished_next.lock().unwrap().is_empty()
    });
    let end = finished_next.lock().unwrap()[0].clone();
    assert_eq!(end["counts"]["changed"], 40, "{end}");
    assert!(images(&env).iter().all(holds_edit));
    assert_eq!(next.ok("bulk_status", json!({}))["interrupted"], json!([]));

    // Discard moves a journal aside (kept, not deleted).
    next.ok("discard_bulk", json!({"editId": edit_id}));
    let journal = format!("{}.jsonl", edit_id.as_str().unwrap());
    let data = env.dir.path().join("data").join("bulk");
    assert!(!data.join(&journal).exists());
    assert!(data.join("discarded").join(&journal).exists());
    let e = next.err("retry_bulk", json!({"editId": edit_id}));
    assert_eq!(e["kind"], "invalid_input");
}

/// Sets a file's modification time `days` days back.
fn age_file(path: &Path, days: u64) {
    let when = std::time::SystemTime::now() - Duration::from_secs(days * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .unwrap_or_else(|e| panic!("cannot age {}: {e}", path.display()));
}

#[test]
fn finished_journals_older_than_a_month_are_removed_at_start_and_unfinished_ones_kept() {
    let env = start(3);
    let ids = ids(&env);
    let journals = env.dir.path().join("data").join("bulk");
    let mut finished_journals = Vec::new();
    for designer in ["Old", "Recent"] {
        let preview = plan(
            &env,
            json!({"ids": ids}),
            json!([{"fieldId": "designer", "op": "set", "value": designer}]),
        );
        let started = env.app.ok("run_bulk", json!({"planId": preview["planId"]}));
        assert_eq!(finished(&env, &started["editId"])["counts"]["changed"], 3);
        finished_journals
            .push(journals.join(format!("{}.jsonl", started["editId"].as_str().unwrap())));
    }
    let [old, recent] = [&finished_journals[0], &finished_journals[1]];
    // An old journal whose last outcome was never written: a crash long ago, still unresolved.
    let text = std::fs::read_to_string(recent).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let unfinished = journals.join("unfinished.jsonl");
    std::fs::write(&unfinished, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    std::fs::create_dir_all(journals.join("discarded")).unwrap();
    let discarded = journals.join("discarded").join("discarded.jsonl");
    std::fs::copy(old, &discarded).unwrap();
    for path in [old, &unfinished, &discarded] {
        age_file(path, 31);
    }

    let next = TestApp::env_mode(&env.sandbox, &env.dir.path().join("embedded"));
    next.app
        .manage(BulkRuns::open(&env.dir.path().join("data")).unwrap());
    assert!(!old.exists(), "a finished journal of 31 days ago was kept");
    assert!(
        !discarded.exists(),
        "a discarded journal of 31 days ago was kept"
    );
    assert!(recent.exists(), "a finished journal of today was removed");
    assert!(unfinished.exists(), "an unfinished journal was removed");
    let status = next.ok("bulk_status", json!({}));
    assert_eq!(
        status["interrupted"].as_array().unwrap().len(),
        1,
        "{status}"
    );
}

#[test]
fn select_all_of_a_quick_search_minus_except_and_delete_images() {
    let env = start(25);
    // "image 1" matches Bulk image 1 and 10–19.
    let listed = env.app.ok(
        "list_images",
        json!({"folderId": env.folder, "quick": "image 1", "pageSize": 100}),
    );
    let matching: Vec<String> = listed["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(matching.len(), 11, "{listed}");
    let except = vec![matching[0].clone(), matching[3].clone()];
    let selection = json!({"all": {"quick": "image 1", "filters": []}, "except": except});
    let reads = env.sandbox.controls().requests_seen("/Header/");
    let preview = plan(&env, selection.clone(), edits());
    assert_eq!(preview["changing"], 9, "{preview}");
    assert_eq!(
        env.sandbox.controls().requests_seen("/Header/"),
        reads,
        "planned from the search's headers, no image read one by one"
    );
    let planned: Vec<&str> = preview["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["image"]["id"].as_str().unwrap())
        .collect();
    assert!(planned.iter().all(|id| matching.iter().any(|m| m == id)));
    assert!(planned.iter().all(|id| !except.iter().any(|e| e == id)));
    let started = env.app.ok("run_bulk", json!({"planId": preview["planId"]}));
    finished(&env, &started["editId"]);
    let changed: Vec<String> = images(&env)
        .into_iter()
        .filter(holds_edit)
        .map(|i| i.id)
        .collect();
    assert_eq!(changed.len(), 9);
    assert!(changed.iter().all(|id| planned.contains(&id.as_str())));

    // Everything a filtered search matches: the filter applies.
    let number = images(&env)[5].header_number.clone();
    let preview = plan(
        &env,
        json!({"all": {"quick": null, "filters": [{"field": "header_number", "op": "is", "value": number}]}}),
        json!([{"fieldId": "designer", "op": "set", "value": "Ana"}]),
    );
    assert_eq!(preview["changing"], 1, "{preview}");
    assert_eq!(preview["sample"][0]["image"]["number"], number.as_str());

    // Delete two chosen images, and the rest of the quick search's.
    let before = env.sandbox.controls().count_images(Some(&env.folder));
    let deleted = env.app.ok(
        "delete_images",
        json!({"folderId": env.folder, "selection": {"ids": except}}),
    );
    assert_eq!(deleted, json!({"deleted": 2, "failed": []}));
    assert_eq!(
        env.sandbox.controls().count_images(Some(&env.folder)),
        before - 2
    );
    let deleted = env.app.ok(
        "delete_images",
        json!({"folderId": env.folder, "selection": {"all": {"quick": "image 1", "filters": []}, "except": []}}),
    );
    assert_eq!(deleted["deleted"], 9, "{deleted}");
    assert_eq!(
        env.sandbox.controls().count_images(Some(&env.folder)),
        before - 11
    );
    let e = env.app.err(
        "delete_images",
        json!({"folderId": env.folder, "selection": {"ids": ["../x"]}}),
    );
    assert_eq!(e["kind"], "invalid_input");
}

#[test]
fn presets_are_saved_listed_replaced_and_deleted_and_invalid_ones_refused() {
    let env = start(1);
    let folder = env.folder.clone();
    assert_eq!(
        env.app.ok("list_presets", json!({"folderId": folder})),
        json!([])
    );
    let saved = env.app.ok(
        "save_preset",
        json!({"folderId": folder, "name": "Fall drop", "edits": edits()}),
    );
    assert_eq!(saved["name"], "Fall drop");
    assert_eq!(saved["edits"], edits());
    assert_eq!(
        saved["summary"],
        json!([{"label": "Season", "text": "Fall"}, {"label": "Colors", "text": "add Red, Blue"}])
    );
    let replaced = env.app.ok(
        "save_preset",
        json!({"folderId": folder, "name": "fall DROP", "edits": [{"fieldId": "designer", "op": "set", "value": "Ana Lima"}]}),
    );
    assert_eq!(replaced["id"], saved["id"], "same name replaces");
    env.app.ok(
        "save_preset",
        json!({"folderId": folder, "name": "Basics", "edits": [{"fieldId": "colors", "op": "clear"}]}),
    );
    let listed = env.app.ok("list_presets", json!({"folderId": folder}));
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Basics", "fall DROP"]);
    assert_eq!(
        listed[1]["summary"],
        json!([{"label": "Designer", "text": "Ana Lima"}])
    );
    assert_eq!(
        listed[0]["summary"],
        json!([{"label": "Colors", "text": "cleared"}])
    );

    for bad in [
        json!({"folderId": folder, "name": "Bad", "edits": [{"fieldId": "season", "op": "set", "value": "Winter"}]}),
        json!({"folderId": folder, "name": "Bad", "edits": [{"fieldId": "nope", "op": "clear"}]}),
        json!({"folderId": folder, "name": "Bad", "edits": []}),
        json!({"folderId": folder, "name": "  ", "edits": edits()}),
    ] {
        let e = env.app.err("save_preset", bad.clone());
        assert_eq!(e["kind"], "invalid_input", "{bad}: {e}");
    }
    assert_eq!(
        env.app
            .ok("list_presets", json!({"folderId": folder}))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Applying a preset is a bulk edit with its operations.
    let preview = plan(&env, json!({"ids": ids(&env)}), listed[1]["edits"].clone());
    assert_eq!(preview["changing"], 1);

    env.app.ok(
        "delete_preset",
        json!({"folderId": folder, "presetId": saved["id"]}),
    );
    let listed = env.app.ok("list_presets", json!({"folderId": folder}));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let e = env.app.err(
        "delete_preset",
        json!({"folderId": folder, "presetId": saved["id"]}),
    );
    assert_eq!(e["kind"], "invalid_input");
    // Stored in the app data folder, one file per folder.
    assert!(env
        .dir
        .path()
        .join("data/presets")
        .join(format!("{}.json", folder.to_lowercase()))
        .is_file());
}

/// Replaces the cell of `column` in the row of image `number`.
fn set_cell(table: &mut image_library::sheet::Table, number: &str, column: &str, text: &str) {
    let c = table.headers.iter().position(|h| h == column).unwrap();
    let row = table
        .rows
        .iter_mut()
        .find(|r| r[0] == number)
        .unwrap_or_else(|| panic!("no row {number}"));
    row[c] = text.to_owned();
}

fn write_sheet(table: &image_library::sheet::Table, path: &Path) {
    let mut bytes = Vec::new();
    write_csv(table, &mut bytes).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn an_edited_export_imported_by_handle_previews_the_diff_and_applies_exactly_the_edited_cells() {
    let env = start(6);
    let library = library(&env.app);
    let dropped = record(&env.app, DROPPED_EVENT);
    let home = env.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    // Export (what export_sheet does with the path the save dialog gives).
    let name =
        tauri::async_runtime::block_on(suggested_export_name(&library, &env.folder, Format::Csv))
            .unwrap();
    let today = image_library::sheet::today().format("%Y-%m-%d").to_string();
    assert_eq!(name, format!("Bulk {today}.csv"));
    let export = home.join(&name);
    let done = tauri::async_runtime::block_on(export_to_path(
        &library,
        &env.folder,
        None,
        None,
        Format::Csv,
        &export,
    ))
    .unwrap();
    assert_eq!((done.file_name.as_str(), done.rows), (name.as_str(), 6));
    let xlsx = home.join("sel.xlsx");
    let two = ids(&env)[..2].to_vec();
    let done = tauri::async_runtime::block_on(export_to_path(
        &library,
        &env.folder,
        Some(image_library::bulk::Selection::Ids { ids: two }),
        None,
        Format::Xlsx,
        &xlsx,
    ))
    .unwrap();
    assert_eq!(done.rows, 2);
    assert_eq!(read_sheet(&xlsx).unwrap().rows.len(), 2);

    let before = images(&env);
    let numbers: Vec<String> = before.iter().map(|i| i.header_number.clone()).collect();
    let mut table = read_sheet(&export).unwrap();
    set_cell(&mut table, &numbers[0], "Season", "Spring");
    set_cell(&mut table, &numbers[0], "Designer", "Ana Lima");
    set_cell(&mut table, &numbers[2], "Colors", "red; Blue");
    set_cell(&mut table, &numbers[3], "Season", "Winter"); // not a choice
    let mut unknown = table.rows[0].clone();
    unknown[0] = "NO-SUCH-1".into();
    table.rows.push(unknown);
    let sheet = home.join("edited.csv");
    write_sheet(&table, &sheet);

    let sent_before = env.sandbox.controls().requests_seen("/update");
    let handle = drop_files(&env.app, &dropped, std::slice::from_ref(&sheet));
    let preview = env.app.ok(
        "import_sheet",
        json!({"folderId": env.folder, "handle": handle}),
    );
    assert_eq!(
        preview["planId"],
        Value::Null,
        "an invalid cell blocks the import: {preview}"
    );
    assert_eq!(preview["fileName"], "edited.csv");
    assert_eq!(preview["problems"], 1);
    assert_eq!(preview["changedRows"], 2);
    assert_eq!(preview["changedCells"], 3);
    assert_eq!(preview["unchangedRows"], 3);
    assert_eq!(preview["unknown"][0]["number"], "NO-SUCH-1");
    assert_eq!(preview["unknown"][0]["row"], 8);
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let invalid = rows
        .iter()
        .find(|r| r["image"]["number"] == numbers[3].as_str())
        .unwrap();
    assert_eq!(invalid["cells"][0]["afterText"], "Winter");
    assert!(invalid["cells"][0]["problem"]
        .as_str()
        .unwrap()
        .contains("Season"));
    let first = rows
        .iter()
        .find(|r| r["image"]["number"] == numbers[0].as_str())
        .unwrap();
    assert_eq!(
        first["cells"],
        json!([
            {"fieldId": "season", "label": "Season", "beforeText": "", "afterText": "Spring", "problem": null},
            {"fieldId": "designer", "label": "Designer", "beforeText": "", "afterText": "Ana Lima", "problem": null},
        ])
    );
    // The handle was used; a second use is refused.
    let e = env.app.err(
        "import_sheet",
        json!({"folderId": env.folder, "handle": handle}),
    );
    assert_eq!(e["kind"], "invalid_input");

    // Fixed: the plan can be applied.
    set_cell(&mut table, &numbers[3], "Season", "");
    write_sheet(&table, &sheet);
    let handle = drop_files(&env.app, &dropped, std::slice::from_ref(&sheet));
    let preview = env.app.ok(
        "import_sheet",
        json!({"folderId": env.folder, "handle": handle}),
    );
    assert_eq!(preview["problems"], 0);
    assert!(preview["planId"].is_string(), "{preview}");
    assert_eq!(
        env.sandbox.controls().requests_seen("/update"),
        sent_before,
        "previews send nothing"
    );
    let started = env.app.ok("run_bulk", json!({"planId": preview["planId"]}));
    assert_eq!(started["total"], 2);
    let end = finished(&env, &started["editId"]);
    assert_eq!(end["kind"], "import");
    assert_eq!(end["counts"]["changed"], 2, "{end}");

    // Exactly the edited cells changed.
    let after = images(&env);
    for (b, a) in before.iter().zip(&after) {
        for field in [
            "season",
            "designer",
            "colors",
            "description",
            "artwork_type",
            "header_name",
        ] {
            let expected = match (b.header_number.as_str(), field) {
                (n, "season") if n == numbers[0] => json!("Spring"),
                (n, "designer") if n == numbers[0] => json!("Ana Lima"),
                (n, "colors") if n == numbers[2] => json!(["Red", "Blue"]),
                _ => value(b, field),
            };
            assert_eq!(value(a, field), expected, "{} {field}", b.header_number);
        }
    }

    // A drop of something else than one sheet is refused.
    let png = home.join("x.png");
    std::fs::write(&png, b"not a sheet").unwrap();
    let handle = drop_files(&env.app, &dropped, &[png]);
    let e = env.app.err(
        "import_sheet",
        json!({"folderId": env.folder, "handle": handle}),
    );
    assert!(
        e["message"].as_str().unwrap().contains("one spreadsheet"),
        "{e}"
    );
}

/// Every bulk command's reply and both events, from a real run, in `ui/contract/bulk.json`
/// (lists made non-empty: a skipped image, a failed one, an interrupted edit, a problem cell).
#[test]
fn the_bulk_contract_is_current() {
    let env = start(8);
    let mut c = Replies::default();
    let all = images(&env);
    let ids: Vec<String> = all.iter().map(|i| i.id.clone()).collect();
    let controls = env.sandbox.controls();

    // A deleted image is skipped; one image fails every attempt.
    c.ok(
        &env.app,
        "delete_images",
        json!({"folderId": env.folder, "selection": {"ids": [ids[7]]}}),
    );
    controls.fail_next(4, &format!("{}/update", ids[0]), FaultKind::Status503);
    let preview = c.ok(
        &env.app,
        "plan_bulk_edit",
        json!({"folderId": env.folder, "selection": {"ids": ids}, "edits": edits()}),
    );
    let started = c.ok(&env.app, "run_bulk", json!({"planId": preview["planId"]}));
    finished(&env, &started["editId"]);
    c.ok(&env.app, "bulk_status", json!({}));
    let retry = c.ok(&env.app, "retry_bulk", json!({"editId": started["editId"]}));
    wait_until_within(Duration::from_secs(60), "the retry's end", || {
        env.finished
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f["editId"] == retry["editId"])
            .count()
            == 2
    });
    let undo = c.ok(&env.app, "undo_bulk", json!({"editId": started["editId"]}));
    finished(&env, &undo["editId"]);

    // Cancelled, then seen as interrupted by the next start.
    let preview = c.ok(
        &env.app,
        "plan_bulk_edit",
        json!({"folderId": env.folder, "selection": {"all": {"quick": null, "filters": []}, "except": []}, "edits": edits()}),
    );
    controls.set_latency_ms(300);
    let started = c.ok(&env.app, "run_bulk", json!({"planId": preview["planId"]}));
    wait_until_within(Duration::from_secs(30), "the first image's outcome", || {
        env.progress
            .lock()
            .unwrap()
            .iter()
            .any(|p| p["editId"] == started["editId"])
    });
    c.ok(&env.app, "cancel_bulk", json!({}));
    finished(&env, &started["editId"]);
    controls.set_latency_ms(0);
    let next = TestApp::env_mode(&env.sandbox, &env.dir.path().join("embedded"));
    next.app
        .manage(BulkRuns::open(&env.dir.path().join("data")).unwrap());
    let status = c.ok(&next, "bulk_status", json!({}));
    assert!(
        !status["interrupted"].as_array().unwrap().is_empty(),
        "{status}"
    );
    c.ok(&next, "discard_bulk", json!({"editId": started["editId"]}));

    // Presets.
    c.ok(
        &env.app,
        "save_preset",
        json!({"folderId": env.folder, "name": "Fall", "edits": edits()}),
    );
    let listed = c.ok(&env.app, "list_presets", json!({"folderId": env.folder}));
    c.ok(
        &env.app,
        "delete_preset",
        json!({"folderId": env.folder, "presetId": listed[0]["id"]}),
    );

    // Export (the dialog's part aside) and an import with a refused cell and an unknown row.
    let library = library(&env.app);
    let sheet = env.dir.path().join("c.csv");
    let exported = tauri::async_runtime::block_on(export_to_path(
        &library,
        &env.folder,
        None,
        None,
        Format::Csv,
        &sheet,
    ))
    .unwrap();
    c.note("export_sheet", &serde_json::to_value(&exported).unwrap());
    let mut table = read_sheet(&sheet).unwrap();
    let number = table.rows[0][0].clone();
    set_cell(&mut table, &number, "Season", "Winter");
    set_cell(&mut table, &number, "Designer", "Ana");
    let mut unknown = table.rows[0].clone();
    unknown[0] = "NO-SUCH-1".into();
    table.rows.push(unknown);
    write_sheet(&table, &sheet);
    let dropped = record(&env.app, DROPPED_EVENT);
    let handle = drop_files(&env.app, &dropped, &[sheet]);
    c.ok(
        &env.app,
        "import_sheet",
        json!({"folderId": env.folder, "handle": handle}),
    );

    let events = |seen: &Seen| {
        json!(common::contract::member_paths(&Value::Array(
            seen.lock().unwrap().clone()
        )))
    };
    common::contract::check_contract_file(
        "bulk",
        &json!({
            "replyMembers": c.replies,
            "eventMembers": {
                PROGRESS_EVENT: events(&env.progress),
                FINISHED_EVENT: events(&env.finished),
            },
        }),
    );
}

/// An image the upload queue is still processing is skipped with the reason; a selection of
/// more than 10,000 images is refused before anything is read.
#[test]
fn busy_images_are_skipped_and_too_large_selections_refused() {
    let env = start(3);
    let ids = ids(&env);
    let controls = env.sandbox.controls();
    // A new version of the first image stays processing on the server.
    controls.set_processing_ms(10 * 60 * 1000, 0);
    let dropped = record(&env.app, DROPPED_EVENT);
    let png = env.dir.path().join("front.png");
    common::uploads::write_png(&png, 7);
    let handle = drop_files(&env.app, &dropped, &[png]);
    env.app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "version", "imageId": ids[0]}}),
    );
    let preview = plan(&env, json!({"ids": ids}), edits());
    assert_eq!(preview["changing"], 2, "{preview}");
    assert_eq!(preview["skipped"][0]["image"]["id"], ids[0].as_str());
    let reason = preview["skipped"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("processing an upload (front.png)"),
        "{reason}"
    );

    // 10,001 chosen ids: refused at once, none of them read. (Not a count of all header reads:
    // the upload queue's poller reads the processing image meanwhile.)
    let many: Vec<String> = (0..10_001)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let e = env.app.err(
        "plan_bulk_edit",
        json!({"folderId": env.folder, "selection": {"ids": many}, "edits": edits()}),
    );
    assert!(
        e["message"].as_str().unwrap().contains("at most 10000"),
        "{e}"
    );
    for id in &many[..2 * image_library::bulk::IN_FLIGHT] {
        assert_eq!(controls.requests_seen(id), 0, "{id} was read");
    }
    // Everything a search matches, when it matches more: refused after one page of one.
    let big = controls.create_folder("Big", Some(&env.folder)).unwrap();
    controls.seed_images(&big, 10_002).unwrap();
    let e = env.app.err(
        "plan_bulk_edit",
        json!({"folderId": big, "selection": {"all": {"quick": null, "filters": []}, "except": [ids[0]]}, "edits": edits()}),
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("10001 images selected"),
        "{e}"
    );
    tauri::async_runtime::block_on(
        env.app
            .app
            .state::<beproduct_images_lib::uploads::UploadHost>()
            .shutdown(),
    );
}
