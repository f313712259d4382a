//! A locked keychain gives a clear "unlock it" message, never a silent fallback. This binary
//! holds one test because it locks the session's default collection (common::keyring_lock
//! unlocks it again, also when an assertion fails).

mod common;

use beproduct_images_lib::credentials::KeychainStore;
use common::keyring_lock::{bounded, DefaultCollection, UnlockOnDrop};
use common::{require_session_bus, sandbox_credentials, start_sandbox, test_keychain};

#[test]
fn locked_keychain_says_to_unlock_it() {
    require_session_bus();
    let collection = DefaultCollection::open();
    assert!(
        !collection.is_locked(),
        "the test keyring must start unlocked"
    );
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), false);
    let creds = sandbox_credentials(&sandbox);

    let saved_before: KeychainStore = test_keychain();
    saved_before.save(&creds).unwrap();

    collection.lock();
    let guard = UnlockOnDrop(&collection);

    let new_store = test_keychain();
    let creds2 = creds.clone();
    let err = bounded("save", move || new_store.save(&creds2))
        .expect_err("a locked keychain refuses to store");
    let value = serde_json::to_value(&err).unwrap();
    assert_eq!(value["kind"], "keychain", "{value}");
    let message = value["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("locked") && message.contains("Unlock"),
        "{message}"
    );

    let reader = saved_before.clone();
    match bounded("load", move || reader.load()) {
        Err(e) => {
            assert_eq!(e.kind(), "keychain");
            assert_eq!(
                e.to_string(),
                message,
                "reading a locked entry explains it the same way"
            );
        }
        Ok(found) => panic!(
            "a locked entry must not be readable, got Some={}",
            found.is_some()
        ),
    }

    drop(guard);
    assert!(!collection.is_locked(), "unlocked again for the next tests");
    assert!(
        saved_before.load().unwrap().is_some(),
        "the entry is intact after unlocking"
    );
    saved_before.delete().unwrap();
}
