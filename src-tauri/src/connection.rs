//! Which backend the app talks to right now (embedded sandbox, saved account, or the
//! environment override) and the `beproduct::Client` for it. Switching needs no restart:
//! commands clone the current client, so requests already running finish where they started.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use beproduct::{Client, RetryPolicy, Secret};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::credentials::{Credentials, KeychainAvailability, KeychainStore};
use crate::error::{AppError, AppResult};
use crate::sandbox_host::SandboxHost;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sandbox,
    Account,
    Env,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    pub mode: Mode,
    pub company: String,
    pub api_url: String,
    pub keychain: KeychainAvailability,
    pub has_saved_account: bool,
}

struct Active {
    mode: Mode,
    company: String,
    api_url: String,
    client: Client,
}

pub struct ConnectionManager {
    keychain: KeychainStore,
    sandbox: SandboxHost,
    env_credentials: Option<Credentials>,
    /// None until the first command (or the start-up warm-up) picks a backend.
    active: Mutex<Option<Active>>,
    /// Told about every newly picked client (the upload queue keeps its own copy).
    client_listener: StdMutex<Option<ClientListener>>,
}

type ClientListener = Arc<dyn Fn(&Client) + Send + Sync>;

impl ConnectionManager {
    pub fn new(
        keychain: KeychainStore,
        sandbox: SandboxHost,
        env_credentials: Option<Credentials>,
    ) -> Self {
        ConnectionManager {
            keychain,
            sandbox,
            env_credentials,
            active: Mutex::new(None),
            client_listener: StdMutex::new(None),
        }
    }

    /// Calls `listener` with every client the manager switches to from now on (register it
    /// before the first `client()` call so the first pick is seen too).
    pub fn on_client_changed(&self, listener: impl Fn(&Client) + Send + Sync + 'static) {
        *self
            .client_listener
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(listener));
    }

    /// Stores the new backend and tells the listener about its client.
    fn switch_to(&self, slot: &mut Option<Active>, active: Active) {
        let listener = self
            .client_listener
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener(&active.client);
        }
        *slot = Some(active);
    }

    pub fn sandbox(&self) -> &SandboxHost {
        &self.sandbox
    }

    /// The client for the current backend, picking one on first use.
    pub async fn client(&self) -> AppResult<Client> {
        let mut active = self.active.lock().await;
        if active.is_none() {
            let picked = self.initial().await?;
            self.switch_to(&mut active, picked);
        }
        Ok(active.as_ref().expect("set above").client.clone())
    }

    /// Start-up choice: environment override, else the saved account, else the sandbox.
    /// A keychain problem does not stop the app: it runs on the sandbox and the status says why.
    async fn initial(&self) -> AppResult<Active> {
        if let Some(creds) = &self.env_credentials {
            tracing::info!(company = %creds.company_domain, "using credentials from BEPRODUCT_* environment variables");
            return connect(Mode::Env, creds.clone(), None);
        }
        match self.load_saved().await {
            Ok(Some(creds)) => {
                tracing::info!(company = %creds.company_domain, "using the saved BeProduct account");
                connect(Mode::Account, creds, Some(self.keychain.clone()))
            }
            Ok(None) => self.sandbox_connection().await,
            Err(e) => {
                tracing::warn!(error = %e, "keychain unavailable; starting on the embedded sandbox");
                self.sandbox_connection().await
            }
        }
    }

    async fn sandbox_connection(&self) -> AppResult<Active> {
        let creds = self.sandbox.ensure_started().await?;
        connect(Mode::Sandbox, creds, None)
    }

    pub async fn status(&self) -> AppResult<ConnectionStatus> {
        self.client().await?;
        let store = self.keychain.clone();
        let (keychain, saved) = blocking(move || Ok(store.availability())).await?;
        let active = self.active.lock().await;
        let active = active.as_ref().expect("client() picked a backend");
        Ok(ConnectionStatus {
            mode: active.mode,
            company: active.company.clone(),
            api_url: active.api_url.clone(),
            keychain,
            has_saved_account: saved.is_some(),
        })
    }

    /// Tries the credentials (one folder listing) without saving; returns the folder count.
    pub async fn test(&self, creds: &Credentials) -> AppResult<usize> {
        creds.validate()?;
        let client = Client::new(creds.to_config())?;
        Ok(client.folders().await?.len())
    }

    /// Tests the credentials, stores them in the keychain and switches to that account.
    pub async fn save_and_use(&self, creds: Credentials) -> AppResult<ConnectionStatus> {
        creds.validate()?;
        // The test call may already rotate the refresh token: the sink keeps the newest one,
        // and only starts writing to the keychain once the first save has succeeded.
        let sink = RotationSink::new(creds, Some(self.keychain.clone()), false);
        let client =
            Client::new(sink.current().to_config())?.on_refresh_token_rotated(sink.callback());
        client.folders().await?;
        let store = self.keychain.clone();
        let latest = sink.current();
        blocking(move || store.save(&latest)).await?;
        sink.persist.store(true, Ordering::SeqCst);
        let latest = sink.current();
        tracing::info!(company = %latest.company_domain, "BeProduct account saved to the keychain");
        let active = Active {
            mode: Mode::Account,
            company: latest.company_domain.clone(),
            api_url: latest.effective_api_url(),
            client,
        };
        self.switch_to(&mut *self.active.lock().await, active);
        self.status().await
    }

    pub async fn use_sandbox(&self) -> AppResult<ConnectionStatus> {
        let active = self.sandbox_connection().await?;
        self.switch_to(&mut *self.active.lock().await, active);
        self.status().await
    }

    pub async fn use_account(&self) -> AppResult<ConnectionStatus> {
        let creds = self.load_saved().await?.ok_or_else(|| {
            AppError::invalid_input(
                "No BeProduct account is saved yet. Use \"Connect to BeProduct\" to add one.",
            )
        })?;
        let active = connect(Mode::Account, creds, Some(self.keychain.clone()))?;
        self.switch_to(&mut *self.active.lock().await, active);
        self.status().await
    }

    /// Deletes the saved account from the keychain and switches to the sandbox.
    pub async fn sign_out(&self) -> AppResult<ConnectionStatus> {
        let store = self.keychain.clone();
        blocking(move || store.delete()).await?;
        tracing::info!("saved BeProduct account removed from the keychain");
        self.use_sandbox().await
    }

    async fn load_saved(&self) -> AppResult<Option<Credentials>> {
        let store = self.keychain.clone();
        blocking(move || store.load()).await
    }
}

