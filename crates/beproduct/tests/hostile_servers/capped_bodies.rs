//! Every answer is read with a cap (32 MiB for API JSON, 64 KiB for the token endpoint),
//! whatever `Content-Length` says or leaves out; over the cap is a clear error, never a panic.

use std::time::Duration;

use beproduct::ErrorKind;
use tokio::io::AsyncWriteExt;

use crate::raw::{token_json, RawServer, Request, TOKEN_PATH};
use crate::{policy, KIB, MIB};

/// Valid JSON (an empty list) padded with blanks to `len` bytes.
fn padded_empty_list(len: usize) -> Vec<u8> {
    let mut body = vec![b' '; len];
    body[0] = b'[';
    body[len - 1] = b']';
    body
}

/// How an oversized answer is framed.
#[derive(Clone, Copy, Debug)]
enum Framing {
    Length,
    /// No Content-Length: the body ends when the connection closes.
    CloseDelimited,
    /// A Content-Length far beyond anything that fits in memory.
    AbsurdLength,
}

async fn send_framed(mut req: Request, framing: Framing, body: &[u8]) {
    let length = match framing {
        Framing::Length => format!("Content-Length: {}\r\n", body.len()),
        Framing::CloseDelimited => String::new(),
        Framing::AbsurdLength => format!("Content-Length: {}\r\n", u64::MAX / 2),
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n{length}\r\n"
    );
    let _ = req.sock.write_all(head.as_bytes()).await;
    let _ = req.sock.write_all(body).await;
    let _ = req.sock.shutdown().await;
}

#[tokio::test]
async fn an_api_answer_over_32_mib_is_refused_however_it_is_framed() {
    for framing in [
        Framing::Length,
        Framing::CloseDelimited,
        Framing::AbsurdLength,
    ] {
        let server = RawServer::api(move |mut req: Request| async move {
            req.read_body().await;
            send_framed(req, framing, &padded_empty_list((40 * MIB) as usize)).await;
        })
        .await;
        let err = tokio::time::timeout(
            Duration::from_secs(30),
            server.client(policy(5000, 5000)).folders(),
        )
        .await
        .expect("no hang")
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{framing:?}: {err}");
        assert!(err.to_string().contains("32 MiB"), "{framing:?}: {err}");
    }
}

#[tokio::test]
async fn a_huge_error_body_gives_a_short_message() {
    let server = RawServer::api(|mut req: Request| async move {
        req.read_body().await;
        let body = vec![b'x'; (40 * MIB) as usize];
        req.respond(400, &[], &body).await;
    })
    .await;
    let err = server
        .client(policy(5000, 5000))
        .folders()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(
        err.to_string().len() < 2000,
        "{} bytes",
        err.to_string().len()
    );
}

#[tokio::test]
async fn a_token_answer_over_64_kib_is_refused() {
    let server = RawServer::start(|mut req: Request| async move {
        req.read_body().await;
        if req.path == TOKEN_PATH {
            let mut body = token_json().to_string().into_bytes();
            body.extend(std::iter::repeat_n(b' ', (100 * KIB) as usize));
            req.respond(200, &[("Content-Type", "application/json")], &body)
                .await;
        } else {
            req.respond_json(200, serde_json::json!([])).await;
        }
    })
    .await;
    let err = server
        .client(policy(5000, 5000))
        .folders()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.to_string().contains("64 KiB"), "{err}");
    assert_eq!(server.seen("/api/"), 0);
}
