//! The embedded sandbox: credentials generated per install (the published demo ones get no
//! token), a server key that survives its port changing between runs, and the sandbox
//! library's safe defaults (no test controls, Host check), all over real HTTP on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use beproduct::{Client, ErrorKind, Secret};
use beproduct_images_lib::connection::ConnectionManager;
use beproduct_images_lib::credentials::Credentials;
use beproduct_images_lib::sandbox_host::SandboxHost;
use beproduct_sandbox::SandboxConfig;
use common::{test_keychain, TestApp};
use serde_json::json;
use tauri::Manager;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tauri::async_runtime::block_on(f)
}

#[test]
fn demo_credentials_get_no_token_and_each_install_has_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let host = SandboxHost::new(dir.path().join("sandbox"));
    let creds = block_on(host.ensure_started()).unwrap();
    let demo = SandboxConfig::default();
    assert_ne!(creds.client_id, demo.client_id);
    assert_ne!(creds.client_secret.expose(), demo.client_secret);
    assert_ne!(creds.refresh_token.expose(), demo.refresh_token);

    // The install's own credentials work…
    let own = Client::new(creds.to_config()).unwrap();
    assert!(!block_on(own.folders()).unwrap().is_empty());
    // …the published ones, against the same server, get no token.
    let published = Credentials {
        client_id: demo.client_id.clone(),
        client_secret: Secret::new(demo.client_secret.clone()),
        refresh_token: Secret::new(demo.refresh_token.clone()),
        ..creds.clone()
    };
    let err = block_on(Client::new(published.to_config()).unwrap().folders()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    // Even the demo id and secret with this install's refresh token.
    let mixed = Credentials {
        refresh_token: creds.refresh_token.clone(),
        ..published
    };
    let err = block_on(Client::new(mixed.to_config()).unwrap().folders()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    block_on(host.shutdown());

    // A restart keeps them; another install has others.
    let again = block_on(SandboxHost::new(dir.path().join("sandbox")).ensure_started()).unwrap();
    assert_eq!(again.client_secret.expose(), creds.client_secret.expose());
    let other = block_on(SandboxHost::new(dir.path().join("other")).ensure_started()).unwrap();
    assert_ne!(other.client_secret.expose(), creds.client_secret.expose());
    assert_ne!(other.refresh_token.expose(), creds.refresh_token.expose());
}

#[test]
fn server_key_survives_a_restart_on_another_port() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        // A fresh keychain service holds no account: the app runs on its sandbox.
        let app = TestApp::new(ConnectionManager::new(
            test_keychain(),
            SandboxHost::new(dir.path().join("sandbox")),
            None,
        ));
        let status = app.ok("connection_status", json!({}));
        let manager = app.app.state::<ConnectionManager>();
        let key = block_on(manager.client()).unwrap().server_key().to_owned();
        block_on(manager.sandbox().shutdown());
        let url = status["apiUrl"].as_str().unwrap().to_owned();
        (url, status["mode"].clone(), key)
    };
    let (first_url, first_mode, first_key) = run();
    let (second_url, _, second_key) = run();
    assert_eq!(first_mode, "sandbox");
    assert_ne!(first_url, second_url, "a new port each run");
    assert_eq!(
        first_key, second_key,
        "journaled jobs find their server again"
    );
    assert!(
        !first_key.contains(&first_url),
        "the key names the data, not the port: {first_key}"
    );
}

/// One raw HTTP/1.1 request; returns the status code.
fn status_of(addr: &str, path: &str, host: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    std::str::from_utf8(&head[9..12]).unwrap().parse().unwrap()
}

#[test]
fn embedded_sandbox_has_no_test_controls_and_checks_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let host = SandboxHost::new(dir.path().join("sandbox"));
    let creds = block_on(host.ensure_started()).unwrap();
    let url = creds.api_url.clone().unwrap();
    let addr = url.trim_start_matches("http://");
    assert_eq!(
        status_of(addr, "/", addr),
        200,
        "the server answers its own Host"
    );
    for control in ["/__sandbox/count-images", "/__sandbox/requests-seen?path=x"] {
        assert_eq!(
            status_of(addr, control, addr),
            404,
            "{control} must not exist in the app's sandbox"
        );
    }
    let foreign = status_of(addr, "/", "rebound.example.com");
    assert!(
        foreign == 421 || foreign == 403,
        "a foreign Host (DNS rebinding) is refused, got {foreign}"
    );
    block_on(host.shutdown());
}
