//! Runs the Descope Management API emulator on 127.0.0.1 until Ctrl-C.
//!
//! ```text
//! cargo run --example descope-emulator -- --demo
//! cargo run --example descope-emulator -- --users 10000 --tenants 50 --rate-limit-scale 10
//! cargo run --example descope-emulator -- --dataset data.json --port 8787
//! ```
//!
//! It prints one line, `descope-emulator listening on http://127.0.0.1:PORT (project P..., key K...)`;
//! point a client (or `DESCOPE_BASE_URL`, `DESCOPE_PROJECT_ID`, `DESCOPE_MANAGEMENT_KEY`) at it.
//! The key is the emulator's own, not a real secret, which is why it is printed.
//!
//! Flags that would do nothing (`--demo --users 5`: the demo dataset has a fixed size) and
//! knobs out of range (`--fault-server-error 2`) are refused with a message and exit code 2.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser};
use descope_emulator::{
    Dataset, DuplicateMode, Emulator, Faults, GenSpec, HistoryShape, RateLimits,
};

/// A local, in-memory Descope Management API.
#[derive(Debug, Parser)]
#[command(name = "descope-emulator", version, about)]
struct Args {
    /// Serve the small demo dataset (36 users, three tenants). The default when no size,
    /// `--dataset` or `--seed` is given.
    #[arg(long, conflicts_with = "dataset")]
    demo: bool,
    /// Load the dataset from this JSON file (as written by `--save-dataset`).
    #[arg(long, env = "DESCOPE_EMULATOR_DATASET")]
    dataset: Option<PathBuf>,
    /// Write the served dataset to this JSON file before serving.
    #[arg(long)]
    save_dataset: Option<PathBuf>,
    /// Users to generate.
    #[arg(long, env = "DESCOPE_EMULATOR_USERS")]
    users: Option<usize>,
    /// Tenants to generate.
    #[arg(long)]
    tenants: Option<usize>,
    /// Project roles to generate.
    #[arg(long)]
    project_roles: Option<usize>,
    /// Tenant-scoped roles to generate per tenant.
    #[arg(long)]
    tenant_roles: Option<usize>,
    /// Permissions to generate.
    #[arg(long)]
    permissions: Option<usize>,
    /// Test users among the generated users.
    #[arg(long)]
    test_users: Option<usize>,
    /// SSO applications to generate (about half the users then list some in `ssoAppIds`).
    #[arg(long)]
    sso_apps: Option<usize>,
    /// Most sign-ins per generated user, with their audit records (0: no sign-ins, no audit).
    #[arg(long)]
    logins_per_user: Option<usize>,
    /// Tenants with SSO (and so groups), spread evenly (default: two in three).
    #[arg(long)]
    sso_tenants: Option<usize>,
    /// Tenants without SSO that hold SCIM groups anyway (the other reading of an undocumented
    /// behaviour).
    #[arg(long)]
    scim_tenants_without_sso: Option<usize>,
    /// Seed of the generator and of the server's jitter and faults.
    #[arg(long)]
    seed: Option<u64>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, env = "DESCOPE_EMULATOR_PORT", default_value_t = 0)]
    port: u16,
    /// Fixed latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Random extra latency, uniform in 0..=jitter, in milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Enable Descope's rate limits, with windows and lock-outs divided by this factor
    /// (1 = the real numbers; 10 = 200 searches per 6 s). Off when absent.
    #[arg(long)]
    rate_limit_scale: Option<f64>,
    /// Answer duplicate role/tenant adds and removals of missing ones with a 400 instead of a
    /// silent success.
    #[arg(long)]
    duplicate_error: bool,
    /// `GET /v1/mgmt/role/all` lists project roles only; tenant roles come back only from
    /// `role/search` with their tenant in `tenantIds`.
    #[arg(long)]
    tenant_roles_only_in_search: bool,
    /// Silently cap the user-search `limit` at this many users (`total` stays honest).
    #[arg(long)]
    user_search_max_limit: Option<usize>,
    /// User search ignores `offset` and pages by `page * limit` only, like an older backend.
    #[arg(long)]
    ignore_search_offset: bool,
    /// User search's `fromModifiedTime` matches users modified strictly after it (by default at
    /// or after it).
    #[arg(long)]
    from_modified_time_exclusive: bool,
    /// A change to a user's roles, tenants or SSO applications alone leaves its modified time
    /// where it was (by default it moves it).
    #[arg(long)]
    assignment_changes_keep_modified: bool,
    /// `POST /v1/mgmt/user/history` answers `{"usersAuthHistory":[...]}` instead of a bare array.
    #[arg(long)]
    history_wrapped: bool,
    /// Refuse `POST /v1/mgmt/user/history` calls with more than this many user ids (400).
    #[arg(long)]
    history_max_ids: Option<usize>,
    /// Refuse role and access key searches with more than this many `tenantIds` (400).
    #[arg(long)]
    search_max_tenant_ids: Option<usize>,
    /// Probability of an injected 500/503.
    #[arg(long, default_value_t = 0.0)]
    fault_server_error: f64,
    /// Probability of an injected 429.
    #[arg(long, default_value_t = 0.0)]
    fault_rate_limit: f64,
    /// Probability of a dropped connection.
    #[arg(long, default_value_t = 0.0)]
    fault_drop: f64,
    /// Probability of a truncated response body.
    #[arg(long, default_value_t = 0.0)]
    fault_truncate: f64,
    /// Project id to accept.
    #[arg(long, env = "DESCOPE_EMULATOR_PROJECT_ID")]
    project_id: Option<String>,
    /// Management key to accept.
    #[arg(long, env = "DESCOPE_EMULATOR_MANAGEMENT_KEY", hide_env_values = true)]
    management_key: Option<String>,
}

