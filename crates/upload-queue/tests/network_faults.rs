//! What a real network does that loopback does not, against the real sandbox and its knobs:
//! 5xx after the server acted, lost answers while processing is slow, signed media URLs,
//! files changed after queueing, a reset mid-body over the size limit, a refused sign-in,
//! another server's client, and cancel/retry races. Behind the test proxy for what the
//! sandbox does not do: a 413 answered after the whole body was read, a whole body lost
//! without an answer, a link that stalls. Nothing may be lost and nothing may land twice.

mod common;

use beproduct::RetryPolicy;
use beproduct_sandbox::{FaultKind, Oversize};
use common::proxy::Proxy;
use common::{start, wait_for, write_noise_jpeg, write_png, Env};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use upload_queue::{JobRequest, JobState, Queue, QueueConfig, QueueEvent, Target};

/// `watch`: how long a lost upload answer is watched for on the image (the longest the
/// server may take to process a file).
fn config(env: &Env, watch: Duration) -> QueueConfig {
    let mut c = QueueConfig::new(env.dir.path().join("app-data/uploads.sqlite"));
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

async fn files_on(env: &Env, image_id: &str) -> usize {
    let header = env.client().get_image(image_id).await.unwrap();
    header.files.map_or(0, |f| f.len())
}

fn state_of(queue: &Queue, id: &str) -> JobState {
    queue.job(id).unwrap().state
}

/// A queue whose client talks to the sandbox through `proxy`.
async fn open_via(env: &Env, proxy: &Proxy, watch: Duration) -> Queue {
    let queue = Queue::open(config(env, watch)).await.unwrap();
    queue.set_client(common::client_at(
        &env.sandbox,
        &proxy.url(),
        RetryPolicy::fast(),
    ));
    queue
}

async fn image_with_one_file(env: &Env) -> String {
    let client = env.client();
    let header = client
        .create_image(
            &env.folder_id,
            &[beproduct::FieldUpdate::new("header_name", "Existing")],
            false,
        )
        .await
        .unwrap();
    let first = png(env, "first-version.png", 900);
    let upload = client.upload_file(&header.id, &first, None).await.unwrap();
    let status = client
        .wait_for_processing(&upload, Duration::from_secs(20))
        .await
        .unwrap();
    assert!(status.finished && !status.error_occured, "{status:?}");
    header.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_after_the_create_acted_makes_one_image_not_a_failure_or_a_second_image() {
    let env = start(|_| {}).await;
    let controls = env.sandbox.controls();
    let after_acting = FaultKind::StatusAfterHandling { status: 500 };
    controls.fail_next(1, "image/header/create", after_acting);
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let path = png(&env, "front.png", 1);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::Done, "{job:#?}");
    assert_eq!(
        controls.requests_seen("image/header/create"),
        1,
        "the create is not sent twice"
    );
    assert_eq!(controls.count_images(Some(&env.folder_id)), 1);
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 1);
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_after_the_upload_acted_sends_the_file_once() {
    let env = start(|_| {}).await;
    let controls = env.sandbox.controls();
    let after_acting = FaultKind::StatusAfterHandling { status: 500 };
    controls.fail_next(1, "/image/upload", after_acting);
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let path = png(&env, "back.png", 2);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::Done, "{job:#?}");
    assert_eq!(
        controls.requests_seen("/image/upload"),
        1,
        "the upload is not sent twice"
    );
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 1);
    queue.shutdown().await;
}

/// Processing takes 3 s, longer than a fixed short watch would last (the old 60 s watch
/// against 15 min of processing, scaled down): the upload is watched until processing
/// must have finished, and lands once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_upload_answer_while_processing_is_slow_is_watched_not_resent() {
    let env = start(|c| c.processing_ms = 3000).await;
    let queue = Queue::open(config(&env, Duration::from_secs(8)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let controls = env.sandbox.controls();
    controls.fail_next(1, "/image/upload", FaultKind::DropAfterHandling);
    let path = png(&env, "slow.png", 3);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(40)).await);
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::Done, "{job:#?}");
    assert_eq!(controls.requests_seen("/image/upload"), 1);
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 1);
    queue.shutdown().await;
}

