//! The saved hot folders, in the order they were added.

use super::Journal;
use crate::config::HotFolderConfig;
use crate::error::Result;
use rusqlite::params;
use std::path::PathBuf;

impl Journal {
    pub fn folders(&self) -> Result<Vec<HotFolderConfig>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, dir, folder_id, move_uploaded FROM folders ORDER BY added_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(HotFolderConfig {
                id: r.get(0)?,
                dir: PathBuf::from(r.get::<_, String>(1)?),
                folder_id: r.get(2)?,
                move_uploaded: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn add_folder(&self, config: &HotFolderConfig) -> Result<()> {
        self.conn().execute(
            "INSERT INTO folders (id, dir, folder_id, move_uploaded, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                config.id,
                config.dir.to_string_lossy(),
                config.folder_id,
                config.move_uploaded,
                super::now_ms()
            ],
        )?;
        Ok(())
    }

    /// Forgets the folder and what it took: adding the folder again takes its files anew.
    pub fn remove_folder(&self, id: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM files WHERE hot_id = ?1", [id])?;
        tx.execute("DELETE FROM folders WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}
