//! The innermost service: one HTTP attempt with reqwest. Builds headers (the only place a key is
//! exposed), caps the body size, and turns non-success statuses into [`crate::ApiError`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tower::Service;
use tracing::Instrument;
use url::Url;

use super::{Auth, EndpointClass, HttpRequest, HttpResponse, Method, Metrics};
use crate::error::{ApiError, Error};

/// Value of `x-descope-sdk-name`.
pub(crate) const SDK_NAME: &str = "rust-descope-mgmt";
/// Value of `x-descope-sdk-version`.
pub(crate) const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

pub(crate) struct HttpConfig {
    pub(crate) client: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) project_id: String,
    pub(crate) management_key: SecretString,
    pub(crate) max_response_bytes: usize,
}

#[derive(Clone)]
pub(crate) struct HttpService {
    cfg: Arc<HttpConfig>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for HttpService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpService")
            .field("base_url", &self.cfg.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl HttpService {
    pub(crate) fn new(cfg: HttpConfig, metrics: Arc<Metrics>) -> Self {
        HttpService {
            cfg: Arc::new(cfg),
            metrics,
        }
    }
}

fn bearer(project_id: &str, key: &SecretString) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(&format!("Bearer {project_id}:{}", key.expose_secret()))
        .map_err(|_| Error::config("the key contains characters not allowed in an HTTP header"))?;
    // Keeps the value out of hyper's and reqwest's own Debug output.
    v.set_sensitive(true);
    Ok(v)
}

/// The longest `Retry-After` honoured. Descope's documented lock-out is 60 s; a larger value is
/// clamped so a hostile or broken header cannot park a client (and its rate-limit class) for
/// years, nor overflow the clock arithmetic that schedules the retry.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// `Retry-After` as an integer number of seconds (the only form Descope sends; the SDKs parse it
/// the same way). Dates, fractions, negatives and garbage are ignored; huge values are clamped.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: the only parse failure left is overflow, which is "very long" as well.
    let secs = v.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

impl Service<HttpRequest> for HttpService {
    type Response = HttpResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let cfg = self.cfg.clone();
        let metrics = self.metrics.clone();
        let span = tracing::info_span!(
            "descope.request",
            method = req.method.as_str(),
            path = %req.path,
            attempt = req.attempt,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        Box::pin(
            async move {
                let started = Instant::now();
                let result = send(&cfg, &metrics, req).await;
                let span = tracing::Span::current();
                span.record(
                    "elapsed_ms",
                    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                );
                match &result {
                    Ok(resp) => {
                        span.record("status", resp.status);
                        tracing::debug!("request succeeded");
                    }
                    Err(e) => {
                        if let Some(status) = e.status() {
                            span.record("status", status);
                        }
                        tracing::debug!(error = %e, "request failed");
                    }
                }
                result
            }
            .instrument(span),
        )
    }
}

async fn send(
    cfg: &HttpConfig,
    metrics: &Metrics,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let base = cfg.base_url.as_str().trim_end_matches('/');
    let mut url = Url::parse(&format!("{base}{}", req.path))
        .map_err(|_| Error::config("could not build a request URL from the base URL"))?;
    if !req.query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(req.query.iter().map(|(k, v)| (*k, v.as_str())));
    }
    let method = match req.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    };
    let scim = req.class == EndpointClass::Scim;
    let json_type = if scim {
        "application/scim+json"
    } else {
        "application/json"
    };
    // SCIM servers answer in `application/scim+json`; accept plain JSON too.
    let accept = if scim {
        "application/scim+json, application/json"
    } else {
        "application/json"
    };
    let mut headers = HeaderMap::new();
    let key = match &req.auth {
        Auth::Management => &cfg.management_key,
        Auth::Scim(key) => key.as_ref(),
    };
    let auth = bearer(&cfg.project_id, key)?;
    headers.insert(AUTHORIZATION, auth);
    headers.insert(ACCEPT, HeaderValue::from_static(accept));
    if let Ok(v) = HeaderValue::from_str(&cfg.project_id) {
        headers.insert("x-descope-project-id", v);
    }
    headers.insert("x-descope-sdk-name", HeaderValue::from_static(SDK_NAME));
    headers.insert(
        "x-descope-sdk-version",
        HeaderValue::from_static(SDK_VERSION),
    );
    if let Some(license) = req
        .license
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        headers.insert("x-descope-license", license);
    }
    let mut builder = cfg.client.request(method, url).headers(headers);
    if let Some(body) = &req.body {
        builder = builder
            .header(CONTENT_TYPE, HeaderValue::from_static(json_type))
            .body(body.as_ref().clone());
    }

    metrics.requests.fetch_add(1, Ordering::Relaxed);
    let mut resp = builder
        .send()
        .await
        .map_err(|e| transport_error(&req.path, e))?;
    let status = resp.status().as_u16();
    let retry_after = parse_retry_after(resp.headers());
    let limit = cfg.max_response_bytes;
    if resp
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(Error::BodyTooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport_error(&req.path, e))?
    {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    if (200..300).contains(&status) {
        return Ok(HttpResponse { status, body });
    }
    if status == 429 {
        metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
    }
    // The key is passed only so it can be scrubbed from the excerpt of an error page that echoes
    // the request's headers.
    Err(Error::Api(ApiError::from_body(
        status,
        &body,
        retry_after,
        &[key.expose_secret()],
    )))
}

fn transport_error(path: &str, e: reqwest::Error) -> Error {
    let connect = e.is_connect();
    let message = if connect {
        format!("could not connect to Descope for {path}")
    } else if e.is_timeout() {
        format!("request to {path} timed out")
    } else if e.is_body() || e.is_decode() {
        format!("reading the response of {path} failed")
    } else {
        format!("request to {path} failed")
    };
    Error::Transport {
        message,
        connect,
        source: Some(Box::new(e.without_url())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(v: &str) -> Option<Duration> {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(v).ok()?);
        parse_retry_after(&h)
    }

    #[test]
    fn retry_after_accepts_only_whole_seconds_and_is_clamped() {
        assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(retry_after("3601"), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("18446744073709551615"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            retry_after("99999999999999999999999999"),
            Some(MAX_RETRY_AFTER)
        );
        for bad in [
            "-5",
            "+5",
            "1.5",
            "",
            "soon",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "1e3",
            "0x10",
        ] {
            assert_eq!(retry_after(bad), None, "{bad:?}");
        }
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }

    proptest::proptest! {
        #[test]
        fn retry_after_never_panics_and_is_bounded(v in "[ -~]{0,40}") {
            if let Some(d) = retry_after(&v) {
                proptest::prop_assert!(d <= MAX_RETRY_AFTER);
            }
        }
    }
}
