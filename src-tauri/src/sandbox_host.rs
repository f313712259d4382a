//! The embedded sandbox: a real BeProduct-compatible server started in-process on
//! 127.0.0.1 (random port), with its data in the app's data folder. It runs with the sandbox
//! library's safe defaults (no test controls, Host check) and with credentials generated for
//! this install (`sandbox_credentials`), never the published demo ones.

use std::path::PathBuf;

use beproduct::Secret;
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use tokio::sync::Mutex;

use crate::credentials::Credentials;
use crate::error::{AppError, AppResult};
use crate::sandbox_credentials;

pub struct SandboxHost {
    data_dir: PathBuf,
    running: Mutex<Option<Running>>,
}

struct Running {
    sandbox: Sandbox,
    /// What the client uses with it (its URLs include this run's port).
    credentials: Credentials,
}

impl SandboxHost {
    /// `data_dir` is where the sandbox keeps its database and files (`<app data>/sandbox`).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        SandboxHost {
            data_dir: data_dir.into(),
            running: Mutex::new(None),
        }
    }

    /// What identifies the sandbox's data across runs (`beproduct::Client::server_key`): its port
    /// changes every run, its data folder does not, so journaled uploads find it again.
    pub fn server_key(&self) -> String {
        format!("embedded-sandbox:{}", self.data_dir.display())
    }

    /// Starts the sandbox on first use and returns credentials for it.
    pub async fn ensure_started(&self) -> AppResult<Credentials> {
        let mut running = self.running.lock().await;
        if let Some(running) = running.as_ref() {
            return Ok(running.credentials.clone());
        }
        let config = self.config()?;
        let sandbox = Sandbox::start(config.clone())
            .await
            .map_err(|e| AppError::Sandbox {
                message:
                    "The built-in sandbox could not start. Restart the app; if it keeps failing, \
                          delete the sandbox folder named in the details."
                        .into(),
                detail: format!("{} ({e})", self.data_dir.display()),
            })?;
        tracing::info!(url = %sandbox.public_api_url(), data = %self.data_dir.display(), "embedded sandbox started");
        let credentials = Credentials {
            company_domain: config.company,
            client_id: config.client_id,
            client_secret: Secret::new(config.client_secret),
            refresh_token: Secret::new(config.refresh_token),
            api_url: Some(sandbox.public_api_url()),
            token_url: Some(sandbox.token_url()),
        };
        *running = Some(Running {
            sandbox,
            credentials: credentials.clone(),
        });
        Ok(credentials)
    }

    /// Stops the server (on app exit) so its database is closed cleanly.
    pub async fn shutdown(&self) {
        if let Some(running) = self.running.lock().await.take() {
            running.sandbox.shutdown().await;
            tracing::info!("embedded sandbox stopped");
        }
    }

    /// The library's defaults (safe: no test controls, Host check) with this install's
    /// credentials and data folder.
    fn config(&self) -> AppResult<SandboxConfig> {
        let creds = sandbox_credentials::load_or_create(&self.data_dir)?;
        Ok(SandboxConfig {
            data_dir: self.data_dir.clone(),
            seed: Seed::Demo,
            client_id: creds.client_id,
            client_secret: creds.client_secret.expose().to_owned(),
            refresh_token: creds.refresh_token.expose().to_owned(),
            ..SandboxConfig::default()
        })
    }
}
