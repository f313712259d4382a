//! `ImageLibrary::download_original` against a real sandbox over HTTP: the bytes are the ones
//! uploaded, nothing is overwritten, progress is reported, faults are retried, an expired
//! signature is renewed, and an image without an original says why.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use beproduct::{Client, FieldUpdate, ImageHeader};
use beproduct_sandbox::{FaultKind, Sandbox, SandboxConfig, Seed};
use common::{client_config, prints};
use image_library::ImageLibrary;

/// A real PNG (stored deflate) whose pixels depend on `seed`.
fn png(seed: u8) -> Vec<u8> {
    let (w, h) = (40u32, 30u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0u8);
        for x in 0..w {
            raw.extend_from_slice(&[seed, (x * 6) as u8, (y * 8) as u8]);
        }
    }
    let mut z = vec![0x78, 0x01, 1];
    let len = raw.len() as u16;
    z.extend_from_slice(&len.to_le_bytes());
    z.extend_from_slice(&(!len).to_le_bytes());
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + *byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", &z), (b"IEND", &[])] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn start(signed: bool) -> (tempfile::TempDir, Sandbox, ImageLibrary) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        processing_ms: 50,
        signed_url_ttl_secs: signed.then_some(600),
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let library = ImageLibrary::new(Client::new(client_config(&sandbox)).unwrap());
    (dir, sandbox, library)
}

