//! The last full sync service mode uploaded, kept in `--state-dir` so that the next sync task is
//! incremental from it.
//!
//! After a full (not targeted) sync task's file is uploaded, it is copied to
//! `<state-dir>/last-sync.c1z`: written to a temporary file in the same directory with mode
//! 0600 (the file names every user and grant of the source), flushed to disk, then renamed over
//! the old one, so the kept file is always a whole finished sync. Two sync tasks running at once
//! each start from the file kept when they began; whichever finishes last is kept, and an older
//! start only widens the next increment's window, never loses a change.
//!
//! A kept file that cannot be read (removed, damaged, written by another version) is logged and
//! the task runs a full sync; the connector decides the rest (see
//! [`SyncOptions::with_previous`](c1_connector_sdk::engine::SyncOptions::with_previous)).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use c1_connector_sdk::previous::PreviousSync;
use c1_connector_sdk::store::PreviousC1z;

use crate::service::ServiceError;

/// The kept file's name in the state directory.
pub(crate) const LAST_SYNC: &str = "last-sync.c1z";

/// Creates the state directory if needed (mode 0700) and checks that it is writable.
pub(crate) fn check_state_dir(dir: &Path) -> Result<(), ServiceError> {
    let err = |reason: String| ServiceError::StateDir {
        path: dir.to_path_buf(),
        reason,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| err(e.to_string()))?;
    tempfile::tempfile_in(dir).map_err(|e| err(format!("it is not writable: {e}")))?;
    Ok(())
}

/// The kept file, as the previous sync of the next sync task; `None` when there is none or it
/// cannot be read (logged).
pub(crate) async fn previous(state_dir: &Path) -> Option<Arc<dyn PreviousSync>> {
    let path = state_dir.join(LAST_SYNC);
    if !path.is_file() {
        tracing::info!(path = %path.display(), "no last sync kept yet: this sync task is a full sync");
        return None;
    }
    let shown = path.display().to_string();
    match tokio::task::spawn_blocking(move || PreviousC1z::open(path)).await {
        Ok(Ok(previous)) => Some(Arc::new(previous)),
        Ok(Err(e)) => {
            tracing::warn!(path = %shown, error = %e.message(), "the kept last sync cannot be read: this sync task is a full sync");
            None
        }
        Err(e) => {
            tracing::warn!(path = %shown, error = %e, "reading the kept last sync failed: this sync task is a full sync");
            None
        }
    }
}

/// Keeps `file` (an uploaded full sync) as the state directory's last sync.
pub(crate) async fn keep(state_dir: &Path, file: &Path) -> std::io::Result<PathBuf> {
    let dir = state_dir.to_path_buf();
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || keep_blocking(&dir, &file))
        .await
        .map_err(std::io::Error::other)?
}

fn keep_blocking(dir: &Path, file: &Path) -> std::io::Result<PathBuf> {
    // `tempfile` creates files with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".last-sync-")
        .suffix(".c1z")
        .tempfile_in(dir)?;
    let mut source = std::fs::File::open(file)?;
    std::io::copy(&mut source, tmp.as_file_mut())?;
    tmp.as_file_mut().flush()?;
    tmp.as_file().sync_all()?;
    let target = dir.join(LAST_SYNC);
    tmp.persist(&target).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Makes the rename durable; a directory that cannot be opened (some platforms) is fine.
        let _ = d.sync_all();
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_file_replaces_the_old_one_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        check_state_dir(&state).unwrap();
        let a = dir.path().join("a.c1z");
        std::fs::write(&a, b"first").unwrap();
        let kept = keep_blocking(&state, &a).unwrap();
        std::fs::write(&a, b"second").unwrap();
        keep_blocking(&state, &a).unwrap();
        assert_eq!(std::fs::read(&kept).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let names: Vec<_> = std::fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [LAST_SYNC], "no temporary file left behind");
    }

    #[test]
    fn a_state_dir_that_is_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"").unwrap();
        let err = check_state_dir(&file).unwrap_err();
        assert!(err.to_string().contains("--state-dir"), "{err}");
    }
}
