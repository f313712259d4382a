//! The journal's guards (one process per journal, write failures pause, unreadable
//! journals are moved aside), the user's decisions after a lost answer (check again,
//! send again), the image header on finished jobs, and `bp-upload --resume`'s exit status.

mod common;

use beproduct_sandbox::FaultKind;
use common::proxy::Proxy;
use common::{start, write_noise_jpeg, write_png, Env, Running};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use upload_queue::{Error, JobRequest, JobState, Queue, QueueConfig, QueueEvent, Target};

fn journal(env: &Env) -> PathBuf {
    env.dir.path().join("app-data/uploads.sqlite")
}

fn config(env: &Env, watch: Duration) -> QueueConfig {
    let mut c = QueueConfig::new(journal(env));
    c.processing_timeout = watch;
    c.offline_probe_max = Duration::from_secs(2);
    c
}

fn new_image(env: &Env) -> Target {
    Target::NewImage {
        folder_id: env.folder_id.clone(),
    }
}

fn png(env: &Env, name: &str, seed: u32) -> PathBuf {
    let path = env.file(name);
    write_png(&path, seed);
    path
}

/// The next event that `pick` accepts, within `within`.
async fn next_event<T>(
    events: &mut broadcast::Receiver<QueueEvent>,
    within: Duration,
    mut pick: impl FnMut(&QueueEvent) -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = tokio::time::timeout(left, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no such event within {within:?}"))
            .unwrap();
        if let Some(found) = pick(&event) {
            return found;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_is_used_by_one_process_at_a_time() {
    let env = start(|_| {}).await;
    let first = Queue::open(config(&env, Duration::from_secs(5)))
        .await
        .unwrap();
    let second = Queue::open(config(&env, Duration::from_secs(5))).await;
    assert!(
        matches!(second, Err(Error::JournalInUse { .. })),
        "a second queue on the same journal: {:?}",
        second.err()
    );

    // bp-upload refuses it too, with one clear line and status 2.
    let journal = journal(&env);
    let mut cli = Running::spawn(env.bp_upload(&[
        OsStr::new("--journal"),
        journal.as_os_str(),
        OsStr::new("--resume"),
    ]));
    assert_eq!(cli.finish(Duration::from_secs(60)).await, 2);
    let out = cli.lines().join("\n");
    assert!(out.contains("is in use by another process"), "{out}");

    first.shutdown().await;
    let again = Queue::open(config(&env, Duration::from_secs(5)))
        .await
        .unwrap();
    again.shutdown().await;
}

/// A journal write that fails (here: another connection holds the database's write lock,
/// as a full disk would refuse it) pauses the queue with a message; it probes with
/// back-off and carries on once writing works again. Nothing is sent unrecorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_that_cannot_be_written_pauses_the_queue_until_it_can() {
    let env = start(|_| {}).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let path = png(&env, "blocked.png", 1);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let blocker = rusqlite::Connection::open(journal(&env)).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let mut events = queue.subscribe();
    queue.set_client(env.client());
    let reason = next_event(&mut events, Duration::from_secs(30), |e| match e {
        QueueEvent::Paused { reason } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("upload journal"), "{reason}");
    assert!(queue.totals().paused);
    let controls = env.sandbox.controls();
    assert_eq!(
        controls.requests_seen("image/header/create"),
        0,
        "nothing sent unrecorded"
    );

    blocker.execute_batch("COMMIT").unwrap();
    next_event(&mut events, Duration::from_secs(30), |e| {
        matches!(e, QueueEvent::Resumed).then_some(())
    })
    .await;
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(
        queue.job(&report.accepted[0].id).unwrap().state,
        JobState::Done
    );
    assert_eq!(controls.count_images(Some(&env.folder_id)), 1);
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_journal_is_moved_aside_and_the_queue_starts() {
    let env = start(|_| {}).await;
    std::fs::create_dir_all(journal(&env).parent().unwrap()).unwrap();
    std::fs::write(
        journal(&env),
        b"scrambled by a disk tool, not a database at all",
    )
    .unwrap();
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let notice = queue.journal_notice().expect("the caller is told");
    assert!(notice.moved_to.exists());
    assert!(notice
        .to_string()
        .contains(&notice.moved_to.display().to_string()));
    // The new journal works.
    queue.set_client(env.client());
    let path = png(&env, "after.png", 2);
    queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(queue.totals().done, 1);
    queue.shutdown().await;
}

/// Processing (3 s) outlasts the watch (1 s): the upload is not resent by itself; it waits
/// as "may have landed". Check again finds it once it shows; a lost upload that never
/// landed is sent again only when the user says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_does_not_show_in_time_waits_for_the_user() {
    let env = start(|c| c.processing_ms = 3000).await;
    let queue = Queue::open(config(&env, Duration::from_secs(1)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let controls = env.sandbox.controls();
    controls.fail_next(1, "/image/upload", FaultKind::DropAfterHandling);
    let landed_late = png(&env, "late.png", 3);
    let report = queue
        .enqueue(vec![JobRequest::file(&landed_late, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::MayHaveLanded, "{job:#?}");
    assert_eq!(queue.totals().may_have_landed, 1);
    assert_eq!(
        controls.requests_seen("/image/upload"),
        1,
        "not resent by itself"
    );
    assert!(
        queue.clear_finished().unwrap().is_empty(),
        "kept until decided"
    );

    // Once processing is over, checking again finds the file.
    let image_id = job.image_id.clone().unwrap();
    let client = env.client();
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .get_image(&image_id)
        .await
        .unwrap()
        .files
        .is_none_or(|f| f.is_empty())
    {
        assert!(
            Instant::now() < deadline,
            "the sandbox never processed the upload"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    queue.check_again(&id).unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(queue.job(&id).unwrap().state, JobState::Done);
    assert_eq!(controls.requests_seen("/image/upload"), 1);
    queue.shutdown().await;
}

/// An upload whose whole body went out but that the server never got (a front end took it
/// and lost it, no answer) never shows: after the watch it waits, and is sent again only
/// when the user says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_upload_that_never_shows_is_sent_again_only_when_the_user_says_so() {
    let env = start(|_| {}).await;
    let proxy = Proxy::start(&env.sandbox.public_api_url()).await;
    let queue = Queue::open(config(&env, Duration::from_secs(1)))
        .await
        .unwrap();
    queue.set_client(common::client_at(
        &env.sandbox,
        &proxy.url(),
        beproduct::RetryPolicy::fast(),
    ));
    let controls = env.sandbox.controls();
    let client = env.client();
    proxy.lose_after_body(1, "/image/upload");
    let lost = png(&env, "lost.png", 4);
    let report = queue
        .enqueue(vec![JobRequest::file(&lost, new_image(&env))])
        .await
        .unwrap();
    let lost_id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(queue.job(&lost_id).unwrap().state, JobState::MayHaveLanded);
    assert_eq!(proxy.seen("/image/upload"), 1, "not resent by itself");
    assert_eq!(controls.requests_seen("/image/upload"), 0, "never reached");
    assert!(queue.send_anyway(&lost_id).is_err(), "only for duplicates");
    queue.send_again(&lost_id).unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let lost_job = queue.job(&lost_id).unwrap();
    assert_eq!(lost_job.state, JobState::Done);
    let files = client
        .get_image(lost_job.image_id.as_deref().unwrap())
        .await
        .unwrap()
        .files
        .map_or(0, |f| f.len());
    assert_eq!(files, 1);
    assert_eq!(proxy.seen("/image/upload"), 2);
    assert_eq!(controls.requests_seen("/image/upload"), 1);
    queue.shutdown().await;
}

/// The UI needs no request per finished upload: the Done event carries the header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_jobs_event_carries_the_image_header() {
    let env = start(|_| {}).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let mut events = queue.subscribe();
    let path = png(&env, "with header.png", 5);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    let (job, image) = next_event(&mut events, Duration::from_secs(30), |e| match e {
        QueueEvent::JobChanged { job, image, .. } if job.state == JobState::Done => {
            Some((job.clone(), image.clone()))
        }
        QueueEvent::JobChanged {
            image: Some(_),
            job,
            ..
        } => {
            panic!("a header on a {:?} event", job.state)
        }
        _ => None,
    })
    .await;
    assert_eq!(job.id, id);
    let image = image.expect("the header travels with Done");
    assert_eq!(Some(&image.id), job.image_id.as_ref());
    assert_eq!(image.header_number, "with header");
    assert_eq!(image.files.map_or(0, |f| f.len()), 1, "as processed");
    let json = serde_json::to_value(QueueEvent::JobChanged {
        job,
        totals: queue.totals(),
        image: None,
    })
    .unwrap();
    assert_eq!(json["image"], serde_json::Value::Null);
    queue.shutdown().await;
}

/// `--resume` finishes what the journal holds and exits 0 only when every file of the
/// journal landed: a file refused as too large keeps the status at 1 (and is not resent);
/// a file that may have landed is checked again and then counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bp_upload_resume_exits_0_only_when_every_file_of_the_journal_landed() {
    let env = start(|c| c.processing_ms = 2500).await;
    let proxy = Proxy::start(&env.sandbox.public_api_url()).await;
    proxy.answer_413_over(256 * 1024);
    let batch = env.dir.path().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    write_noise_jpeg(&batch.join("a-poster.jpg"), 600, 3);
    write_png(&batch.join("b-icon.png"), 6);
    let journal = env.dir.path().join("cli/uploads.sqlite");
    let run = |extra: &[&OsStr]| {
        let mut args = vec![
            OsStr::new("--journal"),
            journal.as_os_str(),
            OsStr::new("--processing-secs"),
            OsStr::new("1"),
        ];
        args.extend_from_slice(extra);
        let mut cmd = env.bp_upload(&args);
        cmd.env("BEPRODUCT_API_URL", proxy.url());
        Running::spawn(cmd)
    };
    // The icon's answer is lost and its processing outlasts the watch: "may have landed".
    env.sandbox
        .controls()
        .fail_next(1, "/image/upload", FaultKind::DropAfterHandling);
    let mut first = run(&[
        OsStr::new("--folder"),
        OsStr::new(&env.folder_id),
        batch.as_os_str(),
    ]);
    assert_eq!(first.finish(Duration::from_secs(120)).await, 1);
    let out = first.lines().join("\n");
    assert!(out.contains("too large for BeProduct"), "{out}");
    assert!(out.contains("unsure     b-icon.png"), "{out}");

    // Once the server shows the icon, --resume's check finds it.
    let client = env.client();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let shown = client
            .get_image_by_number("b-icon")
            .await
            .unwrap()
            .and_then(|h| h.files)
            .is_some_and(|f| !f.is_empty());
        if shown {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the sandbox never processed the icon"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut second = run(&[OsStr::new("--resume")]);
    assert_eq!(second.finish(Duration::from_secs(120)).await, 1);
    let out = second.lines().join("\n");
    assert!(out.contains("done       b-icon.png"), "{out}");
    assert!(out.contains("1 file(s) uploaded, 1 not uploaded"), "{out}");
    assert_eq!(
        proxy.seen("/image/upload"),
        2,
        "the poster is not resent, the icon not sent twice"
    );
    assert!(out.contains("failed     a-poster.jpg"), "{out}");
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 2);
}
