//! Typed configuration of the connector, for embedding and for the command line.

use std::fmt;

use descope_mgmt::{Client, Credentials, RateLimitConfig};
use secrecy::SecretString;

use crate::error::ConfigError;

/// Default number of users requested per search page (Descope's documented default `limit`).
pub const DEFAULT_USER_PAGE_SIZE: u32 = 100;
/// Default number of user-search pages fetched at once.
///
/// Enough in flight to hide round trips of up to about 32 times the time the connector spends
/// on a page: the W1 benchmark (20,000 users, 20 ms latency; release build, quiet machine,
/// 2026-12-04) measured 1.26 s and 1.26 s with 16 and 1.05 s and 1.07 s with 32 (earlier builds:
/// 1.35 s with 6, 1.09 s with 10). The client-side rate limiter, not this number, keeps a large
/// sync under Descope's limits: it sets how many requests wait in flight, not how many are sent
/// a minute.
pub const DEFAULT_MAX_PARALLEL_FETCHES: usize = 32;

/// Users each user-search page repeats of the page before, so that a shift between two pages
/// (users deleted in front of them while the listing runs) is seen and the range fetched again:
/// 4. Pages then ask for `page size + 4` users and move on by the page size; see
/// [`DescopeConfig::with_user_page_overlap`].
pub const DEFAULT_USER_PAGE_OVERLAP: u32 = 4;

/// How far back the event feed reads Descope's audit log again on every call, so records that
/// become searchable late (ingestion lag) are still delivered, once: 5 minutes. Descope does not
/// document its lag; we assume well under a minute and keep a five-fold margin. See
/// [`DescopeConfig::with_event_lookback`].
pub const DEFAULT_EVENT_LOOKBACK: std::time::Duration = std::time::Duration::from_secs(300);

/// Requests the client lets in flight besides the user-search pages: the groups of tenants
/// (fetched `group::GROUP_FETCHES_IN_FLIGHT` at a time), the
/// catalog, the access key searches and the last-login histories, while the pages are in
/// flight. Before this, the client's default (10) capped the pages themselves at 10, whatever
/// `max_parallel_fetches` said.
const OTHER_REQUESTS_IN_FLIGHT: usize = 16;

/// Everything the connector needs to reach a Descope project.
///
/// ```
/// use descope_connector::DescopeConfig;
///
/// let config = DescopeConfig::from_credentials("P2abc:K2secret")?
///     .with_user_page_size(100)
///     .with_max_parallel_fetches(16);
/// assert_eq!(config.project_id(), "P2abc");
/// // The key never shows in Debug output.
/// assert!(!format!("{config:?}").contains("K2secret"));
/// # Ok::<(), descope_connector::ConfigError>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct DescopeConfig {
    credentials: Credentials,
    user_page_size: u32,
    max_parallel_fetches: usize,
    user_page_overlap: u32,
    include_test_users: bool,
    sync_last_login: bool,
    sync_outbound_connections: bool,
    event_lookback: std::time::Duration,
    groups_of_every_tenant: bool,
    rate_limit: Option<RateLimitConfig>,
    demo: bool,
}

impl fmt::Debug for DescopeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DescopeConfig")
            .field("credentials", &self.credentials)
            .field("user_page_size", &self.user_page_size)
            .field("max_parallel_fetches", &self.max_parallel_fetches)
            .field("user_page_overlap", &self.user_page_overlap)
            .field("include_test_users", &self.include_test_users)
            .field("sync_last_login", &self.sync_last_login)
            .field("sync_outbound_connections", &self.sync_outbound_connections)
            .field("event_lookback", &self.event_lookback)
            .field("groups_of_every_tenant", &self.groups_of_every_tenant)
            .field("rate_limit", &self.rate_limit)
            .field("demo", &self.demo)
            .finish()
    }
}

impl DescopeConfig {
    /// A configuration from a project id and a management key, with every other setting at its default.
    pub fn new(
        project_id: impl Into<String>,
        management_key: SecretString,
    ) -> Result<Self, ConfigError> {
        Credentials::new(project_id, management_key)
            .map(Self::from_checked)
            .map_err(ConfigError::from_client)
    }

    /// A configuration from the combined credential `ProjectID:ManagementKey` that ConductorOne users paste.
    pub fn from_credentials(combined: &str) -> Result<Self, ConfigError> {
        Credentials::parse(combined)
            .map(Self::from_checked)
            .map_err(ConfigError::from_client)
    }

