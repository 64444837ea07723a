//! Sync benchmark: a full sync by the `baton-descope` program against the emulator, each in a
//! process of its own, side by side with the official Descope Python SDK dumping the same data.
//!
//! ```sh
//! cargo build --release -p baton-descope          # the program measured
//! cargo run --release --example bench-sync -- --workload w1
//! cargo run --release --example bench-sync -- --workload w6 --documented-limits
//! cargo run --release --example bench-sync -- --users 5000 --latency-ms 10 --no-python
//! ```
//!
//! The emulator runs in a child process (this binary, re-executed with `--serve-emulator`) and the
//! sync in another (`baton-descope`, found next to this binary or given with `--program`), so the
//! peak RSS and CPU time reported are the sync program's alone (sampled from `/proc` while it
//! runs). Then a fresh emulator with the same data and knobs serves the official Python SDK
//! (`examples/python/official_sdk_dump.py`, with the SDK pinned in
//! tests/python/requirements.txt installed in target/py-sdk-venv), and the
//! row carries both wall times and their ratio. Each run prints one Markdown table row; see
//! docs/BENCHMARKS.md for the columns.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use descope_emulator::{Dataset, Emulator, GenSpec, RateLimits};

mod incremental;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// Latency-bound: 20,000 users, 200 tenants, 20 ms latency, no rate limit.
    W1,
    /// Rate-bound: 50,000 users, Descope's limits ten times faster, 10 ms latency.
    W2,
    /// Scale: 200,000 users, about a million grants (two extra tenants per user), no latency.
    W3,
    /// Large: 1,000,000 users, about 6 million grants (W3's shape), no latency.
    W4,
    /// Incremental: W4's project, a full sync, then 1,000 users changed and 100 deleted
    /// through the API, then an incremental sync from the full one and a fresh full sync,
    /// compared (see `incremental.rs`).
    W5,
    /// Many tenants: 100,000 users, 10,000 tenants of which 2% have SSO (and groups), 10
    /// project roles, 20 ms latency.
    W6,
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
    /// Tenants with SSO (and so groups); default: two in three.
    #[arg(long)]
    sso_tenants: Option<usize>,
    /// Tenants without SSO that hold SCIM groups anyway (the other reading of an undocumented
    /// behaviour; the program then needs `--groups-of-every-tenant` to sync them).
    #[arg(long, default_value_t = 0)]
    scim_tenants_without_sso: usize,
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
    /// Descope's documented rate limits, unscaled, in the emulator, and the program's limiter
    /// at its defaults (the documented values): the wall time a real project would see.
    #[arg(long, conflicts_with = "rate_limit_scale")]
    documented_limits: bool,
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
    /// Access keys in the project (default: 2,000 with a workload, otherwise none).
    #[arg(long)]
    access_keys: Option<usize>,
    /// SSO applications in the project (about half the users list one to three of them; the
    /// others none, which Descope reads as every app).
    #[arg(long, default_value_t = 0)]
    sso_apps: usize,
    /// Sync users' last sign-in (the program's `--sync-last-login`); the emulator's users then
    /// get up to three sign-ins each.
    #[arg(long)]
    sync_last_login: bool,
    /// Third-party (OAuth) applications in the project; about one user in six consents to one
    /// or two of them.
    #[arg(long, default_value_t = 0)]
    third_party_apps: usize,
    /// Outbound applications in the project; about one user in six holds a token for one or two.
    #[arg(long, default_value_t = 0)]
    outbound_apps: usize,
    /// Sync who is connected to the outbound applications (the program's
    /// `--sync-outbound-connections`: 1 + (the user's tenants) requests per user).
    #[arg(long)]
    sync_outbound_connections: bool,
    /// Sync only these resource types (the program's `--sync-resource-types`), e.g.
    /// `user,tenant,role,permission` to measure without access keys, groups and apps.
    #[arg(long)]
    sync_resource_types: Option<String>,
    /// Users each user page repeats of the one before (the program's hidden
    /// `--user-page-overlap`; 0 pages side by side, to measure what the overlap costs).
    #[arg(long)]
    user_page_overlap: Option<u32>,
    /// The emulator caps user-search pages at this many users (its `user_search_max_limit`).
    #[arg(long)]
    user_search_cap: Option<usize>,
    /// Ask every tenant for its groups (the program's `--groups-of-every-tenant`; the Python
    /// dump does the same).
    #[arg(long)]
    groups_of_every_tenant: bool,
    /// A targeted sync (the program's `--sync-resources`) instead of a full one, of the
    /// dataset's first resource of each of these types (`user`, `access_key`, `tenant`,
    /// comma-separated): the user and the key, and the tenant the user belongs to.
    #[arg(long, value_delimiter = ',')]
    targeted: Vec<String>,
    /// Keep the last run's .c1z at this path (for inspection).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// The `baton-descope` program to measure (default: next to this binary, i.e. built by
    /// `cargo build --release -p baton-descope`). An older build (another commit's
    /// `descope-sync` example) works as long as no flag it lacks is asked for.
    #[arg(long)]
    program: Option<PathBuf>,
    /// The row's label (default: the workload's name).
    #[arg(long)]
    label: Option<String>,
    /// The Python interpreter with the official SDK (default: target/py-sdk-venv/bin/python
    /// beside this binary's target directory).
    #[arg(long)]
    python: Option<PathBuf>,
    /// Do not run the Python SDK baseline.
    #[arg(long)]
    no_python: bool,
    /// Measure an incremental sync: a full sync, then `<changed>,<deleted>` users changed and
    /// deleted through the API, then an incremental sync from the full one and a fresh full
    /// sync, compared (W5 sets 1000,100).
    #[arg(long, value_delimiter = ',')]
    incremental: Option<Vec<usize>>,
    /// Internal: serve the emulator in this process (the benchmark's child).
    #[arg(long, hide = true)]
    serve_emulator: bool,
}

