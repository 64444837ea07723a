//! The transport: reqwest inside a tower stack.
//!
//! Order, outermost first: concurrency limit → retry → rate limit → per-attempt timeout → HTTP.
//! The rate limiter sits *inside* the retry layer so that every attempt, retries included, takes
//! a slot in Descope's window; the timeout applies to each attempt on its own.

mod http;
mod ratelimit;
mod retry;
mod timeout;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::SecretString;
use tower::ServiceBuilder;
use tower::util::BoxCloneSyncService;

use crate::config::{RateLimitConfig, RetryConfig};
use crate::error::Error;

pub(crate) use http::HttpConfig;

/// The boxed transport stack; `Clone + Send + Sync`, clones share limits and metrics.
pub(crate) type Transport = BoxCloneSyncService<HttpRequest, HttpResponse, Error>;

/// Which rate-limit window a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointClass {
    /// User search and user update (200 / 60 s).
    UserSearchUpdate,
    /// Everything else under `/v*/mgmt` (100 / 60 s).
    Management,
    /// `/scim/v2`.
    Scim,
    /// Audit search (10 / 60 s).
    AuditSearch,
}

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Which credential authenticates the request.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// The client's management key.
    Management,
    /// A tenant's SCIM access key.
    Scim(Arc<SecretString>),
}

/// One logical request; cloned for each attempt (the body is shared, not copied).
#[derive(Debug, Clone)]
pub(crate) struct HttpRequest {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Arc<Vec<u8>>>,
    pub(crate) class: EndpointClass,
    /// Repeating the request after a server-side failure is harmless.
    pub(crate) idempotent: bool,
    pub(crate) auth: Auth,
    /// The `x-descope-license` value to send, if the handshake produced one.
    pub(crate) license: Option<Arc<str>>,
    /// 1-based attempt number, set by the retry layer (for tracing).
    pub(crate) attempt: u32,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    /// The 2xx status (for tracing).
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Counters shared by all clones of a client.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) throttle_wait_nanos: AtomicU64,
}

impl Metrics {
    pub(crate) fn add_throttle_wait(&self, d: Duration) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.throttle_wait_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// Everything needed to assemble the stack.
pub(crate) struct StackConfig {
    pub(crate) http: HttpConfig,
    pub(crate) rate_limit: RateLimitConfig,
    pub(crate) retry: RetryConfig,
    pub(crate) concurrency: usize,
    pub(crate) request_timeout: Option<Duration>,
}

pub(crate) fn build(cfg: StackConfig, metrics: Arc<Metrics>) -> Transport {
    let limiter = Arc::new(ratelimit::RateLimiter::new(cfg.rate_limit, metrics.clone()));
    let svc = ServiceBuilder::new()
        .concurrency_limit(cfg.concurrency.max(1))
        .layer(retry::RetryLayer::new(cfg.retry, metrics.clone()))
        .layer(ratelimit::RateLimitLayer::new(limiter))
        .layer(timeout::TimeoutLayer::new(cfg.request_timeout))
        .service(http::HttpService::new(cfg.http, metrics));
    BoxCloneSyncService::new(svc)
}
