//! Starts one bp-sandbox child for the whole run, talks to its test hooks, stops it by PID.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{BenchError, Result};

pub const COMPANY: &str = "sandbox";
pub const CLIENT_ID: &str = "sandbox-client";
pub const CLIENT_SECRET: &str = "sandbox-secret";
pub const REFRESH_TOKEN: &str = "sandbox-refresh-token";
const READY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Sandbox {
    child: Child,
    pub base_url: String,
    http: reqwest::Client,
}

impl Sandbox {
    pub async fn start(
        bin: &Path,
        data: &Path,
        processing_ms: u64,
        max_upload_mb: u64,
    ) -> Result<Sandbox> {
        let log_path = data.with_extension("log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| BenchError::io("creating the sandbox log", &log_path, e))?;
        let mut child = Command::new(bin)
            // The test controls: `seed_images` uses them.
            .args([
                "--listen",
                "127.0.0.1:0",
                "--seed",
                "empty",
                "--test-controls",
            ])
            .arg("--data")
            .arg(data)
            .args(["--processing-ms", &processing_ms.to_string()])
            .args(["--max-upload-mb", &max_upload_mb.to_string()])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| BenchError::io("starting bp-sandbox (build it first)", bin, e))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Sandbox("no stdout".into()))?;
        let mut lines = BufReader::new(stdout);
        let mut first = String::new();
        let read = lines.read_line(&mut first);
        // Keep draining so the sandbox never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink);
        });
        let base_url = match read {
            Ok(_) => first
                .trim()
                .strip_prefix("bp-sandbox listening on ")
                .map(str::to_owned),
            Err(_) => None,
        };
        let http = reqwest::Client::new();
        let mut sandbox = Sandbox {
            child,
            base_url: String::new(),
            http,
        };
        let Some(base_url) = base_url else {
            sandbox.stop();
            return Err(BenchError::Sandbox(format!(
                "unexpected first line {first:?}; see {}",
                log_path.display()
            )));
        };
        sandbox.base_url = base_url;
        sandbox.wait_ready().await?;
        Ok(sandbox)
    }

    async fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(r) = self.http.get(&self.base_url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(BenchError::Sandbox(format!(
            "{} did not answer GET / within 30 s",
            self.base_url
        )))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn client(&self) -> Result<beproduct::Client> {
        client_for(&self.base_url)
    }

    /// `POST /__sandbox/seed-images`: `n` file-less images in one transaction.
    pub async fn seed_images(&self, folder_id: &str, n: u64) -> Result<()> {
        let body = serde_json::json!({ "folderId": folder_id, "n": n }).to_string();
        let r = self
            .http
            .post(format!("{}/__sandbox/seed-images", self.base_url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| BenchError::Sandbox(format!("seed-images: {e}")))?;
        if !r.status().is_success() {
            return Err(BenchError::Sandbox(format!(
                "seed-images answered {}",
                r.status()
            )));
        }
        Ok(())
    }

    /// `POST /__sandbox/create-folder`: a new Image folder with the first folder's schema.
    pub async fn create_folder(&self, name: &str) -> Result<String> {
        let body = serde_json::json!({ "name": name }).to_string();
        let r = self
            .http
            .post(format!("{}/__sandbox/create-folder", self.base_url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| BenchError::Sandbox(format!("create-folder: {e}")))?;
        let text = r
            .text()
            .await
            .map_err(|e| BenchError::Sandbox(format!("create-folder answer: {e}")))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| BenchError::Sandbox(format!("create-folder answered {text:?}: {e}")))?;
        json["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| BenchError::Sandbox(format!("create-folder answered {text:?}")))
    }

    /// Every image of `folder` with its `field` value as text (None when empty or absent),
    /// read with plain HTTP from the public listing (`Image/Headers`), 200 at a time.
    pub async fn field_values(&self, folder: &str, field: &str) -> Result<Vec<Option<String>>> {
        let token = self.access_token().await?;
        let mut out = Vec::new();
        for page in 0..10_000u32 {
            let r = self
                .http
                .post(format!(
                    "{}/api/{COMPANY}/Image/Headers?folderId={folder}&pageSize=200&pageNumber={page}",
                    self.base_url
                ))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(r#"{"filters":[],"colorwayFilters":null}"#)
                .send()
                .await
                .map_err(|e| BenchError::Sandbox(format!("listing for the check: {e}")))?;
            let text = r
                .text()
                .await
                .map_err(|e| BenchError::Sandbox(format!("listing answer: {e}")))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| BenchError::Sandbox(format!("listing answer is not JSON: {e}")))?;
            let items = json["result"].as_array().cloned().unwrap_or_default();
            let total = json["total"].as_u64().unwrap_or(0) as usize;
            for item in &items {
                let value = item["headerData"]["fields"]
                    .as_array()
                    .and_then(|fs| fs.iter().find(|f| f["id"] == field))
                    .and_then(|f| f["value"].as_str())
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned);
                out.push(value);
            }
            if items.is_empty() || out.len() >= total {
                break;
            }
        }
        Ok(out)
    }

    /// An access token for curl (refresh-token grant, as every client does).
    pub async fn access_token(&self) -> Result<String> {
        let form = format!(
            "grant_type=refresh_token&refresh_token={REFRESH_TOKEN}&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        );
        let r = self
            .http
            .post(format!("{}/ids/connect/token", self.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| BenchError::Sandbox(format!("token request: {e}")))?;
        let text = r
            .text()
            .await
            .map_err(|e| BenchError::Sandbox(format!("token answer: {e}")))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| BenchError::Sandbox(format!("token answer is not JSON: {e}")))?;
        json["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| BenchError::Sandbox("token answer has no access_token".into()))
    }

    /// Kills the sandbox child (this PID only) and reaps it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn client_for(base_url: &str) -> Result<beproduct::Client> {
    let config = beproduct::Config::new(COMPANY, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        .with_api_url(base_url)
        .with_token_url(format!("{base_url}/ids/connect/token"));
    beproduct::Client::new(config).map_err(BenchError::client("building the client"))
}
