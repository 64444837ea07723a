//! Errors of the connector, and how Descope client errors map onto the SDK's gRPC-like codes.

use c1_connector_sdk::{Code, Error};

/// A configuration the connector cannot run with. The message says what to fix.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid Descope connector configuration: {message}")]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }

    pub(crate) fn from_client(err: descope_mgmt::Error) -> Self {
        // The client's configuration errors already say what to fix, and never contain the key.
        ConfigError {
            message: err.to_string(),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(err: ConfigError) -> Self {
        Error::invalid_argument(err.to_string())
    }
}

/// Maps a Descope client error onto the SDK error, so the engine's one retry policy applies.
///
/// `what` names the operation, for the message ("searching users", "loading roles", ...).
pub(crate) fn from_descope(what: &str, err: descope_mgmt::Error) -> Error {
    let code = match err.status() {
        _ if err.is_rate_limited() => Code::Unavailable,
        _ if err.is_not_found() => Code::NotFound,
        Some(401) => Code::Unauthenticated,
        Some(403) => Code::PermissionDenied,
        Some(400) => Code::InvalidArgument,
        Some(409) => Code::AlreadyExists,
        Some(408) | Some(504) => Code::DeadlineExceeded,
        Some(s) if s >= 500 => Code::Unavailable,
        // The client's pager stopped a listing it cannot complete (a server that ignores paging,
        // offsets past the total): another attempt would repeat it. An empty page before the
        // total is retryable, and handled below.
        None if matches!(err, descope_mgmt::Error::Paging(_)) && !err.is_retryable() => {
            Code::FailedPrecondition
        }
        // Transport failures and malformed bodies (a proxy's HTML page, a truncated body) are
        // worth another attempt; the engine caps how many.
        _ if err.is_retryable() => Code::Unavailable,
        None => Code::Unavailable,
        Some(_) => Code::Unknown,
    };
    let hint = match code {
        Code::Unauthenticated => {
            "; Descope rejected the management key: check DESCOPE_MANAGEMENT_KEY and that the key belongs to this project"
        }
        Code::PermissionDenied => {
            "; the management key lacks a permission: use a project-scoped key with the project admin role"
        }
        _ => "",
    };
    let retry_after = err.api_error().and_then(|api| api.retry_after);
    let mut out = Error::new(code, format!("Descope API error while {what}: {err}{hint}"));
    if let Some(wait) = retry_after {
        out = out.with_retry_after(wait);
    }
    out.with_source(err)
}
