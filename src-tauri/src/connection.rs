//! Which backend the app talks to right now (embedded sandbox, saved account, or the
//! environment override) and the `beproduct::Client` for it. Switching needs no restart:
//! commands clone the current client, so requests already running finish where they started.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use beproduct::{Client, RetryPolicy, Secret};
use image_library::ImageLibrary;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::credentials::{Credentials, KeychainAvailability, KeychainStore};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::keychain_writer::{KeychainWriter, RETRY_EVERY};
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

/// Something the user must know about although no command failed (sent to the page as the
/// `app://warning` event). `message` says what is wrong and what to do; never a secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: ErrorKind,
    pub message: String,
}

struct Active {
    mode: Mode,
    company: String,
    api_url: String,
    client: Client,
    /// The image library on this client: its caches live and die with the connection.
    library: Arc<ImageLibrary>,
}

impl Active {
    fn new(mode: Mode, company: String, api_url: String, client: Client) -> Active {
        Active {
            mode,
            company,
            api_url,
            library: Arc::new(ImageLibrary::new(client.clone())),
            client,
        }
    }
}

/// The credentials of the last "Test connection", as typed and as they are now: the test may
/// have rotated the refresh token, and the typed one is then spent.
struct Tested {
    typed: Credentials,
    latest: Credentials,
}

pub struct ConnectionManager {
    keychain: KeychainStore,
    /// Writes rotated refresh tokens of the saved account, off the async runtime.
    writer: KeychainWriter,
    sandbox: SandboxHost,
    env_credentials: Option<Credentials>,
    /// None until the first command (or the start-up warm-up) picks a backend.
    active: Mutex<Option<Active>>,
    tested: StdMutex<Option<Tested>>,
    /// Told about every newly picked client (the upload queue keeps its own copy).
    client_listener: StdMutex<Option<ClientListener>>,
    warning_listener: Arc<StdMutex<Option<WarningListener>>>,
}

type ClientListener = Arc<dyn Fn(&Client) + Send + Sync>;
type WarningListener = Arc<dyn Fn(Warning) + Send + Sync>;

const ROTATED_TOKEN_NOT_SAVED: &str = "BeProduct renewed this account's sign-in, but the new \
refresh token could not be saved to the system keychain";

impl ConnectionManager {
    pub fn new(
        keychain: KeychainStore,
        sandbox: SandboxHost,
        env_credentials: Option<Credentials>,
    ) -> Self {
        let warning_listener: Arc<StdMutex<Option<WarningListener>>> = Arc::default();
        let listener = warning_listener.clone();
        let store = keychain.clone();
        let writer = KeychainWriter::start(
            move |creds| store.save(creds),
            move |e| {
                let warning = Warning {
                    kind: ErrorKind::Keychain,
                    message: format!(
                        "{ROTATED_TOKEN_NOT_SAVED}: {e} The app keeps working and tries again every \
                         {} seconds. If it is closed before a save works, connect the account again.",
                        RETRY_EVERY.as_secs()
                    ),
                };
                let listener = listener.lock().unwrap_or_else(|p| p.into_inner()).clone();
                if let Some(listener) = listener {
                    listener(warning);
                }
            },
            RETRY_EVERY,
        );
        ConnectionManager {
            keychain,
            writer,
            sandbox,
            env_credentials,
            active: Mutex::new(None),
            tested: StdMutex::new(None),
            client_listener: StdMutex::new(None),
            warning_listener,
        }
    }

