//! The retry policy shared by the engine and the provisioning runner.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use crate::error::Error;
use crate::model::RateLimitDescription;

/// When and how long to retry.
///
/// An error is retried when [`Error::is_retryable`] says so: by default only `Unavailable` and
/// `DeadlineExceeded` (baton's rule), and never an error marked
/// [`Error::with_retryable(false)`](Error::with_retryable), which is how a connector whose own
/// client already retried says "do not retry this again". The delay is linear
/// (`attempt × base_delay`) unless the error says how long to wait (`retry_after`, or a
/// `RateLimitDescription` with a future reset), and never above `max_delay`.
///
/// # The engine's retry budget
///
/// The budget is per connector call, not per sync: [`Connector::validate`] and every page request
/// (one `list`, `entitlements` or `grants` call) gets `1 + max_retries` attempts. With the
/// default policy (10 retries, 1 s base, 60 s cap) a call that keeps failing waits
/// 1 + 2 + … + 10 = 55 s in total before the sync fails with its last error, unless the errors ask
/// for longer waits (each capped at 60 s, so at most 10 minutes). Calls in flight at the same time
/// (up to [`SyncOptions::concurrency`]) retry independently, and a cancelled sync stops waiting at
/// once. Retries are counted in [`SyncStats::retries`] and in [`Progress::retries`]. The
/// provisioning runner uses the same rules with 2 retries (baton's 3 attempts).
///
/// [`Connector::validate`]: crate::connector::Connector::validate
/// [`SyncOptions::concurrency`]: crate::engine::SyncOptions::concurrency
/// [`SyncStats::retries`]: crate::engine::SyncStats::retries
/// [`Progress::retries`]: crate::engine::Progress::retries
///
/// ```
/// use std::time::Duration;
/// use c1_connector_sdk::engine::RetryPolicy;
/// use c1_connector_sdk::error::Error;
///
/// let policy = RetryPolicy::new(3);
/// assert_eq!(policy.delay(2, &Error::unavailable("busy")), Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub max_retries: u32,
    /// The delay unit of the linear back-off.
    pub base_delay: Duration,
    /// The longest single wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy with `max_retries` retries and the default delays.
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::default()
        }
    }

    /// How long to wait before retry number `attempt` (1-based) after `err`.
    pub fn delay(&self, attempt: u32, err: &Error) -> Duration {
        let d = if let Some(d) = err.retry_after() {
            d
        } else if let Some(d) = err.rate_limit().and_then(rate_limit_delay) {
            d
        } else {
            self.base_delay.saturating_mul(attempt)
        };
        d.min(self.max_delay)
    }

    /// Runs `op` until it succeeds, fails with a non-retryable error, runs out of retries, or
    /// `cancel` fires. Each retry increments `retries`.
    pub async fn run<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        retries: &Arc<AtomicU64>,
        mut op: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut attempt = 0u32;
        loop {
            let err = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(Error::cancelled("cancelled")),
                r = op() => match r {
                    Ok(v) => return Ok(v),
                    Err(e) => e,
                },
            };
            if !err.is_retryable() || attempt >= self.max_retries {
                return Err(err);
            }
            attempt += 1;
            retries.fetch_add(1, Ordering::Relaxed);
            let delay = self.delay(attempt, &err);
            tracing::debug!(attempt, ?delay, code = %err.code(), "retrying");
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(Error::cancelled("cancelled")),
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }
}

/// baton's rule: with a future reset, wait until the reset when nothing remains, otherwise
/// spread the remaining requests over the window (rounded up to whole seconds).
fn rate_limit_delay(rl: &RateLimitDescription) -> Option<Duration> {
    let reset = rl.reset_at.as_ref()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    let reset = Duration::new(
        u64::try_from(reset.seconds).ok()?,
        u32::try_from(reset.nanos).unwrap_or(0),
    );
    let until = reset.checked_sub(now)?;
    if until.is_zero() {
        return None;
    }
    if rl.remaining <= 0 {
        return Some(until);
    }
    let per = until.as_secs_f64() / rl.remaining as f64;
    Some(Duration::from_secs(per.ceil() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_capped() {
        let p = RetryPolicy::default();
        let e = Error::unavailable("x");
        assert_eq!(p.delay(1, &e), Duration::from_secs(1));
        assert_eq!(p.delay(3, &e), Duration::from_secs(3));
        assert_eq!(p.delay(100, &e), Duration::from_secs(60));
        let e = e.with_retry_after(Duration::from_secs(7));
        assert_eq!(p.delay(1, &e), Duration::from_secs(7));
    }

    #[test]
    fn rate_limit_reset() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let rl = RateLimitDescription {
            remaining: 0,
            reset_at: Some(prost_types::Timestamp {
                seconds: i64::try_from(now).unwrap_or_default() + 30,
                nanos: 0,
            }),
            ..Default::default()
        };
        let d = rate_limit_delay(&rl).unwrap_or_default();
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(30),
            "{d:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn honours_an_error_that_says_not_to_retry() {
        let retries = Arc::new(AtomicU64::new(0));
        let attempts = AtomicU64::new(0);
        let r: Result<(), Error> = RetryPolicy::default()
            .run(&CancellationToken::new(), &retries, || {
                attempts.fetch_add(1, Ordering::Relaxed);
                async { Err(Error::unavailable("client gave up").with_retryable(false)) }
            })
            .await;
        assert!(r.is_err_and(|e| !e.is_retryable()));
        assert_eq!(attempts.load(Ordering::Relaxed), 1);
        assert_eq!(retries.load(Ordering::Relaxed), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_on_non_retryable() {
        let retries = Arc::new(AtomicU64::new(0));
        let r: Result<(), Error> = RetryPolicy::default()
            .run(&CancellationToken::new(), &retries, || async {
                Err(Error::not_found("x"))
            })
            .await;
        assert!(r.is_err_and(|e| e.is_not_found()));
        assert_eq!(retries.load(Ordering::Relaxed), 0);
    }
}
