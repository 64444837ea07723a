//! Sync benchmark: a full Descope sync against the emulator running in a separate process.
//!
//! ```sh
//! cargo run --release --example bench-sync -- --workload w1 --compare-sequential
//! cargo run --release --example bench-sync -- --workload w2
//! cargo run --release --example bench-sync -- --workload w3
//! cargo run --release --example bench-sync -- --users 5000 --latency-ms 10
//! ```
//!
//! The emulator runs in a child process (this binary, re-executed with `--serve-emulator`), so the
//! peak RSS reported is the sync's alone. Each run prints one Markdown table row; see
//! docs/BENCHMARKS.md for what the columns mean.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::store::C1zWriter;
use clap::{Parser, ValueEnum};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_emulator::{Dataset, Emulator, GenSpec, RateLimits};
use descope_mgmt::{RateLimitConfig, RateWindow};
use secrecy::SecretString;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Workload {
    /// Latency-bound: 20,000 users, 20 ms latency, no rate limit.
    W1,
    /// Rate-bound: 50,000 users, Descope's limits ten times faster, 10 ms latency.
    W2,
    /// Scale: 200,000 users, about a million grants (two extra tenants per user), no latency.
    W3,
}

/// Benchmark a full Descope sync against a separate emulator process.
#[derive(Debug, Clone, Parser)]
struct Args {
    /// A preset workload (its sizes and knobs override the flags below).
    #[arg(long, value_enum)]
    workload: Option<Workload>,
    #[arg(long, default_value_t = 5_000)]
    users: usize,
    #[arg(long, default_value_t = 50)]
    tenants: usize,
    #[arg(long, default_value_t = 20)]
    project_roles: usize,
    /// Extra tenant memberships per user (more grants per user).
    #[arg(long, default_value_t = 0)]
    extra_tenants_per_user: usize,
    /// Tenant-scoped roles per tenant.
    #[arg(long, default_value_t = 1)]
    tenant_roles: usize,
    #[arg(long, default_value_t = 30)]
    permissions: usize,
    /// Emulator latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Descope's rate limits sped up this many times (0: no rate limit).
    #[arg(long, default_value_t = 0.0)]
    rate_limit_scale: f64,
    /// User-search pages in flight at once.
    #[arg(long, default_value_t = descope_connector::DEFAULT_MAX_PARALLEL_FETCHES)]
    parallel_fetches: usize,
    /// Also run the same sync with one fetch at a time, as the official SDKs page.
    #[arg(long)]
    compare_sequential: bool,
    /// Skip the zero-latency run (used for the bound).
    #[arg(long)]
    no_baseline: bool,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the last run's .c1z at this path (for inspection).
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
    /// Internal: serve the emulator in this process (the benchmark's child).
    #[arg(long, hide = true)]
    serve_emulator: bool,
}

impl Args {
    fn apply_workload(mut self) -> Self {
        let (users, tenants, project_roles, tenant_roles, permissions, latency, scale) =
            match self.workload {
                None => return self,
                // `tenant_roles` is per tenant: one each gives W1's 200 tenant roles.
                Some(Workload::W1) => (20_000, 200, 60, 1, 80, 20, 0.0),
                Some(Workload::W2) => (50_000, 200, 60, 1, 80, 10, 10.0),
                Some(Workload::W3) => (200_000, 200, 60, 1, 80, 0, 0.0),
            };
        self.users = users;
        self.tenants = tenants;
        self.project_roles = project_roles;
        self.tenant_roles = tenant_roles;
        self.permissions = permissions;
        self.latency_ms = latency;
        self.rate_limit_scale = scale;
        if let Some(Workload::W3) = self.workload {
            // About a million grants: two more tenant memberships per user (with their roles).
            self.extra_tenants_per_user = 2;
        }
        self
    }

    fn spec(&self) -> GenSpec {
        GenSpec {
            users: self.users,
            tenants: self.tenants,
            project_roles: self.project_roles,
            tenant_roles: self.tenant_roles,
            permissions: self.permissions,
            test_users: 0,
            extra_tenants_per_user: self.extra_tenants_per_user,
            seed: self.seed,
            ..GenSpec::default()
        }
    }
}

