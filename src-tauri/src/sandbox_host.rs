//! The embedded sandbox: a real BeProduct-compatible server started in-process on
//! 127.0.0.1 (random port), with its data in the app's data folder. Its credentials are the
//! sandbox's own published defaults, not secrets.

use std::path::{Path, PathBuf};

use beproduct::Secret;
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use tokio::sync::Mutex;

use crate::credentials::Credentials;
use crate::error::{AppError, AppResult};

pub struct SandboxHost {
    data_dir: PathBuf,
    running: Mutex<Option<Sandbox>>,
}

impl SandboxHost {
    /// `data_dir` is where the sandbox keeps its database and files (`<app data>/sandbox`).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        SandboxHost {
            data_dir: data_dir.into(),
            running: Mutex::new(None),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Starts the sandbox on first use and returns credentials for it.
    pub async fn ensure_started(&self) -> AppResult<Credentials> {
        let mut running = self.running.lock().await;
        let config = self.config();
        if running.is_none() {
            std::fs::create_dir_all(&self.data_dir).map_err(|e| AppError::Sandbox {
                message: format!(
                    "Could not create the sandbox folder {}. Check that it is writable.",
                    self.data_dir.display()
                ),
                detail: e.to_string(),
            })?;
            let sandbox = Sandbox::start(config.clone()).await.map_err(|e| AppError::Sandbox {
                message: "The built-in sandbox could not start. Restart the app; if it keeps failing, \
                          delete the sandbox folder named in the details."
                    .into(),
                detail: format!("{} ({e})", self.data_dir.display()),
            })?;
            tracing::info!(url = %sandbox.public_api_url(), data = %self.data_dir.display(), "embedded sandbox started");
            *running = Some(sandbox);
        }
        let sandbox = running.as_ref().expect("started above");
        Ok(Credentials {
            company_domain: config.company.clone(),
            client_id: config.client_id.clone(),
            client_secret: Secret::new(config.client_secret.clone()),
            refresh_token: Secret::new(config.refresh_token.clone()),
            api_url: Some(sandbox.public_api_url()),
            token_url: Some(sandbox.token_url()),
        })
    }

    /// Stops the server (on app exit) so its database is closed cleanly.
    pub async fn shutdown(&self) {
        if let Some(sandbox) = self.running.lock().await.take() {
            sandbox.shutdown().await;
            tracing::info!("embedded sandbox stopped");
        }
    }

    fn config(&self) -> SandboxConfig {
        SandboxConfig {
            data_dir: self.data_dir.clone(),
            seed: Seed::Demo,
            ..SandboxConfig::default()
        }
    }
}
