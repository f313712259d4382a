//! Every upload command through the real IPC path (TestApp) against a real sandbox on
//! 127.0.0.1, and the upload half of the contract with the page (`ui/contract/uploads.json`):
//! the members of each reply and of each `upload://event` type, taken from what this run saw.
//! `tests/js/contract.test.mjs` checks what the page reads against it. `pick_upload_files` is
//! the one command not called here: it opens the native GTK dialog, which needs a display and
//! someone to answer it; what it returns is a drop's handle, whose path `uploads_by_handle.rs`
//! tests.

mod common;

use std::path::{Path, PathBuf};

use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::file_handles::DROPPED_EVENT;
use beproduct_images_lib::sandbox_host::SandboxHost;
use beproduct_images_lib::uploads::{UploadHost, EVENT as UPLOAD_EVENT};
use beproduct_sandbox::{Oversize, Sandbox, SandboxConfig, Seed, SourceOptions};
use common::contract::{check_contract_file, member_paths, Replies};
use common::uploads::{
    drop_files, folder_id, job, jobs, record, state, wait_until, write_png, Seen,
};
use common::{sandbox_credentials, test_keychain, TestApp};
use serde_json::{json, Map, Value};
use tauri::Manager;
use upload_queue::QueueConfig;

/// A sandbox that also serves its own upload sources (`/__sandbox/sources/…`).
fn start_sandbox_with_sources(dir: &Path) -> Sandbox {
    let config = SandboxConfig {
        data_dir: dir.to_path_buf(),
        seed: Seed::Demo,
        processing_ms: 50,
        test_controls: true,
        ..SandboxConfig::default()
    };
    tauri::async_runtime::block_on(Sandbox::start(config)).expect("sandbox starts")
}

/// An app on `sandbox` whose queue's journal is in `dir`; connected at once, as the app's
/// start-up connects (the queue runs jobs only with their own server's client).
fn app_for(sandbox: &Sandbox, dir: &Path) -> TestApp {
    let app = TestApp::with_upload_config(
        ConnectionManager::new(
            test_keychain(),
            SandboxHost::new(dir.join("embedded")),
            Some(sandbox_credentials(sandbox)),
        ),
        &dir.join("data"),
        QueueConfig::new(dir.join("data")),
    );
    app.ok("list_folders", json!({}));
    app
}

/// Waits for job `id` to reach `want`; a timeout names the state it was left in.
fn wait_for_state(app: &TestApp, id: &str, want: &str) {
    let mut last = Value::Null;
    let reached = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_until(&format!("job {id} to be {want}"), || {
            last = job(app, id);
            last["state"]["kind"] == want
        })
    }));
    assert!(
        reached.is_ok(),
        "job never became {want}; last seen: {last}"
    );
}

/// A PNG of noise: `side`² pixels, about 3·side² bytes, since noise does not compress.
fn write_noise_png(path: &Path, side: u32) {
    let mut seed = 0x2545_f491_u32;
    image::RgbImage::from_fn(side, side, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [a, b, c, _] = seed.to_le_bytes();
        image::Rgb([a, b, c])
    })
    .save_with_format(path, image::ImageFormat::Png)
    .unwrap();
}

/// Drops `files` on the window and queues them as new images in `folder`.
fn drop_and_queue(app: &TestApp, dropped: &Seen, files: &[PathBuf], folder: &str) -> Value {
    let handle = drop_files(app, dropped, files);
    app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "newImage", "folderId": folder}}),
    )
}

/// The id of the job for the file called `name`.
fn job_named(app: &TestApp, name: &str) -> String {
    let mut id = String::new();
    wait_until(&format!("a job for {name}"), || {
        match jobs(app).into_iter().find(|j| j["fileName"] == name) {
            Some(j) => {
                id = j["id"].as_str().unwrap().to_owned();
                true
            }
            None => false,
        }
    });
    id
}

/// Events by type, as member paths (union over every one seen).
struct Contract;

impl Contract {
    fn events(events: &Seen) -> Map<String, Value> {
        let mut by_type: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for batch in events.lock().unwrap().iter() {
            for event in batch.as_array().expect("events come in batches (arrays)") {
                let kind = event["type"].as_str().expect("every event has a type");
                by_type
                    .entry(kind.to_owned())
                    .or_default()
                    .push(event.clone());
            }
        }
        by_type
            .into_iter()
            .map(|(kind, seen)| (kind, json!(member_paths(&Value::Array(seen)))))
            .collect()
    }
}

