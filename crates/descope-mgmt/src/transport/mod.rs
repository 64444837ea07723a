//! The transport: reqwest inside a tower stack.
//!
//! Order, outermost first: concurrency limit → retry → rate limit → per-attempt timeout →
//! request building → the user's layers ([`crate::layer`]) → reqwest. The rate limiter sits
//! *inside* the retry layer so that every attempt, retries included, takes a slot in Descope's
//! window; the timeout applies to each attempt on its own.

mod http;
mod ratelimit;
mod retry;
mod timeout;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use secrecy::SecretString;
use tokio::time::Instant;
use tower::ServiceBuilder;
use tower::util::BoxCloneSyncService;

use crate::config::{RateLimitConfig, RetryConfig};
use crate::error::Error;

pub(crate) use http::HttpConfig;
pub(crate) use http::MAX_RETRY_AFTER;

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

impl EndpointClass {
    /// A name for logs.
    pub(crate) fn label(self) -> &'static str {
        match self {
            EndpointClass::UserSearchUpdate => "user search and update",
            EndpointClass::Management => "management",
            EndpointClass::Scim => "SCIM",
            EndpointClass::AuditSearch => "audit search",
        }
    }
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
    pub(crate) body: Option<Bytes>,
    pub(crate) class: EndpointClass,
    /// Repeating the request after a server-side failure is harmless.
    pub(crate) idempotent: bool,
    pub(crate) auth: Auth,
    /// The `x-descope-license` value to send, if the handshake produced one.
    pub(crate) license: Option<Arc<str>>,
    /// 1-based attempt number, set by the retry layer (for tracing).
    pub(crate) attempt: u32,
    /// A best-effort request (the licence handshake): only connection failures are retried,
    /// and each attempt has its own, shorter timeout.
    pub(crate) probe: Option<Duration>,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    /// The 2xx status (for tracing).
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Counters shared by all clones of a client.
#[derive(Debug)]
pub(crate) struct Metrics {
    pub(crate) requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) throttle_wait_nanos: AtomicU64,
    /// Wall-clock time with at least one request waiting on the limiter (ended periods).
    pub(crate) throttle_wall_nanos: AtomicU64,
    /// When the current period with a request waiting began; changed with `throttled_now`
    /// under this lock, so the periods are exact.
    pub(crate) waiting_since: std::sync::Mutex<Option<Instant>>,
    /// Requests waiting on the client-side rate limiter right now.
    pub(crate) throttled_now: AtomicU64,
    /// When the latest-ending wait in progress ends, in nanoseconds since `epoch`.
    throttle_until_nanos: AtomicU64,
    epoch: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            throttle_wait_nanos: AtomicU64::new(0),
            throttle_wall_nanos: AtomicU64::new(0),
            waiting_since: std::sync::Mutex::new(None),
            throttled_now: AtomicU64::new(0),
            throttle_until_nanos: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }
}

pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Metrics {
    pub(crate) fn add_throttle_wait(&self, d: Duration) {
        self.throttle_wait_nanos
            .fetch_add(nanos(d), Ordering::Relaxed);
    }

    /// A request starts or extends a wait on the limiter that lasts until `until`.
    pub(crate) fn throttle_until(&self, until: Instant) {
        let at = nanos(until.saturating_duration_since(self.epoch));
        self.throttle_until_nanos.fetch_max(at, Ordering::Relaxed);
    }

    /// How long the longest wait in progress still lasts, `None` when no request waits.
    pub(crate) fn throttle_remaining(&self) -> Option<Duration> {
        if self.throttled_now.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let until = Duration::from_nanos(self.throttle_until_nanos.load(Ordering::Relaxed));
        Some(until.saturating_sub(self.epoch.elapsed()))
    }
}

/// Everything needed to assemble the stack.
pub(crate) struct StackConfig {
    pub(crate) http: HttpConfig,
    pub(crate) rate_limit: RateLimitConfig,
    pub(crate) retry: RetryConfig,
    pub(crate) concurrency: usize,
    pub(crate) request_timeout: Option<Duration>,
    /// The connect timeout (for the retry policy's connect budget); `None` when disabled.
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) layers: Vec<crate::layer::PendingLayer>,
}

pub(crate) fn build(cfg: StackConfig, metrics: Arc<Metrics>) -> Transport {
    let limiter = Arc::new(ratelimit::RateLimiter::new(cfg.rate_limit, metrics.clone()));
    let http_cfg = Arc::new(cfg.http);
    let send = crate::layer::apply(
        BoxCloneSyncService::new(http::SendService::new(http_cfg.clone(), metrics.clone())),
        cfg.layers,
    );
    let svc = ServiceBuilder::new()
        .concurrency_limit(cfg.concurrency.max(1))
        .layer(retry::RetryLayer::new(
            cfg.retry,
            cfg.connect_timeout,
            metrics.clone(),
        ))
        .layer(ratelimit::RateLimitLayer::new(limiter))
        .layer(timeout::TimeoutLayer::new(cfg.request_timeout))
        .service(http::HttpService::new(http_cfg, send));
    BoxCloneSyncService::new(svc)
}
