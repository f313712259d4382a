//! `bp upload --rules FILE`: each file planned with a folder's intake settings (naming rule and
//! metadata mapping) by the image library, the same way the app's preview and hot folders do.

use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;
use image_library::intake::read_settings_file;
use image_library::ImageLibrary;
use upload_queue::cli::RulesPlanner;

/// Files planned at once (each reads its embedded metadata from disk).
const AT_ONCE: usize = 4;

pub fn planner() -> RulesPlanner {
    Arc::new(|client, folder_id, file, files| {
        Box::pin(async move {
            let settings = read_settings_file(&file).map_err(|e| e.to_string())?;
            let library = ImageLibrary::new(client);
            let fields = library
                .intake_fields(&folder_id)
                .await
                .map_err(|e| e.to_string())?;
            settings
                .validate(&fields)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let (library, settings, folder_id) = (&library, &settings, &folder_id);
            Ok(futures::stream::iter(files)
                .map(|path: PathBuf| async move {
                    library
                        .intake_job(folder_id, settings, &path)
                        .await
                        .map_err(|why| (path, why))
                })
                .buffered(AT_ONCE)
                .collect()
                .await)
        })
    })
}
