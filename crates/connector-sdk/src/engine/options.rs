//! How a sync runs: [`SyncOptions`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::retry::RetryPolicy;
use super::stats::Progress;
use crate::previous::PreviousSync;
use crate::targeted::TargetedResource;

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a sync runs.
#[derive(Clone)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Connector calls in flight at once (default 6, at least 1).
    pub concurrency: usize,
    /// Retry policy for `Unavailable` / `DeadlineExceeded`.
    pub retry: RetryPolicy,
    /// Called after every page.
    pub progress: Option<ProgressFn>,
    /// Cancels the sync; the store is then not finished.
    pub cancel: CancellationToken,
    /// Call [`Connector::validate`](crate::connector::Connector::validate) first (default true).
    pub validate: bool,
    /// Largest number of integrity problems quoted in the error message.
    pub max_reported_problems: usize,
    /// How often progress is checkpointed into the store (default 10 s, baton's interval).
    /// Phase boundaries and interruptions are always checkpointed.
    pub checkpoint_interval: Duration,
    /// Sync only these resource types (baton's `--sync-resource-types`); empty means every type.
    /// See [`SyncOptions::with_sync_resource_types`].
    pub sync_resource_types: Vec<String>,
    /// Sync resource types and resources only (baton's `--skip-entitlements-and-grants`).
    /// See [`SyncOptions::with_skip_entitlements_and_grants`].
    pub skip_entitlements_and_grants: bool,
    /// What the sync reads (a project and a base URL, say; never a secret). See
    /// [`SyncOptions::with_source`].
    pub source: Option<String>,
    /// Sync only these resources (baton's `--sync-resources`, a task's
    /// `targeted_sync_resources`); empty for a sync of every resource. See
    /// [`SyncOptions::with_targeted_resources`].
    pub targeted_resources: Vec<TargetedResource>,
    /// In a targeted sync, list no grants (baton's `--skip-grants`). See
    /// [`SyncOptions::with_skip_grants`].
    pub skip_grants: bool,
    /// The earlier sync an incremental sync starts from. See [`SyncOptions::with_previous`].
    pub previous: Option<Arc<dyn PreviousSync>>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            concurrency: 6,
            retry: RetryPolicy::default(),
            progress: None,
            cancel: CancellationToken::new(),
            validate: true,
            max_reported_problems: 10,
            checkpoint_interval: Duration::from_secs(10),
            sync_resource_types: Vec::new(),
            skip_entitlements_and_grants: false,
            source: None,
            targeted_resources: Vec::new(),
            skip_grants: false,
            previous: None,
        }
    }
}

impl fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncOptions")
            .field("concurrency", &self.concurrency)
            .field("retry", &self.retry)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .field("validate", &self.validate)
            .field("checkpoint_interval", &self.checkpoint_interval)
            .field("sync_resource_types", &self.sync_resource_types)
            .field(
                "skip_entitlements_and_grants",
                &self.skip_entitlements_and_grants,
            )
            .field("targeted_resources", &self.targeted_resources)
            .field("skip_grants", &self.skip_grants)
            .field(
                "previous",
                &self.previous.as_ref().map(|p| p.started_at_ms()),
            )
            .finish_non_exhaustive()
    }
}

