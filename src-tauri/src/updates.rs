//! Updates through Tauri's updater plugin: check the endpoint of tauri.conf.json
//! (`plugins.updater`), download with progress, verify the minisign signature against the public
//! key built into the app, and install when the user restarts. The page checks once when it
//! starts and from About → "Check for updates". The page never calls the plugin
//! (no permission is granted for it); it calls `check_for_update`, `download_update` and
//! `install_update`.
//!
//! Tests point the app at their own server and key: `BP_UPDATE_ENDPOINT` is honoured only for
//! `http://127.0.0.1:<port>/…`, and `BP_UPDATE_PUBKEY` only together with such an endpoint, so
//! no environment variable can make an installed app trust another key for a real server.

use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, Url};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::error::{AppError, AppResult};

pub const ENV_UPDATE_ENDPOINT: &str = "BP_UPDATE_ENDPOINT";
pub const ENV_UPDATE_PUBKEY: &str = "BP_UPDATE_PUBKEY";
/// `{downloaded, total|null}` while an update downloads.
pub const PROGRESS_EVENT: &str = "update://progress";

/// A test's endpoint and key (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct TestOverride {
    pub endpoint: Url,
    pub pubkey: Option<String>,
}

/// The override the two variables ask for: `Ok(None)` when none is set, an error when the
/// endpoint is not loopback http or a key comes without an endpoint.
pub fn test_override(
    endpoint: Option<&str>,
    pubkey: Option<&str>,
) -> Result<Option<TestOverride>, String> {
    let endpoint = endpoint.map(str::trim).filter(|e| !e.is_empty());
    let pubkey = pubkey.map(str::trim).filter(|k| !k.is_empty());
    let Some(endpoint) = endpoint else {
        return match pubkey {
            Some(_) => Err(format!(
                "{ENV_UPDATE_PUBKEY} is ignored without a loopback {ENV_UPDATE_ENDPOINT}"
            )),
            None => Ok(None),
        };
    };
    let url = Url::parse(endpoint)
        .map_err(|e| format!("{ENV_UPDATE_ENDPOINT} is not a URL ({e}); it is ignored"))?;
    if url.scheme() != "http" || url.host_str() != Some("127.0.0.1") {
        return Err(format!(
            "{ENV_UPDATE_ENDPOINT} is honoured only for http://127.0.0.1 (a test server); it is ignored"
        ));
    }
    Ok(Some(TestOverride {
        endpoint: url,
        pubkey: pubkey.map(str::to_string),
    }))
}

/// The override of this process's environment; a refused one is logged (without its value).
pub fn override_from_env() -> Option<TestOverride> {
    let endpoint = std::env::var(ENV_UPDATE_ENDPOINT).ok();
    let pubkey = std::env::var(ENV_UPDATE_PUBKEY).ok();
    match test_override(endpoint.as_deref(), pubkey.as_deref()) {
        Ok(found) => found,
        Err(why) => {
            tracing::warn!("{why}");
            None
        }
    }
}

/// The plugin, trusting the test's key when `test` says so, else tauri.conf.json's.
pub fn plugin<R: Runtime>(
    test: Option<&TestOverride>,
) -> tauri::plugin::TauriPlugin<R, tauri_plugin_updater::Config> {
    let mut builder = tauri_plugin_updater::Builder::new();
    if let Some(key) = test.and_then(|t| t.pubkey.as_deref()) {
        builder = builder.pubkey(key);
    }
    builder.build()
}

