//! Errors of the connector, and how Descope client errors map onto the SDK's gRPC-like codes.

use c1_connector_sdk::error::{Code, Error};

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

/// Maps a Descope client error onto the SDK error.
///
/// `what` names the operation, for the message ("searching users", "loading roles", ...).
///
/// One owner of retries: the Descope client retries what may heal (rate limits after
/// `Retry-After`, transient server errors and dropped connections of repeatable requests,
/// connection failures within its connect budget; see `descope_mgmt::RetryConfig`). An error the
/// client already retried, or one that cannot heal (a configuration or encoding problem, a body
/// that is not Descope's JSON, a refusal), is marked not retryable, so the engine never multiplies
/// the client's attempts by its own. Only a transient error the client did not retry (a request
/// it does not repeat, or a listing's empty page before its total) is left to the engine.
pub(crate) fn from_descope(what: &str, err: descope_mgmt::Error) -> Error {
    use descope_mgmt::{DecodeIssue, Error as E};
    let code = match &err {
        _ if err.is_rate_limited() => Code::Unavailable,
        _ if err.is_not_found() => Code::NotFound,
        E::Api(api) => match api.status {
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            400 if api.is_from_descope() => Code::InvalidArgument,
            409 if api.is_from_descope() => Code::AlreadyExists,
            408 | 504 => Code::DeadlineExceeded,
            s if s >= 500 => Code::Unavailable,
            // A redirect, or a 4xx without Descope's error body: something other than the
            // Descope API answered (a wrong base URL, a proxy). The message names the base URL.
            _ => Code::Unknown,
        },
        E::Transport { .. } | E::Timeout { .. } => Code::Unavailable,
        E::Decode {
            issue: DecodeIssue::Truncated,
            ..
        } => Code::Unavailable,
        E::Decode { .. } => Code::Internal,
        E::BodyTooLarge { .. } => Code::ResourceExhausted,
        E::Paging(_) if err.is_retryable() => Code::Unavailable,
        // The client's pager stopped a listing it cannot complete (a server that ignores paging,
        // offsets past the total): another attempt would repeat it.
        E::Paging(_) => Code::Aborted,
        E::InvalidArgument(_) | E::Config(_) | E::Encode(_) => Code::InvalidArgument,
        _ => Code::Unknown,
    };
    let hint = match code {
        Code::Unauthenticated if err.is_from_descope() => {
            "; Descope rejected the management key: check DESCOPE_MANAGEMENT_KEY and that the key belongs to this project"
        }
        Code::PermissionDenied if err.is_from_descope() => {
            "; the management key lacks a permission: use a project-scoped key with the project admin role"
        }
        _ => "",
    };
    let retryable = err.is_retryable() && !err.client_retried();
    let retry_after = err.api_error().and_then(|api| api.retry_after);
    let mut out = Error::new(code, format!("Descope API error while {what}: {err}{hint}"));
    if let Some(wait) = retry_after {
        out = out.with_retry_after(wait);
    }
    if !retryable {
        out = out.with_retryable(false);
    }
    out.with_source(err)
}

/// A read's result with Descope's own "not found" as `None` (and any other error mapped with
/// `what`, e.g. "loading user 'U1'").
pub(crate) fn found<T>(
    result: Result<T, descope_mgmt::Error>,
    what: &str,
) -> Result<Option<T>, Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(from_descope(what, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_owns_retries() {
        let sent_once = descope_mgmt::Error::Api({
            let mut e = descope_mgmt::ApiError::new(503, "", "unavailable");
            e.attempts = 1;
            e
        });
        let retried = descope_mgmt::Error::Api({
            let mut e = descope_mgmt::ApiError::new(503, "", "unavailable");
            e.attempts = 4;
            e
        });
        assert!(from_descope("x", sent_once).is_retryable());
        let e = from_descope("x", retried);
        assert_eq!(e.code(), Code::Unavailable);
        assert!(!e.is_retryable(), "the client already spent its budget");
        let foreign = descope_mgmt::Error::Api(descope_mgmt::ApiError::new(404, "", "html page"));
        let e = from_descope("x", foreign);
        assert_eq!(e.code(), Code::Unknown);
        assert!(!e.is_retryable());
        let refused = descope_mgmt::Error::Api(descope_mgmt::ApiError::new(
            400,
            "E011003",
            "Request is invalid",
        ));
        assert_eq!(from_descope("x", refused).code(), Code::InvalidArgument);
        let user_gone = descope_mgmt::Error::Api(descope_mgmt::ApiError::new(
            404,
            "E112102",
            "User not found",
        ));
        assert_eq!(from_descope("x", user_gone).code(), Code::NotFound);
    }
}
