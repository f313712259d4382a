//! Helpers for tests that upload through the app's commands: real PNG files, the events the
//! app emits, and waiting on a condition with a deadline.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tauri::Listener;

use super::TestApp;

pub fn write_png(path: &Path, seed: u8) {
    image::RgbImage::from_fn(16, 12, |x, y| {
        image::Rgb([seed, (x * 9) as u8, (y * 13) as u8])
    })
    .save_with_format(path, image::ImageFormat::Png)
    .unwrap();
}

/// Payloads of one event, in the order the app emitted them.
pub type Seen = Arc<Mutex<Vec<Value>>>;

/// Every payload of `event` the app emits from now on.
pub fn record(app: &TestApp, event: &str) -> Seen {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    app.app.listen_any(event, move |e| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });
    seen
}

/// Polls `check` every 20 ms until it holds; fails after `limit`.
pub fn wait_until_within(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn wait_until(what: &str, check: impl FnMut() -> bool) {
    wait_until_within(Duration::from_secs(30), what, check);
}

pub fn jobs(app: &TestApp) -> Vec<Value> {
    app.ok("upload_jobs", json!({}))["jobs"]
        .as_array()
        .unwrap()
        .clone()
}

/// Drops `files` on the window as the OS would; returns the handle the page is given.
pub fn drop_files(app: &TestApp, dropped: &Seen, files: &[std::path::PathBuf]) -> Value {
    let seen = dropped.lock().unwrap().len();
    beproduct_images_lib::file_handles::announce_drop(
        tauri::Manager::app_handle(&app.app),
        "main",
        files.to_vec(),
        tauri::PhysicalPosition::new(10.0, 10.0),
    );
    // Listeners may hear the event a moment after it was emitted.
    wait_until("the drop event", || dropped.lock().unwrap().len() > seen);
    let handle = dropped.lock().unwrap()[seen]["handle"].clone();
    handle
}

/// The job `id` as `upload_jobs` lists it.
pub fn job(app: &TestApp, id: &str) -> Value {
    jobs(app)
        .into_iter()
        .find(|j| j["id"] == id)
        .unwrap_or_else(|| panic!("no job {id}"))
}

/// The kind of job `id`'s state (`queued`, `done`, …).
pub fn state(app: &TestApp, id: &str) -> String {
    job(app, id)["state"]["kind"].as_str().unwrap().to_owned()
}

/// The id of the demo folder called `name`.
pub fn folder_id(app: &TestApp, name: &str) -> String {
    app.ok("list_folders", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no folder {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