#[test]
fn every_upload_command_answers_through_ipc_and_the_contract_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox_with_sources(&dir.path().join("server"));
    let controls = sandbox.controls();
    let app = app_for(&sandbox, dir.path());
    let prints = folder_id(&app, "Prints");
    let dropped = record(&app, DROPPED_EVENT);
    let events = record(&app, UPLOAD_EVENT);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut contract = Replies::default();
    let new_image = json!({"kind": "newImage", "folderId": prints});

    // A web address the queue refuses comes back as the error the page shows.
    for (url, says) in [
        ("ftp://example.com/a.png", "not an http(s) URL"),
        ("  ", "not an http(s) URL"),
    ] {
        let err = app.err("enqueue_url", json!({"url": url, "target": new_image}));
        assert_eq!(err["kind"], "invalid_input", "{err}");
        assert!(err["message"].as_str().unwrap().contains(says), "{err}");
    }
    let err = app.err(
        "enqueue_url",
        json!({"url": "https://example.com/a.png", "target": {"kind": "newImage", "folderId": "../x"}}),
    );
    assert!(
        err["message"].as_str().unwrap().contains("folder id"),
        "{err}"
    );

    // enqueue_url → cancel while the download is held → retry → done.
    let held = home.join("held.png");
    write_png(&held, 1);
    let hold = SourceOptions {
        hold: true,
        content_type: Some("image/png".into()),
        ..SourceOptions::default()
    };
    controls
        .put_source("held.png", std::fs::read(&held).unwrap(), hold)
        .unwrap();
    let queued = contract.ok(
        &app,
        "enqueue_url",
        json!({"url": controls.source_url("held.png"), "target": new_image}),
    );
    let url_job = queued["jobId"].as_str().unwrap().to_owned();
    wait_until("the URL job to wait on its source", || {
        state(&app, &url_job) == "uploading"
    });
    let cancelled = contract.ok(&app, "cancel_upload", json!({"id": url_job}));
    assert_eq!(cancelled["state"]["kind"], "cancelled", "{cancelled}");
    controls.release_source("held.png").unwrap();
    let again = contract.ok(&app, "retry_upload", json!({"id": url_job}));
    assert_ne!(again["state"]["kind"], "cancelled", "{again}");
    wait_for_state(&app, &url_job, "done");
    let err = app.err("cancel_upload", json!({"id": "no-such-job"}));
    assert_eq!(err["kind"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("no upload job"),
        "{err}"
    );

    // The same file dropped twice: the second is a duplicate until the user sends it anyway.
    let twice = home.join("twice.png");
    write_png(&twice, 2);
    let first = drop_and_queue(&app, &dropped, std::slice::from_ref(&twice), &prints);
    contract.note("enqueue_uploads", &first);
    assert_eq!(first["accepted"], 1, "{first}");
    let first_job = job_named(&app, "twice.png");
    wait_for_state(&app, &first_job, "done");
    drop_and_queue(&app, &dropped, std::slice::from_ref(&twice), &prints);
    wait_until("the second drop flagged as a duplicate", || {
        jobs(&app)
            .iter()
            .any(|j| j["fileName"] == "twice.png" && j["state"]["kind"] == "duplicate")
    });
    let duplicate = jobs(&app)
        .into_iter()
        .find(|j| j["fileName"] == "twice.png" && j["state"]["kind"] == "duplicate")
        .unwrap();
    assert_eq!(duplicate["duplicateOf"], first_job.as_str());
    let duplicate_id = duplicate["id"].as_str().unwrap().to_owned();
    contract.ok(&app, "send_upload_anyway", json!({"id": duplicate_id}));
    wait_for_state(&app, &duplicate_id, "done");

    // Files over the server's limit fail for good; once the limit is raised, one is retried
    // by itself and the rest with "Retry failed".
    controls.set_upload_limit(1, Oversize::Status413);
    let big: Vec<PathBuf> = ["big-a.png", "big-b.png"]
        .iter()
        .map(|name| home.join(name))
        .collect();
    // Far over the limit, so the server's 413 comes while the body still streams (a 413
    // after the last byte may reach the client as a reset: an unknown outcome, watched).
    for (i, path) in big.iter().enumerate() {
        write_noise_png(path, 1800 + i as u32);
        assert!(std::fs::metadata(path).unwrap().len() > 8 * 1024 * 1024);
    }
    let notes = home.join("notes.txt");
    std::fs::write(&notes, "not an image").unwrap();
    let res = drop_and_queue(
        &app,
        &dropped,
        &[big.clone(), vec![notes]].concat(),
        &prints,
    );
    contract.note("enqueue_uploads", &res);
    assert_eq!(res["accepted"], 2, "{res}");
    assert_eq!(res["skipped"][0]["name"], "notes.txt", "{res}");
    let (big_a, big_b) = (job_named(&app, "big-a.png"), job_named(&app, "big-b.png"));
    for id in [&big_a, &big_b] {
        wait_for_state(&app, id, "failed");
        assert_eq!(job(&app, id)["state"]["permanent"], true);
    }
    contract.note("upload_jobs", &app.ok("upload_jobs", json!({})));
    controls.set_upload_limit(50, Oversize::Status413);
    // Slow enough (about 5 MB/s) for the page's byte-progress events to show.
    controls.set_upload_kbps(Some(40_000));
    contract.ok(&app, "retry_upload", json!({"id": big_a}));
    wait_for_state(&app, &big_a, "done");
    controls.set_upload_kbps(None);
    let retried = contract.ok(&app, "retry_failed_uploads", json!({}));
    assert_eq!(retried, 1);
    wait_for_state(&app, &big_b, "done");

    // Clear finished: every job above is done, so the list empties; the page hears it.
    let finished: Vec<String> = jobs(&app)
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_owned())
        .collect();
    let removed = contract.ok(&app, "clear_finished_uploads", json!({}));
    let mut removed: Vec<String> = serde_json::from_value(removed).unwrap();
    removed.sort();
    let mut expected = finished.clone();
    expected.sort();
    assert_eq!(removed, expected);
    assert!(jobs(&app).is_empty());
    wait_until("the jobsRemoved event", || {
        Contract::events(&events).contains_key("jobsRemoved")
    });
    contract.ok(&app, "upload_jobs", json!({}));
    let decided = contract.ok(&app, "check_again", json!({"jobIds": ["no-such-job"]}));
    assert_eq!(decided["queued"], 0, "{decided}");
    assert_eq!(decided["refused"][0]["jobId"], "no-such-job", "{decided}");
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());

    let event_members = Contract::events(&events);
    for kind in ["jobsAdded", "jobChanged", "progress", "jobsRemoved"] {
        assert!(event_members.contains_key(kind), "no {kind} event seen");
    }
    check_contract_file(
        "uploads",
        &json!({"replyMembers": contract.replies, "eventMembers": event_members}),
    );
}