    /// A configuration from credentials read by the client's rules ([`Credentials::from_env`],
    /// [`Credentials::from_lookup`]): the connector, the CLI and the library accept exactly the
    /// same forms.
    ///
    /// ```
    /// use descope_connector::DescopeConfig;
    /// use descope_mgmt::Credentials;
    ///
    /// let credentials = Credentials::from_lookup(|name| {
    ///     (name == "DESCOPE_MANAGEMENT_KEY").then(|| "P2abc:K2secret".to_owned())
    /// })?;
    /// let config = DescopeConfig::with_credentials(credentials);
    /// assert_eq!(config.project_id(), "P2abc");
    /// # Ok::<(), descope_mgmt::Error>(())
    /// ```
    pub fn with_credentials(credentials: Credentials) -> Self {
        Self::from_checked(credentials)
    }

    fn from_checked(credentials: Credentials) -> Self {
        DescopeConfig {
            credentials,
            user_page_size: DEFAULT_USER_PAGE_SIZE,
            max_parallel_fetches: DEFAULT_MAX_PARALLEL_FETCHES,
            include_test_users: false,
            sync_last_login: false,
            sync_outbound_connections: false,
            user_page_overlap: DEFAULT_USER_PAGE_OVERLAP,
            event_lookback: DEFAULT_EVENT_LOOKBACK,
            groups_of_every_tenant: false,
            rate_limit: None,
            demo: false,
        }
    }

