//! Drag out's preparation (`drag_out::prepare`) against a real sandbox: the originals land in
//! the cache as `<image number>.<ext>`, with progress; a second drag downloads nothing; a new
//! version gets a folder of its own and never replaces a file already handed out; a download
//! that breaks off leaves nothing that a later drag would reuse or rename around; an image
//! without an original says why. (The OS drag itself: tests/e2e/test_drag_out.py.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use beproduct::{Client, Config, FieldUpdate, RetryPolicy};
use beproduct_images_lib::drag_out::{prepare, Progress};
use beproduct_images_lib::originals::OriginalsCache;
use beproduct_sandbox::{FaultKind, Sandbox, SandboxConfig, Seed};
use image_library::ImageLibrary;

struct World {
    dir: tempfile::TempDir,
    sandbox: Sandbox,
    library: ImageLibrary,
    cache: OriginalsCache,
    folder: String,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        processing_ms: 20,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let d = SandboxConfig::default();
    let config = Config::new(d.company, d.client_id, d.client_secret, d.refresh_token)
        .with_api_url(sandbox.public_api_url())
        .with_token_url(sandbox.token_url())
        .with_retry_policy(RetryPolicy::fast());
    let library = ImageLibrary::new(Client::new(config).unwrap());
    let folder = library
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Prints")
        .expect("every seed has Prints")
        .id;
    let cache = OriginalsCache::in_data_dir(&dir.path().join("app"));
    World {
        dir,
        sandbox,
        library,
        cache,
        folder,
    }
}

impl World {
    /// A new image numbered `number`, with no file yet.
    async fn image(&self, number: &str) -> String {
        let fields = [
            FieldUpdate::new("header_number", number),
            FieldUpdate::new("header_name", "Drag out"),
        ];
        let client = self.library.client();
        client
            .create_image(&self.folder, &fields, false)
            .await
            .unwrap()
            .id
    }

    /// Uploads a `size`×`size` PNG of `shade` to `id` and waits until it is processed;
    /// returns the uploaded bytes.
    async fn upload(&self, id: &str, shade: u8, size: u32) -> Vec<u8> {
        let path = self.dir.path().join(format!("{id}-{shade}.png"));
        image::RgbImage::from_fn(size, size, |x, y| {
            image::Rgb([shade, (x % 251) as u8, (y % 241) as u8])
        })
        .save(&path)
        .unwrap();
        let client = self.library.client();
        let upload = client.upload_file(id, &path, None).await.unwrap();
        let status = client
            .wait_for_processing(&upload, Duration::from_secs(30))
            .await
            .unwrap();
        assert!(status.finished && !status.error_occured, "{status:?}");
        std::fs::read(&path).unwrap()
    }

    async fn prepare(&self, ids: &[&str]) -> (Result<Vec<PathBuf>, String>, Vec<Progress>) {
        let heard = Mutex::new(Vec::new());
        let ids = ids.iter().map(|s| s.to_string()).collect();
        let files = prepare(&self.library, &self.cache, ids, |p| {
            heard.lock().unwrap().push(p)
        })
        .await
        .map_err(|e| serde_json::to_string(&e).unwrap());
        (files, heard.into_inner().unwrap())
    }

    fn media_requests(&self) -> u64 {
        self.sandbox.controls().requests_seen("/media/storage")
    }
}

fn name(path: &Path) -> &str {
    path.file_name().unwrap().to_str().unwrap()
}

#[tokio::test]
async fn originals_land_once_named_by_number_with_progress() {
    let w = world().await;
    let (a, b) = (w.image("DO-1").await, w.image("DO-2").await);
    let a_bytes = w.upload(&a, 10, 300).await;
    let b_bytes = w.upload(&b, 200, 40).await;

    let (files, heard) = w.prepare(&[&b, &a]).await;
    let files = files.unwrap();
    assert_eq!(
        files.iter().map(|f| name(f)).collect::<Vec<_>>(),
        ["DO-2.png", "DO-1.png"],
        "in the page's order"
    );
    assert_eq!(std::fs::read(&files[0]).unwrap(), b_bytes);
    assert_eq!(std::fs::read(&files[1]).unwrap(), a_bytes);
    for f in &files {
        assert!(f.starts_with(w.cache.root()), "{f:?} outside the cache");
    }
    // Progress counts bytes across both files and ends with everything ready.
    let last = heard.last().expect("progress was told");
    let total = (a_bytes.len() + b_bytes.len()) as u64;
    assert_eq!(
        (last.files, last.ready, last.received, last.total),
        (2, 2, total, Some(total))
    );
    assert!(heard.windows(2).all(|p| p[0].ready <= p[1].ready));

    // A second drag of the same images is served from the cache: not one more download.
    let seen = w.media_requests();
    let (again, _) = w.prepare(&[&a, &b]).await;
    assert_eq!(again.unwrap(), vec![files[1].clone(), files[0].clone()]);
    assert_eq!(w.media_requests(), seen);
}

#[tokio::test]
async fn a_new_version_gets_its_own_file_and_the_old_one_stays() {
    let w = world().await;
    let id = w.image("DO-V").await;
    let v1 = w.upload(&id, 1, 32).await;
    let (first, _) = w.prepare(&[&id]).await;
    let first = first.unwrap().remove(0);

    let v2 = w.upload(&id, 2, 48).await;
    let (second, _) = w.prepare(&[&id]).await;
    let second = second.unwrap().remove(0);

    assert_ne!(first.parent(), second.parent(), "one folder per version");
    assert_eq!(
        name(&second),
        "DO-V.png",
        "never renamed around the old one"
    );
    assert_eq!(std::fs::read(&second).unwrap(), v2);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        v1,
        "a file another app may hold is not written over"
    );
}

#[tokio::test]
async fn a_broken_download_is_not_reused_and_the_next_drag_gets_the_whole_file() {
    let w = world().await;
    let id = w.image("DO-B").await;
    let bytes = w.upload(&id, 90, 64).await;
    // Every try of the fast retry policy (one and three more) answers 503.
    w.sandbox
        .controls()
        .fail_next(4, "/media/storage", FaultKind::Status503);

    let (failed, _) = w.prepare(&[&id]).await;
    let error = failed.unwrap_err();
    assert!(error.contains("Downloading “DO-B”"), "{error}");
    assert!(error.contains("503"), "{error}");
    let header = w.library.get(&id).await.unwrap();
    let folder = w.cache.folder_for(&header).unwrap();
    assert_eq!(OriginalsCache::ready_file(&folder), None);

    let (files, _) = w.prepare(&[&id]).await;
    let file = files.unwrap().remove(0);
    assert_eq!(name(&file), "DO-B.png");
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    let visible: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(visible, ["DO-B.png"], "nothing left of the broken try");
}

#[tokio::test]
async fn images_without_an_original_or_unknown_ones_are_refused_with_the_reason() {
    let w = world().await;
    let empty = w.image("DO-E").await;
    let (res, _) = w.prepare(&[&empty]).await;
    let error = res.unwrap_err();
    assert!(error.contains("\"invalid_input\""), "{error}");
    assert!(error.contains("“DO-E” has no original file yet"), "{error}");

    let (res, _) = w.prepare(&["0b7d7a4e-3f0e-4c39-9c57-7b1f1a2e4d10"]).await;
    assert!(res.unwrap_err().contains("\"not_found\""));
    assert!(!w.cache.root().exists() || std::fs::read_dir(w.cache.root()).unwrap().count() == 0);
}
