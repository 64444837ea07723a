//! baton's command line, generic over a connector's own flags.
//!
//! Every flag is also read from the environment as `BATON_<FLAG>` (dashes become underscores),
//! as baton-sdk's viper configuration does. A connector adds its own flags with a clap
//! [`Args`] struct that is flattened next to these.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The whole command line of a connector program: baton's flags, the connector's own, and the
/// subcommands every connector gets.
#[derive(Debug, Clone, Parser)]
#[command(version, propagate_version = true, disable_help_subcommand = true)]
#[non_exhaustive]
pub struct Cli<A: Args> {
    /// baton's flags.
    #[command(flatten)]
    pub baton: BatonArgs,

    /// The connector's own flags.
    #[command(flatten)]
    pub connector: A,

    /// A subcommand; none runs the connector (a sync, a one-shot change, or service mode).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands every connector program has.
#[derive(Debug, Clone, Subcommand)]
#[non_exhaustive]
pub enum Command {
    /// Print the connector's resource types and capabilities as JSON (baton's `capabilities`).
    Capabilities,
    /// Print the connector's configuration fields as JSON (baton's `config`).
    Config,
    /// Print a shell completion script.
    Completion {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The output format of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
#[non_exhaustive]
pub enum OutputFormat {
    /// A ConductorOne `.c1z` file (v1: zstd-compressed SQLite), what `baton` reads.
    #[default]
    C1z,
    /// JSON Lines: one resource type, resource, entitlement or grant a line, with the field
    /// names of `baton … -o json`.
    Jsonl,
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
#[non_exhaustive]
pub enum LogFormat {
    /// Human-readable lines (coloured only when standard error is a terminal).
    #[default]
    Console,
    /// One JSON object a line, for log collectors.
    Json,
}

/// The five log levels. Anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
#[non_exhaustive]
pub enum LogLevel {
    /// Failures only.
    Error,
    /// Failures and warnings.
    Warn,
    /// What the program does (the default).
    #[default]
    Info,
    /// Details, every API request included.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// The level as `tracing` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// baton's flags (baton-sdk `pkg/field/defaults.go`), as far as this runner implements them.
#[derive(Debug, Clone, Args)]
#[non_exhaustive]
pub struct BatonArgs {
    /// The .c1z file a sync writes, and one-shot grants and revokes read
    /// [default: sync.c1z, or sync.jsonl with --output jsonl; `-` is standard output for JSON Lines]
    #[arg(short = 'f', long, env = "BATON_FILE", global = true)]
    pub file: Option<PathBuf>,

    /// What a sync writes.
    #[arg(long, env = "BATON_OUTPUT", value_enum, default_value_t = OutputFormat::C1z)]
    pub output: OutputFormat,

    /// The log level.
    #[arg(long, env = "BATON_LOG_LEVEL", value_enum, default_value_t = LogLevel::Info, global = true)]
    pub log_level: LogLevel,

    /// The output format of logs (on standard error).
    #[arg(long, env = "BATON_LOG_FORMAT", value_enum, default_value_t = LogFormat::Console, global = true)]
    pub log_format: LogFormat,

    /// Allow changes in the connected system: required for grants, revokes and every other change.
    #[arg(
        short = 'p',
        long,
        env = "BATON_PROVISIONING",
        value_parser = parse_go_bool,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "false",
    )]
    pub provisioning: bool,

    /// Grant this entitlement (an id from the .c1z) to --grant-principal.
    #[arg(long, env = "BATON_GRANT_ENTITLEMENT", requires_all = ["grant_principal", "grant_principal_type"], conflicts_with = "revoke_grant")]
    pub grant_entitlement: Option<String>,

    /// The resource id of the principal to grant to.
    #[arg(long, env = "BATON_GRANT_PRINCIPAL", requires = "grant_entitlement")]
    pub grant_principal: Option<String>,

    /// The resource type of the principal to grant to.
    #[arg(
        long,
        env = "BATON_GRANT_PRINCIPAL_TYPE",
        requires = "grant_entitlement"
    )]
    pub grant_principal_type: Option<String>,

    /// Revoke this grant (an id from the .c1z).
    #[arg(long, env = "BATON_REVOKE_GRANT")]
    pub revoke_grant: Option<String>,

    /// Sync only these resource types (comma-separated ids).
    #[arg(long, env = "BATON_SYNC_RESOURCE_TYPES", value_delimiter = ',')]
    pub sync_resource_types: Vec<String>,