impl Args {
    fn apply_workload(mut self) -> Self {
        let Some(workload) = self.workload else {
            return self;
        };
        let (users, tenants, project_roles, tenant_roles, permissions, latency, scale) =
            match workload {
                // `tenant_roles` is per tenant: one each gives W1's 200 tenant roles.
                Workload::W1 => (20_000, 200, 60, 1, 80, 20, 0.0),
                Workload::W2 => (50_000, 200, 60, 1, 80, 10, 10.0),
                Workload::W3 => (200_000, 200, 60, 1, 80, 0, 0.0),
                Workload::W4 | Workload::W5 => (1_000_000, 200, 60, 1, 80, 0, 0.0),
                // Every project role is assignable within every tenant (a `role` resource per
                // tenant and project role): 10 project roles keep that at 110,000 roles.
                Workload::W6 => (100_000, 10_000, 10, 1, 80, 20, 0.0),
            };
        self.users = users;
        self.tenants = tenants;
        self.project_roles = project_roles;
        self.tenant_roles = tenant_roles;
        self.permissions = permissions;
        self.latency_ms = latency;
        if !self.documented_limits {
            self.rate_limit_scale = scale;
        }
        // A large project's keys: CI pipelines, integrations, tenant automation.
        self.access_keys.get_or_insert(2_000);
        match workload {
            // About a million grants: two more tenant memberships per user (with their roles).
            Workload::W3 | Workload::W4 | Workload::W5 => self.extra_tenants_per_user = 2,
            // 2% of the tenants with SSO.
            Workload::W6 => self.sso_tenants = Some(200),
            Workload::W1 | Workload::W2 => {}
        }
        if workload == Workload::W5 && self.incremental.is_none() {
            self.incremental = Some(vec![1_000, 100]);
        }
        self
    }

    fn spec(&self) -> GenSpec {
        GenSpec {
            users: self.users,
            tenants: self.tenants,
            sso_tenants: self.sso_tenants,
            scim_tenants_without_sso: self.scim_tenants_without_sso,
            project_roles: self.project_roles,
            tenant_roles: self.tenant_roles,
            permissions: self.permissions,
            test_users: 0,
            extra_tenants_per_user: self.extra_tenants_per_user,
            access_keys: self.access_keys.unwrap_or(0),
            sso_apps: self.sso_apps,
            third_party_apps: self.third_party_apps,
            outbound_apps: self.outbound_apps,
            logins_per_user: if self.sync_last_login { 3 } else { 0 },
            seed: self.seed,
            ..GenSpec::default()
        }
    }

