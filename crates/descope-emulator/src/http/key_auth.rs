//! `POST /v1/auth/accesskey/exchange`: whether an access key authenticates, the way an access
//! key's holder finds out (`Authorization: Bearer <ProjectID>:<AccessKey>`, go-sdk
//! `internal/auth/auth.go:602-630`, `api/client.go:88`). A rotated key's old secret, an inactive
//! or an expired key gets 401; a good one gets `{"sessionJwt", "keyId", "expiration"}`, where the
//! session token is an opaque emulator string, **not** a signed JWT.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::wire::parse;
use super::{Shared, json};
use crate::error::ApiError;
use crate::state::now_secs;

pub(super) const PATH: &str = "/v1/auth/accesskey/exchange";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route(PATH, post(exchange))
}

/// `{"loginOptions": {...}}`, accepted and not applied.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Exchange {
    #[allow(dead_code)] // accepted for shape; the emulator issues no real session
    login_options: Option<Map<String, Value>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    session_jwt: String,
    key_id: String,
    expiration: i64,
}

async fn exchange(
    AxState(app): AxState<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let _: Exchange = parse(&body)?;
    let unauthorized = |why: &str| {
        app.counters.unauthorized();
        ApiError::unauthorized(format!(
            "an access key exchange needs 'Bearer <ProjectID>:<AccessKey>' with an active, \
             unexpired access key: {why}"
        ))
    };
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|v| v.strip_prefix(&app.project_id))
        .and_then(|v| v.strip_prefix(':'))
        .ok_or_else(|| unauthorized("no such header for this project"))?;
    let state = app.read();
    let key = state.authenticate_key(secret).map_err(unauthorized)?;
    json(&Session {
        session_jwt: format!("emulator-session-{}", key.id),
        key_id: key.id.clone(),
        expiration: now_secs() + 600,
    })
}
