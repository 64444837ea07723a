//! [`ServiceConfig`]: everything service mode needs, validated with baton-sdk's messages.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::credentials::{ClientId, ClientKey};
use super::error::ServiceError;

/// Default `--task-concurrency` (baton's).
pub const DEFAULT_TASK_CONCURRENCY: usize = 3;
/// The largest `--task-concurrency` baton accepts.
pub const MAX_TASK_CONCURRENCY: usize = 100;

/// Service mode settings. Build with [`ServiceConfig::new`] and the `with_*` methods; a CLI
/// maps baton's flags and `BATON_*` variables onto the fields.
///
/// ```
/// use std::time::Duration;
/// use c1_connector_runner::service::{HealthCheckConfig, ServiceConfig};
/// use secrecy::SecretString;
///
/// let config = ServiceConfig::new("my-connector@tenant.conductor.one/pcc", SecretString::from("..."))
///     .with_task_concurrency(5)
///     .with_provisioning(true)
///     .with_health_check(HealthCheckConfig::enabled())
///     .with_shutdown_grace(Duration::from_secs(20))
///     .with_baton_environment();
/// assert_eq!(config.task_concurrency, 5);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// `--client-id` / `BATON_CLIENT_ID`: `<name>@<host>/<suffix>`.
    pub client_id: String,
    /// `--client-secret` / `BATON_CLIENT_SECRET`. Never shown by `Debug`.
    pub client_secret: SecretString,
    /// `--task-concurrency`: tasks run at once (default 3, 1..=100).
    pub task_concurrency: usize,
    /// `--c1z-temp-dir`: where sync files are written before upload (default: the OS temp dir).
    pub temp_dir: Option<PathBuf>,
    /// `--provisioning`: run grant and revoke tasks. When off they fail with
    /// `FailedPrecondition: provisioning is not enabled`, as baton's no-op provisioner does.
    pub provisioning: bool,
    /// `--skip-full-sync`: answer sync tasks with an empty (validated, finished) sync.
    pub skip_full_sync: bool,
    /// `--sync-resource-types`: resource types to sync when the task names none.
    pub sync_resource_type_ids: Vec<String>,
    /// Connector calls in flight at once during a sync (the engine's concurrency); `None` =
    /// the engine's default.
    pub sync_workers: Option<usize>,
    /// `--health-check*`.
    pub health_check: HealthCheckConfig,
    /// `BATON_C1_API_HOST`: replaces the host (and port) of the client id for the token
    /// endpoint and gRPC, but not the JWT audience.
    pub api_host: Option<String>,
    /// `BATON_HOST_ID`: this host's id in every request (default: the host name, else
    /// `baton-sdk`).
    pub host_id: Option<String>,
    /// `SSL_CERT_FILE`: PEM certificates trusted in addition to Mozilla's and the system's.
    pub extra_ca_file: Option<PathBuf>,
    /// How long running tasks may go on after shutdown is asked before they are cancelled
    /// (default 30 s).
    pub shutdown_grace: Duration,
    /// The name sent in `build_info.package` (default: this crate's name); a connector binary
    /// sets its own.
    pub package_name: String,
    /// The version sent in `build_info.package_version` (default: this crate's version).
    pub package_version: String,
    /// Intervals and limits; the defaults are baton's.
    pub timings: Timings,
}

impl fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("task_concurrency", &self.task_concurrency)
            .field("temp_dir", &self.temp_dir)
            .field("provisioning", &self.provisioning)
            .field("skip_full_sync", &self.skip_full_sync)
            .field("sync_resource_type_ids", &self.sync_resource_type_ids)
            .field("sync_workers", &self.sync_workers)
            .field("health_check", &self.health_check)
            .field("api_host", &self.api_host)
            .field("host_id", &self.host_id)
            .field("extra_ca_file", &self.extra_ca_file)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("package_name", &self.package_name)
            .field("package_version", &self.package_version)
            .field("timings", &self.timings)
            .finish()
    }
}

