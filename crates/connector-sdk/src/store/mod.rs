//! Where a sync goes: the [`SyncStore`] trait and its implementations, a `.c1z` writer
//! (`C1zWriter`) and reader (`C1zReader`), both behind the default feature `c1z`, and a JSON
//! Lines writer ([`JsonlWriter`]).

use async_trait::async_trait;

use crate::error::Error;
use crate::model::{ConnectorMetadata, Entitlement, Grant, Resource, ResourceType};
use crate::session::SessionStore;

#[cfg(feature = "c1z")]
mod c1z;
mod jsonl;

#[cfg(feature = "c1z")]
#[cfg_attr(docsrs, doc(cfg(feature = "c1z")))]
pub use c1z::{C1zReader, C1zWriter, PreviousC1z, SyncRun};
pub use jsonl::JsonlWriter;

/// How old an unfinished sync may be and still be resumed (baton's `unfinishedSyncMaxAge`).
pub const RESUME_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// The magic bytes at the start of a v1 `.c1z` file.
pub const C1Z_V1_MAGIC: &[u8; 5] = b"C1ZF\0";
/// The magic bytes of baton's v3 (Pebble) format, which this crate does not read.
pub const C1Z_V3_MAGIC: &[u8; 5] = b"C1Z3\0";

/// What kind of sync a store holds (baton's `sync_type` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SyncType {
    /// Every phase: resource types, resources, entitlements, grants.
    #[default]
    Full,
    /// Resource types and resources only (`--skip-entitlements-and-grants`).
    ResourcesOnly,
    /// Some resources only (a targeted sync, `--sync-resources`), which ConductorOne merges into
    /// the last full sync.
    Partial,
}

impl SyncType {
    /// baton's name, as stored in `v1_sync_runs.sync_type`: `full`, `resources_only`, `partial`.
    ///
    /// ```
    /// use c1_connector_sdk::store::SyncType;
    /// assert_eq!(SyncType::ResourcesOnly.as_str(), "resources_only");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SyncType::Full => "full",
            SyncType::ResourcesOnly => "resources_only",
            SyncType::Partial => "partial",
        }
    }
}

/// The `v1_assets` external id under which a `.c1z` keeps the connector's metadata of a sync.
/// baton's readers ignore assets no resource points at.
pub const CONNECTOR_METADATA_ASSET: &str = "c1-connector-sdk.connector-metadata";
/// The content type of that asset: a serialised `c1.connector.v2.ConnectorMetadata`.
pub const CONNECTOR_METADATA_CONTENT_TYPE: &str =
    "application/x-protobuf; messageType=\"c1.connector.v2.ConnectorMetadata\"";

/// A sink the sync engine writes to, one page at a time.
///
/// The engine calls [`start_sync`](SyncStore::start_sync) once, then the `put_*` methods in phase
/// order as pages arrive, and [`finish`](SyncStore::finish) only when the whole sync succeeded.
/// A store dropped without `finish` must leave no partial output behind where a finished one
/// would go.
#[async_trait]
pub trait SyncStore: Send {
    /// Says what kind of sync the next [`start_sync`](SyncStore::start_sync) starts (the
    /// engine calls it first; [`SyncType::Full`] when it is never called). A resumable store
    /// resumes an unfinished sync only if it is of this type. The default ignores it.
    fn set_sync_type(&mut self, _sync_type: SyncType) {}

    /// Starts a sync and returns its id.
    async fn start_sync(&mut self) -> Result<String, Error>;

    /// Stores resource types.
    async fn put_resource_types(&mut self, items: Vec<ResourceType>) -> Result<(), Error>;

    /// Stores resources. A resource stored twice in one sync is one object (upsert).
    async fn put_resources(&mut self, items: Vec<Resource>) -> Result<(), Error>;

    /// Stores entitlements.
    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error>;

    /// Stores grants.
    async fn put_grants(&mut self, items: Vec<Grant>) -> Result<(), Error>;

