//! [`ClientBuilder`]: configuration, validation, the environment and the base URL rules.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use secrecy::SecretString;
use tower::{Layer, Service};
use url::Url;

use crate::client::{Client, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES};
use crate::config::{RateLimitConfig, RetryConfig};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::layer::{LayerService, PendingLayer};
use crate::transport::{self, HttpConfig, Metrics, StackConfig};

/// Builds a [`Client`]. Every setter takes and returns the builder; [`ClientBuilder::build`]
/// validates.
///
/// Defaults: Descope's rate limits ([`RateLimitConfig::descope`]), [`RetryConfig::default`]
/// (see it for which writes are retried), 10 requests in flight, 5 s connect timeout, 60 s
/// per-attempt timeout (the SDKs' default), licence handshake on, 64 MiB response cap, no
/// extra layers.
///
/// ```no_run
/// use std::time::Duration;
/// use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
/// use secrecy::SecretString;
///
/// let client = Client::builder()
///     .project_id("P2abc")
///     .management_key(SecretString::from("K2secret"))
///     .rate_limit(RateLimitConfig::descope())
///     .retry(RetryConfig::default().max_attempts(5))
///     .concurrency_limit(8)
///     .request_timeout(Duration::from_secs(30))
///     .build()?;
/// # Ok::<(), descope_mgmt::Error>(())
/// ```
pub struct ClientBuilder {
    identity: Identity,
    base_url: Option<String>,
    env_base_url: Option<String>,
    rate_limit: RateLimitConfig,
    retry: RetryConfig,
    concurrency: usize,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    timeouts_disabled: bool,
    license_handshake: bool,
    max_response_bytes: usize,
    layers: Vec<PendingLayer>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is a `SecretString` (or inside `Credentials`), whose `Debug` is redacted.
        f.debug_struct("ClientBuilder")
            .field("identity", &self.identity)
            .field("base_url", &self.base_url)
            .field("env_base_url", &self.env_base_url)
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("license_handshake", &self.license_handshake)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            identity: Identity::Parts {
                project_id: None,
                management_key: None,
            },
            base_url: None,
            env_base_url: None,
            rate_limit: RateLimitConfig::descope(),
            retry: RetryConfig::default(),
            concurrency: 10,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            request_timeout: Some(Duration::from_secs(60)),
            timeouts_disabled: false,
            license_handshake: true,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            layers: Vec::new(),
        }
    }
}

impl Client {
    /// A builder with Descope's defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from `DESCOPE_PROJECT_ID`, `DESCOPE_MANAGEMENT_KEY` and, optionally,
    /// `DESCOPE_BASE_URL` or `DESCOPE_BASE_URI`. When `DESCOPE_PROJECT_ID` is unset,
    /// `DESCOPE_MANAGEMENT_KEY` may hold the combined `ProjectID:ManagementKey` string.
    ///
    /// ```no_run
    /// let client = descope_mgmt::Client::from_env()?;
    /// # Ok::<(), descope_mgmt::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }
}

/// Who the client acts as: credentials already checked, or a project id and a key set one by one
/// and checked once, by [`Credentials::new`], in [`ClientBuilder::build`].
#[derive(Debug)]
enum Identity {
    Checked(Credentials),
    Parts {
        project_id: Option<String>,
        management_key: Option<SecretString>,
    },
}

impl Identity {
    /// The project id and key as set so far, for a setter that replaces one of them.
    fn into_parts(self) -> (Option<String>, Option<SecretString>) {
        match self {
            Identity::Checked(c) => (
                Some(c.project_id().to_owned()),
                Some(c.management_key().clone()),
            ),
            Identity::Parts {
                project_id,
                management_key,
            } => (project_id, management_key),
        }
    }