    /// The emulator's rate limits.
    fn rate_limits(&self) -> Option<RateLimits> {
        if self.documented_limits {
            Some(RateLimits::descope())
        } else if self.rate_limit_scale > 0.0 {
            Some(RateLimits::descope().scaled(self.rate_limit_scale))
        } else {
            None
        }
    }

    /// The rate-limit column: `200/60s` for Descope's user-search window as configured.
    fn rate_label(&self) -> String {
        match (self.documented_limits, self.rate_limit_scale) {
            (true, _) => "documented".into(),
            (false, s) if s > 0.0 => format!("200/{:.0}s", 60.0 / s),
            _ => "none".into(),
        }
    }
}

/// The emulator child process; killed on drop.
struct EmulatorProcess {
    child: Child,
    base_url: String,
    project_id: String,
    key: String,
    /// `<type>:<id>` of the resources `--targeted` may pick.
    targets: Vec<String>,
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_emulator(args: &Args) -> Result<EmulatorProcess> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["--serve-emulator", "--seed", &args.seed.to_string()])
        .args(["--users", &args.users.to_string()])
        .args(["--tenants", &args.tenants.to_string()])
        .args([
            "--scim-tenants-without-sso",
            &args.scim_tenants_without_sso.to_string(),
        ])
        .args(["--project-roles", &args.project_roles.to_string()])
        .args(["--tenant-roles", &args.tenant_roles.to_string()])
        .args([
            "--extra-tenants-per-user",
            &args.extra_tenants_per_user.to_string(),
        ])
        .args(["--permissions", &args.permissions.to_string()])
        .args(["--access-keys", &args.access_keys.unwrap_or(0).to_string()])
        .args(["--sso-apps", &args.sso_apps.to_string()])
        .args(["--third-party-apps", &args.third_party_apps.to_string()])
        .args(["--outbound-apps", &args.outbound_apps.to_string()])
        .args(args.sync_last_login.then_some("--sync-last-login"))
        .args(["--latency-ms", &args.latency_ms.to_string()])
        .args(
            args.user_search_cap
                .map(|c| ["--user-search-cap".to_owned(), c.to_string()])
                .into_iter()
                .flatten(),
        );
    if let Some(n) = args.sso_tenants {
        cmd.args(["--sso-tenants", &n.to_string()]);
    }
    if args.documented_limits {
        cmd.arg("--documented-limits");
    } else {
        cmd.args(["--rate-limit-scale", &args.rate_limit_scale.to_string()]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the emulator process")?;
    let stdout = child.stdout.take().context("emulator stdout")?;
    let mut line = String::new();
    let mut reader = BufReader::new(stdout);
    reader.read_line(&mut line)?;
    // "READY <url> <project> <key>"
    let parts: Vec<&str> = line.split_whitespace().collect();
    let ["READY", url, project, key] = parts.as_slice() else {
        bail!("the emulator process did not start: {line:?}");
    };
    let mut targets = String::new();
    reader.read_line(&mut targets)?;
    let targets = targets
        .strip_prefix("TARGETS")
        .context("the emulator process named no targets")?
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    Ok(EmulatorProcess {
        base_url: (*url).to_owned(),
        project_id: (*project).to_owned(),
        key: (*key).to_owned(),
        targets,
        child,
    })
}

async fn serve(args: &Args) -> Result<()> {
    let data = Dataset::generate(&args.spec());
    let targets = targets_of(&data);
    let mut builder = Emulator::builder()
        .dataset(data)
        .latency(Duration::from_millis(args.latency_ms), Duration::ZERO)
        .seed(args.seed)
        .user_search_max_limit(args.user_search_cap);
    if let Some(limits) = args.rate_limits() {
        builder = builder.rate_limits(limits);
    }
    let emu = builder.start().await?;
    println!(
        "READY {} {} {}",
        emu.base_url(),
        emu.project_id(),
        emu.management_key()
    );
    println!("TARGETS {}", targets.join(" "));
    // Serve until the parent kills this process.
    std::future::pending::<()>().await;
    Ok(())
}

/// What `--targeted` picks, as `<type>:<resource id>`: the first user that belongs to a
/// tenant, that tenant, and the first access key.
fn targets_of(data: &Dataset) -> Vec<String> {
    use descope_connector::ids::encode_component as enc;
    let mut out = Vec::new();
    if let Some(u) = data
        .users
        .iter()
        .find(|u| !u.test && !u.user_tenants.is_empty())
    {
        out.push(format!("user:{}", enc(&u.user_id)));
        out.push(format!("tenant:{}", enc(&u.user_tenants[0].tenant_id)));
    }
    if let Some(k) = data.access_keys.first() {
        out.push(format!("access_key:{}", enc(&k.id)));
    }
    out
}

struct Run {
    /// The summary's `sync` line (incremental or full, and why), when it has one.
    note: String,
    wall: Duration,
    grants: u64,
    users: u64,
    requests: u64,
    searches: u64,
    rate_limited: u64,
    retries: u64,
    /// Time the client's limiter held requests back (the summary's "rate-limit wait").
    rate_limit_wait: f64,
    peak_rss_mb: f64,
    /// CPU time (user + system) of the sync program during the run, and of the emulator process.
    sync_cpu: f64,
    emulator_cpu: f64,
}

/// The official Python SDK's dump of the same data.
struct PythonRun {
    wall: f64,
    requests: u64,
}

/// The `baton-descope` program: `--program`, else next to this binary (same profile).
fn program(args: &Args) -> Result<PathBuf> {
    if let Some(p) = &args.program {
        return Ok(p.clone());
    }
    let path = target_profile_dir()?.join(format!("baton-descope{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        bail!(
            "{} is missing: build it first with `cargo build --release -p baton-descope` (or pass --program)",
            path.display()
        );
    }
    Ok(path)
}

/// `target/<profile>`: this binary lives in `target/<profile>/examples`.
fn target_profile_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.parent()
        .and_then(|examples| examples.parent())
        .map(PathBuf::from)
        .context("no target directory")
}

