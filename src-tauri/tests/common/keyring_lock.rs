//! Locking and unlocking the session's default keyring collection over D-Bus, for the tests
//! that need a locked keychain (each in a binary of its own, since the lock is session-wide).
//! Unlocking uses GNOME Keyring's master-password call with the password
//! scripts/with-test-session.sh unlocked it with (`BP_TEST_KEYRING_PASSWORD`, default
//! "test-session"), so later test binaries find it unlocked.

use std::sync::mpsc;
use std::time::Duration;

use dbus::arg::Variant;
use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;
use dbus::blocking::Connection;
use dbus::Path;

const SECRETS: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";
const TIMEOUT: Duration = Duration::from_secs(20);

pub struct DefaultCollection {
    conn: Connection,
    path: Path<'static>,
}

impl DefaultCollection {
    pub fn open() -> Self {
        let conn = Connection::new_session().expect("connect to the session bus");
        let (path,): (Path<'static>,) = conn
            .with_proxy(SECRETS, SERVICE_PATH, TIMEOUT)
            .method_call(SERVICE_IFACE, "ReadAlias", ("default",))
            .expect("the Secret Service answers ReadAlias(default)");
        assert_ne!(&*path, "/", "the keyring has no default collection");
        DefaultCollection { conn, path }
    }

    pub fn is_locked(&self) -> bool {
        self.conn
            .with_proxy(SECRETS, self.path.clone(), TIMEOUT)
            .get("org.freedesktop.Secret.Collection", "Locked")
            .expect("read the collection's Locked property")
    }

    pub fn lock(&self) {
        let (_locked, _prompt): (Vec<Path<'static>>, Path<'static>) = self
            .conn
            .with_proxy(SECRETS, SERVICE_PATH, TIMEOUT)
            .method_call(SERVICE_IFACE, "Lock", (vec![self.path.clone()],))
            .expect("lock the default collection");
        assert!(self.is_locked(), "the collection did not lock");
    }

    /// Unlocks without a prompt (no display here), as the PAM module does at login.
    pub fn unlock(&self) {
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
pub struct UnlockOnDrop<'a>(pub &'a DefaultCollection);

impl Drop for UnlockOnDrop<'_> {
    fn drop(&mut self) {
        if self.0.is_locked() {
            self.0.unlock();
        }
    }
}

/// Keychain calls on a locked collection may try to prompt; bound them so a hang fails.
pub fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{what} did not return within 30 s on a locked keychain"))
}
