//! Tenant, role, permission, group and licence endpoints.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::response::Response;
use serde::Serialize;
use serde_json::json as value;

use super::wire::{self, parse};
use super::{Shared, empty, json};
use crate::error::ApiError;
use crate::records::{GroupRecord, PermissionRecord, RoleRecord, TenantRecord};
use crate::state::{Event, obj, with_changes};

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

#[derive(Serialize)]
struct Tenants<'a> {
    tenants: &'a [TenantRecord],
}

#[derive(Serialize)]
struct Roles<'a> {
    roles: Vec<&'a RoleRecord>,
}

#[derive(Serialize)]
struct Permissions<'a> {
    permissions: &'a [PermissionRecord],
}

#[derive(Serialize)]
struct Created<'a> {
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct License<'a> {
    rate_limit_tier: &'a str,
}

pub(super) async fn tenants_all(AxState(app): App) -> Reply {
    json(&Tenants {
        tenants: &app.read().tenants,
    })
}

/// `GET /v1/mgmt/tenant?id=`: the tenant flat at the root, as Descope returns it.
pub(super) async fn tenant_load(
    AxState(app): App,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    if let Some(k) = q.keys().find(|k| k.as_str() != "id") {
        return Err(ApiError::invalid_request(format!(
            "unknown query parameter `{k}`"
        )));
    }
    let id = q
        .get("id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::missing_argument("id is required"))?;
    let state = app.read();
    let t = state
        .tenant(id)
        .ok_or_else(|| ApiError::tenant_not_found(id))?;
    json(t)
}

pub(super) async fn tenant_create(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::CreateTenant = parse(&body)?;
    let mut state = app.write();
    let id = state.create_tenant(tenant_record(req))?;
    if let Some(t) = state.tenant(&id) {
        let data = value!({ "tenantId": t.id, "name": t.name, "parent": t.parent });
        let e = Event::new("TenantCreated", obj(data)).tenants([id.as_str()]);
        state.audit(e);
    }
    json(&Created { id: &id })
}

/// `POST /v1/mgmt/tenant/update`: replaces the tenant's settings.
pub(super) async fn tenant_update(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::CreateTenant = parse(&body)?;
    if req.id.is_empty() {
        return Err(ApiError::missing_argument("id is required"));
    }
    let id = req.id.clone();
    let mut state = app.write();
    let before = state.tenant(&id).cloned();
    state.replace_tenant(tenant_record(req))?;
    if let (Some(before), Some(after)) = (before, state.tenant(&id)) {
        let data = with_changes(obj(value!({ "tenantId": id })), &before, after);
        state.audit(Event::new("TenantModified", data).tenants([id.as_str()]));
    }
    empty()
}

fn tenant_record(req: wire::CreateTenant) -> TenantRecord {
    let mut t = TenantRecord::new(req.id, req.name);
    t.self_provisioning_domains = req.self_provisioning_domains;
    t.custom_attributes = req.custom_attributes;
    t.enforce_sso = req.enforce_sso;
    t.disabled = req.disabled;
    t.parent = req.parent;
    t
}

fn any_of(filter: &[String], value: &str) -> bool {
    filter.is_empty() || filter.iter().any(|f| f == value)
}

fn overlaps(filter: &[String], values: &[String]) -> bool {
    filter.is_empty() || values.iter().any(|v| filter.contains(v))
}

/// `POST /v1/mgmt/tenant/search`: filters AND together, lists are any-of.
pub(super) async fn tenant_search(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::SearchTenants = parse(&body)?;
    let state = app.read();
    let tenants: Vec<&TenantRecord> = state
        .tenants
        .iter()
        .filter(|t| {
            any_of(&req.tenant_ids, &t.id)
                && any_of(&req.tenant_names, &t.name)
                && overlaps(
                    &req.tenant_self_provisioning_domains,
                    &t.self_provisioning_domains,
                )
                && overlaps(&req.tenant_sso_domains, &t.domains)
                && (req.auth_type.is_empty() || req.auth_type == t.auth_type)
                && (req.parent_tenant_id.is_empty() || req.parent_tenant_id == t.parent)
                && (!req.top_level_only || t.parent.is_empty())
                && req
                    .custom_attributes
                    .iter()
                    .all(|(k, v)| t.custom_attributes.get(k) == Some(v))
        })
        .collect();
    json(&serde_json::json!({ "tenants": tenants }))
}

pub(super) async fn tenant_delete(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::DeleteTenant = parse(&body)?;
    if req.id.is_empty() {
        return Err(ApiError::missing_argument("id is required"));
    }
    let mut state = app.write();
    let name = state.tenant(&req.id).map(|t| t.name.clone());
    let mut gone = state.descendants(&req.id);
    state.delete_tenant(&req.id, req.cascade)?;
    gone.insert(0, req.id.clone());
    let data = value!({
        "tenantId": req.id, "name": name, "cascade": req.cascade, "deletedTenantIds": gone,
    });
    let e = Event::new("TenantDeleted", obj(data)).tenants(gone.iter().map(String::as_str));
    state.audit(e);
    empty()
}

/// `GET /v1/mgmt/role/all`: every role, or project roles only under
/// `tenant_roles_only_in_search`.
pub(super) async fn roles_all(AxState(app): App) -> Reply {
    let state = app.read();
    let roles = state
        .roles
        .iter()
        .filter(|r| !app.tenant_roles_only_in_search || r.tenant_id.is_empty())
        .collect();
    json(&Roles { roles })
}

pub(super) async fn role_create(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::CreateRole = parse(&body)?;
    let mut r = RoleRecord::new(String::new(), req.name, req.tenant_id);
    r.description = req.description;
    r.permission_names = req.permission_names;
    r.default = req.default;
    r.private = req.private;
    let data = value!({
        "roleName": r.name, "tenantId": r.tenant_id, "permissionNames": r.permission_names,
    });
    let tenant = r.tenant_id.clone();
    let mut state = app.write();
    state.create_role(r)?;
    state.audit(Event::new("RoleCreated", obj(data)).tenants([tenant.as_str()]));
    empty()
}

/// `POST /v1/mgmt/role/search`. Without `tenantIds` every role matches (project roles only
/// under `tenant_roles_only_in_search`); with them, those tenants' roles, plus project roles
/// when `includeProjectRoles`. The other filters AND together: `roleNames`, `roleIds` and
/// `permissionNames` are any-of, `roleNameLike` and `text` case-insensitive substrings.
pub(super) async fn role_search(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::SearchRoles = parse(&body)?;
    app.check_tenant_ids(req.tenant_ids.len())?;
    let like = req.role_name_like.to_lowercase();
    let text = req.text.to_lowercase();
    let state = app.read();
    let in_scope = |r: &RoleRecord| {
        if req.tenant_ids.is_empty() {
            !app.tenant_roles_only_in_search || r.tenant_id.is_empty()
        } else if r.tenant_id.is_empty() {
            req.include_project_roles
        } else {
            req.tenant_ids.contains(&r.tenant_id)
        }
    };
    let roles = state
        .roles
        .iter()
        .filter(|r| {
            in_scope(r)
                && any_of(&req.role_names, &r.name)
                && any_of(&req.role_ids, &r.id)
                && overlaps(&req.permission_names, &r.permission_names)
                && (like.is_empty() || r.name.to_lowercase().contains(&like))
                && (text.is_empty()
                    || r.name.to_lowercase().contains(&text)
                    || r.description.to_lowercase().contains(&text))
        })
        .collect();
    json(&Roles { roles })
}

/// `POST /v1/mgmt/role/update`: a full override; a rename follows into user assignments.
pub(super) async fn role_update(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::UpdateRole = parse(&body)?;
    if req.name.is_empty() && req.id.is_empty() {
        return Err(ApiError::missing_argument("name or id is required"));
    }
    let mut new = RoleRecord::new(String::new(), req.new_name, req.tenant_id.clone());
    new.description = req.description;
    new.permission_names = req.permission_names;
    new.default = req.default;
    new.private = req.private;
    let mut state = app.write();
    let pos = state.find_role(&req.name, &req.id, &req.tenant_id)?;
    let before = state.roles[pos].clone();
    state.replace_role(&req.name, &req.id, &req.tenant_id, new)?;
    let data = value!({
        "roleId": before.id, "roleName": before.name, "tenantId": before.tenant_id,
    });
    let data = with_changes(obj(data), &before, &state.roles[pos]);
    let e = Event::new("RoleModified", data).tenants([before.tenant_id.as_str()]);
    state.audit(e);
    empty()
}

pub(super) async fn role_delete(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::DeleteRole = parse(&body)?;
    if req.name.is_empty() && req.id.is_empty() {
        return Err(ApiError::missing_argument("name or id is required"));
    }
    let mut state = app.write();
    let pos = state.find_role(&req.name, &req.id, &req.tenant_id)?;
    let gone = state.roles[pos].clone();
    state.delete_role(&req.name, &req.id, &req.tenant_id)?;
    let data = value!({ "roleId": gone.id, "roleName": gone.name, "tenantId": gone.tenant_id });
    let e = Event::new("RoleDeleted", obj(data)).tenants([gone.tenant_id.as_str()]);
    state.audit(e);
    empty()
}

pub(super) async fn permissions_all(AxState(app): App) -> Reply {
    json(&Permissions {
        permissions: &app.read().permissions,
    })
}

pub(super) async fn permission_create(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::CreatePermission = parse(&body)?;
    let mut p = PermissionRecord::new(String::new(), req.name);
    p.description = req.description;
    let data = value!({ "permissionName": p.name, "description": p.description });
    let mut state = app.write();
    state.create_permission(p)?;
    state.audit(Event::new("PermissionCreated", obj(data)));
    empty()
}

/// `POST /v1/mgmt/permission/update`: a full override; a rename follows into roles.
pub(super) async fn permission_update(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::UpdatePermission = parse(&body)?;
    if req.name.is_empty() && req.id.is_empty() {
        return Err(ApiError::missing_argument("name or id is required"));
    }
    let mut state = app.write();
    let pos = state.find_permission(&req.name, &req.id)?;
    let before = state.permissions[pos].clone();
    state.replace_permission(&req.name, &req.id, &req.new_name, req.description)?;
    let data = value!({ "permissionId": before.id, "permissionName": before.name });
    let data = with_changes(obj(data), &before, &state.permissions[pos]);
    state.audit(Event::new("PermissionModified", data));
    empty()
}

pub(super) async fn permission_delete(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::DeletePermission = parse(&body)?;
    if req.name.is_empty() && req.id.is_empty() {
        return Err(ApiError::missing_argument("name or id is required"));
    }
    let mut state = app.write();
    let pos = state.find_permission(&req.name, &req.id)?;
    let gone = state.permissions[pos].clone();
    state.delete_permission(&req.name, &req.id)?;
    let data = value!({ "permissionId": gone.id, "permissionName": gone.name });
    state.audit(Event::new("PermissionDeleted", obj(data)));
    empty()
}

pub(super) async fn license(AxState(app): App) -> Reply {
    json(&License {
        rate_limit_tier: &app.license_tier,
    })
}

fn require_tenant<'a>(state: &crate::state::State, id: &'a str) -> Result<&'a str, ApiError> {
    if id.is_empty() {
        return Err(ApiError::missing_argument("tenantId is required"));
    }
    if state.tenant(id).is_none() {
        return Err(ApiError::tenant_not_found(id));
    }
    Ok(id)
}

