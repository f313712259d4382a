//! Sandbox settings; `Default` gives the CLI defaults except `listen` (port 0 for tests).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

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
    pub max_upload_mb: u64,
    pub rate_limit_per_min: Option<u32>,
    pub fault_rate: f64,
    pub latency_ms: u64,
    pub token_ttl_secs: u64,
    pub rotate_refresh_tokens: bool,
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
            max_upload_mb: 50,
            rate_limit_per_min: None,
            fault_rate: 0.0,
            latency_ms: 0,
            token_ttl_secs: 3600,
            rotate_refresh_tokens: false,
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
            .field("max_upload_mb", &self.max_upload_mb)
            .field("rate_limit_per_min", &self.rate_limit_per_min)
            .field("fault_rate", &self.fault_rate)
            .field("latency_ms", &self.latency_ms)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("rotate_refresh_tokens", &self.rotate_refresh_tokens)
            .finish()
    }
}
