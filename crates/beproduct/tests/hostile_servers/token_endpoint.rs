//! The token endpoint's answers: throttling and outages are transient (the queue pauses);
//! only a refusal of the credentials asks the user to reconnect the account.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use beproduct::ErrorKind;
use serde_json::json;

use crate::raw::{token_json, RawServer, Request, TOKEN_PATH};
use crate::{assert_no_secret, policy};

/// A server whose token endpoint gives `answer(n)` to its n-th request (0-based; `None` = a
/// valid token) and whose folders endpoint answers an empty list.
async fn token_server(
    answer: impl Fn(u64) -> Option<(u16, Vec<(&'static str, String)>, serde_json::Value)>
        + Send
        + Sync
        + 'static,
) -> RawServer {
    let count = Arc::new(AtomicU64::new(0));
    let answer = Arc::new(answer);
    RawServer::start(move |mut req: Request| {
        let (count, answer) = (count.clone(), answer.clone());
        async move {
            req.read_body().await;
            if req.path != TOKEN_PATH {
                req.respond_json(200, json!([])).await;
                return;
            }
            match answer(count.fetch_add(1, Ordering::SeqCst)) {
                None => req.respond_json(200, token_json()).await,
                Some((status, headers, body)) => {
                    let headers: Vec<(&str, &str)> =
                        headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    req.respond(status, &headers, body.to_string().as_bytes())
                        .await
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_token_endpoint_answering_503_a_few_times_is_waited_out() {
    let server = token_server(|n| (n < 2).then(|| (503, vec![], json!({"error": "busy"})))).await;
    let folders = server.client(policy(5000, 5000)).folders().await.unwrap();
    assert!(folders.is_empty());
    assert_eq!(server.seen(TOKEN_PATH), 3);
}

#[tokio::test]
async fn a_token_endpoint_answering_429_waits_its_retry_after() {
    let server =
        token_server(|n| (n == 0).then(|| (429, vec![("Retry-After", "1".to_owned())], json!({}))))
            .await;
    let started = Instant::now();
    server.client(policy(5000, 5000)).folders().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.seen(TOKEN_PATH), 2);
}

#[tokio::test]
async fn a_token_endpoint_that_keeps_throttling_ends_as_throttled() {
    let server = token_server(|_| Some((429, vec![], json!({"error": "slow down"})))).await;
    let err = server
        .client(policy(5000, 5000))
        .folders()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled, "{err}");
    // The whole 429 ladder (5 waits), then the error.
    assert_eq!(server.seen(TOKEN_PATH), 6);
    assert_eq!(server.seen("/api/"), 0);
}

#[tokio::test]
async fn a_token_endpoint_that_stays_unavailable_ends_as_transport() {
    let server = token_server(|_| Some((503, vec![], json!({})))).await;
    let err = server
        .client(policy(5000, 5000))
        .folders()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("503"), "{err}");
    assert!(!err.to_string().contains("reconnect"), "{err}");
    // The first try and the three transient back-off steps.
    assert_eq!(server.seen(TOKEN_PATH), 4);
}

#[tokio::test]
async fn a_5xx_that_may_have_rotated_the_token_is_transport_and_not_repeated() {
    for status in [500u16, 502, 504] {
        let server =
            token_server(move |_| Some((status, vec![], json!({"message": "oops"})))).await;
        let err = server
            .client(policy(5000, 5000))
            .folders()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Transport, "{status}: {err}");
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        assert_no_secret(&err.to_string());
        assert_eq!(server.seen(TOKEN_PATH), 1, "{status}");
    }
}

#[tokio::test]
async fn a_token_request_whose_answer_is_lost_is_transport_and_not_repeated() {
    let server = RawServer::start(|mut req: Request| async move {
        req.read_body().await;
        drop(req.sock);
    })
    .await;
    let err = server
        .client(policy(5000, 5000))
        .folders()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(server.seen(TOKEN_PATH), 1);
}

#[tokio::test]
async fn refused_credentials_or_a_misconfigured_endpoint_ask_to_reconnect() {
    let cases = [
        (400u16, json!({"error": "invalid_grant"})),
        (400, json!({"error": "invalid_client"})),
        (
            400,
            json!({"error": "unauthorized_client", "error_description": "no"}),
        ),
        (401, json!({})),
        (403, json!({"message": "forbidden"})),
        (404, json!({})),
    ];
    for (status, body) in cases {
        let answer = body.clone();
        let server = token_server(move |_| Some((status, vec![], answer.clone()))).await;
        let err = server
            .client(policy(5000, 5000))
            .folders()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth, "{status} {body}: {err}");
        assert!(err.to_string().contains("reconnect"), "{err}");
        assert_no_secret(&err.to_string());
        assert_eq!(server.seen(TOKEN_PATH), 1, "{status} {body}");
    }
}
