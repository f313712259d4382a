//! The page cannot name paths: files reach the upload queue only through a handle the backend
//! issued for a native drop (or the file dialog). Driven through the real IPC path against a real
//! sandbox on 127.0.0.1; the drop itself is `file_handles::announce_drop`, what the window's
//! `WindowEvent::DragDrop` handler calls (the OS part is covered by tests/e2e/test_upload.py).

mod common;

use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::file_handles::{announce_drop, DROPPED_EVENT};
use beproduct_images_lib::sandbox_host::SandboxHost;
use beproduct_images_lib::uploads::{UploadHost, EVENT};
use common::uploads::{drop_files, folder_id, jobs, record, wait_until, write_png};
use common::{sandbox_credentials, start_sandbox, test_keychain, TestApp};
use serde_json::json;
use tauri::{Manager, PhysicalPosition};

#[test]
fn only_a_handle_the_backend_issued_for_a_drop_is_queued() {
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
    let target = json!({"kind": "newImage", "folderId": prints});

    // What the user drops: a folder with an image, a text file and a sub-folder image, and one
    // loose image.
    let home = dir.path().join("home");
    let shoot = home.join("Shoot");
    std::fs::create_dir_all(shoot.join("raw")).unwrap();
    write_png(&shoot.join("front.png"), 1);
    write_png(&shoot.join("raw").join("back.png"), 2);
    std::fs::write(shoot.join("raw").join("notes.txt"), "not an image").unwrap();
    let loose = home.join("loose.png");
    write_png(&loose, 3);

    let dropped = record(&app, DROPPED_EVENT);
    let upload_events = record(&app, EVENT);
    let requests_before = sandbox.controls().requests_seen("/api/");

    // Made-up paths, the old argument, forged handles: refused before anything is read or sent.
    let made_up = [
        json!({"paths": ["/etc"], "target": target}),
        json!({"paths": [home.join(".ssh").display().to_string()], "target": target}),
        json!({"handle": "/etc", "target": target}),
        json!({"handle": "files-0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab", "target": target}),
        json!({"target": target}),
    ];
    for args in &made_up {
        let e = app.err("enqueue_uploads", args.clone());
        assert_eq!(e["kind"], "invalid_input", "{args}: {e}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("Drop the files") || message.contains("does not take file paths"),
            "{message}"
        );
        assert!(!e.to_string().contains("passwd"), "nothing listed: {e}");
    }
    assert!(jobs(&app).is_empty(), "nothing was queued");

    // The native drop: Rust keeps the paths, the page gets a handle, names and the position.
    announce_drop(
        app.app.handle(),
        "main",
        vec![shoot.clone(), loose.clone()],
        PhysicalPosition::new(120.0, 80.0),
    );
    wait_until("the drop event", || !dropped.lock().unwrap().is_empty());
    let event = dropped
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("app://dropped was emitted");
    assert_eq!(event["count"], 2, "{event}");
    assert_eq!(event["names"], json!(["Shoot", "loose.png"]));
    assert_eq!(event["position"], json!({"x": 120.0, "y": 80.0}));
    assert!(
        !event.to_string().contains(&home.display().to_string()),
        "no full path reaches the page: {event}"
    );
    let handle = event["handle"].as_str().unwrap().to_owned();

    // A bad target is refused without using the handle up.
    let e = app.err(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "version", "imageId": "../x"}}),
    );
    assert_eq!(e["kind"], "invalid_input", "{e}");

    let res = app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": target}),
    );
    assert_eq!(res["accepted"], 3, "counts, not jobs: {res}");
    assert_eq!(res["rejected"], json!([]));
    let skipped = res["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{res}");
    assert_eq!(
        skipped[0]["name"], "Shoot/raw/notes.txt",
        "named relative to the drop"
    );
    assert!(
        !res.to_string().contains(&home.display().to_string()),
        "no full path in the answer: {res}"
    );

    // Single use.
    let e = app.err(
        "enqueue_uploads",
        json!({"handle": handle, "target": target}),
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Drop the files again"),
        "{e}"
    );

    // The jobs arrive as upload events and land.
    wait_until("the three jobs in upload events", || {
        upload_events
            .lock()
            .unwrap()
            .iter()
            .flat_map(|batch| batch.as_array().cloned().unwrap_or_default())
            .filter(|ev| ev["type"] == "jobsAdded")
            .map(|ev| ev["jobs"].as_array().map_or(0, Vec::len))
            .sum::<usize>()
            == 3
    });
    wait_until("the three uploads to finish", || {
        let jobs = jobs(&app);
        jobs.len() == 3 && jobs.iter().all(|j| j["state"]["kind"] == "done")
    });
    let mut names: Vec<String> = jobs(&app)
        .iter()
        .map(|j| j["fileName"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["back.png", "front.png", "loose.png"]);
    assert!(sandbox.controls().requests_seen("/api/") > requests_before);
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
}

#[test]
fn a_drop_of_nothing_issues_no_handle() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::new(ConnectionManager::new(
        test_keychain(),
        SandboxHost::new(dir.path().join("embedded")),
        None,
    ));
    let dropped = record(&app, DROPPED_EVENT);
    announce_drop(
        app.app.handle(),
        "main",
        Vec::new(),
        PhysicalPosition::new(1.0, 1.0),
    );
    // Events arrive in order: once a real drop's is heard, an empty drop's would have been.
    let file = dir.path().join("one.png");
    write_png(&file, 1);
    let handle = drop_files(&app, &dropped, &[file]);
    let heard = dropped.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0]["handle"], handle);
}
