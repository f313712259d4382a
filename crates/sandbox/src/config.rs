//! Sandbox settings; `Default` gives the CLI defaults except `listen` (port 0 for tests).
//! The defaults are the safe ones the desktop app embeds: no test controls, nothing simulated.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::fault_kinds::{FaultKind, FaultRule};

/// What an empty data folder is filled with on first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Folders, schemas and about 40 images with generated artwork.
    Demo,
    /// Folders and schemas only.
    Empty,
}

impl std::str::FromStr for Seed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            other => Err(format!("unknown seed '{other}'; use 'demo' or 'empty'")),
        }
    }
}

/// What happens to an upload whose file passes `max_upload_mb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// 413 as soon as the received bytes pass the limit; the rest of the body is not read.
    Status413,
    /// The connection is closed mid-body, without an answer.
    Reset,
    /// The upload is accepted (an upload id comes back) and its processing fails.
    FailProcessing,
}

impl std::str::FromStr for Oversize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "413" => Ok(Oversize::Status413),
            "reset" => Ok(Oversize::Reset),
            "fail-processing" => Ok(Oversize::FailProcessing),
            other => Err(format!(
                "unknown oversize behaviour '{other}'; use 413, reset or fail-processing"
            )),
        }
    }
}

#[derive(Clone)]
pub struct SandboxConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub company: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub seed: Seed,
    pub processing_ms: u64,
    /// Up to this much extra processing time per upload (the same for an upload on every poll).
    pub processing_jitter_ms: u64,
    pub max_upload_mb: u64,
    pub oversize: Oversize,
    pub rate_limit_per_min: Option<u32>,
    pub fault_rate: f64,
    /// What random faults (`fault_rate`) pick from, uniformly; empty: 503, drop before handling
    /// and drop after handling.
    pub fault_kinds: Vec<FaultKind>,
    /// Deterministic faults armed at start (like `Controls::fail_next`).
    pub fault_rules: Vec<FaultRule>,
    pub latency_ms: u64,
    /// Request bodies are taken no faster than this many kilobits per second (all connections
    /// share it, like one uplink). `None`: unlimited.
    pub upload_kbps: Option<u32>,
    /// Media URLs carry a signature valid for this many seconds. `None`: plain URLs.
    pub signed_url_ttl_secs: Option<u64>,
    /// Stored file names are rewritten as the real service does (see `stored_names`).
    pub rewrite_file_names: bool,
    pub token_ttl_secs: u64,
    pub rotate_refresh_tokens: bool,
    /// Serve the `/__sandbox/*` test controls over HTTP. Off by default: anyone on the machine
    /// could use them. [`crate::Sandbox::controls`] works either way.
    pub test_controls: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            data_dir: PathBuf::from("./sandbox-data"),
            company: "sandbox".into(),
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            refresh_token: "sandbox-refresh-token".into(),
            seed: Seed::Demo,
            processing_ms: 1500,
            processing_jitter_ms: 0,
            max_upload_mb: 50,
            oversize: Oversize::FailProcessing,
            rate_limit_per_min: None,
            fault_rate: 0.0,
            fault_kinds: Vec::new(),
            fault_rules: Vec::new(),
            latency_ms: 0,
            upload_kbps: None,
            signed_url_ttl_secs: None,
            rewrite_file_names: false,
            token_ttl_secs: 3600,
            rotate_refresh_tokens: false,
            test_controls: false,
        }
    }
}

// Secrets stay out of Debug output.
impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("company", &self.company)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("refresh_token", &"***")
            .field("seed", &self.seed)
            .field("processing_ms", &self.processing_ms)
            .field("processing_jitter_ms", &self.processing_jitter_ms)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("oversize", &self.oversize)
            .field("rate_limit_per_min", &self.rate_limit_per_min)
            .field("fault_rate", &self.fault_rate)
            .field("fault_kinds", &self.fault_kinds)
            .field("fault_rules", &self.fault_rules)
            .field("latency_ms", &self.latency_ms)
            .field("upload_kbps", &self.upload_kbps)
            .field("signed_url_ttl_secs", &self.signed_url_ttl_secs)
            .field("rewrite_file_names", &self.rewrite_file_names)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("rotate_refresh_tokens", &self.rotate_refresh_tokens)
            .field("test_controls", &self.test_controls)
            .finish()
    }
}
