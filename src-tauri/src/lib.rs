//! BeProduct Images: the desktop app around the BeProduct client. `run()` builds the Tauri
//! app; the pieces are public so tests can drive the commands without a window.

pub mod batch_notices;
pub mod bulk_runs;
pub mod commands;
pub mod connection;
pub mod credentials;
pub mod diagnostics;
pub mod drag_out;
pub mod error;
pub mod file_handles;
pub mod hot_folder_host;
pub mod intake_host;
pub mod keychain_writer;
pub mod log_files;
pub mod native_dialogs;
pub mod originals;
pub mod paths;
pub mod rendering;
pub mod sandbox_credentials;
pub mod sandbox_host;
pub mod settings;
pub mod single_instance;
pub mod updates;
pub mod uploads;
pub mod window_state;
pub mod working_host;

use tauri::{AppHandle, DragDropEvent, Emitter, Manager, Runtime, WindowEvent};

use bulk_runs::BulkRuns;
use connection::ConnectionManager;
use credentials::{Credentials, KeychainStore};
use drag_out::DragOutHost;
use error::AppResult;
use file_handles::FileHandles;
use hot_folder_host::HotFolderHost;
use intake_host::IntakeHost;
use originals::OriginalsCache;
use paths::AppPaths;
use sandbox_host::SandboxHost;
use settings::SettingsFile;
use uploads::UploadHost;
use working_host::WorkingHost;

pub const MAIN_WINDOW: &str = "main";
/// `connection::Warning` for the page (`{kind, message}`): shown until dismissed.
pub const WARNING_EVENT: &str = "app://warning";

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
        commands::images::image_form,
        commands::images::field_choices,
        commands::images::list_images,
        commands::images::get_image,
        commands::images::get_images,
        commands::images::create_image,
        commands::images::update_image,
        commands::images::delete_image,
        commands::annotations::image_tags,
        commands::annotations::change_tags,
        commands::annotations::image_comments,
        commands::annotations::add_comment,
        commands::annotations::edit_comment,
        commands::annotations::delete_comment,
        commands::uploads::enqueue_uploads,
        commands::uploads::enqueue_url,
        commands::uploads::upload_jobs,
        commands::uploads::cancel_upload,
        commands::uploads::retry_upload,
        commands::uploads::retry_failed_uploads,
        commands::uploads::clear_finished_uploads,
        commands::uploads::send_upload_anyway,
        commands::uploads::check_again,
        commands::uploads::send_again,
        commands::uploads::resume_interrupted_uploads,
        commands::uploads::discard_interrupted_uploads,
        commands::uploads::pick_upload_files,
        commands::bulk::plan_bulk_edit,
        commands::bulk::run_bulk,
        commands::bulk::cancel_bulk,
        commands::bulk::retry_bulk,
        commands::bulk::undo_bulk,
        commands::bulk::bulk_status,
        commands::bulk::discard_bulk,
        commands::bulk::delete_images,
        commands::sheets::export_sheet,
        commands::sheets::import_sheet,
        commands::presets::list_presets,
        commands::presets::save_preset,
        commands::presets::delete_preset,
        commands::intake::intake_settings,
        commands::intake::save_intake_settings,
        commands::intake::try_intake_name,
        commands::intake::plan_intake,
        commands::intake::edit_intake_cell,
        commands::intake::commit_intake,
        commands::intake::cancel_intake,
        commands::paste::paste_files,
        commands::hot_folders::list_hot_folders,
        commands::hot_folders::add_hot_folder,
        commands::hot_folders::remove_hot_folder,
        commands::working::open_original,
        commands::working::open_original_with,
        commands::working::working_copies,
        commands::working::working_copy_banner,
        commands::working::upload_working_copy,
        commands::working::decline_working_copy,
        commands::working::open_working_copy,
        commands::working::reveal_working_copy,
        commands::working::remove_working_copy,
        commands::versions::image_files_list,
        commands::versions::open_image_file,
        commands::versions::preview_image_file,
        commands::versions::save_image_file,
        commands::versions::copy_image,
        commands::drag_out::drag_out,
        commands::previews::local_preview,
        commands::diagnostics::copy_diagnostics,
        commands::diagnostics::open_logs_folder,
        commands::updates::check_for_update,
        commands::updates::download_update,
        commands::updates::install_update,
    ]
}