/// What the About box shows: "Version X is available — what's new".
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInfo {
    pub available: bool,
    pub current_version: String,
    pub version: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Progress {
    downloaded: u64,
    total: Option<u64>,
}

/// The update found by the last check and, once downloaded and verified, its bytes.
#[derive(Default)]
pub struct UpdateHost {
    test: Option<TestOverride>,
    found: Mutex<Option<Update>>,
    ready: Mutex<Option<(Update, Vec<u8>)>>,
}

impl UpdateHost {
    pub fn new(test: Option<TestOverride>) -> UpdateHost {
        UpdateHost {
            test,
            ..Default::default()
        }
    }

    pub async fn check<R: Runtime>(&self, app: &AppHandle<R>) -> AppResult<UpdateInfo> {
        let mut builder = app.updater_builder();
        if let Some(test) = &self.test {
            builder = builder
                .endpoints(vec![test.endpoint.clone()])
                .map_err(|e| internal(&e))?;
        }
        let updater = builder.build().map_err(|e| check_failed(&e))?;
        let update = updater.check().await.map_err(|e| check_failed(&e))?;
        let current_version = app.package_info().version.to_string();
        let info = UpdateInfo {
            available: update.is_some(),
            current_version,
            version: update.as_ref().map(|u| u.version.clone()),
            notes: update.as_ref().and_then(|u| u.body.clone()),
        };
        *self.found.lock().unwrap_or_else(|e| e.into_inner()) = update;
        Ok(info)
    }

    /// Downloads the update found by the last check; the plugin verifies its signature, and a
    /// download that does not verify is dropped.
    pub async fn download<R: Runtime>(&self, app: &AppHandle<R>) -> AppResult<String> {
        let update = self
            .found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| {
                AppError::invalid_input("There is no update to download. Check for updates first.")
            })?;
        let mut downloaded = 0u64;
        let bytes = update
            .download(
                |chunk, total| {
                    downloaded += chunk as u64;
                    let _ = app.emit(PROGRESS_EVENT, Progress { downloaded, total });
                },
                || {},
            )
            .await
            .map_err(|e| download_failed(&update.version, &e))?;
        let version = update.version.clone();
        *self.ready.lock().unwrap_or_else(|e| e.into_inner()) = Some((update, bytes));
        Ok(version)
    }

    /// Installs the downloaded (and verified) update, then restarts the app.
    pub fn install<R: Runtime>(&self, app: &AppHandle<R>) -> AppResult<()> {
        let ready = self.ready.lock().unwrap_or_else(|e| e.into_inner()).take();
        let (update, bytes) = ready.ok_or_else(|| {
            AppError::invalid_input("No update has been downloaded. Download it first.")
        })?;
        update.install(&bytes).map_err(|e| AppError::Io {
            message: format!(
                "Version {} could not be installed ({e}). Download the installer from the releases page instead.",
                update.version
            ),
            detail: String::new(),
        })?;
        app.restart()
    }
}

fn internal(e: &tauri_plugin_updater::Error) -> AppError {
    AppError::Internal(format!("the update endpoint was refused: {e}"))
}

fn check_failed(e: &tauri_plugin_updater::Error) -> AppError {
    AppError::Io {
        message: format!(
            "Could not check for updates ({e}). Check the network connection and try again later."
        ),
        detail: String::new(),
    }
}

/// A signature that does not verify (tampered, unsigned, signed with another key) is named as
/// such: nothing was installed.
fn download_failed(version: &str, e: &tauri_plugin_updater::Error) -> AppError {
    use tauri_plugin_updater::Error as E;
    match e {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => AppError::InvalidInput(format!(
            "The download of version {version} was refused: its signature does not match BeProduct Images' key, so it may have been tampered with ({e}). Nothing was installed; try again later."
        )),
        _ => AppError::Io {
            message: format!(
                "Version {version} could not be downloaded ({e}). Check the network connection and try again."
            ),
            detail: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_variables_no_override() {
        assert_eq!(test_override(None, None), Ok(None));
        assert_eq!(test_override(Some(" "), Some("")), Ok(None));
    }

    #[test]
    fn a_loopback_http_endpoint_is_honoured_with_its_key() {
        let found = test_override(Some("http://127.0.0.1:8123/latest.json"), Some("KEY"))
            .unwrap()
            .unwrap();
        assert_eq!(found.endpoint.as_str(), "http://127.0.0.1:8123/latest.json");
        assert_eq!(found.pubkey.as_deref(), Some("KEY"));
    }

    #[test]
    fn any_other_endpoint_is_refused_and_a_key_alone_too() {
        for endpoint in [
            "https://127.0.0.1/latest.json",
            "http://example.com/latest.json",
            "http://127.0.0.1.evil.example/latest.json",
            "http://localhost:80/latest.json",
            "not a url",
        ] {
            assert!(
                test_override(Some(endpoint), Some("KEY")).is_err(),
                "{endpoint}"
            );
        }
        let refused = test_override(None, Some("KEY")).unwrap_err();
        assert!(refused.contains(ENV_UPDATE_ENDPOINT), "{refused}");
    }
}