impl SyncOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the concurrency cap (0 is treated as 1).
    #[must_use]
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Sets the number of retries per call.
    #[must_use]
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.retry.max_retries = n;
        self
    }

    /// Sets the whole retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the progress callback.
    #[must_use]
    pub fn with_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Uses this cancellation token.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// Sets how often progress is checkpointed.
    #[must_use]
    pub fn with_checkpoint_interval(mut self, every: Duration) -> Self {
        self.checkpoint_interval = every;
        self
    }

    /// Whether to call [`Connector::validate`](crate::connector::Connector::validate) first.
    #[must_use]
    pub fn with_validate(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Syncs only the resource types with these ids (baton's `--sync-resource-types`); an empty
    /// list means every type.
    ///
    /// Only the selected types are stored, and types not selected are not listed at all: a
    /// child type under a selected parent is listed only if it is selected itself. Grants to
    /// principals of a type that is not selected are kept (their principal cannot be checked
    /// against this sync). An id no syncer declares fails the sync with `InvalidArgument`,
    /// naming the known ones, before anything is listed. A resumed sync must use the same
    /// selection as the run that started it (`FailedPrecondition` otherwise).
    ///
    /// ```
    /// use c1_connector_sdk::engine::SyncOptions;
    /// let options = SyncOptions::default().with_sync_resource_types(["user", "role"]);
    /// assert_eq!(options.sync_resource_types, ["user", "role"]);
    /// ```
    #[must_use]
    pub fn with_sync_resource_types<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.sync_resource_types = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Syncs resource types and resources only, no entitlements and no grants (baton's
    /// `--skip-entitlements-and-grants`). The store is told the sync is
    /// [`SyncType::ResourcesOnly`](crate::store::SyncType::ResourcesOnly), so a `.c1z` labels it
    /// `resources_only` and no reader mistakes it for a full sync without grants.
    ///
    /// ```
    /// use c1_connector_sdk::engine::SyncOptions;
    /// let options = SyncOptions::default().with_skip_entitlements_and_grants(true);
    /// assert!(options.skip_entitlements_and_grants);
    /// ```
    #[must_use]
    pub fn with_skip_entitlements_and_grants(mut self, skip: bool) -> Self {
        self.skip_entitlements_and_grants = skip;
        self
    }

    /// Names what the sync reads (for example `descope project P2abc at https://api.descope.com`;
    /// never a secret). It is kept in the sync's session, and an unfinished sync of another
    /// source is not resumed: the run fails with `FailedPrecondition` whose source is a
    /// [`SourceMismatch`](crate::engine::SourceMismatch), before any object is listed or stored, so the caller can set the
    /// file aside and start over.
    ///
    /// ```
    /// use c1_connector_sdk::engine::SyncOptions;
    /// let options = SyncOptions::default().with_source("descope project P2abc");
    /// assert_eq!(options.source.as_deref(), Some("descope project P2abc"));
    /// ```
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Syncs only these resources, as baton's targeted sync does (`--sync-resources`): each is
    /// fetched with its type's [`ResourceGetter`](crate::connector::ResourceGetter), the child
    /// resources under it are listed (resources only), and its own entitlements and grants are
    /// listed (grants unless [`with_skip_grants`](Self::with_skip_grants)). Nothing else is
    /// listed. Targets of a type outside [`sync_resource_types`](Self::sync_resource_types)
    /// are left out, and repeated targets are synced once.
    ///
    /// The store is told the sync is [`SyncType::Partial`](crate::store::SyncType::Partial):
    /// baton's `partial`, which ConductorOne merges into the last full sync. A grant's principal
    /// need not be in a partial sync. A target that the connector does not find is a warning (the
    /// sync goes on, like baton); a type whose syncer has no getter fails the sync with
    /// `InvalidArgument` before anything is fetched. A targeted sync is never resumed: an
    /// unfinished one is refused with [`NotResumable`](crate::engine::NotResumable), and a
    /// targeted run refuses to resume an unfinished sync of another kind the same way.
    ///
    /// ```
    /// use c1_connector_sdk::engine::{SyncOptions, TargetedResource};
    /// let options = SyncOptions::default()
    ///     .with_targeted_resources(TargetedResource::parse_list("user:U1,tenant:T1")?);
    /// assert_eq!(options.targeted_resources.len(), 2);
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    #[must_use]
    pub fn with_targeted_resources(
        mut self,
        targets: impl IntoIterator<Item = TargetedResource>,
    ) -> Self {
        self.targeted_resources = targets.into_iter().collect();
        self
    }

    /// In a targeted sync, lists the targets' entitlements but not their grants (baton's
    /// `--skip-grants`, which baton allows only within a targeted sync: a sync of every resource
    /// with this set fails with `InvalidArgument`).
    ///
    /// ```
    /// use c1_connector_sdk::engine::{SyncOptions, TargetedResource};
    /// let options = SyncOptions::default()
    ///     .with_targeted_resources(["user:U1".parse::<TargetedResource>()?])
    ///     .with_skip_grants(true);
    /// assert!(options.skip_grants);
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    #[must_use]
    pub fn with_skip_grants(mut self, skip: bool) -> Self {
        self.skip_grants = skip;
        self
    }

    /// Makes the sync incremental from `previous`: the connector sees it in
    /// [`SyncSession::previous`](crate::session::SyncSession::previous) and may ask its source
    /// only for what changed since, taking the rest from the previous sync. The result must be
    /// what a full sync would give; a connector that cannot guarantee it lists everything
    /// (and says why). Ignored by a targeted sync. An incremental sync is never resumed: an
    /// unfinished one is refused with [`NotResumable`](crate::engine::NotResumable) by the
    /// connector, and started again.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use c1_connector_sdk::engine::SyncOptions;
    /// use c1_connector_sdk::previous::MemoryPrevious;
    /// let options = SyncOptions::default().with_previous(Arc::new(MemoryPrevious::new(0)));
    /// assert!(options.previous.is_some());
    /// ```
    #[must_use]
    pub fn with_previous(mut self, previous: Arc<dyn PreviousSync>) -> Self {
        self.previous = Some(previous);
        self
    }
}
