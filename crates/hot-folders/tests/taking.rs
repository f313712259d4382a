//! Taking files from a hot folder into a real queue against the sandbox over HTTP on
//! 127.0.0.1: only complete files, exactly once; refused files aside with their reason;
//! uploaded files moved when asked.

mod common;

use common::{noise_png, sha256, start, wait_for, wait_for_status, write_jpeg, write_png};
use hot_folders::FolderState;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use upload_queue::JobState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_slowly_is_uploaded_once_and_complete() {
    let env = start().await;
    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    hot.add(env.config("drop", false)).await.unwrap();

    let bytes = noise_png(160, 7);
    let path = env.watched().join("slow.png");
    // The pace of the writer is the scenario: on Linux it pauses longer than the settle
    // interval between chunks, so only seeing that it holds the file open for writing
    // keeps the file from being taken early. Elsewhere only size and mtime are watched,
    // so it pauses less.
    let pause = if cfg!(target_os = "linux") {
        Duration::from_millis(450)
    } else {
        Duration::from_millis(100)
    };
    let closed_at_ms = Arc::new(Mutex::new(None::<i64>));
    let writer = {
        let (bytes, path, closed_at_ms) = (bytes.clone(), path.clone(), closed_at_ms.clone());
        std::thread::spawn(move || {
            let mut file = std::fs::File::create(&path).unwrap();
            for chunk in bytes.chunks(bytes.len() / 5 + 1) {
                file.write_all(chunk).unwrap();
                file.flush().unwrap();
                std::thread::sleep(pause);
            }
            drop(file);
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            *closed_at_ms.lock().unwrap() = Some(now.as_millis() as i64);
        })
    };
    let started = std::time::Instant::now();
    let status = wait_for_status(&hot, "drop", "the slow file to be uploaded", |s| {
        s.counts.uploaded == 1
    })
    .await;
    writer.join().unwrap();
    eprintln!(
        "slow writer: written and uploaded in {:?}",
        started.elapsed()
    );
    assert_eq!(
        status.counts.queued + status.counts.failed,
        0,
        "{status:#?}"
    );

    let jobs = queue.jobs();
    assert_eq!(jobs.len(), 1, "taken exactly once: {jobs:#?}");
    let job = &jobs[0];
    assert_eq!(job.state, JobState::Done);
    let closed_at = closed_at_ms.lock().unwrap().unwrap();
    assert!(
        job.created_at_ms >= closed_at,
        "taken {} ms before the writer closed the file",
        closed_at - job.created_at_ms
    );
    assert_eq!(job.size, Some(bytes.len() as u64));
    assert_eq!(job.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    let image_id = job.image_id.clone().unwrap();
    assert_eq!(env.stored_sha256(&image_id).await, sha256(&bytes));
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "left in place");
    let controls = env.sandbox.controls();
    assert_eq!(controls.count_images(Some(&env.folder_id)), 1);
    assert_eq!(controls.requests_seen("/Image/Upload"), 1);
    hot.close().await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_files_move_to_rejected_with_the_reason() {
    let env = start().await;
    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    let dir = env.watched();
    // A note and a file of the same name from an earlier rejection are kept.
    std::fs::create_dir_all(dir.join("_rejected")).unwrap();
    std::fs::write(dir.join("_rejected/bad-name.png"), b"earlier").unwrap();
    hot.add(env.config("drop", false)).await.unwrap();

    write_png(&dir.join("bad-name.png"), 1); // the planner's naming rule refuses it
    let cut = dir.join("cut.jpg"); // the queue refuses it: the JPEG ends early
    write_jpeg(&cut, 2);
    let len = std::fs::metadata(&cut).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    std::fs::write(dir.join("notes.png"), b"plain text, not a picture").unwrap();
    write_png(&dir.join("good.png"), 3);

    let status = wait_for_status(&hot, "drop", "every file judged", |s| {
        s.counts.rejected == 2 && s.counts.uploaded == 1 && s.counts.ignored == 1
    })
    .await;
    assert_eq!(status.state, FolderState::Watching);
    assert_eq!(status.counts.queued, 0);

    let rejected = dir.join("_rejected");
    assert_eq!(
        std::fs::read(rejected.join("bad-name.png")).unwrap(),
        b"earlier",
        "an earlier file is never overwritten"
    );
    assert!(rejected.join("bad-name (2).png").is_file());
    let note = std::fs::read_to_string(rejected.join("bad-name (2).png.txt")).unwrap();
    assert!(
        note.contains("bad-name.png does not follow this folder's naming rule"),
        "{note}"
    );
    assert!(note.contains("Rejected at "), "{note}");
    let note = std::fs::read_to_string(rejected.join("cut.jpg.txt")).unwrap();
    assert!(note.contains("cut.jpg is cut short"), "{note}");
    assert!(rejected.join("cut.jpg").is_file());
    assert!(!dir.join("bad-name.png").exists() && !cut.exists());
    assert!(
        dir.join("notes.png").is_file(),
        "a file that is not an image stays"
    );
    assert!(dir.join("good.png").is_file());
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 1);
    hot.close().await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_files_move_to_uploaded_when_asked() {
    let env = start().await;
    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    let dir = env.watched();
    std::fs::create_dir_all(dir.join("_uploaded")).unwrap();
    std::fs::write(dir.join("_uploaded/front.png"), b"earlier").unwrap();
    hot.add(env.config("drop", true)).await.unwrap();

    write_png(&dir.join("front.png"), 11);
    let front = std::fs::read(dir.join("front.png")).unwrap();
    // A folder moved in with a file already inside.
    let staging = env.dir.path().join("staging/season");
    std::fs::create_dir_all(&staging).unwrap();
    write_jpeg(&staging.join("back.jpg"), 12);
    let back = std::fs::read(staging.join("back.jpg")).unwrap();
    std::fs::rename(&staging, dir.join("season")).unwrap();

    let moved_front = dir.join("_uploaded/front (2).png");
    let moved_back = dir.join("_uploaded/season/back.jpg");
    wait_for("both files moved to _uploaded", || {
        moved_front.is_file() && moved_back.is_file()
    })
    .await;
    assert_eq!(std::fs::read(&moved_front).unwrap(), front);
    assert_eq!(std::fs::read(&moved_back).unwrap(), back);
    assert_eq!(
        std::fs::read(dir.join("_uploaded/front.png")).unwrap(),
        b"earlier"
    );
    assert!(!dir.join("front.png").exists() && !dir.join("season/back.jpg").exists());
    let status = hot.status("drop").unwrap();
    assert_eq!(status.counts.uploaded, 2, "{status:#?}");
    assert!(queue.jobs().iter().all(|j| j.state == JobState::Done));
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 2);
    hot.close().await;
    queue.shutdown().await;
}