/// Logs go to stderr and, given `log_dir`, to its rotating log file (`log_files`); `RUST_LOG`
/// adjusts the level. Secrets, command arguments and file contents are never logged.
pub fn init_logging(log_dir: Option<&std::path::Path>) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file = log_dir.map(|dir| {
        log_files::RotatingLog::open(dir, log_files::MAX_BYTES, log_files::KEEP)
            .map_err(|e| (dir.to_path_buf(), e))
    });
    let (file, file_error) = match file {
        Some(Ok(log)) => (Some(log), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(file.map(|log| fmt::layer().with_ansi(false).with_writer(log)))
        .try_init();
    if let Some((dir, e)) = file_error {
        tracing::warn!(dir = %dir.display(), error = %e, "no log file: the folder cannot be written");
    }
}

/// Builds and runs the app. `env_credentials` is what `credentials::take_from_env` read in
/// `main` before anything else started.
pub fn run(env_credentials: AppResult<Option<Credentials>>) {
    let context = tauri::generate_context!();
    let identifier = context.config().identifier.clone();
    let paths = AppPaths::resolve(&identifier);
    init_logging(paths.as_ref().ok().map(|p| p.log_dir.as_path()));
    rendering::choose_path();
    let paths = match paths {
        Ok(paths) => paths,
        Err(e) => {
            tracing::error!(error = %e, "BeProduct Images cannot find its data folder");
            std::process::exit(1);
        }
    };
    let env_credentials = env_credentials.unwrap_or_else(|e| {
        tracing::error!(error = %e, "ignoring the BEPRODUCT_* environment override");
        None
    });
    let setup_paths = paths.clone();
    let update_test = updates::override_from_env();
    let app = tauri::Builder::default()
        // First: a second launch must hand over and exit before anything else starts.
        .plugin(single_instance::plugin(&identifier, &paths.data_dir))
        .plugin(updates::plugin(update_test.as_ref()))
        .manage(updates::UpdateHost::new(update_test))
        .plugin(tauri_plugin_notification::init())
        .manage(FileHandles::default())
        .invoke_handler(invoke_handler())
        .setup(move |app| {
            setup(app.handle(), setup_paths, env_credentials)?;
            Ok(())
        })
        .on_window_event(|window, event| match event {
            WindowEvent::CloseRequested { .. }
            | WindowEvent::Moved(_)
            | WindowEvent::Resized(_) => window_state::on_event(window, event),
            // A drag out that ends back on the window is not an upload.
            WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. })
                if window
                    .try_state::<DragOutHost>()
                    .is_some_and(|host| host.cache().holds_all(paths)) =>
            {
                tracing::debug!("a drag out came back onto the window; ignored");
            }
            // Only Rust holds dropped paths; the page gets a handle (file_handles).
            WindowEvent::DragDrop(DragDropEvent::Drop { paths, position }) => {
                file_handles::announce_drop(
                    window.app_handle(),
                    window.label(),
                    paths.clone(),
                    *position,
                );
            }
            _ => {}
        })
        .build(context)
        .expect("BeProduct Images could not start its window");
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(hot) = handle.try_state::<HotFolderHost>() {
                tauri::async_runtime::block_on(hot.close());
            }
            if let Some(uploads) = handle.try_state::<UploadHost>() {
                tauri::async_runtime::block_on(uploads.shutdown());
            }
            if let Some(conn) = handle.try_state::<ConnectionManager>() {
                tauri::async_runtime::block_on(conn.sandbox().shutdown());
            }
        }
    });
}

fn setup<R: Runtime>(
    app: &AppHandle<R>,
    paths: AppPaths,
    env_credentials: Option<Credentials>,
) -> Result<(), error::AppError> {
    tracing::info!(data = %paths.data_dir.display(), config = %paths.config_dir.display(), "app folders");
    app.manage(diagnostics::LogFolder(paths.log_dir.clone()));
    let settings = SettingsFile::in_dir(&paths.config_dir);
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        window_state::restore(&window, settings.load().window);
    }
    app.manage(settings);
    app.manage(window_state::WindowStateSaver::default());
    let connection = ConnectionManager::new(
        KeychainStore::default(),
        SandboxHost::new(paths.sandbox_dir()),
        env_credentials,
    );
    let handle = app.clone();
    connection.on_warning(move |warning| {
        if let Err(e) = handle.emit(WARNING_EVENT, &warning) {
            tracing::warn!(error = %e, "could not show a warning in the window");
        }
    });
    // The upload queue (journal: data dir/uploads.sqlite) follows the connection's client.
    let uploads = tauri::async_runtime::block_on(UploadHost::open(&paths.data_dir))?;
    uploads.forward_events(app.clone());
    // Taskbar progress and one notification per finished batch.
    batch_notices::watch(app.clone(), uploads.queue().subscribe());
    let queue = uploads.queue().clone();
    connection.on_client_changed(move |client| queue.set_client(client.clone()));
    let queue = uploads.queue().clone();
    app.manage(uploads);
    // Bulk edits (journals: data dir/bulk) and presets (data dir/presets).
    app.manage(BulkRuns::open(&paths.data_dir)?);
    // Intake settings (data dir/intake) and pasted images (data dir/pasted).
    app.manage(IntakeHost::open(&paths.data_dir));
    // Drag out (originals cache: data dir/originals); versions unused for a week go.
    let originals = OriginalsCache::in_data_dir(&paths.data_dir);
    let pruned = originals.clone();
    tauri::async_runtime::spawn_blocking(move || pruned.prune(originals::KEPT_FOR));
    app.manage(DragOutHost::new(originals));
    // Local previews of uploads (data dir/previews).
    let previews = commands::previews::LocalPreviews::open(&paths.data_dir)?;
    app.manage(previews.clone());
    // Open in editor (working copies: data dir/working), settled by the upload queue's events.
    let working = WorkingHost::open(&paths.data_dir, previews)?;
    working.start(app, queue.clone());
    app.manage(working);
    app.manage(connection);
    // Hot folders (data dir/hot-folders) plan files with the two above, so they start after.
    let hot = tauri::async_runtime::block_on(HotFolderHost::open(app, &paths.data_dir, queue))?;
    hot.forward_events(app.clone());
    app.manage(hot);
    // Pick the backend (and start the sandbox if needed) while the UI loads.
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = handle.state::<ConnectionManager>().client().await {
            tracing::error!(error = %e, "could not connect at start-up");
        }
    });
    Ok(())
}
