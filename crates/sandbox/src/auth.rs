//! OAuth2 refresh-token grant and bearer checks.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::config::SandboxConfig;
use crate::error::SandboxError;
use crate::store;
use crate::time_fmt::now_ms;

pub const TOKEN_PATH: &str = "/ids/connect/token";

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// Makes sure the configured credentials are the ones that work (start-up). A data folder that
/// last served other credentials (e.g. the published demo ones) forgets every token issued under
/// them, so only the configured refresh token, and what it rotates into, gets access.
pub fn init_refresh_tokens(
    conn: &rusqlite::Connection,
    config: &SandboxConfig,
) -> Result<(), SandboxError> {
    let fingerprint = credentials_fingerprint(config);
    if store::meta(conn, CREDENTIALS_KEY)?.as_deref() != Some(fingerprint.as_str()) {
        store::forget_tokens(conn)?;
        store::set_meta(conn, CREDENTIALS_KEY, &fingerprint)?;
    }
    // With rotation the configured token only seeds an empty table; once rotated it stops working.
    if !config.rotate_refresh_tokens || store::refresh_token_count(conn)? == 0 {
        store::add_refresh_token(conn, &config.refresh_token)?;
    }
    Ok(())
}

const CREDENTIALS_KEY: &str = "credentials_sha256";

/// A hash, so the data folder does not hold the client secret itself.
fn credentials_fingerprint(config: &SandboxConfig) -> String {
    let mut hash = Sha256::new();
    for part in [
        &config.client_id,
        &config.client_secret,
        &config.refresh_token,
    ] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hex::encode(hash.finalize())
}

/// `POST /ids/connect/token` with a form-encoded `refresh_token` grant.
pub async fn token(
    State(app): State<Arc<AppState>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            "invalid_request",
            "send a form-encoded body (application/x-www-form-urlencoded)",
        );
    };
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let cfg = &app.config;
    if field("client_id") != cfg.client_id || field("client_secret") != cfg.client_secret {
        return oauth_error("invalid_client", "unknown client_id or wrong client_secret");
    }
    if field("grant_type") != "refresh_token" {
        return oauth_error(
            "unsupported_grant_type",
            "only grant_type=refresh_token is supported by the sandbox",
        );
    }
    let presented = field("refresh_token").to_string();
    if presented.is_empty() {
        return oauth_error("invalid_grant", "refresh_token is missing");
    }
    let rotate = cfg.rotate_refresh_tokens;
    let configured = cfg.refresh_token.clone();
    let ttl_ms = cfg.token_ttl_secs as i64 * 1000;
    let result = app
        .store
        .call(
            move |conn| -> Result<Option<(String, String)>, SandboxError> {
                let known = store::refresh_token_known(conn, &presented)?
                    || (!rotate && presented == configured);
                if !known {
                    return Ok(None);
                }
                let access = new_token("sbx_at_");
                store::insert_access_token(conn, &access, now_ms() + ttl_ms)?;
                let refresh = if rotate {
                    let next = new_token("sbx_rt_");
                    store::rotate_refresh_token(conn, &presented, &next)?;
                    next
                } else {
                    presented
                };
                Ok(Some((access, refresh)))
            },
        )
        .await;
    match result {
        Ok(Some((access, refresh))) => Json(json!({
            "access_token": access,
            "expires_in": cfg.token_ttl_secs,
            "token_type": "Bearer",
            "refresh_token": refresh,
            "scope": "openid profile email roles offline_access BeProductPublicApi",
        }))
        .into_response(),
        Ok(None) => oauth_error(
            "invalid_grant",
            "the refresh token is unknown, revoked or already rotated",
        ),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

fn unauthorized(description: &str) -> Response {
    let mut resp = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "invalid_token", "message": description})),
    )
        .into_response();
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// Company (404, empty body) then bearer (401) checks for `/api/{company}/...`.
/// Takes what it needs from the request up front so no borrow of it is held across an await.
pub fn api_credentials(req: &Request) -> (String, Option<String>) {
    let company = req.uri().path().split('/').nth(2).unwrap_or("").to_string();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string());
    (company, bearer)
}

pub async fn check_api_request(
    app: &Arc<AppState>,
    company: &str,
    bearer: Option<String>,
) -> Result<(), Response> {
    if !company.eq_ignore_ascii_case(&app.config.company) {
        return Err(StatusCode::NOT_FOUND.into_response());
    }
    let Some(token) = bearer.filter(|t| !t.is_empty()) else {
        return Err(unauthorized(
            "missing bearer token; get one from the token endpoint",
        ));
    };
    match app
        .store
        .call(move |c| store::access_token_expiry(c, &token))
        .await
    {
        Ok(Some(exp)) if exp > now_ms() => Ok(()),
        Ok(Some(_)) => Err(unauthorized("the access token has expired; refresh it")),
        Ok(None) => Err(unauthorized(
            "the access token is unknown or was revoked; refresh it",
        )),
        Err(e) => Err(crate::error::ApiError::from(e).into_response()),
    }
}
