//! The crate's single error type.
//!
//! No variant ever holds a management key or an access key: configuration errors describe what is
//! wrong without echoing the offending input, and transport errors carry only the URL path.

use std::time::Duration;

use crate::excerpt;

/// A boxed error used as the `source()` of transport errors, so `reqwest` types stay private.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when calling Descope.
///
/// Use the predicates ([`Error::is_not_found`], [`Error::is_rate_limited`],
/// [`Error::is_retryable`]) rather than matching on variants where you can: more variants may be
/// added.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Descope answered with a non-success HTTP status.
    #[error(transparent)]
    Api(#[from] ApiError),

    /// The request could not be sent or its response not received (connection refused, reset,
    /// TLS failure, ...).
    #[error("transport error: {message}")]
    Transport {
        /// What failed, without secrets.
        message: String,
        /// Whether the failure happened while connecting, i.e. before Descope saw the request.
        connect: bool,
        /// The underlying cause.
        #[source]
        source: Option<BoxError>,
    },

    /// The request did not complete within the configured per-request timeout.
    #[error("request timed out after {after:?}")]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },

    /// A success response whose body does not decode into the expected type.
    #[error("could not decode response at `{path}`: {message}")]
    Decode {
        /// The JSON path that failed (`users[3].createdTime`, or `.` for the root).
        path: String,
        /// What was wrong there.
        message: String,
    },

    /// The response body exceeded the configured maximum size.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },

    /// A request body could not be encoded as JSON.
    #[error("could not encode request body: {0}")]
    Encode(#[source] serde_json::Error),

    /// An argument cannot be sent as given (e.g. an empty SCIM resource id, which would address
    /// the whole collection). Nothing was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The client is misconfigured (missing project id or key, malformed credentials, bad base URL).
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// The typed API error, if Descope answered with a non-success status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// True for HTTP 404 and Descope's "user not found" codes (`E112102`, `E062108`).
    pub fn is_not_found(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_not_found)
    }

    /// True for HTTP 429 or Descope's rate-limit code `E130429`.
    pub fn is_rate_limited(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_rate_limited)
    }

    /// True when trying again later may succeed: rate limiting, transient server errors
    /// (500, 502, 503, 504, 520-530), timeouts and transport failures.
    ///
    /// This says nothing about whether repeating the request is *harmless*; see
    /// [`crate::RetryConfig`] for which requests the client retries by itself.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_rate_limited() || is_transient_status(e.status),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The `Retry-After` delay Descope asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    pub(crate) fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }

    /// A decode error for a 2xx `body`, with a message that says what the body was when it was
    /// not JSON at all (an empty body, a proxy's HTML page) and what to check. Path and message
    /// are bounded: serde quotes offending strings, and those come from the server.
    pub(crate) fn decode(err: serde_path_to_error::Error<serde_json::Error>, body: &[u8]) -> Self {
        use serde_json::error::Category;
        let path = excerpt::truncate(&err.path().to_string(), excerpt::EXCERPT_BYTES);
        let inner = err.into_inner();
        let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let message = match (inner.classify(), first) {
            (Category::Eof, None) => {
                "the response body is empty where JSON was expected; check that the base URL \
                 points at the Descope API"
                    .to_owned()
            }
            (Category::Syntax | Category::Eof, _) if excerpt::looks_like_html(body) => {
                "the response body is an HTML page, not JSON (usually a proxy, gateway, firewall \
                 or captive portal answering instead of Descope, or a base URL that does not \
                 point at the Descope API); check the base URL and any proxy in between"
                    .to_owned()
            }
            (Category::Syntax, Some(b)) if !matches!(b, b'{' | b'[') => format!(
                "the response body is not JSON ({inner}); check the base URL and any proxy in \
                 between"
            ),
            (Category::Eof, _) => format!(
                "the response body is truncated JSON ({inner}); the connection or a proxy cut it \
                 short, retrying may help"
            ),
            _ => inner.to_string(),
        };
        Error::Decode {
            path,
            message: excerpt::truncate(&message, excerpt::FIELD_BYTES),
        }
    }
}

