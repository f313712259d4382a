//! Shared by the integration tests: an in-process sandbox on 127.0.0.1 with a client, a
//! real upload queue, hot folders with a small real planner, real image files, and
//! bounded waits. Set up as upload-queue's tests do (`crates/upload-queue/tests/common`).
#![allow(dead_code)] // each test binary uses a different part

use beproduct::{Client, Config, RetryPolicy};
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use futures::FutureExt;
use hot_folders::{HotFolderConfig, HotFolderStatus, HotFolders, Planner, Timing};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use upload_queue::{JobRequest, Queue, QueueConfig, Target};

/// Scaled down from the app's 2 s: every test file still has to stay unchanged (and, on
/// Linux, closed) for this long before it is taken.
pub const TIMING: Timing = Timing {
    settle: Duration::from_millis(300),
    poll: Duration::from_millis(50),
};

/// The longest any wait in these tests may take.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Env {
    pub sandbox: Sandbox,
    pub folder_id: String,
    pub dir: tempfile::TempDir,
}

pub async fn start() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        processing_ms: 150,
        ..Default::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let folder_id = client_signing_in_with(&sandbox, "sandbox-secret")
        .folders()
        .await
        .unwrap()[0]
        .id
        .clone();
    Env {
        sandbox,
        folder_id,
        dir,
    }
}

fn client_signing_in_with(sandbox: &Sandbox, client_secret: &str) -> Client {
    let api_url = sandbox.public_api_url();
    let key = format!("{}/api/sandbox/", api_url.trim_end_matches('/'));
    let config = Config::new(
        "sandbox",
        "sandbox-client",
        client_secret,
        "sandbox-refresh-token",
    )
    .with_api_url(api_url)
    .with_token_url(sandbox.token_url())
    .with_retry_policy(RetryPolicy::fast())
    .with_server_key(key);
    Client::new(config).unwrap()
}

/// The test's planner, a real one of the kind the app plugs in: a name with "bad" in it
/// breaks the folder's naming rule; every other file becomes a new image in the hot folder's
/// BeProduct folder.
pub fn planner() -> Planner {
    Arc::new(move |folder_id: String, path: PathBuf| {
        async move {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.contains("bad") {
                return Err(format!(
                    "{name} does not follow this folder's naming rule (names may not contain \"bad\"); rename it and put it back."
                ));
            }
            Ok(JobRequest::file(path, Target::NewImage { folder_id }))
        }
        .boxed()
    })
}

impl Env {
    pub fn client(&self) -> Client {
        client_signing_in_with(&self.sandbox, "sandbox-secret")
    }

    /// A client whose sign-in the sandbox refuses: the queue pauses with it.
    pub fn refused_client(&self) -> Client {
        client_signing_in_with(&self.sandbox, "revoked-secret")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("app-data/hot-folders")
    }

    /// The watched folder (created on first use).
    pub fn watched(&self) -> PathBuf {
        let dir = self.dir.path().join("watched");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub async fn open_queue(&self, client: Client) -> Queue {
        let mut config = QueueConfig::new(self.dir.path().join("app-data/uploads.sqlite"));
        config.processing_timeout = Duration::from_secs(10);
        config.offline_probe_max = Duration::from_secs(1);
        let queue = Queue::open(config).await.unwrap();
        queue.set_client(client);
        queue
    }

    pub async fn open_hot(&self, queue: &Queue) -> HotFolders {
        HotFolders::open(self.state_dir(), queue.clone(), planner(), TIMING)
            .await
            .unwrap()
    }

    pub fn config(&self, id: &str, move_uploaded: bool) -> HotFolderConfig {
        HotFolderConfig {
            id: id.into(),
            dir: self.watched(),
            folder_id: self.folder_id.clone(),
            move_uploaded,
        }
    }

    /// SHA-256 of the original the sandbox stored for an image (it must hold one file).
    pub async fn stored_sha256(&self, image_id: &str) -> String {
        let header = self.client().get_image(image_id).await.unwrap();
        let files = header.files.unwrap_or_default();
        assert_eq!(files.len(), 1, "image {image_id} has {} files", files.len());
        // Origin URLs are /media/storage/<company>/<file id>/1/<name>; the sandbox keeps
        // the original at <data dir>/files/<file id>/original.<ext>.
        let url = files[0].as_str().unwrap();
        let after = url.split("/media/storage/").nth(1).unwrap();
        let file_id = after.split('/').nth(1).unwrap();
        let dir = self.sandbox.config().data_dir.join("files").join(file_id);
        let original = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_stem()
                    .is_some_and(|s| s.to_string_lossy() == "original")
            })
            .unwrap_or_else(|| panic!("no original in {}", dir.display()));
        sha256(&std::fs::read(original).unwrap())
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
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

/// The bytes of a real PNG of noise, `side`² pixels (noise does not compress: ~3 bytes a pixel).
pub fn noise_png(side: u32, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = (state >> 33) as u32;
        image::Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Polls `check` until it holds; fails the test after `PATIENCE`.
pub async fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the hot folder's status satisfies `check`; returns that status.
pub async fn wait_for_status(
    hot: &HotFolders,
    id: &str,
    what: &str,
    check: impl Fn(&HotFolderStatus) -> bool,
) -> HotFolderStatus {
    let mut last = None;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let status = hot.status(id).expect("the hot folder is listed");
        if check(&status) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last status {last:#?}"
        );
        last = Some(status);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
