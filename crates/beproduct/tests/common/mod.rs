//! Shared test setup: a real sandbox on 127.0.0.1, a client for it, PNG bytes, and a tiny HTTP
//! server for serving upload sources and hand-made answers.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use beproduct::{Client, Config, Folder, RetryPolicy};
use beproduct_sandbox::{Controls, Sandbox, SandboxConfig, Seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct Env {
    pub sandbox: Sandbox,
    pub client: Client,
    pub controls: Controls,
    pub dir: tempfile::TempDir,
}

pub async fn start(adjust: impl FnOnce(&mut SandboxConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Demo,
        processing_ms: 200,
        ..Default::default()
    };
    adjust(&mut config);
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let client = client_for(&sandbox, RetryPolicy::fast());
    let controls = sandbox.controls();
    Env {
        sandbox,
        client,
        controls,
        dir,
    }
}

pub fn config_for(sandbox: &Sandbox, retry: RetryPolicy) -> Config {
    Config::new(
        "sandbox",
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh-token",
    )
    .with_api_url(sandbox.public_api_url())
    .with_token_url(sandbox.token_url())
    .with_retry_policy(retry)
}

pub fn client_for(sandbox: &Sandbox, retry: RetryPolicy) -> Client {
    Client::new(config_for(sandbox, retry)).unwrap()
}

pub async fn folder(client: &Client, name: &str) -> Folder {
    let folders = client.folders().await.unwrap();
    folders
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no folder {name}"))
}

/// A real PNG (RGB, stored-deflate zlib) of `w`x`h` with a gradient.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0u8);
        for x in 0..w {
            raw.extend_from_slice(&[(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + *byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = 0xFFFF_FFFFu32;
    for byte in kind.iter().chain(data) {
        crc ^= *byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    out.extend_from_slice(&(!crc).to_be_bytes());
}

/// One canned HTTP answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Leave out Content-Length and close the connection to end the body.
    pub no_length: bool,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
            no_length: false,
        }
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 answering every request with `reply(path)`;
/// returns its base URL and the request paths it saw (in order, with arrival times).
pub async fn tiny_server(
    reply: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<(String, std::time::Instant)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let reply = Arc::new(reply);
    let seen2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (reply, seen) = (reply.clone(), seen2.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                let head_end = loop {
                    let n = tokio::time::timeout(Duration::from_secs(10), sock.read(&mut tmp))
                        .await
                        .ok()?
                        .ok()?;
                    if n == 0 {
                        return None;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                seen.lock()
                    .unwrap()
                    .push((path.clone(), std::time::Instant::now()));
                let r = reply(&path);
                let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", r.status);
                for (k, v) in &r.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                if !r.no_length {
                    out.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
                }
                out.push_str("\r\n");
                sock.write_all(out.as_bytes()).await.ok()?;
                sock.write_all(&r.body).await.ok()?;
                sock.shutdown().await.ok()?;
                Some(())
            });
        }
    });
    (format!("http://{addr}"), seen)
}
