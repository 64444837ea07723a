//! Realism knobs: rate limits, fault injection and the duplicate-assignment mode.
//! All are off by default.

use std::time::Duration;

/// One rate limit: at most `requests` per `window`; exceeding it locks the class out for
/// `lockout`, during which every request of the class gets 429 `E130429`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length (a fixed window that starts at the first request after the previous one ended).
    pub window: Duration,
    /// Lock-out after the limit is exceeded (the `Retry-After` of the 429 that trips it).
    pub lockout: Duration,
}

impl RateLimit {
    /// `requests` per `window` with a lock-out of `lockout`.
    pub fn new(requests: u32, window: Duration, lockout: Duration) -> Self {
        Self {
            requests,
            window,
            lockout,
        }
    }

    /// Same number of requests, window and lock-out divided by `factor`.
    pub fn scaled(self, factor: f64) -> Self {
        let div = |d: Duration| {
            if factor > 0.0 && factor.is_finite() {
                d.div_f64(factor)
            } else {
                d
            }
        };
        Self {
            requests: self.requests,
            window: div(self.window),
            lockout: div(self.lockout),
        }
    }
}

/// Rate limits per endpoint class (`docs/descope-emulator.md`, "Rate limits", says which path
/// falls in which class).
///
/// ```
/// use std::time::Duration;
/// use descope_emulator::RateLimits;
///
/// let fast = RateLimits::descope().scaled(10.0);
/// let search = fast.user_search_update.unwrap();
/// assert_eq!(search.requests, 200);
/// assert_eq!(search.window, Duration::from_secs(6));
/// assert_eq!(search.lockout, Duration::from_secs(6));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimits {
    /// User search (v1, v2, test) and user updates (`/v1/mgmt/user/update*`, role and tenant
    /// add/remove/set, patch). Descope: 200 per 60 s, 60 s lock-out.
    pub user_search_update: Option<RateLimit>,
    /// User creation (`/v1/mgmt/user/create*`). Descope: 100 per 60 s, 60 s lock-out.
    pub user_create: Option<RateLimit>,
    /// Every other management call except the licence handshake and audit search (SSO apps,
    /// auth history, groups and access keys included). Descope: 100 per 60 s, 60 s lock-out.
    pub general: Option<RateLimit>,
    /// The SCIM API (`/scim/v2/...`), counted apart from management calls. Descope documents no
    /// SCIM limit; [`RateLimits::descope`] gives it the plain-API 100 per 60 s, 60 s lock-out.
    pub scim: Option<RateLimit>,
    /// Audit search (`/v1/mgmt/audit/search`), counted apart from the other calls. Descope: 10
    /// per minute; [`RateLimits::descope`] gives it a 60 s lock-out like the other classes.
    pub audit_search: Option<RateLimit>,
}

impl RateLimits {
    /// No rate limiting (the default).
    pub fn off() -> Self {
        Self::default()
    }

    /// Descope's documented numbers (docs.descope.com/rate-limiting).
    pub fn descope() -> Self {
        let minute = Duration::from_secs(60);
        Self {
            user_search_update: Some(RateLimit::new(200, minute, minute)),
            user_create: Some(RateLimit::new(100, minute, minute)),
            general: Some(RateLimit::new(100, minute, minute)),
            scim: Some(RateLimit::new(100, minute, minute)),
            audit_search: Some(RateLimit::new(10, minute, minute)),
        }
    }

    /// Every configured class with its window and lock-out divided by `factor`
    /// (`descope().scaled(10.0)` is 200 per 6 s with a 6 s lock-out for search).
    pub fn scaled(self, factor: f64) -> Self {
        Self {
            user_search_update: self.user_search_update.map(|l| l.scaled(factor)),
            user_create: self.user_create.map(|l| l.scaled(factor)),
            general: self.general.map(|l| l.scaled(factor)),
            scim: self.scim.map(|l| l.scaled(factor)),
            audit_search: self.audit_search.map(|l| l.scaled(factor)),
        }
    }

    /// Sets the user search/update class.
    pub fn with_user_search_update(mut self, l: Option<RateLimit>) -> Self {
        self.user_search_update = l;
        self
    }

    /// Sets the user creation class.
    pub fn with_user_create(mut self, l: Option<RateLimit>) -> Self {
        self.user_create = l;
        self
    }

    /// Sets the general class.
    pub fn with_general(mut self, l: Option<RateLimit>) -> Self {
        self.general = l;
        self
    }

    /// Sets the SCIM class.
    pub fn with_scim(mut self, l: Option<RateLimit>) -> Self {
        self.scim = l;
        self
    }

    /// Sets the audit-search class.
    ///
    /// ```
    /// use std::time::Duration;
    /// use descope_emulator::{RateLimit, RateLimits};
    ///
    /// let minute = Duration::from_secs(60);
    /// let limits = RateLimits::off().with_audit_search(Some(RateLimit::new(10, minute, minute)));
    /// assert_eq!(limits.audit_search, RateLimits::descope().audit_search);
    /// ```
    pub fn with_audit_search(mut self, l: Option<RateLimit>) -> Self {
        self.audit_search = l;
        self
    }
}

