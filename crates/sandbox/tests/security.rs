//! Issue 11 item 4: the sandbox trusts no one. Foreign Host headers are refused, the test
//! controls exist only when asked for, and a data folder takes the credentials it is given.

mod common;

use beproduct_sandbox::{Sandbox, Seed};
use common::*;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn raw_get(addr: std::net::SocketAddr, target: &str, host: &str) -> String {
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    sock.read_to_end(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_header_is_refused_with_421() {
    let env = start(Seed::Empty).await;
    let addr = env.sandbox.addr();
    let port = addr.port();
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_owned(),
    ] {
        let answer = raw_get(addr, "/", &host).await;
        assert!(answer.starts_with("HTTP/1.1 421"), "Host {host}: {answer}");
        assert!(answer.contains("\"error\":true"), "Host {host}: {answer}");
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let answer = raw_get(addr, "/", &host).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "Host {host}: {answer}");
    }
    // An absolute request target names the host too; a foreign one is refused on every route.
    let own = format!("127.0.0.1:{port}");
    for target in [
        format!("http://evil.example:{port}/"),
        format!("http://evil.example:{port}/api/sandbox/Image/Folders"),
        format!("http://evil.example:{port}/media/storage/sandbox/x/1/y.png"),
    ] {
        let answer = raw_get(addr, &target, &own).await;
        assert!(answer.starts_with("HTTP/1.1 421"), "{target}: {answer}");
    }
    let answer = raw_get(addr, &format!("http://{own}/"), &own).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_controls_exist_only_when_enabled() {
    let env = start_with(Seed::Empty, |c| c.test_controls = true).await;
    let base = env.sandbox.public_api_url();
    let resp = env
        .http
        .get(format!("{base}/__sandbox/count-images"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_controls_are_absent_by_default() {
    assert!(!beproduct_sandbox::SandboxConfig::default().test_controls);
    let env = start(Seed::Empty).await;
    let base = env.sandbox.public_api_url();
    for path in ["count-images", "requests-seen?path=x"] {
        let resp = env
            .http
            .get(format!("{base}/__sandbox/{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let resp = env
        .http
        .post(format!("{base}/__sandbox/fault-rate"))
        .header("Content-Type", "application/json")
        .body(r#"{"rate":1.0}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        env.get("Image/Folders").await.0,
        StatusCode::OK,
        "no fault was set"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_seeded_with_other_credentials_takes_the_configured_ones() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let with_creds = |secret: &str, refresh: &str| {
        let mut cfg = config(dir.path(), Seed::Empty);
        cfg.client_secret = secret.into();
        cfg.refresh_token = refresh.into();
        cfg.rotate_refresh_tokens = true;
        cfg
    };
    let first = Sandbox::start(with_creds("secret-a", "refresh-a"))
        .await
        .unwrap();
    let (status, body) = grant(&http, &first, "sandbox-client", "secret-a", "refresh-a").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated_a = body["refresh_token"].as_str().unwrap().to_owned();
    first.shutdown().await;

    let second = Sandbox::start(with_creds("secret-b", "refresh-b"))
        .await
        .unwrap();
    let (status, body) = grant(&http, &second, "sandbox-client", "secret-b", "refresh-b").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the configured refresh token works: {body}"
    );
    let (status, _) = grant(&http, &second, "sandbox-client", "secret-b", &rotated_a).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "tokens of the old credentials are gone"
    );
    second.shutdown().await;

    // Without rotation too: the old configured token stops working once the credentials change.
    let plain = |secret: &str, refresh: &str| {
        let mut cfg = with_creds(secret, refresh);
        cfg.rotate_refresh_tokens = false;
        cfg
    };
    let third = Sandbox::start(plain("secret-c", "refresh-c"))
        .await
        .unwrap();
    let (status, _) = grant(&http, &third, "sandbox-client", "secret-c", "refresh-c").await;
    assert_eq!(status, StatusCode::OK);
    third.shutdown().await;
    let fourth = Sandbox::start(plain("secret-d", "refresh-d"))
        .await
        .unwrap();
    let (status, _) = grant(&http, &fourth, "sandbox-client", "secret-d", "refresh-d").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = grant(&http, &fourth, "sandbox-client", "secret-d", "refresh-c").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the old configured token is gone"
    );
}
