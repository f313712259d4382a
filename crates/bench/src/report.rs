//! The Markdown table (stdout) and its section in BENCHMARKS.md (one section per mode).

use std::path::Path;

use crate::error::{BenchError, Result};

pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

pub struct Machine {
    pub nproc: usize,
    pub model: String,
    pub load_start: String,
}

impl Machine {
    pub fn probe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        Machine {
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            model,
            load_start: load_average(),
        }
    }
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Replaces this mode's section of `path` (between markers) or appends it; other modes stay.
pub fn write_section(path: &Path, mode: &str, body: &str) -> Result<()> {
    let start = format!("<!-- bench:{mode} -->");
    let end = format!("<!-- /bench:{mode} -->");
    let section = format!("{start}\n{body}\n{end}");
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| HEADER.to_owned());
    let new = match (old.find(&start), old.find(&end)) {
        (Some(a), Some(b)) if b > a => format!("{}{section}{}", &old[..a], &old[b + end.len()..]),
        _ => format!("{}\n\n{section}\n", old.trim_end()),
    };
    std::fs::write(path, new).map_err(|e| BenchError::io("writing", path, e))
}

const HEADER: &str = "# Benchmarks: Rust stack vs the official Python SDK

Both sides run in one `bp-bench` run against one local `bp-sandbox` on the same machine
(traffic to 127.0.0.1 only). Commands:

```
bash scripts/bench.sh           # full sizes
bash scripts/bench.sh --quick   # small sizes, a fast check
```

Each section below is rewritten by the mode that produced it; the other mode's section stays.

";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn a_mode_rewrites_only_its_own_section() {
        let dir = std::env::temp_dir().join(format!("bp-bench-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("BENCH.md");
        let _ = std::fs::remove_file(&path);
        write_section(&path, "full", "full one").unwrap();
        write_section(&path, "quick", "quick one").unwrap();
        write_section(&path, "full", "full two").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(text.starts_with("# Benchmarks"));
        assert!(text.contains("full two") && text.contains("quick one"));
        assert!(!text.contains("full one"));
        assert_eq!(text.matches("<!-- bench:full -->").count(), 1);
    }
}
