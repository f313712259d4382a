//! `bp watch DIR --folder ID`: a hot folder without the app. Every image that appears in DIR
//! (once completely written) is uploaded into the BeProduct folder through the journaled
//! upload queue, numbered and filled in by `--rules FILE` when given; files the rules refuse
//! move to `DIR/_rejected` with a note. Runs until Ctrl+C; a restart with the same journal
//! goes on where it stopped, without uploading anything twice.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::FutureExt;
use hot_folders::{FolderState, HotFolderConfig, HotFolderEvent, HotFolders, Planner, Timing};
use image_library::intake::{read_settings_file, IntakeSettings};
use image_library::ImageLibrary;
use upload_queue::{Queue, QueueConfig};

use crate::error::CliError;

pub struct WatchArgs {
    pub dir: PathBuf,
    pub folder: String,
    pub rules: Option<PathBuf>,
    pub move_uploaded: bool,
    pub journal: PathBuf,
}

/// The hot folder's id in its state folder: one per watched folder and BeProduct folder.
const HOT_ID: &str = "bp-watch";

pub async fn watch(library: ImageLibrary, args: WatchArgs) -> Result<bool, CliError> {
    image_library::require_guid("--folder", &args.folder)?;
    let settings = match &args.rules {
        Some(file) => {
            let settings = read_settings_file(file)?;
            settings.validate(&library.intake_fields(&args.folder).await?)?;
            settings
        }
        None => IntakeSettings::default(),
    };
    let queue = Queue::open(QueueConfig::new(&args.journal))
        .await
        .map_err(|e| CliError::Usage(format!("the upload journal: {e}")))?;
    queue.set_client(library.client().clone());
    let state_dir = state_dir_of(&args.journal);
    let library = Arc::new(library);
    let hot = HotFolders::open(
        &state_dir,
        queue.clone(),
        planner(library, settings),
        Timing::default(),
    )
    .await
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut events = hot.subscribe();
    let config = HotFolderConfig {
        id: HOT_ID.into(),
        dir: args.dir.clone(),
        folder_id: args.folder.clone(),
        move_uploaded: args.move_uploaded,
    };
    // A restart finds its folder in the state folder; another folder or target replaces it.
    match hot.status(HOT_ID) {
        Some(s) if s.folder_id == config.folder_id && same_dir(&s.dir, &config.dir) => {}
        Some(_) => {
            hot.remove(HOT_ID)
                .await
                .map_err(|e| CliError::Usage(e.to_string()))?;
            hot.add(config)
                .await
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
        None => {
            hot.add(config)
                .await
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
    }
    println!(
        "watching   {} for folder {} (Ctrl+C stops; journal {})",
        args.dir.display(),
        args.folder,
        args.journal.display()
    );
    let mut last = String::new();
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            event = events.recv() => match event {
                Ok(HotFolderEvent::Changed { status }) => {
                    let c = &status.counts;
                    let line = match &status.state {
                        FolderState::Watching => format!(
                            "status     {} uploaded, {} uploading, {} rejected, {} failed, {} being written",
                            c.uploaded, c.queued, c.rejected, c.failed, c.settling
                        ),
                        FolderState::Paused { reason } => format!("paused     {reason}"),
                        FolderState::Error { reason } => format!("not watched {reason}"),
                    };
                    if line != last {
                        println!("{line}");
                        last = line;
                    }
                }
                Ok(HotFolderEvent::Removed { .. }) => break,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    println!("stopping   files not yet sent are sent at the next `bp watch` with this journal");
    hot.close().await;
    queue.shutdown().await;
    Ok(true)
}

/// The hot folder's own journal beside the upload journal (`uploads.sqlite` → `uploads.hot/`).
fn state_dir_of(journal: &Path) -> PathBuf {
    let mut name = journal
        .file_stem()
        .map(|s| s.to_os_string())
        .unwrap_or_else(|| "bp-watch".into());
    name.push(".hot");
    journal.with_file_name(name)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn planner(library: Arc<ImageLibrary>, settings: IntakeSettings) -> Planner {
    let settings = Arc::new(settings);
    Arc::new(move |folder_id: String, path: PathBuf| {
        let (library, settings) = (library.clone(), settings.clone());
        async move { library.intake_job(&folder_id, &settings, &path).await }.boxed()
    })
}