/// Fault-injection probabilities, each in `0.0..=1.0`, drawn per request from the seeded RNG.
/// They are checked in field order and at most one fault hits a request. Build it with struct
/// update syntax (`Faults { server_error: 0.05, ..Faults::default() }`), which is why it is not
/// `#[non_exhaustive]`: any field added later defaults to 0.
///
/// ```
/// use descope_emulator::Faults;
///
/// let f = Faults { server_error: 0.05, ..Faults::default() };
/// assert_eq!(f.rate_limit, 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    /// A 500 or a 503 (even odds) with a Descope error body.
    pub server_error: f64,
    /// A 429 `E130429` with `Retry-After: 1`, regardless of the rate limits.
    pub rate_limit: f64,
    /// The connection is closed without a response.
    pub drop_connection: f64,
    /// The real response, with its body cut in half.
    pub truncate_body: f64,
}

impl Faults {
    /// No faults (the default).
    pub fn none() -> Self {
        Self::default()
    }

    pub(crate) fn any(&self) -> bool {
        self.server_error > 0.0
            || self.rate_limit > 0.0
            || self.drop_connection > 0.0
            || self.truncate_body > 0.0
    }
}

/// What adding a role or tenant the user already has, or removing one they lack, does.
///
/// Descope's real behaviour is not documented, so connectors are tested against both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DuplicateMode {
    /// 200 with the unchanged user (the default).
    #[default]
    Silent,
    /// 400 `E112104` (`User already has role` / `User does not have role`, `User already in
    /// tenant` / `User not in tenant`). The code and wording are the emulator's invention.
    Error,
}

/// What `status` an access key whose `expireTime` has passed shows in responses.
///
/// Descope documents `active` and `inactive`; whether an expired key shows `expired` is
/// unverified, so clients are tested under both readings. Either way an expired key no longer
/// authenticates and cannot be rotated.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use descope_emulator::{Emulator, ExpiredKeyStatus};
///
/// // The demo's "Acme partner (expired)" key now shows `"status":"expired"`.
/// let emu = Emulator::builder()
///     .expired_key_status(ExpiredKeyStatus::Expired)
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExpiredKeyStatus {
    /// The stored status (`active` or `inactive`), whatever the expiry (the default).
    #[default]
    Stored,
    /// `expired` for every key past its `expireTime`, whatever its stored status.
    Expired,
}

/// The shape of `POST /v1/mgmt/user/history`'s answer.
///
/// The Go and Node SDKs decode a bare JSON array (the endpoint's protobuf `response_body`
/// flattens it), while Descope's docs and API spec show `{"usersAuthHistory":[...]}`; clients
/// are tested under both.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use descope_emulator::{Emulator, HistoryShape};
///
/// let emu = Emulator::builder().history_shape(HistoryShape::Wrapped).start().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HistoryShape {
    /// A bare JSON array of records (the default, what the Go and Node SDKs decode).
    #[default]
    BareArray,
    /// `{"usersAuthHistory":[...]}`, as the docs show.
    Wrapped,
}

/// Another writer of one access key whose read-modify-write straddles the client's updates:
/// it loaded the key after the client's load and before the client's update, and writes right
/// after that update. Descope has no compare-and-set, so this is a real interleaving of two
/// connector processes (or a console edit); the knob makes it happen on purpose.
///
/// For each of the next `times` accepted `POST /v1/mgmt/accesskey/update` calls on key
/// `key_id`, the emulator applies the update, answers with the key as that update left it (as
/// Descope answers), and then applies the other writer's update: `roleNames` set to the roles
/// the key held **before** the client's update plus `role`. The client's change to `roleNames`
/// is lost, and only a fresh read shows it: the key then holds neither what the client loaded
/// nor what it wrote. The other write is audited as an `AccessKeyModified` record with actor
/// `concurrent-writer`.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use descope_emulator::{ConcurrentKeyWriter, Emulator};
///
/// let emu = Emulator::builder()
///     .concurrent_key_writer(ConcurrentKeyWriter::new("K2ci", "Auditor").times(1))
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConcurrentKeyWriter {
    /// The key the other writer changes.
    pub key_id: String,
    /// The project role it adds to the roles it loaded (it must exist in the dataset).
    pub role: String,
    /// How many of the client's updates it follows (default 1).
    pub times: u32,
}

impl ConcurrentKeyWriter {
    /// Another writer adding project role `role` to key `key_id`, after the next update.
    pub fn new(key_id: impl Into<String>, role: impl Into<String>) -> Self {
        Self {
            key_id: key_id.into(),
            role: role.into(),
            times: 1,
        }
    }

    /// Follows the next `n` updates of the key instead of one.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }
}