/// Real servers sign media URLs anew on every answer. An upload whose whole body went out
/// but never reached the server (the proxy took it and lost it, no answer) must not be
/// judged landed because the image's origin URL came back with another signature: it
/// waits for the user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_signature_on_the_origin_url_is_not_taken_for_a_landed_upload() {
    let env = start(|c| c.signed_url_ttl_secs = Some(600)).await;
    let image_id = image_with_one_file(&env).await;
    let client = env.client();
    let origin = || async { client.get_image(&image_id).await.unwrap().files.unwrap()[0].clone() };
    assert_ne!(
        origin().await,
        origin().await,
        "signed anew on every answer"
    );
    let proxy = Proxy::start(&env.sandbox.public_api_url()).await;
    proxy.lose_after_body(1, "/image/upload");
    let queue = open_via(&env, &proxy, Duration::from_secs(2)).await;
    let path = png(&env, "second-version.png", 4);
    let target = Target::Version {
        image_id: image_id.clone(),
    };
    let report = queue
        .enqueue(vec![JobRequest::file(&path, target)])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(
        state_of(&queue, &id),
        JobState::MayHaveLanded,
        "nothing landed: not done, and not resent by itself"
    );
    assert_eq!(files_on(&env, &image_id).await, 1);
    assert_eq!(proxy.seen("/image/upload"), 1);
    queue.shutdown().await;
}

