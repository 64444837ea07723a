//! Sync statistics and progress reports.

use std::collections::BTreeMap;
use std::time::Duration;

/// What a finished sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncStats {
    /// The sync id (a KSUID for `.c1z` stores).
    pub sync_id: String,
    /// Resource types stored.
    pub resource_types: u64,
    /// Distinct resources stored, per resource type id.
    pub resources_by_type: BTreeMap<String, u64>,
    /// Distinct entitlements stored.
    pub entitlements: u64,
    /// Grants stored (as returned by the connector; the store upserts duplicates by id).
    pub grants: u64,
    /// Wall-clock duration of the sync.
    pub elapsed: Duration,
    /// Retried connector calls.
    pub retries: u64,
    /// Connector calls made, retries included.
    pub connector_calls: u64,
    /// Calls skipped because the connector answered `NotFound` for one resource's entitlements
    /// or grants (baton treats these as warnings).
    pub warnings: u64,
    /// Figures the connector reported about the sync ([`SyncCounters`](crate::session::SyncCounters)).
    pub connector_counters: BTreeMap<String, u64>,
    /// Notes the connector made about the sync
    /// ([`SyncCounters::note`](crate::session::SyncCounters::note)), by name.
    pub connector_notes: BTreeMap<String, String>,
}

impl SyncStats {
    /// Total resources across types.
    pub fn resources(&self) -> u64 {
        self.resources_by_type.values().sum()
    }
}

/// The phase a sync is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Phase {
    /// Checking credentials.
    Validate,
    /// Listing resource types.
    ResourceTypes,
    /// Listing resources (and child resources).
    Resources,
    /// Listing entitlements per resource.
    Entitlements,
    /// Listing grants per resource.
    Grants,
    /// Writing the output.
    Finishing,
}

/// A progress report, sent to [`SyncOptions::progress`](crate::engine::SyncOptions::progress) after
/// every page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Current phase.
    pub phase: Phase,
    /// Resource types stored so far.
    pub resource_types: u64,
    /// Resources stored so far.
    pub resources: u64,
    /// Entitlements stored so far.
    pub entitlements: u64,
    /// Grants stored so far.
    pub grants: u64,
    /// Jobs of the current phase finished.
    pub jobs_done: u64,
    /// Jobs of the current phase known so far (done, running and queued).
    pub jobs_total: u64,
    /// Retries so far.
    pub retries: u64,
}
