//! Per-sync state a connector keeps across an interrupted sync: baton's `SessionStore`.
//!
//! At the start of every sync the engine calls `Connector::begin_sync` (in the `connector` module, above this one) with a [`SyncSession`]:
//! the sync's id, whether it resumes an unfinished sync, and a [`SessionStore`], a key/value
//! store scoped to that sync (baton's `v1_connector_sessions` table: one value per
//! `(sync_id, key)`). A connector keeps there what a resumed sync would otherwise have to fetch
//! again, for example one record per page of a listing it needs in a later phase.
//!
//! # Guarantees
//!
//! - **Scope.** A session holds the keys of one sync. A fresh sync starts with an empty session;
//!   a resumed sync starts with what the interrupted run stored.
//! - **Reads see earlier writes.** A [`get`](SessionStore::get) or [`scan`](SessionStore::scan)
//!   started after a [`put`](SessionStore::put) or [`delete`](SessionStore::delete) returned sees
//!   its effect, in the same process.
//! - **Durability, with a durable store** ([`SessionStore::is_durable`], e.g. a `.c1z` from
//!   `C1zWriter::open_or_resume`): a write that returned before the connector returned a page is
//!   saved no later than the engine's checkpoint that accounts for that page. So if a resumed
//!   sync continues after page *N*, every write the connector made before returning pages up to
//!   *N* is in the session. Writes made later (for pages the checkpoint does not account for yet)
//!   may or may not be there: the pages after the checkpoint are requested again, so keep writes
//!   idempotent (key a page's record by where the page starts, and a page stored twice is one
//!   record).
//! - **Not durable** stores (JSON Lines, `C1zWriter::create`, [`SessionStore::memory`]) keep the
//!   session for this process only; such a sync is never resumed, so nothing is lost.
//! - **After the sync.** A finished `.c1z` keeps no session rows of the connector but those
//!   under `previous::KEPT_PREFIX` (`kept/`), which a later incremental sync reads: only an
//!   unfinished sync needs the others, and they would only make the file larger. (It keeps the
//!   engine's records, under `c1-connector-sdk/`: the sync's source, so a finished file can be
//!   checked before it replaces another, `C1zReader::sync_source`; and when the sync first
//!   started, `C1zReader::sync_started_at_ms`.)
//!
//! Keys are compared as bytes (UTF-8 order), which is the order of [`SessionStore::scan`].

mod counters;

pub use self::counters::SyncCounters;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::error::Error;

/// The session key of the sync's source (the engine's `SyncOptions::with_source`): the one
/// session row a finished `.c1z` keeps, so a finished file can be checked before it replaces
/// another.
pub(crate) const SOURCE_KEY: &str = "c1-connector-sdk/source";

/// The session key of the moment the sync first started (milliseconds since the Unix epoch,
/// UTC, as decimal text): kept by a resumed sync and in a finished `.c1z`, so a later sync can
/// ask the source only for what changed since (baton's `started_at` column is local wall-clock
/// time without a zone, and a resumed sync's row keeps no trace of its first start).
pub(crate) const STARTED_KEY: &str = "c1-connector-sdk/started-at-ms";

/// The longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 4096;
/// The largest value, in bytes (64 MiB).
pub const MAX_VALUE_BYTES: usize = 64 << 20;
/// How many bytes of values one page of a [`SessionStore::scan`] holds at most (4 MiB, baton's
/// gRPC budget), unless a single value is larger.
pub const SCAN_PAGE_BYTES: usize = 4 << 20;
/// How many entries one page of a [`SessionStore::scan`] holds at most.
pub const SCAN_PAGE_ENTRIES: usize = 100;

/// One page of a prefix scan, in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionPage {
    /// `(key, value)` pairs in key order.
    pub entries: Vec<(String, Vec<u8>)>,
    /// More entries follow: ask again with the last key as `after`.
    pub more: bool,
}