    /// Sync resources only: no entitlements and no grants.
    #[arg(
        long,
        env = "BATON_SKIP_ENTITLEMENTS_AND_GRANTS",
        value_parser = parse_go_bool,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "false",
    )]
    pub skip_entitlements_and_grants: bool,

    /// The directory for temporary files (default: the system's temporary directory).
    #[arg(long, env = "BATON_C1Z_TEMP_DIR")]
    pub c1z_temp_dir: Option<PathBuf>,

    /// Connector calls in flight at once during a sync.
    #[arg(long, env = "BATON_WORKERS", default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: u16,

    /// Service mode: the client id ConductorOne gives the connector. With it, the program takes
    /// its work (syncs, grants, revokes) from ConductorOne instead of running once.
    #[cfg(feature = "service")]
    #[arg(long, env = "BATON_CLIENT_ID")]
    pub client_id: Option<String>,

    /// Service mode: the client secret that goes with --client-id. Prefer the environment: a
    /// flag shows in `ps`.
    #[cfg(feature = "service")]
    #[arg(long, env = "BATON_CLIENT_SECRET", hide_env_values = true, value_parser = secret)]
    pub client_secret: Option<secrecy::SecretString>,

    /// Service mode: how many tasks run at once (1 to 100).
    #[cfg(feature = "service")]
    #[arg(long, env = "BATON_TASK_CONCURRENCY", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub task_concurrency: u16,

    /// Service mode: serve /health, /ready and /live over HTTP for probes.
    #[cfg(feature = "service")]
    #[arg(
        long,
        env = "BATON_HEALTH_CHECK",
        value_parser = parse_go_bool,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "false",
    )]
    pub health_check: bool,

    /// Service mode: the health-check port.
    #[cfg(feature = "service")]
    #[arg(long, env = "BATON_HEALTH_CHECK_PORT", default_value_t = 8081)]
    pub health_check_port: u16,

    /// Service mode: the address the health check listens on.
    #[cfg(feature = "service")]
    #[arg(
        long,
        env = "BATON_HEALTH_CHECK_BIND_ADDRESS",
        default_value = "127.0.0.1"
    )]
    pub health_check_bind_address: std::net::IpAddr,

    /// Service mode: answer full-sync tasks with an empty sync (baton's --skip-full-sync).
    #[cfg(feature = "service")]
    #[arg(
        long,
        env = "BATON_SKIP_FULL_SYNC",
        value_parser = parse_go_bool,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value = "false",
    )]
    pub skip_full_sync: bool,

    /// How far apart saves of an unfinished sync are, as a multiple of the last save's
    /// duration (0 = at every checkpoint, phase boundaries included); for tests.
    #[arg(long, env = "BATON_CHECKPOINT_SAVE_SPACING", hide = true)]
    pub checkpoint_save_spacing: Option<u32>,

    /// How often (ms) an unfinished sync is checkpointed into the partial file; for tests.
    #[arg(
        long,
        env = "BATON_CHECKPOINT_INTERVAL_MS",
        default_value_t = 10_000,
        hide = true
    )]
    pub checkpoint_interval_ms: u64,
}

#[cfg(feature = "service")]
fn secret(value: &str) -> Result<secrecy::SecretString, std::convert::Infallible> {
    Ok(secrecy::SecretString::from(value.to_owned()))
}

impl BatonArgs {
    /// Whether service mode was asked for (a client id or secret is set, as in baton-sdk).
    pub fn service_mode(&self) -> bool {
        #[cfg(feature = "service")]
        {
            self.client_id.as_deref().is_some_and(|s| !s.is_empty()) || self.client_secret.is_some()
        }
        #[cfg(not(feature = "service"))]
        {
            false
        }
    }
}

/// A boolean the way baton reads one (Go's `strconv.ParseBool`): `1`, `t`, `T`, `TRUE`, `true`,
/// `True`, `0`, `f`, `F`, `FALSE`, `false`, `False`. Anything else is an error, not `true`.
pub fn parse_go_bool(value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(format!(
            "'{other}' is not a boolean: use true or false (also 1/0, t/f, TRUE/FALSE)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_booleans() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(t), Ok(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(f), Ok(false), "{f}");
        }
        for bad in ["", "yes", "on", "tRuE", "2", " true"] {
            assert!(parse_go_bool(bad).is_err(), "{bad:?}");
        }
    }
}
