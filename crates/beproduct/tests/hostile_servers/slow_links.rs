//! Uploads over slow, stalled and cut links, and answers that come early, late or as a 5xx.
//! Timings are scaled down: a 1 s stall timeout stands for the minute of the real one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use beproduct::{ErrorKind, FieldUpdate};
use serde_json::json;

use crate::raw::{big_file, RawServer, FOLDER_ID, IMAGE_ID};
use crate::{interrupted, policy, KIB, MIB};

const UPLOAD_ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

fn is_upload(path: &str) -> bool {
    path.ends_with("/Image/Upload")
}

#[tokio::test]
async fn a_slow_link_that_keeps_moving_uploads_in_one_attempt_however_long_it_takes() {
    // 6 MiB read at 2 MiB/s: about 3 s of sending, three times the stall timeout and three
    // times the 1 s that used to bound the whole exchange (the old `read_timeout`, scaled).
    const LEN: u64 = 6 * MIB;
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) && req.read_body_slowly(2 * MIB).await.is_some() {
            req.respond_json(200, json!({ "imageId": UPLOAD_ID })).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "big.psd", LEN);
    let client = server.client(policy(1000, 5000));
    let sent = Arc::new(AtomicU64::new(0));
    let sink = sent.clone();
    let progress: beproduct::ProgressFn = Arc::new(move |n, _| sink.store(n, Ordering::SeqCst));

    let started = Instant::now();
    let id = client
        .upload_file(IMAGE_ID, &path, Some(progress))
        .await
        .unwrap();
    let took = started.elapsed();

    assert_eq!(id, UPLOAD_ID);
    assert_eq!(server.seen("/Image/Upload"), 1, "one attempt");
    assert_eq!(sent.load(Ordering::SeqCst), LEN);
    assert!(took > Duration::from_secs(2), "the link was slow: {took:?}");
}

#[tokio::test]
async fn a_stalled_upload_stops_as_send_interrupted_after_the_stall_timeout() {
    const LEN: u64 = 32 * MIB;
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) {
            req.read_some(256 * KIB as usize).await;
            req.hold(Duration::from_secs(30)).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "big.tif", LEN);
    let client = server.client(policy(500, 5000));

    let err = tokio::time::timeout(
        Duration::from_secs(15),
        client.upload_file(IMAGE_ID, &path, None),
    )
    .await
    .expect("a stall is noticed long before the test's deadline")
    .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    let (sent, stalled) = interrupted(&err).unwrap_or_else(|| panic!("{err:?}"));
    assert!(stalled, "{err:?}");
    assert!(sent < LEN, "{sent}");
    let text = err.to_string();
    assert!(text.contains("stopped taking"), "{text}");
    assert_eq!(server.seen("/Image/Upload"), 1, "not resent by the client");
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_send_interrupted_not_outcome_unknown() {
    const LEN: u64 = 32 * MIB;
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) {
            req.read_some(256 * KIB as usize).await;
            // Closing with unread bytes makes the kernel reset the connection.
            drop(req.sock);
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "big.tif", LEN);
    let client = server.client(policy(5000, 5000));

    let err = tokio::time::timeout(
        Duration::from_secs(15),
        client.upload_file(IMAGE_ID, &path, None),
    )
    .await
    .expect("no hang")
    .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    let (sent, stalled) = interrupted(&err).unwrap_or_else(|| panic!("{err:?}"));
    assert!(!stalled && sent < LEN, "{err:?}");
    assert_eq!(server.seen("/Image/Upload"), 1);
}

#[tokio::test]
async fn no_answer_after_the_last_byte_is_outcome_unknown_after_the_answer_timeout() {
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) && req.read_body().await.is_some() {
            req.hold(Duration::from_secs(30)).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "a.png", 300 * KIB);
    let client = server.client(policy(5000, 500));

    let started = Instant::now();
    let err = tokio::time::timeout(
        Duration::from_secs(15),
        client.upload_file(IMAGE_ID, &path, None),
    )
    .await
    .expect("the answer timeout ends the wait")
    .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!(server.seen("/Image/Upload"), 1);
}

#[tokio::test]
async fn an_early_413_while_the_body_still_streams_is_too_large() {
    const LEN: u64 = 32 * MIB;
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) {
            req.read_some(8 * KIB as usize).await;
            req.respond_json(413, json!({ "message": "Request body too large" }))
                .await;
            req.hold(Duration::from_secs(30)).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "huge.tif", LEN);
    let client = server.client(policy(5000, 5000));

    let err = tokio::time::timeout(
        Duration::from_secs(15),
        client.upload_file(IMAGE_ID, &path, None),
    )
    .await
    .expect("no hang")
    .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err:?}");
    assert!(err.to_string().contains("Request body too large"), "{err}");
    assert_eq!(server.seen("/Image/Upload"), 1);
}

#[tokio::test]
async fn an_early_413_then_a_closed_connection_is_still_too_large() {
    const LEN: u64 = 32 * MIB;
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) {
            req.read_some(8 * KIB as usize).await;
            req.respond_json(413, json!({ "message": "Request body too large" }))
                .await;
            // Stop sending, and let the client read the answer before the socket goes.
            let _ = tokio::io::AsyncWriteExt::shutdown(&mut req.sock).await;
            req.drain_until_closed(Duration::from_secs(30)).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "huge.tif", LEN);
    let client = server.client(policy(5000, 5000));

    let err = tokio::time::timeout(
        Duration::from_secs(15),
        client.upload_file(IMAGE_ID, &path, None),
    )
    .await
    .expect("no hang")
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err:?}");
}

#[tokio::test]
async fn any_5xx_to_a_create_or_a_whole_upload_is_outcome_unknown_and_not_repeated() {
    for status in [500u16, 501, 503, 507, 520] {
        let server = RawServer::api(move |mut req| async move {
            if req.read_body().await.is_some() {
                req.respond_json(status, json!({ "message": "Internal error" }))
                    .await;
            }
        })
        .await;
        let client = server.client(policy(5000, 5000));
        let err = client
            .create_image(FOLDER_ID, &[FieldUpdate::new("header_name", "n")], false)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{status}: {err}");
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        assert_eq!(server.seen("/Header/Create"), 1, "{status}");

        let dir = tempfile::tempdir().unwrap();
        let path = big_file(dir.path(), "a.png", 100 * KIB);
        let err = client.upload_file(IMAGE_ID, &path, None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{status}: {err}");
        assert_eq!(server.seen("/Image/Upload"), 1, "{status}");
    }
}

#[tokio::test]
async fn an_early_5xx_before_the_last_byte_is_send_interrupted() {
    const LEN: u64 = 32 * MIB;
    let server = RawServer::api(|mut req| async move {
        if is_upload(&req.path) {
            req.read_some(8 * KIB as usize).await;
            req.respond_json(500, json!({ "message": "Internal error" }))
                .await;
            req.hold(Duration::from_secs(30)).await;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = big_file(dir.path(), "huge.tif", LEN);
    let client = server.client(policy(5000, 5000));

    let err = tokio::time::timeout(
        Duration::from_secs(15),
        client.upload_file(IMAGE_ID, &path, None),
    )
    .await
    .expect("no hang")
    .unwrap_err();
    let (sent, stalled) = interrupted(&err).unwrap_or_else(|| panic!("{err:?}"));
    assert!(!stalled && sent < LEN, "{err:?}");
    assert!(err.to_string().contains("500"), "{err}");
}
