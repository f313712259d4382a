//! Routing, the accept loop (hyper, so a connection can be dropped on purpose) and `Sandbox`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::{Request, Uri};
use axum::routing::{any, delete, get, post};
use axum::{middleware, Json, Router};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::app::AppState;
use crate::config::SandboxConfig;
use crate::controls::Controls;
use crate::error::SandboxError;
use crate::faults::{self, DropConnection, Ops};
use crate::host_check::{self, AllowedHosts};
use crate::processing::{Processor, Timing};
use crate::signing::MediaSigner;
use crate::sources::Sources;
use crate::store::Store;
use crate::throttle::Link;
use crate::upload::UploadLimits;
use crate::{
    api, auth, comments, control_routes, json_errors, media, people_api, seed, tags, upload,
};

fn router(state: Arc<AppState>, hosts: AllowedHosts) -> Router {
    // Paths are matched in lower case (see `lowercase_api_path`).
    let c = "/api/{company}";
    let mut router = Router::new();
    if state.config.test_controls {
        router = router.merge(control_routes::routes());
    }
    router
        .route(
            "/",
            get(|| async { Json(json!({"service": "bp-sandbox", "ready": true})) }),
        )
        .route(auth::TOKEN_PATH, post(auth::token))
        .route(&format!("{c}/image/folders"), get(api::folders))
        .route(&format!("{c}/image/folderschema"), get(api::folder_schema))
        .route(
            &format!("{c}/image/foldersearchschema"),
            get(api::folder_search_schema),
        )
        .route(&format!("{c}/image/headers"), post(api::search))
        .route(&format!("{c}/image/header/create"), post(api::create))
        .route(&format!("{c}/image/header/delete/{{id}}"), get(api::delete))
        .route(&format!("{c}/image/header/{{id}}"), get(api::get_header))
        .route(
            &format!("{c}/image/header/{{id}}/update"),
            post(api::update),
        )
        .route(
            &format!("{c}/image/header/{{id}}/image/upload"),
            post(upload::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            &format!("{c}/style/getimageprocessingstatus/{{id}}"),
            get(api::status_by_path),
        )
        .route(
            &format!("{c}/image/getimageprocessingstatus/{{id}}"),
            get(api::status_by_path),
        )
        .route(
            &format!("{c}/image/getimageprocessingstatus"),
            get(api::status_by_query),
        )
        .route(&format!("{c}/users/list"), get(people_api::users))
        .route(
            &format!("{c}/directory/companies"),
            get(people_api::companies),
        )
        .route(&format!("{c}/tag/image/list"), get(tags::list))
        .route(&format!("{c}/tag/image/create"), post(tags::create))
        .route(&format!("{c}/tag/header/{{id}}"), get(tags::of_image))
        .route(&format!("{c}/tag/header/{{id}}/add"), post(tags::add))
        .route(&format!("{c}/tag/header/{{id}}/remove"), post(tags::remove))
        // "Heeader" is the SDKs' spelling; the correct one answers too.
        .route(&format!("{c}/comment/heeader/{{id}}"), get(comments::list))
        .route(&format!("{c}/comment/header/{{id}}"), get(comments::list))
        .route(
            &format!("{c}/comment/header/{{id}}/create"),
            post(comments::create),
        )
        .route(
            &format!("{c}/comment/header/{{id}}/edit"),
            post(comments::edit),
        )
        .route(
            &format!("{c}/comment/header/{{id}}/delete"),
            delete(comments::delete),
        )
        .route(&format!("{c}/{{*rest}}"), any(api::unknown_endpoint))
        .route(
            "/media/storage/{company}/{file}/{version}/{name}",
            get(media::origin),
        )
        .route(
            "/media/preview/{company}/{file}/{version}/{index}/{name}",
            get(media::preview),
        )
        .layer(middleware::from_fn(json_errors::rewrap))
        .layer(middleware::from_fn_with_state(state.clone(), faults::gate))
        .layer(middleware::from_fn_with_state(
            Arc::new(hosts),
            host_check::require_own_host,
        ))
        .with_state(state)
}

/// BeProduct routes are case-insensitive; lower-casing API paths lets the router match them.
fn lowercase_api_path<B>(req: &mut Request<B>) {
    let path = req.uri().path();
    let lower = path.to_ascii_lowercase();
    if lower == path || !(lower.starts_with("/api/") || lower.starts_with("/ids/")) {
        return;
    }
    let new = match req.uri().query() {
        Some(q) => format!("{lower}?{q}"),
        None => lower,
    };
    // Only the path changes: an absolute target keeps its authority for the Host check.
    let mut parts = req.uri().clone().into_parts();
    parts.path_and_query = new.parse().ok();
    if let Ok(uri) = Uri::from_parts(parts) {
        *req.uri_mut() = uri;
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DroppedOnPurpose;

impl std::fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by sandbox fault injection")
    }
}

impl std::error::Error for DroppedOnPurpose {}

async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, remote) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let app = app.clone();
                let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                    let app = app.clone();
                    async move {
                        req.extensions_mut().insert(ConnectInfo(remote));
                        lowercase_api_path(&mut req);
                        let resp = app.oneshot(req).await.unwrap_or_else(|never| match never {});
                        if resp.extensions().get::<DropConnection>().is_some() {
                            return Err(DroppedOnPurpose);
                        }
                        Ok(resp)
                    }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("connection ended: {e}");
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(3)) => {}
    }
}