    /// The checked credentials: the setters' values go through [`Credentials::new`], the one
    /// check of a project id and a key.
    fn check(self) -> Result<Credentials, Error> {
        let (project_id, management_key) = match self {
            Identity::Checked(c) => return Ok(c),
            Identity::Parts {
                project_id,
                management_key,
            } => (project_id, management_key),
        };
        let project_id = project_id
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| Error::config("the project id is not set"))?;
        let management_key =
            management_key.ok_or_else(|| Error::config("the management key is not set"))?;
        Credentials::new(project_id, management_key)
    }
}

/// The default connect timeout. Short on purpose: with [`RetryConfig::connect_budget`] it bounds
/// how long an unreachable base URL takes to fail.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the licence handshake may take once connected (it is best-effort).
const HANDSHAKE_RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

impl ClientBuilder {
    /// A builder filled from the environment (see [`Client::from_env`]); setters called
    /// afterwards override it.
    pub fn from_env() -> Result<Self, Error> {
        Self::default().with_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `get`, so tests need not touch the process environment
    /// (the rules are [`Credentials::from_lookup`]'s).
    pub(crate) fn with_lookup(self, get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let credentials = Credentials::from_lookup(get)?;
        let mut builder = self;
        builder.env_base_url = credentials.base_url().map(str::to_owned);
        builder.identity = Identity::Checked(credentials);
        Ok(builder)
    }

    /// Takes the project id, key and base URL (if set) of `credentials`.
    ///
    /// ```
    /// let credentials = descope_mgmt::Credentials::parse("P2abc:K2secret")?;
    /// let client = descope_mgmt::Client::builder().with_credentials(&credentials).build()?;
    /// assert_eq!(client.project_id(), "P2abc");
    /// # Ok::<(), descope_mgmt::Error>(())
    /// ```
    #[must_use]
    pub fn with_credentials(mut self, credentials: &Credentials) -> Self {
        if let Some(url) = credentials.base_url() {
            self = self.base_url(url);
        }
        self.identity = Identity::Checked(credentials.clone());
        self
    }

    /// The project id (checked with the key in [`ClientBuilder::build`], by
    /// [`Credentials::new`]'s rules).
    #[must_use]
    pub fn project_id(mut self, id: impl Into<String>) -> Self {
        let (_, management_key) = self.identity.into_parts();
        self.identity = Identity::Parts {
            project_id: Some(id.into()),
            management_key,
        };
        self
    }

    /// The management key (checked with the project id in [`ClientBuilder::build`], by
    /// [`Credentials::new`]'s rules).
    #[must_use]
    pub fn management_key(mut self, key: SecretString) -> Self {
        let (project_id, _) = self.identity.into_parts();
        self.identity = Identity::Parts {
            project_id,
            management_key: Some(key),
        };
        self
    }

    /// Sets both from the combined `ProjectID:ManagementKey` string. The error never repeats
    /// the input.
    ///
    /// ```
    /// let b = descope_mgmt::Client::builder().credentials("P2abc:K2secret")?;
    /// assert!(descope_mgmt::Client::builder().credentials("no-colon").is_err());
    /// # Ok::<(), descope_mgmt::Error>(())
    /// ```
    pub fn credentials(self, combined: &str) -> Result<Self, Error> {
        Ok(self.with_credentials(&Credentials::parse(combined)?))
    }

    /// An explicit base URL (overrides the environment and the regional default). Validated in
    /// [`ClientBuilder::build`]: `https`, or `http` only for a loopback host.
    #[must_use]
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// The client-side rate limiter ([`RateLimitConfig::descope`] by default).
    #[must_use]
    pub fn rate_limit(mut self, cfg: RateLimitConfig) -> Self {
        self.rate_limit = cfg;
        self
    }

    /// The retry policy; see [`RetryConfig`] for which requests are retried.
    #[must_use]
    pub fn retry(mut self, cfg: RetryConfig) -> Self {
        self.retry = cfg;
        self
    }

    /// Maximum requests in flight at once (at least 1).
    #[must_use]
    pub fn concurrency_limit(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// TCP/TLS connect timeout (5 s by default). Connection failures are retried only within
    /// [`RetryConfig::connect_budget`], this timeout included.
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Timeout of each attempt, from sending to the end of the body.
    #[must_use]
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = Some(d);
        self
    }

    /// Not public API: turns off the connect, per-attempt, licence-handshake and
    /// idle-connection timers, for tests that pause tokio's clock (there, any pending timer fires
    /// as soon as the runtime waits on I/O, so a timeout would trip while a local server is
    /// still answering). Not covered by semver; may go away at any time.
    #[doc(hidden)]
    #[must_use]
    pub fn __disable_timeouts(mut self) -> Self {
        self.timeouts_disabled = true;
        self
    }

    /// Adds a tower layer around every HTTP attempt, working on standard
    /// `http::Request<Bytes>` / `http::Response<Bytes>` (see [`crate::layer`] for where it sits:
    /// inside the retry layer and the rate limiter, so it sees every attempt). Layers added first
    /// are outermost.
    ///
    /// ```no_run
    /// use descope_mgmt::layer::{bytes::Bytes, http};
    ///
    /// let client = descope_mgmt::Client::builder()
    ///     .credentials("P2abc:K2secret")?
    ///     .with_layer(tower::util::MapRequestLayer::new(|mut req: http::Request<Bytes>| {
    ///         req.headers_mut().insert("x-team", http::HeaderValue::from_static("identity"));
    ///         req
    ///     }))
    ///     .build()?;
    /// # Ok::<(), descope_mgmt::Error>(())
    /// ```
    #[must_use]
    pub fn with_layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<LayerService> + Send + Sync + 'static,
        L::Service: Service<
                http::Request<Bytes>,
                Response = http::Response<Bytes>,
                Error = crate::layer::BoxError,
            > + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<Bytes>>>::Future: Send + 'static,
    {
        self.layers.push(Box::new(move |inner: LayerService| {
            LayerService::new(layer.layer(inner))
        }));
        self
    }

    /// Whether to fetch `GET /v1/mgmt/license` once and send `x-descope-license` (default on).
    #[must_use]
    pub fn license_handshake(mut self, on: bool) -> Self {
        self.license_handshake = on;
        self
    }

    /// Largest accepted response body, in bytes (64 MiB by default).
    #[must_use]
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.identity.check()?;
        let project_id = credentials.project_id().to_owned();
        let base_url = match self.base_url.or(self.env_base_url) {
            Some(u) => validate_base_url(&u)?,
            None => validate_base_url(&base_url_for_project(&project_id))?,
        };

        let timeouts = !self.timeouts_disabled;
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("descope-mgmt/", env!("CARGO_PKG_VERSION")));
        if timeouts {
            if let Some(t) = self.connect_timeout {
                http = http.connect_timeout(t);
            }
        } else {
            http = http.pool_idle_timeout(None);
        }
        let http = http
            .build()
            .map_err(|_| Error::config("could not initialise the HTTP client (TLS backend)"))?;

