//! Runs helper processes (Python SDK scripts, curl, bp-bench itself) and reads their JSON line.

use std::process::Command;
use std::time::Instant;

use crate::error::{BenchError, Result};

/// Runs `cmd` to the end; returns its wall time and the last stdout line parsed as JSON.
pub fn run_json(mut cmd: Command, what: &str) -> Result<(f64, serde_json::Value)> {
    let start = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| BenchError::Child(format!("could not start {what}: {e}")))?;
    let wall = start.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(BenchError::Child(format!(
            "{what} exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let json = serde_json::from_str(last)
        .map_err(|e| BenchError::Child(format!("{what} printed no JSON result ({e}): {last:?}")))?;
    Ok((wall, json))
}

pub fn number(json: &serde_json::Value, key: &str, what: &str) -> Result<f64> {
    json[key]
        .as_f64()
        .ok_or_else(|| BenchError::Child(format!("{what} result has no number {key:?}: {json}")))
}

/// Peak resident set size of this process in KiB (`VmHWM` from /proc/self/status).
pub fn own_peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
