//! Access tokens from ConductorOne's token endpoint, cached until 10 s before they expire.
//!
//! `POST https://<host>/auth/v1/token` with a form (`client_assertion`,
//! `client_assertion_type`, `client_id`, `grant_type`; Go's `url.Values` sorts them) whose
//! assertion is a fresh EdDSA JWT. The answer must be HTTP 200 with a non-empty `access_token`
//! and an integer `expires_in`.
//!
//! One request per call and no retry here: the caller's loop (startup Hello, GetTask,
//! heartbeats, FinishTask, UploadAsset) waits and tries again. What differs from baton is which
//! failures are final. baton fails every RPC that needed a token with `Unauthenticated`, which
//! its startup Hello never retries, so one 503 from the token endpoint at start-up ends the
//! process. Here only a refusal of the credentials (HTTP 400 or 401) and a server certificate
//! that is not trusted are final (`Unauthenticated`); a 5xx, a 429, a timeout, a refused
//! connection or an unreadable answer is `Unavailable`, retried with back-off like any
//! transient fault.
//!
//! `expires_in` is clamped to [`MAX_LIFETIME`] (a huge value must not overflow the clock), and
//! a missing, zero or negative one means no stated expiry (as `golang.org/x/oauth2` reads a
//! token response; baton instead computes an expiry of "now" and fetches a token for every
//! RPC). Either way a token ConductorOne refuses is dropped by [`TokenSource::invalidate`] and
//! the RPC tried once more with a fresh one (see the client).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tonic::Status;

use super::config::Resolved;
use super::credentials::{ClientId, ClientKey};
use super::error::ServiceError;

/// A token is refreshed this long before it expires (oauth2's `expiryDelta`).
const EXPIRY_DELTA: Duration = Duration::from_secs(10);
/// The longest a token is cached, whatever `expires_in` says (one day).
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Why a token could not be had. Its text never holds a secret.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    /// HTTP 400 or 401: the credentials were refused (baton's message).
    #[error("failed to get token: {0}")]
    Refused(String),
    /// Another status than 200, 400 or 401 (baton's message).
    #[error("failed to get token: {0}")]
    Status(String),
    /// The endpoint answered 200 without a token.
    #[error("failed to get token: empty access token")]
    Empty,
    /// The answer was not the JSON expected.
    #[error("failed to get token: the token endpoint's answer could not be read: {0}")]
    Decode(String),
    /// The server's certificate was refused.
    #[error("failed to get token: {0}")]
    Untrusted(String),
    /// The request could not be sent or its answer not received.
    #[error("failed to get token: {0}")]
    Transport(String),
}

impl TokenError {
    /// Whether trying again cannot help: the credentials or the server's certificate were
    /// refused.
    pub(crate) fn is_final(&self) -> bool {
        matches!(self, TokenError::Refused(_) | TokenError::Untrusted(_))
    }

    /// The status of the RPC that needed the token: `Unauthenticated` when final (as baton),
    /// else `Unavailable`, which every loop retries.
    pub(crate) fn to_status(&self) -> Status {
        if self.is_final() {
            Status::unauthenticated(self.to_string())
        } else {
            Status::unavailable(self.to_string())
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

struct Cached {
    /// `"<type> <token>"`, the `authorization` value.
    authorization: SecretString,
    /// `None`: no expiry was stated; the token is used until ConductorOne refuses it.
    expires_at: Option<Instant>,
}

/// Fetches and caches access tokens.
pub(crate) struct TokenSource {
    client_id: ClientId,
    key: Arc<ClientKey>,
    url: String,
    http: reqwest::Client,
    cache: Mutex<Option<Cached>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("client_id", &self.client_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// oauth2's `Token.Type()`: `bearer` (any case) or empty is `Bearer`, `mac` is `MAC`, `basic`
/// is `Basic`, anything else verbatim.
fn normalize_token_type(t: &str) -> &str {
    if t.is_empty() || t.eq_ignore_ascii_case("bearer") {
        "Bearer"
    } else if t.eq_ignore_ascii_case("mac") {
        "MAC"
    } else if t.eq_ignore_ascii_case("basic") {
        "Basic"
    } else {
        t
    }
}

impl TokenSource {
    pub(crate) fn new(
        resolved: &Resolved,
        tls: rustls::ClientConfig,
    ) -> Result<Self, ServiceError> {
        let mut tls = tls;
        // Go's client used HTTP/1.1 for this request; one request per few minutes needs no more.
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .https_only(true)
            .user_agent(concat!(
                "baton-c1-credential-provider c1-connector-runner/",
                env!("CARGO_PKG_VERSION")
            ))
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ServiceError::Client(format!("token client: {e}")))?;
        Ok(Self {
            client_id: resolved.client_id.clone(),
            key: resolved.key.clone(),
            url: format!("https://{}/auth/v1/token", resolved.host),
            http,
            cache: Mutex::new(None),
        })
    }

    /// The `authorization` metadata value, from the cache or a new token.
    pub(crate) async fn authorization(&self) -> Result<SecretString, TokenError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && c.expires_at
                .is_none_or(|at| Instant::now() + EXPIRY_DELTA < at)
        {
            return Ok(c.authorization.clone());
        }
        let fresh = self.fetch().await?;
        let value = fresh.authorization.clone();
        *cache = Some(fresh);
        Ok(value)
    }

    /// Forgets `used` (an `authorization` value ConductorOne refused) unless a newer token has
    /// replaced it already, so the next call fetches a fresh one.
    pub(crate) async fn invalidate(&self, used: &SecretString) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|c| c.authorization.expose_secret() == used.expose_secret())
        {
            *cache = None;
        }
    }

    async fn fetch(&self) -> Result<Cached, TokenError> {
        let assertion = self.key.assertion(&self.client_id, SystemTime::now());
        let form = [
            ("client_assertion", assertion.expose_secret()),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_id", self.client_id.as_str()),
            ("grant_type", "client_credentials"),
        ];
        tracing::debug!(url = %self.url, "requesting an access token");
        let response = self
            .http
            .post(&self.url)
            .form(&form)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            // Go's `resp.Status`: "401 Unauthorized".
            let line = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_owned();
            return Err(match status.as_u16() {
                400 | 401 => TokenError::Refused(line),
                _ => TokenError::Status(line),
            });
        }
        let received = Instant::now();
        let body = response.bytes().await.map_err(|e| transport_error(&e))?;
        let token: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            TokenError::Decode(format!(
                "{} at line {} column {}",
                e.classify_name(),
                e.line(),
                e.column()
            ))
        })?;
        if token.access_token.expose_secret().is_empty() {
            return Err(TokenError::Empty);
        }
        let expires_at = lifetime(token.expires_in).map(|d| received + d);
        tracing::debug!(expires_in = ?token.expires_in, "received an access token");
        Ok(Cached {
            authorization: SecretString::from(format!(
                "{} {}",
                normalize_token_type(&token.token_type),
                token.access_token.expose_secret()
            )),
            expires_at,
        })
    }
}