/// `POST /v1/mgmt/group/all`: a bare JSON array of the tenant's groups.
pub(super) async fn groups_all(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::GroupsAll = parse(&body)?;
    let state = app.read();
    let tenant = require_tenant(&state, &req.tenant_id)?;
    let groups: Vec<&GroupRecord> = state
        .groups
        .iter()
        .filter(|g| g.tenant_id == tenant && (req.sso_id.is_empty() || g.sso_id == req.sso_id))
        .collect();
    json(&groups)
}

/// `POST /v1/mgmt/group/member/all`: the tenant's groups that contain any of the users.
pub(super) async fn groups_for_members(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::GroupsForMembers = parse(&body)?;
    let state = app.read();
    let tenant = require_tenant(&state, &req.tenant_id)?;
    let groups: Vec<&GroupRecord> = state
        .groups
        .iter()
        .filter(|g| {
            g.tenant_id == tenant
                && (req.sso_id.is_empty() || g.sso_id == req.sso_id)
                && g.members.iter().any(|m| {
                    req.login_ids.contains(&m.login_id) || req.user_ids.contains(&m.user_id)
                })
        })
        .collect();
    json(&groups)
}

/// `POST /v1/mgmt/group/members`: the one group, as a one-element array.
pub(super) async fn group_members(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::GroupMembers = parse(&body)?;
    let state = app.read();
    let tenant = require_tenant(&state, &req.tenant_id)?;
    let groups: Vec<&GroupRecord> = state
        .groups
        .iter()
        .filter(|g| {
            g.tenant_id == tenant
                && g.id == req.group_id
                && (req.sso_id.is_empty() || g.sso_id == req.sso_id)
        })
        .collect();
    json(&groups)
}
