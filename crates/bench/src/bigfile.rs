//! Benchmark 2: one large upload — throughput against curl, peak memory against the SDK.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::child::{number, own_peak_rss_kib, run_json};
use crate::error::{BenchError, Result};
use crate::sandbox::client_for;

pub struct UploadRun {
    pub secs: f64,
    pub peak_rss_kib: f64,
}

/// Child mode `bp-bench upload-one`: only this upload runs in the process, so its VmHWM is
/// the memory our client needs for it. Prints one JSON line.
pub async fn upload_one(base_url: &str, image_id: &str, file: &Path) -> Result<()> {
    let client = client_for(base_url)?;
    // Fetch the token first so only the upload itself is timed (the SDK script does the same).
    client
        .folders()
        .await
        .map_err(BenchError::client("warming up the token"))?;
    let start = Instant::now();
    client
        .upload_file(image_id, file, None)
        .await
        .map_err(BenchError::client("uploading the big file"))?;
    let secs = start.elapsed().as_secs_f64();
    let rss = own_peak_rss_kib().unwrap_or(0);
    println!("{}", serde_json::json!({ "secs": secs, "peakRssKib": rss }));
    Ok(())
}

/// Runs `bp-bench upload-one` as a child process.
pub fn ours(base_url: &str, image_id: &str, file: &Path) -> Result<UploadRun> {
    let exe =
        std::env::current_exe().map_err(|e| BenchError::Child(format!("no own path: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "upload-one",
        "--api",
        base_url,
        "--image-id",
        image_id,
        "--file",
    ])
    .arg(file);
    let (_, json) = run_json(cmd, "bp-bench upload-one")?;
    Ok(UploadRun {
        secs: number(&json, "secs", "upload-one")?,
        peak_rss_kib: number(&json, "peakRssKib", "upload-one")?,
    })
}

/// `attributes_upload` of the same file in a Python child (benches/sdk_bulk_upload.py --file).
pub fn sdk(
    python: &Path,
    script: &Path,
    base_url: &str,
    image_id: &str,
    file: &Path,
) -> Result<UploadRun> {
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .args(["--api", base_url, "--image-id", image_id, "--file"])
        .arg(file);
    let (_, json) = run_json(cmd, "sdk_bulk_upload.py --file")?;
    Ok(UploadRun {
        secs: number(&json, "secs", "sdk_bulk_upload.py --file")?,
        peak_rss_kib: number(&json, "peakRssKib", "sdk_bulk_upload.py --file")?,
    })
}

/// curl's multipart upload to the same endpoint; wall seconds of the curl process.
pub fn curl(base_url: &str, token: &str, image_id: &str, file: &Path) -> Result<f64> {
    let url = format!(
        "{base_url}/api/{}/Image/Header/{image_id}/Image/Upload",
        crate::sandbox::COMPANY
    );
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-F"])
        .arg(format!("file=@{}", file.display()))
        .args(["-H", &format!("Authorization: Bearer {token}"), &url]);
    let start = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| BenchError::Child(format!("could not start curl: {e}")))?;
    let secs = start.elapsed().as_secs_f64();
    let code = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || code != "200" {
        return Err(BenchError::Child(format!(
            "curl upload ended with {} and HTTP {code}",
            out.status
        )));
    }
    Ok(secs)
}