/// How long a token is cached: `expires_in` seconds, at most [`MAX_LIFETIME`]; `None` (no
/// expiry) when it is absent, zero or negative.
fn lifetime(expires_in: Option<i64>) -> Option<Duration> {
    let secs = u64::try_from(expires_in?).ok().filter(|s| *s > 0)?;
    Some(Duration::from_secs(secs).min(MAX_LIFETIME))
}

/// A failed request: an untrusted certificate is final, anything else (refused connection,
/// timeout, reset) transient.
fn transport_error(e: &reqwest::Error) -> TokenError {
    if certificate_refused(e) {
        TokenError::Untrusted(describe(e))
    } else {
        TokenError::Transport(describe(e))
    }
}

/// Whether rustls refused the server's certificate somewhere in `e`'s causes. It sits inside
/// `io::Error`s (hyper-util wraps tokio-rustls's), whose `source` skips the error they hold, so
/// each is opened with `get_ref`.
fn certificate_refused(e: &reqwest::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return matches!(tls, rustls::Error::InvalidCertificate(_));
        }
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

/// serde_json's error category, without the offending input (which could be a token).
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "i/o error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "unexpected JSON fields or types",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// A reqwest error with its causes (connection refused, certificate not trusted, ...). The
/// URL it names holds no secret.
fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_types_normalise_like_oauth2() {
        assert_eq!(normalize_token_type(""), "Bearer");
        assert_eq!(normalize_token_type("bearer"), "Bearer");
        assert_eq!(normalize_token_type("BEARER"), "Bearer");
        assert_eq!(normalize_token_type("mac"), "MAC");
        assert_eq!(normalize_token_type("Basic"), "Basic");
        assert_eq!(normalize_token_type("DPoP"), "DPoP");
    }

    #[test]
    fn lifetimes_are_clamped_and_a_missing_one_means_no_expiry() {
        assert_eq!(lifetime(Some(3600)), Some(Duration::from_secs(3600)));
        assert_eq!(lifetime(Some(i64::MAX)), Some(MAX_LIFETIME));
        assert_eq!(lifetime(None), None);
        assert_eq!(lifetime(Some(0)), None);
        assert_eq!(lifetime(Some(-5)), None);
        // The largest lifetime still adds to the clock.
        let _ = Instant::now() + lifetime(Some(i64::MAX)).unwrap_or_default();
        let r: TokenResponse =
            serde_json::from_str(r#"{"access_token":"t","token_type":"bearer"}"#).unwrap();
        assert_eq!(r.expires_in, None);
    }

    #[test]
    fn only_refused_credentials_and_certificates_are_final() {
        assert!(TokenError::Refused("401 Unauthorized".into()).is_final());
        assert!(TokenError::Untrusted("bad cert".into()).is_final());
        for e in [
            TokenError::Status("503 Service Unavailable".into()),
            TokenError::Status("429 Too Many Requests".into()),
            TokenError::Empty,
            TokenError::Decode("not JSON".into()),
            TokenError::Transport("connection refused".into()),
        ] {
            assert!(!e.is_final(), "{e}");
            assert_eq!(e.to_status().code(), tonic::Code::Unavailable);
        }
        let s = TokenError::Refused("401 Unauthorized".into()).to_status();
        assert_eq!(s.code(), tonic::Code::Unauthenticated);
        assert_eq!(s.message(), "failed to get token: 401 Unauthorized");
    }

    #[test]
    fn a_float_expires_in_is_refused() {
        let r: Result<TokenResponse, _> =
            serde_json::from_str(r#"{"access_token":"t","token_type":"bearer","expires_in":1.5}"#);
        assert!(r.is_err());
    }
}
