//! `BEPRODUCT_*` secrets are read once and leave the process environment, so no thread, window
//! or child process (WebKit's helpers) inherits them. One test in this binary: it changes the
//! process environment. tests/e2e/test_security.py checks the real app's WebKit processes.

use beproduct_images_lib::credentials::{
    self, ENV_API_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_COMPANY_DOMAIN, ENV_REFRESH_TOKEN,
};

fn beproduct_vars() -> Vec<String> {
    std::env::vars_os()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .filter(|k| k.starts_with("BEPRODUCT_"))
        .collect()
}

#[test]
fn secrets_are_read_once_and_leave_the_environment() {
    for (name, value) in [
        (ENV_COMPANY_DOMAIN, "Acme"),
        (ENV_CLIENT_ID, "env-client"),
        (ENV_CLIENT_SECRET, "env-s3cr3t-value"),
        (ENV_REFRESH_TOKEN, "env-refresh-value"),
        (ENV_API_URL, "http://127.0.0.1:9"),
        ("BEPRODUCT_SOMETHING_ELSE", "x"),
    ] {
        std::env::set_var(name, value);
    }
    let creds = credentials::take_from_env()
        .expect("complete")
        .expect("set");
    assert_eq!(creds.company_domain, "Acme");
    assert_eq!(creds.client_secret.expose(), "env-s3cr3t-value");
    assert_eq!(creds.refresh_token.expose(), "env-refresh-value");
    assert_eq!(creds.effective_api_url(), "http://127.0.0.1:9");
    assert_eq!(beproduct_vars(), Vec::<String>::new());

    // A child process started now inherits none of it.
    let child = std::process::Command::new("env").output().expect("run env");
    let child_env = String::from_utf8_lossy(&child.stdout);
    assert!(!child_env.contains("BEPRODUCT_"), "{child_env}");
    assert!(!child_env.contains("env-s3cr3t-value"));

    // Read once: a second read finds nothing.
    assert!(credentials::take_from_env().unwrap().is_none());

    // An incomplete set is refused (naming what is missing) and removed all the same.
    std::env::set_var(ENV_CLIENT_SECRET, "half-s3cr3t");
    let err = credentials::take_from_env().unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    assert!(err.to_string().contains(ENV_COMPANY_DOMAIN), "{err}");
    assert!(!err.to_string().contains("half-s3cr3t"), "{err}");
    assert_eq!(beproduct_vars(), Vec::<String>::new());
}
