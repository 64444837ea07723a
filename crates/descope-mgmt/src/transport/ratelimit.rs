//! The client-side rate limiter: a sliding-window log per endpoint class.
//!
//! Descope counts requests in a window and locks a caller out for 60 s once it is exceeded, so an
//! even trickle (a token bucket refilling one request every 0.3 s) would be needlessly slow for
//! bursts, while an unlimited client risks the lock-out. The log allows a burst of up to the
//! window's count at once and guarantees that no span of `period` ever carries more.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower::{Layer, Service};

use super::{EndpointClass, HttpRequest, HttpResponse, Metrics};
use crate::config::{RateLimitConfig, RateWindow};
use crate::error::Error;

#[derive(Debug)]
struct Window {
    max: usize,
    period: Duration,
    /// Send times inside the current window, oldest first.
    sent: VecDeque<Instant>,
    /// Set after a 429: nothing of this class goes out before it.
    locked_until: Option<Instant>,
}

impl Window {
    fn new(w: RateWindow) -> Self {
        let max = usize::try_from(w.max_requests).unwrap_or(usize::MAX).max(1);
        Window {
            max,
            period: w.period,
            sent: VecDeque::with_capacity(max.min(1024)),
            locked_until: None,
        }
    }

    /// A request that took a slot at `sent` ended at `now`: its place in the window moves to
    /// `now` (the window stays sorted). Nothing happens when the slot already left the window.
    fn release(&mut self, sent: Instant, now: Instant) {
        if now <= sent {
            return;
        }
        let Some(i) = self.sent.iter().position(|t| *t == sent) else {
            return;
        };
        self.sent.remove(i);
        let at = self.sent.partition_point(|t| *t <= now);
        self.sent.insert(at, now);
    }

    /// Takes a slot now, or says when to try again.
    fn try_acquire(&mut self, now: Instant) -> Option<Instant> {
        if let Some(until) = self.locked_until {
            if until > now {
                return Some(until);
            }
            self.locked_until = None;
        }
        while self.sent.front().is_some_and(|t| *t + self.period <= now) {
            self.sent.pop_front();
        }
        if self.sent.len() < self.max {
            self.sent.push_back(now);
            None
        } else {
            // Full: the oldest entry leaves the window at `oldest + period`.
            self.sent.front().map(|t| *t + self.period)
        }
    }
}

/// Waits longer than this are logged at info level.
const ANNOUNCE_AFTER: Duration = Duration::from_secs(1);

/// Counts a request as waiting on the limiter for as long as it lives, so a caller that gives
/// up on a waiting request (drops its future) never leaves the count too high.
struct Waiting<'a> {
    metrics: &'a Metrics,
}

impl<'a> Waiting<'a> {
    fn start(metrics: &'a Metrics) -> Self {
        let mut since = metrics
            .waiting_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if metrics.throttled_now.fetch_add(1, Ordering::Relaxed) == 0 {
            *since = Some(Instant::now());
        }
        Waiting { metrics }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut since = self
            .metrics
            .waiting_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.metrics.throttled_now.fetch_sub(1, Ordering::Relaxed) == 1
            && let Some(began) = since.take()
        {
            self.metrics
                .throttle_wall_nanos
                .fetch_add(super::nanos(began.elapsed()), Ordering::Relaxed);
        }
    }
}

/// A slot a request holds in its window while it runs. Descope counts a request when it
/// arrives, which can be later than when the client let it go (a connection being opened, a
/// layer waiting), so a window measured from the send could let a request of the next window
/// reach Descope inside this one and trip the 60-second lock-out. When the slot is dropped (the
/// request answered, failed or abandoned) its time moves to that moment, after the arrival.
pub(crate) struct Slot<'a> {
    limiter: &'a RateLimiter,
    class: EndpointClass,
    sent: Option<Instant>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let (Some(sent), Some(window)) = (self.sent, self.limiter.window(self.class)) {
            window
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .release(sent, Instant::now());
        }
    }
}

