//! The output file's lifecycle: checks before any API call, the `<file>.partial` sidecar a sync
//! is written into, and the rename that puts a finished sync in place.
//!
//! The target only ever changes by the rename of a finished file, so it always holds the
//! previous complete result or the new one.

use std::path::{Path, PathBuf};

use c1_connector_sdk::store::C1zReader;

use crate::cli::OutputFormat;
use crate::exit::Failure;

/// Where a sync into `file` is written until it is finished: `<file>.partial`.
pub fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The file a sync writes or a change reads.
pub(crate) fn target(cli_file: Option<&Path>, format: OutputFormat) -> PathBuf {
    match (cli_file, format) {
        (Some(f), _) => f.to_path_buf(),
        (None, OutputFormat::C1z) => PathBuf::from("sync.c1z"),
        (None, OutputFormat::Jsonl) => PathBuf::from("sync.jsonl"),
    }
}

/// Checks that a sync can write `target` before anything else happens: the directory exists and
/// is a writable directory, and the target is not a directory. Each problem names the path.
pub fn check_output(target: &Path) -> Result<(), Failure> {
    if target.is_dir() {
        return Err(Failure::usage(format!(
            "--file {} is a directory: give a file path such as {}",
            target.display(),
            target.join("sync.c1z").display()
        )));
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Failure::usage(format!(
                "cannot write {}: {} is not a directory",
                target.display(),
                dir.display()
            )));
        }
        Err(_) => {
            return Err(Failure::usage(format!(
                "cannot write {}: the directory {} does not exist; create it or choose another --file",
                target.display(),
                dir.display()
            )));
        }
    }
    check_writable_dir(&dir, "--file", target)
}

/// Checks that `dir` is a directory this process can create files in, by creating (and
/// removing) a probe file: permission bits alone do not tell (root, ACLs, read-only mounts).
pub fn check_writable_dir(dir: &Path, flag: &str, shown: &Path) -> Result<(), Failure> {
    match tempfile::Builder::new()
        .prefix(".write-probe-")
        .tempfile_in(dir)
    {
        Ok(probe) => {
            drop(probe);
            Ok(())
        }
        Err(e) => Err(Failure::usage(format!(
            "cannot write {} ({flag}): the directory {} is not writable ({e})",
            shown.display(),
            dir.display()
        ))),
    }
}

/// Checks a `--c1z-temp-dir`: an existing, writable directory.
pub fn check_temp_dir(dir: &Path) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "--c1z-temp-dir {} is not an existing directory: create it or leave the flag out to use the system's temporary directory",
            dir.display()
        )));
    }
    check_writable_dir(dir, "--c1z-temp-dir", dir)
}

/// Checks that a one-shot change can read `file` before anything is changed.
pub fn check_input(file: &Path) -> Result<(), Failure> {
    if !file.exists() {
        return Err(Failure::usage(format!(
            "{} does not exist: run a sync first (it writes the file grants and revokes take their ids from), or point --file at one",
            file.display()
        )));
    }
    if file.is_dir() {
        return Err(Failure::usage(format!(
            "--file {} is a directory, not a .c1z file",
            file.display()
        )));
    }
    Ok(())
}

/// Renames the finished partial file over the target (atomic on one file system).
pub fn replace(partial: &Path, target: &Path) -> Result<(), Failure> {
    std::fs::rename(partial, target).map_err(|e| {
        Failure::failed(format!(
            "the sync finished in {} but could not replace {}: {e}; move it into place by hand",
            partial.display(),
            target.display()
        ))
    })
}

/// A partial file whose sync is finished (a run stopped between finishing and renaming) is the
/// newest complete result: move it into place before starting again, once its sync is shown to
/// read `source` (the same project, for example); a finished file of another source, or one
/// that does not say, is set aside instead of replacing the target.
pub fn promote_finished(partial: &Path, target: &Path, source: &str) -> Result<bool, Failure> {
    if !partial.exists() {
        return Ok(false);
    }
    let reader = C1zReader::open(partial);
    let finished = reader
        .as_ref()
        .ok()
        .and_then(|r| r.syncs().ok())
        .is_some_and(|syncs| !syncs.is_empty() && syncs.iter().all(|s| s.is_finished()));
    if !finished {
        return Ok(false);
    }
    let stored = reader.ok().and_then(|r| r.sync_source().ok().flatten());
    match stored {
        Some(stored) if stored == source => {
            tracing::info!(
                "{} holds a finished sync: moving it into place",
                partial.display()
            );
            replace(partial, target)?;
            Ok(true)
        }
        Some(stored) => {
            set_aside(
                partial,
                &format!("it holds a finished sync that reads {stored}, not {source}"),
            )?;
            Ok(false)
        }
        None => {
            set_aside(
                partial,
                &format!(
                    "it holds a finished sync that does not say what it read, so it is not known to read {source}"
                ),
            )?;
            Ok(false)
        }
    }
}

