//! Auth refresh, token rotation, throttling, rate-limit headers, transient faults and
//! outcome-unknown creates, against the real sandbox's fault controls.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use beproduct::{Client, FieldUpdate, RetryPolicy, SearchQuery};
use beproduct_sandbox::FaultKind;
use futures::StreamExt;

#[tokio::test]
async fn revoked_access_token_is_refreshed_once_and_the_call_retried() {
    let env = common::start(|_| {}).await;
    env.client.folders().await.unwrap();
    let tokens_before = env.controls.requests_seen("/ids/connect/token");
    env.controls.revoke_access_tokens();
    let folders_before = env.controls.requests_seen("image/folders");
    env.client.folders().await.unwrap();
    assert_eq!(
        env.controls.requests_seen("/ids/connect/token") - tokens_before,
        1
    );
    assert_eq!(
        env.controls.requests_seen("image/folders") - folders_before,
        2,
        "401 then the retry"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let env = common::start(|_| {}).await;
    let calls = (0..8).map(|_| {
        let c = env.client.clone();
        tokio::spawn(async move { c.folders().await.map(|f| f.len()) })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(env.controls.requests_seen("/ids/connect/token"), 1);
}

#[tokio::test]
async fn rotated_refresh_token_is_handed_over_and_used_from_then_on() {
    let env = common::start(|c| {
        c.rotate_refresh_tokens = true;
        c.token_ttl_secs = 1;
    })
    .await;
    let rotated: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = rotated.clone();
    let client = common::client_for(&env.sandbox, RetryPolicy::fast())
        .on_refresh_token_rotated(move |s| sink.lock().unwrap().push(s.expose().to_owned()));
    client.folders().await.unwrap();
    // The 1 s token is kept for half its life; calls made after that refresh it again, with the
    // rotated refresh token. Poll until that second rotation happens (deadline: 10 s).
    let deadline = Instant::now() + Duration::from_secs(10);
    while rotated.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "no second refresh within 10 s");
        client.folders().await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen = rotated.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{} rotations", seen.len());
    assert_ne!(seen[0], seen[1]);
    assert_ne!(seen[0], "sandbox-refresh-token");
    assert_eq!(client.current_refresh_token().expose(), seen[1]);
    // The debug output of anything the app might log holds no token.
    assert!(!format!(
        "{:?}",
        common::config_for(&env.sandbox, RetryPolicy::fast())
    )
    .contains("sandbox-refresh-token"));
}

#[tokio::test]
async fn refused_refresh_token_is_an_auth_error_asking_to_reconnect() {
    let env = common::start(|_| {}).await;
    let config =
        beproduct::Config::new("sandbox", "sandbox-client", "sandbox-secret", "stale-token")
            .with_api_url(env.sandbox.public_api_url())
            .with_token_url(env.sandbox.token_url())
            .with_retry_policy(RetryPolicy::fast());
    let err = Client::new(config).unwrap().folders().await.unwrap_err();
    assert_eq!(err.kind(), "auth");
    let text = err.to_string();
    assert!(text.contains("reconnect"), "{text}");
    assert!(
        text.contains("invalid_grant") || text.contains("HTTP 4"),
        "{text}"
    );
    assert!(
        !text.contains("stale-token") && !text.contains("sandbox-secret"),
        "{text}"
    );
}

#[tokio::test]
async fn throttled_with_retry_after_header_waits_the_real_seconds() {
    let env = common::start(|_| {}).await;
    env.client.folders().await.unwrap();
    env.controls.fail_next(
        1,
        "image/folders",
        FaultKind::Status429 {
            retry_after_secs: Some(1),
            body_retry_after: Some(9),
        },
    );
    let started = Instant::now();
    env.client.folders().await.unwrap();
    let took = started.elapsed();
    // The header (1 s) wins over the body (9 s).
    assert!(
        took >= Duration::from_millis(1000) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[tokio::test]
async fn throttled_with_body_retry_after_seconds_only() {
    let env = common::start(|_| {}).await;
    env.client.folders().await.unwrap();
    env.controls.fail_next(
        2,
        "image/folders",
        FaultKind::Status429 {
            retry_after_secs: None,
            body_retry_after: Some(1),
        },
    );
    let started = Instant::now();
    env.client.folders().await.unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2000) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn throttled_without_hints_uses_the_ladder_then_gives_up() {
    let env = common::start(|_| {}).await;
    env.client.folders().await.unwrap();
    let none = FaultKind::Status429 {
        retry_after_secs: None,
        body_retry_after: None,
    };
    env.controls.fail_next(3, "image/folders", none.clone());
    let before = env.controls.requests_seen("image/folders");
    env.client.folders().await.unwrap();
    assert_eq!(env.controls.requests_seen("image/folders") - before, 4);

    // Six 429s in a row: five retries, then Throttled. 429 is retried even for a create.
    let prints = common::folder(&env.client, "Prints").await;
    env.controls.fail_next(6, "header/create", none);
    let before = env.controls.requests_seen("header/create");
    let err = env
        .client
        .create_image(&prints.id, &[FieldUpdate::new("header_name", "x")], false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "throttled", "{err}");
    assert_eq!(env.controls.requests_seen("header/create") - before, 6);
}

#[tokio::test]
async fn retry_after_longer_than_the_policy_allows_fails_at_once() {
    let env = common::start(|_| {}).await;
    env.client.folders().await.unwrap();
    env.controls.fail_next(
        1,
        "image/folders",
        FaultKind::Status429 {
            retry_after_secs: Some(3600),
            body_retry_after: None,
        },
    );
    let started = Instant::now();
    match env.client.folders().await.unwrap_err() {
        beproduct::Error::Throttled { retry_after } => {
            assert_eq!(retry_after, Duration::from_secs(3600))
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn exhausted_rate_limit_headers_make_the_client_wait_before_sending() {
    // A server that reports remaining=0 until a reset 2 s away, so the wait is short and exact.
    let env = common::start(|_| {}).await;
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    let (base, seen) = common::tiny_server(move |_| {
        let mut r = common::Reply::ok("[]");
        r.headers = vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-RateLimit-Limit".into(), "60".into()),
            ("X-RateLimit-Remaining".into(), "0".into()),
            ("X-RateLimit-Reset".into(), reset.to_string()),
        ];
        r
    })
    .await;
    let config = common::config_for(&env.sandbox, RetryPolicy::fast()).with_api_url(base);
    let client = Client::new(config).unwrap();
    client.folders().await.unwrap();
    client.folders().await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let reset_instant = std::time::UNIX_EPOCH + Duration::from_secs(reset);
    assert!(std::time::SystemTime::now() >= reset_instant);
    assert!(
        seen[1].1.duration_since(seen[0].1) >= Duration::from_millis(900),
        "{:?}",
        seen[1].1 - seen[0].1
    );

    // And against the sandbox's own rate limiter: no 429 reaches the caller within the budget.
    env.controls.set_rate_limit(Some(1000));
    for _ in 0..5 {
        env.client.folders().await.unwrap();
    }
}

#[tokio::test]
async fn reads_survive_a_503_and_dropped_connection_storm() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Demo).await;
    let prints = common::folder(&env.client, "Prints").await;
    let ids: Vec<String> = env
        .client
        .search(SearchQuery::in_folder(prints.id.clone()), 5)
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    // With 30 % of requests failing, 3 retries leave 0.3^4 ≈ 0.8 % of calls failing, which a
    // storm of ~30 calls would hit now and then; 8 quick retries make that ≈ 0.002 %.
    let policy = RetryPolicy {
        transient_backoff: vec![Duration::from_millis(5); 8],
        ..RetryPolicy::fast()
    };
    let client = common::client_for(&env.sandbox, policy);
    env.controls.set_fault_rate(0.3);
    let before = env.controls.requests_seen("/api/");
    for _ in 0..3 {
        assert_eq!(client.folders().await.unwrap().len(), 4);
        let again: Vec<String> = client
            .search(SearchQuery::in_folder(prints.id.clone()), 5)
            .map(|r| r.unwrap().id)
            .collect()
            .await;
        assert_eq!(again, ids);
        for id in ids.iter().take(4) {
            assert_eq!(&client.get_image(id).await.unwrap().id, id);
        }
        client.folder_schema(&prints.id).await.unwrap();
    }
    env.controls.set_fault_rate(0.0);
    // 3 rounds of 1 + 3 + 4 + 1 = 27 reads; the injected faults show up as extra requests.
    let sent = env.controls.requests_seen("/api/") - before;
    assert!(sent > 27, "the storm injected no faults ({sent} requests)");
}

#[tokio::test]
async fn create_with_lost_answer_is_outcome_unknown_and_not_repeated() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    let count_before = env.controls.count_images(Some(&prints.id));
    env.controls
        .fail_next(1, "header/create", FaultKind::DropAfterHandling);
    let fields = [
        FieldUpdate::new("header_number", "LOST-1"),
        FieldUpdate::new("header_name", "Lost answer"),
    ];
    let err = env
        .client
        .create_image(&prints.id, &fields, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "outcome_unknown", "{err}");
    assert!(err.to_string().contains("check"), "{err}");
    assert_eq!(env.controls.requests_seen("header/create"), 1);
    assert_eq!(
        env.controls.count_images(Some(&prints.id)),
        count_before + 1
    );
    // The caller can check first: the image is there.
    assert!(env
        .client
        .get_image_by_number("LOST-1")
        .await
        .unwrap()
        .is_some());

    // A 503 on a create is not resent either.
    env.controls
        .fail_next(1, "header/create", FaultKind::Status503);
    let err = env
        .client
        .create_image(&prints.id, &fields, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "outcome_unknown", "{err}");
    assert_eq!(env.controls.requests_seen("header/create"), 2);
}

#[tokio::test]
async fn upload_with_lost_answer_is_outcome_unknown_but_a_refused_connection_retries() {
    let env = common::start(|_| {}).await;
    let prints = common::folder(&env.client, "Prints").await;
    let image = env
        .client
        .create_image(&prints.id, &[FieldUpdate::new("header_name", "u")], false)
        .await
        .unwrap();
    let path = env.dir.path().join("a.png");
    std::fs::write(&path, common::png(16, 16)).unwrap();
    env.controls
        .fail_next(1, "/image/upload", FaultKind::DropAfterHandling);
    let err = env
        .client
        .upload_file(&image.id, &path, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "outcome_unknown", "{err}");
    assert_eq!(env.controls.requests_seen("/image/upload"), 1);

    // A 429 on an upload is safe to resend: the body is rebuilt from disk.
    env.controls.fail_next(
        1,
        "/image/upload",
        FaultKind::Status429 {
            retry_after_secs: None,
            body_retry_after: None,
        },
    );
    let upload_id = env
        .client
        .upload_file(&image.id, &path, None)
        .await
        .unwrap();
    assert_eq!(env.controls.requests_seen("/image/upload"), 3);
    assert!(env
        .client
        .wait_for_processing(&upload_id, Duration::from_secs(30))
        .await
        .unwrap()
        .succeeded());

    // Connection refused (nothing listening): retried, then reported as transport, not unknown.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = common::config_for(&env.sandbox, RetryPolicy::fast()).with_api_url(dead);
    let err = Client::new(config)
        .unwrap()
        .upload_file(&image.id, &path, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "transport", "{err}");
}
