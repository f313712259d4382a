//! Set-up shared by the `bp upload` and `bp watch` tests: an empty sandbox on 127.0.0.1 (the
//! demo folders, no images), a client for it, the `bp` binary with its credentials, real PNGs.
#![allow(dead_code)] // each test binary uses a different part

use std::path::Path;
use std::process::Command;

use beproduct::{Client, Config};
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};

pub struct Sandboxed {
    pub sandbox: Sandbox,
    pub client: Client,
    /// The demo "Prints" folder's id.
    pub prints: String,
    pub dir: tempfile::TempDir,
}

pub async fn start() -> Sandboxed {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        data_dir: dir.path().join("sandbox"),
        seed: Seed::Empty,
        processing_ms: 50,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let d = SandboxConfig::default();
    let client = Client::new(
        Config::new(d.company, d.client_id, d.client_secret, d.refresh_token)
            .with_api_url(sandbox.public_api_url())
            .with_token_url(sandbox.token_url()),
    )
    .unwrap();
    let prints = client
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == "Prints")
        .unwrap()
        .id;
    Sandboxed {
        sandbox,
        client,
        prints,
        dir,
    }
}

/// `bp` with nothing of this process's environment, and the sandbox's credentials if given.
pub fn bp(sandbox: Option<&Sandbox>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bp"));
    cmd.env_clear();
    if let Some(sandbox) = sandbox {
        let d = SandboxConfig::default();
        cmd.env("BEPRODUCT_COMPANY_DOMAIN", &d.company)
            .env("BEPRODUCT_CLIENT_ID", &d.client_id)
            .env("BEPRODUCT_CLIENT_SECRET", &d.client_secret)
            .env("BEPRODUCT_REFRESH_TOKEN", &d.refresh_token)
            .env("BEPRODUCT_API_URL", sandbox.public_api_url())
            .env("BEPRODUCT_TOKEN_URL", sandbox.token_url());
    }
    cmd
}

/// A small real PNG, written aside and renamed into place (it appears whole, as a save does).
pub fn write_png(path: &Path, seed: u8) {
    let tmp = path.with_extension("tmp-png");
    image::RgbImage::from_fn(24, 16, |x, y| {
        image::Rgb([seed, (x * 9) as u8, (y * 13) as u8])
    })
    .save_with_format(&tmp, image::ImageFormat::Png)
    .unwrap();
    std::fs::rename(tmp, path).unwrap();
}
