//! The previous sync an incremental sync starts from.
//!
//! An incremental sync asks the source system only for what changed since an earlier sync and
//! takes everything else from that sync's file. The engine knows nothing of what "changed"
//! means for a given system; it hands the connector a [`PreviousSync`] through
//! `SyncSession::previous` (in `session`), and the connector decides
//! what it can carry over, and falls back to a full listing when it cannot (saying why).
//!
//! What a previous sync offers:
//!
//! - when it first started ([`PreviousSync::started_at_ms`]): everything the source changed after
//!   that moment may be missing from it;
//! - its resources of one type, in pages ([`PreviousSync::resources_page`]), streamed from the
//!   file, never all in memory;
//! - the connector's own records that survived the end of that sync
//!   ([`PreviousSync::kept_page`]): session keys under [`KEPT_PREFIX`], which a finished
//!   `.c1z` keeps while it drops every other session key.
//!
//! `store::PreviousC1z` reads them from a `.c1z` file;
//! [`MemoryPrevious`] holds them in memory, for tests.

use std::collections::BTreeMap;
use std::fmt::Debug;

use async_trait::async_trait;

use crate::error::Error;
use crate::model::Resource;
use crate::page::Page;

/// Session keys under this prefix outlive their sync: a finished `.c1z` keeps them (and drops
/// every other connector session key), so a later incremental sync can read them through
/// [`PreviousSync::kept_page`]. Keep them small: they are part of every file.
///
/// ```
/// assert_eq!(c1_connector_sdk::previous::KEPT_PREFIX, "kept/");
/// ```
pub const KEPT_PREFIX: &str = "kept/";

/// A finished earlier sync, read-only.
///
/// ```
/// use c1_connector_sdk::model::Resource;
/// use c1_connector_sdk::previous::{MemoryPrevious, PreviousSync};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), c1_connector_sdk::error::Error> {
/// let previous = MemoryPrevious::new(1_700_000_000_000)
///     .with_resources(vec![Resource::new("user", "U1", "Ada")])
///     .with_kept("kept/users/0", b"[]".to_vec());
/// assert_eq!(previous.started_at_ms(), 1_700_000_000_000);
/// let page = previous.resources_page("user", None, 100).await?;
/// assert_eq!(page.items.len(), 1);
/// let kept = previous.kept_page("kept/users/", None, 100).await?;
/// assert_eq!(kept.entries.len(), 1);
/// # Ok(()) }
/// ```
#[async_trait]
pub trait PreviousSync: Send + Sync + Debug {
    /// When the previous sync first started, in milliseconds since the Unix epoch (UTC). A
    /// resumed sync keeps its first start, so every change after it may be missing.
    fn started_at_ms(&self) -> i64;

    /// What the sync was taken from (the engine's record of the source, the engine option
    /// `SyncOptions::source`), when recorded.
    fn source(&self) -> Option<&str>;

    /// Up to `limit` resources of `resource_type`, after the position `token` (from the page
    /// before; `None` for the first page), in the order the previous sync stored them.
    async fn resources_page(
        &self,
        resource_type: &str,
        token: Option<&str>,
        limit: usize,
    ) -> Result<Page<Resource>, Error>;

    /// Up to `limit` kept session entries whose key starts with `prefix` (which must start
    /// with [`KEPT_PREFIX`]), in key order, after the key `after`.
    async fn kept_page(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<KeptPage, Error>;
}

/// One page of [`PreviousSync::kept_page`], in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeptPage {
    /// `(key, value)` pairs in key order.
    pub entries: Vec<(String, Vec<u8>)>,
    /// More entries follow: ask again with the last key as `after`.
    pub more: bool,
}

impl KeptPage {
    /// A page of `entries`; `more` says whether more follow.
    ///
    /// ```
    /// let page = c1_connector_sdk::previous::KeptPage::new(vec![("kept/a".into(), vec![1])], false);
    /// assert_eq!(page.entries.len(), 1);
    /// ```
    pub fn new(entries: Vec<(String, Vec<u8>)>, more: bool) -> Self {
        Self { entries, more }
    }
}

/// Checks that `prefix` names kept entries.
pub(crate) fn check_kept_prefix(prefix: &str) -> Result<(), Error> {
    if prefix.starts_with(KEPT_PREFIX) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "session key prefix '{prefix}' is not kept after a sync ends: kept keys start with '{KEPT_PREFIX}'"
        )))
    }
}

/// A previous sync held in memory (for tests and for connectors that keep their own).
#[derive(Debug, Clone, Default)]
pub struct MemoryPrevious {
    started_at_ms: i64,
    source: Option<String>,
    resources: Vec<Resource>,
    kept: BTreeMap<String, Vec<u8>>,
}

impl MemoryPrevious {
    /// An empty previous sync that started at `started_at_ms`.
    pub fn new(started_at_ms: i64) -> Self {
        Self {
            started_at_ms,
            ..Self::default()
        }
    }

    /// With the source it was taken from.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// With these resources (in this order).
    #[must_use]
    pub fn with_resources(mut self, resources: Vec<Resource>) -> Self {
        self.resources.extend(resources);
        self
    }

    /// With a kept session entry.
    #[must_use]
    pub fn with_kept(mut self, key: impl Into<String>, value: Vec<u8>) -> Self {
        self.kept.insert(key.into(), value);
        self
    }
}

#[async_trait]
impl PreviousSync for MemoryPrevious {
    fn started_at_ms(&self) -> i64 {
        self.started_at_ms
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    async fn resources_page(
        &self,
        resource_type: &str,
        token: Option<&str>,
        limit: usize,
    ) -> Result<Page<Resource>, Error> {
        let start = parse_position(token)?;
        let of_type: Vec<&Resource> = self
            .resources
            .iter()
            .filter(|r| {
                r.id.as_ref()
                    .is_some_and(|id| id.resource_type == resource_type)
            })
            .collect();
        let end = of_type.len().min(start.saturating_add(limit.max(1)));
        let items = of_type[start.min(end)..end]
            .iter()
            .map(|r| (*r).clone())
            .collect();
        Ok(if end < of_type.len() {
            Page::next(items, end.to_string())
        } else {
            Page::last(items)
        })
    }

    async fn kept_page(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<KeptPage, Error> {
        check_kept_prefix(prefix)?;
        let range = self
            .kept
            .range::<str, _>((
                after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
                std::ops::Bound::Unbounded,
            ))
            .filter(|(k, _)| k.starts_with(prefix));
        let mut entries: Vec<(String, Vec<u8>)> = range
            .take(limit.max(1).saturating_add(1))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let more = entries.len() > limit.max(1);
        entries.truncate(limit.max(1));
        Ok(KeptPage::new(entries, more))
    }
}

/// A position token of [`PreviousSync::resources_page`]: a number.
pub(crate) fn parse_position(token: Option<&str>) -> Result<usize, Error> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t.parse().map_err(|_| {
            Error::invalid_argument(format!(
                "'{t}' is not a page token of a previous sync's resources"
            ))
        }),
    }
}
