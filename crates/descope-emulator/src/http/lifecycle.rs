//! Account lifecycle endpoints beyond single-user create and delete: batch delete, deleting
//! every test user, and logout.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::response::Response;
use axum::routing::{delete, post};
use serde::Deserialize;

use super::wire::parse;
use super::{Shared, empty};
use crate::error::ApiError;
use crate::state::obj;

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/mgmt/user/delete/batch", post(delete_batch))
        .route("/v1/mgmt/user/test/delete/all", delete(delete_test_users))
        .route("/v1/mgmt/user/logout", post(logout))
}

/// `POST /v1/mgmt/user/delete/batch`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct DeleteUsers {
    user_ids: Option<Vec<String>>,
}

/// `POST /v1/mgmt/user/logout`: `loginId` or `userId` (GO sends both, one empty), and the
/// session types to revoke (`null` or absent: all).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Logout {
    #[serde(alias = "identifier")]
    login_id: Option<String>,
    user_id: Option<String>,
    session_types: Option<Vec<String>>,
}

/// Deletes every user in `userIds`, all or nothing: an unknown id is a 404 `E112102` and
/// deletes no one.
async fn delete_batch(AxState(app): App, body: Bytes) -> Reply {
    let req: DeleteUsers = parse(&body)?;
    let ids = req
        .user_ids
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::missing_argument("userIds is required"))?;
    let mut state = app.write();
    if let Some(missing) = ids.iter().find(|id| state.find_user_by_id(id).is_none()) {
        return Err(ApiError::user_not_found(missing));
    }
    let mut gone = Vec::with_capacity(ids.len());
    for id in &ids {
        // A repeated id was deleted by its first occurrence.
        if let Some(idx) = state.find_user_by_id(id) {
            gone.push(state.delete_user(idx));
        }
    }
    let data = obj(serde_json::json!({ "operation": "delete.batch" }));
    state.audit_users_deleted(&gone, data);
    empty()
}

/// `DELETE /v1/mgmt/user/test/delete/all`: deletes every test user.
async fn delete_test_users(AxState(app): App) -> Reply {
    let mut state = app.write();
    // From the end, so earlier positions stay valid and each re-index is short.
    let mut gone = Vec::new();
    for idx in (0..state.users.len()).rev() {
        if state.users[idx].test {
            gone.push(state.delete_user(idx));
        }
    }
    gone.reverse();
    let data = obj(serde_json::json!({ "operation": "delete.test.all" }));
    state.audit_users_deleted(&gone, data);
    empty()
}

/// `POST /v1/mgmt/user/logout`: checks the user exists (404 otherwise), records the logout
/// ([`Emulator::logouts`](crate::Emulator::logouts) and a `UserLoggedOut` audit record) and
/// answers `{}`; the emulator has no sessions, so nothing else changes.
async fn logout(AxState(app): App, body: Bytes) -> Reply {
    let req: Logout = parse(&body)?;
    let user_id = req.user_id.unwrap_or_default();
    let login_id = req.login_id.unwrap_or_default();
    let mut state = app.write();
    let idx = if !user_id.is_empty() {
        state
            .find_user_by_id(&user_id)
            .ok_or_else(|| ApiError::user_not_found(&user_id))?
    } else if !login_id.is_empty() {
        state.user_or_404(&login_id)?
    } else {
        return Err(ApiError::missing_argument("loginId or userId is required"));
    };
    state.log_out(idx, req.session_types.unwrap_or_default());
    empty()
}
