//! Redirects are never followed for the token endpoint or the API: the other host receives
//! nothing at all (no request, so no secret), and the error names it.

use crate::raw::{RawServer, Request, FOLDER_ID, TOKEN_PATH};
use crate::{assert_no_secret, policy};
use beproduct::{Client, Config, ErrorKind, FieldUpdate};

/// A server that would accept anything; it must never see a connection.
async fn elsewhere() -> RawServer {
    RawServer::start(|mut req: Request| async move {
        req.read_body().await;
        req.respond_json(200, crate::raw::token_json()).await;
    })
    .await
}

#[tokio::test]
async fn a_token_endpoint_redirecting_elsewhere_sends_nothing_there() {
    let other = elsewhere().await;
    for status in [301u16, 302, 303, 307, 308] {
        let target = format!("{}{TOKEN_PATH}", other.base);
        let server = RawServer::start(move |mut req: Request| {
            let target = target.clone();
            async move {
                req.read_body().await;
                req.respond(status, &[("Location", &target)], b"").await;
            }
        })
        .await;
        let err = server
            .client(policy(5000, 5000))
            .folders()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.kind(), ErrorKind::Auth, "{status}: {text}");
        assert!(
            text.contains(&format!("127.0.0.1:{}", other.port)),
            "the other host is named: {text}"
        );
        assert!(text.contains("does not follow redirects"), "{text}");
        assert_no_secret(&text);
        assert_eq!(server.seen(TOKEN_PATH), 1);
    }
    assert_eq!(
        other.connections(),
        0,
        "the redirect target got a connection"
    );
}

#[tokio::test]
async fn api_redirects_are_errors_naming_the_other_host_and_reach_nothing() {
    let other = elsewhere().await;
    let target = format!("{}/api/acme/Image/Folders", other.base);
    let server = RawServer::api(move |mut req: Request| {
        let target = target.clone();
        async move {
            req.read_body().await;
            req.respond(307, &[("Location", &target)], b"").await;
        }
    })
    .await;
    let client = server.client(policy(5000, 5000));

    let err = client.folders().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    assert_eq!(err.status(), Some(307));
    let text = err.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{}", other.port)),
        "{text}"
    );
    assert!(text.contains("does not follow redirects"), "{text}");

    // A create answered with a redirect may have been carried out (post, then redirect to the
    // result), so it is reported as outcome unknown; still nothing is sent on.
    let err = client
        .create_image(FOLDER_ID, &[FieldUpdate::new("header_name", "n")], false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(
        err.to_string().contains("does not follow redirects"),
        "{err}"
    );
    assert_eq!(server.seen("/Header/Create"), 1);
    assert_eq!(other.connections(), 0);
}

#[test]
fn plain_http_is_refused_for_a_real_account_before_any_request() {
    let base = Config::new("Acme", "id", "secret", "refresh");
    for (api, token) in [
        ("http://developers.beproduct.com", "https://id.winks.io/t"),
        ("https://developers.beproduct.com", "http://id.winks.io/t"),
        ("http://10.0.0.5:8080", "https://id.winks.io/t"),
        ("http://localhost.example.com", "https://id.winks.io/t"),
        ("http://127.0.0.1.nip.io", "https://id.winks.io/t"),
    ] {
        let err = Client::new(base.clone().with_api_url(api).with_token_url(token)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{api} {token}: {err}");
        let text = err.to_string();
        assert!(text.contains("https://"), "{text}");
        assert!(text.contains("http://") && text.contains("local"), "{text}");
    }
    for local in [
        "http://127.0.0.1:8765",
        "http://127.9.9.9",
        "http://localhost:8765",
        "http://LOCALHOST",
        "http://[::1]:8765",
    ] {
        let config = base
            .clone()
            .with_api_url(local)
            .with_token_url(format!("{local}/ids/connect/token"));
        assert!(Client::new(config).is_ok(), "{local} is a local sandbox");
    }
}
