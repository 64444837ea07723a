//! User endpoints: search, load, batch load, create, delete, status, roles and tenants.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::response::Response;
use serde::Serialize;
use serde_json::json as value;

use super::wire::{self, parse};
use super::{Shared, json, search as search_mod};
use crate::error::ApiError;
use crate::records::{UserFamilyRecord, UserRecord, UserStatus, UserTenantRecord};
use crate::state::{RoleOp, UserChanges, obj, user_deleted};

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

#[derive(Serialize)]
struct One<'a> {
    user: &'a UserRecord,
}

#[derive(Serialize)]
struct Many<'a> {
    users: Vec<&'a UserRecord>,
    total: usize,
}

fn one(u: &UserRecord) -> Reply {
    json(&One { user: u })
}

pub(super) async fn search(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::SearchUsers = parse(&body)?;
    let key = search_mod::cache_key("all", &body);
    let reply = {
        let (state, generation) = app.read_with_generation();
        // Serialize while holding the read lock: the page borrows the records, nothing is cloned.
        json(&search_mod::search(
            &state,
            &req,
            app.paging,
            &app.search_cache,
            (generation, key),
        )?)
    };
    app.churn_after_search();
    reply
}

/// `/user/search/test`: the same search restricted to test users.
pub(super) async fn search_test(AxState(app): App, body: Bytes) -> Reply {
    let mut req: wire::SearchUsers = parse(&body)?;
    req.with_test_user = Some(true);
    req.test_users_only = Some(true);
    let key = search_mod::cache_key("test", &body);
    let reply = {
        let (state, generation) = app.read_with_generation();
        json(&search_mod::search(
            &state,
            &req,
            app.paging,
            &app.search_cache,
            (generation, key),
        )?)
    };
    app.churn_after_search();
    reply
}

/// `GET /v1/mgmt/user?loginId=` / `?userId=` / `?identifier=` (empty values are ignored,
/// as GO sends both keys with one empty).
pub(super) async fn load(AxState(app): App, Query(q): Query<HashMap<String, String>>) -> Reply {
    let mut login_id = "";
    let mut user_id = "";
    for (k, v) in &q {
        match k.as_str() {
            "loginId" | "identifier" => login_id = v,
            "userId" => user_id = v,
            other => {
                return Err(ApiError::invalid_request(format!(
                    "unknown query parameter `{other}`"
                )));
            }
        }
    }
    let state = app.read();
    let idx = if !user_id.is_empty() {
        state
            .find_user_by_id(user_id)
            .ok_or_else(|| ApiError::user_not_found(user_id))?
    } else if !login_id.is_empty() {
        state.user_or_404(login_id)?
    } else {
        return Err(ApiError::missing_argument("loginId or userId is required"));
    };
    one(&state.users[idx])
}

/// `POST /v1/mgmt/users/load`: unknown ids are skipped.
pub(super) async fn load_many(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::LoadUsers = parse(&body)?;
    let state = app.read();
    let users: Vec<&UserRecord> = req
        .user_ids
        .iter()
        .filter_map(|id| state.find_user_by_id(id))
        .map(|i| &state.users[i])
        .collect();
    let total = users.len();
    json(&Many { users, total })
}

pub(super) async fn create(AxState(app): App, body: Bytes) -> Reply {
    create_user(&app, &body, false)
}

pub(super) async fn create_test(AxState(app): App, body: Bytes) -> Reply {
    create_user(&app, &body, true)
}

fn create_user(app: &Shared, body: &[u8], test: bool) -> Reply {
    let req: wire::CreateUser = parse(body)?;
    let status = match (&req.status, req.invite) {
        (Some(s), _) => status(s)?,
        (None, true) => UserStatus::Invited,
        (None, false) => UserStatus::Enabled,
    };
    let mut u = UserRecord::new(String::new(), req.login_id);
    u.login_ids.extend(req.additional_login_ids);
    u.email = req.email;
    u.phone = req.phone;
    u.name = req.display_name;
    u.given_name = req.given_name;
    u.middle_name = req.middle_name;
    u.family_name = req.family_name;
    u.picture = req.picture;
    u.custom_attributes = req.custom_attributes;
    u.role_names = req.role_names;
    u.user_tenants = memberships(req.user_tenants);
    u.verified_email = req.verified_email.unwrap_or(false);
    u.verified_phone = req.verified_phone.unwrap_or(false);
    u.sso_app_ids = req.sso_app_ids;
    u.test = test || req.test;
    u.status = status;
    u.user_families = families(req.family_associations)?;
    let mut state = app.write();
    // An invite naming an existing user (by login id or user id) re-sends the invitation and
    // creates nothing: the user comes back unchanged.
    if req.invite
        && let Some(first) = u.login_ids.first().filter(|l| !l.is_empty())
        && let Some(idx) = state.find_user(first)
    {
        return one(&state.users[idx]);
    }
    let idx = state.insert_user(u)?;
    let operation = match (test, req.invite) {
        (true, _) => "create.test",
        (false, true) => "invite",
        (false, false) => "create",
    };
    let e = state.user_created(idx, obj(value!({ "operation": operation })));
    state.audit(e);
    one(&state.users[idx])
}