/// Same size, same modification time, other content: only the SHA-256 taken while
/// streaming can tell, and the last chunk is withheld.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_with_its_old_size_and_time_is_caught_while_streaming() {
    let env = start(|_| {}).await;
    let path = png(&env, "edited.png", 5);
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    // No client yet: the job waits while the file is edited.
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    let before = std::fs::metadata(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 20; // inside the pixel data, not the PNG signature
    bytes[last] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(before.modified().unwrap()).unwrap();
    drop(file);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), before.len());

    queue.set_client(env.client());
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(
        state_of(&queue, &id),
        JobState::Changed,
        "{:#?}",
        queue.job(&id)
    );
    let image = queue.job(&id).unwrap().image_id;
    if let Some(image) = image {
        assert_eq!(
            files_on(&env, &image).await,
            0,
            "the changed file never landed"
        );
    }
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_413_fails_as_too_large_and_is_not_resent() {
    let env = start(|_| {}).await;
    // The proxy reads the whole body before its 413, so the answer always arrives; the
    // sandbox answers as soon as the limit is passed and closes, which a client still
    // sending may see as a reset instead (the next test).
    let proxy = Proxy::start(&env.sandbox.public_api_url()).await;
    proxy.answer_413_over(256 * 1024);
    let queue = open_via(&env, &proxy, Duration::from_secs(10)).await;
    let big = env.file("poster.jpg");
    write_noise_jpeg(&big, 600, 1); // about 600 KB
    let small = png(&env, "icon.png", 6);
    let report = queue
        .enqueue(vec![
            JobRequest::file(&big, new_image(&env)),
            JobRequest::file(&small, new_image(&env)),
        ])
        .await
        .unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let big_job = queue.job(&report.accepted[0].id).unwrap();
    match &big_job.state {
        JobState::Failed { reason, .. } => {
            assert!(reason.contains("too large for BeProduct"), "{reason}");
            assert!(reason.contains("poster.jpg"), "{reason}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        state_of(&queue, &report.accepted[1].id),
        JobState::Done,
        "the rest of the batch goes on"
    );
    assert_eq!(proxy.seen("/image/upload"), 2, "one try each, no resend");
    queue.shutdown().await;
}

/// Front ends often reset an over-limit body instead of answering 413. A body cut off
/// mid-way while the server answers everything else is tried a bounded number of times,
/// then reported as too large.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_cut_off_mid_body_fail_as_too_large_after_a_bounded_number_of_tries() {
    let env = start(|c| {
        c.max_upload_mb = 1;
        c.oversize = Oversize::Reset;
    })
    .await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let big = env.file("huge.jpg");
    write_noise_jpeg(&big, 2400, 2); // about 13 MB: far more than socket buffers hold
    let report = queue
        .enqueue(vec![JobRequest::file(&big, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(60)).await);
    let job = queue.job(&id).unwrap();
    match &job.state {
        JobState::Failed { reason, .. } => assert!(reason.contains("too large"), "{reason}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        env.sandbox.controls().requests_seen("/image/upload"),
        3,
        "three cut-offs, then no more"
    );
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 0);
    queue.shutdown().await;
}

/// A link that stops taking bytes mid-body (past the client's stall timeout, here 1 s) is
/// the network's trouble, not a size limit, however soon after the last byte it is
/// reported: the queue pauses, sends again once the server answers, and never counts a
/// stall towards "too large".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalling_link_pauses_the_queue_and_is_never_taken_for_too_large() {
    let env = start(|_| {}).await;
    let proxy = Proxy::start(&env.sandbox.public_api_url()).await;
    proxy.stall_after(3, "/image/upload", 64 * 1024);
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let policy = RetryPolicy {
        stall_timeout: Duration::from_secs(1),
        ..RetryPolicy::fast()
    };
    queue.set_client(common::client_at(&env.sandbox, &proxy.url(), policy));
    let pauses = collect_pauses(&queue);
    let big = env.file("huge.jpg");
    write_noise_jpeg(&big, 2400, 3); // about 13 MB: far more than socket buffers hold
    let report = queue
        .enqueue(vec![JobRequest::file(&big, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    assert!(queue.wait_until_idle(Duration::from_secs(90)).await);
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::Done, "{job:#?}");
    assert_eq!(
        proxy.seen("/image/upload"),
        4,
        "three stalls, then it went through"
    );
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 1);
    let pauses = pauses.lock().unwrap().clone();
    assert!(
        pauses.len() >= 3 && pauses.iter().all(|p| p.contains("stopped taking data")),
        "{pauses:#?}"
    );
    queue.shutdown().await;
}

/// The reasons of every `paused` event from now on.
fn collect_pauses(queue: &Queue) -> Arc<Mutex<Vec<String>>> {
    let pauses = Arc::new(Mutex::new(Vec::new()));
    let mut events = queue.subscribe();
    let seen = pauses.clone();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(QueueEvent::Paused { reason }) => seen.lock().unwrap().push(reason),
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
    pauses
}

/// A sign-in the token endpoint refuses (the credentials are no longer valid) is not the
/// files' fault: the queue pauses with the message, no job fails and nothing is sent, and
/// it carries on by itself once a client that works is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_pauses_the_queue_instead_of_failing_jobs() {
    let env = start(|_| {}).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let pauses = collect_pauses(&queue);
    queue.set_client(common::refused_client(&env.sandbox));
    let report = queue
        .enqueue(vec![
            JobRequest::file(png(&env, "a.png", 31), new_image(&env)),
            JobRequest::file(png(&env, "b.png", 32), new_image(&env)),
        ])
        .await
        .unwrap();
    wait_for("the queue to pause", Duration::from_secs(30), || {
        queue.totals().paused
            && report
                .accepted
                .iter()
                .all(|j| state_of(&queue, &j.id) == JobState::Queued)
    })
    .await;
    assert!(
        !queue.wait_until_idle(Duration::from_secs(2)).await,
        "stays paused while the sign-in is refused"
    );
    let totals = queue.totals();
    assert_eq!((totals.failed, totals.queued), (0, 2), "{totals:?}");
    let pauses = pauses.lock().unwrap().clone();
    assert_eq!(pauses.len(), 1, "{pauses:#?}");
    assert!(pauses[0].contains("reconnect"), "{}", pauses[0]);
    let controls = env.sandbox.controls();
    assert_eq!(controls.requests_seen("image/header/create"), 0);

    queue.set_client(env.client());
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    for job in &report.accepted {
        assert_eq!(state_of(&queue, &job.id), JobState::Done);
    }
    assert!(!queue.totals().paused);
    assert_eq!(controls.count_images(Some(&env.folder_id)), 2);
    queue.shutdown().await;
}

/// Jobs queued while no client was set have no server yet. A client takes them on only
/// once their folder or image is found on its own server; a client of another server
/// fails them, naming the target and the server, without sending anything. Retry with the
/// right account connected uploads them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_without_a_server_are_not_adopted_by_a_server_without_their_target() {
    let env = start(|_| {}).await;
    let other = start(|_| {}).await;
    let existing = image_with_one_file(&env).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let report = queue
        .enqueue(vec![
            JobRequest::file(png(&env, "new.png", 41), new_image(&env)),
            JobRequest::file(
                png(&env, "version.png", 42),
                Target::Version {
                    image_id: existing.clone(),
                },
            ),
        ])
        .await
        .unwrap();
    assert!(report.accepted.iter().all(|j| j.server_key.is_none()));

    queue.set_client(other.client());
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let targets = [
        ("folder", env.folder_id.as_str()),
        ("image", existing.as_str()),
    ];
    for (job, (what, target)) in report.accepted.iter().zip(targets) {
        let job = queue.job(&job.id).unwrap();
        match &job.state {
            JobState::Failed { reason, permanent } => {
                assert!(!permanent, "Retry may help");
                let expected =
                    format!("the {what} {target} is not on the connected BeProduct server");
                assert!(reason.contains(&expected), "{reason}");
                assert!(
                    reason.contains("connect that account and Retry"),
                    "{reason}"
                );
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert_eq!(job.server_key, None, "not taken on");
    }
    let other_controls = other.sandbox.controls();
    assert_eq!(other_controls.requests_seen("image/header/create"), 0);
    assert_eq!(other_controls.requests_seen("image/upload"), 0);

    let client = env.client();
    queue.set_client(client.clone());
    assert_eq!(queue.retry_all_failed().await.unwrap(), 2);
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    for job in &report.accepted {
        let job = queue.job(&job.id).unwrap();
        assert_eq!(job.state, JobState::Done, "{job:#?}");
        assert_eq!(job.server_key.as_deref(), Some(client.server_key()));
    }
    let new_image_id = queue.job(&report.accepted[0].id).unwrap().image_id.unwrap();
    assert_eq!(files_on(&env, &new_image_id).await, 1);
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 2);
    assert_eq!(other_controls.count_images(None), 0);
    queue.shutdown().await;
}

/// Jobs belong to the server they were queued for. A client for another server (say the
/// built-in sandbox after a failed keychain read) neither runs nor checks them; they run
/// once their own server's client is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_wait_for_their_own_server() {
    let env = start(|_| {}).await;
    let other = start(|_| {}).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    queue.set_client(env.client());
    queue.set_concurrency(1).unwrap();
    // Hold the job until the client switches: a first upload keeps the only slot busy.
    env.sandbox.controls().set_latency_ms(300);
    let first = png(&env, "first.png", 7);
    let second = png(&env, "second.png", 8);
    let report = queue
        .enqueue(vec![
            JobRequest::file(&first, new_image(&env)),
            JobRequest::file(&second, new_image(&env)),
        ])
        .await
        .unwrap();
    queue.set_client(other.client());
    assert!(
        !queue.wait_until_idle(Duration::from_secs(2)).await,
        "the second job waits for its server"
    );
    let other_controls = other.sandbox.controls();
    assert_eq!(other_controls.requests_seen("image/header/create"), 0);
    assert_eq!(other_controls.requests_seen("image/upload"), 0);
    assert_eq!(other_controls.count_images(None), 0);

    queue.set_client(env.client());
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    for job in &report.accepted {
        assert_eq!(state_of(&queue, &job.id), JobState::Done);
    }
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 2);
    assert_eq!(other_controls.count_images(None), 0);
    queue.shutdown().await;
}

