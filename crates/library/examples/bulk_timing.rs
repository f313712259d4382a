//! How long a 500-image bulk edit takes against the sandbox, on loopback and with 50 ms added
//! to every request (a far-away server); 4 updates in flight. A measurement, not a test:
//! `cargo run --release -p image-library --example bulk_timing`.

use std::time::Instant;

use beproduct::{Client, Config, SearchQuery};
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use futures::TryStreamExt;
use image_library::bulk::{BulkEdit, FieldEdit, FieldOp};
use image_library::ImageLibrary;
use serde_json::json;

const IMAGES: u64 = 500;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sandbox = Sandbox::start(SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .expect("the sandbox starts");
    let controls = sandbox.controls();
    let d = SandboxConfig::default();
    let config = Config::new(d.company, d.client_id, d.client_secret, d.refresh_token)
        .with_api_url(sandbox.public_api_url())
        .with_token_url(sandbox.token_url());
    let library = ImageLibrary::new(Client::new(config).expect("a client"));
    let prints = library.folders().await.expect("folders")[0].id.clone();
    let folder = controls
        .create_folder("Bulk", Some(&prints))
        .expect("a folder");
    controls.seed_images(&folder, IMAGES).expect("images");
    let query = SearchQuery {
        folder_id: Some(folder.clone()),
        filters: Vec::new(),
    };
    let ids: Vec<String> = library
        .client()
        .search(query, 200)
        .try_collect::<Vec<_>>()
        .await
        .expect("the images")
        .into_iter()
        .map(|i| i.id)
        .collect();
    for (latency, edit) in [(0, "Loopback"), (50, "Far away")] {
        controls.set_latency_ms(latency);
        let started = Instant::now();
        let plan = library
            .plan_bulk_edit(&BulkEdit {
                folder_id: folder.clone(),
                ids: ids.clone(),
                edits: vec![FieldEdit::new("designer", FieldOp::Set(json!(edit)))],
                busy: vec![],
            })
            .await
            .expect("a plan");
        let planned = started.elapsed();
        let journal = dir.path().join(format!("t{latency}.jsonl"));
        let result = library
            .run_plan(&plan, &journal, None)
            .await
            .expect("a run");
        println!(
            "{latency} ms per request: plan (read {IMAGES}) {planned:.2?}, run ({} changed) {:.2?}",
            result.counts().changed,
            started.elapsed() - planned
        );
    }
}
