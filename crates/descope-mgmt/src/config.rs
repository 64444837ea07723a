//! Retry and rate-limit settings.

use std::time::Duration;

/// How many requests may go out in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateWindow {
    /// Requests allowed in any span of `period`.
    pub max_requests: u32,
    /// The window length.
    pub period: Duration,
}

impl RateWindow {
    /// `max_requests` per `period`.
    pub fn new(max_requests: u32, period: Duration) -> Self {
        RateWindow {
            max_requests,
            period,
        }
    }
}

/// The client-side rate limiter's settings.
///
/// The limiter keeps a log of the send times per endpoint class (a sliding window): a burst of up
/// to `max_requests` goes out at once, and no span of `period` ever carries more than
/// `max_requests`. That models Descope's own window, so bulk work never trips its 60-second
/// lock-out, while a 200-page sync under the limit runs at full speed. Every attempt (retries
/// included) takes a slot. A 429 also holds back every request of its class until the
/// `Retry-After` delay has passed.
///
/// Classes: user search and user update (`/v2/mgmt/user/search`, `/v1/mgmt/user/update`) share
/// one window; every other management endpoint shares another; SCIM calls have their own.
/// Audit search (`/v1/mgmt/audit/search`) has its own, Descope's documented 10 per minute.
///
/// ```
/// use std::time::Duration;
/// use descope_mgmt::{RateLimitConfig, RateWindow};
/// let strict = RateLimitConfig::custom(
///     RateWindow::new(100, Duration::from_secs(60)),
///     RateWindow::new(50, Duration::from_secs(60)),
/// );
/// assert!(strict.is_enabled());
/// assert!(!RateLimitConfig::disabled().is_enabled());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// User search and user update; `None` for no limit.
    pub user_search_update: Option<RateWindow>,
    /// All other management endpoints; `None` for no limit.
    pub management: Option<RateWindow>,
    /// SCIM endpoints; `None` for no limit.
    pub scim: Option<RateWindow>,
    /// Audit search; `None` for no limit.
    pub audit_search: Option<RateWindow>,
}

impl RateLimitConfig {
    /// Descope's documented limits: user search and update 200 per 60 s per project, other
    /// management calls 100 per 60 s (SCIM: 100 per 60 s as well), audit search 10 per 60 s.
    pub fn descope() -> Self {
        let minute = Duration::from_secs(60);
        RateLimitConfig {
            user_search_update: Some(RateWindow::new(200, minute)),
            management: Some(RateWindow::new(100, minute)),
            scim: Some(RateWindow::new(100, minute)),
            audit_search: Some(RateWindow::new(10, minute)),
        }
    }

    /// No client-side limiting (a 429 from Descope is still honoured by the retry policy).
    pub fn disabled() -> Self {
        RateLimitConfig {
            user_search_update: None,
            management: None,
            scim: None,
            audit_search: None,
        }
    }

    /// Custom windows for the user search/update class and for other management calls.
    /// SCIM keeps the `management` window; audit search keeps Descope's 10 per 60 s.
    pub fn custom(user_search_update: RateWindow, management: RateWindow) -> Self {
        RateLimitConfig {
            user_search_update: Some(user_search_update),
            management: Some(management),
            scim: Some(management),
            audit_search: Self::descope().audit_search,
        }
    }

    /// Sets the SCIM window (`None` for no limit).
    #[must_use]
    pub fn with_scim(mut self, window: Option<RateWindow>) -> Self {
        self.scim = window;
        self
    }

    /// Sets the audit search window (`None` for no limit).
    ///
    /// ```
    /// use std::time::Duration;
    /// use descope_mgmt::{RateLimitConfig, RateWindow};
    /// let cfg = RateLimitConfig::descope()
    ///     .with_audit_search(Some(RateWindow::new(5, Duration::from_secs(60))));
    /// assert_eq!(cfg.audit_search.map(|w| w.max_requests), Some(5));
    /// ```
    #[must_use]
    pub fn with_audit_search(mut self, window: Option<RateWindow>) -> Self {
        self.audit_search = window;
        self
    }