/// The emulator child process; killed on drop.
struct EmulatorProcess {
    child: Child,
    base_url: String,
    project_id: String,
    key: String,
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_emulator(args: &Args, latency_ms: u64) -> Result<EmulatorProcess> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .args(["--serve-emulator", "--seed", &args.seed.to_string()])
        .args([
            "--users",
            &args.users.to_string(),
            "--tenants",
            &args.tenants.to_string(),
        ])
        .args(["--project-roles", &args.project_roles.to_string()])
        .args(["--tenant-roles", &args.tenant_roles.to_string()])
        .args([
            "--extra-tenants-per-user",
            &args.extra_tenants_per_user.to_string(),
        ])
        .args(["--permissions", &args.permissions.to_string()])
        .args(["--latency-ms", &latency_ms.to_string()])
        .args(["--rate-limit-scale", &args.rate_limit_scale.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the emulator process")?;
    let stdout = child.stdout.take().context("emulator stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    // "READY <url> <project> <key>"
    let parts: Vec<&str> = line.split_whitespace().collect();
    let ["READY", url, project, key] = parts.as_slice() else {
        bail!("the emulator process did not start: {line:?}");
    };
    Ok(EmulatorProcess {
        base_url: (*url).to_owned(),
        project_id: (*project).to_owned(),
        key: (*key).to_owned(),
        child,
    })
}

async fn serve(args: &Args) -> Result<()> {
    let data = Dataset::generate(&args.spec());
    let mut builder = Emulator::builder()
        .dataset(data)
        .latency(Duration::from_millis(args.latency_ms), Duration::ZERO)
        .seed(args.seed);
    if args.rate_limit_scale > 0.0 {
        builder = builder.rate_limits(RateLimits::descope().scaled(args.rate_limit_scale));
    }
    let emu = builder.start().await?;
    println!(
        "READY {} {} {}",
        emu.base_url(),
        emu.project_id(),
        emu.management_key()
    );
    // Serve until the parent kills this process.
    std::future::pending::<()>().await;
    Ok(())
}

/// Descope's documented windows, sped up `scale` times (the client must match the server).
fn client_limits(scale: f64) -> RateLimitConfig {
    if scale <= 0.0 {
        return RateLimitConfig::disabled();
    }
    let period = Duration::from_secs_f64(60.0 / scale);
    RateLimitConfig::custom(RateWindow::new(200, period), RateWindow::new(100, period))
}

struct Run {
    wall: Duration,
    grants: u64,
    users: u64,
    requests: u64,
    searches: u64,
    rate_limited: u64,
    retries: u64,
    peak_rss_mb: f64,
    /// CPU time (user + system) of this process during the run, and of the emulator process.
    sync_cpu: f64,
    emulator_cpu: f64,
}

async fn run_once(args: &Args, parallel: usize) -> Result<Run> {
    let emu = spawn_emulator(args, args.latency_ms)?;
    let config = DescopeConfig::new(emu.project_id.clone(), SecretString::from(emu.key.clone()))?
        .with_base_url(emu.base_url.clone())
        .with_max_parallel_fetches(parallel)
        .with_rate_limit(client_limits(args.rate_limit_scale));
    let connector = Arc::new(DescopeConnector::new(config)?);
    let dir = tempfile::tempdir()?;
    reset_peak_rss();
    let cpu_before = cpu_seconds("self");
    let emulator_pid = emu.child.id().to_string();
    let emulator_before = cpu_seconds(&emulator_pid);
    let started = Instant::now();
    let mut store = C1zWriter::create(dir.path().join("bench.c1z"))?;
    // Time per engine phase (printed with RUST_LOG=info), to see where a run spends its time.
    let phases = std::sync::Mutex::new((None::<c1_connector_sdk::engine::Phase>, Instant::now()));
    let options = SyncOptions::default().with_progress(move |p| {
        if let Ok(mut current) = phases.lock()
            && current.0 != Some(p.phase)
        {
            if let Some(previous) = current.0 {
                tracing::info!(phase = ?previous, elapsed_ms = current.1.elapsed().as_millis() as u64, "phase done");
            }
            *current = (Some(p.phase), Instant::now());
        }
    });
    let stats = Syncer::new(connector.clone(), options)
        .run(&mut store)
        .await?;
    let wall = started.elapsed();
    if let Some(keep) = &args.keep {
        std::fs::copy(dir.path().join("bench.c1z"), keep)?;
    }
    let metrics = connector.client().metrics();
    Ok(Run {
        wall,
        grants: stats.grants,
        users: stats.resources_by_type.get("user").copied().unwrap_or(0),
        requests: metrics.requests,
        searches: stats
            .resources_by_type
            .get("user")
            .copied()
            .unwrap_or(0)
            .div_ceil(100),
        rate_limited: metrics.rate_limited,
        retries: metrics.retries + stats.retries,
        peak_rss_mb: peak_rss_mb(),
        sync_cpu: cpu_seconds("self") - cpu_before,
        emulator_cpu: cpu_seconds(&emulator_pid) - emulator_before,
    })
}

/// CPU time (user + system, seconds) of a process, from `/proc/<pid>/stat` (Linux; NaN elsewhere).
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return f64::NAN;
    };
    // Fields after the command name (which may contain spaces) start at field 3.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are fields 14 and 15 (indexes 11 and 12 here), in clock ticks (100 Hz).
    (ticks(11) + ticks(12)) / 100.0
}

/// Resets the kernel's peak-RSS counter of this process (Linux), so each run is measured alone.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size of this process in MB (`VmHWM`, Linux), or NaN elsewhere.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn row(label: &str, args: &Args, parallel: usize, run: &Run, zero: Option<Duration>) {
    let latency = Duration::from_millis(args.latency_ms);
    let pages = run.searches.max(1);
    let rounds = 1 + (pages - 1).div_ceil(parallel as u64);
    let latency_bound = latency.as_secs_f64() * rounds as f64;
    let rate_bound = if args.rate_limit_scale > 0.0 {
        pages as f64 / (200.0 / (60.0 / args.rate_limit_scale))
    } else {
        0.0
    };
    let zero_s = zero.map(|z| z.as_secs_f64());
    let bound = latency_bound.max(rate_bound) + zero_s.unwrap_or(0.0);
    let rate = if args.rate_limit_scale > 0.0 {
        format!("200/{:.0}s", 60.0 / args.rate_limit_scale)
    } else {
        "none".into()
    };
    println!(
        "| {label} | {} | {} | {} ms | {rate} | {parallel} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {:.0} | {:.2} | {} |",
        run.users,
        run.grants,
        args.latency_ms,
        run.wall.as_secs_f64(),
        run.sync_cpu,
        run.emulator_cpu,
        run.requests,
        run.rate_limited,
        run.retries,
        run.peak_rss_mb,
        bound,
        zero_s.map_or("-".into(), |z| format!("{z:.2}")),
    );
}

