//! "May have landed" through the app's commands: an upload whose answer was lost while the
//! server processes slowly is watched, then waits for the user; `check_again` and `send_again`
//! settle it. Real sandbox on 127.0.0.1, real IPC path; the watch is scaled down (2 s against
//! 10 min of processing) because the property is about relative durations.

mod common;

use std::time::Duration;

use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::file_handles::DROPPED_EVENT;
use beproduct_images_lib::sandbox_host::SandboxHost;
use beproduct_images_lib::uploads::UploadHost;
use beproduct_sandbox::FaultKind;
use common::uploads::{
    drop_files, folder_id, job, jobs, record, state, wait_until, wait_until_within, write_png,
};
use common::{sandbox_credentials, start_sandbox, test_keychain, TestApp};
use serde_json::json;
use tauri::Manager;
use upload_queue::QueueConfig;

const WATCH: Duration = Duration::from_secs(2);
const SLOW_PROCESSING_MS: u64 = 10 * 60 * 1000;

fn files_on(app: &TestApp, image_id: &str) -> usize {
    let image = app.ok("get_image", json!({"id": image_id}));
    image["files"].as_array().map_or(0, Vec::len)
}

/// Drops `file` (as the window would), queues it as a new image and returns the job id.
fn drop_and_queue(
    app: &TestApp,
    dropped: &common::uploads::Seen,
    file: &std::path::Path,
    folder: &str,
) -> String {
    let before = jobs(app).len();
    let handle = drop_files(app, dropped, &[file.to_path_buf()]);
    let res = app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "newImage", "folderId": folder}}),
    );
    assert_eq!(res["accepted"], 1, "{res}");
    wait_until("the job in the list", || jobs(app).len() == before + 1);
    jobs(app).last().unwrap()["id"].as_str().unwrap().to_owned()
}

#[test]
fn check_again_and_send_again_settle_uploads_that_may_have_landed() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let controls = sandbox.controls();
    let app = TestApp::with_upload_config(
        ConnectionManager::new(
            test_keychain(),
            SandboxHost::new(dir.path().join("embedded")),
            Some(sandbox_credentials(&sandbox)),
        ),
        &dir.path().join("data"),
        QueueConfig {
            processing_timeout: WATCH,
            ..QueueConfig::new(dir.path().join("data"))
        },
    );
    let prints = folder_id(&app, "Prints");
    let dropped = record(&app, DROPPED_EVENT);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    // Processing slower than the watch; each upload's answer is lost after the server took it.
    controls.set_processing_ms(SLOW_PROCESSING_MS, 0);
    let mut ids = Vec::new();
    for (i, name) in ["landed.png", "resent.png"].iter().enumerate() {
        let file = home.join(name);
        write_png(&file, 10 + i as u8);
        controls.fail_next(1, "/image/upload", FaultKind::DropAfterHandling);
        let id = drop_and_queue(&app, &dropped, &file, &prints);
        wait_until_within(WATCH * 10, "may have landed", || {
            state(&app, &id) == "mayHaveLanded"
        });
        ids.push(id);
    }
    let (landed, resent) = (ids[0].clone(), ids[1].clone());
    assert_eq!(
        controls.requests_seen("/image/upload"),
        2,
        "not sent again by itself"
    );
    let totals = &app.ok("upload_jobs", json!({}))["totals"];
    assert_eq!(totals["mayHaveLanded"], 2, "{totals}");

    // The server finishes processing; once the file shows, Check again finds it.
    controls.set_processing_ms(0, 0);
    let landed_image = job(&app, &landed)["imageId"].as_str().unwrap().to_owned();
    wait_until("the server to finish processing", || {
        files_on(&app, &landed_image) == 1
    });
    let res = app.ok("check_again", json!({"jobIds": [landed]}));
    assert_eq!(res, json!({"queued": 1, "refused": []}));
    wait_until("check again finds the file", || {
        state(&app, &landed) == "done"
    });
    assert_eq!(files_on(&app, &landed_image), 1);

    // Send again (the user's choice) sends the file once more: it had landed too, so the image
    // now holds two files — the duplicate the page warns about before calling it.
    let res = app.ok(
        "send_again",
        json!({"jobIds": [resent, landed, "no-such-job"]}),
    );
    assert_eq!(res["queued"], 1, "{res}");
    let refused = res["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{res}");
    assert_eq!(refused[0]["jobId"], landed.as_str());
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("only possible when it is may have landed"),
        "{res}"
    );
    assert_eq!(refused[1]["jobId"], "no-such-job");
    wait_until("send again lands", || state(&app, &resent) == "done");
    let resent_image = job(&app, &resent)["imageId"].as_str().unwrap().to_owned();
    assert_eq!(controls.requests_seen("/image/upload"), 3);
    wait_until("both copies processed", || {
        files_on(&app, &resent_image) == 2
    });
    assert_eq!(
        files_on(&app, &landed_image),
        1,
        "the other image is untouched"
    );
    tauri::async_runtime::block_on(app.app.state::<UploadHost>().shutdown());
}
