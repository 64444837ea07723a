//! [`EmulatorBuilder`]: every knob of an [`Emulator`], and starting it.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::changes::{AuditTotal, ChangeKnobs, UserChurn};
use crate::dataset::Dataset;
use crate::emulator::Emulator;
use crate::grant_knobs::GrantKnobs;
use crate::http::{Config, Paging, Shared};
use crate::knobs::{
    ConcurrentKeyWriter, DuplicateMode, ExpiredKeyStatus, Faults, HistoryShape, RateLimits,
};
use crate::state::ModifiedKnobs;
use crate::state::State;

/// The default project id: 28 characters, so clients derive no regional host from it.
pub const DEFAULT_PROJECT_ID: &str = "P2EmulatorProject0000000000";
/// The default management key (emulator-only, not a real secret).
pub const DEFAULT_MANAGEMENT_KEY: &str = "K2EmulatorManagementKey";

impl Emulator {
    /// A builder with every knob at its default (demo dataset, no latency, limits or faults).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts an emulator with the defaults and `dataset`.
    pub async fn start_with(dataset: Dataset) -> std::io::Result<Self> {
        Self::builder().dataset(dataset).start().await
    }
}

/// Configures and starts an [`Emulator`]. Every knob is off by default.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use std::time::Duration;
/// use descope_emulator::{DuplicateMode, Emulator, Faults, GenSpec, Dataset, RateLimits};
///
/// let emu = Emulator::builder()
///     .dataset(Dataset::generate(&GenSpec { users: 10_000, ..GenSpec::default() }))
///     .latency(Duration::from_millis(20), Duration::from_millis(10))
///     .rate_limits(RateLimits::descope().scaled(10.0))
///     .faults(Faults { server_error: 0.01, ..Faults::default() })
///     .duplicates(DuplicateMode::Error)
///     .seed(7)
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
pub struct EmulatorBuilder {
    dataset: Option<Dataset>,
    project_id: String,
    management_key: String,
    latency: Duration,
    jitter: Duration,
    rate_limits: RateLimits,
    faults: Faults,
    duplicates: DuplicateMode,
    seed: u64,
    bind: SocketAddr,
    license_tier: String,
    paging: Paging,
    tenant_roles_only_in_search: bool,
    record_requests: bool,
    expired_key_status: ExpiredKeyStatus,
    history_shape: HistoryShape,
    history_max_ids: Option<usize>,
    search_max_tenant_ids: Option<usize>,
    access_key_search_cap: Option<usize>,
    key_update_empty_list_keeps: bool,
    concurrent_key_writer: Option<ConcurrentKeyWriter>,
    /// A project that changes while a client reads it (`changes.rs`).
    pub(crate) changes: ChangeKnobs,
    /// Readings of the third-party and outbound endpoints (`grant_knobs.rs`).
    pub(crate) grants: GrantKnobs,
    /// Readings of users' modified time (setters in `modified_knobs.rs`).
    pub(crate) modified: ModifiedKnobs,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("users", &self.dataset.as_ref().map(|d| d.users.len()))
            .field("project_id", &self.project_id)
            .field("management_key", &"<redacted>")
            .field("latency", &self.latency)
            .field("jitter", &self.jitter)
            .field("rate_limits", &self.rate_limits)
            .field("faults", &self.faults)
            .field("duplicates", &self.duplicates)
            .field("seed", &self.seed)
            .field("bind", &self.bind)
            .field("license_tier", &self.license_tier)
            .field("user_search_max_limit", &self.paging.max_limit)
            .field("ignore_search_offset", &self.paging.ignore_offset)
            .field(
                "role_names_filter_project_only",
                &self.paging.role_names_project_only,
            )
            .field(
                "tenant_roles_only_in_search",
                &self.tenant_roles_only_in_search,
            )
            .field("record_requests", &self.record_requests)
            .field("expired_key_status", &self.expired_key_status)
            .field("history_shape", &self.history_shape)
            .field("history_max_ids", &self.history_max_ids)
            .field("search_max_tenant_ids", &self.search_max_tenant_ids)
            .field("access_key_search_cap", &self.access_key_search_cap)
            .field(
                "key_update_empty_list_keeps",
                &self.key_update_empty_list_keeps,
            )
            .field("concurrent_key_writer", &self.concurrent_key_writer)
            .field("changes", &self.changes)
            .field("grants", &self.grants)
            .field("modified", &self.modified)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            dataset: None,
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            management_key: DEFAULT_MANAGEMENT_KEY.to_owned(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            rate_limits: RateLimits::off(),
            faults: Faults::none(),
            duplicates: DuplicateMode::Silent,
            seed: 0,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            license_tier: "tier4".to_owned(),
            paging: Paging::default(),
            tenant_roles_only_in_search: false,
            record_requests: false,
            expired_key_status: ExpiredKeyStatus::Stored,
            history_shape: HistoryShape::BareArray,
            history_max_ids: None,
            search_max_tenant_ids: None,
            access_key_search_cap: None,
            key_update_empty_list_keeps: false,
            concurrent_key_writer: None,
            changes: ChangeKnobs::default(),
            grants: GrantKnobs::default(),
            modified: ModifiedKnobs::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The data to serve (default [`Dataset::demo`]).
    pub fn dataset(mut self, d: Dataset) -> Self {
        self.dataset = Some(d);
        self
    }

    /// The project id to accept (default [`DEFAULT_PROJECT_ID`]).
    pub fn project_id(mut self, id: impl Into<String>) -> Self {
        self.project_id = id.into();
        self
    }

    /// The management key to accept (default [`DEFAULT_MANAGEMENT_KEY`]).
    pub fn management_key(mut self, k: impl Into<String>) -> Self {
        self.management_key = k.into();
        self
    }

    /// Delay every response by `fixed` plus a uniform random `0..=jitter` (default none).
    pub fn latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        self.latency = fixed;
        self.jitter = jitter;
        self
    }

