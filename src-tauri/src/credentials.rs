//! The app's side of `beproduct::Credentials`: the checks the Connect dialog's fields get, the
//! environment override (read once, then removed from the process), and the OS keychain store.
//! `Credentials` has no `Serialize`: it can never be sent back to the UI by mistake.

use serde::Serialize;

use crate::error::{AppError, AppResult};

/// The keychain service name; also the app identifier.
pub const KEYCHAIN_SERVICE: &str = "com.beproduct.images";
/// One keychain entry holds all the fields as a JSON blob, so a save is all-or-nothing.
const KEYCHAIN_ACCOUNT: &str = "beproduct-account";

/// Every variable with this prefix is removed from the environment at start.
pub const ENV_PREFIX: &str = "BEPRODUCT_";

pub use beproduct::env::{
    ENV_API_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_COMPANY_DOMAIN, ENV_REFRESH_TOKEN,
    ENV_TOKEN_URL,
};

pub use beproduct::Credentials;

/// Refuses empty fields and URLs that are not http(s), naming the field to fix.
pub fn validate(creds: &Credentials) -> AppResult<()> {
    let required = [
        ("Company domain", creds.company_domain.as_str()),
        ("Client ID", creds.client_id.as_str()),
        ("Client secret", creds.client_secret.expose()),
        ("Refresh token", creds.refresh_token.expose()),
    ];
    for (name, value) in required {
        if value.is_empty() {
            return Err(AppError::invalid_input(format!(
                "{name} is empty; fill it in and try again."
            )));
        }
    }
    if creds.company_domain.contains(['/', '?', '#', ' ']) {
        return Err(AppError::invalid_input(
            "Company domain must be the tenant name only (e.g. SampleCompany), not a URL.",
        ));
    }
    for (name, url) in [("API URL", &creds.api_url), ("Token URL", &creds.token_url)] {
        if let Some(url) = url {
            // The client's own rule (https, or http on loopback only), refused before any
            // request or keychain write.
            beproduct::parse_service_url(name, url).map_err(|e| match e {
                beproduct::Error::InvalidInput(message) => {
                    AppError::invalid_input(format!("{message}; leave it empty for the default."))
                }
                other => AppError::invalid_input(other.to_string()),
            })?;
        }
    }
    Ok(())
}

/// Reads the `BEPRODUCT_*` override once and removes every `BEPRODUCT_*` variable from the
/// process environment, so no thread, window or child process (WebKit's included) ever sees
/// the secret. Must run first thing in `main`, before any other thread exists.
pub fn take_from_env() -> AppResult<Option<Credentials>> {
    let mut vars = std::collections::HashMap::new();
    for (name, value) in std::env::vars_os() {
        if !name.to_string_lossy().starts_with(ENV_PREFIX) {
            continue;
        }
        std::env::remove_var(&name);
        if let Some(name) = name.to_str() {
            vars.insert(name.to_owned(), value.to_string_lossy().into_owned());
        }
    }
    from_env(|name| vars.get(name).cloned())
}

/// Reads the `BEPRODUCT_*` override. None when none of the four required variables is set;
/// an error naming the missing ones when only some are.
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> AppResult<Option<Credentials>> {
    use beproduct::env::{read_env, EnvRead};
    let creds = match read_env(get) {
        EnvRead::Unset => return Ok(None),
        EnvRead::Incomplete { missing } => {
            return Err(AppError::invalid_input(format!(
                "Environment override is incomplete: set {} as well, or unset all BEPRODUCT_* variables.",
                missing.join(", ")
            )))
        }
        EnvRead::Complete(creds) => creds,
    };
    validate(&creds)?;
    Ok(Some(creds))
}

/// Whether the keychain can be used, for `connection_status`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeychainAvailability {
    pub available: bool,
    pub message: Option<String>,
}

/// Credentials in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows). There is deliberately no plaintext fallback.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
    account: String,
}

impl Default for KeychainStore {
    fn default() -> Self {
        KeychainStore::new(KEYCHAIN_SERVICE)
    }
}

impl KeychainStore {
    /// A store under another service name (tests use their own, never the user's entry).
    pub fn new(service: impl Into<String>) -> Self {
        KeychainStore {
            service: service.into(),
            account: KEYCHAIN_ACCOUNT.to_owned(),
        }
    }

    fn entry(&self) -> AppResult<keyring::Entry> {
        keyring::Entry::new(&self.service, &self.account).map_err(|e| keychain_error("open", e))
    }

    /// The saved credentials; None when nothing is saved.
    pub fn load(&self) -> AppResult<Option<Credentials>> {
        match self.entry()?.get_password() {
            Ok(json) => {
                let creds: Credentials = serde_json::from_str(&json).map_err(|_| AppError::Keychain {
                    message: "The saved BeProduct account in the keychain is unreadable. Sign out and connect again."
                        .into(),
                    detail: None,
                })?;
                Ok(Some(creds))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error("read", e)),
        }
    }

    pub fn save(&self, creds: &Credentials) -> AppResult<()> {
        self.entry()?
            .set_password(&creds.to_json())
            .map_err(|e| keychain_error("save", e))
    }

    /// Removes the saved credentials; nothing saved is not an error.
    pub fn delete(&self) -> AppResult<()> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error("delete", e)),
        }
    }

    /// Reads the entry once to see whether the keychain answers at all.
    pub fn availability(&self) -> (KeychainAvailability, Option<Credentials>) {
        match self.load() {
            Ok(creds) => (
                KeychainAvailability {
                    available: true,
                    message: None,
                },
                creds,
            ),
            Err(e) => (
                KeychainAvailability {
                    available: false,
                    message: Some(e.to_string()),
                },
                None,
            ),
        }
    }
}

