//! Descope-shaped error responses: `{"errorCode","errorDescription","errorMessage"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error the emulator answers with, in Descope's error body shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) description: &'static str,
    pub(crate) message: String,
    pub(crate) retry_after: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    error_code: &'a str,
    error_description: &'a str,
    error_message: &'a str,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        description: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            description,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `E011003`: the body does not decode (unknown field, wrong type...).
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E011003",
            "Request is invalid",
            message,
        )
    }

    /// 400 `E011002`: a required argument is missing.
    pub(crate) fn missing_argument(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E011002",
            "Missing arguments",
            message,
        )
    }

    /// 400 `E011004`: an argument is well-formed but wrong (unknown role name, duplicate name...).
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E011004",
            "Invalid arguments",
            message,
        )
    }

    /// 404 `E112102`: Descope's management "user not found".
    pub(crate) fn user_not_found(ident: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E112102",
            "User not found",
            format!("Cannot find user {ident:?}"),
        )
    }

    /// 404 for a tenant, role or permission addressed by a load or delete (invented code).
    pub(crate) fn not_found(code: &'static str, description: &'static str, what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            code,
            description,
            format!("Cannot find {what}"),
        )
    }

    pub(crate) fn tenant_not_found(id: &str) -> Self {
        Self::not_found("E114102", "Tenant not found", &format!("tenant {id:?}"))
    }

    /// 400 `E112104` of [`DuplicateMode::Error`](crate::DuplicateMode::Error) (invented code).
    pub(crate) fn duplicate(description: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "E112104", description, message)
    }

    /// 400 `E112105`: v1 role add or role set in a tenant the user is not a member of (invented code).
    pub(crate) fn not_member(user: &str, tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E112105",
            "User is not a member of the tenant",
            format!("User {user:?} is not a member of tenant {tenant:?}"),
        )
    }

    /// 409-like conflict for creation (Descope answers 400); `E062107` is Descope's "user already exists".
    pub(crate) fn user_exists(login_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E062107",
            "User already exists",
            format!("A user with login id {login_id:?} already exists"),
        )
    }

    /// 401 for a missing or wrong `Authorization` header (invented code).
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "E011401", "Unauthorized", message)
    }

    /// 429 `E130429` with `Retry-After`.
    pub(crate) fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E130429",
            "Rate limit exceeded",
            format!("Too many requests, retry after {retry_after_secs} seconds"),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// An injected 500 or 503 (invented codes).
    pub(crate) fn server_error(unavailable: bool) -> Self {
        if unavailable {
            Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "E011503",
                "Service unavailable",
                "Injected fault: service unavailable",
            )
        } else {
            Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "E011500",
                "Server error",
                "Injected fault: internal server error",
            )
        }
    }

    /// 404 for a path the emulator does not serve.
    pub(crate) fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E011404",
            "Not found",
            format!("The emulator does not serve {method} {path}"),
        )
    }

    /// 500 when a response cannot be serialized (should not happen).
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E011500",
            "Server error",
            message,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&Body {
            error_code: self.code,
            error_description: self.description,
            error_message: &self.message,
        })
        .unwrap_or_default();
        let mut resp = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
