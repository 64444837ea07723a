//! A user's second factors (`/v1/mgmt/user/totp/delete`, `passkeys/delete`, `passkey/delete`,
//! `passkeys/list`, `recovery-codes/delete`) and one custom attribute
//! (`/v1/mgmt/user/update/customAttribute`).
//!
//! The user object shows second factors as the flags `TOTP` and `webauthn`; removing them clears
//! the flag, and each change is audited as `UserModified`. A user whose `webauthn` is set has one
//! passkey, `PK<user id>` (the emulator keeps no other credential data); recovery codes are not
//! shown on the user, so their removal is only audited.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::response::Response;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire::parse;
use super::{Shared, empty, json};
use crate::error::ApiError;
use crate::records::UserRecord;
use crate::state::obj;

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/mgmt/user/totp/delete", post(totp_delete))
        .route("/v1/mgmt/user/passkeys/delete", post(passkeys_delete))
        .route("/v1/mgmt/user/passkey/delete", post(passkey_delete))
        .route("/v1/mgmt/user/passkeys/list", post(passkeys_list))
        .route(
            "/v1/mgmt/user/recovery-codes/delete",
            post(recovery_codes_delete),
        )
        .route(
            "/v1/mgmt/user/update/customAttribute",
            post(custom_attribute),
        )
}

/// `{"loginId"}` (login id or user id), with an optional `credentialId` for one passkey.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct ByLogin {
    login_id: Option<String>,
    credential_id: Option<String>,
}

fn login(body: &[u8], credential: bool) -> Result<(String, String), ApiError> {
    let req: ByLogin = parse(body)?;
    if req.credential_id.is_some() && !credential {
        return Err(ApiError::invalid_request("unknown field `credentialId`"));
    }
    let login_id = req.login_id.unwrap_or_default();
    if login_id.is_empty() {
        return Err(ApiError::missing_argument("loginId is required"));
    }
    Ok((login_id, req.credential_id.unwrap_or_default()))
}

/// The id of the one passkey a user with `webauthn` has.
fn passkey_id(u: &UserRecord) -> String {
    format!("PK{}", u.user_id)
}

/// Changes the user `login_id` names with `f`, auditing it as `UserModified` with `operation`.
fn modify(app: &Shared, login_id: &str, operation: &str, f: impl FnOnce(&mut UserRecord)) -> Reply {
    let mut state = app.write();
    let idx = state.user_or_404(login_id)?;
    let before = state.users[idx].clone();
    f(&mut state.users[idx]);
    state.audit_user_modified(
        &before,
        idx,
        obj(serde_json::json!({ "operation": operation })),
    );
    empty()
}

/// Removes the TOTP seed: `TOTP` becomes `false`.
async fn totp_delete(AxState(app): App, body: Bytes) -> Reply {
    let (login_id, _) = login(&body, false)?;
    modify(&app, &login_id, "totp.delete", |u| u.totp = false)
}

/// Removes every passkey: `webauthn` becomes `false`.
async fn passkeys_delete(AxState(app): App, body: Bytes) -> Reply {
    let (login_id, _) = login(&body, false)?;
    modify(&app, &login_id, "passkeys.delete", |u| u.webauthn = false)
}

/// Removes the passkey `credentialId`: 404 when the user has no such passkey.
async fn passkey_delete(AxState(app): App, body: Bytes) -> Reply {
    let (login_id, credential) = login(&body, true)?;
    if credential.is_empty() {
        return Err(ApiError::missing_argument("credentialId is required"));
    }
    {
        let state = app.read();
        let u = &state.users[state.user_or_404(&login_id)?];
        if !u.webauthn || passkey_id(u) != credential {
            return Err(ApiError::not_found(
                "E112110",
                "Passkey not found",
                &format!("passkey {credential:?}"),
            ));
        }
    }
    modify(&app, &login_id, "passkey.delete", |u| u.webauthn = false)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Passkey {
    id: String,
    rp_id: &'static str,
    kind: &'static str,
    display_name: &'static str,
    created_time: i64,
}

#[derive(Serialize)]
struct Passkeys {
    passkeys: Vec<Passkey>,
}

/// `{"passkeys": [...]}`: one for a user with `webauthn`, none otherwise.
async fn passkeys_list(AxState(app): App, body: Bytes) -> Reply {
    let (login_id, _) = login(&body, false)?;
    let state = app.read();
    let u = &state.users[state.user_or_404(&login_id)?];
    let passkeys = u
        .webauthn
        .then(|| Passkey {
            id: passkey_id(u),
            rp_id: "localhost",
            kind: "platform",
            display_name: "Passkey",
            created_time: u.created_time,
        })
        .into_iter()
        .collect();
    json(&Passkeys { passkeys })
}

/// Checks the user and audits the removal (recovery codes are not part of the user object).
async fn recovery_codes_delete(AxState(app): App, body: Bytes) -> Reply {
    let (login_id, _) = login(&body, false)?;
    modify(&app, &login_id, "recoveryCodes.delete", |_| {})
}

/// `{"loginId","attributeKey","attributeValue"}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct CustomAttribute {
    login_id: Option<String>,
    attribute_key: Option<String>,
    attribute_value: Option<Value>,
}

#[derive(Serialize)]
struct One<'a> {
    user: &'a UserRecord,
}

/// Sets one custom attribute (any key: the emulator keeps no attribute definitions; `null`
/// removes it) and answers `{"user": ...}`.
async fn custom_attribute(AxState(app): App, body: Bytes) -> Reply {
    let req: CustomAttribute = parse(&body)?;
    let login_id = req.login_id.unwrap_or_default();
    let key = req.attribute_key.unwrap_or_default();
    if login_id.is_empty() || key.is_empty() {
        return Err(ApiError::missing_argument(
            "loginId and attributeKey are required",
        ));
    }
    let mut state = app.write();
    let idx = state.user_or_404(&login_id)?;
    let before = state.users[idx].clone();
    let attrs = &mut state.users[idx].custom_attributes;
    match req.attribute_value {
        Some(v) => {
            attrs.insert(key.clone(), v);
        }
        None => {
            attrs.remove(&key);
        }
    }
    let data = obj(serde_json::json!({"operation": "customAttribute.update", "attributeKey": key}));
    state.audit_user_modified(&before, idx, data);
    json(&One {
        user: &state.users[idx],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert_eq!(login(br#"{"loginId":"a"}"#, false).unwrap().0, "a");
        assert_eq!(
            login(br#"{"loginId":"a","credentialId":"c"}"#, false)
                .unwrap_err()
                .code,
            "E011003"
        );
        assert_eq!(login(b"{}", false).unwrap_err().code, "E011002");
        crate::http::wire::tests::each_field_accepts_null::<ByLogin>();
        crate::http::wire::tests::each_field_accepts_null::<CustomAttribute>();
    }
}
