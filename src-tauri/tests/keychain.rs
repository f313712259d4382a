//! Credentials in the OS keychain (Secret Service). Needs a D-Bus session with an unlocked
//! GNOME Keyring (scripts/test.sh provides one); fails with instructions when there is none.

mod common;

use beproduct::Secret;
use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::sandbox_host::SandboxHost;
use common::{
    creds_json, require_session_bus, sandbox_credentials, start_sandbox, test_keychain, TestApp,
};
use serde_json::json;

#[test]
fn save_load_delete_round_trip() {
    require_session_bus();
    let store = test_keychain();
    assert!(
        store.load().unwrap().is_none(),
        "a new service has no entry"
    );
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), false);
    let mut creds = sandbox_credentials(&sandbox);
    creds.client_secret = Secret::new("secret with spaces and ünïcode");
    store.save(&creds).unwrap();
    let loaded = store.load().unwrap().expect("saved entry is found");
    assert_eq!(loaded.company_domain, creds.company_domain);
    assert_eq!(loaded.client_id, creds.client_id);
    assert_eq!(
        loaded.client_secret.expose(),
        "secret with spaces and ünïcode"
    );
    assert_eq!(loaded.refresh_token.expose(), creds.refresh_token.expose());
    assert_eq!(loaded.api_url, creds.api_url);
    assert_eq!(loaded.token_url, creds.token_url);
    // Saving again replaces, never duplicates (a duplicate would make load ambiguous).
    creds.refresh_token = Secret::new("second");
    store.save(&creds).unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().refresh_token.expose(),
        "second"
    );
    store.delete().unwrap();
    assert!(store.load().unwrap().is_none());
    store.delete().expect("deleting nothing is fine");
    let (availability, saved) = store.availability();
    assert!(
        availability.available && availability.message.is_none(),
        "{availability:?}"
    );
    assert!(saved.is_none());
}

#[test]
fn save_switch_and_sign_out_through_commands() {
    require_session_bus();
    let dir = tempfile::tempdir().unwrap();
    let account = start_sandbox(&dir.path().join("account"), false);
    let store = test_keychain();
    let app = TestApp::new(ConnectionManager::new(
        store.clone(),
        SandboxHost::new(dir.path().join("embedded")),
        None,
    ));

    // Nothing saved: the app runs on its embedded sandbox.
    let status = app.ok("connection_status", json!({}));
    assert_eq!(status["mode"], "sandbox", "{status}");
    assert_eq!(status["keychain"]["available"], true, "{status}");
    assert_eq!(status["hasSavedAccount"], false);
    let embedded_url = status["apiUrl"].as_str().unwrap().to_owned();
    assert!(
        embedded_url.starts_with("http://127.0.0.1:"),
        "{embedded_url}"
    );
    assert_ne!(embedded_url, account.public_api_url());
    assert!(!app
        .ok("list_folders", json!({}))
        .as_array()
        .unwrap()
        .is_empty());
    let e = app.err("use_account", json!({}));
    assert_eq!(e["kind"], "invalid_input", "{e}");

    // Wrong credentials are tested and refused; nothing is stored.
    let mut wrong = sandbox_credentials(&account);
    wrong.client_secret = Secret::new("wrong-secret");
    let e = app.err("save_credentials", json!({"creds": creds_json(&wrong)}));
    assert_eq!(e["kind"], "auth", "{e}");
    assert!(
        !e.to_string().contains("wrong-secret"),
        "errors never echo secrets: {e}"
    );
    assert!(store.load().unwrap().is_none());
    let e = app.err("test_connection", json!({"creds": creds_json(&wrong)}));
    assert_eq!(e["kind"], "auth", "{e}");

    let good = sandbox_credentials(&account);
    let tested = app.ok("test_connection", json!({"creds": creds_json(&good)}));
    assert!(tested["folderCount"].as_u64().unwrap() > 0, "{tested}");
    assert!(
        store.load().unwrap().is_none(),
        "test_connection stores nothing"
    );

    let status = app.ok("save_credentials", json!({"creds": creds_json(&good)}));
    assert_eq!(status["mode"], "account", "{status}");
    assert_eq!(status["apiUrl"], account.public_api_url());
    assert_eq!(status["hasSavedAccount"], true);
    assert!(
        !status.to_string().contains(good.client_secret.expose()),
        "no secret in status"
    );
    assert_eq!(store.load().unwrap().unwrap().client_id, good.client_id);

    // Switching needs no restart and keeps the saved account.
    let status = app.ok("use_sandbox", json!({}));
    assert_eq!(status["mode"], "sandbox");
    assert_eq!(status["apiUrl"], embedded_url);
    assert_eq!(status["hasSavedAccount"], true);
    let status = app.ok("use_account", json!({}));
    assert_eq!(status["mode"], "account");
    assert!(!app
        .ok("list_folders", json!({}))
        .as_array()
        .unwrap()
        .is_empty());

    let status = app.ok("sign_out", json!({}));
    assert_eq!(status["mode"], "sandbox");
    assert_eq!(status["hasSavedAccount"], false);
    assert!(store.load().unwrap().is_none());
}

