//! Bad inputs: each gets a message that says what is wrong and what to do, and nothing
//! else in the same batch is lost. Also names in other scripts, and a 10,000-file drop.

mod common;

use common::{start, write_jpeg, write_noise_jpeg, write_png, Env, Running};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use upload_queue::{expand_paths, JobRequest, JobState, Queue, QueueConfig, Target};

fn queue_config(env: &Env) -> QueueConfig {
    let mut c = QueueConfig::new(env.dir.path().join("app-data/uploads.sqlite"));
    c.processing_timeout = Duration::from_secs(10);
    c
}

fn new_image(env: &Env) -> Target {
    Target::NewImage {
        folder_id: env.folder_id.clone(),
    }
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_folder_of_bad_files_gets_reasons_and_the_good_ones_land_with_their_names() {
    let env = start(|_| {}).await;
    let drop = env.dir.path().join("dropped");
    std::fs::create_dir_all(&drop).unwrap();
    // Good files, two of them named in scripts other than Latin (emoji, Arabic, Hebrew).
    write_png(&drop.join("good-1.png"), 1);
    write_jpeg(&drop.join("good-2.jpg"), 2);
    let arabic = "🌸 فستان ٣.jpg";
    let hebrew = "שמלה כחולה.png";
    write_jpeg(&drop.join(arabic), 3);
    write_png(&drop.join(hebrew), 4);
    // Bad ones.
    std::fs::write(drop.join("empty.jpg"), b"").unwrap();
    std::fs::write(
        drop.join("notes.jpg"),
        "meeting notes, renamed to .jpg by mistake",
    )
    .unwrap();
    let whole = env.file("whole.jpg");
    write_noise_jpeg(&whole, 300, 1);
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::write(drop.join("cut.jpg"), &bytes[..bytes.len() / 2]).unwrap();
    // 60 MB over the default 50 MB limit: a real JPEG start, the rest sparse.
    let poster = drop.join("poster.jpg");
    std::fs::write(&poster, &bytes[..4096]).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&poster)
        .unwrap()
        .set_len(60 * 1024 * 1024)
        .unwrap();

    let expanded = expand_paths(std::slice::from_ref(&drop));
    let skipped: Vec<&str> = expanded.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped.contains(
        &"empty.jpg is empty (0 bytes); nothing to upload. Save or copy the image again."
    ));
    assert!(skipped.contains(
        &"notes.jpg is not an image by its content; accepted are JPEG, PNG, GIF, WebP, TIFF, BMP, HEIC/HEIF, AVIF or PSD. Save it in one of these formats."
    ));
    // The cut and the oversized JPEG start like images: the full check at enqueue finds them.
    assert_eq!(expanded.files.len(), 6, "{:#?}", expanded.files);

    let queue = Queue::open(queue_config(&env)).await.unwrap();
    queue.set_client(env.client());
    let requests = expanded
        .files
        .iter()
        .map(|p| JobRequest::file(p, new_image(&env)))
        .collect();
    let report = queue.enqueue(requests).await.unwrap();
    let mut rejected: Vec<(String, &str)> = report
        .rejected
        .iter()
        .map(|r| (name_of(Path::new(&r.path)), r.reason.as_str()))
        .collect();
    rejected.sort();
    assert_eq!(
        rejected,
        [
            (
                "cut.jpg".to_owned(),
                "cut.jpg is cut short: the JPEG ends before its end marker, so part of the picture is missing (an interrupted copy or download?). Copy or export it again."
            ),
            (
                "poster.jpg".to_owned(),
                "poster.jpg is 60 MB; the limit is 50 MB. Save a smaller version (lower resolution or stronger compression) and add that."
            ),
        ]
    );
    assert_eq!(report.accepted.len(), 4);
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    let jobs = queue.jobs();
    assert!(jobs.iter().all(|j| j.state == JobState::Done), "{jobs:#?}");

    // Nothing else lost, and the names round-trip: number and name from the file name, the
    // stored file under the file's own name.
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 4);
    let ids: Vec<String> = jobs.iter().filter_map(|j| j.image_id.clone()).collect();
    let images = env.images_with_one_file(&ids).await;
    let mut expected: Vec<(String, String, String)> = ["good-1.png", "good-2.jpg", arabic, hebrew]
        .iter()
        .map(|file| {
            let stem = Path::new(file).file_stem().unwrap().to_str().unwrap();
            (stem.to_owned(), stem.to_owned(), file.to_string())
        })
        .collect();
    expected.sort();
    assert_eq!(images, expected);
    // Found by number too, as a user typing it would.
    let client = env.client();
    let by_number = client.get_image_by_number("🌸 فستان ٣").await.unwrap();
    assert_eq!(
        by_number.map(|h| h.header_name).as_deref(),
        Some("🌸 فستان ٣")
    );
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jpeg_cut_short_is_refused_before_anything_is_sent() {
    let env = start(|_| {}).await;
    let whole = env.file("whole.jpg");
    write_noise_jpeg(&whole, 400, 2);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = env.file("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    // The sandbox would refuse it too, but only after an empty image was created for it.
    let queue = Queue::open(queue_config(&env)).await.unwrap();
    queue.set_client(env.client());
    let report = queue
        .enqueue(vec![
            JobRequest::file(&cut, new_image(&env)),
            JobRequest::file(&whole, new_image(&env)),
        ])
        .await
        .unwrap();
    assert_eq!(report.accepted.len(), 1);
    assert!(report.rejected[0]
        .reason
        .starts_with("cut.jpg is cut short"));
    assert!(queue.wait_until_idle(Duration::from_secs(30)).await);
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 1);
    assert_eq!(env.sandbox.controls().requests_seen("/Image/Upload"), 1);
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_ids_that_are_not_ids_are_refused_and_the_rest_lands() {
    let env = start(|_| {}).await;
    let good = env.file("good.png");
    write_png(&good, 9);
    let queue = Queue::open(queue_config(&env)).await.unwrap();
    queue.set_client(env.client());
    let version = |id: &str| Target::Version {
        image_id: id.to_owned(),
    };
    let report = queue
        .enqueue(vec![
            JobRequest::file(&good, version("../../Image/Header/Delete")),
            JobRequest::file(&good, version("3fa85f64-5717-4562-b3fc-2c963f66afa6?x=1")),
            JobRequest::file(
                &good,
                Target::NewImage {
                    folder_id: "../folders".into(),
                },
            ),
            JobRequest::file(&good, new_image(&env)),
        ])
        .await
        .unwrap();
    let reasons: Vec<&str> = report.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "'../../Image/Header/Delete' is not a BeProduct image id (ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6); choose the image again.",
            "'3fa85f64-5717-4562-b3fc-2c963f66afa6?x=1' is not a BeProduct image id (ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6); choose the image again.",
            "'../folders' is not a BeProduct folder id (ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6); choose the folder again.",
        ]
    );
    assert_eq!(report.accepted.len(), 1);
    assert!(queue.wait_until_idle(Duration::from_secs(20)).await);
    assert_eq!(queue.jobs()[0].state, JobState::Done);
    assert_eq!(env.sandbox.controls().count_images(None), 1);
    assert_eq!(env.sandbox.controls().requests_seen(".."), 0);
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_files_dropped_as_a_folder_are_all_queued() {
    let env = start(|_| {}).await;
    let drop = env.dir.path().join("shoot");
    let made = Instant::now();
    let mut n = 0u32;
    for folder in 0..100 {
        let dir = drop.join(format!("look {folder:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for _ in 0..100 {
            // Tiny real PNGs with distinct pixels, so none is a duplicate of another.
            let img = image::RgbImage::from_fn(4, 4, |x, y| {
                image::Rgb([(n % 256) as u8, (n / 256 % 256) as u8, (x * 4 + y) as u8])
            });
            img.save_with_format(dir.join(format!("img-{n:05}.png")), image::ImageFormat::Png)
                .unwrap();
            n += 1;
        }
    }
    let made = made.elapsed();

    let started = Instant::now();
    let expanded = expand_paths(std::slice::from_ref(&drop));
    let expand_took = started.elapsed();
    assert_eq!(expanded.files.len(), 10_000);
    assert!(expanded.skipped.is_empty(), "{:?}", &expanded.skipped[..3]);

    // No client: the jobs are journaled and queued, and nothing goes out.
    let queue = Queue::open(queue_config(&env)).await.unwrap();
    let started = Instant::now();
    let requests = expanded
        .files
        .iter()
        .map(|p| JobRequest::file(p, new_image(&env)))
        .collect();
    let report = queue.enqueue(requests).await.unwrap();
    let enqueue_took = started.elapsed();
    assert_eq!(
        report.accepted.len(),
        10_000,
        "{:?}",
        report.rejected.first()
    );
    assert!(report.rejected.is_empty());
    let totals = queue.totals();
    assert_eq!((totals.total, totals.queued), (10_000, 10_000));
    let numbers: std::collections::HashSet<_> = report
        .accepted
        .iter()
        .filter_map(|j| j.header_number.clone())
        .collect();
    assert_eq!(numbers.len(), 10_000, "every file its own image number");
    queue.shutdown().await;

    // Reopened, the whole drop is offered as interrupted and can be dropped at once.
    let started = Instant::now();
    let queue = Queue::open(queue_config(&env)).await.unwrap();
    assert_eq!(queue.interrupted().len(), 10_000);
    assert_eq!(queue.discard_interrupted().unwrap().len(), 10_000);
    let reopen_took = started.elapsed();
    queue.shutdown().await;
    assert_eq!(
        env.sandbox.controls().requests_seen("/api/"),
        1,
        "only the folder list"
    );
    eprintln!(
        "10,000-file drop: files written in {made:.1?}; expand_paths {expand_took:.1?}, enqueue (check, hash, journal) {enqueue_took:.1?}, reopen + discard {reopen_took:.1?}"
    );
}

/// Root reads any file whatever its mode, and the tests run as root. So the upload runs
/// as `nobody` (uid 65534) in a child process — the `bp-upload` binary — where mode 000
/// really stops the read.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_file_is_named_and_the_rest_lands() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    const NOBODY: u32 = 65534;

    let env = start(|_| {}).await;
    let open = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    open(env.dir.path(), 0o755);
    let files = env.dir.path().join("files");
    let inner = files.join("more");
    std::fs::create_dir_all(&inner).unwrap();
    open(&files, 0o755);
    open(&inner, 0o755);
    let good = files.join("good.jpg");
    write_jpeg(&good, 5);
    let secret = files.join("secret.jpg");
    write_jpeg(&secret, 6);
    open(&secret, 0o000);
    write_png(&inner.join("ok.png"), 7);
    let locked = inner.join("locked.png");
    write_png(&locked, 8);
    open(&locked, 0o000);
    let state = env.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    open(&state, 0o777);
    let am_root = std::fs::read(&secret).is_ok() && std::fs::read_dir("/root").is_ok();

    let journal: PathBuf = state.join("uploads.sqlite");
    let mut cmd = env.bp_upload(&[
        OsStr::new("--journal"),
        journal.as_os_str(),
        OsStr::new("--folder"),
        OsStr::new(&env.folder_id),
        good.as_os_str(),
        secret.as_os_str(),
        inner.as_os_str(),
    ]);
    if am_root {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let mut run = Running::spawn(cmd);
    let code = run.finish(Duration::from_secs(60)).await;
    let output = run.lines();
    let text = output.join("\n");
    eprintln!("bp-upload as uid {NOBODY}:\n{text}");
    assert_eq!(code, 1, "a named file was not uploaded:\n{text}");
    assert!(
        output.iter().any(|l| l
            == "not sent   secret.jpg cannot be read (Permission denied (os error 13)). Check that you have permission to open it."),
        "{text}"
    );
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("skipped    locked.png cannot be read (Permission denied")),
        "{text}"
    );
    assert!(
        output
            .iter()
            .any(|l| l
                == "finished   2 file(s) uploaded, 1 not uploaded (the reasons are listed above)"),
        "{text}"
    );
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 2);
    for secret_value in ["sandbox-secret", "sandbox-refresh-token"] {
        assert!(!text.contains(secret_value), "a secret in the output");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bp_upload_stops_with_one_clear_message_when_it_cannot_start() {
    let env = start(|_| {}).await;
    let good = env.file("good.png");
    write_png(&good, 10);
    let journal = env.dir.path().join("state/uploads.sqlite");
    let command = |folder: &str| {
        env.bp_upload(&[
            OsStr::new("--journal"),
            journal.as_os_str(),
            OsStr::new("--folder"),
            OsStr::new(folder),
            good.as_os_str(),
        ])
    };
    async fn outcome(cmd: std::process::Command) -> (i32, String) {
        let mut run = Running::spawn(cmd);
        let code = run.finish(Duration::from_secs(30)).await;
        (code, run.lines().join("\n"))
    }

    // A folder this account does not have.
    let unknown = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let (code, text) = outcome(command(unknown)).await;
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with(&format!("bp-upload: folder {unknown} is not among the")),
        "{text}"
    );

    // A wrong secret: the token endpoint refuses it; the message says so without showing it.
    let mut cmd = command(&env.folder_id);
    cmd.env("BEPRODUCT_CLIENT_SECRET", "wrong-secret-value");
    let (code, text) = outcome(cmd).await;
    eprintln!("wrong secret: {text}");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("bp-upload: cannot use BeProduct:"),
        "{text}"
    );
    assert!(!text.contains("wrong-secret-value"), "{text}");

    // Plain http to a host that is not this machine: refused before any request is made.
    let tokens_before = env.sandbox.controls().requests_seen("/connect/token");
    for (variable, url) in [
        ("BEPRODUCT_API_URL", "http://192.0.2.10"),
        ("BEPRODUCT_TOKEN_URL", "http://192.0.2.10/ids/connect/token"),
    ] {
        let mut cmd = command(&env.folder_id);
        cmd.env(variable, url);
        let (code, text) = outcome(cmd).await;
        assert_eq!(code, 2, "{variable}: {text}");
        assert!(text.contains("https://"), "{variable}: {text}");
    }
    assert_eq!(
        env.sandbox.controls().requests_seen("/connect/token"),
        tokens_before,
        "nothing was asked of any server"
    );
    assert_eq!(env.sandbox.controls().count_images(None), 0);
}

/// `bp-upload` is the alias of `bp upload` now: its `--help` is the shared help with the alias
/// note below (crates/cli/tests/upload.rs compares `bp upload --help` with the same text), and
/// a bad option still says so with status 2.
#[test]
fn bp_upload_help_is_the_shared_help_with_the_alias_note() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bp-upload"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let help = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        help,
        format!(
            "{}\n",
            upload_queue::cli::help("bp-upload", Some(upload_queue::cli::BP_UPLOAD_NOTE))
        )
    );
    assert!(
        help.starts_with("Usage: bp-upload --journal PATH"),
        "{help}"
    );
    assert!(help.contains("`bp upload`"), "{help}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bp-upload"))
        .args(["--journal", "j", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("bp-upload: unknown option --bogus"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing extra is printed");
}