    /// Overrides the base URL (default: derived from the project id, else `https://api.descope.com`).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.credentials = self.credentials.with_base_url(url, "the configuration");
        self
    }

    /// Sets the number of users per search page (1 to 1,000; default 100).
    pub fn with_user_page_size(mut self, size: u32) -> Self {
        self.user_page_size = size;
        self
    }

    /// Sets how many user-search pages may be in flight at once (1 to 64, default 16).
    pub fn with_max_parallel_fetches(mut self, n: usize) -> Self {
        self.max_parallel_fetches = n;
        self
    }

    /// Whether test users are synced (default: no).
    pub fn with_test_users(mut self, include: bool) -> Self {
        self.include_test_users = include;
        self
    }

    /// Whether users' last sign-in is synced (default: no). It costs one
    /// `POST /v1/mgmt/user/history` request per 100 users, made as the user pages arrive.
    ///
    /// ```
    /// let config = descope_connector::DescopeConfig::from_credentials("P2abc:K2secret")?
    ///     .with_sync_last_login(true);
    /// assert!(config.sync_last_login());
    /// # Ok::<(), descope_connector::ConfigError>(())
    /// ```
    pub fn with_sync_last_login(mut self, sync: bool) -> Self {
        self.sync_last_login = sync;
        self
    }

    /// Whether users' last sign-in is synced.
    pub fn sync_last_login(&self) -> bool {
        self.sync_last_login
    }

    /// Whether each user's connections to outbound applications are synced (default: no). It
    /// costs `GET /v1/mgmt/outbound/apps-with-user-token` requests: **1 + (the user's tenants)
    /// per user** (one without a tenant and one within each tenant of the user, so tokens tied to
    /// a tenant are found under either reading of the lookup), made as the user pages arrive (the
    /// outbound applications themselves are always synced, one request).
    ///
    /// ```
    /// let config = descope_connector::DescopeConfig::from_credentials("P2abc:K2secret")?
    ///     .with_sync_outbound_connections(true);
    /// assert!(config.sync_outbound_connections());
    /// # Ok::<(), descope_connector::ConfigError>(())
    /// ```
    pub fn with_sync_outbound_connections(mut self, sync: bool) -> Self {
        self.sync_outbound_connections = sync;
        self
    }

    /// Whether users' outbound application connections are synced.
    pub fn sync_outbound_connections(&self) -> bool {
        self.sync_outbound_connections
    }

    /// How far back the event feed reads the audit log again, for records that become
    /// searchable late (default [`DEFAULT_EVENT_LOOKBACK`], 5 minutes). A record that becomes
    /// searchable later than this after it occurred is missed; a longer look-back delays the
    /// newest events of a busy project by as much at most (see the crate README, "Event
    /// feed").
    ///
    /// ```
    /// use std::time::Duration;
    /// use descope_connector::DescopeConfig;
    ///
    /// let config = DescopeConfig::from_credentials("P2abc:K2secret")?
    ///     .with_event_lookback(Duration::from_secs(900));
    /// assert_eq!(config.event_lookback(), Duration::from_secs(900));
    /// # Ok::<(), descope_connector::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_event_lookback(mut self, lookback: std::time::Duration) -> Self {
        self.event_lookback = lookback;
        self
    }

    /// Users each user page repeats of the page before (default
    /// [`DEFAULT_USER_PAGE_OVERLAP`]). With 0, pages lie side by side as the official SDKs page,
    /// and users that slide across a page boundary while the listing runs (others deleted in
    /// front of them) are silently missed: meant for measuring what the overlap costs.
    ///
    /// ```
    /// use descope_connector::DescopeConfig;
    ///
    /// let config = DescopeConfig::from_credentials("P2abc:K2secret")?.with_user_page_overlap(8);
    /// assert_eq!(config.user_page_overlap(), 8);
    /// # Ok::<(), descope_connector::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_user_page_overlap(mut self, overlap: u32) -> Self {
        self.user_page_overlap = overlap;
        self
    }

    /// Users each user page repeats of the page before (see
    /// [`DescopeConfig::with_user_page_overlap`]).
    pub fn user_page_overlap(&self) -> u32 {
        self.user_page_overlap
    }

    /// The event feed's look-back (see [`DescopeConfig::with_event_lookback`]).
    pub fn event_lookback(&self) -> std::time::Duration {
        self.event_lookback
    }

    /// Whether the groups of every tenant are asked for (default: no).
    ///
    /// Descope keeps SCIM and SSO groups per tenant and has no call that lists them across
    /// tenants, so each tenant costs one `POST /v1/mgmt/group/all`. By default the connector
    /// asks only the tenants whose `authType` (from the tenant listing) is not `none`: those with
    /// SSO configured, and those whose listing leaves it out or says something else. Whether a
    /// tenant without SSO can hold groups (SCIM provisioning alone, or groups left after its SSO
    /// configuration was removed) is not documented; the sync's summary counts the tenants it
    /// did not ask, and this setting asks every tenant, at one more request per tenant.
    ///
    /// ```
    /// let config = descope_connector::DescopeConfig::from_credentials("P2abc:K2secret")?
    ///     .with_groups_of_every_tenant(true);
    /// assert!(config.groups_of_every_tenant());
    /// # Ok::<(), descope_connector::ConfigError>(())
    /// ```
    pub fn with_groups_of_every_tenant(mut self, every: bool) -> Self {
        self.groups_of_every_tenant = every;
        self
    }

    /// Whether the groups of every tenant are asked for, SSO or not.
    pub fn groups_of_every_tenant(&self) -> bool {
        self.groups_of_every_tenant
    }

    /// Overrides the client-side rate limits (default: Descope's documented limits).
    pub fn with_rate_limit(mut self, limits: RateLimitConfig) -> Self {
        self.rate_limit = Some(limits);
        self
    }

    /// Marks the project as demo data (the embedded emulator's): the connector's metadata, kept
    /// in every `.c1z` it writes, then says so.
    pub fn with_demo(mut self, demo: bool) -> Self {
        self.demo = demo;
        self
    }

    /// Whether the project is demo data.
    pub fn demo(&self) -> bool {
        self.demo
    }

    /// The Descope project id.
    pub fn project_id(&self) -> &str {
        self.credentials.project_id()
    }

    /// The explicit base URL, if one was set.
    pub fn base_url(&self) -> Option<&str> {
        self.credentials.base_url()
    }

    /// Where the base URL was set (a variable or flag name), if it was.
    pub fn base_url_source(&self) -> Option<&str> {
        self.credentials.base_url_source()
    }

    /// Users per search page.
    pub fn user_page_size(&self) -> u32 {
        self.user_page_size
    }

    /// Search pages in flight at once.
    pub fn max_parallel_fetches(&self) -> usize {
        self.max_parallel_fetches
    }

    /// Whether test users are synced.
    pub fn include_test_users(&self) -> bool {
        self.include_test_users
    }

    /// Checks the settings and builds the Descope client they describe.
    pub fn build_client(&self) -> Result<Client, ConfigError> {
        if !(1..=1000).contains(&self.user_page_size) {
            return Err(ConfigError::new(format!(
                "the user page size must be between 1 and 1000 (got {})",
                self.user_page_size
            )));
        }
        if !(1..=64).contains(&self.max_parallel_fetches) {
            return Err(ConfigError::new(format!(
                "the maximum of parallel fetches must be between 1 and 64 (got {})",
                self.max_parallel_fetches
            )));
        }
        let mut builder = Client::builder()
            .with_credentials(&self.credentials)
            .concurrency_limit(self.max_parallel_fetches + OTHER_REQUESTS_IN_FLIGHT);
        if let Some(limits) = &self.rate_limit {
            builder = builder.rate_limit(*limits);
        }
        builder.build().map_err(ConfigError::from_client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_credentials() {
        // The client's rules, exactly: the same string is accepted or refused by both.
        let c = DescopeConfig::from_credentials(" P2abc:K2secret \n").unwrap();
        assert_eq!(c.project_id(), "P2abc");
        for bad in [
            "",
            "P2abc",
            "P2abc:",
            ":K2abc",
            "not a project:K",
            "X123:K",
            "P2abc:K2:with:colons",
        ] {
            assert!(descope_mgmt::Client::builder().credentials(bad).is_err());
            let err = DescopeConfig::from_credentials(bad).unwrap_err();
            assert!(!err.to_string().contains("K2"), "{err}");
        }
    }

    #[test]
    fn debug_redacts_the_key() {
        let c = DescopeConfig::new("P2abc", SecretString::from("K2topsecret".to_owned())).unwrap();
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