const FIX_NO_DBUS: &str = "The system keychain cannot be reached: there is no D-Bus session. \
Run the app from a desktop session (GNOME, KDE, ...) so it can store your BeProduct credentials securely, \
or set the BEPRODUCT_* environment variables for this run.";
const FIX_NO_PROVIDER: &str =
    "No system keychain is installed or running (nothing provides the Secret Service). \
Install and start GNOME Keyring or KWallet, then try again.";
const FIX_LOCKED: &str =
    "The system keychain is locked. Unlock it (e.g. log in to GNOME Keyring / \
Passwords and Keys) and try again.";

/// Turns a keyring error into a message that says what is wrong and how to fix it.
/// `BadEncoding` carries the stored bytes, so its content is never shown.
pub fn keychain_error(action: &str, e: keyring::Error) -> AppError {
    let (message, detail) = match &e {
        keyring::Error::NoStorageAccess(inner) => (FIX_LOCKED.to_owned(), Some(inner.to_string())),
        keyring::Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            (platform_failure_message(action, &text), Some(text))
        }
        keyring::Error::BadEncoding(_) => (
            "The saved BeProduct account in the keychain is unreadable. Sign out and connect again.".to_owned(),
            None,
        ),
        keyring::Error::Ambiguous(_) => (
            format!(
                "The keychain holds more than one BeProduct Images entry. Delete the '{KEYCHAIN_SERVICE}' \
                 entries in your keychain app, then connect again."
            ),
            None,
        ),
        other => (
            format!("Could not {action} the BeProduct account in the system keychain: {other}."),
            None,
        ),
    };
    AppError::Keychain { message, detail }
}

fn platform_failure_message(action: &str, text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.contains("locked") {
        FIX_LOCKED.to_owned()
    } else if lower.contains("org.freedesktop.secrets") || lower.contains("serviceunknown") {
        FIX_NO_PROVIDER.to_owned()
    } else if lower.contains("d-bus") || lower.contains("dbus") || lower.contains("no such file") {
        FIX_NO_DBUS.to_owned()
    } else {
        format!("Could not {action} the BeProduct account in the system keychain. Check that your keychain app works, then try again.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use beproduct::Secret;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn env_override_is_all_or_nothing() {
        assert!(from_env(env(&[])).unwrap().is_none());
        let err =
            from_env(env(&[(ENV_COMPANY_DOMAIN, "Acme"), (ENV_CLIENT_ID, "id")])).unwrap_err();
        assert_eq!(err.kind(), "invalid_input");
        assert!(err.to_string().contains(ENV_CLIENT_SECRET), "{err}");
        assert!(err.to_string().contains(ENV_REFRESH_TOKEN), "{err}");
        let creds = from_env(env(&[
            (ENV_COMPANY_DOMAIN, "Acme"),
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "s3cr3t"),
            (ENV_REFRESH_TOKEN, "rt-value"),
            (ENV_API_URL, "http://127.0.0.1:9/"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(creds.company_domain, "Acme");
        assert_eq!(creds.effective_api_url(), "http://127.0.0.1:9");
        assert_eq!(creds.token_url, None);
    }

    #[test]
    fn keychain_errors_never_show_secrets() {
        let bad = keychain_error(
            "read",
            keyring::Error::BadEncoding(b"s3cr3t-value".to_vec()),
        );
        assert!(!serde_json::to_string(&bad).unwrap().contains("s3cr3t"));
    }

    #[test]
    fn validation_names_the_field() {
        let mut creds: Credentials = serde_json::from_value(serde_json::json!({
            "companyDomain": "Acme", "clientId": "id", "clientSecret": "", "refreshToken": "rt"
        }))
        .unwrap();
        assert!(validate(&creds)
            .unwrap_err()
            .to_string()
            .contains("Client secret"));
        creds.client_secret = Secret::new("x");
        creds.api_url = Some("ftp://x".into());
        assert!(validate(&creds)
            .unwrap_err()
            .to_string()
            .contains("API URL"));
        creds.api_url = None;
        creds.company_domain = "https://acme.beproduct.com".into();
        assert!(validate(&creds)
            .unwrap_err()
            .to_string()
            .contains("tenant name"));
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let mut creds: Credentials = serde_json::from_value(serde_json::json!({
            "companyDomain": "Acme", "clientId": "id", "clientSecret": "s", "refreshToken": "rt"
        }))
        .unwrap();
        for (field, url) in [
            ("api", "http://api.example.com/"),
            ("token", "http://10.0.0.5/token"),
        ] {
            creds.api_url = (field == "api").then(|| url.to_owned());
            creds.token_url = (field == "token").then(|| url.to_owned());
            let message = validate(&creds).unwrap_err().to_string();
            assert!(message.contains("https://"), "{url}: {message}");
        }
        for url in [
            "http://127.0.0.1:9/",
            "http://[::1]:9/",
            "https://api.example.com/",
        ] {
            creds.api_url = Some(url.to_owned());
            creds.token_url = Some(url.to_owned());
            assert!(validate(&creds).is_ok(), "{url} must be accepted");
        }
    }

    #[test]
    fn platform_failures_get_actionable_messages() {
        let locked =
            platform_failure_message("save", "Cannot create an item in a locked collection");
        assert!(
            locked.contains("locked") && locked.contains("Unlock"),
            "{locked}"
        );
        let none = platform_failure_message(
            "read",
            "The name org.freedesktop.secrets was not provided by any .service files",
        );
        assert!(none.contains("GNOME Keyring or KWallet"), "{none}");
        let no_bus = platform_failure_message(
            "read",
            "D-Bus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
        );
        assert!(no_bus.contains("no D-Bus session"), "{no_bus}");
    }
}
