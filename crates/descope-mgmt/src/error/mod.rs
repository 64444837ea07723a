//! The crate's single error type.
//!
//! No variant ever holds a management key or an access key: configuration errors describe what is
//! wrong without echoing the offending input, and transport errors carry only the URL path.

mod api;
mod paging;

use std::time::Duration;

pub use self::api::ApiError;
pub use self::paging::{PagingError, PagingErrorKind};
use crate::excerpt;

/// A boxed error used as the `source()` of transport errors, so `reqwest` types stay private.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when calling Descope.
///
/// Use the predicates ([`Error::is_not_found`], [`Error::is_rate_limited`],
/// [`Error::is_retryable`], [`Error::is_from_descope`]) rather than matching on variants where
/// you can: more variants may be added.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status other than 2xx: Descope's own error (see
    /// [`ApiError::is_from_descope`]), or something else answering in its place (a proxy, a
    /// redirect, a server that is not the Descope API).
    #[error(transparent)]
    Api(#[from] ApiError),

    /// The request could not be sent or its response not received (connection refused, DNS
    /// failure, reset, TLS failure, ...). The message names the base URL.
    #[error("transport error: {message}")]
    Transport {
        /// What failed, with the base URL and path (never a query string or a key).
        message: String,
        /// Whether the failure happened while connecting, i.e. before Descope saw the request.
        connect: bool,
        /// HTTP attempts the client made for this request, retries included.
        attempts: u32,
        /// The underlying cause.
        #[source]
        source: Option<BoxError>,
    },

    /// An attempt did not complete within the configured per-attempt timeout.
    #[error("request timed out after {after:?}")]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
        /// HTTP attempts the client made for this request, retries included.
        attempts: u32,
    },

    /// A 2xx response whose body does not decode into the expected type.
    #[error("could not decode response at `{path}`: {message}")]
    Decode {
        /// The JSON path that failed (`users[3].createdTime`, or `.` for the root).
        path: String,
        /// What was wrong there; for a body that is not JSON at all, also the base URL.
        message: String,
        /// What kind of body it was.
        issue: DecodeIssue,
    },

    /// The response body exceeded the configured maximum size.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },

    /// A request body could not be encoded as JSON. Nothing was sent.
    #[error("could not encode request body: {0}")]
    Encode(#[source] serde_json::Error),

    /// An argument cannot be sent as given (e.g. an empty SCIM resource id, which would address
    /// the whole collection). Nothing was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The client is misconfigured (missing project id or key, malformed credentials, bad base URL).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A paged listing stopped because the server's pages cannot be trusted to complete it (see
    /// [`crate::UserPager`]).
    #[error(transparent)]
    Paging(#[from] PagingError),

    /// A listing other than the user pager (third-party consents, third-party applications)
    /// stopped because its pages cannot be trusted to hold every item: the server ignores the
    /// page number, reports more items than it hands over, or the total changed during the
    /// listing. Nothing partial is returned. `retryable` says whether listing again may succeed.
    #[error("incomplete listing: {message}")]
    Incomplete {
        /// What was being listed, what went wrong, and what to do next.
        message: String,
        /// Whether listing again may succeed (the data changed under the listing).
        retryable: bool,
    },
}

/// What kind of 2xx body failed to decode ([`Error::Decode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeIssue {
    /// Valid JSON of the wrong shape (a field of the wrong type, an array for an object).
    Shape,
    /// Not JSON at all: an empty body, an HTML page, plain text. Usually something other than
    /// the Descope API answered (a wrong base URL, a proxy or captive portal).
    NotJson,
    /// JSON cut short; another attempt may succeed.
    Truncated,
}

