//! `bp watch`: the real binary watching a real folder against the sandbox on 127.0.0.1. Files
//! that appear are uploaded once, named by the rules; a refused one moves to `_rejected` with
//! its reason; Ctrl+C (SIGINT) stops it with status 0; a restart with the same journal takes
//! only what is new.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use beproduct::Client;
use beproduct_sandbox::Sandbox;
use common::write_png;

fn start_watch(sandbox: &Sandbox, dir: &Path, folder: &str, rules: &Path, journal: &Path) -> Child {
    common::bp(Some(sandbox))
        .arg("watch")
        .arg(dir)
        .args(["--folder", folder, "--rules"])
        .arg(rules)
        .arg("--journal")
        .arg(journal)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Ctrl+C, then the exit status and what it printed.
async fn interrupt(child: Child) -> (Option<i32>, String) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn numbers(client: &Client, folder: &str) -> Vec<String> {
    let query = beproduct::SearchQuery {
        folder_id: Some(folder.to_owned()),
        filters: Vec::new(),
    };
    let page = client.search_page(&query, 100, 0).await.unwrap();
    let mut numbers: Vec<String> = page
        .result
        .into_iter()
        .filter(|h| h.files.as_ref().is_some_and(|f| !f.is_empty()))
        .map(|h| h.header_number)
        .collect();
    numbers.sort();
    numbers
}

async fn wait_for<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bp_watch_uploads_what_appears_once_and_rejects_with_the_reason() {
    let common::Sandboxed {
        sandbox,
        client,
        prints,
        dir: tmp,
    } = common::start().await;
    let dir = tmp.path().join("Drop");
    std::fs::create_dir_all(&dir).unwrap();
    let rules = tmp.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"{"rule": {"kind": "pattern", "pattern": "{season}_{header_number}_{header_name}_{artwork_type}"}}"#,
    )
    .unwrap();
    let journal = tmp.path().join("uploads.sqlite");

    let watcher = start_watch(&sandbox, &dir, &prints, &rules, &journal);
    write_png(&dir.join("FA_PRT-0100_Leaf_Print.png"), 1);
    write_png(&dir.join("FA_PRT-0101_Bark_Knitting.png"), 2);
    wait_for("PRT-0100 in the sandbox", || async {
        numbers(&client, &prints).await == ["PRT-0100"]
    })
    .await;
    let note = dir.join("_rejected/FA_PRT-0101_Bark_Knitting.png.txt");
    wait_for("the refused file's note", || async { note.exists() }).await;
    assert!(std::fs::read_to_string(&note).unwrap().contains("Knitting"));
    let (code, out) = interrupt(watcher).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("watching   "), "{out}");

    // Restarted with the same journal: the uploaded file stays uploaded once; a new one goes.
    let watcher = start_watch(&sandbox, &dir, &prints, &rules, &journal);
    write_png(&dir.join("SP_PRT-0102_Bud_Graphic.png"), 3);
    wait_for("PRT-0102 in the sandbox", || async {
        numbers(&client, &prints).await == ["PRT-0100", "PRT-0102"]
    })
    .await;
    let (code, out) = interrupt(watcher).await;
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(numbers(&client, &prints).await, ["PRT-0100", "PRT-0102"]);
}
