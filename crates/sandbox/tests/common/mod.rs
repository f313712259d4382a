//! Shared helpers: start a sandbox on port 0 in a temp dir and talk to it over real HTTP.
#![allow(dead_code)]

use std::time::Duration;

use beproduct_sandbox::{Sandbox, SandboxConfig, Seed};
use reqwest::StatusCode;
use serde_json::Value;

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub token: String,
}

pub fn config(dir: &std::path::Path, seed: Seed) -> SandboxConfig {
    SandboxConfig {
        data_dir: dir.to_path_buf(),
        seed,
        processing_ms: 200,
        ..SandboxConfig::default()
    }
}

pub async fn start(seed: Seed) -> Env {
    start_with(seed, |_| {}).await
}

pub async fn start_with(seed: Seed, tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = config(dir.path(), seed);
    tweak(&mut cfg);
    let sandbox = Sandbox::start(cfg).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let token = grant(
        &http,
        &sandbox,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh-token",
    )
    .await
    .1["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    Env {
        sandbox,
        http,
        dir,
        token,
    }
}

pub async fn grant(
    http: &reqwest::Client,
    sb: &Sandbox,
    id: &str,
    secret: &str,
    refresh: &str,
) -> (StatusCode, Value) {
    let body = format!(
        "client_id={id}&client_secret={secret}&grant_type=refresh_token&refresh_token={refresh}"
    );
    let resp = http
        .post(sb.token_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token request");
    let status = resp.status();
    (
        status,
        serde_json::from_slice(&resp.bytes().await.expect("body")).unwrap_or(Value::Null),
    )
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/sandbox/{}", self.sandbox.public_api_url(), path)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/json")
            .send()
            .await
            .expect("GET");
        decode(resp).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("POST");
        decode(resp).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .delete(self.url(path))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/json")
            .send()
            .await
            .expect("DELETE");
        decode(resp).await
    }

    /// `POST /__sandbox/{hook}` with a JSON body (needs `test_controls`).
    pub async fn control(&self, hook: &str, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!(
                "{}/__sandbox/{hook}",
                self.sandbox.public_api_url()
            ))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("control request");
        decode(resp).await
    }

    pub async fn folder_id(&self, name: &str) -> String {
        let (_, folders) = self.get("Image/Folders").await;
        folders
            .as_array()
            .expect("folder list")
            .iter()
            .find(|f| f["name"] == name)
            .and_then(|f| f["id"].as_str())
            .expect("folder exists")
            .to_string()
    }

    pub async fn create(&self, folder: &str, fields: Value) -> (StatusCode, Value) {
        self.post(
            &format!("Image/Header/Create?folderId={folder}&preserveVersion=false"),
            &serde_json::json!({"fields": fields}),
        )
        .await
    }

    pub async fn search(
        &self,
        folder: &str,
        filters: Value,
        size: u32,
        page: u32,
    ) -> (StatusCode, Value) {
        let body = serde_json::json!({"filters": filters, "colorwayFilters": null});
        self.post(
            &format!("Image/Headers?folderId={folder}&pageSize={size}&pageNumber={page}"),
            &body,
        )
        .await
    }

    pub async fn upload(&self, image_id: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str("application/octet-stream")
            .expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        let resp = self
            .http
            .post(self.url(&format!("Image/Header/{image_id}/Image/Upload")))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        decode(resp).await
    }

    /// Polls the status endpoint until finished (at most ~10 s).
    pub async fn wait_processed(&self, upload_id: &str) -> Value {
        for _ in 0..100 {
            let (status, body) = self
                .get(&format!("Style/GetImageProcessingStatus/{upload_id}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if body["finished"] == true {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("upload {upload_id} did not finish processing within 10 s");
    }
}

pub async fn decode(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, value)
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, 90, (y % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode jpeg");
    out.into_inner()
}

pub fn field<'a>(header: &'a Value, id: &str) -> &'a Value {
    header["headerData"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["id"] == id)
        .map(|f| &f["value"])
        .unwrap_or_else(|| panic!("field {id} missing in {header}"))
}