fn memberships(tenants: Vec<wire::CreateUserTenant>) -> Vec<UserTenantRecord> {
    tenants
        .into_iter()
        .map(|t| UserTenantRecord::new(t.tenant_id, String::new(), t.role_names))
        .collect()
}

/// `familyAssociations` as the user's `userFamilies`. Families are not modelled, so any
/// non-empty id is accepted; an id listed twice is refused rather than guessed at.
fn families(list: Vec<wire::FamilyAssociation>) -> Result<Vec<UserFamilyRecord>, ApiError> {
    let mut out: Vec<UserFamilyRecord> = Vec::with_capacity(list.len());
    for f in list {
        if f.family_id.is_empty() {
            return Err(ApiError::missing_argument(
                "familyAssociations[].familyId is required",
            ));
        }
        if out.iter().any(|o| o.family_id == f.family_id) {
            return Err(ApiError::invalid_argument(format!(
                "Family {:?} is listed twice in familyAssociations",
                f.family_id
            )));
        }
        let mut m = UserFamilyRecord::new(f.family_id, f.role_names.unwrap_or_default());
        m.family_scoped_attributes = f.family_scoped_attributes.unwrap_or_default();
        out.push(m);
    }
    Ok(out)
}

fn status(s: &str) -> Result<UserStatus, ApiError> {
    UserStatus::parse(s).ok_or_else(|| ApiError::invalid_argument(format!("Invalid status {s:?}")))
}

/// Applies an update or patch and audits it as `UserModified` (`operation` names which).
fn change(idx_of: &str, app: &Shared, changes: UserChanges, operation: &str) -> Reply {
    let mut state = app.write();
    let idx = user_index(&state, idx_of)?;
    let before = state.users[idx].clone();
    state.apply_changes(idx, changes)?;
    state.audit_user_modified(&before, idx, obj(value!({ "operation": operation })));
    one(&state.users[idx])
}

/// `POST /v1/mgmt/user/update`: every field is replaced (absent ones are cleared, families
/// included), except the verification flags and `test`, which change only when sent (Go never
/// sends `test`; clearing it would turn test users into real ones).
pub(super) async fn update(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::UpdateUser = parse(&body)?;
    let changes = UserChanges {
        email: Some(req.email),
        phone: Some(req.phone),
        name: Some(req.display_name),
        given_name: Some(req.given_name),
        middle_name: Some(req.middle_name),
        family_name: Some(req.family_name),
        picture: Some(req.picture),
        custom_attributes: Some(req.custom_attributes),
        role_names: Some(req.role_names),
        user_tenants: Some(memberships(req.user_tenants)),
        additional_login_ids: Some(req.additional_login_ids),
        verified_email: req.verified_email,
        verified_phone: req.verified_phone,
        sso_app_ids: Some(req.sso_app_ids),
        status: None,
        scim: None,
        test: req.test,
        user_families: Some(families(req.family_associations)?),
    };
    change(&req.login_id, &app, changes, "update")
}

/// `PATCH /v1/mgmt/user/patch`: only the fields sent change; a list sent replaces the list
/// (`userTenants`, `familyAssociations`, `additionalLoginIds` after the primary login id).
/// `status` takes any of the four statuses.
pub(super) async fn patch(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::PatchUser = parse(&body)?;
    let changes = UserChanges {
        email: req.email,
        phone: req.phone,
        name: req.display_name,
        given_name: req.given_name,
        middle_name: req.middle_name,
        family_name: req.family_name,
        picture: req.picture,
        custom_attributes: req.custom_attributes,
        role_names: req.role_names,
        user_tenants: req.user_tenants.map(memberships),
        additional_login_ids: req.additional_login_ids,
        verified_email: req.verified_email,
        verified_phone: req.verified_phone,
        sso_app_ids: req.sso_app_ids,
        status: req.status.as_deref().map(status).transpose()?,
        scim: req.scim,
        test: req.test,
        user_families: req.family_associations.map(families).transpose()?,
    };
    change(&req.login_id, &app, changes, "patch")
}

