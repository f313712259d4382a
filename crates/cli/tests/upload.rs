//! `bp upload`: the upload command line shared with `bp-upload` (its earlier name, kept as an
//! alias). The same options (its help against the one `bp-upload` prints, which
//! crates/upload-queue/tests/bad_inputs.rs checks against the binary), the same exit status, and
//! a real upload against the sandbox on 127.0.0.1.

mod common;

use std::process::{Command, Output};

use beproduct_sandbox::Sandbox;
use common::write_png;

fn bp(sandbox: Option<&Sandbox>, args: &[&std::ffi::OsStr]) -> Command {
    let mut cmd = common::bp(sandbox);
    cmd.args(args);
    cmd
}

/// Runs `bp` off the runtime's threads (the sandbox runs on them).
async fn run(sandbox: Option<&Sandbox>, args: &[&std::ffi::OsStr]) -> Output {
    let mut cmd = bp(sandbox, args);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// The options a help text lists (`--journal`, `-h`, …), in order.
fn options(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| line.starts_with('-'))
        .flat_map(|line| {
            line.split_whitespace()
                .take_while(|w| w.starts_with('-'))
                .map(|w| w.trim_end_matches(',').to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn bp_upload_help_lists_the_same_options_as_bp_upload() {
    let out = bp(None, &["upload".as_ref(), "--help".as_ref()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let ours = text(&out.stdout);
    // What `bp-upload --help` prints (tests/bad_inputs.rs in upload-queue runs the binary).
    let alias = upload_queue::cli::help("bp-upload", Some(upload_queue::cli::BP_UPLOAD_NOTE));
    assert_eq!(options(&ours), options(&alias));
    for option in [
        "--journal",
        "--folder",
        "--resume",
        "--send-again",
        "--concurrency",
        "--processing-secs",
        "-h",
        "--help",
    ] {
        assert!(
            options(&ours).iter().any(|o| o == option),
            "{option}: {ours}"
        );
    }
    assert!(
        ours.starts_with("Usage: bp upload --journal PATH"),
        "{ours}"
    );
    assert_eq!(
        ours.trim_end(),
        alias
            .replacen("bp-upload", "bp upload", 1)
            .strip_suffix(&format!("\n\n{}", upload_queue::cli::BP_UPLOAD_NOTE))
            .unwrap(),
        "the same text, but for the name and the alias note"
    );
    assert!(
        !ours.contains("earlier name"),
        "the alias note is bp-upload's only"
    );
    // `-h` too, and `bp --help` names the subcommand.
    let short = bp(None, &["upload".as_ref(), "-h".as_ref()])
        .output()
        .unwrap();
    assert_eq!(text(&short.stdout), ours);
    let top = text(&bp(None, &["--help".as_ref()]).output().unwrap().stdout);
    assert!(top.contains("upload"), "{top}");
}

#[test]
fn bp_upload_refuses_bad_options_with_status_2_like_bp_upload() {
    for (args, says) in [
        (
            vec!["upload", "--journal", "j", "--bogus"],
            "unknown option --bogus",
        ),
        (vec!["upload", "--journal", "j"], "nothing to do"),
        (vec!["upload", "a.png"], "--journal PATH is required"),
        // A leading `--` is bp-upload's too: everything after it is a path.
        (
            vec!["upload", "--", "--journal", "j"],
            "--journal PATH is required",
        ),
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let out = bp(None, &args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with("bp upload: "), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(err.contains("Run bp upload --help"), "{err}");
    }
}

/// Files and a folder uploaded by `bp upload` land in the sandbox as new images (numbered after
/// their file names, one file each); a run with a file that is not an image exits 1 and names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bp_upload_uploads_into_the_sandbox() {
    let common::Sandboxed {
        sandbox,
        client,
        prints,
        dir,
    } = common::start().await;
    let files = dir.path().join("files");
    std::fs::create_dir_all(files.join("shoot")).unwrap();
    write_png(&files.join("bp-cli-a.png"), 1);
    write_png(&files.join("shoot/bp-cli-b.png"), 2);
    let journal = dir.path().join("uploads.sqlite");

    let out = run(
        Some(&sandbox),
        &[
            "upload".as_ref(),
            "--journal".as_ref(),
            journal.as_os_str(),
            "--folder".as_ref(),
            prints.as_ref(),
            files.join("bp-cli-a.png").as_os_str(),
            files.join("shoot").as_os_str(),
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("finished   2 file(s) uploaded, 0 not uploaded"),
        "{stdout}"
    );
    for number in ["bp-cli-a", "bp-cli-b"] {
        let image = client
            .get_image_by_number(number)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no image {number}: {stdout}"));
        let image = client.get_image(&image.id).await.unwrap();
        assert_eq!(image.header_name, number);
        assert_eq!(image.files.map_or(0, |f| f.len()), 1, "{number}");
    }

    // Not an image: not uploaded, named, exit status 1 (as bp-upload).
    let notes = files.join("notes.png");
    std::fs::write(&notes, "not an image at all").unwrap();
    let out = run(
        Some(&sandbox),
        &[
            "upload".as_ref(),
            "--journal".as_ref(),
            journal.as_os_str(),
            "--folder".as_ref(),
            prints.as_ref(),
            notes.as_os_str(),
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("notes.png"), "{stdout}");
    assert!(
        stdout.contains("0 file(s) uploaded, 1 not uploaded"),
        "{stdout}"
    );
}

/// `--rules FILE`: numbers, names and fields come from the folder's naming rule; a file whose
/// name the folder's fields refuse is not sent, with the reason, and the run exits 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bp_upload_with_rules_names_and_fills_in_each_image() {
    let common::Sandboxed {
        sandbox,
        client,
        prints,
        dir,
    } = common::start().await;
    let good = dir.path().join("FA_PRT-0900_Rose-Garden_Embroidery.png");
    let bad = dir.path().join("SU_PRT-0901_Wave_Weave.png");
    write_png(&good, 3);
    write_png(&bad, 4);
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"{"rule": {"kind": "pattern", "pattern": "{season}_{header_number}_{header_name}_{artwork_type}"}, "metadata": {}}"#,
    )
    .unwrap();
    let journal = dir.path().join("uploads.sqlite");
    let out = run(
        Some(&sandbox),
        &[
            "upload".as_ref(),
            "--journal".as_ref(),
            journal.as_os_str(),
            "--folder".as_ref(),
            prints.as_ref(),
            "--rules".as_ref(),
            rules.as_os_str(),
            good.as_os_str(),
            bad.as_os_str(),
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let refusal = stdout
        .lines()
        .find(|l| l.starts_with("not sent") && l.contains("SU_PRT-0901_Wave_Weave.png"))
        .unwrap_or_else(|| panic!("the refused file is named: {stdout}"));
    assert!(refusal.contains("Weave"), "{refusal}");
    let image = client
        .get_image_by_number("PRT-0900")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no image PRT-0900: {stdout}"));
    let image = client.get_image(&image.id).await.unwrap();
    assert_eq!(image.header_name, "Rose Garden");
    let value = |id: &str| image.field(id).map(|f| f.value.clone());
    assert_eq!(value("season"), Some(serde_json::json!("Fall")));
    assert_eq!(value("artwork_type"), Some(serde_json::json!("Embroidery")));
    assert_eq!(image.files.map_or(0, |f| f.len()), 1);
    assert!(client
        .get_image_by_number("PRT-0901")
        .await
        .unwrap()
        .is_none());

    // A settings file that is not one stops the run before anything is sent (status 2).
    std::fs::write(&rules, "{not json").unwrap();
    let out = run(
        Some(&sandbox),
        &[
            "upload".as_ref(),
            "--journal".as_ref(),
            dir.path().join("second.sqlite").as_os_str(),
            "--folder".as_ref(),
            prints.as_ref(),
            "--rules".as_ref(),
            rules.as_os_str(),
            bad.as_os_str(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        text(&out.stderr).contains("is not an intake settings file"),
        "{out:?}"
    );
}
