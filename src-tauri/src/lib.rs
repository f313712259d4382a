//! BeProduct Images: the desktop app around the BeProduct client. `run()` builds the Tauri
//! app; the pieces are public so tests can drive the commands without a window.

pub mod commands;
pub mod connection;
pub mod credentials;
pub mod error;
pub mod paths;
pub mod rendering;
pub mod sandbox_host;
pub mod settings;
pub mod uploads;

use tauri::{AppHandle, LogicalSize, Manager, Runtime, WebviewWindow, WindowEvent};

use connection::ConnectionManager;
use credentials::{Credentials, KeychainStore};
use paths::AppPaths;
use sandbox_host::SandboxHost;
use settings::{SettingsFile, WindowSize};
use uploads::UploadHost;

const MAIN_WINDOW: &str = "main";
/// Same as the window's minimum size in tauri.conf.json; a saved size below it is ignored.
const MIN_WINDOW: WindowSize = WindowSize {
    width: 900.0,
    height: 600.0,
};

/// Every IPC command of the app (the table in docs/ARCHITECTURE.md).
pub fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        commands::connection::connection_status,
        commands::connection::test_connection,
        commands::connection::save_credentials,
        commands::connection::use_sandbox,
        commands::connection::use_account,
        commands::connection::sign_out,
        commands::images::list_folders,
        commands::images::folder_schema,
        commands::images::list_images,
        commands::images::get_image,
        commands::images::get_images,
        commands::images::create_image,
        commands::images::update_image,
        commands::images::delete_image,
        commands::uploads::enqueue_uploads,
        commands::uploads::enqueue_url,
        commands::uploads::upload_jobs,
        commands::uploads::cancel_upload,
        commands::uploads::retry_upload,
        commands::uploads::retry_failed_uploads,
        commands::uploads::clear_finished_uploads,
        commands::uploads::send_upload_anyway,
        commands::uploads::resume_interrupted_uploads,
        commands::uploads::discard_interrupted_uploads,
        commands::uploads::pick_upload_files,
    ]
}

/// Logs go to stderr; `RUST_LOG` adjusts the level. Secrets are never logged.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn run() {
    init_logging();
    rendering::choose_path();
    let app = tauri::Builder::default()
        .invoke_handler(invoke_handler())
        .setup(|app| {
            setup(app.handle())?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { .. } = event {
                if let Some(webview) = window.app_handle().get_webview_window(window.label()) {
                    remember_window_size(&webview);
                }
            }
        })
        .build(tauri::generate_context!())
        .expect("BeProduct Images could not start its window");
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(uploads) = handle.try_state::<UploadHost>() {
                tauri::async_runtime::block_on(uploads.shutdown());
            }
            if let Some(conn) = handle.try_state::<ConnectionManager>() {
                tauri::async_runtime::block_on(conn.sandbox().shutdown());
            }
        }
    });
}

fn setup<R: Runtime>(app: &AppHandle<R>) -> Result<(), error::AppError> {
    let paths = AppPaths::resolve(app)?;
    tracing::info!(data = %paths.data_dir.display(), config = %paths.config_dir.display(), "app folders");
    let env_credentials =
        Credentials::from_env(|name| std::env::var(name).ok()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "ignoring the BEPRODUCT_* environment override");
            None
        });
    let settings = SettingsFile::in_dir(&paths.config_dir);
    if let (Some(size), Some(window)) =
        (settings.load().window, app.get_webview_window(MAIN_WINDOW))
    {
        if size.width >= MIN_WINDOW.width && size.height >= MIN_WINDOW.height {
            let _ = window.set_size(LogicalSize::new(size.width, size.height));
        }
    }
    app.manage(settings);
    let connection = ConnectionManager::new(
        KeychainStore::default(),
        SandboxHost::new(paths.sandbox_dir()),
        env_credentials,
    );
    // The upload queue (journal: data dir/uploads.sqlite) follows the connection's client.
    let uploads = tauri::async_runtime::block_on(UploadHost::open(&paths.data_dir))?;
    uploads.forward_events(app.clone());
    let queue = uploads.queue().clone();
    connection.on_client_changed(move |client| queue.set_client(client.clone()));
    app.manage(uploads);
    app.manage(connection);
    // Pick the backend (and start the sandbox if needed) while the UI loads.
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = handle.state::<ConnectionManager>().client().await {
            tracing::error!(error = %e, "could not connect at start-up");
        }
    });
    Ok(())
}

fn remember_window_size<R: Runtime>(window: &WebviewWindow<R>) {
    let (Ok(size), Ok(scale)) = (window.inner_size(), window.scale_factor()) else {
        return;
    };
    let logical = size.to_logical::<f64>(scale);
    let size = WindowSize {
        width: logical.width.round(),
        height: logical.height.round(),
    };
    if let Some(settings) = window.app_handle().try_state::<SettingsFile>() {
        if let Err(e) = settings.update(|s| s.window = Some(size)) {
            tracing::warn!(error = %e, "could not remember the window size");
        }
    }
}
