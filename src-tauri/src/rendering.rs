//! Chooses WebKitGTK's rendering path before the first window exists.
//!
//! WebKitGTK composites with OpenGL even where no GPU exists, and then Mesa's software
//! rasterizer (llvmpipe) does the work: under Xvfb on 2 cores the longest frame during a
//! 1,000-file batch was 1.6 s and start-up to the first grid 2.8 s. WebKit's non-composited
//! (CPU) path gave 0.35 s and 1.6 s on the same machine (BENCHMARKS.md, app sections). Without a
//! DRM render node there is no GPU to lose, so only then the app picks that path. A
//! `WEBKIT_DISABLE_COMPOSITING_MODE` the user set (any value, "0" included) always wins.

use std::path::Path;

pub const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether to ask WebKit for non-composited rendering: the user has not chosen, and
/// `dri_dir` (normally /dev/dri) has no GPU render node.
pub fn should_disable_compositing(user_choice: Option<&str>, dri_dir: &Path) -> bool {
    user_choice.is_none() && !has_render_node(dri_dir)
}

fn has_render_node(dri_dir: &Path) -> bool {
    std::fs::read_dir(dri_dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Must run before any thread starts (it sets an environment variable) and before Tauri
/// creates a webview.
pub fn choose_path() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let user_choice = std::env::var(DISABLE_COMPOSITING).ok();
    if should_disable_compositing(user_choice.as_deref(), Path::new("/dev/dri")) {
        std::env::set_var(DISABLE_COMPOSITING, "1");
        tracing::info!("no GPU render node in /dev/dri: WebKit renders without compositing");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_without_a_render_node_and_without_a_user_choice() {
        let dir = tempfile::tempdir().unwrap();
        assert!(should_disable_compositing(None, dir.path()));
        assert!(should_disable_compositing(
            None,
            &dir.path().join("missing")
        ));
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(should_disable_compositing(None, dir.path()));
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(!should_disable_compositing(None, dir.path()));
        let empty = tempfile::tempdir().unwrap();
        assert!(!should_disable_compositing(Some("0"), empty.path()));
        assert!(!should_disable_compositing(Some("1"), empty.path()));
    }
}