impl ServiceConfig {
    /// Settings with these credentials and baton's defaults for everything else.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            task_concurrency: DEFAULT_TASK_CONCURRENCY,
            temp_dir: None,
            provisioning: false,
            skip_full_sync: false,
            sync_resource_type_ids: Vec::new(),
            sync_workers: None,
            health_check: HealthCheckConfig::default(),
            api_host: None,
            host_id: None,
            extra_ca_file: None,
            shutdown_grace: Duration::from_secs(30),
            package_name: env!("CARGO_PKG_NAME").to_owned(),
            package_version: env!("CARGO_PKG_VERSION").to_owned(),
            timings: Timings::default(),
        }
    }

    /// Reads `BATON_C1_API_HOST`, `BATON_HOST_ID` and `SSL_CERT_FILE` from the environment
    /// into fields still unset. `BATON_C1_API_HOST` counts when set, even to an empty value
    /// (as in baton-sdk).
    #[must_use]
    pub fn with_baton_environment(mut self) -> Self {
        if self.api_host.is_none() {
            self.api_host = std::env::var("BATON_C1_API_HOST").ok();
        }
        if self.host_id.is_none() {
            self.host_id = std::env::var("BATON_HOST_ID").ok();
        }
        if self.extra_ca_file.is_none() {
            self.extra_ca_file = std::env::var_os("SSL_CERT_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
        }
        self
    }

    /// Sets `task_concurrency`.
    #[must_use]
    pub fn with_task_concurrency(mut self, n: usize) -> Self {
        self.task_concurrency = n;
        self
    }

    /// Sets `temp_dir`.
    #[must_use]
    pub fn with_temp_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.temp_dir = Some(dir.into());
        self
    }

    /// Sets `provisioning`.
    #[must_use]
    pub fn with_provisioning(mut self, on: bool) -> Self {
        self.provisioning = on;
        self
    }

    /// Sets `skip_full_sync`.
    #[must_use]
    pub fn with_skip_full_sync(mut self, on: bool) -> Self {
        self.skip_full_sync = on;
        self
    }

    /// Sets `sync_resource_type_ids`.
    #[must_use]
    pub fn with_sync_resource_types(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.sync_resource_type_ids = ids.into_iter().collect();
        self
    }

    /// Sets `sync_workers`.
    #[must_use]
    pub fn with_sync_workers(mut self, n: usize) -> Self {
        self.sync_workers = Some(n);
        self
    }

    /// Sets `health_check`.
    #[must_use]
    pub fn with_health_check(mut self, health: HealthCheckConfig) -> Self {
        self.health_check = health;
        self
    }

    /// Sets `api_host`.
    #[must_use]
    pub fn with_api_host(mut self, host: impl Into<String>) -> Self {
        self.api_host = Some(host.into());
        self
    }

    /// Sets `host_id`.
    #[must_use]
    pub fn with_host_id(mut self, id: impl Into<String>) -> Self {
        self.host_id = Some(id.into());
        self
    }

    /// Sets `extra_ca_file`.
    #[must_use]
    pub fn with_extra_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_ca_file = Some(path.into());
        self
    }

    /// Sets `shutdown_grace`.
    #[must_use]
    pub fn with_shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Sets `package_name` and `package_version` (sent in Hello's `build_info`).
    #[must_use]
    pub fn with_package(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.package_name = name.into();
        self.package_version = version.into();
        self
    }

    /// Sets `timings`.
    #[must_use]
    pub fn with_timings(mut self, timings: Timings) -> Self {
        self.timings = timings;
        self
    }

    /// Checks the settings as baton does, without contacting anything.
    ///
    /// # Errors
    ///
    /// [`ServiceError::MissingClientId`] / [`ServiceError::MissingClientSecret`] when empty,
    /// [`ServiceError::InvalidClientId`] / [`ServiceError::InvalidClientSecret`] when
    /// malformed, [`ServiceError::InvalidConfig`] for a setting out of range.
    pub fn validate(&self) -> Result<(), ServiceError> {
        self.resolve().map(|_| ())
    }

    pub(crate) fn resolve(&self) -> Result<Resolved, ServiceError> {
        if self.client_id.is_empty() {
            return Err(ServiceError::MissingClientId);
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err(ServiceError::MissingClientSecret);
        }
        let client_id = ClientId::parse(&self.client_id)?;
        let key = ClientKey::parse(&self.client_secret)?;
        if !(1..=MAX_TASK_CONCURRENCY).contains(&self.task_concurrency) {
            return Err(ServiceError::InvalidConfig(format!(
                "task-concurrency must be between 1 and {MAX_TASK_CONCURRENCY}, got {}",
                self.task_concurrency
            )));
        }
        if self.sync_workers == Some(0) {
            return Err(ServiceError::InvalidConfig(
                "sync workers must be at least 1".into(),
            ));
        }
        let host = self
            .api_host
            .clone()
            .unwrap_or_else(|| client_id.host().to_owned());
        if host.is_empty() {
            return Err(ServiceError::InvalidConfig(
                "the ConductorOne host is empty: BATON_C1_API_HOST is set but empty, or the client id has no host between '@' and '/'".into(),
            ));
        }
        if host.contains('/') || host.contains('@') || host.chars().any(char::is_whitespace) {
            return Err(ServiceError::InvalidConfig(format!(
                "BATON_C1_API_HOST must be a host or host:port, got {host:?}"
            )));
        }
        let host_id = match &self.host_id {
            Some(id) => id.clone(),
            None => default_host_id(),
        };
        if host_id.is_empty() || host_id.len() > 256 {
            return Err(ServiceError::InvalidConfig(format!(
                "BATON_HOST_ID must be 1 to 256 characters, got {}",
                host_id.len()
            )));
        }
        let temp_dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
        Ok(Resolved {
            client_id,
            key: std::sync::Arc::new(key),
            host,
            host_id,
            temp_dir,
        })
    }
}

