//! Helpers shared by the integration tests: an in-process sandbox on 127.0.0.1, a client
//! for it, real image files, and the `bp-upload` binary with the sandbox's credentials.
#![allow(dead_code)] // each test binary uses a different part

pub mod proxy;

use beproduct::{Client, Config, RetryPolicy};
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Env {
    pub sandbox: Sandbox,
    pub folder_id: String,
    pub dir: tempfile::TempDir,
}

pub async fn start(tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        processing_ms: 150,
        ..Default::default()
    };
    tweak(&mut config);
    let sandbox = Sandbox::start(config).await.unwrap();
    let folder_id = client_for(&sandbox).folders().await.unwrap()[0].id.clone();
    Env {
        sandbox,
        folder_id,
        dir,
    }
}

pub fn client_for(sandbox: &Sandbox) -> Client {
    client_with(sandbox, RetryPolicy::fast())
}

pub fn client_with(sandbox: &Sandbox, policy: RetryPolicy) -> Client {
    client_at(sandbox, &sandbox.public_api_url(), policy)
}

/// A client for the sandbox's account whose API requests go to `api_url` (a proxy in
/// front of it). Its server key is the sandbox's, as it works on the sandbox's data.
pub fn client_at(sandbox: &Sandbox, api_url: &str, policy: RetryPolicy) -> Client {
    client_signing_in_with(sandbox, api_url, "sandbox-secret", policy)
}

/// A client for the sandbox whose client secret is wrong: its token endpoint refuses the
/// sign-in (`invalid_client`), as when an account's API access was revoked.
pub fn refused_client(sandbox: &Sandbox) -> Client {
    client_signing_in_with(
        sandbox,
        &sandbox.public_api_url(),
        "revoked-secret",
        RetryPolicy::fast(),
    )
}

fn client_signing_in_with(
    sandbox: &Sandbox,
    api_url: &str,
    client_secret: &str,
    policy: RetryPolicy,
) -> Client {
    let direct = format!(
        "{}/api/sandbox/",
        sandbox.public_api_url().trim_end_matches('/')
    );
    let config = Config::new(
        "sandbox",
        "sandbox-client",
        client_secret,
        "sandbox-refresh-token",
    )
    .with_api_url(api_url)
    .with_token_url(sandbox.token_url())
    .with_retry_policy(policy)
    .with_server_key(direct);
    Client::new(config).unwrap()
}

impl Env {
    pub fn client(&self) -> Client {
        client_for(&self.sandbox)
    }

    /// A file path in the test's `files` folder (created on first use).
    pub fn file(&self, name: &str) -> PathBuf {
        let dir = self.dir.path().join("files");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    /// `bp-upload` with the sandbox's credentials in its environment (and nothing else
    /// from ours named BEPRODUCT_*).
    pub fn bp_upload(&self, args: &[&std::ffi::OsStr]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bp-upload"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BEPRODUCT_") {
                cmd.env_remove(name);
            }
        }
        cmd.args(args)
            .env("BEPRODUCT_COMPANY_DOMAIN", "sandbox")
            .env("BEPRODUCT_CLIENT_ID", "sandbox-client")
            .env("BEPRODUCT_CLIENT_SECRET", "sandbox-secret")
            .env("BEPRODUCT_REFRESH_TOKEN", "sandbox-refresh-token")
            .env("BEPRODUCT_API_URL", self.sandbox.public_api_url())
            .env("BEPRODUCT_TOKEN_URL", self.sandbox.token_url());
        cmd
    }

    /// Images in the test folder, each checked to hold exactly one file; returns
    /// (header number, header name, file name from the origin URL's path) sorted by number.
    pub async fn images_with_one_file(&self, ids: &[String]) -> Vec<(String, String, String)> {
        let client = self.client();
        let mut out = Vec::new();
        for id in ids {
            let header = client.get_image(id).await.unwrap();
            let files = header.files.clone().unwrap_or_default();
            assert_eq!(
                files.len(),
                1,
                "image {} ({id}) has {} files",
                header.header_number,
                files.len()
            );
            // The path's last segment: a signed URL's query is not part of the name.
            let url = url::Url::parse(files[0].as_str().unwrap_or_default()).unwrap();
            let last = url.path_segments().and_then(|mut s| s.next_back());
            out.push((
                header.header_number.clone(),
                header.header_name.clone(),
                percent_decode(last.unwrap_or_default()),
            ));
        }
        out.sort();
        out
    }
}

/// Decodes `%XX` escapes (the origin URL's last segment is the percent-encoded file name).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A small real PNG whose pixels (and so its hash) depend on `seed`.
pub fn write_png(path: &Path, seed: u32) {
    let img = image::RgbImage::from_fn(24, 16, |x, y| {
        image::Rgb([
            (seed % 251) as u8,
            (seed / 251 % 251) as u8,
            ((x * 7 + y * 3) % 256) as u8,
        ])
    });
    img.save_with_format(path, image::ImageFormat::Png).unwrap();
}

pub fn write_jpeg(path: &Path, seed: u32) {
    let img = image::RgbImage::from_fn(32, 32, |x, y| {
        image::Rgb([(seed * 13 % 256) as u8, (x * 8) as u8, (y * 8) as u8])
    });
    img.save_with_format(path, image::ImageFormat::Jpeg)
        .unwrap();
}

/// A real JPEG of noise, `side`² pixels at quality 95 (about 1.6 bytes per pixel).
pub fn write_noise_jpeg(path: &Path, side: u32, seed: u64) {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = (state >> 33) as u32;
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    });
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, 95);
    img.write_with_encoder(encoder).unwrap();
}

pub async fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A running `bp-upload` whose stdout and stderr lines are collected as they come.
pub struct Running {
    pub child: Child,
    pub output: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bp-upload starts");
        let output = Arc::new(Mutex::new(Vec::new()));
        let readers = [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ]
        .into_iter()
        .map(|stream| {
            let output = output.clone();
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    output.lock().unwrap().push(line);
                }
            })
        })
        .collect();
        Running {
            child,
            output,
            readers,
        }
    }

    pub fn lines(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// Waits (bounded) for the process to exit by itself; returns its status code.
    pub async fn finish(&mut self, timeout: Duration) -> i32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The pipes close with the process: the readers end once they are drained.
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return status.code().unwrap_or(-1);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "bp-upload did not finish within {timeout:?}; output:\n{}",
                    self.lines().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL (std's `kill` on unix): no destructor, no flush, like a crash.
    pub fn kill_9(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "bp-upload already exited; output:\n{}",
            self.lines().join("\n")
        );
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "{status:?}");
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failing test must not leave the process running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