impl SessionPage {
    /// A page of `entries`; `more` says whether more follow.
    pub fn new(entries: Vec<(String, Vec<u8>)>, more: bool) -> Self {
        Self { entries, more }
    }
}

/// Where a [`SessionStore`] keeps its data: implemented by sync stores, used through
/// [`SessionStore`], which checks keys and values first.
///
/// Implementations must give the guarantees of the [module documentation](self): reads see
/// earlier writes, and a durable store saves a write no later than the next checkpoint the engine
/// records after it.
#[async_trait]
pub trait SessionBackend: Send + Sync + fmt::Debug {
    /// Sets `key` to `value` (insert or replace).
    async fn put(&self, key: String, value: Vec<u8>) -> Result<(), Error>;

    /// The value of `key`, if set.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error>;

    /// Removes `key` (nothing happens if it is not set).
    async fn delete(&self, key: &str) -> Result<(), Error>;

    /// Removes every key of the session.
    async fn clear(&self) -> Result<(), Error>;

    /// The entries whose key starts with `prefix` and is greater than `after` (if given), in key
    /// order: at most `limit` entries, and no more values once `max_bytes` is reached (but at
    /// least one entry when one matches).
    async fn scan(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
        max_bytes: usize,
    ) -> Result<SessionPage, Error>;

    /// Whether writes survive this process and are offered to a resumed sync.
    fn is_durable(&self) -> bool;

    /// Whether keys under [`KEPT_PREFIX`](crate::previous::KEPT_PREFIX) outlive the sync (a
    /// finished `.c1z` keeps them); by default, when the store is durable.
    fn keeps_kept_keys(&self) -> bool {
        self.is_durable()
    }
}

/// A connector's key/value store for one sync (baton's `SessionStore`). Cheap to clone; clones
/// share the data. See the [module documentation](self) for what it guarantees.
///
/// ```
/// use futures::TryStreamExt;
/// use c1_connector_sdk::session::SessionStore;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), c1_connector_sdk::error::Error> {
/// let session = SessionStore::memory();
/// session.put("users/00000100", b"page two".to_vec()).await?;
/// session.put("users/00000000", b"page one".to_vec()).await?;
/// session.put("roles", b"other".to_vec()).await?;
/// assert_eq!(session.get("roles").await?, Some(b"other".to_vec()));
/// let pages: Vec<(String, Vec<u8>)> = session.scan("users/").try_collect().await?;
/// assert_eq!(pages[0], ("users/00000000".to_owned(), b"page one".to_vec()));
/// assert_eq!(pages.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SessionStore {
    backend: Arc<dyn SessionBackend>,
}

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionStore")
            .field("durable", &self.is_durable())
            .finish_non_exhaustive()
    }
}

impl SessionStore {
    /// A session kept in this process's memory (not durable).
    pub fn memory() -> Self {
        Self::from_backend(Arc::new(MemorySession::default()))
    }

    /// A session kept by `backend`.
    pub fn from_backend(backend: Arc<dyn SessionBackend>) -> Self {
        Self { backend }
    }

    /// Whether writes survive this process and are offered to a resumed sync. A connector can
    /// skip writes that only serve a resume when the session is not durable.
    pub fn is_durable(&self) -> bool {
        self.backend.is_durable()
    }

    /// Whether keys under [`KEPT_PREFIX`](crate::previous::KEPT_PREFIX) outlive the sync, for a
    /// later incremental sync (a `.c1z` keeps them; a session in memory does not). A connector
    /// can skip writing them otherwise.
    ///
    /// ```
    /// use c1_connector_sdk::session::SessionStore;
    /// assert!(!SessionStore::memory().keeps_kept_keys());
    /// ```
    pub fn keeps_kept_keys(&self) -> bool {
        self.backend.keeps_kept_keys()
    }

