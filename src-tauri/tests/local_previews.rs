//! `local_preview`: a preview made on this machine from an upload's file, for the tray and a
//! processing card, through the real IPC path. A PSD (made here with ImageMagick) comes back as
//! a PNG data URL with its colours; a file with no usable preview says why.

mod common;

use base64::Engine;
use beproduct_images_lib::commands::previews::LocalPreviews;
use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::file_handles::DROPPED_EVENT;
use beproduct_images_lib::sandbox_host::SandboxHost;
use common::uploads::{drop_files, folder_id, jobs, record};
use common::{sandbox_credentials, start_sandbox, test_keychain, TestApp};
use serde_json::json;
use tauri::Manager;

fn convert(args: &[&str]) {
    let status = std::process::Command::new("convert")
        .args(args)
        .status()
        .expect("ImageMagick's convert is needed (Debian package imagemagick; scripts/setup.sh)");
    assert!(status.success(), "convert {args:?}");
}

#[test]
fn an_uploads_psd_is_previewed_locally_with_its_colours() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let data = dir.path().join("data");
    let app = TestApp::with_uploads(
        ConnectionManager::new(
            test_keychain(),
            SandboxHost::new(dir.path().join("embedded")),
            Some(sandbox_credentials(&sandbox)),
        ),
        &data,
    );
    app.app.manage(LocalPreviews::open(&data).unwrap());
    let prints = folder_id(&app, "Prints");
    let psd = dir.path().join("split.psd");
    convert(&[
        "-size",
        "64x32",
        "xc:red",
        "-size",
        "64x32",
        "xc:blue",
        "+append",
        psd.to_str().unwrap(),
    ]);
    let dropped = record(&app, DROPPED_EVENT);
    let handle = drop_files(&app, &dropped, &[psd]);
    let queued = app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "newImage", "folderId": prints}}),
    );
    assert_eq!(queued["accepted"], 1, "{queued}");
    let job_id = jobs(&app)[0]["id"].as_str().unwrap().to_owned();

    let preview = app.ok("local_preview", json!({"jobId": job_id}));
    let url = preview["url"].as_str().unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(
            url.strip_prefix("data:image/png;base64,")
                .expect("a PNG data URL"),
        )
        .unwrap();
    let image = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!((image.width(), image.height()), (128, 32));
    let near =
        |p: &image::Rgb<u8>, want: [u8; 3]| p.0.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= 12);
    assert!(
        near(image.get_pixel(16, 16), [255, 0, 0]),
        "{:?}",
        image.get_pixel(16, 16)
    );
    assert!(
        near(image.get_pixel(112, 16), [0, 0, 255]),
        "{:?}",
        image.get_pixel(112, 16)
    );

    // Unknown job, and a job whose file has no preview: each says why.
    let e = app.err("local_preview", json!({"jobId": "nope"}));
    assert_eq!(e["kind"], "invalid_input", "{e}");
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\n not really a png").unwrap();
    let handle = drop_files(&app, &dropped, &[broken]);
    app.ok(
        "enqueue_uploads",
        json!({"handle": handle, "target": {"kind": "newImage", "folderId": prints}}),
    );
    let broken_job = jobs(&app)
        .into_iter()
        .find(|j| j["fileName"] == "broken.png")
        .expect("the broken file was queued");
    let e = app.err("local_preview", json!({"jobId": broken_job["id"]}));
    assert_eq!(e["kind"], "invalid_input", "{e}");
    assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
}