/// A client for `creds`; with a `store`, rotated refresh tokens are written back to it.
fn connect(mode: Mode, creds: Credentials, store: Option<KeychainStore>) -> AppResult<Active> {
    let company = creds.company_domain.clone();
    let api_url = creds.effective_api_url();
    let persist = store.is_some();
    let sink = RotationSink::new(creds, store, persist);
    let mut config = sink.current().to_config();
    if mode == Mode::Sandbox {
        // A local server: retry after milliseconds, not seconds.
        config = config.with_retry_policy(RetryPolicy::fast());
    }
    let client = Client::new(config)?.on_refresh_token_rotated(sink.callback());
    Ok(Active {
        mode,
        company,
        api_url,
        client,
    })
}

/// Receives rotated refresh tokens. Keeps the newest credentials in memory and, when
/// `persist` is on, writes them to the keychain before the client goes on (so a crash right
/// after a rotation cannot lose the only valid token).
#[derive(Clone)]
struct RotationSink {
    creds: Arc<StdMutex<Credentials>>,
    store: Option<KeychainStore>,
    persist: Arc<AtomicBool>,
}

impl RotationSink {
    fn new(creds: Credentials, store: Option<KeychainStore>, persist: bool) -> Self {
        RotationSink {
            creds: Arc::new(StdMutex::new(creds)),
            store,
            persist: Arc::new(AtomicBool::new(persist)),
        }
    }

    fn current(&self) -> Credentials {
        self.creds.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn callback(&self) -> impl Fn(Secret) + Send + Sync + 'static {
        let sink = self.clone();
        move |token: Secret| sink.rotated(token)
    }

    fn rotated(&self, token: Secret) {
        let mut creds = self.creds.lock().unwrap_or_else(|p| p.into_inner());
        creds.refresh_token = token;
        match &self.store {
            Some(store) if self.persist.load(Ordering::SeqCst) => match store.save(&creds) {
                Ok(()) => tracing::info!("rotated refresh token saved to the keychain"),
                Err(e) => {
                    tracing::error!(error = %e, "could not save the rotated refresh token; you may have to reconnect after a restart")
                }
            },
            _ => tracing::info!("refresh token rotated (kept in memory for this run)"),
        }
    }
}

/// Runs a blocking keychain call off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("keychain task failed: {e}")))?
}