    /// Sets `key` to `value`. `InvalidArgument` for an empty key, a key over
    /// [`MAX_KEY_BYTES`] or a value over [`MAX_VALUE_BYTES`].
    pub async fn put(&self, key: impl Into<String>, value: Vec<u8>) -> Result<(), Error> {
        let key = key.into();
        check_key(&key)?;
        if value.len() > MAX_VALUE_BYTES {
            return Err(Error::invalid_argument(format!(
                "session value for {key:?} is {} bytes; the most a session value may hold is {MAX_VALUE_BYTES} bytes: split it over several keys",
                value.len()
            )));
        }
        self.backend.put(key, value).await
    }

    /// The value of `key`, if set.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        self.backend.get(key).await
    }

    /// Removes `key` (nothing happens if it is not set).
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        check_key(key)?;
        self.backend.delete(key).await
    }

    /// Removes every key of this sync's session.
    pub async fn clear(&self) -> Result<(), Error> {
        self.backend.clear().await
    }

    /// One page of the entries whose key starts with `prefix` and comes after `after`, in key
    /// order: at most `limit` entries (at least 1) and about [`SCAN_PAGE_BYTES`] of values.
    pub async fn scan_page(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<SessionPage, Error> {
        self.backend
            .scan(prefix, after, limit.max(1), SCAN_PAGE_BYTES)
            .await
    }

    /// Every entry whose key starts with `prefix` (`""` for all), in key order, fetched a page
    /// at a time, so a large session is never loaded at once.
    pub fn scan(&self, prefix: &str) -> BoxStream<'static, Result<(String, Vec<u8>), Error>> {
        struct State {
            store: SessionStore,
            prefix: String,
            after: Option<String>,
            done: bool,
        }
        let state = State {
            store: self.clone(),
            prefix: prefix.to_owned(),
            after: None,
            done: false,
        };
        stream::try_unfold(state, |mut st| async move {
            if st.done {
                return Ok::<_, Error>(None);
            }
            let page = st
                .store
                .scan_page(&st.prefix, st.after.as_deref(), SCAN_PAGE_ENTRIES)
                .await?;
            st.done = !page.more || page.entries.is_empty();
            st.after = page.entries.last().map(|(k, _)| k.clone());
            Ok(Some((
                stream::iter(page.entries.into_iter().map(Ok::<_, Error>)),
                st,
            )))
        })
        .try_flatten()
        .boxed()
    }
}

fn check_key(key: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::invalid_argument("a session key must not be empty"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::invalid_argument(format!(
            "a session key is {} bytes; the most is {MAX_KEY_BYTES}",
            key.len()
        )));
    }
    Ok(())
}

/// A session in memory, for stores that cannot resume.
#[derive(Debug, Default)]
pub struct MemorySession {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySession {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A panic elsewhere while the lock was held leaves whole entries: keep serving them.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl SessionBackend for MemorySession {
    async fn put(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.map().insert(key, value);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.map().get(key).cloned())
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        self.map().remove(key);
        Ok(())
    }

    async fn clear(&self) -> Result<(), Error> {
        self.map().clear();
        Ok(())
    }

    async fn scan(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
        max_bytes: usize,
    ) -> Result<SessionPage, Error> {
        let map = self.map();
        let start = match after {
            Some(a) if a >= prefix => Bound::Excluded(a),
            _ => Bound::Included(prefix),
        };
        let mut page = SessionPage::default();
        let mut bytes = 0usize;
        for (k, v) in map.range::<str, _>((start, Bound::Unbounded)) {
            if !k.starts_with(prefix) {
                break;
            }
            if page.entries.len() >= limit.max(1)
                || (bytes >= max_bytes && !page.entries.is_empty())
            {
                page.more = true;
                break;
            }
            bytes += v.len();
            page.entries.push((k.clone(), v.clone()));
        }
        Ok(page)
    }