/// Cancel a running job and retry it at once, again and again: the run that was
/// cancelled ends late and must not take the new run's slot with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_then_retry_at_once_never_leaves_a_job_stuck() {
    let env = start(|c| c.latency_ms = 100).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let path = png(&env, "flicker.png", 9);
    let report = queue
        .enqueue(vec![JobRequest::file(&path, new_image(&env))])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    for _ in 0..6 {
        wait_for("the job to run", Duration::from_secs(20), || {
            let state = state_of(&queue, &id);
            state.holds_slot() || state == JobState::Done
        })
        .await;
        if state_of(&queue, &id) == JobState::Done {
            break;
        }
        if queue.cancel(&id).is_ok() {
            queue.retry(&id).await.unwrap();
        }
    }
    assert!(
        queue.wait_until_idle(Duration::from_secs(30)).await,
        "stuck: {:#?}",
        queue.job(&id)
    );
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::Done, "{job:#?}");
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 1);
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 1);
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_name_is_decoded_before_it_becomes_the_number() {
    let env = start(|_| {}).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let report = queue
        .enqueue(vec![JobRequest::url(
            "https://cdn.example/prints/front%20print.png?sig=abc",
            new_image(&env),
        )])
        .await
        .unwrap();
    let job = &report.accepted[0];
    assert_eq!(job.file_name, "front print.png");
    assert_eq!(job.header_number.as_deref(), Some("front print"));
    queue.shutdown().await;
}