/// Moves a partial file that cannot be resumed out of the way (`<file>.partial.set-aside-<n>`),
/// so it is kept for inspection but never mixed into the new sync.
pub fn set_aside(partial: &Path, why: &str) -> Result<PathBuf, Failure> {
    let mut n = 1u32;
    let aside = loop {
        let mut name = partial.as_os_str().to_owned();
        name.push(format!(".set-aside-{n}"));
        let candidate = PathBuf::from(name);
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    std::fs::rename(partial, &aside).map_err(|e| {
        Failure::failed(format!(
            "{} cannot be resumed ({why}) and could not be moved aside: {e}; delete it to start over",
            partial.display()
        ))
    })?;
    eprintln!(
        "{} was not resumed ({why}): moved it to {}; starting a new sync",
        partial.display(),
        aside.display()
    );
    Ok(aside)
}

/// A targeted sync (`--sync-resources`) replaces its target with a file that holds only the
/// partial sync: an existing target (or partial file) that holds a full (or resources-only)
/// sync, finished or not, is refused, so a targeted run never replaces the result of a full
/// one, nor the progress of an interrupted one, by mistake. Reading them costs their
/// decompression, once.
pub(crate) fn check_targeted_target(file: &Path) -> Result<(), Failure> {
    // The unfinished sync a rerun would resume lives in the partial file: a targeted sync
    // written there would drop it.
    for path in [file.to_path_buf(), partial_path(file)] {
        check_holds_no_full_sync(&path)?;
    }
    Ok(())
}

fn check_holds_no_full_sync(file: &Path) -> Result<(), Failure> {
    if !file.exists() {
        return Ok(());
    }
    let syncs = C1zReader::open(file).and_then(|r| r.syncs()).map_err(|e| {
        Failure::usage(format!(
            "{} exists and could not be read as a .c1z ({e}): a targeted sync (--sync-resources) \
                 would replace it; write the targeted sync to another file (-f)",
            file.display()
        ))
    })?;
    if let Some(full) = syncs.iter().find(|s| s.sync_type != "partial") {
        return Err(Failure::usage(format!(
            "{} holds a {} sync ({}); a targeted sync (--sync-resources) writes a file holding only \
             its partial sync and would replace it: write the targeted sync to another file (-f)",
            file.display(),
            full.sync_type,
            full.id
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_checks_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_output(dir.path()).unwrap_err();
        assert!(err.message().contains("is a directory"), "{err}");
        let missing = dir.path().join("nope").join("sync.c1z");
        let err = check_output(&missing).unwrap_err();
        assert!(err.message().contains("does not exist"), "{err}");
        assert!(err.message().contains("nope"), "{err}");
        assert!(check_output(&dir.path().join("sync.c1z")).is_ok());
    }

    /// A finished sync of `source` at `path`.
    async fn finished(path: &Path, source: &str) {
        use std::sync::Arc;

        use c1_connector_sdk::engine::{SyncOptions, Syncer};
        use c1_connector_sdk::store::C1zWriter;
        use c1_connector_sdk::testing::FakeConnector;

        let mut w = C1zWriter::open_or_resume(path).unwrap();
        Syncer::new(
            Arc::new(FakeConnector::builder().build()),
            SyncOptions::default().with_source(source),
        )
        .run(&mut w)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_finished_partial_replaces_the_target_only_when_it_reads_the_same_source() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sync.c1z");
        let partial = partial_path(&target);
        finished(&partial, "project A").await;
        assert!(promote_finished(&partial, &target, "project A").unwrap());
        assert!(target.exists() && !partial.exists());

        std::fs::write(&target, b"previous").unwrap();
        finished(&partial, "project B").await;
        assert!(!promote_finished(&partial, &target, "project A").unwrap());
        assert_eq!(std::fs::read(&target).unwrap(), b"previous", "untouched");
        assert!(!partial.exists());
        let mut aside = partial.as_os_str().to_owned();
        aside.push(".set-aside-1");
        assert!(Path::new(&aside).exists());
    }

    #[test]
    fn partial_is_a_sidecar() {
        assert_eq!(
            partial_path(Path::new("/x/sync.c1z")),
            PathBuf::from("/x/sync.c1z.partial")
        );
    }
}
