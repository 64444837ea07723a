//! One error type for connectors, the engine and the stores, with a gRPC-like [`Code`].

use std::fmt;
use std::time::Duration;

use crate::model::RateLimitDescription;

/// A gRPC-like status code: the part of an [`Error`] a retry policy looks at.
///
/// The names and meanings follow gRPC's `codes`, which baton-sdk uses for every connector error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// The operation was cancelled (for example by a cancellation token or Ctrl-C).
    Cancelled,
    /// An error with no better code.
    Unknown,
    /// The caller sent something invalid.
    InvalidArgument,
    /// A deadline expired before the operation finished. Retried by the engine.
    DeadlineExceeded,
    /// The object does not exist.
    NotFound,
    /// The object already exists.
    AlreadyExists,
    /// The caller is authenticated but not allowed to do this.
    PermissionDenied,
    /// A quota or resource ran out.
    ResourceExhausted,
    /// The system is not in a state that allows the operation.
    FailedPrecondition,
    /// The operation was aborted (for example a concurrency conflict).
    Aborted,
    /// A value was out of range.
    OutOfRange,
    /// The operation is not implemented by this connector.
    Unimplemented,
    /// An internal invariant was broken.
    Internal,
    /// The service is temporarily unavailable (including rate limiting). Retried by the engine.
    Unavailable,
    /// Unrecoverable data loss or corruption.
    DataLoss,
    /// The request has no valid credentials.
    Unauthenticated,
}

