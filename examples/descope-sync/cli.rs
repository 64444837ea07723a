//! Command-line flags, following baton's conventions (each flag is also `BATON_<FLAG>` in the
//! environment; the Descope credentials are also read from the official SDKs' `DESCOPE_*` names).

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Sync a Descope project into a ConductorOne `.c1z` file, or grant and revoke access.
///
/// With no Descope credentials, syncs the demo project of an embedded Descope emulator.
#[derive(Debug, Parser)]
#[command(name = "descope-sync", version, about, long_about = None)]
pub(crate) struct Args {
    /// The .c1z file to write (sync) or read (grant, revoke).
    #[arg(short = 'f', long, env = "BATON_FILE", default_value = "sync.c1z")]
    pub(crate) file: PathBuf,

    /// What a sync writes: a .c1z file, or JSON Lines (to --file; `-` for standard output).
    #[arg(long, env = "BATON_OUTPUT", value_enum, default_value_t = Output::C1z)]
    pub(crate) output: Output,

    /// Grant this entitlement (an id from the .c1z) to --grant-principal.
    #[arg(long, env = "BATON_GRANT_ENTITLEMENT", requires_all = ["grant_principal", "grant_principal_type"], conflicts_with = "revoke_grant")]
    pub(crate) grant_entitlement: Option<String>,

    /// The resource id of the principal to grant to.
    #[arg(long, env = "BATON_GRANT_PRINCIPAL", requires = "grant_entitlement")]
    pub(crate) grant_principal: Option<String>,

    /// The resource type of the principal to grant to (`user`).
    #[arg(
        long,
        env = "BATON_GRANT_PRINCIPAL_TYPE",
        requires = "grant_entitlement"
    )]
    pub(crate) grant_principal_type: Option<String>,

    /// Revoke this grant (an id from the .c1z).
    #[arg(long, env = "BATON_REVOKE_GRANT")]
    pub(crate) revoke_grant: Option<String>,

    /// Allow changes in Descope: required before any grant or revoke.
    #[arg(short = 'p', long, env = "BATON_PROVISIONING")]
    pub(crate) provisioning: bool,

    /// Log level: error, warn, info, debug or trace.
    #[arg(long, env = "BATON_LOG_LEVEL", default_value = "info")]
    pub(crate) log_level: String,

    /// Descope project id (also DESCOPE_PROJECT_ID).
    #[arg(long, env = "BATON_DESCOPE_PROJECT_ID")]
    pub(crate) descope_project_id: Option<String>,

    /// Descope management key (also DESCOPE_MANAGEMENT_KEY). Prefer the environment: a flag shows in `ps`.
    #[arg(long, env = "BATON_DESCOPE_MANAGEMENT_KEY", hide_env_values = true)]
    pub(crate) descope_management_key: Option<String>,

    /// Both at once, as `ProjectID:ManagementKey` (the form ConductorOne asks for).
    #[arg(long, env = "BATON_DESCOPE_CREDENTIALS", hide_env_values = true, conflicts_with_all = ["descope_project_id", "descope_management_key"])]
    pub(crate) descope_credentials: Option<String>,

    /// Descope API base URL (also DESCOPE_BASE_URL or DESCOPE_BASE_URI). Default: derived from the project id.
    #[arg(long, env = "BATON_DESCOPE_BASE_URL")]
    pub(crate) descope_base_url: Option<String>,

    /// Users per search page.
    #[arg(long, env = "BATON_USER_PAGE_SIZE", default_value_t = descope_connector::DEFAULT_USER_PAGE_SIZE)]
    pub(crate) user_page_size: u32,

    /// Search pages fetched at once.
    #[arg(long, env = "BATON_MAX_PARALLEL_FETCHES", default_value_t = descope_connector::DEFAULT_MAX_PARALLEL_FETCHES)]
    pub(crate) max_parallel_fetches: usize,

    /// Also sync test users.
    #[arg(long, env = "BATON_INCLUDE_TEST_USERS")]
    pub(crate) include_test_users: bool,

    /// Turn off the client-side rate limiter (Descope's documented limits otherwise).
    #[arg(long, env = "BATON_NO_RATE_LIMIT")]
    pub(crate) no_rate_limit: bool,

    /// Engine concurrency (resources, entitlements and grants listed at once).
    #[arg(long, env = "BATON_WORKERS", default_value_t = 6)]
    pub(crate) workers: usize,

    /// How often (ms) an unfinished sync is checkpointed into the file; for tests.
    #[arg(
        long,
        env = "BATON_CHECKPOINT_INTERVAL_MS",
        default_value_t = 10_000,
        hide = true
    )]
    pub(crate) checkpoint_interval_ms: u64,
}

/// Output format of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// A ConductorOne .c1z file (v1: zstd-compressed SQLite).
    C1z,
    /// JSON Lines, one object a line.
    Jsonl,
}

impl Args {
    /// The project id: flag or `BATON_` variable, else `DESCOPE_PROJECT_ID`.
    pub(crate) fn project_id(&self) -> Option<String> {
        self.descope_project_id
            .clone()
            .or_else(|| env_nonempty("DESCOPE_PROJECT_ID"))
    }

    /// The management key: flag or `BATON_` variable, else `DESCOPE_MANAGEMENT_KEY`.
    pub(crate) fn management_key(&self) -> Option<String> {
        self.descope_management_key
            .clone()
            .or_else(|| env_nonempty("DESCOPE_MANAGEMENT_KEY"))
    }

    /// The base URL: flag or `BATON_` variable, else `DESCOPE_BASE_URL`, else `DESCOPE_BASE_URI`.
    pub(crate) fn base_url(&self) -> Option<String> {
        self.descope_base_url
            .clone()
            .or_else(|| env_nonempty("DESCOPE_BASE_URL"))
            .or_else(|| env_nonempty("DESCOPE_BASE_URI"))
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
