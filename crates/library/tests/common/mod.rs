//! What every library test starts from: a real sandbox on 127.0.0.1 in a temporary folder,
//! a client configuration for it, and the demo seed's Prints folder.
#![allow(dead_code)] // each test binary uses a different subset

use beproduct::{Config, RetryPolicy};
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use image_library::ImageLibrary;

pub async fn start_sandbox(seed: Seed) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    (dir, sandbox)
}

/// The sandbox's own credentials, with the retry policy tests use.
pub fn client_config(sandbox: &Sandbox) -> Config {
    let d = SandboxConfig::default();
    Config::new(d.company, d.client_id, d.client_secret, d.refresh_token)
        .with_api_url(sandbox.public_api_url())
        .with_token_url(sandbox.token_url())
        .with_retry_policy(RetryPolicy::fast())
}

/// The id of the Prints folder (every seed has it).
pub async fn prints(library: &ImageLibrary) -> String {
    library
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Prints")
        .expect("the seed has Prints")
        .id
}
