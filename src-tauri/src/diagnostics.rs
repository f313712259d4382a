//! "Copy diagnostics" (About): a few lines a user can paste into a support request. Only what
//! describes the installation — version, OS, WebKit, mode, upload queue totals — never a
//! company name, URL, credential, token, file name or path.

use std::fmt::Write;
use std::path::PathBuf;

use upload_queue::BatchTotals;

use crate::connection::Mode;

/// The log folder (`AppPaths::log_dir`), managed so the commands can find it.
#[derive(Debug, Clone)]
pub struct LogFolder(pub PathBuf);

/// What the report says; gathered by the command, formatted here.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    pub app_version: String,
    pub os: String,
    /// `None` when the webview does not report it.
    pub webview: Option<String>,
    /// `None` when no backend could be reached.
    pub mode: Option<Mode>,
    pub totals: BatchTotals,
}

impl Diagnostics {
    pub fn report(&self) -> String {
        let mode = match self.mode {
            Some(Mode::Sandbox) => "sandbox",
            Some(Mode::Account) => "account",
            Some(Mode::Env) => "account (from environment variables)",
            None => "not connected",
        };
        let t = &self.totals;
        let mut out = String::new();
        let _ = writeln!(out, "BeProduct Images {}", self.app_version);
        let _ = writeln!(out, "OS: {}", self.os);
        let _ = writeln!(
            out,
            "WebKit: {}",
            self.webview.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(out, "Mode: {mode}");
        let _ = writeln!(
            out,
            "Upload queue: {} total, {} queued, {} uploading, {} processing, {} done, {} failed, {} cancelled, {} interrupted{}",
            t.total,
            t.queued + t.checking + t.creating,
            t.uploading,
            t.processing,
            t.done,
            t.failed,
            t.cancelled,
            t.interrupted,
            if t.paused { ", paused" } else { "" }
        );
        out
    }
}

/// "linux x86_64 (Ubuntu 24.04.1 LTS)": the OS family, architecture and, on Linux, the
/// distribution's name from os-release.
pub fn os_description() -> String {
    let base = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    match std::fs::read_to_string("/etc/os-release")
        .ok()
        .as_deref()
        .and_then(pretty_name)
    {
        Some(name) => format!("{base} ({name})"),
        None => base,
    }
}

fn pretty_name(os_release: &str) -> Option<String> {
    os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_version_os_webkit_mode_and_totals() {
        let mut totals = BatchTotals::default();
        (totals.total, totals.done, totals.failed, totals.queued) = (5, 3, 1, 1);
        let report = Diagnostics {
            app_version: "1.2.3".into(),
            os: "linux x86_64".into(),
            webview: Some("2.44.0".into()),
            mode: Some(Mode::Sandbox),
            totals,
        }
        .report();
        assert_eq!(
            report,
            "BeProduct Images 1.2.3\nOS: linux x86_64\nWebKit: 2.44.0\nMode: sandbox\n\
             Upload queue: 5 total, 1 queued, 0 uploading, 0 processing, 3 done, 1 failed, 0 cancelled, 0 interrupted\n"
        );
    }

    #[test]
    fn unknown_parts_say_so() {
        let report = Diagnostics {
            app_version: "1.0.0".into(),
            os: "linux".into(),
            webview: None,
            mode: None,
            totals: BatchTotals::default(),
        }
        .report();
        assert!(
            report.contains("WebKit: unknown\nMode: not connected\n"),
            "{report}"
        );
    }

    #[test]
    fn os_release_pretty_name_is_read() {
        let text = "NAME=\"Ubuntu\"\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nID=ubuntu\n";
        assert_eq!(pretty_name(text).as_deref(), Some("Ubuntu 24.04.1 LTS"));
        assert_eq!(pretty_name("ID=arch\n"), None);
    }
}
