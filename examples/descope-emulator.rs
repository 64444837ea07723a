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

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use descope_emulator::{Dataset, DuplicateMode, Emulator, Faults, GenSpec, RateLimits};

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

impl Args {
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
            seed: self.seed.unwrap_or(d.seed),
            ..d
        }))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
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
        .seed(args.seed.unwrap_or(0));
    if let Some(scale) = args.rate_limit_scale {
        anyhow::ensure!(
            scale > 0.0 && scale.is_finite(),
            "--rate-limit-scale must be a positive number"
        );
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