    fn is_durable(&self) -> bool {
        false
    }
}

/// What the engine tells a connector about the sync it starts (baton's `SyncOpAttrs`, minus the
/// page token, which each call still gets).
///
/// ```
/// use c1_connector_sdk::session::{SessionStore, SyncSession};
/// let session = SyncSession::new("2hG5...", SessionStore::memory()).with_resumed(true);
/// assert!(session.is_resumed());
/// assert!(!session.store().is_durable());
/// ```
#[derive(Debug, Clone)]
pub struct SyncSession {
    sync_id: String,
    resumed: bool,
    store: SessionStore,
    counters: SyncCounters,
    resource_types: Vec<String>,
    targeted: Vec<crate::targeted::TargetedResource>,
    previous: Option<std::sync::Arc<dyn crate::previous::PreviousSync>>,
}

impl SyncSession {
    /// A fresh sync `sync_id` with the session `store`.
    pub fn new(sync_id: impl Into<String>, store: SessionStore) -> Self {
        Self {
            sync_id: sync_id.into(),
            resumed: false,
            store,
            counters: SyncCounters::default(),
            resource_types: Vec::new(),
            targeted: Vec::new(),
            previous: None,
        }
    }

    /// Marks the sync as targeted at these resources (the engine passes its
    /// `SyncOptions::targeted_resources`); empty for a sync of every resource.
    #[must_use]
    pub fn with_targeted(mut self, targets: Vec<crate::targeted::TargetedResource>) -> Self {
        self.targeted = targets;
        self
    }

    /// The resources a targeted sync fetches (empty for a sync of every resource): a connector
    /// can then fetch only what the grants of these resources need instead of building state
    /// over every resource.
    ///
    /// ```
    /// use c1_connector_sdk::engine::TargetedResource;
    /// use c1_connector_sdk::session::{SessionStore, SyncSession};
    /// let session = SyncSession::new("s", SessionStore::memory())
    ///     .with_targeted(vec!["tenant:T1".parse::<TargetedResource>()?]);
    /// assert_eq!(session.targeted()[0].id.resource, "T1");
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn targeted(&self) -> &[crate::targeted::TargetedResource] {
        &self.targeted
    }

    /// Limits the sync to these resource types (the engine passes its
    /// `SyncOptions::sync_resource_types`); empty means every type.
    #[must_use]
    pub fn with_resource_types(mut self, types: Vec<String>) -> Self {
        self.resource_types = types;
        self
    }

    /// Whether the sync covers resources of type `resource_type`: a connector can skip fetching
    /// what only an unselected type needs (the engine drops resources of unselected types
    /// anyway).
    ///
    /// ```
    /// use c1_connector_sdk::session::{SessionStore, SyncSession};
    /// let all = SyncSession::new("s", SessionStore::memory());
    /// assert!(all.includes("access_key"));
    /// let some = all.with_resource_types(vec!["user".into()]);
    /// assert!(some.includes("user"));
    /// assert!(!some.includes("access_key"));
    /// ```
    pub fn includes(&self, resource_type: &str) -> bool {
        self.resource_types.is_empty() || self.resource_types.iter().any(|t| t == resource_type)
    }

    /// Makes the sync incremental from `previous` (the engine passes its
    /// `SyncOptions::previous`; `None` for a full sync).
    #[must_use]
    pub fn with_previous(
        mut self,
        previous: Option<std::sync::Arc<dyn crate::previous::PreviousSync>>,
    ) -> Self {
        self.previous = previous;
        self
    }

    /// The earlier sync an incremental sync starts from (see
    /// [`crate::previous`]); `None` for a full sync and for a targeted one.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use c1_connector_sdk::previous::{MemoryPrevious, PreviousSync};
    /// use c1_connector_sdk::session::{SessionStore, SyncSession};
    /// let session = SyncSession::new("s", SessionStore::memory())
    ///     .with_previous(Some(Arc::new(MemoryPrevious::new(42))));
    /// assert_eq!(session.previous().map(|p| p.started_at_ms()), Some(42));
    /// ```
    pub fn previous(&self) -> Option<&std::sync::Arc<dyn crate::previous::PreviousSync>> {
        if self.targeted.is_empty() {
            self.previous.as_ref()
        } else {
            None
        }
    }