/// baton's host id: the host name, else `baton-sdk`.
fn default_host_id() -> String {
    gethostname::gethostname()
        .into_string()
        .ok()
        .filter(|h| !h.is_empty() && h.len() <= 256)
        .unwrap_or_else(|| "baton-sdk".to_owned())
}

/// The parts of a [`ServiceConfig`] that validation produces.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) client_id: ClientId,
    pub(crate) key: std::sync::Arc<ClientKey>,
    /// Host (and port) of the token endpoint and the gRPC service.
    pub(crate) host: String,
    pub(crate) host_id: String,
    pub(crate) temp_dir: PathBuf,
}

/// `--health-check`, `--health-check-port`, `--health-check-bind-address`.
///
/// ```
/// use c1_connector_runner::service::HealthCheckConfig;
/// let health = HealthCheckConfig::enabled().with_port(9090);
/// assert_eq!(health.address().to_string(), "127.0.0.1:9090");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthCheckConfig {
    /// Serve `/health`, `/ready` and `/live`.
    pub enabled: bool,
    /// Port (default 8081; 0 picks a free one).
    pub port: u16,
    /// Address to bind (default 127.0.0.1).
    pub bind_address: IpAddr,
}

impl Default for HealthCheckConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            port: 8081,
            bind_address: IpAddr::from([127, 0, 0, 1]),
        }
    }
}

impl HealthCheckConfig {
    /// Enabled on 127.0.0.1:8081.
    pub fn enabled() -> Self {
        Self {
            enabled: true,
            ..Self::default()
        }
    }

    /// Sets the port.
    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the bind address.
    #[must_use]
    pub fn with_bind_address(mut self, address: IpAddr) -> Self {
        self.bind_address = address;
        self
    }

    /// The socket address to listen on.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.port)
    }
}

