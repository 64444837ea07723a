//! [`ServiceConfig`]: everything service mode needs, validated with baton-sdk's messages.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::credentials::{ClientId, ClientKey};
use super::error::ServiceError;
use super::timings::Timings;

/// Default `--task-concurrency` (baton's).
pub const DEFAULT_TASK_CONCURRENCY: usize = 3;
/// The largest `--task-concurrency` baton accepts.
pub const MAX_TASK_CONCURRENCY: usize = 100;
/// Default [`ServiceConfig::shutdown_grace`]: how long running tasks may go on after shutdown
/// is asked. With [`Timings::shutdown_finish`] and the health server's stop it keeps the worst
/// case ([`ServiceConfig::worst_case_shutdown`], 37 s) inside the 45 s stop timeouts of the
/// systemd and Kubernetes examples in docs/OPERATIONS.md.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// The longest the health-check server is given to stop at shutdown.
pub(crate) const HEALTH_STOP_TIMEOUT: Duration = Duration::from_secs(2);

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
    /// `--state-dir`: where the service keeps the last full sync it uploaded
    /// (`last-sync.c1z`, mode 0600), so the next sync task is incremental from it (see
    /// [`SyncOptions::with_previous`](c1_connector_sdk::engine::SyncOptions::with_previous)).
    /// `None` (the default): every sync task is a full sync and nothing is kept.
    pub state_dir: Option<PathBuf>,
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
    /// (default [`DEFAULT_SHUTDOWN_GRACE`], 20 s). See [`ServiceConfig::worst_case_shutdown`].
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
            .field("state_dir", &self.state_dir)
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
            state_dir: None,
            provisioning: false,
            skip_full_sync: false,
            sync_resource_type_ids: Vec::new(),
            sync_workers: None,
            health_check: HealthCheckConfig::default(),
            api_host: None,
            host_id: None,
            extra_ca_file: None,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
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

    /// Sets `state_dir`: the service keeps its last uploaded full sync there, and starts each
    /// sync task from it (an incremental sync).
    ///
    /// ```
    /// use c1_connector_runner::service::ServiceConfig;
    /// use secrecy::SecretString;
    /// let config = ServiceConfig::new("id", SecretString::from("secret"))
    ///     .with_state_dir("/var/lib/baton-descope");
    /// assert!(config.state_dir.is_some());
    /// ```
    #[must_use]
    pub fn with_state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
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

    /// The longest [`run`](super::run) takes to return once `shutdown` fires: the grace for
    /// running tasks, then [`Timings::shutdown_finish`] for cancelled tasks to stop and deliver
    /// FinishTask (anything still running then is aborted), then at most 2 s to stop the
    /// health-check server. A process manager's stop timeout must be longer (with the defaults:
    /// 20 s + 15 s + 2 s = 37 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use c1_connector_runner::service::ServiceConfig;
    /// use secrecy::SecretString;
    /// let config = ServiceConfig::new("a@b/c", SecretString::from("x"));
    /// assert_eq!(config.worst_case_shutdown(), Duration::from_secs(37));
    /// ```
    pub fn worst_case_shutdown(&self) -> Duration {
        self.shutdown_grace
            .saturating_add(self.timings.shutdown_finish)
            .saturating_add(HEALTH_STOP_TIMEOUT)
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

/// `--health-check`, `--health-check-port`, `--health-check-bind-address`,
/// `--health-check-interval`.
///
/// ```
/// use std::time::Duration;
/// use c1_connector_runner::service::HealthCheckConfig;
/// let health = HealthCheckConfig::enabled()
///     .with_port(9090)
///     .with_interval(Duration::from_secs(60));
/// assert_eq!(health.address().to_string(), "127.0.0.1:9090");
/// assert_eq!(health.interval, Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthCheckConfig {
    /// Serve `/health`, `/ready` and `/live`.
    pub enabled: bool,
    /// Port (default 8081; 0 picks a free one).
    pub port: u16,
    /// Address to bind (default 127.0.0.1: only this host can ask).
    pub bind_address: IpAddr,
    /// How long a `/health` result is reused (default 30 s): the connector is validated at
    /// most once per interval however many requests arrive, and requests arriving during a
    /// validation wait for its result. Not in baton, whose `/health` validates on every
    /// request.
    pub interval: Duration,
}

/// Default [`HealthCheckConfig::interval`].
pub const DEFAULT_HEALTH_CHECK_INTERVAL: Duration = Duration::from_secs(30);

impl Default for HealthCheckConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            port: 8081,
            bind_address: IpAddr::from([127, 0, 0, 1]),
            interval: DEFAULT_HEALTH_CHECK_INTERVAL,
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

    /// Sets the interval.
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The socket address to listen on.
    pub fn address(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.port)
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
}