/// The longest rate-limit scale: Descope's 60 s windows divided by it must stay at least 1 ms.
const MAX_RATE_LIMIT_SCALE: f64 = 60_000.0;

impl Args {
    /// The generator flags given, by their command-line names.
    fn generator_flags(&self) -> Vec<&'static str> {
        [
            ("--users", self.users.is_some()),
            ("--tenants", self.tenants.is_some()),
            ("--project-roles", self.project_roles.is_some()),
            ("--tenant-roles", self.tenant_roles.is_some()),
            ("--permissions", self.permissions.is_some()),
            ("--test-users", self.test_users.is_some()),
            ("--sso-apps", self.sso_apps.is_some()),
            ("--logins-per-user", self.logins_per_user.is_some()),
            ("--sso-tenants", self.sso_tenants.is_some()),
            (
                "--scim-tenants-without-sso",
                self.scim_tenants_without_sso.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    /// Refuses flags that would do nothing and knobs out of range, saying what to change.
    fn validate(&self) -> Result<(), String> {
        let generator = self.generator_flags();
        if !generator.is_empty() {
            let source = if self.demo {
                Some("--demo serves the fixed demo dataset")
            } else if self.dataset.is_some() {
                Some("--dataset serves the dataset in the file")
            } else {
                None
            };
            if let Some(source) = source {
                return Err(format!(
                    "{source}, so {} would be ignored; drop one or the other \
                     (DESCOPE_EMULATOR_USERS sets --users too)",
                    generator.join(", ")
                ));
            }
        }
        let d = GenSpec::default();
        let users = self.users.unwrap_or(d.users);
        if let Some(test) = self.test_users.filter(|&t| t > users) {
            return Err(format!(
                "--test-users {test} is more than the {users} users generated; \
                 raise --users or lower --test-users"
            ));
        }
        if self.tenant_roles.is_some_and(|r| r > 0) && self.tenants == Some(0) {
            return Err("--tenant-roles gives roles to each tenant, but --tenants is 0".to_owned());
        }
        let faults = [
            ("--fault-server-error", self.fault_server_error),
            ("--fault-rate-limit", self.fault_rate_limit),
            ("--fault-drop", self.fault_drop),
            ("--fault-truncate", self.fault_truncate),
        ];
        for (flag, p) in faults {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "{flag} is a probability and must be within 0..=1, not {p}"
                ));
            }
        }
        let sum: f64 = faults.iter().map(|(_, p)| p).sum();
        if sum > 1.0 {
            return Err(format!(
                "the fault probabilities add up to {sum}, more than 1; at most one fault hits \
                 a request, so lower them"
            ));
        }
        if let Some(scale) = self.rate_limit_scale
            && !(scale > 0.0 && scale <= MAX_RATE_LIMIT_SCALE)
        {
            return Err(format!(
                "--rate-limit-scale divides Descope's 60 s windows and must be above 0 and at \
                 most {MAX_RATE_LIMIT_SCALE} (a 1 ms window), not {scale}"
            ));
        }
        if self.user_search_max_limit == Some(0) {
            return Err(
                "--user-search-max-limit must be at least 1 (leave it out for no cap)".to_owned(),
            );
        }
        if self.history_max_ids == Some(0) {
            return Err(
                "--history-max-ids must be at least 1 (leave it out for no maximum)".to_owned(),
            );
        }
        if self.search_max_tenant_ids == Some(0) {
            return Err(
                "--search-max-tenant-ids must be at least 1 (leave it out for no maximum)"
                    .to_owned(),
            );
        }
        Ok(())
    }

    fn dataset(&self) -> anyhow::Result<Dataset> {
        if let Some(path) = &self.dataset {
            return Dataset::load(path)
                .with_context(|| format!("loading dataset {}", path.display()));
        }
        let sized = self.users.is_some()
            || self.tenants.is_some()
            || self.project_roles.is_some()
            || self.tenant_roles.is_some()
            || self.permissions.is_some()
            || self.test_users.is_some()
            || self.sso_apps.is_some()
            || self.logins_per_user.is_some()
            || self.sso_tenants.is_some()
            || self.scim_tenants_without_sso.is_some()
            || self.seed.is_some();
        if self.demo || !sized {
            return Ok(Dataset::demo());
        }
        let d = GenSpec::default();
        Ok(Dataset::generate(&GenSpec {
            users: self.users.unwrap_or(d.users),
            tenants: self.tenants.unwrap_or(d.tenants),
            project_roles: self.project_roles.unwrap_or(d.project_roles),
            tenant_roles: self.tenant_roles.unwrap_or(d.tenant_roles),
            permissions: self.permissions.unwrap_or(d.permissions),
            test_users: self.test_users.unwrap_or(d.test_users),
            sso_apps: self.sso_apps.unwrap_or(d.sso_apps),
            logins_per_user: self.logins_per_user.unwrap_or(d.logins_per_user),
            sso_tenants: self.sso_tenants.or(d.sso_tenants),
            scim_tenants_without_sso: self
                .scim_tenants_without_sso
                .unwrap_or(d.scim_tenants_without_sso),
            seed: self.seed.unwrap_or(d.seed),
            ..d
        }))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Err(message) = args.validate() {
        // A usage error: clap prints it with the usage line and exits with code 2.
        Args::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    let data = args.dataset()?;
    if let Some(path) = &args.save_dataset {
        data.save(path)
            .with_context(|| format!("saving dataset to {}", path.display()))?;
    }
    let mut builder = Emulator::builder()
        .dataset(data)
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .latency(
            Duration::from_millis(args.latency_ms),
            Duration::from_millis(args.jitter_ms),
        )
        .faults(Faults {
            server_error: args.fault_server_error,
            rate_limit: args.fault_rate_limit,
            drop_connection: args.fault_drop,
            truncate_body: args.fault_truncate,
        })
        .seed(args.seed.unwrap_or(0))
        .tenant_roles_only_in_search(args.tenant_roles_only_in_search)
        .user_search_max_limit(args.user_search_max_limit)
        .ignore_search_offset(args.ignore_search_offset)
        .from_modified_time_exclusive(args.from_modified_time_exclusive)
        .assignment_changes_bump_modified(!args.assignment_changes_keep_modified)
        .history_max_ids(args.history_max_ids)
        .search_max_tenant_ids(args.search_max_tenant_ids);
    if args.history_wrapped {
        builder = builder.history_shape(HistoryShape::Wrapped);
    }
    if let Some(scale) = args.rate_limit_scale {
        builder = builder.rate_limits(RateLimits::descope().scaled(scale));
    }
    if args.duplicate_error {
        builder = builder.duplicates(DuplicateMode::Error);
    }
    if let Some(p) = &args.project_id {
        builder = builder.project_id(p.clone());
    }
    if let Some(k) = &args.management_key {
        builder = builder.management_key(k.clone());
    }
    let emu = builder
        .start()
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    println!(
        "descope-emulator listening on {} (project {}, key {})",
        emu.base_url(),
        emu.project_id(),
        emu.management_key()
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    let c = emu.counters();
    eprintln!(
        "descope-emulator: {} requests, {} rate-limited, {} faults; shutting down",
        c.requests, c.rate_limited, c.faults
    );
    emu.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str]) -> Result<(), String> {
        let args =
            Args::try_parse_from(std::iter::once("descope-emulator").chain(args.iter().copied()))
                .map_err(|e| format!("clap: {e}"))?;
        args.validate()
    }

    fn refused(args: &[&str], says: &str) {
        match check(args) {
            Ok(()) => panic!("{args:?} was accepted"),
            Err(e) => assert!(e.contains(says), "{args:?}: {e}"),
        }
    }

    #[test]
    fn useful_flags_are_accepted() {
        for ok in [
            &[][..],
            &["--demo"],
            &["--demo", "--seed", "3", "--latency-ms", "5"],
            &["--users", "100", "--tenants", "4", "--test-users", "100"],
            &["--seed", "9"],
            &["--dataset", "d.json", "--seed", "1"],
            &["--fault-server-error", "0.5", "--fault-drop", "0.5"],
            &["--fault-truncate", "1"],
            &["--rate-limit-scale", "10"],
            &["--rate-limit-scale", "60000"],
            &["--tenants", "0"],
            &["--user-search-max-limit", "100", "--ignore-search-offset"],
            &[
                "--from-modified-time-exclusive",
                "--assignment-changes-keep-modified",
            ],
            &["--tenant-roles-only-in-search", "--duplicate-error"],
            &["--sso-apps", "4", "--logins-per-user", "3"],
            &["--demo", "--history-wrapped", "--history-max-ids", "100"],
        ] {
            assert_eq!(check(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn flags_that_do_nothing_are_refused() {
        refused(
            &["--demo", "--users", "5"],
            "--demo serves the fixed demo dataset, so --users",
        );
        refused(
            &["--demo", "--tenants", "2", "--permissions", "3"],
            "--tenants, --permissions",
        );
        refused(
            &["--dataset", "d.json", "--test-users", "1"],
            "--dataset serves",
        );
        refused(
            &["--users", "5", "--test-users", "6"],
            "--test-users 6 is more than the 5",
        );
        refused(&["--test-users", "51"], "more than the 50 users");
        refused(&["--tenants", "0", "--tenant-roles", "2"], "--tenants is 0");
        refused(&["--demo", "--sso-apps", "2"], "--sso-apps");
        refused(
            &["--dataset", "d.json", "--logins-per-user", "2"],
            "--logins-per-user",
        );
    }

    #[test]
    fn knobs_out_of_range_are_refused() {
        refused(
            &["--fault-server-error", "2"],
            "--fault-server-error is a probability",
        );
        refused(&["--fault-rate-limit=-0.1"], "--fault-rate-limit");
        refused(&["--fault-drop", "NaN"], "--fault-drop");
        refused(
            &["--fault-server-error", "0.6", "--fault-truncate", "0.6"],
            "add up to",
        );
        refused(&["--rate-limit-scale", "0"], "--rate-limit-scale");
        refused(&["--rate-limit-scale=-2"], "--rate-limit-scale");
        refused(&["--rate-limit-scale", "inf"], "--rate-limit-scale");
        refused(&["--rate-limit-scale", "1e9"], "1 ms window");
        refused(&["--user-search-max-limit", "0"], "at least 1");
        refused(
            &["--history-max-ids", "0"],
            "--history-max-ids must be at least 1",
        );
        // Negative durations and counts do not parse at all (clap exits with code 2).
        refused(&["--latency-ms=-5"], "clap");
        refused(&["--jitter-ms", "-1"], "clap");
        refused(&["--users=-1"], "clap");
    }
}
