//! A raw HTTP/1.1 client over `TcpStream`, so tests can send exactly the bytes they mean
//! (dot segments, `%00`, bad bodies) without a client library normalising them first.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What came back on one connection.
#[derive(Debug)]
pub struct RawResponse {
    /// `None` when the server closed the connection without a status line.
    pub status: Option<u16>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The `message` (API) or `error_description` (token endpoint) of a JSON error body.
    pub fn error_message(&self) -> Option<String> {
        let json = self.json()?;
        ["message", "error_description"]
            .iter()
            .find_map(|k| json.get(*k)?.as_str().map(str::to_owned))
            .filter(|m| !m.trim().is_empty())
    }
}

/// Builds a request for the server at `addr` with `Connection: close` and a correct `Content-Length`.
pub fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Sends `bytes` on a new connection and reads until the server closes it (at most 10 s).
pub async fn send(addr: SocketAddr, bytes: &[u8]) -> RawResponse {
    let mut sock = TcpStream::connect(addr).await.expect("connect");
    // A server may answer and close before reading everything; that is not a failure here.
    let _ = sock.write_all(bytes).await;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server neither answered nor closed within 10 s"
    );
    parse(&buf)
}

pub fn parse(buf: &[u8]) -> RawResponse {
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return RawResponse {
            status: None,
            headers: Vec::new(),
            body: Vec::new(),
        };
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let raw_body = &buf[head_end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(raw_body)
    } else {
        raw_body.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&data[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
    out
}

/// Percent-encodes every byte outside unreserved ASCII, so any text fits in a request target.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