#[test]
fn rotated_refresh_token_is_written_back_except_in_env_mode() {
    require_session_bus();
    let dir = tempfile::tempdir().unwrap();
    let account = start_sandbox(&dir.path().join("account"), true);
    let original = sandbox_credentials(&account);

    // Account mode: every rotation lands in the keychain.
    let store = test_keychain();
    let app = TestApp::new(ConnectionManager::new(
        store.clone(),
        SandboxHost::new(dir.path().join("embedded")),
        None,
    ));
    app.ok("save_credentials", json!({"creds": creds_json(&original)}));
    let after_save = store.load().unwrap().unwrap().refresh_token;
    assert_ne!(
        after_save.expose(),
        original.refresh_token.expose(),
        "the test call already rotated the token; the newest one must be stored"
    );
    account.controls().revoke_access_tokens();
    app.ok("list_folders", json!({}));
    // Written back by the keychain writer thread, shortly after the request.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while store.load().unwrap().unwrap().refresh_token.expose() == after_save.expose() {
        assert!(
            std::time::Instant::now() < deadline,
            "the rotation was not written back"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    // A new app run with what is stored still connects (the stored token is the valid one).
    let next_run = TestApp::new(ConnectionManager::new(
        store.clone(),
        SandboxHost::new(dir.path().join("embedded2")),
        None,
    ));
    assert_eq!(
        next_run.ok("connection_status", json!({}))["mode"],
        "account"
    );
    assert!(!next_run
        .ok("list_folders", json!({}))
        .as_array()
        .unwrap()
        .is_empty());
    store.delete().unwrap();

    // Env mode (its own server: the original token above is spent): rotations stay in memory.
    let env_server = start_sandbox(&dir.path().join("env-server"), true);
    let env_store = test_keychain();
    let env_app = TestApp::new(ConnectionManager::new(
        env_store.clone(),
        SandboxHost::new(dir.path().join("embedded3")),
        Some(sandbox_credentials(&env_server)),
    ));
    let first = env_app.ok("list_folders", json!({}));
    env_server.controls().revoke_access_tokens();
    assert_eq!(env_app.ok("list_folders", json!({})), first);
    assert!(
        env_store.load().unwrap().is_none(),
        "env mode never writes the keychain"
    );
}

#[test]
fn test_connection_keeps_the_rotated_token_and_save_uses_it() {
    require_session_bus();
    let dir = tempfile::tempdir().unwrap();
    let account = start_sandbox(&dir.path().join("account"), true);
    let typed = creds_json(&sandbox_credentials(&account));
    let store = test_keychain();
    let app = TestApp::new(ConnectionManager::new(
        store.clone(),
        SandboxHost::new(dir.path().join("embedded")),
        None,
    ));

    // Each test signs in once, and the server rotates the refresh token every time: the typed
    // token is spent after the first one, so the second test and the Save must use the new one.
    for _ in 0..2 {
        let tested = app.ok("test_connection", json!({"creds": typed}));
        assert!(tested["folderCount"].as_u64().unwrap() > 0, "{tested}");
    }
    assert!(store.load().unwrap().is_none(), "testing stores nothing");
    let status = app.ok("save_credentials", json!({"creds": typed}));
    assert_eq!(status["mode"], "account", "{status}");
    let stored = store.load().unwrap().expect("saved");
    assert_ne!(stored.refresh_token.expose(), typed["refreshToken"]);

    // What is stored is the live token: a new run signs in with it.
    let next_run = TestApp::new(ConnectionManager::new(
        store.clone(),
        SandboxHost::new(dir.path().join("embedded2")),
        None,
    ));
    assert!(!next_run
        .ok("list_folders", json!({}))
        .as_array()
        .unwrap()
        .is_empty());
    store.delete().unwrap();
}
