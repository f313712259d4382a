//! `bp-sandbox`: run a local BeProduct (Image master folder) for the app, the SDKs and tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "bp-sandbox",
    version,
    about = "A local BeProduct Public API server for the Image master folder"
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
    /// Minimum time before an upload reports finished.
    #[arg(long, default_value_t = 1500)]
    processing_ms: u64,
    /// Uploads larger than this finish with an error.
    #[arg(long, default_value_t = 50)]
    max_upload_mb: u64,
    /// API requests per minute before 429 (off when not given).
    #[arg(long)]
    rate_limit_per_min: Option<u32>,
    /// Share (0.0-1.0) of API requests that fail with 503 or a dropped connection.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Delay added to every API request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
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
    let config = SandboxConfig {
        listen: args.listen,
        data_dir: args.data,
        company: args.company,
        client_id: args.client_id,
        client_secret: args.client_secret,
        refresh_token: args.refresh_token,
        seed: args.seed,
        processing_ms: args.processing_ms,
        max_upload_mb: args.max_upload_mb,
        rate_limit_per_min: args.rate_limit_per_min,
        fault_rate: args.fault_rate,
        latency_ms: args.latency_ms,
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
    println!("Press Ctrl-C to stop.");
    stop_signal().await;
    println!("bp-sandbox stopping");
    sandbox.shutdown().await;
    std::process::ExitCode::SUCCESS
}
