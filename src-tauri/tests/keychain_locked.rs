//! A locked keychain gives a clear "unlock it" message, never a silent fallback. This binary
//! holds one test because it locks the session's default collection; a guard unlocks it again
//! (GNOME Keyring's master-password call, with the password scripts/with-test-session.sh unlocked it with:
//! `BP_TEST_KEYRING_PASSWORD`, default "test-session") so later test binaries find it unlocked.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use beproduct_images_lib::credentials::KeychainStore;
use common::{require_session_bus, sandbox_credentials, start_sandbox, test_keychain};
use dbus::arg::Variant;
use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;
use dbus::blocking::Connection;
use dbus::Path;

const SECRETS: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";
const TIMEOUT: Duration = Duration::from_secs(20);

struct DefaultCollection {
    conn: Connection,
    path: Path<'static>,
}

impl DefaultCollection {
    fn open() -> Self {
        let conn = Connection::new_session().expect("connect to the session bus");
        let (path,): (Path<'static>,) = conn
            .with_proxy(SECRETS, SERVICE_PATH, TIMEOUT)
            .method_call(SERVICE_IFACE, "ReadAlias", ("default",))
            .expect("the Secret Service answers ReadAlias(default)");
        assert_ne!(&*path, "/", "the keyring has no default collection");
        DefaultCollection { conn, path }
    }

    fn is_locked(&self) -> bool {
        self.conn
            .with_proxy(SECRETS, self.path.clone(), TIMEOUT)
            .get("org.freedesktop.Secret.Collection", "Locked")
            .expect("read the collection's Locked property")
    }

    fn lock(&self) {
        let (_locked, _prompt): (Vec<Path<'static>>, Path<'static>) = self
            .conn
            .with_proxy(SECRETS, SERVICE_PATH, TIMEOUT)
            .method_call(SERVICE_IFACE, "Lock", (vec![self.path.clone()],))
            .expect("lock the default collection");
        assert!(self.is_locked(), "the collection did not lock");
    }

    /// Unlocks without a prompt (no display here), as the PAM module does at login.
    fn unlock(&self) {
        let password =
            std::env::var("BP_TEST_KEYRING_PASSWORD").unwrap_or_else(|_| "test-session".into());
        let proxy = self.conn.with_proxy(SECRETS, SERVICE_PATH, TIMEOUT);
        let (_out, session): (Variant<String>, Path<'static>) = proxy
            .method_call(
                SERVICE_IFACE,
                "OpenSession",
                ("plain", Variant(String::new())),
            )
            .expect("open a plain Secret Service session");
        let secret = (
            session,
            Vec::<u8>::new(),
            password.into_bytes(),
            "text/plain".to_owned(),
        );
        let _: () = proxy
            .method_call(
                "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                "UnlockWithMasterPassword",
                (self.path.clone(), secret),
            )
            .expect("unlock with the master password (is BP_TEST_KEYRING_PASSWORD right?)");
    }
}

/// Unlocks again even when an assertion fails, so later test binaries are not affected.
struct UnlockOnDrop<'a>(&'a DefaultCollection);

impl Drop for UnlockOnDrop<'_> {
    fn drop(&mut self) {
        if self.0.is_locked() {
            self.0.unlock();
        }
    }
}

/// Keychain calls on a locked collection may try to prompt; bound them so a hang fails.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{what} did not return within 30 s on a locked keychain"))
}

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