    /// Stores grants that all hold `entitlement` (their own `entitlement` is `None`): a page
    /// from [`Page::of_entitlement`](crate::page::Page::of_entitlement). The default gives each
    /// grant a copy and calls [`put_grants`](SyncStore::put_grants); the `.c1z` writer encodes
    /// the entitlement once for the page. What is stored is the same either way.
    async fn put_grants_of(
        &mut self,
        entitlement: Entitlement,
        mut items: Vec<Grant>,
    ) -> Result<(), Error> {
        for g in &mut items {
            g.entitlement = Some(entitlement.clone());
        }
        self.put_grants(items).await
    }

    /// Records what the connector says about itself ([`Connector::metadata`](crate::connector::Connector::metadata))
    /// for this sync, so a reader of the output can tell which connector (and, for a demo, that
    /// it was a demo) wrote it. A `.c1z` keeps it as an asset row
    /// ([`CONNECTOR_METADATA_ASSET`]); the default ignores it.
    async fn put_connector_metadata(&mut self, _metadata: ConnectorMetadata) -> Result<(), Error> {
        Ok(())
    }

    /// Records the engine's serialised progress, so an interrupted sync can resume. Everything
    /// stored before the call is what the progress accounts for. A resumable store may also
    /// make it durable right away (a resumable `C1zWriter` saves it at its target); stores
    /// that cannot resume ignore it.
    async fn checkpoint(&mut self, _state: String) -> Result<(), Error> {
        Ok(())
    }

    /// When [`start_sync`](SyncStore::start_sync) resumed an unfinished sync: its last checkpoint
    /// and what it already stored. Called once, right after `start_sync`. Stores that cannot
    /// resume return `None` (the default).
    async fn resume(&mut self) -> Result<Option<ResumePoint>, Error> {
        Ok(None)
    }

    /// The connector's key/value session for the current sync (see [`crate::session`]). Called
    /// once by the engine, after [`start_sync`](SyncStore::start_sync) and
    /// [`resume`](SyncStore::resume). A resumable store returns a durable session that holds
    /// what the resumed sync stored, and saves a write no later than the next
    /// [`checkpoint`](SyncStore::checkpoint) recorded after it. The default is an in-memory
    /// session, which suits every store that cannot resume; a store that wraps another forwards
    /// this call (and [`set_sync_type`](SyncStore::set_sync_type)), or a resumed sync loses
    /// what its connector kept.
    async fn session(&mut self) -> Result<SessionStore, Error> {
        Ok(SessionStore::memory())
    }

    /// The sync stopped (cancelled or failed) after a final [`checkpoint`](SyncStore::checkpoint):
    /// a resumable store saves the unfinished sync (if it has not already) so a later run can
    /// resume it. The default does nothing.
    async fn suspend(&mut self) -> Result<(), Error> {
        Ok(())
    }

    /// Marks the sync finished and makes the output durable.
    async fn finish(&mut self) -> Result<(), Error>;
}

/// What a resumed sync already holds, as the engine needs it to continue.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ResumePoint {
    /// The last checkpoint (the unfinished sync's `sync_token`).
    pub state: String,
    /// The resources stored so far, in the order they were stored.
    pub resources: Vec<Resource>,
    /// The ids of the entitlements stored so far.
    pub entitlement_ids: Vec<String>,
    /// How many grants are stored so far.
    pub grants: u64,
}

impl ResumePoint {
    /// A resume point with a checkpoint and nothing stored yet.
    pub fn new(state: impl Into<String>) -> Self {
        Self {
            state: state.into(),
            ..Self::default()
        }
    }
}

/// A new KSUID, baton's sync id format.
pub(crate) fn new_sync_id() -> String {
    use svix_ksuid::KsuidLike;
    svix_ksuid::Ksuid::new(None::<time::OffsetDateTime>, None).to_string()
}