    /// Rate limits per endpoint class (default [`RateLimits::off`]).
    pub fn rate_limits(mut self, r: RateLimits) -> Self {
        self.rate_limits = r;
        self
    }

    /// Fault-injection probabilities (default none).
    pub fn faults(mut self, f: Faults) -> Self {
        self.faults = f;
        self
    }

    /// What re-adding or re-removing a role or tenant does (default [`DuplicateMode::Silent`]).
    pub fn duplicates(mut self, m: DuplicateMode) -> Self {
        self.duplicates = m;
        self
    }

    /// Seed of the RNG behind jitter, faults and generated ids (default 0).
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The `rateLimitTier` the licence handshake returns (default `"tier4"`).
    pub fn license_tier(mut self, tier: impl Into<String>) -> Self {
        self.license_tier = tier.into();
        self
    }

    /// `GET /v1/mgmt/role/all` returns project roles only, and tenant roles come back only from
    /// `POST /v1/mgmt/role/search` with their tenant in `tenantIds` (default `false`: role/all
    /// lists every role, as the reference leans). Descope does not say which it does.
    pub fn tenant_roles_only_in_search(mut self, on: bool) -> Self {
        self.tenant_roles_only_in_search = on;
        self
    }

    /// A silent cap on the user-search `limit` (default none): a request for more users, or
    /// for the default 100 when the cap is lower, gets `max` users per page, and `total` still
    /// counts every match. `page * limit` uses the capped limit. `Some(0)` is refused by
    /// [`start`](Self::start).
    pub fn user_search_max_limit(mut self, max: Option<usize>) -> Self {
        self.paging.max_limit = max;
        self
    }

    /// User search ignores `offset` and pages by `page * limit` only, as an older backend
    /// would (default `false`: a positive `offset` wins over `page`, as Descope documents).
    pub fn ignore_search_offset(mut self, on: bool) -> Self {
        self.paging.ignore_offset = on;
        self
    }

    /// User search's `roleNames` matches users holding the role at project level only, not in a
    /// tenant (default `false`: either level, as "users must have one of the specified roles"
    /// reads). Descope does not say which.
    pub fn role_names_filter_project_only(mut self, on: bool) -> Self {
        self.paging.role_names_project_only = on;
        self
    }

    /// Keeps every request's method, path, query and JSON body (never a header), readable with
    /// [`Emulator::requests`] (default `false`). The log grows until cleared: for tests, not
    /// for benchmarks.
    pub fn record_requests(mut self, on: bool) -> Self {
        self.record_requests = on;
        self
    }

    /// What `status` access keys past their `expireTime` show (default
    /// [`ExpiredKeyStatus::Stored`]: `active` or `inactive`, as stored).
    pub fn expired_key_status(mut self, s: ExpiredKeyStatus) -> Self {
        self.expired_key_status = s;
        self
    }