        let metrics = Arc::new(Metrics::default());
        let transport = transport::build(
            StackConfig {
                http: HttpConfig {
                    client: http,
                    base_url: base_url.clone(),
                    project_id: project_id.clone(),
                    management_key: credentials.management_key().clone(),
                    max_response_bytes: self.max_response_bytes,
                },
                rate_limit: self.rate_limit,
                retry: self.retry,
                concurrency: self.concurrency,
                request_timeout: if timeouts { self.request_timeout } else { None },
                connect_timeout: if timeouts { self.connect_timeout } else { None },
                layers: self.layers,
            },
            metrics.clone(),
        );
        let handshake_timeout = self
            .connect_timeout
            .unwrap_or(Duration::ZERO)
            .saturating_add(HANDSHAKE_RESPONSE_TIMEOUT);
        Ok(Client::from_parts(
            project_id,
            base_url,
            transport,
            metrics,
            self.license_handshake,
            handshake_timeout,
        ))
    }
}

/// The regional rule of the official SDKs: ids of 32+ characters carry a region in characters
/// 1..5 (`https://api.<region>.descope.com`); shorter ids use the global host.
///
/// The region is taken as-is, exactly as the Go, Python, .NET and PHP SDKs do (project ids are
/// case-sensitive, and no SDK lowercases it). One deliberate difference: a region that is not
/// four ASCII letters or digits falls back to the global host instead of being pasted into the
/// URL, so a malformed id (`P@evil.example/...`) can never send the key to another host.
///
/// ```
/// use descope_mgmt::base_url_for_project;
/// assert_eq!(base_url_for_project("P2abcdefghijklmnopqrstuvwxyz12"), "https://api.descope.com");
/// assert_eq!(
///     base_url_for_project("PUse1aBcDeFgHiJkLmNoPqRsTuVwXyZ01"),
///     "https://api.Use1.descope.com",
/// );
/// ```
pub fn base_url_for_project(project_id: &str) -> String {
    if project_id.len() >= 32
        && let Some(region) = project_id
            .get(1..5)
            .filter(|r| r.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return format!("https://api.{region}.descope.com");
    }
    DEFAULT_BASE_URL.to_owned()
}