/// Jobs a previous run left unfinished wait for Resume or Discard, through the commands.
#[test]
fn interrupted_uploads_are_resumed_or_discarded_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox_with_sources(&dir.path().join("server"));
    let controls = sandbox.controls();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    // One run per file: it is left processing (the server is slow) when the app stops.
    let leave_unfinished = |name: &str, seed: u8| -> String {
        let app = app_for(&sandbox, dir.path());
        let prints = folder_id(&app, "Prints");
        let dropped = record(&app, DROPPED_EVENT);
        let file = home.join(name);
        write_png(&file, seed);
        controls.set_processing_ms(10 * 60 * 1000, 0);
        drop_and_queue(&app, &dropped, &[file], &prints);
        let id = job_named(&app, name);
        wait_for_state(&app, &id, "processing");
        tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
        id
    };

    let resumed = leave_unfinished("resumed.png", 3);
    controls.set_processing_ms(0, 0);
    let app = app_for(&sandbox, dir.path());
    let snapshot = app.ok("upload_jobs", json!({}));
    assert_eq!(
        snapshot["interrupted"][0]["id"],
        resumed.as_str(),
        "{snapshot}"
    );
    let continued = app.ok("resume_interrupted_uploads", json!({}));
    assert_eq!(continued[0]["id"], resumed.as_str(), "{continued}");
    wait_for_state(&app, &resumed, "done");
    let image = job(&app, &resumed)["imageId"].clone();
    let header = app.ok("get_image", json!({"id": image}));
    assert_eq!(
        header["files"].as_array().map_or(0, Vec::len),
        1,
        "sent once"
    );
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
    drop(app);

    let discarded = leave_unfinished("discarded.png", 4);
    let app = app_for(&sandbox, dir.path());
    let removed = app.ok("discard_interrupted_uploads", json!({}));
    assert_eq!(removed, json!([discarded]));
    assert!(jobs(&app).iter().all(|j| j["id"] != discarded.as_str()));
    assert_eq!(app.ok("upload_jobs", json!({}))["interrupted"], json!([]));
    assert_eq!(
        controls.requests_seen("/image/upload"),
        2,
        "resuming polls the upload the server has; nothing is sent twice"
    );
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
}

