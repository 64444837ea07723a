//! The per-attempt services.
//!
//! [`HttpService`] turns one [`HttpRequest`] into a standard `http::Request<Bytes>` (the only
//! place a key is exposed, in the `Authorization` header), passes it through the layers added
//! with [`crate::ClientBuilder::with_layer`], and turns the `http::Response<Bytes>` into an
//! [`HttpResponse`] or a typed error. [`SendService`], innermost, sends with reqwest and caps the
//! body size.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tower::{Service, ServiceExt};
use tracing::Instrument;
use url::Url;

use super::{Auth, EndpointClass, HttpRequest, HttpResponse, Method, Metrics};
use crate::error::{ApiError, Error};
use crate::layer::{BoxError, LayerService};

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

/// Builds the request, runs it through the user's layers, and maps the response.
#[derive(Clone)]
pub(crate) struct HttpService {
    cfg: Arc<HttpConfig>,
    /// The user's layers around [`SendService`].
    send: LayerService,
}

impl std::fmt::Debug for HttpService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpService")
            .field("base_url", &self.cfg.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl HttpService {
    pub(crate) fn new(cfg: Arc<HttpConfig>, send: LayerService) -> Self {
        HttpService { cfg, send }
    }
}

fn bearer(project_id: &str, key: &SecretString) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(&format!("Bearer {project_id}:{}", key.expose_secret()))
        .map_err(|_| Error::config("the key contains characters not allowed in an HTTP header"))?;
    // Keeps the value out of hyper's, reqwest's and any layer's Debug output.
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

/// Where a redirect points, as an origin only (`https://host:port`): enough to see a wrong
/// scheme or host, and never a path or query that might carry something sensitive.
fn redirect_origin(headers: &HeaderMap) -> Option<String> {
    let location = Url::parse(headers.get(LOCATION)?.to_str().ok()?).ok()?;
    let origin = location.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl Service<HttpRequest> for HttpService {
    type Response = HttpResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // The user's layers are driven to readiness in `call`, through `oneshot`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let cfg = self.cfg.clone();
        let send = self.send.clone();
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
                let result = attempt(&cfg, send, req).await;
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

/// The base URL as shown in messages: it carries no credentials, query or fragment (the builder
/// refuses those), so it is safe to print.
pub(crate) fn shown(base_url: &Url) -> &str {
    base_url.as_str()
}

fn build_request(cfg: &HttpConfig, req: &HttpRequest) -> Result<http::Request<Bytes>, Error> {
    let base = cfg.base_url.as_str().trim_end_matches('/');
    let mut url = Url::parse(&format!("{base}{}", req.path))
        .map_err(|_| Error::config("could not build a request URL from the base URL"))?;
    if !req.query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(req.query.iter().map(|(k, v)| (*k, v.as_str())));
    }
    let method = match req.method {
        Method::Get => http::Method::GET,
        Method::Post => http::Method::POST,
        Method::Put => http::Method::PUT,
        Method::Patch => http::Method::PATCH,
        Method::Delete => http::Method::DELETE,
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
    let key = match &req.auth {
        Auth::Management => &cfg.management_key,
        Auth::Scim(key) => key.as_ref(),
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(url.as_str())
        .header(AUTHORIZATION, bearer(&cfg.project_id, key)?)
        .header(ACCEPT, HeaderValue::from_static(accept))
        .header("x-descope-sdk-name", HeaderValue::from_static(SDK_NAME))
        .header(
            "x-descope-sdk-version",
            HeaderValue::from_static(SDK_VERSION),
        );
    if let Ok(v) = HeaderValue::from_str(&cfg.project_id) {
        builder = builder.header("x-descope-project-id", v);
    }
    if let Some(license) = req
        .license
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        builder = builder.header("x-descope-license", license);
    }
    let body = match &req.body {
        Some(body) => {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(json_type));
            body.clone()
        }
        None => Bytes::new(),
    };
    builder
        .body(body)
        .map_err(|_| Error::config("could not build a request from the base URL"))
}

/// One attempt: build, send through the user's layers, map the answer.
async fn attempt(
    cfg: &HttpConfig,
    send: LayerService,
    req: HttpRequest,
) -> Result<HttpResponse, Error> {
    let request = build_request(cfg, &req)?;
    let resp = match send.oneshot(request).await {
        Ok(resp) => resp,
        Err(e) => return Err(from_layer_error(cfg, &req.path, e)),
    };
    let status = resp.status().as_u16();
    let retry_after = parse_retry_after(resp.headers());
    let redirect = (300..400)
        .contains(&status)
        .then(|| redirect_origin(resp.headers()))
        .flatten();
    let body = resp.into_body();
    if (200..300).contains(&status) {
        return Ok(HttpResponse {
            status,
            body: Vec::from(body),
        });
    }
    let key = match &req.auth {
        Auth::Management => &cfg.management_key,
        Auth::Scim(key) => key.as_ref(),
    };
    // The key is passed only so it can be scrubbed from the excerpt of an error page that echoes
    // the request's headers.
    let mut api = ApiError::from_body(status, &body, retry_after, &[key.expose_secret()]);
    if let Some(origin) = redirect
        && !api.is_from_descope()
    {
        api.message = format!("redirects to {origin}");
    }
    api.base_url = shown(&cfg.base_url).to_owned();
    api.attempts = 1;
    Err(Error::Api(api))
}

/// The error of the layered send service: ours when it came from [`SendService`] (or a layer
/// passed it through), otherwise a transport error naming the layer as the cause.
fn from_layer_error(cfg: &HttpConfig, path: &str, e: BoxError) -> Error {
    match e.downcast::<Error>() {
        Ok(ours) => *ours,
        Err(other) => Error::Transport {
            message: format!(
                "a layer added with ClientBuilder::with_layer failed the request to {}{path}: {other}",
                shown(&cfg.base_url).trim_end_matches('/')
            ),
            connect: false,
            attempts: 1,
            source: Some(other),
        },
    }
}

/// The innermost service: sends a standard `http::Request<Bytes>` with reqwest and returns the
/// whole response, its body capped at the configured size. Errors are [`Error`]s, boxed.
#[derive(Clone)]
pub(crate) struct SendService {
    cfg: Arc<HttpConfig>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for SendService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendService").finish_non_exhaustive()
    }
}

impl SendService {
    pub(crate) fn new(cfg: Arc<HttpConfig>, metrics: Arc<Metrics>) -> Self {
        SendService { cfg, metrics }
    }
}

impl Service<http::Request<Bytes>> for SendService {
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Bytes>) -> Self::Future {
        let cfg = self.cfg.clone();
        let metrics = self.metrics.clone();
        Box::pin(async move { send(&cfg, &metrics, req).await.map_err(BoxError::from) })
    }
}

