//! The main window's size, position and maximised state: put back at start from settings.json
//! (`window`), saved when the window closes and, debounced, after it was moved or resized (so a
//! killed or crashed app keeps its last place too). A saved position no monitor shows any more
//! (a monitor was unplugged) is not restored: the window stays centred.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{
    LogicalPosition, LogicalSize, Manager, PhysicalPosition, Runtime, WebviewWindow, Window,
    WindowEvent,
};

use crate::settings::{SettingsFile, WindowState};

/// Same as the window's minimum size in tauri.conf.json; a saved size below it is ignored.
pub const MIN_SIZE: (f64, f64) = (900.0, 600.0);
/// Moves and resizes come in bursts; the state is written once they stop for this long.
const SAVE_AFTER: Duration = Duration::from_millis(400);
/// How much of the window's top-left corner (physical pixels) a monitor must show.
const VISIBLE_CORNER: (f64, f64) = (120.0, 40.0);

/// Tauri state: the newest pending save (older ones are dropped).
#[derive(Default)]
pub struct WindowStateSaver {
    generation: AtomicU64,
}

/// Puts the saved state back on `window` (before the page shows).
pub fn restore<R: Runtime>(window: &WebviewWindow<R>, saved: Option<WindowState>) {
    let Some(saved) = saved else { return };
    if saved.width >= MIN_SIZE.0 && saved.height >= MIN_SIZE.1 {
        let _ = window.set_size(LogicalSize::new(saved.width, saved.height));
    }
    if let (Some(x), Some(y)) = (saved.x, saved.y) {
        let scale = window.scale_factor().unwrap_or(1.0);
        let corner = LogicalPosition::new(x, y).to_physical::<f64>(scale);
        let monitors: Vec<Rect> = window
            .available_monitors()
            .unwrap_or_default()
            .iter()
            .map(|m| Rect {
                x: f64::from(m.position().x),
                y: f64::from(m.position().y),
                width: f64::from(m.size().width),
                height: f64::from(m.size().height),
            })
            .collect();
        if corner_is_visible(corner, &monitors) {
            let _ = window.set_position(LogicalPosition::new(x, y));
        } else {
            tracing::info!("the saved window position is off every monitor; not restored");
        }
    }
    if saved.maximized {
        let _ = window.maximize();
    }
}

/// Hook for `on_window_event` (main window only): saves after moves and resizes settle, and
/// at once when the window is closed.
pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if window.label() != crate::MAIN_WINDOW {
        return;
    }
    match event {
        WindowEvent::CloseRequested { .. } => save(window),
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            let Some(saver) = window.try_state::<WindowStateSaver>() else {
                return;
            };
            let generation = saver.generation.fetch_add(1, Ordering::SeqCst) + 1;
            let window = window.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(SAVE_AFTER).await;
                let latest = window
                    .try_state::<WindowStateSaver>()
                    .map(|s| s.generation.load(Ordering::SeqCst));
                if latest == Some(generation) {
                    save(&window);
                }
            });
        }
        _ => {}
    }
}

fn save<R: Runtime>(window: &Window<R>) {
    let Some(settings) = window.try_state::<SettingsFile>() else {
        return;
    };
    let previous = settings.load().window;
    let Some(state) = current(window, previous) else {
        return;
    };
    if previous == Some(state) {
        return;
    }
    if let Err(e) = settings.update(|s| s.window = Some(state)) {
        tracing::warn!(error = %e, "could not remember the window's size and position");
    }
}

/// The window's state now. While maximised (or minimised) the normal size and position are the
/// ones saved before, so un-maximising after a restart goes back to them.
fn current<R: Runtime>(window: &Window<R>, previous: Option<WindowState>) -> Option<WindowState> {
    let maximized = window.is_maximized().unwrap_or(false);
    if maximized || window.is_minimized().unwrap_or(false) {
        return previous.map(|p| WindowState { maximized, ..p });
    }
    let scale = window.scale_factor().ok()?;
    let size = window.inner_size().ok()?.to_logical::<f64>(scale);
    let position = window.outer_position().ok()?.to_logical::<f64>(scale);
    Some(WindowState {
        width: size.width.round(),
        height: size.height.round(),
        x: Some(position.x.round()),
        y: Some(position.y.round()),
        maximized: false,
    })
}

/// A monitor's area in physical pixels.
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Whether some monitor shows enough of a window whose top-left corner is at `corner` to grab
/// its title bar. No monitor information at all counts as visible (nothing to check against).
pub fn corner_is_visible(corner: PhysicalPosition<f64>, monitors: &[Rect]) -> bool {
    monitors.is_empty()
        || monitors.iter().any(|m| {
            corner.x + VISIBLE_CORNER.0 > m.x
                && corner.x + VISIBLE_CORNER.0 <= m.x + m.width
                && corner.y >= m.y
                && corner.y + VISIBLE_CORNER.1 <= m.y + m.height
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_is_restored_only_where_a_monitor_shows_it() {
        let monitors = [
            Rect {
                x: 0.0,
                y: 0.0,
                width: 1920.0,
                height: 1080.0,
            },
            Rect {
                x: 1920.0,
                y: 0.0,
                width: 1280.0,
                height: 1024.0,
            },
        ];
        let at = |x, y| corner_is_visible(PhysicalPosition::new(x, y), &monitors);
        assert!(at(100.0, 50.0));
        assert!(at(2000.0, 900.0), "on the second monitor");
        assert!(
            at(-60.0, 0.0),
            "partly off the left edge, title still reachable"
        );
        assert!(!at(3300.0, 100.0), "right of every monitor");
        assert!(!at(100.0, -30.0), "title bar above the screen");
        assert!(!at(100.0, 1070.0), "below the first monitor");
        assert!(corner_is_visible(
            PhysicalPosition::new(5000.0, 5000.0),
            &[]
        ));
    }
}