/// A journal that is not a journal (a disk tool scrambled it) does not stop the app: it is
/// moved aside, uploads work, and the page is told where the old one went.
#[test]
fn a_scrambled_journal_is_moved_aside_and_the_page_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox_with_sources(&dir.path().join("server"));
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join(beproduct_images_lib::uploads::JOURNAL_FILE),
        b"scrambled by a disk tool, not a database at all",
    )
    .unwrap();
    let app = app_for(&sandbox, dir.path());
    let snapshot = app.ok("upload_jobs", json!({}));
    let notice = &snapshot["journalNotice"];
    let moved_to = notice["movedTo"].as_str().expect("the page is told");
    assert!(Path::new(moved_to).exists(), "{notice}");
    assert!(
        notice["message"].as_str().unwrap().contains(moved_to),
        "the sentence names where the old journal went: {notice}"
    );
    // The new journal works.
    let prints = folder_id(&app, "Prints");
    let dropped = record(&app, DROPPED_EVENT);
    let file = dir.path().join("after.png");
    write_png(&file, 9);
    drop_and_queue(&app, &dropped, &[file], &prints);
    let id = job_named(&app, "after.png");
    wait_for_state(&app, &id, "done");
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
}

/// Widget values of one image as its form shows them, by field id.
fn form_values(app: &TestApp, folder: &str, image_id: &Value) -> Map<String, Value> {
    let header = app.ok("get_image", json!({"id": image_id}));
    app.ok("image_form", json!({"folderId": folder, "image": header}))
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["fieldId"].as_str().unwrap().to_owned(),
                f["value"].clone(),
            )
        })
        .collect()
}

/// Uploads with preset values: the `newImage` target's `fields` (widget values) are checked and
/// encoded by the folder's rules at enqueue; each new image (from a drop or a web address) is
/// created with them next to its number and name from the file name. An invalid value is
/// refused, naming the field, before anything is queued, and the drop can be used again.
#[test]
fn preset_values_reach_new_images_and_invalid_ones_are_refused_at_enqueue() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox_with_sources(&dir.path().join("server"));
    let controls = sandbox.controls();
    let app = app_for(&sandbox, dir.path());
    let prints = folder_id(&app, "Prints");
    let dropped = record(&app, DROPPED_EVENT);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let files: Vec<PathBuf> = ["preset-a.png", "preset-b.png"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let path = home.join(name);
            write_png(&path, 40 + i as u8);
            path
        })
        .collect();
    let preset = json!([
        {"id": "season", "value": "Fall"},
        {"id": "designer", "value": "Ana Lima"},
        {"id": "colors", "value": ["Red", "Blue"]},
    ]);
    let target = |fields: Value| json!({"kind": "newImage", "folderId": prints, "fields": fields});

    // Refused at enqueue, each naming the field; nothing is queued and nothing is sent.
    let handle = drop_files(&app, &dropped, &files);
    for (fields, names) in [
        (json!([{"id": "season", "value": "Monsoon"}]), "Season"),
        (json!([{"id": "width_px", "value": "wide"}]), "Width (px)"),
        (
            json!([{"id": "no_such_field", "value": "x"}]),
            "no_such_field",
        ),
        (
            json!([{"id": "header_name", "value": "All the same"}]),
            "header_name",
        ),
    ] {
        let err = app.err(
            "enqueue_uploads",
            json!({"handle": handle, "target": target(fields)}),
        );
        assert_eq!(err["kind"], "invalid_input", "{err}");
        assert!(err["message"].as_str().unwrap().contains(names), "{err}");
    }
    let err = app.err(
        "enqueue_url",
        json!({"url": "https://example.com/a.png",
               "target": target(json!([{"id": "season", "value": "Monsoon"}]))}),
    );
    assert!(err["message"].as_str().unwrap().contains("Season"), "{err}");
    assert!(jobs(&app).is_empty());
    assert_eq!(controls.requests_seen("/image/upload"), 0);

    // The same drop, now with valid values: both new images carry them.
    let queued = app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": target(preset.clone())}),
    );
    assert_eq!(queued["accepted"], 2, "{queued}");
    // And a web address.
    let url_file = home.join("preset-url.png");
    write_png(&url_file, 42);
    controls
        .put_source(
            "preset-url.png",
            std::fs::read(&url_file).unwrap(),
            SourceOptions {
                content_type: Some("image/png".into()),
                ..SourceOptions::default()
            },
        )
        .unwrap();
    app.ok(
        "enqueue_url",
        json!({"url": controls.source_url("preset-url.png"), "target": target(preset)}),
    );
    for name in ["preset-a.png", "preset-b.png", "preset-url.png"] {
        let id = job_named(&app, name);
        wait_for_state(&app, &id, "done");
        let job = job(&app, &id);
        let values = form_values(&app, &prints, &job["imageId"]);
        let stem = name.trim_end_matches(".png");
        assert_eq!(values["header_number"], stem, "{values:?}");
        assert_eq!(values["header_name"], stem, "{values:?}");
        assert_eq!(values["season"], "Fall", "{values:?}");
        assert_eq!(values["designer"], "Ana Lima", "{values:?}");
        assert_eq!(values["colors"], json!(["Red", "Blue"]), "{values:?}");
    }
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
}