impl Code {
    /// The gRPC name of the code, e.g. `"NotFound"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Cancelled => "Canceled",
            Code::Unknown => "Unknown",
            Code::InvalidArgument => "InvalidArgument",
            Code::DeadlineExceeded => "DeadlineExceeded",
            Code::NotFound => "NotFound",
            Code::AlreadyExists => "AlreadyExists",
            Code::PermissionDenied => "PermissionDenied",
            Code::ResourceExhausted => "ResourceExhausted",
            Code::FailedPrecondition => "FailedPrecondition",
            Code::Aborted => "Aborted",
            Code::OutOfRange => "OutOfRange",
            Code::Unimplemented => "Unimplemented",
            Code::Internal => "Internal",
            Code::Unavailable => "Unavailable",
            Code::DataLoss => "DataLoss",
            Code::Unauthenticated => "Unauthenticated",
        }
    }

    /// Whether baton retries this code: only `Unavailable` and `DeadlineExceeded`.
    pub fn is_retryable(self) -> bool {
        matches!(self, Code::Unavailable | Code::DeadlineExceeded)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error of every fallible operation in this crate and of connectors built on it.
///
/// ```
/// use std::time::Duration;
/// use c1_connector_sdk::error::{Code, Error};
///
/// let err = Error::unavailable("rate limited").with_retry_after(Duration::from_secs(2));
/// assert_eq!(err.code(), Code::Unavailable);
/// assert!(err.is_retryable());
/// assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
/// ```
pub struct Error {
    code: Code,
    message: String,
    retry_after: Option<Duration>,
    rate_limit: Option<RateLimitDescription>,
    /// Overrides the code's retry rule (see [`Error::with_retryable`]).
    retryable: Option<bool>,
    /// The failure is in state shared by every resource (see [`Error::in_shared_state`]).
    shared_state: bool,
    source: Option<BoxError>,
}

impl Error {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            rate_limit: None,
            retryable: None,
            shared_state: false,
            source: None,
        }
    }

    /// [`Code::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }
    /// [`Code::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }
    /// [`Code::FailedPrecondition`].
    pub fn failed_precondition(message: impl Into<String>) -> Self {
        Self::new(Code::FailedPrecondition, message)
    }
    /// [`Code::Unavailable`] (retried).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(Code::Unavailable, message)
    }
    /// [`Code::DeadlineExceeded`] (retried).
    pub fn deadline_exceeded(message: impl Into<String>) -> Self {
        Self::new(Code::DeadlineExceeded, message)
    }
    /// [`Code::PermissionDenied`].
    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(Code::PermissionDenied, message)
    }
    /// [`Code::Unauthenticated`].
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(Code::Unauthenticated, message)
    }
    /// [`Code::Unimplemented`].
    pub fn unimplemented(message: impl Into<String>) -> Self {
        Self::new(Code::Unimplemented, message)
    }
    /// [`Code::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }
    /// [`Code::AlreadyExists`].
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(Code::AlreadyExists, message)
    }
    /// [`Code::Cancelled`].
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(Code::Cancelled, message)
    }

    /// Tells the retry policy to wait at least this long before the next attempt.
    #[must_use]
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// Attaches rate-limit information (baton's `RateLimitDescription`).
    #[must_use]
    pub fn with_rate_limit(mut self, rate_limit: RateLimitDescription) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }

    /// Says whether a retry loop may try again, overriding the rule of the code
    /// ([`Code::is_retryable`]).
    ///
    /// A connector whose client already retried a call (with its own back-off and budget) marks
    /// the final error `with_retryable(false)`, so the engine and the provisioning runner do not
    /// retry it a second time: one layer owns retries. `with_retryable(true)` makes an error of
    /// another code retryable.
    ///
    /// ```
    /// use c1_connector_sdk::error::Error;
    ///
    /// let exhausted = Error::unavailable("503 after 4 attempts").with_retryable(false);
    /// assert!(!exhausted.is_retryable());
    /// assert!(Error::unavailable("503").is_retryable());
    /// ```
    #[must_use]
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = Some(retryable);
        self
    }

    /// Marks the failure as one of state the connector shares across resources (an index built
    /// from a listing, a catalog fetched once, a cache every call reads), not of the one
    /// resource a call was about.
    ///
    /// The engine skips a [`Code::NotFound`] from one resource's `entitlements` or `grants` as a
    /// resource that vanished between the listing and the call (baton's rule, a warning), but
    /// never an error marked here: a failure to build shared state would fail every resource's
    /// call alike, and skipping each would end the sync "successfully" with those grants
    /// silently missing. Such an error fails the sync with its cause. Mark every error that
    /// comes from building or reading shared state, whatever its code; an unmarked `NotFound`
    /// is read as "this resource is gone".
    ///
    /// ```
    /// use c1_connector_sdk::error::Error;
    ///
    /// // Re-listing users to rebuild an index hit a 404: not "this group is gone".
    /// let err = Error::not_found("listing users: 404").in_shared_state();
    /// assert!(err.is_in_shared_state() && err.is_not_found());
    /// assert!(err.context("grants of group g1").is_in_shared_state());
    /// assert!(!Error::not_found("group g1").is_in_shared_state());
    /// ```
    #[must_use]
    pub fn in_shared_state(mut self) -> Self {
        self.shared_state = true;
        self
    }

    /// Whether the error was marked with [`Error::in_shared_state`].
    pub fn is_in_shared_state(&self) -> bool {
        self.shared_state
    }

    /// Attaches the underlying cause, reported by [`std::error::Error::source`].
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The status code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message, without the code.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The explicit delay requested with [`Error::with_retry_after`], if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The rate-limit description, if any.
    pub fn rate_limit(&self) -> Option<&RateLimitDescription> {
        self.rate_limit.as_ref()
    }

    /// Whether the engine and the provisioning runner retry this error: what
    /// [`Error::with_retryable`] said, else the code's rule (`Unavailable`, `DeadlineExceeded`).
    pub fn is_retryable(&self) -> bool {
        self.retryable.unwrap_or_else(|| self.code.is_retryable())
    }

    /// Whether the code is [`Code::NotFound`].
    pub fn is_not_found(&self) -> bool {
        self.code == Code::NotFound
    }

    /// Prefixes the message with context, keeping code, rate-limit data and source.
    #[must_use]
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("retry_after", &self.retry_after)
            .field("rate_limit", &self.rate_limit)
            .field("retryable", &self.retryable)
            .field("shared_state", &self.shared_state)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(feature = "c1z")]
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::internal("sqlite error").with_source(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // A file that cannot be read or written for lack of permission is a local problem: it
        // must not read as "credentials refused" (PermissionDenied), which describes the
        // connected system. A missing file stays NotFound (a `.c1z` that is not there).
        let code = match e.kind() {
            std::io::ErrorKind::NotFound => Code::NotFound,
            _ => Code::Internal,
        };
        Error::new(code, format!("i/o error: {e}")).with_source(e)
    }
}

impl From<prost::DecodeError> for Error {
    fn from(e: prost::DecodeError) -> Self {
        Error::new(Code::DataLoss, "invalid protobuf").with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_codes() {
        assert!(Error::unavailable("x").is_retryable());
        assert!(Error::deadline_exceeded("x").is_retryable());
        assert!(!Error::not_found("x").is_retryable());
        assert!(!Error::internal("x").is_retryable());
    }

    #[test]
    fn retryable_override_survives_context() {
        let e = Error::unavailable("x")
            .with_retryable(false)
            .context("list users");
        assert!(!e.is_retryable());
        assert_eq!(e.code(), Code::Unavailable);
        assert!(Error::internal("x").with_retryable(true).is_retryable());
    }

    #[test]
    fn display_and_context() {
        let e = Error::not_found("user 1").context("list users");
        assert_eq!(e.to_string(), "NotFound: list users: user 1");
    }
}