/// A new image in Prints with `bytes` uploaded and processed; its header as read afterwards.
async fn image_with(library: &ImageLibrary, number: &str, bytes: &[u8], dir: &Path) -> ImageHeader {
    let folder = prints(library).await;
    let client = library.client();
    let image = client
        .create_image(
            &folder,
            &[
                FieldUpdate::new("header_number", number),
                FieldUpdate::new("header_name", "Print"),
            ],
            false,
        )
        .await
        .unwrap();
    let file = dir.join(format!("{number}-upload.png"));
    std::fs::write(&file, bytes).unwrap();
    let upload = client.upload_file(&image.id, &file, None).await.unwrap();
    let status = client
        .wait_for_processing(&upload, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(status.finished && !status.error_occured, "{status:?}");
    library.get(&image.id).await.unwrap()
}

type Log = Arc<Mutex<Vec<(u64, Option<u64>)>>>;

fn progress_log() -> (Log, impl Fn(u64, Option<u64>) + Send) {
    let log = Log::default();
    let sink = log.clone();
    (log, move |done, total| {
        sink.lock().unwrap().push((done, total))
    })
}

#[tokio::test]
async fn the_original_arrives_whole_under_the_image_number_without_overwriting() {
    let (dir, _sandbox, library) = start(false).await;
    let bytes = png(7);
    let image = image_with(&library, "IMG-DL-1", &bytes, dir.path()).await;
    let dest = dir.path().join("downloads");

    let (log, progress) = progress_log();
    let first = library
        .download_original(&image, &dest, progress)
        .await
        .unwrap();
    assert_eq!(first.file_name().unwrap(), "IMG-DL-1.png");
    assert_eq!(std::fs::read(&first).unwrap(), bytes);
    let log = log.lock().unwrap().clone();
    let total = bytes.len() as u64;
    assert_eq!(log.first(), Some(&(0, Some(total))), "{log:?}");
    assert_eq!(log.last(), Some(&(total, Some(total))), "{log:?}");
    assert!(log.windows(2).all(|w| w[0].0 <= w[1].0), "{log:?}");

    // A second download (and a file the user put there) is never overwritten.
    std::fs::write(dest.join("IMG-DL-1 (2).png"), b"mine").unwrap();
    let second = library
        .download_original(&image, &dest, |_, _| {})
        .await
        .unwrap();
    assert_eq!(second.file_name().unwrap(), "IMG-DL-1 (3).png");
    assert_eq!(std::fs::read(&second).unwrap(), bytes);
    assert_eq!(
        std::fs::read(dest.join("IMG-DL-1 (2).png")).unwrap(),
        b"mine"
    );
    assert_eq!(std::fs::read(&first).unwrap(), bytes);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[tokio::test]
async fn server_faults_are_retried_and_the_current_version_is_downloaded() {
    let (dir, sandbox, library) = start(false).await;
    let image = image_with(&library, "IMG-DL-2", &png(1), dir.path()).await;
    // A second upload becomes the current original.
    let newer = png(200);
    let file = dir.path().join("newer.png");
    std::fs::write(&file, &newer).unwrap();
    let upload = library
        .client()
        .upload_file(&image.id, &file, None)
        .await
        .unwrap();
    library
        .client()
        .wait_for_processing(&upload, Duration::from_secs(30))
        .await
        .unwrap();
    let image = library.get(&image.id).await.unwrap();

    // A 503, then a connection dropped after the server handled it: both tried again.
    sandbox
        .controls()
        .fail_next(1, "/media/storage/", FaultKind::Status503);
    sandbox
        .controls()
        .fail_next(1, "/media/storage/", FaultKind::DropAfterHandling);
    let before = sandbox.controls().requests_seen("/media/storage/");
    let path = library
        .download_original(&image, &dir.path().join("out"), |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), newer);
    assert_eq!(
        sandbox.controls().requests_seen("/media/storage/") - before,
        3
    );

    // Each listed file downloads to its own bytes.
    let files = image_library::versions::image_files(&image);
    assert_eq!(files.len(), 2);
    assert!(files[1].current && !files[0].current);
    let old = library
        .download_file(
            &image,
            &files[0].url,
            &dir.path().join("out"),
            "IMG-DL-2 v1",
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&old).unwrap(), png(1));
    assert_eq!(old.file_name().unwrap(), "IMG-DL-2 v1.png");

    // Save as: exactly the chosen path, replacing what is there (the dialog asked).
    let chosen = dir.path().join("chosen.png");
    std::fs::write(&chosen, b"old").unwrap();
    library
        .save_file_as(&image, &files[0].url, &chosen, |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&chosen).unwrap(), png(1));
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".part")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[tokio::test]
async fn a_refused_signature_is_renewed_by_reading_the_image_again() {
    let (dir, _sandbox, library) = start(true).await;
    let bytes = png(99);
    let mut image = image_with(&library, "IMG-DL-3", &bytes, dir.path()).await;
    // Spoil the signature, as if the URL had expired since the header was read.
    let Some(beproduct::Preview::Object(urls)) = image.header_data.preview.as_mut() else {
        panic!("no preview object: {:?}", image.header_data.preview)
    };
    let origin = urls.origin.clone().unwrap();
    assert!(origin.contains("sig="), "{origin}");
    urls.origin = Some(origin.replace("sig=", "sig=00"));

    let path = library
        .download_original(&image, &dir.path().join("out"), |_, _| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[tokio::test]
async fn an_image_without_an_original_says_to_wait_for_processing() {
    let (dir, sandbox, library) = start(false).await;
    let folder = prints(&library).await;
    let image = library
        .client()
        .create_image(
            &folder,
            &[
                FieldUpdate::new("header_number", "IMG-DL-4"),
                FieldUpdate::new("header_name", "Empty"),
            ],
            false,
        )
        .await
        .unwrap();
    let dest = dir.path().join("out");
    let err = library
        .download_original(&image, &dest, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    assert_eq!(err.to_string(), image_library::NOT_PROCESSED);

    // A file the server no longer has is a clear not-found, and leaves nothing behind.
    let uploaded = image_with(&library, "IMG-DL-5", &png(3), dir.path()).await;
    let mut gone = uploaded.clone();
    let Some(beproduct::Preview::Object(urls)) = gone.header_data.preview.as_mut() else {
        panic!()
    };
    let origin = urls.origin.clone().unwrap();
    let fake = origin.replacen(
        &uploaded_file_id(&origin),
        "00000000-0000-4000-8000-000000000000",
        1,
    );
    urls.origin = Some(fake);
    let err = library
        .download_original(&gone, &dest, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "not_found", "{err}");
    drop(sandbox);
    let left = std::fs::read_dir(&dest).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0);
}

/// The file id in a sandbox origin URL (`/media/storage/{company}/{file}/1/{name}`).
fn uploaded_file_id(origin: &str) -> String {
    let path = origin.split('?').next().unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|s| *s == "storage").unwrap();
    segments[at + 2].to_owned()
}
