//! The embedded sandbox's credentials, generated once per install and kept in its data folder
//! (file mode 0600, folder 0700 on Unix). The sandbox's published defaults would let any local
//! user or program — or a web page through DNS rebinding — use the designer's sandbox library.

use std::io::Write;
use std::path::{Path, PathBuf};

use beproduct::Secret;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

pub const FILE_NAME: &str = "credentials.json";

pub struct SandboxCredentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    client_id: String,
    client_secret: String,
    refresh_token: String,
}

/// The credentials stored in `dir`, created (with the folder) on first use. A damaged file is
/// replaced: the sandbox accepts whatever it is started with, so nothing is lost.
pub fn load_or_create(dir: &Path) -> AppResult<SandboxCredentials> {
    let path = dir.join(FILE_NAME);
    create_private_dir(dir)?;
    match std::fs::read_to_string(&path) {
        Ok(text) => match serde_json::from_str::<Wire>(&text) {
            Ok(wire) if !wire.client_secret.is_empty() && !wire.refresh_token.is_empty() => {
                make_private(&path, 0o600)?;
                return Ok(wire.into());
            }
            _ => {
                tracing::warn!(path = %path.display(), "the sandbox credentials file is damaged; making new ones")
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("read", &path, e)),
    }
    let wire = Wire {
        client_id: format!("sandbox-{}", random_hex()),
        client_secret: format!("{}{}", random_hex(), random_hex()),
        refresh_token: format!("{}{}", random_hex(), random_hex()),
    };
    write_private(
        &path,
        &serde_json::to_vec(&wire).expect("plain strings serialise"),
    )?;
    tracing::info!(path = %path.display(), "generated credentials for the embedded sandbox");
    Ok(wire.into())
}

impl From<Wire> for SandboxCredentials {
    fn from(w: Wire) -> Self {
        SandboxCredentials {
            client_id: w.client_id,
            client_secret: Secret::new(w.client_secret),
            refresh_token: Secret::new(w.refresh_token),
        }
    }
}

/// 122 random bits (a v4 UUID comes from the OS's random source).
fn random_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn create_private_dir(dir: &Path) -> AppResult<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    make_private(dir, 0o700)
}

/// Written to a temporary file created with the final mode, then renamed: the secret is never
/// readable by others, not even for a moment, and a crash never leaves half a file.
fn write_private(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let tmp: PathBuf = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| io_error("write", &tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error("write", path, e))
}

/// Takes group and other permissions away (Unix); a no-op elsewhere.
fn make_private(path: &Path, mode: u32) -> AppResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|e| io_error("read", path, e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| io_error("protect", path, e))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

fn io_error(action: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::Io {
        message: format!(
            "Could not {action} {} for the built-in sandbox. Check that the app's data folder is yours and writable.",
            path.display()
        ),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn generated_once_per_install_and_kept_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("sandbox");
        let first = load_or_create(&dir).unwrap();
        assert_eq!(first.client_secret.expose().len(), 64);
        let again = load_or_create(&dir).unwrap();
        assert_eq!(again.client_id, first.client_id);
        assert_eq!(again.client_secret.expose(), first.client_secret.expose());
        assert_eq!(again.refresh_token.expose(), first.refresh_token.expose());
        let other = load_or_create(&root.path().join("other")).unwrap();
        assert_ne!(other.client_secret.expose(), first.client_secret.expose());
        assert_ne!(other.refresh_token.expose(), first.refresh_token.expose());
        #[cfg(unix)]
        {
            assert_eq!(mode(&dir.join(FILE_NAME)), 0o600);
            assert_eq!(mode(&dir), 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened_and_a_damaged_file_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("sandbox");
        let first = load_or_create(&dir).unwrap();
        let file = dir.join(FILE_NAME);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let again = load_or_create(&dir).unwrap();
        assert_eq!(again.client_secret.expose(), first.client_secret.expose());
        assert_eq!((mode(&file), mode(&dir)), (0o600, 0o700));

        std::fs::write(&file, "{half").unwrap();
        let replaced = load_or_create(&dir).unwrap();
        assert_ne!(
            replaced.client_secret.expose(),
            first.client_secret.expose()
        );
        assert_eq!(mode(&file), 0o600);
    }
}
