//! Fixed-window rate limiting with a lock-out, per endpoint class.
//!
//! Time comes from `tokio::time::Instant`, so tests drive it with paused time.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::knobs::{RateLimit, RateLimits};

/// The endpoint classes Descope documents separate limits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    UserSearchUpdate,
    UserCreate,
    General,
    Scim,
    AuditSearch,
}

impl Class {
    /// The class of a management path, or `None` for calls that are never limited
    /// (the licence handshake, and anything outside `/v1|v2/mgmt`).
    pub(crate) fn of(path: &str) -> Option<Self> {
        if path.starts_with("/scim/") {
            return Some(Self::Scim);
        }
        let rest = path
            .strip_prefix("/v1/mgmt/")
            .or_else(|| path.strip_prefix("/v2/mgmt/"))?;
        if rest == "license" {
            return None;
        }
        if rest == "audit/search" {
            return Some(Self::AuditSearch);
        }
        if rest.starts_with("user/search")
            || rest.starts_with("user/update")
            || rest.starts_with("user/patch")
        {
            Some(Self::UserSearchUpdate)
        } else if rest.starts_with("user/create") {
            Some(Self::UserCreate)
        } else {
            Some(Self::General)
        }
    }
}

#[derive(Debug)]
struct Bucket {
    limit: RateLimit,
    window_start: Option<Instant>,
    count: u32,
    locked_until: Option<Instant>,
}

impl Bucket {
    fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            window_start: None,
            count: 0,
            locked_until: None,
        }
    }

    /// `Ok` if the request may proceed, else the time left until it may retry.
    fn check(&mut self, now: Instant) -> Result<(), Duration> {
        if let Some(until) = self.locked_until {
            if now < until {
                return Err(until - now);
            }
            self.locked_until = None;
            self.window_start = None;
        }
        match self.window_start {
            Some(start) if now < start + self.limit.window => {}
            _ => {
                self.window_start = Some(now);
                self.count = 0;
            }
        }
        self.count += 1;
        if self.count > self.limit.requests {
            self.locked_until = Some(now + self.limit.lockout);
            return Err(self.limit.lockout);
        }
        Ok(())
    }
}

/// The limiter of all classes.
#[derive(Debug)]
pub(crate) struct Limiter {
    user_search_update: Option<Mutex<Bucket>>,
    user_create: Option<Mutex<Bucket>>,
    general: Option<Mutex<Bucket>>,
    scim: Option<Mutex<Bucket>>,
    audit_search: Option<Mutex<Bucket>>,
}

impl Limiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        let b = |l: Option<RateLimit>| l.map(|l| Mutex::new(Bucket::new(l)));
        Self {
            user_search_update: b(limits.user_search_update),
            user_create: b(limits.user_create),
            general: b(limits.general),
            scim: b(limits.scim),
            audit_search: b(limits.audit_search),
        }
    }

    /// `Ok` if a request of `class` may proceed now, else the `Retry-After` duration.
    pub(crate) fn check(&self, class: Class) -> Result<(), Duration> {
        let bucket = match class {
            Class::UserSearchUpdate => &self.user_search_update,
            Class::UserCreate => &self.user_create,
            Class::General => &self.general,
            Class::Scim => &self.scim,
            Class::AuditSearch => &self.audit_search,
        };
        match bucket {
            None => Ok(()),
            Some(b) => b
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .check(Instant::now()),
        }
    }
}

/// `Retry-After` in whole seconds, rounded up and at least 1 (a 0 would invite a hot loop).
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(
            Class::of("/v2/mgmt/user/search"),
            Some(Class::UserSearchUpdate)
        );
        assert_eq!(
            Class::of("/v1/mgmt/user/update/role/remove"),
            Some(Class::UserSearchUpdate)
        );
        assert_eq!(
            Class::of("/v2/mgmt/user/update/role/add"),
            Some(Class::UserSearchUpdate)
        );
        assert_eq!(Class::of("/v1/mgmt/user/create"), Some(Class::UserCreate));
        assert_eq!(Class::of("/v1/mgmt/tenant/all"), Some(Class::General));
        assert_eq!(Class::of("/v1/mgmt/license"), None);
        assert_eq!(Class::of("/healthz"), None);
        assert_eq!(Class::of("/scim/v2/Users"), Some(Class::Scim));
        assert_eq!(Class::of("/v1/mgmt/accesskey/search"), Some(Class::General));
        assert_eq!(Class::of("/v1/mgmt/user/logout"), Some(Class::General));
        assert_eq!(Class::of("/v1/mgmt/audit/search"), Some(Class::AuditSearch));
        assert_eq!(Class::of("/v1/mgmt/user/history"), Some(Class::General));
        assert_eq!(
            Class::of("/v1/mgmt/sso/idp/apps/load"),
            Some(Class::General)
        );
        assert_eq!(
            Class::of("/v1/mgmt/user/update/ssoapp/add"),
            Some(Class::UserSearchUpdate)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn window_then_lockout_then_recovery() {
        let l = Limiter::new(RateLimits::off().with_general(Some(RateLimit::new(
            3,
            Duration::from_secs(10),
            Duration::from_secs(30),
        ))));
        for _ in 0..3 {
            assert!(l.check(Class::General).is_ok());
        }
        assert_eq!(l.check(Class::General), Err(Duration::from_secs(30)));
        // Other classes are unaffected.
        assert!(l.check(Class::UserSearchUpdate).is_ok());
        tokio::time::advance(Duration::from_secs(12)).await;
        // Still locked out although the window has passed.
        assert_eq!(l.check(Class::General), Err(Duration::from_secs(18)));
        tokio::time::advance(Duration::from_secs(18)).await;
        assert!(l.check(Class::General).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn window_resets() {
        let l = Limiter::new(RateLimits::off().with_general(Some(RateLimit::new(
            2,
            Duration::from_secs(10),
            Duration::from_secs(30),
        ))));
        assert!(l.check(Class::General).is_ok());
        assert!(l.check(Class::General).is_ok());
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(l.check(Class::General).is_ok());
        assert!(l.check(Class::General).is_ok());
        assert!(l.check(Class::General).is_err());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(100)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(6_001)), 7);
        assert_eq!(retry_after_secs(Duration::from_secs(60)), 60);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
