//! The native file dialogs (GTK on Linux, through `rfd`), awaited from async commands.
//!
//! Only rfd's async dialogs are used. Its blocking ones wait for GTK to run them on the thread
//! that iterates GTK's main context, which in the app is the main thread. Called from the main
//! thread, that wait never ends and the window freezes. Awaited from a command, the dialog is
//! built and shown on the main thread and the command resumes when the user answers.

use std::path::PathBuf;

use image_library::sheet::Format;
use rfd::AsyncFileDialog;
use tauri::{AppHandle, Manager, Runtime};

use crate::MAIN_WINDOW;

/// Image types offered first by "Add files…".
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "bmp", "heic", "heif", "avif", "psd",
];

/// A dialog titled `title`, in front of the app's window when it has one.
fn dialog<R: Runtime>(app: &AppHandle<R>, title: &str) -> AsyncFileDialog {
    let dialog = AsyncFileDialog::new().set_title(title);
    match app.get_webview_window(MAIN_WINDOW) {
        Some(window) => dialog.set_parent(&window),
        None => dialog,
    }
}

/// "Add files…": the images chosen, none when cancelled.
pub async fn pick_images<R: Runtime>(app: &AppHandle<R>) -> Vec<PathBuf> {
    dialog(app, "Add images")
        .add_filter("Images", IMAGE_EXTENSIONS)
        .add_filter("All files", &["*"])
        .pick_files()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.path().to_path_buf())
        .collect()
}

/// The app to open a file with ("Open with…"), None when cancelled. It starts where a
/// platform keeps its apps.
pub async fn pick_app<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    let start = if cfg!(target_os = "macos") {
        "/Applications"
    } else if cfg!(windows) {
        "C:\\Program Files"
    } else {
        "/usr/bin"
    };
    dialog(app, "Choose the app to open it with")
        .set_directory(start)
        .pick_file()
        .await
        .map(|f| f.path().to_path_buf())
}

/// A folder to watch as a hot folder, None when cancelled.
pub async fn pick_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    let dialog = dialog(app, "Watch a folder");
    // GTK opens a folder chooser on "Recent", where nothing can be chosen; start in a folder.
    let start = dirs::picture_dir().or_else(dirs::home_dir);
    let dialog = match start {
        Some(dir) => dialog.set_directory(dir),
        None => dialog,
    };
    dialog.pick_folder().await.map(|f| f.path().to_path_buf())
}

/// Where to save an export of `format` (`suggested` file name), None when cancelled.
pub async fn save_sheet<R: Runtime>(
    app: &AppHandle<R>,
    suggested: String,
    format: Format,
) -> Option<PathBuf> {
    let (label, extension) = match format {
        Format::Csv => ("CSV (UTF-8)", "csv"),
        Format::Xlsx => ("Excel workbook", "xlsx"),
    };
    dialog(app, "Export images")
        .set_file_name(suggested)
        .add_filter(label, &[extension])
        .save_file()
        .await
        .map(|f| f.path().to_path_buf())
}

/// Where to save an image's file (`suggested` name, its extension offered as the filter), None
/// when cancelled.
pub async fn save_image<R: Runtime>(app: &AppHandle<R>, suggested: String) -> Option<PathBuf> {
    let extension = suggested
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_owned())
        .filter(|ext| !ext.is_empty());
    let dialog = dialog(app, "Save image as").set_file_name(suggested);
    let dialog = match &extension {
        Some(ext) => dialog.add_filter(ext.to_uppercase(), &[ext.as_str()]),
        None => dialog,
    };
    dialog.save_file().await.map(|f| f.path().to_path_buf())
}

/// The spreadsheet to import, None when cancelled.
pub async fn open_sheet<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    dialog(app, "Import a spreadsheet")
        .add_filter("Spreadsheets", &["csv", "xlsx"])
        .pick_file()
        .await
        .map(|f| f.path().to_path_buf())
}