impl Error {
    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// The typed API error, if the server answered with a non-success status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// True only when Descope itself said that what was asked for does not exist; see
    /// [`ApiError::is_not_found`] for exactly what that covers. A 404 from anything that is not
    /// Descope (a wrong base URL, a proxy, a file server), a redirect, or a 2xx body that did not
    /// decode is never "not found".
    pub fn is_not_found(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_not_found)
    }

    /// True when the answer is Descope's own error body (an `errorCode` of the shape `E` plus
    /// six digits). False for everything else, including transport errors and bodies that do not
    /// decode: those did not demonstrably come from Descope.
    ///
    /// ```
    /// use descope_mgmt::{ApiError, Error};
    /// let descope = Error::Api(ApiError::new(404, "E112102", "User not found"));
    /// let proxy = Error::Api(ApiError::new(404, "", "non-JSON error body (an HTML page)"));
    /// assert!(descope.is_from_descope() && descope.is_not_found());
    /// assert!(!proxy.is_from_descope() && !proxy.is_not_found());
    /// ```
    pub fn is_from_descope(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_from_descope)
    }

    /// True for HTTP 429 or Descope's rate-limit code `E130429`.
    pub fn is_rate_limited(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_rate_limited)
    }

    /// True when trying again later may succeed: rate limiting, 408, transient server errors
    /// (500, 502, 503, 504, 520-530), timeouts, transport failures, a truncated JSON body, and
    /// an empty page in the middle of a listing.
    ///
    /// False for everything that cannot heal by itself: configuration, encoding and argument
    /// errors, oversized bodies, bodies that are not JSON or not the expected JSON, other 4xx
    /// and 3xx answers, and listings the server cannot complete.
    ///
    /// This says nothing about whether repeating the request is *harmless*; see
    /// [`crate::RetryConfig`] for which requests the client retries by itself, and
    /// [`Error::attempts`] for how many attempts it already spent.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.is_rate_limited() || e.status == 408 || is_transient_status(e.status)
            }
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Decode { issue, .. } => *issue == DecodeIssue::Truncated,
            Error::Paging(e) => e.is_retryable(),
            Error::Incomplete { retryable, .. } => *retryable,
            Error::BodyTooLarge { .. }
            | Error::Encode(_)
            | Error::InvalidArgument(_)
            | Error::Config(_) => false,
        }
    }

    /// HTTP attempts the client made for the request that failed, retries included; 0 when the
    /// error did not come back from an HTTP attempt (configuration, encoding, a body that did
    /// not decode, a listing stopped by the pager).
    ///
    /// More than one means the client's own retry policy ([`crate::RetryConfig`]) already
    /// retried this request as far as its budget allowed: a caller that retries again only
    /// multiplies the requests (up to `max_attempts` each time).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) {
    /// match client.roles().all().await {
    ///     Err(e) if e.is_retryable() && !e.client_retried() => { /* worth another attempt */ }
    ///     Err(e) => eprintln!("giving up after {} attempts: {e}", e.attempts()),
    ///     Ok(roles) => println!("{} roles", roles.len()),
    /// }
    /// # }
    /// ```
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Transport { attempts, .. } | Error::Timeout { attempts, .. } => *attempts,
            _ => 0,
        }
    }

    /// True when the client already retried this request (more than one attempt): see
    /// [`Error::attempts`].
    pub fn client_retried(&self) -> bool {
        self.attempts() > 1
    }

    /// The `Retry-After` delay Descope asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    pub(crate) fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }

    /// Records how many attempts the retry layer made.
    pub(crate) fn set_attempts(&mut self, n: u32) {
        match self {
            Error::Api(e) => e.attempts = n,
            Error::Transport { attempts, .. } | Error::Timeout { attempts, .. } => *attempts = n,
            _ => {}
        }
    }

    /// Names the base URL in a decode error of a body that was not JSON (it holds no secret:
    /// the builder refuses base URLs with credentials or a query).
    pub(crate) fn at_base_url(self, base_url: &str) -> Self {
        match self {
            Error::Decode {
                path,
                message,
                issue: DecodeIssue::NotJson,
            } => Error::Decode {
                path,
                message: format!("{message} (base URL {base_url})"),
                issue: DecodeIssue::NotJson,
            },
            other => other,
        }
    }

    /// A decode error for a 2xx `body`, with a message that says what the body was when it was
    /// not JSON at all (an empty body, a proxy's HTML page) and what to check. Path and message
    /// are bounded: serde quotes offending strings, and those come from the server.
    pub(crate) fn decode(err: serde_path_to_error::Error<serde_json::Error>, body: &[u8]) -> Self {
        use serde_json::error::Category;
        let path = excerpt::truncate(&err.path().to_string(), excerpt::EXCERPT_BYTES);
        let inner = err.into_inner();
        let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let (issue, message) = match (inner.classify(), first) {
            (Category::Eof, None) => (
                DecodeIssue::NotJson,
                "the response body is empty where JSON was expected; the base URL may not \
                 point at the Descope API"
                    .to_owned(),
            ),
            (Category::Syntax | Category::Eof, _) if excerpt::looks_like_html(body) => (
                DecodeIssue::NotJson,
                "the response body is an HTML page, not JSON (usually a proxy, gateway, firewall \
                 or captive portal answering instead of Descope, or a base URL that does not \
                 point at the Descope API); check the base URL and any proxy in between"
                    .to_owned(),
            ),
            (Category::Syntax, Some(b)) if !matches!(b, b'{' | b'[') => (
                DecodeIssue::NotJson,
                format!(
                    "the response body is not JSON ({inner}); check the base URL and any proxy \
                     in between"
                ),
            ),
            (Category::Eof, _) => (
                DecodeIssue::Truncated,
                format!(
                    "the response body is truncated JSON ({inner}); the connection or a proxy \
                     cut it short, retrying may help"
                ),
            ),
            _ => (DecodeIssue::Shape, inner.to_string()),
        };
        Error::Decode {
            path,
            message: excerpt::truncate(&message, excerpt::FIELD_BYTES),
            issue,
        }
    }
}

/// Statuses that signal a transient server-side or edge (Cloudflare) failure.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504 | 520..=530)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryability_of_statuses() {
        for (status, retryable) in [
            (408, true),
            (429, true),
            (500, true),
            (404, false),
            (400, false),
            (302, false),
            (501, false),
        ] {
            assert_eq!(
                Error::Api(ApiError::new(status, "", "")).is_retryable(),
                retryable,
                "{status}"
            );
        }
        assert!(!Error::InvalidArgument("x".into()).is_retryable());
        assert!(!Error::BodyTooLarge { limit: 1 }.is_retryable());
    }

    #[test]
    fn non_json_body_keeps_status() {
        let e = ApiError::from_body(502, b"<html>bad gateway</html>", None, &[]);
        assert_eq!(e.status, 502);
        assert!(Error::Api(e).is_retryable());
    }

    #[test]
    fn rate_limit_code_without_429() {
        let e = ApiError::from_body(400, br#"{"errorCode":"E130429"}"#, None, &[]);
        assert!(Error::Api(e).is_rate_limited());
    }
}
