//! The Linux drag source: GTK 3's own, on the app's window.
//!
//! Not the `drag` crate here: its GTK backend stops answering for the files as soon as the drop
//! is performed, while on X11 the target asks for them only after that (crabnebula-dev/drag-rs
//! issue #84, reproduced by tests/e2e/test_drag_out.py: the drop is reported, the target gets
//! nothing), and it writes `file://` URIs without escaping (a `#` in a name cuts the path).
//! Here the files are offered until GTK says the drag is over (`drag-end`), as proper URIs.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use gtk::gdk::{DragAction, ModifierType};
use gtk::gdk_pixbuf::PixbufLoader;
use gtk::glib::SignalHandlerId;
use gtk::prelude::*;

use super::native::DragOutcome;
use crate::error::{AppError, AppResult};

/// Whether the left button is down over the app now, as the display server sees it (not as
/// the page last heard).
pub fn button_held(window: &gtk::ApplicationWindow) -> bool {
    let Some(pointer) = window.display().default_seat().and_then(|s| s.pointer()) else {
        return false;
    };
    let Some(gdk_window) = window.window() else {
        return false;
    };
    let (_, _, _, mask) = gdk_window.device_position(&pointer);
    mask.contains(ModifierType::BUTTON1_MASK)
}

/// Begins the drag of `files` from `window` (on the main thread, button 1 down); `done` hears
/// how it ended.
pub fn start(
    window: &gtk::ApplicationWindow,
    files: &[PathBuf],
    icon: &[u8],
    done: impl FnOnce(DragOutcome) + 'static,
) -> AppResult<()> {
    let uris = files
        .iter()
        .map(|f| gtk::glib::filename_to_uri(f, None).map(|u| u.to_string()))
        .collect::<Result<Vec<String>, _>>()
        .map_err(|e| failed(format!("a file has no URI: {e}")))?;
    let targets = gtk::TargetList::new(&[]);
    targets.add_uri_targets(0);

    let handlers: Rc<RefCell<Vec<SignalHandlerId>>> = Rc::default();
    let failed_once = Rc::new(RefCell::new(false));
    let done = RefCell::new(Some(done));
    let offered = window.connect_drag_data_get(move |_, _, data, _, _| {
        let uris: Vec<&str> = uris.iter().map(String::as_str).collect();
        data.set_uris(&uris);
    });
    let failed_flag = failed_once.clone();
    let on_failed = window.connect_drag_failed(move |_, _, _| {
        *failed_flag.borrow_mut() = true;
        // Let GTK animate the icon back: nothing took the files.
        gtk::glib::Propagation::Proceed
    });
    // `drag-end` comes last, after the target has read the files (or gave up).
    let ended_handlers = handlers.clone();
    let on_end = window.connect_drag_end(move |window, _| {
        for id in ended_handlers.borrow_mut().drain(..) {
            window.disconnect(id);
        }
        let outcome = match *failed_once.borrow() {
            true => DragOutcome::Cancelled,
            false => DragOutcome::Dropped,
        };
        if let Some(done) = done.borrow_mut().take() {
            done(outcome);
        }
    });
    handlers.borrow_mut().extend([offered, on_failed, on_end]);

    let Some(context) =
        window.drag_begin_with_coordinates(&targets, DragAction::COPY, 1, None, -1, -1)
    else {
        for id in handlers.borrow_mut().drain(..) {
            window.disconnect(id);
        }
        return Err(failed("GTK refused to begin it".into()));
    };
    if let Some(pixbuf) = pixbuf(icon) {
        context.drag_set_icon_pixbuf(&pixbuf, 0, 0);
    }
    Ok(())
}

fn pixbuf(bytes: &[u8]) -> Option<gtk::gdk_pixbuf::Pixbuf> {
    let loader = PixbufLoader::new();
    loader.write(bytes).ok()?;
    loader.close().ok()?;
    loader.pixbuf()
}

fn failed(why: String) -> AppError {
    AppError::Internal(format!(
        "The drag could not be started ({why}). Try dragging the image again."
    ))
}
