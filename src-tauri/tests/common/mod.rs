//! Shared test helpers: a real sandbox on 127.0.0.1 (port 0, temp folder) and a mock Tauri
//! app whose commands are invoked through the real IPC path.
#![allow(dead_code)] // each test binary uses a different subset

pub mod contract;
pub mod keyring_lock;
pub mod uploads;

use std::path::Path;

use beproduct::Secret;
use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::credentials::{Credentials, KeychainStore};
use beproduct_images_lib::file_handles::FileHandles;
use beproduct_images_lib::sandbox_host::SandboxHost;
use beproduct_images_lib::uploads::UploadHost;
use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use serde_json::Value;
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::{App, Manager, WebviewWindow};
use upload_queue::QueueConfig;

/// Starts a sandbox on tauri's runtime, so it keeps serving while commands run.
pub fn start_sandbox(dir: &Path, rotate_refresh_tokens: bool) -> Sandbox {
    let config = SandboxConfig {
        data_dir: dir.to_path_buf(),
        seed: Seed::Demo,
        processing_ms: 50,
        rotate_refresh_tokens,
        ..SandboxConfig::default()
    };
    tauri::async_runtime::block_on(Sandbox::start(config)).expect("sandbox starts")
}

/// The sandbox's own (non-secret) credentials, as the `BEPRODUCT_*` override would give them.
pub fn sandbox_credentials(sandbox: &Sandbox) -> Credentials {
    let d = SandboxConfig::default();
    Credentials {
        company_domain: d.company,
        client_id: d.client_id,
        client_secret: Secret::new(d.client_secret),
        refresh_token: Secret::new(d.refresh_token),
        api_url: Some(sandbox.public_api_url()),
        token_url: Some(sandbox.token_url()),
    }
}

/// `creds` as the Connect dialog sends them.
pub fn creds_json(c: &Credentials) -> Value {
    serde_json::json!({
        "companyDomain": c.company_domain, "clientId": c.client_id,
        "clientSecret": c.client_secret.expose(), "refreshToken": c.refresh_token.expose(),
        "apiUrl": c.api_url, "tokenUrl": c.token_url,
    })
}

/// A unique keychain service per test, so tests never see each other's (or the user's) entry.
pub fn test_keychain() -> KeychainStore {
    KeychainStore::new(format!(
        "com.beproduct.images.test.{}",
        uuid::Uuid::new_v4()
    ))
}

pub struct TestApp {
    pub app: App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
}

impl TestApp {
    pub fn new(manager: ConnectionManager) -> TestApp {
        TestApp::build(manager, None)
    }

    /// With the upload queue too (journal in `data_dir`), following the manager's client as in
    /// the app's setup.
    pub fn with_uploads(manager: ConnectionManager, data_dir: &Path) -> TestApp {
        TestApp::with_upload_config(manager, data_dir, QueueConfig::new(data_dir))
    }

    /// As `with_uploads`, with queue settings of the test's choosing (the journal stays in
    /// `data_dir`).
    pub fn with_upload_config(
        manager: ConnectionManager,
        data_dir: &Path,
        config: QueueConfig,
    ) -> TestApp {
        let uploads = tauri::async_runtime::block_on(UploadHost::open_with(data_dir, config))
            .expect("journal opens");
        let queue = uploads.queue().clone();
        manager.on_client_changed(move |client| queue.set_client(client.clone()));
        let test_app = TestApp::build(manager, Some(uploads));
        test_app
            .app
            .manage(beproduct_images_lib::intake_host::IntakeHost::open(
                data_dir,
            ));
        let handle = test_app.app.handle().clone();
        test_app.app.state::<UploadHost>().forward_events(handle);
        test_app
    }

    fn build(manager: ConnectionManager, uploads: Option<UploadHost>) -> TestApp {
        let mut builder = mock_builder()
            .invoke_handler(beproduct_images_lib::invoke_handler())
            .manage(manager)
            .manage(FileHandles::default());
        if let Some(uploads) = uploads {
            builder = builder.manage(uploads);
        }
        let app = builder
            .build(mock_context(noop_assets()))
            .expect("mock app builds");
        let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window");
        TestApp { app, window }
    }

    /// An app in env mode against `sandbox`; `sandbox_dir` is only used if a test switches.
    pub fn env_mode(sandbox: &Sandbox, sandbox_dir: &Path) -> TestApp {
        TestApp::new(ConnectionManager::new(
            test_keychain(),
            SandboxHost::new(sandbox_dir),
            Some(sandbox_credentials(sandbox)),
        ))
    }

    /// Invokes `cmd` as the UI would; Err carries the serialised `{kind, message, detail?}`.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request)
            .map(|body| body.deserialize::<Value>().expect("JSON response"))
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args.clone())
            .unwrap_or_else(|e| panic!("{cmd} {args} failed: {e}"))
    }

    pub fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args.clone()) {
            Ok(v) => panic!("{cmd} {args} should fail, got {v}"),
            Err(e) => e,
        }
    }
}

/// Fails (never skips) when there is no D-Bus session, saying how to get one.
pub fn require_session_bus() {
    let addr = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        !addr.is_empty(),
        "this test needs a D-Bus session with an unlocked GNOME Keyring (DBUS_SESSION_BUS_ADDRESS is not set). \
         Run it through scripts/test.sh, or: bash scripts/with-test-session.sh cargo test -p beproduct-images"
    );
}