/// Statuses that signal a transient server-side or edge (Cloudflare) failure.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504 | 520..=530)
}

/// A non-success answer from Descope, decoded from its error body
/// (`{"errorCode":"E062108","errorDescription":"User not found","errorMessage":"..."}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("Descope API error (HTTP {status}{}): {}", code_suffix(.error_code), describe(.description, .message))]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// Descope's error code (`E` plus six digits), empty when the body had none.
    pub error_code: String,
    /// The short, human-readable description.
    pub description: String,
    /// The optional detail message.
    pub message: String,
    /// The `Retry-After` header, in seconds, when present and valid.
    pub retry_after: Option<Duration>,
}

fn code_suffix(code: &str) -> String {
    if code.is_empty() {
        String::new()
    } else {
        format!(", {code}")
    }
}

fn describe(description: &str, message: &str) -> String {
    match (description.is_empty(), message.is_empty()) {
        (true, true) => "no description".to_owned(),
        (false, true) => description.to_owned(),
        (true, false) => message.to_owned(),
        (false, false) => format!("{description}: {message}"),
    }
}

impl ApiError {
    /// Builds an API error by hand (useful in tests of code that handles errors).
    pub fn new(status: u16, error_code: impl Into<String>, description: impl Into<String>) -> Self {
        ApiError {
            status,
            error_code: error_code.into(),
            description: description.into(),
            message: String::new(),
            retry_after: None,
        }
    }

    /// True for HTTP 404 and Descope's "user not found" codes.
    pub fn is_not_found(&self) -> bool {
        self.status == 404 || matches!(self.error_code.as_str(), "E112102" | "E062108")
    }

    /// True for HTTP 429 or error code `E130429`.
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429 || self.error_code == "E130429"
    }

    /// Decodes an error body tolerantly: a body that is not Descope's JSON shape (a proxy's HTML
    /// page, plain text, nothing) still yields an error with the status and a short excerpt.
    ///
    /// Everything taken from the body is bounded in size, put on one line, and has `secrets` (and
    /// any `Bearer` token) removed: some gateways echo the request's headers in their error pages.
    pub(crate) fn from_body(
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        secrets: &[&str],
    ) -> Self {
        #[derive(serde::Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct Wire {
            #[serde(deserialize_with = "crate::models::de::null_default")]
            error_code: String,
            #[serde(deserialize_with = "crate::models::de::null_default")]
            error_description: String,
            #[serde(deserialize_with = "crate::models::de::null_default")]
            error_message: String,
        }
        let field = |s: &str, max: usize| excerpt::truncate(&excerpt::redact(s, secrets), max);
        if let Ok(w) = serde_json::from_slice::<Wire>(body) {
            return ApiError {
                status,
                error_code: field(&w.error_code, 64),
                description: field(&w.error_description, excerpt::FIELD_BYTES),
                message: field(&w.error_message, excerpt::FIELD_BYTES),
                retry_after,
            };
        }
        let description = if body.iter().all(u8::is_ascii_whitespace) {
            "empty error body"
        } else if excerpt::looks_like_html(body) {
            "non-JSON error body (an HTML page, probably from a proxy or gateway in front of Descope)"
        } else {
            "non-JSON error body"
        };
        ApiError {
            status,
            error_code: String::new(),
            description: description.to_owned(),
            message: excerpt::body_excerpt(body, secrets),
            retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_descope_error_body() {
        let e = ApiError::from_body(
            404,
            br#"{"errorCode":"E112102","errorDescription":"User not found","errorMessage":"x","extra":1}"#,
            None,
            &[],
        );
        assert_eq!(e.error_code, "E112102");
        assert!(e.is_not_found());
        assert_eq!(
            e.to_string(),
            "Descope API error (HTTP 404, E112102): User not found: x"
        );
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