/// Intervals and limits of the task loop. The defaults are baton-sdk's, except
/// [`Timings::min_poll`] (see there) and [`Timings::rpc_timeout`] (baton has none).
/// Tests shorten them.
///
/// ```
/// use std::time::Duration;
/// use c1_connector_runner::service::Timings;
/// let t = Timings::default();
/// assert_eq!(t.get_task_error_backoff(3), Duration::from_secs(9));
/// assert_eq!(t.hello_backoff(4), Duration::from_secs(8));
/// assert_eq!(t.heartbeat_interval(None), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// First wait after a failed startup Hello (1 s), doubled after each failure...
    pub hello_backoff_initial: Duration,
    /// ...up to this (5 min).
    pub hello_backoff_max: Duration,
    /// The longest `next_poll` honoured (5 min).
    pub max_poll: Duration,
    /// The shortest wait before the next poll when the previous one brought no task (1 s).
    /// baton polls again at once when the server sends no `next_poll`, a tight loop against a
    /// server that omits it; this floor is our deliberate deviation. After a task the next
    /// poll follows `next_poll` as in baton, so free slots fill quickly.
    pub min_poll: Duration,
    /// The unit of the GetTask error back-off: `failures² × unit` (1 s)...
    pub get_task_error_unit: Duration,
    /// ...capped at this (60 s).
    pub get_task_error_max: Duration,
    /// Heartbeat interval when the server sends none (30 s).
    pub heartbeat_default: Duration,
    /// Shortest heartbeat interval honoured (1 s).
    pub heartbeat_min: Duration,
    /// Longest heartbeat interval honoured (5 min).
    pub heartbeat_max: Duration,
    /// Consecutive failed heartbeats after which the task is cancelled (9).
    pub heartbeat_max_failures: u32,
    /// Upload attempts (3).
    pub upload_attempts: u32,
    /// Wait before the third and later upload attempts; the second follows at once (1 s).
    pub upload_retry_wait: Duration,
    /// FinishTask deadline (30 s).
    pub finish_timeout: Duration,
    /// Deadline of Hello, GetTask and Heartbeat calls (60 s). baton sets none, so a call
    /// stuck on a half-open connection would stall it forever.
    pub rpc_timeout: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            hello_backoff_initial: Duration::from_secs(1),
            hello_backoff_max: Duration::from_secs(300),
            max_poll: Duration::from_secs(300),
            min_poll: Duration::from_secs(1),
            get_task_error_unit: Duration::from_secs(1),
            get_task_error_max: Duration::from_secs(60),
            heartbeat_default: Duration::from_secs(30),
            heartbeat_min: Duration::from_secs(1),
            heartbeat_max: Duration::from_secs(300),
            heartbeat_max_failures: 9,
            upload_attempts: 3,
            upload_retry_wait: Duration::from_secs(1),
            finish_timeout: Duration::from_secs(30),
            rpc_timeout: Duration::from_secs(60),
        }
    }
}

impl Timings {
    /// The wait after `failures` consecutive GetTask errors: `failures²` units, capped.
    pub fn get_task_error_backoff(&self, failures: u32) -> Duration {
        let n = failures.min(1 << 15);
        self.get_task_error_unit
            .saturating_mul(n * n)
            .min(self.get_task_error_max)
    }

    /// The wait before Hello attempt `attempt + 1` after `attempt` failures (1-based):
    /// `initial × 2^(attempt-1)`, capped.
    pub fn hello_backoff(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(30);
        self.hello_backoff_initial
            .saturating_mul(1 << shift)
            .min(self.hello_backoff_max)
    }

    /// `next_poll` clamped to `[0, max_poll]`; absent means zero.
    pub fn next_poll(&self, next_poll: Option<Duration>) -> Duration {
        next_poll.unwrap_or_default().min(self.max_poll)
    }