/// Shared by all clones of a client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    user: Option<Mutex<Window>>,
    management: Option<Mutex<Window>>,
    scim: Option<Mutex<Window>>,
    audit_search: Option<Mutex<Window>>,
    metrics: Arc<Metrics>,
}

impl RateLimiter {
    pub(crate) fn new(cfg: RateLimitConfig, metrics: Arc<Metrics>) -> Self {
        let mk = |w: Option<RateWindow>| w.map(|w| Mutex::new(Window::new(w)));
        RateLimiter {
            user: mk(cfg.user_search_update),
            management: mk(cfg.management),
            scim: mk(cfg.scim),
            audit_search: mk(cfg.audit_search),
            metrics,
        }
    }

    fn window(&self, class: EndpointClass) -> Option<&Mutex<Window>> {
        match class {
            EndpointClass::UserSearchUpdate => self.user.as_ref(),
            EndpointClass::Management => self.management.as_ref(),
            EndpointClass::Scim => self.scim.as_ref(),
            EndpointClass::AuditSearch => self.audit_search.as_ref(),
        }
    }

    /// Waits until a request of `class` may go out, and records it as sent.
    ///
    /// While it waits, the client's metrics show it ([`crate::ClientMetrics::throttled_requests`]
    /// and [`crate::ClientMetrics::throttle_remaining`]); a wait longer than a second is logged
    /// at info level, so a long pause is never silent.
    pub(crate) async fn acquire(&self, class: EndpointClass) -> Slot<'_> {
        let mut slot = Slot {
            limiter: self,
            class,
            sent: None,
        };
        let Some(window) = self.window(class) else {
            return slot;
        };
        let started = Instant::now();
        let mut waiting: Option<Waiting<'_>> = None;
        let mut announced = false;
        loop {
            // The lock is never held across an await; a poisoned lock still holds valid data.
            let now = Instant::now();
            let next = window
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .try_acquire(now);
            let Some(at) = next else {
                slot.sent = Some(now);
                break;
            };
            if waiting.is_none() {
                waiting = Some(Waiting::start(&self.metrics));
            }
            self.metrics.throttle_until(at);
            let wait = at.saturating_duration_since(Instant::now());
            if wait > ANNOUNCE_AFTER && !announced {
                announced = true;
                let secs = wait.as_secs_f64().ceil();
                tracing::info!(
                    class = class.label(),
                    wait_s = secs,
                    "waiting {secs} s for Descope's rate-limit window (class {})",
                    class.label()
                );
            } else {
                tracing::debug!(
                    class = class.label(),
                    ?wait,
                    "client-side rate limit reached; waiting"
                );
            }
            tokio::time::sleep_until(at).await;
        }
        if waiting.is_some() {
            self.metrics.add_throttle_wait(started.elapsed());
        }
        slot
    }

    /// Holds back every request of `class` for `dur` (after a 429).
    pub(crate) fn lock_out(&self, class: EndpointClass, dur: Duration) {
        if let Some(window) = self.window(class) {
            // `Retry-After` is clamped when parsed; clamp here too so no value can overflow the
            // clock (`Instant + Duration` panics on overflow).
            let dur = dur.min(super::MAX_RETRY_AFTER);
            let now = Instant::now();
            let until = now.checked_add(dur).unwrap_or(now);
            let mut w = window.lock().unwrap_or_else(PoisonError::into_inner);
            w.locked_until = Some(w.locked_until.map_or(until, |u| u.max(until)));
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RateLimitLayer {
    limiter: Arc<RateLimiter>,
}

impl RateLimitLayer {
    pub(crate) fn new(limiter: Arc<RateLimiter>) -> Self {
        RateLimitLayer { limiter }
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;
    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit {
            inner,
            limiter: self.limiter.clone(),
            default_lockout: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RateLimit<S> {
    inner: S,
    limiter: Arc<RateLimiter>,
    default_lockout: Duration,
}

impl<S> Service<HttpRequest> for RateLimit<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Error> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // Readiness of the inner service is awaited after the slot is taken, in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        use tower::ServiceExt;
        let limiter = self.limiter.clone();
        let inner = self.inner.clone();
        let default_lockout = self.default_lockout;
        Box::pin(async move {
            let class = req.class;
            let slot = limiter.acquire(class).await;
            let result = inner.oneshot(req).await;
            // Counted in the window from now on (see `Slot`), before a 429's lock-out.
            drop(slot);
            if let Err(e) = &result
                && e.status() == Some(429)
            {
                limiter.lock_out(class, e.retry_after().unwrap_or(default_lockout));
            }
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[tokio::test(start_paused = true)]
    async fn burst_then_window() {
        let metrics = Arc::new(Metrics::default());
        let cfg = RateLimitConfig::custom(
            RateWindow::new(3, Duration::from_secs(60)),
            RateWindow::new(3, Duration::from_secs(60)),
        );
        let limiter = RateLimiter::new(cfg, metrics.clone());
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire(EndpointClass::Management).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "burst goes out at once");
        limiter.acquire(EndpointClass::Management).await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        // The other class is independent.
        limiter.acquire(EndpointClass::UserSearchUpdate).await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        assert_eq!(
            metrics
                .throttle_wait_nanos
                .load(std::sync::atomic::Ordering::Relaxed),
            60_000_000_000
        );
    }

    proptest::proptest! {
        /// Whatever the arrival pattern, no span of `period` carries more than `max` sends and
        /// nothing goes out before it was asked for.
        #[test]
        fn window_never_exceeds_its_count(
            max in 1u32..8,
            period_ms in 1u64..5_000,
            gaps in proptest::collection::vec(0u64..3_000, 1..60),
        ) {
            let origin = Instant::now();
            let period = Duration::from_millis(period_ms);
            let mut w = Window::new(RateWindow::new(max, period));
            let mut asked = origin;
            let mut granted: Vec<Instant> = Vec::new();
            for gap in gaps {
                asked += Duration::from_millis(gap);
                // Requests are served in order: a later one never overtakes an earlier one.
                let mut t = asked.max(granted.last().copied().unwrap_or(origin));
                while let Some(next) = w.try_acquire(t) {
                    proptest::prop_assert!(next > t);
                    t = next;
                }
                proptest::prop_assert!(t >= asked);
                granted.push(t);
            }
            let max = max as usize;
            for i in max..granted.len() {
                proptest::prop_assert!(granted[i] - granted[i - max] >= period);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_in_progress_is_visible_in_the_metrics() {
        let metrics = Arc::new(Metrics::default());
        let limiter = Arc::new(RateLimiter::new(
            RateLimitConfig::custom(
                RateWindow::new(1, Duration::from_secs(60)),
                RateWindow::new(1, Duration::from_secs(60)),
            ),
            metrics.clone(),
        ));
        limiter.acquire(EndpointClass::Management).await;
        assert_eq!(metrics.throttle_remaining(), None);
        let waiter = tokio::spawn({
            let limiter = limiter.clone();
            async move { drop(limiter.acquire(EndpointClass::Management).await) }
        });
        // Let the waiter reach its sleep without moving the paused clock.
        while metrics.throttled_now.load(Ordering::Relaxed) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(metrics.throttle_remaining(), Some(Duration::from_secs(60)));
        tokio::time::advance(Duration::from_secs(20)).await;
        assert_eq!(metrics.throttle_remaining(), Some(Duration::from_secs(40)));
        waiter.await.unwrap();
        assert_eq!(metrics.throttled_now.load(Ordering::Relaxed), 0);
        assert_eq!(metrics.throttle_remaining(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_counts_from_when_its_request_ended() {
        let metrics = Arc::new(Metrics::default());
        let cfg = RateLimitConfig::custom(
            RateWindow::new(2, Duration::from_secs(60)),
            RateWindow::new(2, Duration::from_secs(60)),
        );
        let limiter = RateLimiter::new(cfg, metrics);
        let start = Instant::now();
        // The first request takes 5 s to reach Descope and be answered; the second is quick.
        let slow = limiter.acquire(EndpointClass::Management).await;
        drop(limiter.acquire(EndpointClass::Management).await);
        tokio::time::advance(Duration::from_secs(5)).await;
        drop(slow);
        // The third goes when the quick one's minute is over; the fourth only once the slow
        // one's minute, counted from its end, is over.
        drop(limiter.acquire(EndpointClass::Management).await);
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        drop(limiter.acquire(EndpointClass::Management).await);
        assert_eq!(start.elapsed(), Duration::from_secs(65));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_in_the_same_window_count_once_on_the_wall_clock() {
        let metrics = Arc::new(Metrics::default());
        let limiter = Arc::new(RateLimiter::new(
            RateLimitConfig::custom(
                RateWindow::new(2, Duration::from_secs(60)),
                RateWindow::new(2, Duration::from_secs(60)),
            ),
            metrics.clone(),
        ));
        // Two go at once; the next four wait: two for one window, two for the next.
        let waiters: Vec<_> = (0..6)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move { drop(limiter.acquire(EndpointClass::Management).await) })
            })
            .collect();
        for w in waiters {
            w.await.unwrap();
        }
        let nanos = |a: &AtomicU64| Duration::from_nanos(a.load(Ordering::Relaxed));
        // Summed: 60 + 60 + 120 + 120 s; on the wall clock: the two minutes.
        assert_eq!(
            nanos(&metrics.throttle_wait_nanos),
            Duration::from_secs(360)
        );
        assert_eq!(
            nanos(&metrics.throttle_wall_nanos),
            Duration::from_secs(120)
        );
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_wait_is_announced_at_info_level() {
        // tracing caches each callsite's interest globally; a test on another thread can leave
        // it cached as "never" while this thread-scoped subscriber registers. Try a few times.
        for _ in 0..5 {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::INFO)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            let _guard = tracing::subscriber::set_default(subscriber);
            tracing::callsite::rebuild_interest_cache();
            let limiter = RateLimiter::new(
                RateLimitConfig::custom(
                    RateWindow::new(1, Duration::from_secs(60)),
                    RateWindow::new(1, Duration::from_secs(60)),
                ),
                Arc::new(Metrics::default()),
            );
            limiter.acquire(EndpointClass::UserSearchUpdate).await;
            limiter.acquire(EndpointClass::UserSearchUpdate).await;
            let text =
                String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(PoisonError::into_inner))
                    .into_owned();
            if text.contains("waiting") {
                assert!(text.contains(" INFO "), "{text}");
                assert!(
                    text.contains(
                        "waiting 60 s for Descope's rate-limit window (class user search and update)"
                    ),
                    "{text}"
                );
                return;
            }
        }
        panic!("no wait was announced in five runs");
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_waiter_is_no_longer_counted() {
        let metrics = Arc::new(Metrics::default());
        let limiter = RateLimiter::new(
            RateLimitConfig::custom(
                RateWindow::new(1, Duration::from_secs(60)),
                RateWindow::new(1, Duration::from_secs(60)),
            ),
            metrics.clone(),
        );
        limiter.acquire(EndpointClass::Management).await;
        let gave_up = tokio::time::timeout(
            Duration::from_secs(5),
            limiter.acquire(EndpointClass::Management),
        )
        .await;
        assert!(gave_up.is_err());
        assert_eq!(metrics.throttled_now.load(Ordering::Relaxed), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn huge_lock_out_is_clamped() {
        let limiter = RateLimiter::new(RateLimitConfig::descope(), Arc::new(Metrics::default()));
        let start = Instant::now();
        limiter.lock_out(EndpointClass::Management, Duration::MAX);
        limiter.acquire(EndpointClass::Management).await;
        assert_eq!(start.elapsed(), crate::transport::MAX_RETRY_AFTER);
    }

    #[tokio::test(start_paused = true)]
    async fn lock_out_holds_the_class() {
        let limiter = RateLimiter::new(RateLimitConfig::descope(), Arc::new(Metrics::default()));
        let start = Instant::now();
        limiter.lock_out(EndpointClass::UserSearchUpdate, Duration::from_secs(30));
        limiter.acquire(EndpointClass::Management).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire(EndpointClass::UserSearchUpdate).await;
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }
}
