//! Upload from URL fetches only public http(s) addresses (plus, for a local sandbox, that very
//! sandbox), re-checks every redirect, caps the size while streaming, wants image bytes, keeps
//! to a deadline, and quotes a source's status, never its body.
//!
//! The raw server plays both the API and the sources: the client's API URL is on loopback, so
//! sources on exactly its host and port are the one loopback place allowed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use beproduct::{Client, ErrorKind, SourceLimits};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::raw::{RawServer, Request, IMAGE_ID};
use crate::{policy, KIB, MIB};

const UPLOAD_ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

/// PNG signature and a few more bytes: enough to be recognised as an image.
fn png_bytes(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.resize(len, 7);
    b
}

struct Env {
    server: RawServer,
    /// Upload bodies received whole.
    uploads: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Env {
    fn client(&self) -> Client {
        self.server.client(policy(5000, 5000))
    }

    fn client_with(&self, limits: SourceLimits) -> Client {
        Client::new(
            self.server
                .config(policy(5000, 5000))
                .with_source_limits(limits),
        )
        .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    fn whole_uploads(&self) -> usize {
        self.uploads.lock().unwrap().len()
    }
}

async fn serve_source(mut req: Request) {
    let path = req.path.clone();
    if let Some(n) = path.strip_prefix("/src/hop/") {
        let n: u32 = n.parse().unwrap();
        let next = if n == 0 {
            "../img.png".to_owned()
        } else {
            format!("/src/hop/{}", n - 1)
        };
        req.respond(302, &[("Location", &next)], b"").await;
        return;
    }
    if let Some(target) = path.strip_prefix("/src/redirect?to=") {
        let target = decode_target(target);
        req.respond(307, &[("Location", &target)], b"").await;
        return;
    }
    match path.split('?').next().unwrap() {
        "/src/img.png" => {
            req.respond(200, &[("Content-Type", "image/png")], &png_bytes(4096))
                .await
        }
        "/src/big-length.png" => req.respond(200, &[], &png_bytes(MIB as usize)).await,
        "/src/big-unsized.png" => {
            // No Content-Length: the size shows only while streaming.
            let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
            let _ = req.sock.write_all(head.as_bytes()).await;
            let _ = req.sock.write_all(&png_bytes(MIB as usize)).await;
            let _ = req.sock.shutdown().await;
        }
        "/src/page.html" => {
            req.respond(200, &[], b"<html>SECRET-PAGE-TEXT</html> and more text")
                .await
        }
        "/src/missing.png" => req.respond(404, &[], b"SECRET-BODY-TEXT").await,
        "/src/slow.png" => {
            let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
            let _ = req.sock.write_all(head.as_bytes()).await;
            let _ = req.sock.write_all(&png_bytes(64)).await;
            // A trickle that would take minutes: 1 KiB per 100 ms, for at most 30 s.
            for _ in 0..300 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if req.sock.write_all(&[7u8; 1024]).await.is_err() {
                    return;
                }
            }
        }
        _ => req.respond(404, &[], b"").await,
    }
}

fn decode_target(text: &str) -> String {
    text.replace("%3A", ":").replace("%2F", "/")
}

async fn start() -> Env {
    let uploads: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let sink = uploads.clone();
    let server = RawServer::api(move |mut req: Request| {
        let sink = sink.clone();
        async move {
            if req.path.ends_with("/Image/Upload") {
                if let Some(body) = req.read_body().await {
                    sink.lock().unwrap().push(body);
                    req.respond_json(200, json!({ "imageId": UPLOAD_ID })).await;
                }
            } else {
                serve_source(req).await;
            }
        }
    })
    .await;
    Env { server, uploads }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_source_on_the_clients_own_sandbox_uploads_through_up_to_five_redirects() {
    let env = start().await;
    let client = env.client();
    let sent = Arc::new(AtomicU64::new(0));
    let sink = sent.clone();
    let progress: beproduct::ProgressFn = Arc::new(move |n, _| sink.store(n, Ordering::SeqCst));

    let id = client
        .upload_from_url(IMAGE_ID, &env.url("/src/img.png"), Some(progress))
        .await
        .unwrap();
    assert_eq!(id, UPLOAD_ID);
    assert_eq!(sent.load(Ordering::SeqCst), 4096);
    assert!(contains(&env.uploads.lock().unwrap()[0], &png_bytes(4096)));

    // hop/4 → hop/3 → … → hop/0 → img.png is five redirects (the last one relative): followed.
    // hop/5 is six: refused.
    client
        .upload_from_url(IMAGE_ID, &env.url("/src/hop/4"), None)
        .await
        .unwrap();
    assert_eq!(env.whole_uploads(), 2);
    let err = client
        .upload_from_url(IMAGE_ID, &env.url("/src/hop/5"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");
    assert_eq!(env.whole_uploads(), 2);
}

#[tokio::test]
async fn sources_at_local_private_or_special_addresses_are_refused_before_connecting() {
    let env = start().await;
    let client = env.client();
    let other = RawServer::start(|mut req: Request| async move {
        req.respond(200, &[], &png_bytes(4096)).await;
    })
    .await;
    let p = other.port;
    let refused = [
        format!("http://127.0.0.1:{p}/x.png"),
        format!("http://127.1.2.3:{p}/x.png"),
        format!("http://localhost:{p}/x.png"),
        format!("http://2130706433:{p}/x.png"),
        format!("http://0.0.0.0:{p}/x.png"),
        format!("http://[::1]:{p}/x.png"),
        format!("http://[::ffff:127.0.0.1]:{p}/x.png"),
        format!("http://[::]:{p}/x.png"),
        // The sandbox's port under another name is not the sandbox's own host.
        format!("http://localhost:{}/src/img.png", env.server.port),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::ffff:169.254.169.254]/latest/meta-data/".to_owned(),
        "http://10.1.2.3/x.png".to_owned(),
        "http://172.16.0.1/x.png".to_owned(),
        "http://192.168.1.1/x.png".to_owned(),
        "http://100.64.0.1/x.png".to_owned(),
        "http://224.0.0.1/x.png".to_owned(),
        "http://255.255.255.255/x.png".to_owned(),
        "http://[fe80::1]/x.png".to_owned(),
        "http://[fd00::1]/x.png".to_owned(),
        "http://[ff02::1]/x.png".to_owned(),
        // Redirects are checked like the first address.
        env.url(&format!(
            "/src/redirect?to=http%3A%2F%2F127.0.0.1%3A{p}%2Fx.png"
        )),
        env.url("/src/redirect?to=http%3A%2F%2F169.254.169.254%2F"),
        env.url("/src/redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd"),
    ];
    for url in &refused {
        let err = tokio::time::timeout(
            Duration::from_secs(10),
            client.upload_from_url(IMAGE_ID, url, None),
        )
        .await
        .unwrap_or_else(|_| panic!("{url}: no answer in time"))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{url}: {err}");
    }
    assert_eq!(other.connections(), 0, "a refused address was connected to");
    assert_eq!(env.server.seen("/Image/Upload"), 0, "nothing was uploaded");
    let text = client
        .upload_from_url(IMAGE_ID, "http://169.254.169.254/latest", None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("169.254.169.254") && text.contains("not allowed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_source_over_the_size_limit_is_too_large_and_never_reaches_the_server_whole() {
    let env = start().await;
    let limits = SourceLimits {
        max_bytes: 64 * KIB,
        ..SourceLimits::default()
    };
    let client = env.client_with(limits);
    for path in ["/src/big-length.png", "/src/big-unsized.png"] {
        let err = client
            .upload_from_url(IMAGE_ID, &env.url(path), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge, "{path}: {err}");
        assert!(err.to_string().contains("64 KiB"), "{path}: {err}");
    }
    // The declared size is refused before uploading; the undeclared one is cut off mid-body.
    assert_eq!(env.whole_uploads(), 0);
}

#[tokio::test]
async fn a_source_that_is_not_an_image_or_fails_is_reported_without_its_body() {
    let env = start().await;
    let client = env.client();

    let err = client
        .upload_from_url(IMAGE_ID, &env.url("/src/page.html"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("not an image"), "{err}");
    assert!(!err.to_string().contains("SECRET-PAGE-TEXT"), "{err}");

    let err = client
        .upload_from_url(
            IMAGE_ID,
            &env.url("/src/missing.png?token=SECRET-QUERY"),
            None,
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Io, "{text}");
    assert!(text.contains("404"), "{text}");
    assert!(
        !text.contains("SECRET-BODY-TEXT") && !text.contains("SECRET-QUERY"),
        "{text}"
    );
    assert_eq!(env.server.seen("/Image/Upload"), 0);
}

#[tokio::test]
async fn a_source_slower_than_the_deadline_stops_with_its_progress_reported() {
    let env = start().await;
    let limits = SourceLimits {
        deadline: Duration::from_secs(1),
        ..SourceLimits::default()
    };
    let client = env.client_with(limits);
    let sent = Arc::new(AtomicU64::new(0));
    let sink = sent.clone();
    let progress: beproduct::ProgressFn = Arc::new(move |n, _| sink.store(n, Ordering::SeqCst));
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        client.upload_from_url(IMAGE_ID, &env.url("/src/slow.png"), Some(progress)),
    )
    .await
    .expect("the deadline ends it")
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(err.to_string().contains("1 s"), "{err}");
    assert!(sent.load(Ordering::SeqCst) > 64, "progress was reported");
    assert_eq!(env.whole_uploads(), 0);
}