    /// Calls `listener` with every warning for the user from now on.
    pub fn on_warning(&self, listener: impl Fn(Warning) + Send + Sync + 'static) {
        *self
            .warning_listener
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(listener));
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
        Ok(self.library().await?.client().clone())
    }

    /// The image library of the current backend, picking one on first use.
    pub async fn library(&self) -> AppResult<Arc<ImageLibrary>> {
        let mut active = self.active.lock().await;
        if active.is_none() {
            let picked = self.initial().await?;
            self.switch_to(&mut active, picked);
        }
        Ok(active.as_ref().expect("set above").library.clone())
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
                connect(Mode::Account, creds, Some(self.writer.clone()))
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
        let config = creds
            .to_config()
            // A local server: retry after milliseconds, not seconds.
            .with_retry_policy(RetryPolicy::fast())
            // Its port changes every run; its data folder names its data.
            .with_server_key(self.sandbox.server_key());
        Ok(Active::new(
            Mode::Sandbox,
            creds.company_domain.clone(),
            creds.effective_api_url(),
            Client::new(config)?,
        ))
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
    /// A refresh token the test rotates is kept for the next test or Save of the same typed
    /// credentials (the typed one is spent by then).
    pub async fn test(&self, creds: &Credentials) -> AppResult<usize> {
        crate::credentials::validate(creds)?;
        let sink = RotationSink::new(self.continue_from_test(creds), None, false);
        let client =
            Client::new(sink.current().to_config())?.on_refresh_token_rotated(sink.callback());
        let result = client.folders().await;
        self.remember_test(creds, &sink);
        Ok(result?.len())
    }

    /// Keeps what a test of `typed` ended with (whether it worked or not: a refresh that
    /// rotated the token may come before a failure).
    fn remember_test(&self, typed: &Credentials, sink: &RotationSink) {
        *self.tested.lock().unwrap_or_else(|p| p.into_inner()) = Some(Tested {
            typed: typed.clone(),
            latest: sink.current(),
        });
    }

    /// `typed`, with the refresh token a test of the same credentials rotated to, if any.
    fn continue_from_test(&self, typed: &Credentials) -> Credentials {
        let tested = self.tested.lock().unwrap_or_else(|p| p.into_inner());
        match tested.as_ref() {
            Some(t) if t.typed.same_as(typed) => t.latest.clone(),
            _ => typed.clone(),
        }
    }

    /// Tests the credentials, stores them in the keychain and switches to that account.
    pub async fn save_and_use(&self, creds: Credentials) -> AppResult<ConnectionStatus> {
        crate::credentials::validate(&creds)?;
        // The test call may rotate the refresh token: the sink keeps the newest one, and only
        // hands rotations to the keychain writer once the first save has succeeded.
        let sink = RotationSink::new(
            self.continue_from_test(&creds),
            Some(self.writer.clone()),
            false,
        );
        let client =
            Client::new(sink.current().to_config())?.on_refresh_token_rotated(sink.callback());
        let tested = client.folders().await;
        self.remember_test(&creds, &sink);
        tested?;
        let store = self.keychain.clone();
        let saved = sink.current();
        let written = saved.clone();
        blocking(move || store.save(&written)).await?;
        let latest = sink.start_persisting(&saved);
        self.tested.lock().unwrap_or_else(|p| p.into_inner()).take();
        tracing::info!(company = %latest.company_domain, "BeProduct account saved to the keychain");
        let active = Active::new(
            Mode::Account,
            latest.company_domain.clone(),
            latest.effective_api_url(),
            client,
        );
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
        let active = connect(Mode::Account, creds, Some(self.writer.clone()))?;
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

/// A client for `creds`; with a `writer`, rotated refresh tokens are written back to the keychain.
fn connect(mode: Mode, creds: Credentials, writer: Option<KeychainWriter>) -> AppResult<Active> {
    let company = creds.company_domain.clone();
    let api_url = creds.effective_api_url();
    let persist = writer.is_some();
    let sink = RotationSink::new(creds, writer, persist);
    let client = Client::new(sink.current().to_config())?.on_refresh_token_rotated(sink.callback());
    Ok(Active::new(mode, company, api_url, client))
}

/// Receives rotated refresh tokens (the client calls it while holding its token lock). Keeps
/// the newest credentials in memory and, when persisting, hands them to the keychain writer,
/// which writes on its own thread: nothing here blocks.
#[derive(Clone)]
struct RotationSink {
    creds: Arc<StdMutex<Credentials>>,
    writer: Option<KeychainWriter>,
    persist: Arc<AtomicBool>,
}

impl RotationSink {
    fn new(creds: Credentials, writer: Option<KeychainWriter>, persist: bool) -> Self {
        RotationSink {
            creds: Arc::new(StdMutex::new(creds)),
            writer,
            persist: Arc::new(AtomicBool::new(persist)),
        }
    }

    fn current(&self) -> Credentials {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Credentials> {
        self.creds.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn callback(&self) -> impl Fn(Secret) + Send + Sync + 'static {
        let sink = self.clone();
        move |token: Secret| sink.rotated(token)
    }

    fn rotated(&self, token: Secret) {
        let creds = {
            let mut creds = self.lock();
            creds.refresh_token = token;
            creds.clone()
        };
        match &self.writer {
            Some(writer) if self.persist.load(Ordering::SeqCst) => writer.save(creds),
            _ => tracing::info!("refresh token rotated (kept in memory for this run)"),
        }
    }

    /// From now on rotations go to the keychain. `saved` is what the caller wrote; a newer
    /// token (rotated since) is handed to the writer. Returns the newest credentials.
    fn start_persisting(&self, saved: &Credentials) -> Credentials {
        let creds = self.lock().clone();
        self.persist.store(true, Ordering::SeqCst);
        if creds.refresh_token.expose() != saved.refresh_token.expose() {
            if let Some(writer) = &self.writer {
                writer.save(creds.clone());
            }
        }
        creds
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