/// The token endpoint answering 503 a few times (the issue's own reproduction): the refresh
/// is waited out, nothing fails, nothing asks to reconnect, and every file lands once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_answering_503_is_waited_out_and_every_file_lands_once() {
    let env = start(|_| {}).await;
    let queue = Queue::open(config(&env, Duration::from_secs(10)))
        .await
        .unwrap();
    let pauses = collect_pauses(&queue);
    queue.set_client(env.client());
    let controls = env.sandbox.controls();
    // Every token the client holds is refused from now on, and the next refreshes get 503.
    controls.revoke_access_tokens();
    controls.fail_next(3, "/connect/token", FaultKind::Status503);
    let report = queue
        .enqueue(vec![
            JobRequest::file(png(&env, "t1.png", 41), new_image(&env)),
            JobRequest::file(png(&env, "t2.png", 42), new_image(&env)),
        ])
        .await
        .unwrap();
    assert!(queue.wait_until_idle(Duration::from_secs(60)).await);
    for job in &report.accepted {
        assert_eq!(state_of(&queue, &job.id), JobState::Done);
    }
    assert!(
        controls.requests_seen("/connect/token") >= 4,
        "the 503s were met"
    );
    assert_eq!(controls.requests_seen("image/header/create"), 2);
    assert_eq!(controls.count_images(Some(&env.folder_id)), 2);
    let pauses = pauses.lock().unwrap().clone();
    assert!(
        pauses.iter().all(|p| !p.contains("reconnect")),
        "a busy token endpoint never asks to reconnect: {pauses:#?}"
    );
    queue.shutdown().await;
}

/// A URL upload cancelled while its source had not sent a byte cannot have landed: Retry
/// sends it at once. (Before, a URL's body counted as sent from its start, so the retry
/// watched the image for the whole processing time, "processing" with nothing to poll.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_upload_cancelled_before_any_byte_is_sent_again_at_once_on_retry() {
    let env = start(|c| c.test_controls = true).await;
    // The watch is far longer than the test's wait: only an immediate resend finishes it.
    let queue = Queue::open(config(&env, Duration::from_secs(600)))
        .await
        .unwrap();
    queue.set_client(env.client());
    let controls = env.sandbox.controls();
    let source = env.file("held.png");
    write_png(&source, 51);
    let hold = beproduct_sandbox::SourceOptions {
        hold: true,
        content_type: Some("image/png".into()),
        ..Default::default()
    };
    controls
        .put_source("held.png", std::fs::read(&source).unwrap(), hold)
        .unwrap();
    let report = queue
        .enqueue(vec![JobRequest::url(
            controls.source_url("held.png"),
            new_image(&env),
        )])
        .await
        .unwrap();
    let id = report.accepted[0].id.clone();
    wait_for(
        "the upload to wait on its source",
        Duration::from_secs(30),
        || state_of(&queue, &id) == JobState::Uploading,
    )
    .await;
    assert_eq!(queue.cancel(&id).unwrap().state, JobState::Cancelled);
    controls.release_source("held.png").unwrap();
    queue.retry(&id).await.unwrap();
    assert!(
        queue.wait_until_idle(Duration::from_secs(30)).await,
        "not sent again: {:#?}",
        queue.job(&id)
    );
    let job = queue.job(&id).unwrap();
    assert_eq!(job.state, JobState::Done, "{job:#?}");
    assert_eq!(files_on(&env, job.image_id.as_deref().unwrap()).await, 1);
    queue.shutdown().await;
}
