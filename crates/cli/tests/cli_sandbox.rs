//! The real `bp` binary against a real sandbox: export, edit, import (dry run, apply), undo,
//! refusals with nothing sent, and an import killed mid-way then resumed.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use beproduct::{Client, Config, ImageHeader, SearchQuery};
use beproduct_sandbox::{Controls, Sandbox, SandboxConfig, Seed};
use serde_json::json;

struct Env {
    sandbox: Sandbox,
    controls: Controls,
    client: Client,
    folder: String,
    dir: tempfile::TempDir,
}

async fn start(n: u64) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let controls = sandbox.controls();
    let d = SandboxConfig::default();
    let client = Client::new(
        Config::new(d.company, d.client_id, d.client_secret, d.refresh_token)
            .with_api_url(sandbox.public_api_url())
            .with_token_url(sandbox.token_url()),
    )
    .unwrap();
    let prints = client
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Prints")
        .unwrap()
        .id;
    let folder = controls.create_folder("Cli", Some(&prints)).unwrap();
    controls.seed_images(&folder, n).unwrap();
    Env {
        sandbox,
        controls,
        client,
        folder,
        dir,
    }
}

impl Env {
    fn bp(&self, args: &[&str]) -> Command {
        let d = SandboxConfig::default();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bp"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("BEPRODUCT_COMPANY_DOMAIN", &d.company)
            .env("BEPRODUCT_CLIENT_ID", &d.client_id)
            .env("BEPRODUCT_CLIENT_SECRET", &d.client_secret)
            .env("BEPRODUCT_REFRESH_TOKEN", &d.refresh_token)
            .env("BEPRODUCT_API_URL", self.sandbox.public_api_url())
            .env("BEPRODUCT_TOKEN_URL", self.sandbox.token_url());
        cmd
    }

