//! Benchmark 3: enumerate a large folder; total time and time to the first item.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use futures::StreamExt;

use beproduct::SearchQuery;

use crate::child::{number, run_json};
use crate::error::{BenchError, Result};

pub struct ListRun {
    pub secs: f64,
    pub first_secs: f64,
}

/// `Client::search` over the folder at `page_size`; the token is fetched before timing.
pub async fn ours(
    client: &beproduct::Client,
    folder_id: &str,
    page_size: u32,
    expected: u64,
) -> Result<ListRun> {
    client
        .folders()
        .await
        .map_err(BenchError::client("warming up the token"))?;
    let start = Instant::now();
    let mut first_secs = None;
    let mut count = 0u64;
    let stream = client.search(SearchQuery::in_folder(folder_id), page_size);
    futures::pin_mut!(stream);
    while let Some(item) = stream.next().await {
        item.map_err(BenchError::client("listing the folder"))?;
        first_secs.get_or_insert_with(|| start.elapsed().as_secs_f64());
        count += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    check_count("our search stream", count, expected)?;
    Ok(ListRun {
        secs,
        first_secs: first_secs.unwrap_or(secs),
    })
}

/// The SDK iterator `attributes_list` (benches/sdk_listing.py), default page size 30.
pub fn sdk(
    python: &Path,
    script: &Path,
    base_url: &str,
    folder_id: &str,
    expected: u64,
) -> Result<ListRun> {
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .args(["--api", base_url, "--folder-id", folder_id]);
    let (_, json) = run_json(cmd, "sdk_listing.py")?;
    let count = number(&json, "count", "sdk_listing.py")? as u64;
    check_count("the SDK iterator", count, expected)?;
    Ok(ListRun {
        secs: number(&json, "secs", "sdk_listing.py")?,
        first_secs: number(&json, "firstSecs", "sdk_listing.py")?,
    })
}

fn check_count(who: &str, count: u64, expected: u64) -> Result<()> {
    if count != expected {
        return Err(BenchError::Check(format!(
            "{who} yielded {count} images, expected {expected}"
        )));
    }
    Ok(())
}
