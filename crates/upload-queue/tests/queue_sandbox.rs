//! The queue against a real sandbox over HTTP on 127.0.0.1.

mod common;

use beproduct_sandbox::{FaultKind, Sandbox, SandboxConfig, Seed};
use common::{start, wait_for, write_jpeg, write_png, Env};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use upload_queue::{FieldValue, JobRequest, JobState, Naming, Queue, QueueConfig, Target};

/// What only this file's tests need on top of the shared environment.
impl Env {
    fn journal(&self) -> PathBuf {
        self.dir.path().join("app-data/uploads.sqlite")
    }

    fn queue_config(&self) -> QueueConfig {
        let mut c = QueueConfig::new(self.journal());
        c.processing_timeout = Duration::from_secs(10);
        c.offline_probe_max = Duration::from_secs(2);
        c
    }

    async fn open(&self) -> Queue {
        let q = Queue::open(self.queue_config()).await.unwrap();
        q.set_client(self.client());
        q
    }

    fn new_image(&self) -> Target {
        Target::NewImage {
            folder_id: self.folder_id.clone(),
        }
    }

    /// Every image in the folder has exactly one file (one upload landed, none twice).
    async fn assert_one_file_each(&self, queue: &Queue, expected: usize) {
        let count = self.sandbox.controls().count_images(Some(&self.folder_id));
        assert_eq!(count, expected as u64, "images in the folder");
        let client = self.client();
        let mut images: Vec<String> = queue
            .jobs()
            .into_iter()
            .filter_map(|j| j.image_id)
            .collect();
        images.sort();
        images.dedup();
        assert_eq!(images.len(), expected, "distinct images");
        for id in images {
            let header = client.get_image(&id).await.unwrap();
            let files = header.files.map_or(0, |f| f.len());
            assert_eq!(
                files, 1,
                "image {} ({}) has {files} files",
                header.header_number, id
            );
        }
    }
}

