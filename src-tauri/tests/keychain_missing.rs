//! No D-Bus session at all: the keychain error says so and how to fix it, and the app still
//! starts on its sandbox. This binary holds one test because it points the process's
//! D-Bus address at nothing (`unix:path=/nonexistent`), which no other test may see.

mod common;

use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::sandbox_host::SandboxHost;
use common::{sandbox_credentials, start_sandbox, test_keychain, TestApp};
use serde_json::json;

#[test]
fn missing_session_bus_gives_a_clear_keychain_error() {
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(&dir.path().join("server"), false);
    let store = test_keychain();

    let err = store.load().expect_err("no D-Bus means no keychain");
    let value = serde_json::to_value(&err).unwrap();
    assert_eq!(value["kind"], "keychain", "{value}");
    let message = value["message"].as_str().unwrap();
    assert!(message.contains("no D-Bus session"), "{message}");
    assert!(
        message.contains("BEPRODUCT_"),
        "says how to work around it: {message}"
    );
    assert!(
        value["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{value}"
    );

    let save = store
        .save(&sandbox_credentials(&sandbox))
        .expect_err("cannot save either");
    assert_eq!(save.kind(), "keychain");
    assert_eq!(
        save.to_string(),
        message,
        "save and load explain it the same way"
    );

    // The app still starts (embedded sandbox) and reports why the keychain is unavailable.
    let app = TestApp::new(ConnectionManager::new(
        store,
        SandboxHost::new(dir.path().join("embedded")),
        None,
    ));
    let status = app.ok("connection_status", json!({}));
    assert_eq!(status["mode"], "sandbox", "{status}");
    assert_eq!(status["keychain"]["available"], false);
    assert_eq!(status["keychain"]["message"], message);
    let e = app.err("save_credentials", json!({"creds": {
        "companyDomain": "sandbox", "clientId": "sandbox-client", "clientSecret": "sandbox-secret",
        "refreshToken": "sandbox-refresh-token", "apiUrl": sandbox.public_api_url(), "tokenUrl": sandbox.token_url()}}));
    assert_eq!(e["kind"], "keychain", "{e}");
    assert_eq!(e["message"], message);
}