    /// Runs `bp` off the runtime's threads (the sandbox runs on them).
    async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.bp(args);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    async fn images(&self) -> Vec<ImageHeader> {
        use futures::TryStreamExt;
        let q = SearchQuery {
            folder_id: Some(self.folder.clone()),
            filters: vec![],
        };
        self.client.search(q, 200).try_collect().await.unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Rewrites `path` (a CSV export) with `edit` applied to its records (header first).
fn edit_csv(path: &Path, edit: impl FnOnce(&mut Vec<Vec<String>>)) {
    let raw = std::fs::read_to_string(path).unwrap();
    let body = raw
        .strip_prefix('\u{feff}')
        .expect("export starts with a BOM");
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    edit(&mut rows);
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &rows {
        w.write_record(r).unwrap();
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_edit_import_and_undo_through_the_binary() {
    let env = start(10).await;
    let out = env
        .run(&["export", "--folder", &env.folder, "-o", "prints.csv"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let csv_path = env.dir.path().join("prints.csv");
    edit_csv(&csv_path, |rows| {
        let season = col(rows, "Season");
        let designer = col(rows, "Designer");
        rows[3][season] = "Spring".into();
        rows[5][designer] = "Kim Park".into();
    });
    let edited_numbers: Vec<String> = {
        let raw = std::fs::read_to_string(&csv_path).unwrap();
        let mut r = csv::Reader::from_reader(raw.as_bytes());
        r.records().map(|x| x.unwrap()[0].to_owned()).collect()
    };

    let updates = env.controls.requests_seen("/update");
    let out = env
        .run(&["import", "prints.csv", "--folder", &env.folder, "--dry-run"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Summary: 2 images change (2 cells)"),
        "{}",
        text(&out)
    );
    assert!(
        stdout.contains("Season: \"\" -> \"Spring\""),
        "{}",
        text(&out)
    );
    assert_eq!(
        env.controls.requests_seen("/update"),
        updates,
        "a dry run sends nothing"
    );

    let out = env
        .run(&[
            "import",
            "prints.csv",
            "--folder",
            &env.folder,
            "--journal",
            "j.jsonl",
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Import: 2 changed, 8 unchanged, 0 failed"),
        "{}",
        text(&out)
    );
    let images = env.images().await;
    let by_number = |n: &str| images.iter().find(|i| i.header_number == n).unwrap();
    assert_eq!(
        by_number(&edited_numbers[2]).field("season").unwrap().value,
        json!("Spring")
    );
    assert_eq!(
        by_number(&edited_numbers[4])
            .field("designer")
            .unwrap()
            .value,
        json!("Kim Park")
    );

    let out = env.run(&["undo", "j.jsonl"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(env.dir.path().join("j.undo.jsonl").exists());
    let images = env.images().await;
    assert!(images.iter().all(|i| {
        let season = i
            .field("season")
            .map(|f| f.value.clone())
            .unwrap_or_default();
        let designer = i
            .field("designer")
            .map(|f| f.value.clone())
            .unwrap_or_default();
        (season.is_null() || season == json!("")) && (designer.is_null() || designer == json!(""))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_exit_2_and_send_nothing() {
    let env = start(4).await;
    let out = env
        .run(&["export", "--folder", &env.folder, "-o", "p.csv"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    edit_csv(&env.dir.path().join("p.csv"), |rows| {
        let season = col(rows, "Season");
        let designer = col(rows, "Designer");
        rows[1][season] = "Winter".into();
        rows[2][designer] = "Fine".into();
    });
    let updates = env.controls.requests_seen("/update");
    let out = env.run(&["import", "p.csv", "--folder", &env.folder]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("! Season") && stdout.contains("Winter"),
        "{}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was sent"),
        "{}",
        text(&out)
    );
    assert_eq!(env.controls.requests_seen("/update"), updates);

    // No credentials: the variables are named, no secret printed.
    let d = SandboxConfig::default();
    let mut cmd = env.bp(&["export", "--folder", &env.folder]);
    cmd.env_remove("BEPRODUCT_REFRESH_TOKEN");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BEPRODUCT_REFRESH_TOKEN"), "{err}");
    assert!(!err.contains(&d.client_secret), "{err}");

    // An XLSX without a file name, and a sheet of another format.
    let out = env
        .run(&["export", "--folder", &env.folder, "--format", "xlsx"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    std::fs::write(env.dir.path().join("p.txt"), "x").unwrap();
    let out = env.run(&["import", "p.txt", "--folder", &env.folder]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(".csv nor .xlsx"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_mid_way_is_finished_by_resume() {
    let env = start(60).await;
    let out = env
        .run(&["export", "--folder", &env.folder, "-o", "all.csv"])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    edit_csv(&env.dir.path().join("all.csv"), |rows| {
        let designer = col(rows, "Designer");
        for row in rows.iter_mut().skip(1) {
            row[designer] = "Night Shift".into();
        }
    });
    // Latency keeps updates in flight when the process is killed.
    env.controls.set_latency_ms(60);
    let mut child = env
        .bp(&[
            "import",
            "all.csv",
            "--folder",
            &env.folder,
            "--journal",
            "k.jsonl",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = env.dir.path().join("k.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let changed = std::fs::read_to_string(&journal)
            .map(|t| t.matches("\"entry\":\"changed\"").count())
            .unwrap_or(0);
        if changed >= 15 {
            break;
        }
        assert!(Instant::now() < deadline, "the import never got going");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let journal_text = std::fs::read_to_string(&journal).unwrap();
    let changed = journal_text.matches("\"entry\":\"changed\"").count();
    assert!(changed < 60, "killed mid-way ({changed} changed)");

    env.controls.set_latency_ms(0);
    let out = env.run(&["resume", "k.jsonl"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Import: 60 changed, 0 unchanged, 0 failed"),
        "{}",
        text(&out)
    );
    let images = env.images().await;
    assert_eq!(images.len(), 60);
    assert!(images
        .iter()
        .all(|i| i.field("designer").unwrap().value == json!("Night Shift")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_edit_from_the_command_line_previews_applies_and_refuses() {
    let env = start(12).await;
    let updates = env.controls.requests_seen("/update");
    let out = env
        .run(&[
            "edit",
            "--folder",
            &env.folder,
            "--all",
            "--set",
            "Season=fall",
            "--add",
            "colors=Red; Blue",
            "--dry-run",
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Summary: 12 images change; 0 already hold these values; 0 skipped."),
        "{}",
        text(&out)
    );
    assert!(
        stdout.contains("Colors: \"\" -> \"Red, Blue\""),
        "{}",
        text(&out)
    );
    assert_eq!(
        env.controls.requests_seen("/update"),
        updates,
        "a dry run sends nothing"
    );

    // Refused before anything is read or sent: a value outside the choices, an unknown field.
    for bad in [["--set", "season=Winter"], ["--clear", "nope"]] {
        let headers = env.controls.requests_seen("image/header");
        let out = env
            .run(&["edit", "--folder", &env.folder, "--all", bad[0], bad[1]])
            .await;
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            env.controls.requests_seen("image/header") == headers,
            "nothing read or sent for {bad:?}"
        );
    }
    let out = env
        .run(&["edit", "--folder", &env.folder, "--set", "season=Fall"])
        .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "no images chosen: {}",
        text(&out)
    );

    let out = env
        .run(&[
            "edit",
            "--folder",
            &env.folder,
            "--all",
            "--set",
            "season=Fall",
            "--add",
            "colors=Red",
            "--journal",
            "e.jsonl",
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Bulk edit: 12 changed, 0 unchanged, 0 failed, 0 skipped."),
        "{}",
        text(&out)
    );
    let images = env.images().await;
    assert!(images
        .iter()
        .all(|i| i.field("season").unwrap().value == json!("Fall")
            && i.field("colors").unwrap().value == json!(["Red"])));
}