    /// True if any class is limited.
    pub fn is_enabled(&self) -> bool {
        self.user_search_update.is_some()
            || self.management.is_some()
            || self.scim.is_some()
            || self.audit_search.is_some()
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self::descope()
    }
}

/// The retry policy: the client's own retry budget.
///
/// What is retried:
/// - **429**: after `Retry-After` seconds (60 s when the header is absent, Descope's documented
///   lock-out), for *every* request, writes included: a rate-limited request was not processed.
/// - **Connection failures** (refused, name not resolved, no answer within the connect timeout:
///   the request never reached Descope): every request, but only while the next attempt would
///   still end within `connect_budget` (15 s by default) of the first one, counting the connect
///   timeout it may spend. An unreachable base URL therefore fails within about 15 s with the
///   default settings, not after `max_attempts` × the connect timeout.
/// - **408, 500, 502, 503, 504, 520-530, per-attempt timeouts and dropped connections**: only
///   requests that are harmless to repeat, with exponential back-off and "equal jitter" (half of
///   `base_delay × 2^(attempt-1)`, capped at `max_delay`, plus a random part up to the same
///   again). Those requests are: all reads (GET, searches, load many); user update (a full
///   replacement), patch, status update, delete; role add (v1 and v2), role remove, role set,
///   tenant add and tenant remove; tenant update and delete; role and permission delete; role
///   and permission update when the name does not change; SCIM GET, PUT and DELETE. **Not**
///   retried after a server error: every create (user, tenant, role, permission, SCIM user and
///   group), renames, and SCIM PATCH, since the first attempt may have been applied. A repeated
///   delete may answer "not found" if the first attempt succeeded. The access key, SSO
///   application, audit and account lifecycle endpoints say on their handlers
///   ([`crate::AccessKeys`], [`crate::Audits`], [`crate::SsoApps`], [`crate::Users::invite`])
///   which of them are retried.
/// - **Never retried**: other 4xx and 3xx answers, bodies that do not decode, oversized bodies,
///   and errors raised before sending (configuration, encoding, invalid arguments).
///
/// Attempts stop at `max_attempts` (the first try included; 4 by default) or when the next wait
/// would pass `max_elapsed` (300 s) since the first attempt. With the defaults, a read that keeps
/// failing with 503 costs 4 HTTP requests and about 0.4-1.75 s of back-off. The error that ends
/// the request says how many attempts it took ([`crate::Error::attempts`]): a caller with its
/// own retry loop should not retry an error the client already retried, or each of its attempts
/// costs up to `max_attempts` requests.
///
/// ```
/// use std::time::Duration;
/// let cfg = descope_mgmt::RetryConfig::default()
///     .max_attempts(5)
///     .max_elapsed(Duration::from_secs(120))
///     .connect_budget(Duration::from_secs(10));
/// assert_eq!(cfg.max_attempts, 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// First back-off delay; doubled each retry.
    pub base_delay: Duration,
    /// Largest back-off delay (does not cap `Retry-After`).
    pub max_delay: Duration,
    /// Total time budget from the first attempt.
    pub max_elapsed: Duration,
    /// Wait after a 429 without `Retry-After`.
    pub default_retry_after: Duration,
    /// Time budget for retrying connection failures, from the first attempt to the end of the
    /// last one (its connect timeout included).
    pub connect_budget: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(300),
            default_retry_after: Duration::from_secs(60),
            connect_budget: Duration::from_secs(15),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets `max_attempts` (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets `base_delay`.
    #[must_use]
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets `max_delay`.
    #[must_use]
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets `max_elapsed`.
    #[must_use]
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// Sets `default_retry_after`.
    #[must_use]
    pub fn default_retry_after(mut self, d: Duration) -> Self {
        self.default_retry_after = d;
        self
    }

    /// Sets `connect_budget`.
    #[must_use]
    pub fn connect_budget(mut self, d: Duration) -> Self {
        self.connect_budget = d;
        self
    }
}