fn state_of(queue: &Queue, id: &str) -> JobState {
    queue.job(id).unwrap().state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_batch_resumes_without_losing_or_repeating_anything() {
    let env = start(|c| {
        c.processing_ms = 300;
        c.latency_ms = 40;
    })
    .await;
    let paths: Vec<PathBuf> = (0..30)
        .map(|i| {
            let p = env.file(&format!("look-{i:02}.jpg"));
            write_jpeg(&p, i);
            p
        })
        .collect();
    // The first run lives in its own runtime, dropped mid-batch without shutdown: every
    // task stops at whatever await it was in, like a killed process.
    let config = env.queue_config();
    let client = env.client();
    let requests: Vec<JobRequest> = paths
        .iter()
        .map(|p| JobRequest::file(p, env.new_image()))
        .collect();
    let seen_at_crash = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let seen = rt.block_on(async move {
            let queue = Queue::open(config).await.unwrap();
            queue.set_client(client);
            queue.enqueue(requests).await.unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let t = queue.totals();
                if t.done >= 6 && t.creating + t.uploading + t.processing + t.checking > 0 {
                    return t;
                }
                assert!(Instant::now() < deadline, "batch never got going: {t:?}");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        rt.shutdown_background();
        seen
    })
    .join()
    .unwrap();
    eprintln!("crashed with {seen_at_crash:?}");

    // The crashed run's tasks are dropped by its runtime's threads in the background, and
    // the journal's lock with the last of them (a real crash frees it at once): wait for it.
    let deadline = Instant::now() + Duration::from_secs(20);
    let queue = loop {
        match Queue::open(env.queue_config()).await {
            Ok(q) => break q,
            Err(upload_queue::Error::JournalInUse { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => panic!("the journal stays locked after the crash: {e}"),
        }
    };
    queue.set_client(env.client());
    let interrupted = queue.interrupted();
    assert!(!interrupted.is_empty() && interrupted.len() < 30);
    assert_eq!(
        queue
            .jobs()
            .iter()
            .filter(|j| j.state == JobState::Done)
            .count()
            + interrupted.len(),
        30
    );
    queue.resume_interrupted().await.unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(60)).await);
    // An upload whose last chunk was on its way at the crash may or may not have reached
    // the server: it was watched, and if it never showed it waits for the user, who sees
    // it is not there and sends it again.
    let client = env.client();
    for job in queue.jobs() {
        if job.state == JobState::MayHaveLanded {
            let image = client
                .get_image(job.image_id.as_deref().unwrap())
                .await
                .unwrap();
            assert!(
                image.files.is_none_or(|f| f.is_empty()),
                "{job:#?} did land"
            );
            queue.send_again(&job.id).unwrap();
        }
    }
    assert!(queue.wait_until_idle(Duration::from_secs(60)).await);
    let not_done: Vec<_> = queue
        .jobs()
        .into_iter()
        .filter(|j| j.state != JobState::Done)
        .collect();
    assert!(not_done.is_empty(), "{not_done:#?}");
    env.assert_one_file_each(&queue, 30).await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_get_their_message_and_good_ones_land() {
    let env = start(|_| {}).await;
    let drop_dir = env.dir.path().join("dropped");
    std::fs::create_dir_all(drop_dir.join("inner")).unwrap();
    write_png(&drop_dir.join("good-1.png"), 1);
    write_jpeg(&drop_dir.join("inner/good-2.jpg"), 2);
    std::fs::write(drop_dir.join("inner/readme.txt"), "not an image").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&drop_dir, drop_dir.join("inner/loop")).unwrap();
    let expanded = upload_queue::expand_paths(std::slice::from_ref(&drop_dir));
    assert_eq!(expanded.files.len(), 2, "{expanded:?}");
    assert!(expanded
        .skipped
        .iter()
        .any(|s| s.reason.starts_with("readme.txt is not an image")));
    #[cfg(unix)]
    assert!(
        expanded
            .skipped
            .iter()
            .any(|s| s.reason.contains("symlink loop")),
        "{expanded:?}"
    );

    let empty = env.file("empty.png");
    std::fs::write(&empty, b"").unwrap();
    let text = env.file("notes.jpg");
    std::fs::write(&text, "this is text renamed to .jpg").unwrap();
    let big = env.file("poster.png");
    write_png(&big, 3);
    let file = std::fs::OpenOptions::new().append(true).open(&big).unwrap();
    file.set_len(3 * 1024 * 1024 / 2).unwrap(); // 1.5 MB: over the 1 MB limit below
    let missing = env.file("missing.png");

    let mut config = env.queue_config();
    config.max_file_bytes = 1024 * 1024;
    let queue = Queue::open(config).await.unwrap();
    queue.set_client(env.client());
    let mut requests: Vec<JobRequest> = expanded
        .files
        .iter()
        .map(|p| JobRequest::file(p, env.new_image()))
        .collect();
    for bad in [&empty, &text, &big, &missing] {
        requests.push(JobRequest::file(bad, env.new_image()));
    }
    requests.push(JobRequest::url("ftp://example.com/a.png", env.new_image()));
    let report = queue.enqueue(requests).await.unwrap();
    let reasons: Vec<&str> = report.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(report.accepted.len(), 2, "{reasons:?}");
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(
        reasons.contains(
            &"empty.png is empty (0 bytes); nothing to upload. Save or copy the image again."
        ),
        "{reasons:?}"
    );
    assert!(reasons
        .iter()
        .any(|r| r.starts_with("notes.jpg is not an image by its content")));
    assert!(
        reasons
            .iter()
            .any(|r| r
                .starts_with("poster.png is 1.5 MB; the limit is 1 MB. Save a smaller version")),
        "{reasons:?}"
    );
    assert!(reasons
        .iter()
        .any(|r| r.starts_with("missing.png cannot be read")));
    assert!(reasons.iter().any(|r| r.contains("not an http(s) URL")));
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert!(
        queue.jobs().iter().all(|j| j.state == JobState::Done),
        "{:#?}",
        queue.jobs()
    );
    env.assert_one_file_each(&queue, 2).await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_flagged_and_can_be_sent_anyway() {
    let env = start(|_| {}).await;
    let client = env.client();
    let header = client
        .create_image(
            &env.folder_id,
            &[beproduct::FieldUpdate::new("header_name", "Existing")],
            false,
        )
        .await
        .unwrap();
    let version = Target::Version {
        image_id: header.id.clone(),
    };
    let a = env.file("a.png");
    write_png(&a, 10);
    let a_copy = env.file("a-copy.png");
    std::fs::copy(&a, &a_copy).unwrap();
    let queue = env.open().await;

    // Same content twice in one batch for one target: the second is a duplicate.
    let report = queue
        .enqueue(vec![
            JobRequest::file(&a, version.clone()),
            JobRequest::file(&a_copy, version.clone()),
        ])
        .await
        .unwrap();
    let (first, second) = (&report.accepted[0], &report.accepted[1]);
    assert_eq!(second.state, JobState::Duplicate);
    assert_eq!(second.duplicate_of.as_deref(), Some(first.id.as_str()));
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    assert_eq!(state_of(&queue, &first.id), JobState::Done);

    // Later, after it is done (and cleared from the list), the same content is still known.
    queue.clear_finished().unwrap();
    let again = queue
        .enqueue(vec![JobRequest::file(&a, version.clone())])
        .await
        .unwrap();
    assert_eq!(again.accepted[0].state, JobState::Duplicate);
    assert_eq!(
        again.accepted[0].duplicate_of.as_deref(),
        Some(first.id.as_str())
    );
    // A different target is not a duplicate.
    let other = queue
        .enqueue(vec![JobRequest::file(&a, env.new_image())])
        .await
        .unwrap();
    assert_eq!(other.accepted[0].state, JobState::Queued);

    queue.send_anyway(&second.id).unwrap_err(); // cleared from the list
    queue.send_anyway(&again.accepted[0].id).unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    assert_eq!(state_of(&queue, &again.accepted[0].id), JobState::Done);
    let files = client
        .get_image(&header.id)
        .await
        .unwrap()
        .files
        .map_or(0, |f| f.len());
    assert_eq!(files, 2, "the first upload and the one sent anyway");
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_on_disk_while_interrupted_is_flagged_not_sent() {
    let env = start(|_| {}).await;
    let (keep, edit) = (env.file("keep.png"), env.file("edit.png"));
    write_png(&keep, 20);
    write_png(&edit, 21);
    {
        // No client yet: the jobs stay queued, as if the app quit before going online.
        let queue = Queue::open(env.queue_config()).await.unwrap();
        let r = queue
            .enqueue(vec![
                JobRequest::file(&keep, env.new_image()),
                JobRequest::file(&edit, env.new_image()),
            ])
            .await
            .unwrap();
        assert_eq!(r.accepted.len(), 2);
        queue.shutdown().await;
    }
    write_png(&edit, 22); // same size, new content and mtime
    let queue = env.open().await;
    assert_eq!(queue.interrupted().len(), 2);
    assert!(
        queue.wait_until_idle(Duration::from_millis(300)).await,
        "interrupted jobs wait for a decision"
    );
    let resumed = queue.resume_interrupted().await.unwrap();
    let by_name = |name: &str| {
        resumed
            .iter()
            .find(|j| j.file_name == name)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("edit.png").state, JobState::Changed);
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    assert_eq!(state_of(&queue, &by_name("keep.png").id), JobState::Done);
    assert_eq!(state_of(&queue, &by_name("edit.png").id), JobState::Changed);
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 1);

    // Retry re-checks the file as it is now and sends it.
    queue.retry(&by_name("edit.png").id).await.unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    assert_eq!(state_of(&queue, &by_name("edit.png").id), JobState::Done);
    env.assert_one_file_each(&queue, 2).await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_and_retry() {
    let env = start(|c| c.latency_ms = 150).await;
    let mut config = env.queue_config();
    config.concurrency = 1;
    let queue = Queue::open(config).await.unwrap();
    queue.set_client(env.client());
    let paths: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = env.file(&format!("c{i}.png"));
            write_png(&p, 30 + i);
            p
        })
        .collect();
    // A file that looks like a PNG but cannot be decoded: the server's processing fails.
    let broken = env.file("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\nthis is not really a png").unwrap();
    let mut requests: Vec<JobRequest> = paths
        .iter()
        .map(|p| JobRequest::file(p, env.new_image()))
        .collect();
    requests.push(JobRequest::file(&broken, env.new_image()));
    let report = queue.enqueue(requests).await.unwrap();
    let ids: Vec<String> = report.accepted.iter().map(|j| j.id.clone()).collect();

    // Cancel the running first job mid-flight, and the last good one while still queued.
    wait_for("the first job to run", Duration::from_secs(10), || {
        state_of(&queue, &ids[0]).holds_slot()
    })
    .await;
    queue.cancel(&ids[0]).unwrap();
    assert_eq!(queue.cancel(&ids[2]).unwrap().state, JobState::Cancelled);
    assert!(
        queue.cancel(&ids[2]).is_err(),
        "cancelling twice is refused"
    );
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(state_of(&queue, &ids[0]), JobState::Cancelled);
    assert_eq!(state_of(&queue, &ids[1]), JobState::Done);
    assert_eq!(state_of(&queue, &ids[2]), JobState::Cancelled);
    let failed = state_of(&queue, &ids[3]);
    assert!(
        matches!(&failed, JobState::Failed { reason, .. } if reason.contains("could not process")),
        "{failed:?}"
    );

    // Retry: cancelled ones go again (the first one checks what its cancelled run left on
    // the server); the broken file is fixed on disk, re-checked and sent.
    write_png(&broken, 33);
    queue.retry(&ids[0]).await.unwrap();
    queue.retry(&ids[2]).await.unwrap();
    assert_eq!(queue.retry_all_failed().await.unwrap(), 1);
    assert!(
        queue.retry(&ids[1]).await.is_err(),
        "a done job is not retried"
    );
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    for id in &ids {
        assert_eq!(state_of(&queue, id), JobState::Done, "{:#?}", queue.job(id));
    }
    env.assert_one_file_each(&queue, 4).await;
    assert_eq!(queue.clear_finished().unwrap().len(), 4);
    assert!(queue.jobs().is_empty());
    queue.shutdown().await;
}

/// After a lost answer the queue checks before sending again; a check that cannot run
/// (throttled) keeps the "may have landed" marker, so the create and the upload are
/// checked again later and never sent twice. (CI once found an image with two files:
/// a throttled check had cleared the upload marker.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_check_after_a_lost_answer_sends_nothing_twice() {
    // Latency spaces the steps out (each request waits 400 ms on the server), so the
    // faults below are armed after the request before them and before the check.
    let env = start(|c| c.latency_ms = 400).await;
    let queue = Queue::open(env.queue_config()).await.unwrap();
    let policy = beproduct::RetryPolicy {
        max_server_wait: Duration::from_secs(1),
        ..beproduct::RetryPolicy::fast()
    };
    queue.set_client(common::client_with(&env.sandbox, policy));
    let controls = env.sandbox.controls();
    // Longer than the client waits inside a call: the check fails as `Throttled`.
    let throttled = || FaultKind::Status429 {
        retry_after_secs: Some(2),
        body_retry_after: None,
    };
    controls.fail_next(1, "image/header/create", FaultKind::DropAfterHandling);
    controls.fail_next(1, "/image/upload", FaultKind::DropAfterHandling);
    let path = env.file("lost-answers.png");
    write_png(&path, 40);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, env.new_image())])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();

    wait_for("the create", Duration::from_secs(10), || {
        controls.requests_seen("image/header/create") == 1
    })
    .await;
    // The check by number (a search) that follows the lost create answer.
    controls.fail_next(1, "image/headers", throttled());
    wait_for("the upload", Duration::from_secs(20), || {
        controls.requests_seen("/image/upload") == 1
    })
    .await;
    let image_id = queue.job(&id).and_then(|j| j.image_id).unwrap();
    // The check of the image that follows the lost upload answer.
    controls.fail_next(1, &format!("image/header/{image_id}"), throttled());

    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(
        state_of(&queue, &id),
        JobState::Done,
        "{:#?}",
        queue.job(&id)
    );
    assert!(
        controls.requests_seen("image/headers") >= 3,
        "both checks ran"
    );
    assert_eq!(controls.requests_seen("image/header/create"), 1);
    assert_eq!(controls.requests_seen("/image/upload"), 1);
    env.assert_one_file_each(&queue, 1).await;
    queue.shutdown().await;
}