/// A running sandbox. Dropping it (or [`Sandbox::shutdown`]) stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Opens (and on first use seeds) the data folder, binds `config.listen` and starts serving.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|e| SandboxError::DataDir {
            path: data_dir.display().to_string(),
            message: e.to_string(),
        })?;
        let seed_kind = config.seed;
        let credentials = config.clone();
        let store = tokio::task::spawn_blocking(move || -> Result<Store, SandboxError> {
            let store = Store::open(&data_dir)?;
            store.call_sync(|c| seed::seed_if_empty(c, &data_dir, seed_kind))?;
            store.call_sync(|c| auth::init_refresh_tokens(c, &credentials))?;
            Ok(store)
        })
        .await
        .map_err(|e| SandboxError::Internal(format!("start-up task failed: {e}")))??;

        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| SandboxError::Bind {
                addr: config.listen.to_string(),
                message: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| SandboxError::Bind {
            addr: config.listen.to_string(),
            message: e.to_string(),
        })?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let base_url = format!("http://{host}:{}", addr.port());

        let processor = Processor::new(
            store.clone(),
            Timing::new(config.processing_ms, config.processing_jitter_ms),
            config.rewrite_file_names,
        );
        let ops = Ops::new(
            config.fault_rate,
            config.rate_limit_per_min,
            config.latency_ms,
        );
        ops.set_random_kinds(config.fault_kinds.clone());
        for rule in &config.fault_rules {
            ops.fail_next(rule.clone());
        }
        let state = Arc::new(AppState {
            base_url,
            store,
            processor,
            ops,
            uplink: Link::new(config.upload_kbps),
            signer: MediaSigner::new(config.signed_url_ttl_secs.map(Duration::from_secs)),
            limits: UploadLimits::new(config.max_upload_mb, config.oversize),
            sources: Sources::default(),
            config,
        });
        state.processor.resume_pending().await?;

        let (stop, stop_rx) = watch::channel(false);
        let app = router(state.clone(), AllowedHosts::for_addr(addr));
        let server = tokio::spawn(serve(listener, app, stop_rx));
        Ok(Sandbox {
            addr,
            state,
            stop,
            server: Some(server),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`; clients append `/api/{company}/`.
    pub fn public_api_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// `http://127.0.0.1:PORT/ids/connect/token`.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.state.base_url, auth::TOKEN_PATH)
    }

    pub fn company(&self) -> &str {
        &self.state.config.company
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.state.config
    }

    pub fn controls(&self) -> Controls {
        Controls::new(self.state.clone())
    }

    /// Stops accepting, lets open requests finish (up to 3 s) and stops background processing.
    pub async fn shutdown(mut self) {
        self.state.processor.close();
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.state.processor.close();
        let _ = self.stop.send(true);
    }
}