fn main() -> Result<()> {
    let args = Args::parse().apply_workload();
    // RUST_LOG=debug shows, for example, the .c1z writer's own timings.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if args.serve_emulator {
        return runtime.block_on(serve(&args));
    }
    runtime.block_on(async {
        let label = args.workload.map_or("custom".to_owned(), |w| format!("{w:?}"));
        println!(
            "| run | users | grants | latency | rate limit | fetches | wall s | sync CPU s | emulator CPU s | requests | 429s | retries | peak RSS MB | bound s | zero-latency s |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        let zero = if args.no_baseline {
            None
        } else {
            // The zero-latency run: no latency and no rate limit, the sync's own cost.
            let zero_args = Args { latency_ms: 0, rate_limit_scale: 0.0, ..args.clone() };
            let base = run_once(&zero_args, args.parallel_fetches).await?;
            row(&format!("{label} zero-latency"), &zero_args, args.parallel_fetches, &base, None);
            Some(base.wall)
        };
        let run = run_once(&args, args.parallel_fetches).await?;
        row(&label, &args, args.parallel_fetches, &run, zero);
        if args.compare_sequential {
            let seq = run_once(&args, 1).await?;
            row(&format!("{label} one fetch at a time"), &args, 1, &seq, zero);
            println!(
                "\nparallel vs one-at-a-time: {:.1}x faster",
                seq.wall.as_secs_f64() / run.wall.as_secs_f64()
            );
        }
        Ok(())
    })
}
