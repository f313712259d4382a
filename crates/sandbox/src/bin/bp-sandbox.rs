//! `bp-sandbox`: run a local BeProduct (Image master folder) for the app, the SDKs and tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use beproduct_sandbox::{FaultKind, FaultRule, Oversize, Sandbox, SandboxConfig, Seed};
use clap::Parser;

/// Longest signed-URL lifetime accepted: ten years.
const MAX_SIGNED_URL_TTL_SECS: u64 = 10 * 365 * 24 * 3600;

#[derive(Parser, Debug)]
#[command(
    name = "bp-sandbox",
    version,
    about = "A local BeProduct Public API server for the Image master folder",
    after_help = "Requests must address the sandbox by its loopback name and port \
                  (127.0.0.1:PORT, localhost:PORT or [::1]:PORT); others get 421. \
                  The test controls under /__sandbox/ exist only with --test-controls."
)]
struct Args {
    /// Address to listen on; use port 0 for any free port.
    #[arg(long, default_value = "127.0.0.1:8765")]
    listen: SocketAddr,
    /// Folder for the database and files (created if missing).
    #[arg(long, default_value = "./sandbox-data")]
    data: PathBuf,
    /// Company domain: the API lives under /api/{company}/.
    #[arg(long, default_value = "sandbox")]
    company: String,
    #[arg(long, default_value = "sandbox-client")]
    client_id: String,
    #[arg(long, default_value = "sandbox-secret")]
    client_secret: String,
    #[arg(long, default_value = "sandbox-refresh-token")]
    refresh_token: String,
    /// What an empty data folder starts with: demo (folders + ~40 images) or empty (folders only).
    #[arg(long, default_value = "demo")]
    seed: Seed,
    /// Minimum time before an upload reports finished (minutes work: status polls stay cheap).
    #[arg(long, default_value_t = 1500)]
    processing_ms: u64,
    /// Up to this much extra processing time per upload (fixed per upload).
    #[arg(long, default_value_t = 0)]
    processing_jitter_ms: u64,
    /// Size limit of an uploaded file.
    #[arg(long, default_value_t = 50)]
    max_upload_mb: u64,
    /// What an upload over --max-upload-mb gets: 413 (answered as soon as the limit is passed,
    /// the rest of the body unread), reset (connection closed mid-body) or fail-processing
    /// (accepted, then processing fails).
    #[arg(
        long,
        default_value = "fail-processing",
        value_name = "413|reset|fail-processing"
    )]
    oversize: Oversize,
    /// Take request bodies no faster than this many kilobits per second, shared by all
    /// connections like one slow uplink (2000 = 2 Mbit/s). Unlimited when not given.
    #[arg(long, value_name = "KBPS")]
    upload_kbps: Option<u32>,
    /// Sign media URLs (?st=&se=&sig=, different on every answer); /media refuses others with 403.
    #[arg(long)]
    signed_urls: bool,
    /// How long a signed media URL stays valid.
    #[arg(long, default_value_t = 3600)]
    signed_url_ttl_secs: u64,
    /// Store uploaded files under rewritten names, as the real service does (----.png, ---- -1-.png).
    #[arg(long)]
    rewrite_file_names: bool,
    /// Inject a fault into the next N requests whose URL contains PATH (repeatable). KIND is
    /// Status503, Status429[=RETRY_AFTER_SECS], DropBeforeHandling, DropAfterHandling or
    /// StatusAfterHandling[=5xx] (carried out, then answered 500 or the given 5xx); N may be
    /// `every`. Example: --fail-next every:StatusAfterHandling=500:header/create
    #[arg(long, value_name = "N:KIND:PATH")]
    fail_next: Vec<FaultRule>,
    /// Serve the test controls under /__sandbox/ (no auth; for test harnesses only).
    #[arg(long)]
    test_controls: bool,
    /// API requests per minute before 429 (off when not given).
    #[arg(long)]
    rate_limit_per_min: Option<u32>,
    /// Share (0.0-1.0) of API requests that fail with 503 or a dropped connection.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// What --fault-rate faults are, picked uniformly (same KINDs as --fail-next), e.g.
    /// DropAfterHandling,StatusAfterHandling=500. Default: Status503,DropBeforeHandling,DropAfterHandling.
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    fault_kinds: Vec<FaultKind>,
    /// Delay added to every API request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Hand out a new refresh token with every refresh and retire the old one, as some
    /// identity servers do (the app must keep the newest one).
    #[arg(long)]
    rotate_refresh_tokens: bool,
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if !(0.0..=1.0).contains(&args.fault_rate) {
        eprintln!("bp-sandbox: --fault-rate must be between 0.0 and 1.0");
        return std::process::ExitCode::from(2);
    }
    if !(1..=MAX_SIGNED_URL_TTL_SECS).contains(&args.signed_url_ttl_secs) {
        eprintln!("bp-sandbox: --signed-url-ttl-secs must be between 1 and {MAX_SIGNED_URL_TTL_SECS} (ten years)");
        return std::process::ExitCode::from(2);
    }
    let config = SandboxConfig {
        listen: args.listen,
        data_dir: args.data,
        company: args.company,
        client_id: args.client_id,
        client_secret: args.client_secret,
        refresh_token: args.refresh_token,
        seed: args.seed,
        processing_ms: args.processing_ms,
        processing_jitter_ms: args.processing_jitter_ms,
        max_upload_mb: args.max_upload_mb,
        oversize: args.oversize,
        rate_limit_per_min: args.rate_limit_per_min,
        fault_rate: args.fault_rate,
        fault_kinds: args.fault_kinds,
        fault_rules: args.fail_next,
        latency_ms: args.latency_ms,
        upload_kbps: args.upload_kbps,
        signed_url_ttl_secs: args.signed_urls.then_some(args.signed_url_ttl_secs),
        rewrite_file_names: args.rewrite_file_names,
        test_controls: args.test_controls,
        rotate_refresh_tokens: args.rotate_refresh_tokens,
        ..SandboxConfig::default()
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bp-sandbox: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let cfg = sandbox.config();
    let base = sandbox.public_api_url();
    // The first line is parsed by scripts to learn the port; keep its format.
    println!("bp-sandbox listening on {base}");
    println!("  company domain: {}", cfg.company);
    println!(
        "  public API URL: {base}   (endpoints under {base}/api/{}/)",
        cfg.company
    );
    println!("  token URL:      {}", sandbox.token_url());
    println!("  client id:      {}", cfg.client_id);
    println!("  client secret:  {}", cfg.client_secret);
    println!("  refresh token:  {}", cfg.refresh_token);
    println!("  data folder:    {}", cfg.data_dir.display());
    if cfg.test_controls {
        println!("  test controls:  {base}/__sandbox/ (anyone on this machine can use them)");
    }
    println!("Press Ctrl-C to stop.");
    stop_signal().await;
    println!("bp-sandbox stopping");
    sandbox.shutdown().await;
    std::process::ExitCode::SUCCESS
}
