//! `POST /v1/mgmt/user/history`: users' sign-ins.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::response::Response;
use axum::routing::post;
use serde::Serialize;

use super::{Shared, json};
use crate::activity_records::LoginRecord;
use crate::error::ApiError;
use crate::knobs::HistoryShape;

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v1/mgmt/user/history", post(history))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wrapped<'a> {
    users_auth_history: &'a [&'a LoginRecord],
}

/// The body: a bare JSON array of user ids. An empty body or `null` is no ids, a `null` item
/// is skipped, and repeats count once.
fn user_ids(body: &[u8]) -> Result<Vec<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let ids: Option<Vec<Option<String>>> = serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid_request(format!("the body must be a JSON array of user ids: {e}"))
    })?;
    let mut out: Vec<String> = Vec::new();
    for id in ids.into_iter().flatten().flatten() {
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The sign-ins of the users asked for: per user in the order asked, newest first. Unknown
/// (or deleted) users have none. More ids than `history_max_ids` is a 400 `E011004`.
async fn history(AxState(app): App, body: Bytes) -> Reply {
    let ids = user_ids(&body)?;
    if let Some(max) = app.history_max_ids
        && ids.len() > max
    {
        return Err(ApiError::invalid_argument(format!(
            "At most {max} user ids per call, got {}; split the list",
            ids.len()
        )));
    }
    let state = app.read();
    let records: Vec<&LoginRecord> = ids.iter().flat_map(|id| state.logins_of(id)).collect();
    match app.history_shape {
        HistoryShape::BareArray => json(&records),
        HistoryShape::Wrapped => json(&Wrapped {
            users_auth_history: &records,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_the_bare_array() {
        assert_eq!(user_ids(b"").unwrap(), Vec::<String>::new());
        assert_eq!(user_ids(b"null").unwrap(), Vec::<String>::new());
        assert_eq!(
            user_ids(br#"["U1",null,"U2","U1",""]"#).unwrap(),
            ["U1", "U2"]
        );
        assert_eq!(
            user_ids(br#"{"userIds":["U1"]}"#).unwrap_err().code,
            "E011003"
        );
        assert_eq!(user_ids(br#"[1]"#).unwrap_err().code, "E011003");
    }
}
