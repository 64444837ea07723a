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
    connect_timeout: Option<Duration>,
    metrics: Arc<Metrics>,
}

impl RetryLayer {
    pub(crate) fn new(
        cfg: RetryConfig,
        connect_timeout: Option<Duration>,
        metrics: Arc<Metrics>,
    ) -> Self {
        RetryLayer {
            cfg,
            connect_timeout,
            metrics,
        }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Retry<S> {
        Retry {
            inner,
            cfg: self.cfg,
            connect_timeout: self.connect_timeout,
            metrics: self.metrics.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Retry<S> {
    inner: S,
    cfg: RetryConfig,
    connect_timeout: Option<Duration>,
    metrics: Arc<Metrics>,
}

/// Where the request stands when an attempt failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    /// 1-based number of the attempt that failed.
    pub(crate) attempt: u32,
    /// Time since the first attempt started.
    pub(crate) elapsed: Duration,
    /// The connect timeout one more attempt may spend connecting (`None`: unbounded).
    pub(crate) connect_timeout: Option<Duration>,
}

/// The wait before the next attempt, or `None` to give up with the error.
pub(crate) fn retry_delay(
    cfg: &RetryConfig,
    req: &HttpRequest,
    err: &Error,
    at: Progress,
) -> Option<Duration> {
    if at.attempt >= cfg.max_attempts {
        return None;
    }
    let connect_failure = matches!(err, Error::Transport { connect: true, .. });
    if req.probe.is_some() && !connect_failure {
        // A best-effort probe gives up on anything but a failure to connect.
        return None;
    }
    let delay = match err {
        // Rate limited: the request was not processed, so any request may be repeated.
        Error::Api(api) if api.status == 429 => api.retry_after.unwrap_or(cfg.default_retry_after),
        Error::Api(api)
            if (api.status == 408 || is_transient_status(api.status)) && req.idempotent =>
        {
            backoff(cfg, at.attempt)
        }
        // Never reached Descope: harmless to repeat anything, but only within the connect
        // budget, counting the connect timeout the next attempt may spend, so an unreachable
        // base URL fails in seconds instead of attempts × connect timeout.
        Error::Transport { connect: true, .. } => {
            let delay = backoff(cfg, at.attempt);
            let next_ends = at
                .elapsed
                .saturating_add(delay)
                .saturating_add(at.connect_timeout.unwrap_or(Duration::ZERO));
            if next_ends > cfg.connect_budget {
                return None;
            }
            delay
        }
        Error::Transport { .. } | Error::Timeout { .. } if req.idempotent => {
            backoff(cfg, at.attempt)
        }
        _ => return None,
    };
    Some(delay)
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
        let connect_timeout = self.connect_timeout;
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let started = Instant::now();
            let mut attempt = 1;
            loop {
                req.attempt = attempt;
                let mut err = match inner.clone().oneshot(req.clone()).await {
                    Ok(resp) => return Ok(resp),
                    Err(e) => e,
                };
                err.set_attempts(attempt);
                let progress = Progress {
                    attempt,
                    elapsed: started.elapsed(),
                    connect_timeout,
                };
                let Some(delay) = retry_delay(&cfg, &req, &err, progress) else {
                    return Err(err);
                };
                // Saturating: the delay may be a configured `Duration::MAX`.
                if progress.elapsed.saturating_add(delay) > cfg.max_elapsed {
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
            probe: None,
        }
    }

    fn at(attempt: u32) -> Progress {
        Progress {
            attempt,
            elapsed: Duration::ZERO,
            connect_timeout: None,
        }
    }

    fn connect_error() -> Error {
        Error::Transport {
            message: "could not connect".into(),
            connect: true,
            attempts: 1,
            source: None,
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
            retry_delay(&cfg, &req(false), &api(429, Some(7)), at(1)),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_delay(&cfg, &req(false), &api(429, None), at(1)),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn server_errors_only_for_idempotent() {
        let cfg = RetryConfig::default();
        assert!(retry_delay(&cfg, &req(false), &api(503, None), at(1)).is_none());
        assert!(retry_delay(&cfg, &req(true), &api(503, None), at(1)).is_some());
        assert!(retry_delay(&cfg, &req(true), &api(530, None), at(1)).is_some());
        assert!(retry_delay(&cfg, &req(true), &api(501, None), at(1)).is_none());
        assert!(retry_delay(&cfg, &req(true), &api(400, None), at(1)).is_none());
    }

    #[test]
    fn request_timeout_408_is_transient_for_idempotent_requests() {
        let cfg = RetryConfig::default();
        assert!(retry_delay(&cfg, &req(true), &api(408, None), at(1)).is_some());
        assert!(retry_delay(&cfg, &req(false), &api(408, None), at(1)).is_none());
    }

    #[test]
    fn connect_failures_stay_within_the_connect_budget() {
        let cfg = RetryConfig::default()
            .base_delay(Duration::from_millis(200))
            .connect_budget(Duration::from_secs(15));
        let err = connect_error();
        let timeout = Some(Duration::from_secs(5));
        let progress = |attempt, secs| Progress {
            attempt,
            elapsed: Duration::from_secs(secs),
            connect_timeout: timeout,
        };
        // Two blackholed attempts of 5 s each still leave room for a third within 15 s...
        assert!(retry_delay(&cfg, &req(false), &err, progress(1, 5)).is_some());
        // ... but not after 10 s: the next one could end past the budget.
        assert!(retry_delay(&cfg, &req(false), &err, progress(2, 10)).is_none());
        // Refused connections fail at once: retried up to max_attempts.
        let instant = Progress {
            attempt: 3,
            elapsed: Duration::from_millis(900),
            connect_timeout: timeout,
        };
        assert!(retry_delay(&cfg, &req(false), &err, instant).is_some());
        assert!(
            retry_delay(
                &cfg,
                &req(false),
                &err,
                Progress {
                    attempt: 4,
                    ..instant
                }
            )
            .is_none()
        );
    }

    #[test]
    fn probes_retry_connect_failures_only() {
        let cfg = RetryConfig::default();
        let mut probe = req(true);
        probe.probe = Some(Duration::from_secs(5));
        assert!(retry_delay(&cfg, &probe, &connect_error(), at(1)).is_some());
        assert!(retry_delay(&cfg, &probe, &api(503, None), at(1)).is_none());
        assert!(retry_delay(&cfg, &probe, &api(429, Some(1)), at(1)).is_none());
    }

    #[test]
    fn attempt_cap() {
        let cfg = RetryConfig::default().max_attempts(2);
        assert!(retry_delay(&cfg, &req(true), &api(503, None), at(2)).is_none());
    }

    #[test]
    fn extreme_configuration_does_not_overflow() {
        let cfg = RetryConfig::default()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX)
            .default_retry_after(Duration::MAX)
            .max_attempts(u32::MAX);
        for attempt in [1, 2, 31, 32, 33, u32::MAX - 1] {
            assert!(retry_delay(&cfg, &req(true), &api(503, None), at(attempt)).is_some());
            assert_eq!(
                retry_delay(&cfg, &req(false), &api(429, None), at(attempt)),
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
