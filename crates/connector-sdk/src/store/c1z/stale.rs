//! Removing what a killed writer left behind: `<target>.tmp-*` files beside the target (a save
//! cut short by SIGKILL or a power loss) and scratch directories of dead processes in the
//! system temporary directory. Nothing here ever touches the target itself.

use std::path::Path;

use super::file::{parent_dir, temp_prefix};

/// Prefix of the writer's scratch directories in the system temporary directory.
pub(crate) const SCRATCH_PREFIX: &str = "c1z-db-";
/// The file in a scratch directory naming the process that owns it.
pub(crate) const OWNER_FILE: &str = "owner.pid";

/// Removes `<target>.tmp-*` files left by an earlier writer of the same target that was killed
/// mid-save. Two writers of one target at once are not supported anyway (the last rename would
/// win), so any such file is garbage. Errors are ignored: this is housekeeping.
pub(crate) fn remove_temp_files(target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = std::fs::read_dir(parent_dir(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_string_lossy().starts_with(&prefix);
        if is_ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            tracing::debug!(path = %entry.path().display(), "removing a stale temporary file");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// This process, as `<pid> <pid namespace>`: a process id means something only within its
/// namespace (containers sharing one temporary directory each have their own).
fn owner_id(pid: u32) -> Option<String> {
    let ns = std::fs::read_link("/proc/self/ns/pid").ok()?;
    Some(format!("{pid} {}", ns.display()))
}

/// Records this process as the owner of a scratch directory (where `/proc` exists).
pub(crate) fn mark_owner(scratch: &Path) {
    if let Some(owner) = owner_id(std::process::id()) {
        let _ = std::fs::write(scratch.join(OWNER_FILE), owner);
    }
}

/// Removes scratch directories whose owner process is gone (killed before it could clean up).
///
/// Only where `/proc` tells whether a process lives (Linux). A directory without an owner
/// file, owned from another pid namespace, or whose owner's id is in use again, is left alone,
/// so a live writer is never touched.
pub(crate) fn remove_dead_scratch_dirs(dir: &Path) {
    let proc = Path::new("/proc");
    let Some(me) = owner_id(std::process::id()) else {
        return;
    };
    let Some((_, my_ns)) = me.split_once(' ') else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(SCRATCH_PREFIX)
        {
            continue;
        }
        let Ok(owner) = std::fs::read_to_string(entry.path().join(OWNER_FILE)) else {
            continue;
        };
        let Some((pid, ns)) = owner.trim().split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if ns == my_ns && pid != std::process::id() && !proc.join(pid.to_string()).exists() {
            tracing::debug!(path = %entry.path().display(), "removing a dead writer's scratch directory");
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