    /// Marks the sync as resumed (or not).
    #[must_use]
    pub fn with_resumed(mut self, resumed: bool) -> Self {
        self.resumed = resumed;
        self
    }

    /// The sync's id (a KSUID for `.c1z` stores).
    pub fn sync_id(&self) -> &str {
        &self.sync_id
    }

    /// Whether this sync continues an interrupted one: its session then holds what the
    /// interrupted run stored. `false` for a fresh sync, whose session is empty.
    pub fn is_resumed(&self) -> bool {
        self.resumed
    }

    /// The sync's key/value session.
    pub fn store(&self) -> &SessionStore {
        &self.store
    }

    /// Uses these counters (the engine passes the ones it reports in the sync's stats).
    #[must_use]
    pub fn with_counters(mut self, counters: SyncCounters) -> Self {
        self.counters = counters;
        self
    }

    /// Figures the connector reports about this sync.
    pub fn counters(&self) -> &SyncCounters {
        &self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_all(map: &MemorySession, keys: &[&str]) {
        for k in keys {
            map.map().insert((*k).to_owned(), k.as_bytes().to_vec());
        }
    }

    #[tokio::test]
    async fn prefix_scans_are_ordered_and_paged() {
        let backend = Arc::new(MemorySession::default());
        put_all(&backend, &["a/2", "a/1", "a", "a0", "b/1", "a/10", "`"]);
        let store = SessionStore::from_backend(backend);
        let keys = |p: &SessionPage| p.entries.iter().map(|e| e.0.clone()).collect::<Vec<_>>();
        let page = store.scan_page("a/", None, 2).await.unwrap();
        assert_eq!(keys(&page), ["a/1", "a/10"]);
        assert!(page.more);
        let page = store.scan_page("a/", Some("a/10"), 2).await.unwrap();
        assert_eq!(keys(&page), ["a/2"]);
        assert!(!page.more);
        // `after` before the prefix starts at the prefix.
        let page = store.scan_page("a/", Some("0"), 10).await.unwrap();
        assert_eq!(keys(&page), ["a/1", "a/10", "a/2"]);
        let all: Vec<_> = store.scan("").try_collect().await.unwrap();
        let all: Vec<String> = all.into_iter().map(|e| e.0).collect();
        assert_eq!(all, ["`", "a", "a/1", "a/10", "a/2", "a0", "b/1"]);
    }

    #[tokio::test]
    async fn pages_stop_at_the_byte_budget_but_hold_one_large_value() {
        let backend = MemorySession::default();
        backend.map().insert("k1".into(), vec![0; 10]);
        backend.map().insert("k2".into(), vec![0; 10]);
        let page = backend.scan("k", None, 100, 5).await.unwrap();
        assert_eq!(page.entries.len(), 1);
        assert!(page.more);
    }

    #[tokio::test]
    async fn bad_keys_and_values_are_typed_errors() {
        let s = SessionStore::memory();
        let e = s.put("", vec![]).await.unwrap_err();
        assert_eq!(e.code(), crate::error::Code::InvalidArgument);
        let e = s
            .put("k".repeat(MAX_KEY_BYTES + 1), vec![])
            .await
            .unwrap_err();
        assert_eq!(e.code(), crate::error::Code::InvalidArgument);
        let e = s.put("k", vec![0; MAX_VALUE_BYTES + 1]).await.unwrap_err();
        assert_eq!(e.code(), crate::error::Code::InvalidArgument);
        assert!(e.message().contains("split it"), "{e}");
        s.put("k", vec![1]).await.unwrap();
        s.delete("k").await.unwrap();
        assert_eq!(s.get("k").await.unwrap(), None);
        s.put("k", vec![1]).await.unwrap();
        s.clear().await.unwrap();
        assert_eq!(s.get("k").await.unwrap(), None);
    }
}
