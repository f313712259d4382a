//! A rotated refresh token the keychain refuses (here: locked) is shown to the user as a
//! warning that says what to do, requests go on meanwhile, and the next rotation after the
//! keychain is unlocked is saved. One test in this binary: it locks the session's keyring.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use beproduct_images_lib::connection::{ConnectionManager, Warning};
use beproduct_images_lib::sandbox_host::SandboxHost;
use common::keyring_lock::{DefaultCollection, UnlockOnDrop};
use common::{
    creds_json, require_session_bus, sandbox_credentials, start_sandbox, test_keychain, TestApp,
};
use serde_json::json;

fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_rotated_token_the_keychain_refuses_is_shown_to_the_user() {
    require_session_bus();
    let collection = DefaultCollection::open();
    assert!(
        !collection.is_locked(),
        "the test keyring must start unlocked"
    );
    let dir = tempfile::tempdir().unwrap();
    let account = start_sandbox(&dir.path().join("account"), true);
    let store = test_keychain();
    let manager = ConnectionManager::new(
        store.clone(),
        SandboxHost::new(dir.path().join("embedded")),
        None,
    );
    let warnings: Arc<Mutex<Vec<Warning>>> = Arc::default();
    let sink = warnings.clone();
    manager.on_warning(move |w| sink.lock().unwrap().push(w));
    let app = TestApp::new(manager);
    let original = sandbox_credentials(&account);
    app.ok("save_credentials", json!({"creds": creds_json(&original)}));
    let saved = store.load().unwrap().unwrap().refresh_token;

    collection.lock();
    let guard = UnlockOnDrop(&collection);
    // A refresh rotates the token; the request does not wait for the keychain.
    account.controls().revoke_access_tokens();
    assert!(!app
        .ok("list_folders", json!({}))
        .as_array()
        .unwrap()
        .is_empty());
    wait_until("the keychain warning", || {
        !warnings.lock().unwrap().is_empty()
    });
    let warning = warnings.lock().unwrap()[0].clone();
    assert_eq!(warning.kind, "keychain");
    let message = &warning.message;
    assert!(
        message.contains("could not be saved") && message.contains("Unlock"),
        "says what is wrong and what to do: {message}"
    );
    assert!(
        !message.contains("sbx_rt_") && !message.contains(original.refresh_token.expose()),
        "no token in the warning: {message}"
    );

    drop(guard);
    assert!(!collection.is_locked());
    // Unlocked: the next rotation is written.
    account.controls().revoke_access_tokens();
    app.ok("list_folders", json!({}));
    wait_until("a newer refresh token in the keychain", || {
        store
            .load()
            .ok()
            .flatten()
            .is_some_and(|c| c.refresh_token.expose() != saved.expose())
    });
    store.delete().unwrap();
}