    /// The shape of `POST /v1/mgmt/user/history`'s answer (default
    /// [`HistoryShape::BareArray`], what the Go and Node SDKs decode).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::{Emulator, HistoryShape};
    ///
    /// // Answers `{"usersAuthHistory":[...]}`, as Descope's docs show.
    /// let emu = Emulator::builder().history_shape(HistoryShape::Wrapped).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn history_shape(mut self, shape: HistoryShape) -> Self {
        self.history_shape = shape;
        self
    }

    /// The most user ids one `POST /v1/mgmt/user/history` call may carry (default `None`: no
    /// maximum, since Descope's is unverified); more is a 400 `E011004`. `Some(0)` is refused
    /// by [`start`](Self::start).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().history_max_ids(Some(100)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn history_max_ids(mut self, max: Option<usize>) -> Self {
        self.history_max_ids = max;
        self
    }

    /// The most tenant ids one `POST /v1/mgmt/role/search` or `POST /v1/mgmt/accesskey/search`
    /// may carry in `tenantIds`; more is a 400 `E011004`. Descope documents no maximum (default
    /// `None`: any number); `Some(0)` makes [`EmulatorBuilder::start`] fail with `InvalidInput`.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().search_max_tenant_ids(Some(50)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn search_max_tenant_ids(mut self, max: Option<usize>) -> Self {
        self.search_max_tenant_ids = max;
        self
    }

    /// A silent cap on `POST /v1/mgmt/accesskey/search`: at most `max` keys per answer, the
    /// first ones in the answer's order, with nothing saying more matched (default `None`: every
    /// match, as the SDKs assume; whether Descope caps this search is unverified).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().access_key_search_cap(Some(100)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn access_key_search_cap(mut self, max: Option<usize>) -> Self {
        self.access_key_search_cap = max;
        self
    }

    /// `POST /v1/mgmt/accesskey/update` with an empty `roleNames` or `keyTenants` list keeps the
    /// stored list instead of clearing it (default `false`: `[]` clears). Whether Descope
    /// clears is unverified; a non-empty list replaces the stored one either way.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().key_update_empty_list_keeps(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn key_update_empty_list_keeps(mut self, on: bool) -> Self {
        self.key_update_empty_list_keeps = on;
        self
    }

    /// Another writer of one access key, whose update lands right after the client's (default
    /// none): see [`ConcurrentKeyWriter`]. Descope has no compare-and-set, so a client's
    /// read-modify-write of a key must notice this (its fresh read shows neither the key it
    /// loaded nor the key it wrote) and never report the lost change as done.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::{ConcurrentKeyWriter, Emulator};
    ///
    /// let emu = Emulator::builder()
    ///     .concurrent_key_writer(ConcurrentKeyWriter::new("K2ci", "Auditor").times(3))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrent_key_writer(mut self, writer: ConcurrentKeyWriter) -> Self {
        self.concurrent_key_writer = Some(writer);
        self
    }

    /// Binds the listener and serves in a background task of the current tokio runtime.
    ///
    /// Fails with [`std::io::ErrorKind::InvalidInput`] for a knob out of range (a user-search
    /// limit cap or a history maximum of 0), or with the error of binding the address.
    pub async fn start(self) -> std::io::Result<Emulator> {
        if self.paging.max_limit == Some(0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "user_search_max_limit must be at least 1 (or None for no cap)",
            ));
        }
        if self.grants.third_party_get_page == Some(0)
            || self.grants.consent_search_max_limit == Some(0)
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "third_party_apps_get_page and consent_search_max_limit must be at least 1 \
                 (or None)",
            ));
        }
        if self.search_max_tenant_ids == Some(0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "search_max_tenant_ids must be at least 1 (or None for no maximum)",
            ));
        }
        if self.history_max_ids == Some(0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "history_max_ids must be at least 1 (or None for no maximum)",
            ));
        }
        let data = self.dataset.unwrap_or_else(Dataset::demo);
        let mut state = State::new(data, self.seed, self.duplicates);
        state.assignment_changes_bump = self.modified.assignment_bumps;
        let mut paging = self.paging;
        paging.from_modified_exclusive = self.modified.from_exclusive;
        let shared = Arc::new(Shared::new(
            state,
            Config {
                project_id: self.project_id.clone(),
                management_key: self.management_key.clone(),
                latency: self.latency,
                jitter: self.jitter,
                rate_limits: self.rate_limits,
                faults: self.faults,
                seed: self.seed,
                license_tier: self.license_tier,
                paging,
                tenant_roles_only_in_search: self.tenant_roles_only_in_search,
                record_requests: self.record_requests,
                expired_key_status: self.expired_key_status,
                history_shape: self.history_shape,
                history_max_ids: self.history_max_ids,
                search_max_tenant_ids: self.search_max_tenant_ids,
                access_key_search_cap: self.access_key_search_cap,
                key_update_empty_list_keeps: self.key_update_empty_list_keeps,
                concurrent_key_writer: self.concurrent_key_writer,
                changes: self.changes,
                grants: self.grants,
            },
        ));
        Emulator::serve(shared, self.bind, self.project_id, self.management_key).await
    }
}

impl EmulatorBuilder {
    // ---- A project that changes while a client reads it (`changes.rs`). ----

