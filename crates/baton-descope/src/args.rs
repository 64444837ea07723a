//! The Descope connector's own flags, flattened next to baton's: the program's one reader of its
//! configuration. Each flag is also `BATON_<FLAG>` in the environment; the credentials and base
//! URL are also read from the official Descope SDKs' variables (`DESCOPE_PROJECT_ID`,
//! `DESCOPE_MANAGEMENT_KEY`, `DESCOPE_BASE_URL`, `DESCOPE_BASE_URI`), by hidden arguments of their
//! own (clap reads one variable per argument), which rank after the flag and its `BATON_*` form.

use c1_connector_runner::parse_go_bool;
use secrecy::SecretString;

fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value.to_owned()))
}

/// Descope settings.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DescopeArgs {
    /// Descope project id (Descope console → Project → Settings; also DESCOPE_PROJECT_ID).
    #[arg(long, env = "BATON_DESCOPE_PROJECT_ID")]
    pub(crate) descope_project_id: Option<String>,

    /// Descope management key (Descope console → Company → Management Keys; also
    /// DESCOPE_MANAGEMENT_KEY). Prefer the environment: a flag shows in `ps`.
    #[arg(long, env = "BATON_DESCOPE_MANAGEMENT_KEY", hide_env_values = true, value_parser = secret)]
    pub(crate) descope_management_key: Option<SecretString>,

    /// Both at once, as `ProjectID:ManagementKey` (the form ConductorOne asks for).
    #[arg(long, env = "BATON_DESCOPE_CREDENTIALS", hide_env_values = true, value_parser = secret,
          conflicts_with_all = ["descope_project_id", "descope_management_key"])]
    pub(crate) descope_credentials: Option<SecretString>,

    /// Descope API base URL (also DESCOPE_BASE_URL or DESCOPE_BASE_URI) [default: derived from
    /// the project id: `https://api.descope.com`, or the project's regional host].
    #[arg(long, env = "BATON_DESCOPE_BASE_URL")]
    pub(crate) descope_base_url: Option<String>,

    /// DESCOPE_PROJECT_ID, the official SDKs' variable (after --descope-project-id).
    #[arg(
        long = "descope-sdk-project-id",
        env = "DESCOPE_PROJECT_ID",
        hide = true
    )]
    pub(crate) sdk_project_id: Option<String>,

    /// DESCOPE_MANAGEMENT_KEY, the official SDKs' variable (after --descope-management-key and
    /// --descope-credentials); it may hold the combined `ProjectID:ManagementKey`.
    #[arg(long = "descope-sdk-management-key", env = "DESCOPE_MANAGEMENT_KEY", hide = true,
          hide_env_values = true, value_parser = secret)]
    pub(crate) sdk_management_key: Option<SecretString>,

    /// DESCOPE_BASE_URL, the official SDKs' variable (after --descope-base-url).
    #[arg(long = "descope-sdk-base-url", env = "DESCOPE_BASE_URL", hide = true)]
    pub(crate) sdk_base_url: Option<String>,

    /// DESCOPE_BASE_URI, the older spelling some SDKs read (after DESCOPE_BASE_URL).
    #[arg(long = "descope-sdk-base-uri", env = "DESCOPE_BASE_URI", hide = true)]
    pub(crate) sdk_base_uri: Option<String>,

    /// Users per search page (1 to 1000).
    #[arg(long, env = "BATON_USER_PAGE_SIZE", default_value_t = descope_connector::DEFAULT_USER_PAGE_SIZE)]
    pub(crate) user_page_size: u32,

    /// User-search pages fetched at once (1 to 64).
    #[arg(long, env = "BATON_MAX_PARALLEL_FETCHES", default_value_t = descope_connector::DEFAULT_MAX_PARALLEL_FETCHES)]
    pub(crate) max_parallel_fetches: usize,

    /// Also sync Descope test users.
    #[arg(long, env = "BATON_INCLUDE_TEST_USERS", value_parser = parse_go_bool, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", default_value = "false")]
    pub(crate) include_test_users: bool,

    /// Also sync each user's last sign-in (one `user/history` request per 100 users).
    #[arg(long, env = "BATON_SYNC_LAST_LOGIN", value_parser = parse_go_bool, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", default_value = "false")]
    pub(crate) sync_last_login: bool,

    /// Also sync which outbound applications each user has connected (one
    /// `outbound/apps-with-user-token` request per user, and one more per tenant of the user).
    #[arg(long, env = "BATON_SYNC_OUTBOUND_CONNECTIONS", value_parser = parse_go_bool, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", default_value = "false")]
    pub(crate) sync_outbound_connections: bool,

    /// How far back (seconds) the event feed reads Descope's audit log again on every call, so
    /// records that become searchable late are still delivered, once [default: 300].
    #[arg(long, env = "BATON_EVENT_LOOKBACK_SECONDS", value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub(crate) event_lookback_seconds: Option<u64>,
    /// Ask every tenant for its SCIM/SSO groups, also those whose authType is none (one
    /// `group/all` request per tenant; by default only tenants with SSO are asked).
    #[arg(long, env = "BATON_GROUPS_OF_EVERY_TENANT", value_parser = parse_go_bool, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", default_value = "false")]
    pub(crate) groups_of_every_tenant: bool,

    /// Turn off the client-side rate limiter (Descope's documented limits otherwise).
    #[arg(long, env = "BATON_NO_RATE_LIMIT", value_parser = parse_go_bool, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", default_value = "false")]
    pub(crate) no_rate_limit: bool,

    /// Users each user-search page repeats of the page before, to catch users slipping between
    /// pages while the project changes (for measurements: 0 turns the check off).
    #[arg(long, env = "BATON_USER_PAGE_OVERLAP", hide = true, default_value_t = descope_connector::DEFAULT_USER_PAGE_OVERLAP)]
    pub(crate) user_page_overlap: u32,

    /// Descope's rate-limit windows shortened this many times (the emulator's `--rate-limit-scale`
    /// for benchmarks and tests; never against the real Descope).
    #[arg(
        long,
        env = "BATON_RATE_LIMIT_SCALE",
        hide = true,
        conflicts_with = "no_rate_limit"
    )]
    pub(crate) rate_limit_scale: Option<f64>,

    /// Run against an embedded Descope emulator serving a small demo project, instead of a real
    /// Descope project (no account needed; nothing real is read or changed).
    #[cfg(feature = "demo")]
    #[arg(long, env = "BATON_DEMO", value_parser = parse_go_bool, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", default_value = "false")]
    pub(crate) demo: bool,
}
