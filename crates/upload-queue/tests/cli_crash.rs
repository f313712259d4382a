//! `bp-upload` killed with SIGKILL at three points of one batch, resumed each time with
//! `--resume`: in the end every file is in the folder exactly once, with one file each.

mod common;

use common::{start, wait_for, write_jpeg, write_noise_jpeg, Env, Running};
use rusqlite::{Connection, OpenFlags};
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

/// A journal row as the test sees it through a read-only connection.
#[derive(Debug, Clone)]
struct Row {
    file_name: String,
    state: String,
    image_id: Option<String>,
    upload_id: Option<String>,
}

/// The journal as it is on disk now (empty while the binary has not created it yet).
fn journal_rows(path: &Path) -> Vec<Row> {
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return Vec::new();
    };
    let _ = conn.busy_timeout(Duration::from_secs(2));
    let Ok(mut stmt) =
        conn.prepare("SELECT file_name, state, image_id, upload_id FROM jobs ORDER BY seq")
    else {
        return Vec::new();
    };
    stmt.query_map([], |r| {
        Ok(Row {
            file_name: r.get(0)?,
            state: r.get(1)?,
            image_id: r.get(2)?,
            upload_id: r.get(3)?,
        })
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

fn resume_args(journal: &Path) -> Vec<&OsStr> {
    vec![
        OsStr::new("--journal"),
        journal.as_os_str(),
        OsStr::new("--resume"),
        OsStr::new("--concurrency"),
        OsStr::new("2"),
        OsStr::new("--processing-secs"),
        OsStr::new("10"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_three_points_then_resume_lands_every_file_once() {
    // Latency holds each request a while (time to kill); processing keeps uploads polled.
    let env: Env = start(|c| {
        c.latency_ms = 250;
        c.processing_ms = 1500;
    })
    .await;
    let batch = env.dir.path().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    let small = 8;
    for i in 0..small {
        write_jpeg(&batch.join(format!("look-{i}.jpg")), 100 + i);
    }
    // Sorted last, so it is sent after the small ones; larger than the socket buffers, so
    // while the server holds the request the body is only partly sent.
    let big = batch.join("zz-big.jpg");
    write_noise_jpeg(&big, 1800, 7);
    let big_size = std::fs::metadata(&big).unwrap().len();
    assert!(big_size > 4 * 1024 * 1024, "big file is {big_size} bytes");
    let journal = env.dir.path().join("state/uploads.sqlite");
    let folder = env.folder_id.clone();

    // (a) Kill right after the first image is created, before any upload answered.
    let mut first = Running::spawn(env.bp_upload(&[
        OsStr::new("--journal"),
        journal.as_os_str(),
        OsStr::new("--folder"),
        OsStr::new(&folder),
        OsStr::new("--concurrency"),
        OsStr::new("2"),
        OsStr::new("--processing-secs"),
        OsStr::new("10"),
        batch.as_os_str(),
    ]));
    wait_for(
        "a first image id in the journal",
        Duration::from_secs(30),
        || journal_rows(&journal).iter().any(|r| r.image_id.is_some()),
    )
    .await;
    first.kill_9();
    let rows = journal_rows(&journal);
    assert_eq!(
        rows.len(),
        small as usize + 1,
        "all jobs journaled: {rows:#?}"
    );
    assert!(rows.iter().all(|r| r.upload_id.is_none()), "{rows:#?}");
    let images_a = env.sandbox.controls().count_images(Some(&folder));
    assert!(images_a >= 1);
    eprintln!("(a) killed with {images_a} image(s) created, no upload answered");

    // (b) Kill while the big file's body is on its way (the server holds the request).
    let mut second = Running::spawn(env.bp_upload(&resume_args(&journal)));
    let mut big_image = None;
    wait_for(
        "the big file's upload to reach the server",
        Duration::from_secs(60),
        || {
            let rows = journal_rows(&journal);
            let Some(row) = rows.iter().find(|r| r.file_name == "zz-big.jpg") else {
                return false;
            };
            if row.state != "uploading" {
                return false;
            }
            let image = row.image_id.clone().unwrap();
            let seen = env
                .sandbox
                .controls()
                .requests_seen(&format!("{image}/Image/Upload"));
            big_image = Some(image);
            seen >= 1
        },
    )
    .await;
    second.kill_9();
    let big_image = big_image.unwrap();
    let sending: Vec<String> = second
        .lines()
        .into_iter()
        .filter(|l| l.contains("zz-big.jpg"))
        .collect();
    eprintln!("(b) killed mid-upload of zz-big.jpg ({big_size} bytes): {sending:?}");
    assert!(second.lines().iter().any(|l| l.starts_with("resuming")));

    // (c) Kill while an upload is being processed and polled.
    let mut third = Running::spawn(env.bp_upload(&resume_args(&journal)));
    wait_for("an upload in processing", Duration::from_secs(60), || {
        journal_rows(&journal)
            .iter()
            .any(|r| r.state == "processing" && r.upload_id.is_some())
    })
    .await;
    third.kill_9();
    let processing: Vec<String> = journal_rows(&journal)
        .into_iter()
        .filter(|r| r.state == "processing")
        .map(|r| r.file_name)
        .collect();
    eprintln!("(c) killed while processing {processing:?}");

    // The last run finishes the batch by itself.
    let mut last = Running::spawn(env.bp_upload(&resume_args(&journal)));
    let mut code = last.finish(Duration::from_secs(90)).await;
    if code == 1 && last.lines().iter().any(|l| l.starts_with("unsure")) {
        // A small file's only chunk was on its way at a kill: it may have landed, and the
        // tool says so instead of sending it again. The user then does what it says.
        let mut args = resume_args(&journal);
        args.push(OsStr::new("--send-again"));
        last = Running::spawn(env.bp_upload(&args));
        code = last.finish(Duration::from_secs(90)).await;
    }
    let output = last.lines();
    assert_eq!(code, 0, "output:\n{}", output.join("\n"));
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("finished") && l.ends_with(", 0 not uploaded")),
        "{output:#?}"
    );

    for run in [&first, &second, &third, &last] {
        let text = run.lines().join("\n");
        assert!(!text.contains("sandbox-secret") && !text.contains("sandbox-refresh-token"));
    }
    let rows = journal_rows(&journal);
    assert!(rows.iter().all(|r| r.state == "done"), "{rows:#?}");
    assert_eq!(
        env.sandbox.controls().count_images(Some(&folder)),
        small as u64 + 1,
        "one image per file"
    );
    let ids: Vec<String> = rows.iter().filter_map(|r| r.image_id.clone()).collect();
    assert!(ids.contains(&big_image));
    let images = env.images_with_one_file(&ids).await;
    let mut expected: Vec<(String, String, String)> = (0..small)
        .map(|i| {
            let n = format!("look-{i}");
            (n.clone(), n.clone(), format!("{n}.jpg"))
        })
        .collect();
    expected.push(("zz-big".into(), "zz-big".into(), "zz-big.jpg".into()));
    assert_eq!(images, expected);
    eprintln!(
        "after 3 kills: {} images, creates seen {}, uploads seen {} (of zz-big.jpg: {})",
        images.len(),
        env.sandbox.controls().requests_seen("Header/Create"),
        env.sandbox.controls().requests_seen("/Image/Upload"),
        env.sandbox
            .controls()
            .requests_seen(&format!("{big_image}/Image/Upload"))
    );
}