async fn run_once(args: &Args, parallel: usize) -> Result<Run> {
    let emu = spawn_emulator(args)?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bench.c1z");
    let run = run_with(args, parallel, &emu, &file, &[]).await?;
    if let Some(keep) = &args.keep {
        std::fs::copy(&file, keep)?;
    }
    Ok(run)
}

/// Runs the program against `emu` into `file`, with `extra` arguments.
async fn run_with(
    args: &Args,
    parallel: usize,
    emu: &EmulatorProcess,
    file: &std::path::Path,
    extra: &[std::ffi::OsString],
) -> Result<Run> {
    let mut cmd = Command::new(program(args)?);
    cmd.args(extra);
    cmd.arg("-f")
        .arg(file)
        .args(["--max-parallel-fetches", &parallel.to_string()])
        .env("DESCOPE_PROJECT_ID", &emu.project_id)
        .env("DESCOPE_MANAGEMENT_KEY", &emu.key)
        .env("DESCOPE_BASE_URL", &emu.base_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if args.sync_last_login {
        cmd.arg("--sync-last-login");
    }
    if args.sync_outbound_connections {
        cmd.arg("--sync-outbound-connections");
    }
    if let Some(types) = &args.sync_resource_types {
        cmd.arg("--sync-resource-types").arg(types);
    }
    if !args.targeted.is_empty() {
        let picked: Vec<&str> = emu
            .targets
            .iter()
            .filter(|t| {
                args.targeted.iter().any(|ty| {
                    t.strip_prefix(ty.as_str())
                        .is_some_and(|r| r.starts_with(':'))
                })
            })
            .map(String::as_str)
            .collect();
        if picked.len() != args.targeted.len() {
            bail!(
                "--targeted {}: the dataset offers {:?}",
                args.targeted.join(","),
                emu.targets
            );
        }
        cmd.arg("--sync-resources").arg(picked.join(","));
    }
    if let Some(overlap) = args.user_page_overlap {
        cmd.arg("--user-page-overlap").arg(overlap.to_string());
    }
    if args.groups_of_every_tenant {
        cmd.arg("--groups-of-every-tenant");
    }
    if args.documented_limits {
        // The program's limiter at its defaults: Descope's documented windows.
    } else if args.rate_limit_scale > 0.0 {
        // The program paces itself by Descope's documented windows; the emulator's are sped up
        // `scale` times, so the program's must be too.
        cmd.arg("--rate-limit-scale")
            .arg(args.rate_limit_scale.to_string());
    } else {
        cmd.arg("--no-rate-limit");
    }
    let emulator_pid = emu.child.id().to_string();
    let emulator_before = cpu_seconds(&emulator_pid);
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting baton-descope")?;
    let pid = child.id().to_string();
    // Both streams are drained while the program runs (a full pipe would stall it); the
    // summary is on standard error (standard output for older builds).
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut s) = stream {
                let _ = s.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    // Sample the program's peak RSS (a high-water mark: the last sample is the peak so far) and
    // CPU time until it exits.
    let (mut peak_kb, mut cpu) = (0.0_f64, 0.0_f64);
    let status = loop {
        if let Some(kb) = vm_hwm_kb(&pid) {
            peak_kb = peak_kb.max(kb);
        }
        let c = cpu_seconds(&pid);
        if c.is_finite() {
            cpu = c;
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let wall = started.elapsed();
    let output = format!(
        "{}\n{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    if !status.success() {
        bail!("baton-descope failed ({status}):\n{output}");
    }
    let summary = |label: &str| -> Option<f64> {
        output
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(label).map(|v| v.trim().to_owned()))
            .and_then(|v| v.trim_end_matches(" s").parse().ok())
    };
    let count = |label: &str| summary(label).unwrap_or(0.0) as u64;
    let users = count("resources: user");
    let note = output
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("sync ").map(|v| v.trim().to_owned()))
        .unwrap_or_default();
    Ok(Run {
        note,
        wall,
        grants: count("grants"),
        users,
        requests: count("API requests"),
        searches: users.div_ceil(100),
        rate_limited: count("429s received"),
        retries: count("API retries") + count("engine retries") + count("retries"),
        rate_limit_wait: summary("rate-limit wait").unwrap_or(0.0),
        peak_rss_mb: peak_kb / 1024.0,
        sync_cpu: cpu,
        emulator_cpu: cpu_seconds(&emulator_pid) - emulator_before,
    })
}

/// The Python interpreter of the baseline, if there is one to run.
fn python(args: &Args) -> Result<Option<PathBuf>> {
    if args.no_python {
        return Ok(None);
    }
    let path = match &args.python {
        Some(p) => p.clone(),
        None => target_profile_dir()?
            .parent()
            .context("no target directory")?
            .join("py-sdk-venv/bin/python"),
    };
    if !path.exists() {
        bail!(
            "{} is missing: create it with `python3 -m venv target/py-sdk-venv && \
             target/py-sdk-venv/bin/pip install -r tests/python/requirements.txt`, \
             or pass --python, or --no-python to skip the baseline",
            path.display()
        );
    }
    Ok(Some(path))
}

/// The official Python SDK dumping the same data, against a fresh emulator with the same knobs.
async fn python_once(args: &Args, python: &PathBuf) -> Result<PythonRun> {
    let emu = spawn_emulator(args)?;
    let dir = tempfile::tempdir()?;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/python/official_sdk_dump.py"
    );
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .arg(dir.path().join("dump.jsonl"))
        .env("DESCOPE_PROJECT_ID", &emu.project_id)
        .env("DESCOPE_MANAGEMENT_KEY", &emu.key)
        .env("DESCOPE_BASE_URL", &emu.base_url);
    if args.groups_of_every_tenant {
        cmd.arg("--groups-of-every-tenant");
    }
    let out = tokio::task::spawn_blocking(move || cmd.output()).await??;
    if !out.status.success() {
        bail!(
            "the Python SDK dump failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "the Python SDK dump printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    Ok(PythonRun {
        wall: report["wall_s"].as_f64().context("wall_s")?,
        requests: report["requests"].as_u64().unwrap_or(0),
    })
}

/// Peak resident set size (`VmHWM`, in kB) of a process, from `/proc/<pid>/status` (Linux).
fn vm_hwm_kb(pid: &str) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
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

const HEADER: &str = "| run | users | grants | latency | rate limit | fetches | wall s | sync CPU s | emulator CPU s | requests | 429s | retries | rate-limit wait s | peak RSS MB | bound s | zero-latency s | Python SDK s | Python requests | × Python |";

fn row(
    label: &str,
    args: &Args,
    parallel: usize,
    run: &Run,
    zero: Option<Duration>,
    py: Option<&PythonRun>,
) {
    let latency = Duration::from_millis(args.latency_ms);
    let pages = run.searches.max(1);
    let rounds = 1 + (pages - 1).div_ceil(parallel as u64);
    let latency_bound = latency.as_secs_f64() * rounds as f64;
    // Searches beyond the first window wait for the next windows: the pages, the credential
    // check's search, and the probe past an exact multiple of 100 users.
    let window = if args.documented_limits {
        60.0
    } else if args.rate_limit_scale > 0.0 {
        60.0 / args.rate_limit_scale
    } else {
        0.0
    };
    let searches = pages + 1 + u64::from(run.users > 0 && run.users.is_multiple_of(100));
    let rate_bound = ((searches - 1) / 200) as f64 * window;
    let zero_s = zero.map(|z| z.as_secs_f64());
    let bound = latency_bound.max(rate_bound) + zero_s.unwrap_or(0.0);
    let (py_s, py_requests, ratio) = match py {
        Some(p) => (
            format!("{:.2}", p.wall),
            p.requests.to_string(),
            format!("{:.1}", p.wall / run.wall.as_secs_f64()),
        ),
        None => ("-".into(), "-".into(), "-".into()),
    };
    println!(
        "| {label} | {} | {} | {} ms | {} | {parallel} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {:.1} | {:.0} | {:.2} | {} | {py_s} | {py_requests} | {ratio} |",
        run.users,
        run.grants,
        args.latency_ms,
        args.rate_label(),
        run.wall.as_secs_f64(),
        run.sync_cpu,
        run.emulator_cpu,
        run.requests,
        run.rate_limited,
        run.retries,
        run.rate_limit_wait,
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
    if args.incremental.is_some() {
        return runtime.block_on(incremental::bench(&args));
    }
    runtime.block_on(async {
        let python = python(&args)?;
        let label = args.label.clone().unwrap_or_else(|| {
            args.workload
                .map_or("custom".to_owned(), |w| format!("{w:?}"))
        });
        println!("{HEADER}");
        println!("|{}", "---|".repeat(HEADER.matches('|').count() - 1));
        let baseline = async |args: &Args| -> Result<Option<PythonRun>> {
            match &python {
                Some(py) => Ok(Some(python_once(args, py).await?)),
                None => Ok(None),
            }
        };
        let zero = if args.no_baseline {
            None
        } else {
            // The zero-latency run: no latency and no rate limit, the sync's own cost.
            let zero_args = Args {
                latency_ms: 0,
                rate_limit_scale: 0.0,
                documented_limits: false,
                ..args.clone()
            };
            let base = run_once(&zero_args, args.parallel_fetches).await?;
            let py = baseline(&zero_args).await?;
            row(
                &format!("{label} zero-latency"),
                &zero_args,
                args.parallel_fetches,
                &base,
                None,
                py.as_ref(),
            );
            Some(base.wall)
        };
        let run = run_once(&args, args.parallel_fetches).await?;
        let py = baseline(&args).await?;
        row(
            &label,
            &args,
            args.parallel_fetches,
            &run,
            zero,
            py.as_ref(),
        );
        if args.compare_sequential {
            let seq = run_once(&args, 1).await?;
            row(
                &format!("{label} one fetch at a time"),
                &args,
                1,
                &seq,
                zero,
                py.as_ref(),
            );
            println!(
                "\nparallel vs one-at-a-time: {:.1}x faster",
                seq.wall.as_secs_f64() / run.wall.as_secs_f64()
            );
        }
        Ok(())
    })
}
