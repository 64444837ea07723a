//! SSO applications: listing and loading them, and users' access to them
//! (`/v1/mgmt/user/update/ssoapp/{add,set,remove}`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::wire::parse;
use super::{Shared, json};
use crate::app_records::SsoAppRecord;
use crate::error::ApiError;
use crate::records::UserRecord;
use crate::state::{AppOp, obj};

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/mgmt/sso/idp/apps/load", get(load_all))
        .route("/v1/mgmt/sso/idp/app/load", get(load_one))
        .route("/v1/mgmt/user/update/ssoapp/add", post(add))
        .route("/v1/mgmt/user/update/ssoapp/set", post(set))
        .route("/v1/mgmt/user/update/ssoapp/remove", post(remove))
}

/// `POST /v1/mgmt/user/update/ssoapp/{add,set,remove}`: the spelling is `ssoAppIds` (the
/// SDKs' user create/update spelling `ssoAppIDs` is read too); `null` is unset in both fields.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(super) struct UpdateSsoApps {
    #[serde(alias = "identifier")]
    pub(super) login_id: Option<String>,
    #[serde(rename = "ssoAppIds", alias = "ssoAppIDs")]
    pub(super) sso_app_ids: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Apps<'a> {
    apps: &'a [SsoAppRecord],
}

#[derive(Serialize)]
struct One<'a> {
    user: &'a UserRecord,
}

fn no_query(q: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    match q.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::invalid_request(format!(
            "unknown query parameter `{k}`"
        ))),
        None => Ok(()),
    }
}

/// `GET /v1/mgmt/sso/idp/apps/load`: every application, in dataset order (no paging).
async fn load_all(AxState(app): App, Query(q): Query<HashMap<String, String>>) -> Reply {
    no_query(&q, &[])?;
    json(&Apps {
        apps: &app.read().sso_apps,
    })
}

/// `GET /v1/mgmt/sso/idp/app/load?id=`: the application flat at the root, as Descope answers.
async fn load_one(AxState(app): App, Query(q): Query<HashMap<String, String>>) -> Reply {
    no_query(&q, &["id"])?;
    let id = q
        .get("id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::missing_argument("id is required"))?;
    let state = app.read();
    let a = state
        .sso_app(id)
        .ok_or_else(|| crate::state::app_not_found(id))?;
    json(a)
}

fn update(app: &Shared, body: &[u8], op: AppOp) -> Reply {
    let req: UpdateSsoApps = parse(body)?;
    let login_id = req.login_id.unwrap_or_default();
    if login_id.is_empty() {
        return Err(ApiError::missing_argument("loginId is required"));
    }
    let ids = req.sso_app_ids.unwrap_or_default();
    // Only `set` may send an empty list: it clears the user's list, which means every app.
    if ids.is_empty() && op != AppOp::Set {
        return Err(ApiError::missing_argument("ssoAppIds is required"));
    }
    let mut state = app.write();
    let idx = state.user_or_404(&login_id)?;
    let before = state.users[idx].clone();
    state.update_sso_apps(idx, &ids, op)?;
    let data = obj(serde_json::json!({
        "operation": format!("ssoApps.{}", op.as_str()),
        "ssoAppIds": ids,
    }));
    state.audit_user_modified(&before, idx, data);
    json(&One {
        user: &state.users[idx],
    })
}

async fn add(AxState(app): App, body: Bytes) -> Reply {
    update(&app, &body, AppOp::Add)
}

async fn set(AxState(app): App, body: Bytes) -> Reply {
    update(&app, &body, AppOp::Set)
}

async fn remove(AxState(app): App, body: Bytes) -> Reply {
    update(&app, &body, AppOp::Remove)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_spellings_and_nulls() {
        let r: UpdateSsoApps = parse(br#"{"identifier":"a","ssoAppIDs":["x"]}"#).unwrap();
        assert_eq!(r.login_id.as_deref(), Some("a"));
        assert_eq!(r.sso_app_ids.unwrap(), ["x"]);
        let r: UpdateSsoApps = parse(br#"{"loginId":null,"ssoAppIds":null}"#).unwrap();
        assert!(r.login_id.is_none() && r.sso_app_ids.is_none());
        let e = parse::<UpdateSsoApps>(br#"{"loginId":"a","tenantId":"T"}"#).unwrap_err();
        assert_eq!(e.code, "E011003");
        crate::http::wire::tests::each_field_accepts_null::<UpdateSsoApps>();
    }
}
