//! The retry layer. See [`crate::RetryConfig`] for the policy and which requests are repeated.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use super::{HttpRequest, HttpResponse, Metrics};
use crate::config::RetryConfig;
use crate::error::{Error, is_transient_status};

#[derive(Debug, Clone)]
pub(crate) struct RetryLayer {
    cfg: RetryConfig,
    metrics: Arc<Metrics>,
}

impl RetryLayer {
    pub(crate) fn new(cfg: RetryConfig, metrics: Arc<Metrics>) -> Self {
        RetryLayer { cfg, metrics }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Retry<S> {
        Retry {
            inner,
            cfg: self.cfg,
            metrics: self.metrics.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Retry<S> {
    inner: S,
    cfg: RetryConfig,
    metrics: Arc<Metrics>,
}

/// The wait before the next attempt, or `None` to give up with the error.
pub(crate) fn retry_delay(
    cfg: &RetryConfig,
    req: &HttpRequest,
    err: &Error,
    attempt: u32,
) -> Option<Duration> {
    if attempt >= cfg.max_attempts {
        return None;
    }
    match err {
        // Rate limited: the request was not processed, so any request may be repeated.
        Error::Api(api) if api.status == 429 => {
            Some(api.retry_after.unwrap_or(cfg.default_retry_after))
        }
        Error::Api(api) if is_transient_status(api.status) && req.idempotent => {
            Some(backoff(cfg, attempt))
        }
        // Never reached Descope: harmless to repeat anything.
        Error::Transport { connect: true, .. } => Some(backoff(cfg, attempt)),
        Error::Transport { .. } | Error::Timeout { .. } if req.idempotent => {
            Some(backoff(cfg, attempt))
        }
        _ => None,
    }
}

/// Exponential back-off with "equal jitter": half the delay fixed, half random, so concurrent
/// clients that failed together do not retry together.
fn backoff(cfg: &RetryConfig, attempt: u32) -> Duration {
    let exp = cfg
        .base_delay
        .saturating_mul(
            1u32.checked_shl(attempt.saturating_sub(1))
                .unwrap_or(u32::MAX),
        )
        .min(cfg.max_delay);
    let half = exp / 2;
    let half_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    let jitter = if half_ms == 0 {
        0
    } else {
        rand::rng().random_range(0..=half_ms)
    };
    half.saturating_add(Duration::from_millis(jitter))
}

impl<S> Service<HttpRequest> for Retry<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Error> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // Each attempt drives the inner service's readiness through `oneshot`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        let inner = self.inner.clone();
        let cfg = self.cfg;
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let started = Instant::now();
            let mut attempt = 1;
            loop {
                req.attempt = attempt;
                let err = match inner.clone().oneshot(req.clone()).await {
                    Ok(resp) => return Ok(resp),
                    Err(e) => e,
                };
                let Some(delay) = retry_delay(&cfg, &req, &err, attempt) else {
                    return Err(err);
                };
                // Saturating: the delay may be a configured `Duration::MAX`.
                if started.elapsed().saturating_add(delay) > cfg.max_elapsed {
                    tracing::debug!(?delay, "retry budget exhausted");
                    return Err(err);
                }
                tracing::warn!(
                    path = %req.path,
                    attempt,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    error = %err,
                    "retrying Descope request"
                );
                metrics.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use crate::transport::{Auth, EndpointClass, Method};

    fn req(idempotent: bool) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            path: "/v1/mgmt/user/create".into(),
            query: Vec::new(),
            body: None,
            class: EndpointClass::Management,
            idempotent,
            auth: Auth::Management,
            license: None,
            attempt: 1,
        }
    }

    fn api(status: u16, retry_after: Option<u64>) -> Error {
        let mut e = ApiError::new(status, "", "");
        e.retry_after = retry_after.map(Duration::from_secs);
        Error::Api(e)
    }

    #[test]
    fn rate_limit_is_retried_for_writes_after_retry_after() {
        let cfg = RetryConfig::default();
        assert_eq!(
            retry_delay(&cfg, &req(false), &api(429, Some(7)), 1),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_delay(&cfg, &req(false), &api(429, None), 1),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn server_errors_only_for_idempotent() {
        let cfg = RetryConfig::default();
        assert!(retry_delay(&cfg, &req(false), &api(503, None), 1).is_none());
        assert!(retry_delay(&cfg, &req(true), &api(503, None), 1).is_some());
        assert!(retry_delay(&cfg, &req(true), &api(530, None), 1).is_some());
        assert!(retry_delay(&cfg, &req(true), &api(501, None), 1).is_none());
        assert!(retry_delay(&cfg, &req(true), &api(400, None), 1).is_none());
    }

    #[test]
    fn attempt_cap() {
        let cfg = RetryConfig::default().max_attempts(2);
        assert!(retry_delay(&cfg, &req(true), &api(503, None), 2).is_none());
    }

    #[test]
    fn extreme_configuration_does_not_overflow() {
        let cfg = RetryConfig::default()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX)
            .default_retry_after(Duration::MAX)
            .max_attempts(u32::MAX);
        for attempt in [1, 2, 31, 32, 33, u32::MAX - 1] {
            assert!(retry_delay(&cfg, &req(true), &api(503, None), attempt).is_some());
            assert_eq!(
                retry_delay(&cfg, &req(false), &api(429, None), attempt),
                Some(Duration::MAX)
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let cfg = RetryConfig::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        for attempt in 1..40 {
            let d = backoff(&cfg, attempt);
            assert!(d <= Duration::from_secs(1));
        }
        let third = backoff(&cfg, 3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
    }
}
