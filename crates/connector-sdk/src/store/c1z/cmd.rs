//! The commands the `.c1z` writer sends to its SQLite thread, in the order they must apply.

use tokio::sync::oneshot;

use super::rows::Rows;
use crate::error::Error;
use crate::model::ResourceType;
use crate::session::SessionPage;
use crate::store::{ResumePoint, SyncType};

pub(super) enum Cmd {
    Start {
        sync_id: String,
        started_at: String,
        sync_type: SyncType,
        save: SavePolicy,
    },
    ResourceTypes(Vec<ResourceType>),
    Resources(Rows),
    Entitlements(Rows),
    Grants(Rows),
    Checkpoint(String),
    /// An asset row (`v1_assets`): external id, content type, bytes.
    Asset(String, String, Vec<u8>),
    /// Continue the unfinished sync `0` instead of starting one; `1` is the save spacing.
    Resume(String, SavePolicy),
    Snapshot(oneshot::Sender<Result<ResumePoint, Error>>),
    Suspend(oneshot::Sender<Result<(), Error>>),
    Finish(oneshot::Sender<Result<(), Error>>),
    /// Session commands (see `session`): applied in queue order with the pages, inside the
    /// current transaction, so reads see every write queued before them.
    SessionPut(String, Vec<u8>),
    SessionDelete(String),
    SessionClear,
    SessionGet(String, oneshot::Sender<Result<Option<Vec<u8>>, Error>>),
    SessionScan(SessionScan, oneshot::Sender<Result<SessionPage, Error>>),
}

/// When a resumable writer saves the unfinished sync at a checkpoint (see
/// `C1zWriter::with_save_spacing` and `with_min_save_interval`).
#[derive(Debug, Clone, Copy)]
pub(super) struct SavePolicy {
    pub(super) spacing: u32,
    pub(super) min_interval: std::time::Duration,
}

/// A prefix scan of the session, as the SQLite thread runs it (see `db::scan_session`).
#[derive(Debug)]
pub(super) struct SessionScan {
    pub(super) prefix: String,
    pub(super) after: Option<String>,
    pub(super) limit: usize,
    pub(super) max_bytes: usize,
}

impl Cmd {
    pub(super) fn rows(&self) -> usize {
        match self {
            Cmd::ResourceTypes(v) => v.len(),
            Cmd::Resources(v) | Cmd::Entitlements(v) | Cmd::Grants(v) => v.len(),
            _ => 1,
        }
    }

    /// Commands that are not batched into a data transaction.
    pub(super) fn is_control(&self) -> bool {
        matches!(
            self,
            Cmd::Start { .. }
                | Cmd::Resume(..)
                | Cmd::Snapshot(_)
                | Cmd::Suspend(_)
                | Cmd::Finish(_)
        )
    }
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cmd")
    }
}