fn validate_base_url(raw: &str) -> Result<Url, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("the base URL is not a valid URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(
                "the base URL uses plain http to a non-loopback host; the key would travel in clear text (use https)",
            ));
        }
        other => {
            return Err(Error::config(format!(
                "the base URL scheme `{other}` is not supported"
            )));
        }
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(Error::config(
            "the base URL must not carry credentials, a query or a fragment",
        ));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_rule() {
        assert_eq!(
            base_url_for_project("P2abcdefghijklmnopqrstuvwxyz"),
            DEFAULT_BASE_URL
        );
        let id32 = "Puse12345678901234567890123456789";
        assert_eq!(id32.len(), 33);
        assert_eq!(base_url_for_project(id32), "https://api.use1.descope.com");
        // Taken as-is, like the reference SDKs: no lowercasing of the region.
        let mixed = "PEuW1aBcDeFgHiJkLmNoPqRsTuVwXyZ0";
        assert_eq!(mixed.len(), 32);
        assert_eq!(base_url_for_project(mixed), "https://api.EuW1.descope.com");
        // Exactly 31 characters: no region.
        assert_eq!(base_url_for_project(&mixed[..31]), DEFAULT_BASE_URL);
        // Characters that would change the URL's host fall back to the global host.
        for bad in [
            "P@ev.l2345678901234567890123456789",
            "P/a/b2345678901234567890123456789",
        ] {
            assert_eq!(base_url_for_project(bad), DEFAULT_BASE_URL, "{bad}");
        }
        // Multi-byte characters never split a char (no panic) and fall back too.
        assert_eq!(
            base_url_for_project("Pé1234567890123456789012345678901"),
            DEFAULT_BASE_URL
        );
        assert_eq!(
            base_url_for_project("éééééééééééééééééééé"),
            DEFAULT_BASE_URL
        );
    }

    proptest::proptest! {
        /// Any id yields either the global host or `api.<4 alphanumerics>.descope.com`, never a
        /// panic, and the derived URL always parses with `descope.com` as its registrable host.
        #[test]
        fn regional_rule_never_panics(
            id in proptest::prop_oneof!["\\PC{0,40}", "[A-Za-z0-9@/.:#?]{30,34}"],
        ) {
            let url = base_url_for_project(&id);
            let parsed = Url::parse(&url).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let host = parsed.host_str().unwrap_or_default().to_owned();
            proptest::prop_assert!(host.ends_with(".descope.com"), "{host}");
        }
    }

    #[test]
    fn base_url_security() {
        assert!(validate_base_url("https://api.descope.com").is_ok());
        assert!(validate_base_url("http://127.0.0.1:8080").is_ok());
        assert!(validate_base_url("http://localhost:8080").is_ok());
        assert!(validate_base_url("http://[::1]:8080").is_ok());
        assert!(validate_base_url("http://api.descope.com").is_err());
        assert!(validate_base_url("ftp://x").is_err());
        assert!(validate_base_url("https://u:p@api.descope.com").is_err());
    }

    #[test]
    fn precedence_explicit_env_derived() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let b = ClientBuilder::default()
            .with_lookup(env(&[
                ("DESCOPE_PROJECT_ID", "P2abc"),
                ("DESCOPE_MANAGEMENT_KEY", "K2key"),
                ("DESCOPE_BASE_URI", "http://127.0.0.1:1"),
            ]))
            .unwrap();
        let c = b.build().unwrap();
        assert_eq!(c.base_url().as_str(), "http://127.0.0.1:1/");
        let b = ClientBuilder::default()
            .with_lookup(env(&[
                ("DESCOPE_PROJECT_ID", "P2abc"),
                ("DESCOPE_MANAGEMENT_KEY", "K2key"),
                ("DESCOPE_BASE_URL", "http://127.0.0.1:2"),
                ("DESCOPE_BASE_URI", "http://127.0.0.1:1"),
            ]))
            .unwrap()
            .base_url("http://127.0.0.1:3");
        assert_eq!(
            b.build().unwrap().base_url().as_str(),
            "http://127.0.0.1:3/"
        );
        let c = ClientBuilder::default()
            .with_lookup(env(&[("DESCOPE_MANAGEMENT_KEY", "P2abc:K2key")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.project_id(), "P2abc");
        assert_eq!(c.base_url().as_str(), "https://api.descope.com/");
        let err = ClientBuilder::default()
            .with_lookup(env(&[
                ("DESCOPE_PROJECT_ID", "P2other"),
                ("DESCOPE_MANAGEMENT_KEY", "P2abc:K2key"),
            ]))
            .unwrap_err();
        assert!(err.to_string().contains("differs"), "{err}");
        let err = ClientBuilder::default()
            .project_id("P2abc")
            .management_key(SecretString::from("P2abc:K2key"))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("credentials()"), "{err}");
        let err = ClientBuilder::default().with_lookup(env(&[])).unwrap_err();
        assert!(err.to_string().contains("DESCOPE_PROJECT_ID"));
    }

    #[test]
    fn the_setters_are_checked_by_the_credentials_rules_only() {
        // One check: whatever `Credentials::new` refuses, `build` refuses with the same words,
        // and what it accepts builds.
        for (project, key) in [
            ("P2abc", "K2 b"),
            ("P2abc", "P2abc:K2key"),
            ("P2abc", ""),
            ("abc", "K2key"),
            ("P2-abc", "K2key"),
            (" P2abc ", "K2key"),
        ] {
            let direct = Credentials::new(project, SecretString::from(key));
            let built = ClientBuilder::default()
                .project_id(project)
                .management_key(SecretString::from(key))
                .build();
            match (direct, built) {
                (Ok(c), Ok(client)) => assert_eq!(c.project_id(), client.project_id()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{project} {key}: {a:?} but the builder {b:?}"),
            }
        }
        // A setter after checked credentials replaces that part only, and is checked again.
        let err = ClientBuilder::default()
            .credentials("P2abc:K2key")
            .unwrap()
            .project_id("not a project")
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("not a Descope project id"),
            "{err}"
        );
        let c = ClientBuilder::default()
            .credentials("P2abc:K2key")
            .unwrap()
            .project_id("P2other")
            .build()
            .unwrap();
        assert_eq!(c.project_id(), "P2other");
    }

    #[test]
    fn malformed_credentials_never_echo_input() {
        for bad in [
            "nocolon-secretvalue",
            ":secretvalue",
            "P2abc:",
            "P2abc:sec:retvalue",
            "P2 abc:secretvalue",
        ] {
            let err = ClientBuilder::default().credentials(bad).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains("secretvalue"), "{text}");
        }
    }
}
