//! Access tokens from ConductorOne's token endpoint, cached until 10 s before they expire.
//!
//! `POST https://<host>/auth/v1/token` with a form (`client_assertion`,
//! `client_assertion_type`, `client_id`, `grant_type`; Go's `url.Values` sorts them) whose
//! assertion is a fresh EdDSA JWT. The answer must be HTTP 200 with a non-empty `access_token`
//! and an integer `expires_in`. There is no retry here, as in baton: a failure fails the RPC
//! that needed the token (as `Unauthenticated`), and the caller's own retry rules apply.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::config::Resolved;
use super::credentials::{ClientId, ClientKey};
use super::error::ServiceError;

/// A token is refreshed this long before it expires (oauth2's `expiryDelta`).
const EXPIRY_DELTA: Duration = Duration::from_secs(10);
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Why a token could not be had. Its text never holds a secret.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    /// The endpoint answered with another status than 200 (baton's message).
    #[error("failed to get token: {0}")]
    Status(String),
    /// The endpoint answered 200 without a token.
    #[error("failed to get token: empty access token")]
    Empty,
    /// The answer was not the JSON expected.
    #[error("failed to get token: the token endpoint's answer could not be read: {0}")]
    Decode(String),
    /// The request could not be sent or its answer not received.
    #[error("failed to get token: {0}")]
    Transport(String),
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: i64,
}

struct Cached {
    /// `"<type> <token>"`, the `authorization` value.
    authorization: SecretString,
    expires_at: Instant,
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
            && Instant::now() + EXPIRY_DELTA < c.expires_at
        {
            return Ok(c.authorization.clone());
        }
        let fresh = self.fetch().await?;
        let value = fresh.authorization.clone();
        *cache = Some(fresh);
        Ok(value)
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
            .map_err(|e| TokenError::Transport(describe(&e)))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            // Go's `resp.Status`: "401 Unauthorized".
            return Err(TokenError::Status(
                format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_owned(),
            ));
        }
        let received = Instant::now();
        let body = response
            .bytes()
            .await
            .map_err(|e| TokenError::Transport(describe(&e)))?;
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
        let lifetime = Duration::from_secs(u64::try_from(token.expires_in).unwrap_or(0));
        tracing::debug!(expires_in = token.expires_in, "received an access token");
        Ok(Cached {
            authorization: SecretString::from(format!(
                "{} {}",
                normalize_token_type(&token.token_type),
                token.access_token.expose_secret()
            )),
            expires_at: received + lifetime,
        })
    }
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
    fn a_float_expires_in_is_refused() {
        let r: Result<TokenResponse, _> =
            serde_json::from_str(r#"{"access_token":"t","token_type":"bearer","expires_in":1.5}"#);
        assert!(r.is_err());
    }
}