pub(super) async fn delete(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::DeleteUser = parse(&body)?;
    let mut state = app.write();
    let idx = if !req.user_id.is_empty() {
        state
            .find_user_by_id(&req.user_id)
            .ok_or_else(|| ApiError::user_not_found(&req.user_id))?
    } else if !req.login_id.is_empty() {
        state.user_or_404(&req.login_id)?
    } else {
        return Err(ApiError::missing_argument("loginId or userId is required"));
    };
    let gone = state.delete_user(idx);
    state.audit(user_deleted(&gone, obj(value!({ "operation": "delete" }))));
    super::empty()
}

pub(super) async fn update_status(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::UpdateStatus = parse(&body)?;
    let status = match UserStatus::parse(&req.status) {
        Some(s @ (UserStatus::Enabled | UserStatus::Disabled)) => s,
        _ => {
            return Err(ApiError::invalid_argument(format!(
                "status must be \"enabled\" or \"disabled\", not {:?}",
                req.status
            )));
        }
    };
    let mut state = app.write();
    let idx = user_index(&state, &req.login_id)?;
    let before = state.users[idx].clone();
    state.set_status(idx, status);
    let data = value!({ "operation": "status", "status": status.as_str() });
    state.audit_user_modified(&before, idx, obj(data));
    one(&state.users[idx])
}

fn user_index(state: &crate::state::State, ident: &str) -> Result<usize, ApiError> {
    if ident.is_empty() {
        return Err(ApiError::missing_argument("loginId is required"));
    }
    state.user_or_404(ident)
}

fn roles(app: &Shared, body: &[u8], op: RoleOp) -> Reply {
    let req: wire::UpdateRoles = parse(body)?;
    if req.role_names.is_empty() && op != RoleOp::Set {
        return Err(ApiError::missing_argument("roleNames is required"));
    }
    let mut state = app.write();
    let idx = user_index(&state, &req.login_id)?;
    let before = state.users[idx].clone();
    state.update_roles(idx, &req.tenant_id, &req.role_names, op)?;
    let operation = match op {
        RoleOp::AddV1 | RoleOp::AddV2 => "roles.add",
        RoleOp::Remove => "roles.remove",
        RoleOp::Set => "roles.set",
    };
    let mut data = obj(value!({ "operation": operation, "roleNames": req.role_names }));
    if !req.tenant_id.is_empty() {
        data.insert("tenantId".into(), req.tenant_id.clone().into());
    }
    state.audit_user_modified(&before, idx, data);
    one(&state.users[idx])
}

pub(super) async fn role_add_v1(AxState(app): App, body: Bytes) -> Reply {
    roles(&app, &body, RoleOp::AddV1)
}

pub(super) async fn role_add_v2(AxState(app): App, body: Bytes) -> Reply {
    roles(&app, &body, RoleOp::AddV2)
}

pub(super) async fn role_remove(AxState(app): App, body: Bytes) -> Reply {
    roles(&app, &body, RoleOp::Remove)
}

pub(super) async fn role_set(AxState(app): App, body: Bytes) -> Reply {
    roles(&app, &body, RoleOp::Set)
}

fn tenant(app: &Shared, body: &[u8], add: bool) -> Reply {
    let req: wire::UpdateTenant = parse(body)?;
    let mut state = app.write();
    let idx = user_index(&state, &req.login_id)?;
    let before = state.users[idx].clone();
    state.update_tenant(idx, &req.tenant_id, add)?;
    let operation = if add { "tenant.add" } else { "tenant.remove" };
    let data = value!({ "operation": operation, "tenantId": req.tenant_id });
    state.audit_user_modified(&before, idx, obj(data));
    one(&state.users[idx])
}

pub(super) async fn tenant_add(AxState(app): App, body: Bytes) -> Reply {
    tenant(&app, &body, true)
}

pub(super) async fn tenant_remove(AxState(app): App, body: Bytes) -> Reply {
    tenant(&app, &body, false)
}