    /// A heartbeat interval clamped as baton does: absent or zero = the default, else within
    /// `[heartbeat_min, heartbeat_max]`.
    pub fn heartbeat_interval(&self, next: Option<Duration>) -> Duration {
        match next {
            None => self.heartbeat_default,
            Some(d) if d.is_zero() => self.heartbeat_default,
            Some(d) => d.clamp(self.heartbeat_min, self.heartbeat_max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        super::super::credentials::client_secret_from_seed(&[3; 32])
    }

    #[test]
    fn baton_messages_for_missing_and_malformed_credentials() {
        let e = ServiceConfig::new("", secret()).validate().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("client-id is required in service mode")
        );
        let e = ServiceConfig::new("a@b/c", SecretString::from(""))
            .validate()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("client-secret is required in service mode")
        );
        let e = ServiceConfig::new("nope", secret()).validate().unwrap_err();
        assert!(e.to_string().starts_with("invalid client id"));
        let e = ServiceConfig::new("a@b/c", SecretString::from("x:y:v1:zz"))
            .validate()
            .unwrap_err();
        assert!(e.to_string().starts_with("invalid client secret"));
        assert!(e.is_credentials());
    }

    #[test]
    fn ranges() {
        for n in [0, 101] {
            let e = ServiceConfig::new("a@b/c", secret())
                .with_task_concurrency(n)
                .validate()
                .unwrap_err();
            assert!(e.to_string().contains("task-concurrency"), "{e}");
        }
        ServiceConfig::new("a@b/c", secret())
            .with_task_concurrency(100)
            .validate()
            .unwrap();
        let e = ServiceConfig::new("a@b/c", secret())
            .with_host_id("")
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("BATON_HOST_ID"));
        for host in ["", "https://c1.example", "a b"] {
            let e = ServiceConfig::new("a@b/c", secret())
                .with_api_host(host)
                .validate()
                .unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains("BATON_C1_API_HOST"), "{msg}");
        }
    }

    #[test]
    fn debug_redacts_the_secret() {
        let s = secret();
        let shown = format!("{:?}", ServiceConfig::new("a@b/c", s.clone()));
        assert!(!shown.contains(s.expose_secret()));
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn host_resolution_and_host_id() {
        let r = ServiceConfig::new("a@tenant.example:8443/c", secret())
            .resolve()
            .unwrap();
        assert_eq!(r.host, "tenant.example:8443");
        assert!(!r.host_id.is_empty());
        let r = ServiceConfig::new("a@tenant.example/c", secret())
            .with_api_host("127.0.0.1:9443")
            .with_host_id("h1")
            .resolve()
            .unwrap();
        assert_eq!(
            (r.host.as_str(), r.host_id.as_str()),
            ("127.0.0.1:9443", "h1")
        );
        assert_eq!(r.client_id.audience(), "tenant.example");
    }

    #[test]
    fn backoffs_follow_baton() {
        let t = Timings::default();
        let secs: Vec<u64> = (1..=9)
            .map(|n| t.get_task_error_backoff(n).as_secs())
            .collect();
        assert_eq!(secs, [1, 4, 9, 16, 25, 36, 49, 60, 60]);
        assert_eq!(t.get_task_error_backoff(u32::MAX), Duration::from_secs(60));
        let secs: Vec<u64> = (1..=11).map(|n| t.hello_backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(t.hello_backoff(u32::MAX), Duration::from_secs(300));
        assert_eq!(t.next_poll(None), Duration::ZERO);
        assert_eq!(
            t.next_poll(Some(Duration::from_secs(900))),
            Duration::from_secs(300)
        );
        assert_eq!(t.heartbeat_interval(None), Duration::from_secs(30));
        assert_eq!(
            t.heartbeat_interval(Some(Duration::ZERO)),
            Duration::from_secs(30)
        );
        assert_eq!(
            t.heartbeat_interval(Some(Duration::from_millis(10))),
            Duration::from_secs(1)
        );
        assert_eq!(
            t.heartbeat_interval(Some(Duration::from_secs(600))),
            Duration::from_secs(300)
        );
    }
}