async fn send(
    cfg: &HttpConfig,
    metrics: &Metrics,
    req: http::Request<Bytes>,
) -> Result<http::Response<Bytes>, Error> {
    // For messages: the path only, never the query (it may carry a login id).
    let path = req.uri().path().to_owned();
    let where_ = || format!("{}{path}", shown(&cfg.base_url).trim_end_matches('/'));
    let req = reqwest::Request::try_from(req).map_err(|e| Error::Transport {
        message: format!("could not build the request to {}", where_()),
        connect: false,
        attempts: 1,
        source: Some(Box::new(e.without_url())),
    })?;
    metrics.requests.fetch_add(1, Ordering::Relaxed);
    let mut resp = cfg
        .client
        .execute(req)
        .await
        .map_err(|e| transport_error(&where_(), e))?;
    let limit = cfg.max_response_bytes;
    if resp
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(Error::BodyTooLarge { limit });
    }
    let status = resp.status();
    let mut out = http::Response::builder()
        .status(status)
        .version(resp.version());
    if let Some(headers) = out.headers_mut() {
        *headers = std::mem::take(resp.headers_mut());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport_error(&where_(), e))?
    {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    if status == http::StatusCode::TOO_MANY_REQUESTS {
        metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
    }
    out.body(Bytes::from(body)).map_err(|_| Error::Transport {
        message: format!("the response of {} could not be read", where_()),
        connect: false,
        attempts: 1,
        source: None,
    })
}

fn transport_error(url: &str, e: reqwest::Error) -> Error {
    let connect = e.is_connect();
    let message = if connect {
        format!(
            "could not connect to {url} (connection refused, name not resolved, or no answer \
             within the connect timeout); check the base URL and the network"
        )
    } else if e.is_timeout() {
        format!("the request to {url} timed out")
    } else if e.is_body() || e.is_decode() {
        format!("reading the response of {url} failed")
    } else {
        format!("the request to {url} failed")
    };
    Error::Transport {
        message,
        connect,
        attempts: 1,
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