/// The next event of type `kind` (other events are skipped), within 15 s.
async fn next_event(
    events: &mut tokio::sync::broadcast::Receiver<upload_queue::QueueEvent>,
    kind: &str,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = tokio::time::timeout(left, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no {kind} event within 15 s"))
            .unwrap();
        let json = serde_json::to_value(&event).unwrap();
        if json["type"] == kind {
            return json;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pauses_while_the_server_is_unreachable_and_resumes_by_itself() {
    let env = start(|_| {}).await;
    let addr = env.sandbox.addr();
    let client = env.client();
    client.folders().await.unwrap(); // signed in before the server goes away
    let queue = Queue::open(env.queue_config()).await.unwrap();
    let requests: Vec<JobRequest> = (0..3)
        .map(|i| {
            let p = env.file(&format!("offline-{i}.png"));
            write_png(&p, 40 + i);
            JobRequest::file(p, env.new_image())
        })
        .collect();
    let Env {
        sandbox,
        folder_id,
        dir,
    } = env;
    sandbox.shutdown().await;

    let mut events = queue.subscribe();
    queue.set_client(client);
    queue.enqueue(requests).await.unwrap();
    let paused = next_event(&mut events, "paused").await;
    assert!(
        paused["reason"]
            .as_str()
            .unwrap()
            .contains("could not reach"),
        "{paused}"
    );
    assert!(queue.totals().paused);
    // Jobs that were running when the connection went go back to the queue.
    wait_for(
        "all jobs back in the queue",
        Duration::from_secs(10),
        || queue.totals().queued == 3,
    )
    .await;

    // The same server comes back on the same address with the same data.
    let sandbox = Sandbox::start(SandboxConfig {
        listen: addr,
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        processing_ms: 150,
        ..Default::default()
    })
    .await
    .unwrap();
    let env = Env {
        sandbox,
        folder_id,
        dir,
    };
    next_event(&mut events, "resumed").await;
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert!(
        queue.jobs().iter().all(|j| j.state == JobState::Done),
        "{:#?}",
        queue.jobs()
    );
    env.assert_one_file_each(&queue, 3).await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discarded_interrupted_jobs_stay_gone() {
    let env = start(|_| {}).await;
    let path = env.file("later.png");
    write_png(&path, 50);
    {
        let queue = Queue::open(env.queue_config()).await.unwrap(); // no client: stays queued
        queue
            .enqueue(vec![JobRequest::file(&path, env.new_image())])
            .await
            .unwrap();
        queue.shutdown().await;
    }
    let queue = env.open().await;
    assert_eq!(queue.interrupted().len(), 1);
    assert_eq!(queue.discard_interrupted().unwrap().len(), 1);
    assert!(queue.jobs().is_empty());
    queue.shutdown().await;
    let queue = env.open().await;
    assert!(queue.jobs().is_empty() && queue.interrupted().is_empty());
    assert!(queue.wait_until_idle(Duration::from_secs(1)).await);
    assert_eq!(
        env.sandbox.controls().count_images(None),
        0,
        "nothing was sent"
    );
    queue.shutdown().await;
}

/// Field values queued with a batch reach every new image at its create, next to the number
/// and name from the file name; values that cannot go with the target refuse the batch (or
/// the request) before anything is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_images_are_created_with_the_queued_field_values() {
    let env = start(|_| {}).await;
    let client = env.client();
    let prints = client
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Prints")
        .expect("the sandbox has Prints")
        .id;
    let target = Target::NewImage {
        folder_id: prints.clone(),
    };
    let fields = vec![
        FieldValue::new("season", "Fall"),
        FieldValue::new("designer", "Ana Lima"),
    ];
    let (a, b) = (env.file("tulip-01.png"), env.file("tulip-02.png"));
    write_png(&a, 21);
    write_png(&b, 22);
    let queue = env.open().await;

    // The number or name in the values, or values for a new version: refused, nothing queued.
    let err = queue
        .enqueue_paths_with_fields(
            vec![a.clone()],
            target.clone(),
            vec![FieldValue::new("header_name", "Same for all")],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, upload_queue::Error::InvalidInput(m) if m.contains("header_name")),
        "{err}"
    );
    let version = Target::Version {
        image_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
    };
    let report = queue
        .enqueue(vec![
            JobRequest::file(&a, version).with_fields(fields.clone())
        ])
        .await
        .unwrap();
    assert!(report.accepted.is_empty());
    assert!(
        report.rejected[0].reason.contains("only to new images"),
        "{report:?}"
    );
    assert!(queue.jobs().is_empty());

    let report = queue
        .enqueue_paths_with_fields(vec![a, b], target, fields.clone())
        .await
        .unwrap();
    assert_eq!(report.accepted.len(), 2, "{report:?}");
    assert!(report.accepted.iter().all(|j| j.fields == fields));
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    for job in queue.jobs() {
        assert_eq!(job.state, JobState::Done, "{job:?}");
        let image = client
            .get_image(job.image_id.as_ref().unwrap())
            .await
            .unwrap();
        let value = |id: &str| image.field(id).map(|f| f.value.clone());
        assert_eq!(value("season"), Some(json!("Fall")), "{image:?}");
        assert_eq!(value("designer"), Some(json!("Ana Lima")));
        let stem = job.file_name.trim_end_matches(".png");
        assert_eq!(image.header_number, stem);
        assert_eq!(image.header_name, stem);
        assert_eq!(image.files.map_or(0, |f| f.len()), 1);
    }
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callers_number_and_name_replace_the_file_names() {
    let env = start(|_| {}).await;
    let client = env.client();
    let (a, b, c) = (
        env.file("SS27_PRT-0412.png"),
        env.file("SS27_PRT-0413.png"),
        env.file("taken.png"),
    );
    write_png(&a, 31);
    write_png(&b, 32);
    write_png(&c, 33);
    let queue = env.open().await;
    let named = |path: &PathBuf, number: &str, name: &str| {
        JobRequest::file(path, env.new_image()).with_naming(Naming {
            number: number.into(),
            name: name.into(),
        })
    };

    // Blank values and a version target are refused before anything is queued.
    let version = Target::Version {
        image_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
    };
    let report = queue
        .enqueue(vec![
            named(&a, " ", "Floral"),
            JobRequest::file(&a, version).with_naming(Naming {
                number: "X".into(),
                name: "Y".into(),
            }),
        ])
        .await
        .unwrap();
    assert!(report.accepted.is_empty(), "{report:?}");
    assert!(report.rejected[0].reason.contains("blank"), "{report:?}");
    assert!(report.rejected[1].reason.contains("only to new images"));

    // Two files asking for one number in a batch: the second gets the job's suffix.
    let report = queue
        .enqueue(vec![
            named(&a, "PRT-0412", "Floral Ditsy"),
            named(&b, "PRT-0412", "Floral Ditsy"),
            named(&c, "PRT-0500", "Stripe"),
        ])
        .await
        .unwrap();
    assert_eq!(report.accepted.len(), 3, "{report:?}");
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    let mut numbers = Vec::new();
    for job in queue.jobs() {
        assert_eq!(job.state, JobState::Done, "{job:?}");
        let image = client
            .get_image(job.image_id.as_ref().unwrap())
            .await
            .unwrap();
        assert_eq!(
            image.header_name,
            if job.file_name == "taken.png" {
                "Stripe"
            } else {
                "Floral Ditsy"
            }
        );
        numbers.push(image.header_number);
    }
    numbers.sort();
    assert_eq!(numbers[0], "PRT-0412");
    assert!(numbers[1].starts_with("PRT-0412-"), "{numbers:?}");
    assert_eq!(numbers[2], "PRT-0500");
    queue.shutdown().await;
}