    /// Changes to the users made while a client lists them (default none): see
    /// [`UserChurn`]. What they did is readable with
    /// [`Emulator::churned`](crate::Emulator::churned).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::{Emulator, UserChurn};
    ///
    /// let emu = Emulator::builder()
    ///     .user_churn([UserChurn::after(1).delete(0, 3), UserChurn::after(4).create(0, 10)])
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn user_churn(mut self, changes: impl IntoIterator<Item = UserChurn>) -> Self {
        self.changes.churn = changes.into_iter().collect();
        self
    }

    /// Audit records become searchable up to `max` after they occur (default zero: at once), a
    /// delay of its own for each record, the same on every search. Descope's ingestion lag is
    /// undocumented; an event feed must deliver such records all the same.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().audit_ingestion_delay(Duration::from_secs(4)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn audit_ingestion_delay(mut self, max: Duration) -> Self {
        self.changes.audit_delay = max;
        self
    }

    /// What audit search answers as `total` (default [`AuditTotal::Exact`]).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::{AuditTotal, Emulator};
    ///
    /// let emu = Emulator::builder().audit_total(AuditTotal::Capped(1_000)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn audit_total(mut self, total: AuditTotal) -> Self {
        self.changes.audit_total = total;
        self
    }

    /// Audit search answers records without their `ID` (default `false`; the id is documented
    /// only by Descope's docs and API spec, no SDK reads it).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().audit_records_without_ids(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn audit_records_without_ids(mut self, on: bool) -> Self {
        self.changes.audit_without_ids = on;
        self
    }

    // ---- Readings of the third-party and outbound endpoints (`grant_knobs.rs`). ----

    /// `GET /v1/mgmt/thirdparty/apps/load` answers only the first `n` applications, with a
    /// `total` of all of them, as a paged backend would (default `None`: every application, as
    /// the Python and Node SDKs assume); `POST` with `page` and `limit` (the Go SDK's form) pages
    /// through them either way. `Some(0)` is refused by [`start`](Self::start).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().third_party_apps_get_page(Some(1)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn third_party_apps_get_page(mut self, n: Option<usize>) -> Self {
        self.grants.third_party_get_page = n;
        self
    }

    /// A silent cap on consents per search page (default `None`: the `limit` asked for, 100
    /// when none). `Some(0)` is refused by [`start`](Self::start).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().consent_search_max_limit(Some(2)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn consent_search_max_limit(mut self, max: Option<usize>) -> Self {
        self.grants.consent_search_max_limit = max;
        self
    }

    /// Consent search answers carry no `total` (default `false`: they do, as the Go SDK reads).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().consent_search_without_total(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn consent_search_without_total(mut self, on: bool) -> Self {
        self.grants.consent_search_without_total = on;
        self
    }

    /// `POST /v1/mgmt/thirdparty/consents/delete` answers 200 and deletes nothing (default
    /// `false`). Whether a 2xx always means the consents are gone is unverified, so a client must
    /// confirm a revoke with a fresh search; this knob makes the difference visible.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().consent_delete_ignored(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn consent_delete_ignored(mut self, on: bool) -> Self {
        self.grants.consent_delete_ignored = on;
        self
    }

    /// `GET /v1/mgmt/outbound/apps-with-user-token` also lists applications whose token has
    /// expired and cannot be renewed (default `false`: only "valid" tokens, unexpired or with a
    /// refresh token, as the SDKs' docs say; what Descope counts as valid is unverified).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().outbound_lists_expired_tokens(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_lists_expired_tokens(mut self, on: bool) -> Self {
        self.grants.outbound_lists_expired_tokens = on;
        self
    }

    /// `GET /v1/mgmt/outbound/apps-with-user-token` without `tenantId` counts only tokens tied
    /// to no tenant (default `false`: every token of the user; which Descope does is
    /// unverified).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().outbound_lookup_untenanted_only(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_lookup_untenanted_only(mut self, on: bool) -> Self {
        self.grants.outbound_lookup_untenanted_only = on;
        self
    }

    /// `DELETE /v1/mgmt/outbound/user/tokens` answers 200 and deletes nothing (default `false`),
    /// so a client's confirmation by a fresh lookup can be tested.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().outbound_token_delete_ignored(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_token_delete_ignored(mut self, on: bool) -> Self {
        self.grants.outbound_token_delete_ignored = on;
        self
    }

    /// `DELETE /v1/mgmt/outbound/user/tokens` deletes only the tokens tied to no tenant, and
    /// keeps those the user holds for the app within a tenant (default `false`: every token of
    /// the user for the app). The endpoint takes no `tenantId` in any official SDK, and whether
    /// it reaches tokens tied to a tenant is unverified; a client must confirm a revoke with a
    /// lookup in every tenant of the user.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder()
    ///     .outbound_lookup_untenanted_only(true)
    ///     .outbound_token_delete_untenanted_only(true)
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_token_delete_untenanted_only(mut self, on: bool) -> Self {
        self.grants.outbound_token_delete_untenanted_only = on;
        self
    }
}
