//! The SCIM 2.0 API (`/scim/v2`) of one tenant, authenticated with that tenant's access key.
//!
//! A request's tenant comes from its key (see [`authenticate`]); users are the tenant's
//! members and groups are the tenant's groups, the same state the management API serves.
//! Responses are `application/scim+json`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use serde_json::{Value, json};

use super::Shared;
use super::scim_patch::{apply_group_ops, apply_user_ops};
use super::scim_view::{
    MAX_RESULTS, Reply, base, group_json, group_values, list_query, list_response, matches,
    no_content, scim_json, user_json, user_values,
};
use super::scim_wire::{self as wire, GROUP_SCHEMA, GroupIn, PatchIn, USER_SCHEMA, UserIn};
use super::wire::parse;
use crate::error::ApiError;
use crate::records::{GroupRecord, UserRecord};
use crate::state::{Event, ScimGroupChanges, ScimUserFields, obj, user_deleted};

/// Who is calling: the tenant the access key speaks for, and the key (the audit trail's
/// actor). Put on the request by the gate.
#[derive(Debug, Clone)]
pub(crate) struct ScimCaller {
    pub(crate) tenant_id: String,
    pub(crate) key_id: String,
}

type App = AxState<Arc<Shared>>;
type Caller = Extension<ScimCaller>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/scim/v2/Users", get(list_users).post(create_user))
        .route(
            "/scim/v2/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/scim/v2/Groups", get(list_groups).post(create_group))
        .route(
            "/scim/v2/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .route(
            "/scim/v2/ServiceProviderConfig",
            get(service_provider_config),
        )
        .route("/scim/v2/ResourceTypes", get(resource_types))
}

/// Checks `Authorization: Bearer <ProjectID>:<AccessKey>` and finds the key's tenant.
pub(super) fn authenticate(app: &Shared, headers: &HeaderMap) -> Result<ScimCaller, ApiError> {
    let cleartext = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|v| v.split_once(':'))
        .filter(|(project, _)| *project == app.project_id)
        .map(|(_, key)| key)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "SCIM needs 'Authorization: Bearer <ProjectID>:<AccessKey>' with this project's id",
            )
        })?;
    let (tenant_id, key_id) = app.read().scim_tenant(cleartext)?;
    Ok(ScimCaller { tenant_id, key_id })
}

async fn list_users(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let q = list_query(&q, |a| user_values(&UserRecord::default(), a).is_some())?;
    let base = base(&headers);
    let with_groups = !q.excluded.iter().any(|a| a == "groups");
    let state = app.read();
    let hits: Vec<usize> = state
        .scim_members(&c.tenant_id)
        .filter(|&i| {
            q.filter
                .as_ref()
                .is_none_or(|f| matches(f, &state.users[i], user_values))
        })
        .collect();
    let page: Vec<Value> = hits
        .iter()
        .skip(q.start - 1)
        .take(q.count)
        .map(|&i| user_json(&state, &c.tenant_id, &state.users[i], &base, with_groups))
        .collect();
    scim_json(
        StatusCode::OK,
        &list_response(hits.len(), q.start, page),
        None,
    )
}

async fn get_user(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Reply {
    let state = app.read();
    let i = state.scim_member(&c.tenant_id, &id)?;
    let v = user_json(&state, &c.tenant_id, &state.users[i], &base(&headers), true);
    scim_json(StatusCode::OK, &v, None)
}

/// Maps a SCIM user body to Descope's fields.
pub(crate) fn user_fields(u: UserIn) -> Result<ScimUserFields, ApiError> {
    wire::check_schemas(u.schemas.as_ref(), USER_SCHEMA)?;
    let name = u.name.unwrap_or_default();
    Ok(ScimUserFields {
        user_name: u.user_name.unwrap_or_default(),
        display_name: u.display_name.or(name.formatted).unwrap_or_default(),
        given_name: name.given_name.unwrap_or_default(),
        middle_name: name.middle_name.unwrap_or_default(),
        family_name: name.family_name.unwrap_or_default(),
        email: wire::primary(u.emails),
        phone: wire::primary(u.phone_numbers),
        active: u.active,
        external_id: u.external_id,
        custom_attributes: u.attributes,
    })
}

async fn create_user(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let f = user_fields(parse(&body)?)?;
    let base = base(&headers);
    let mut state = app.write();
    let i = state.scim_create_user(&c.tenant_id, f)?;
    let e = state.user_created(i, obj(json!({ "operation": "scim.create" })));
    state.audit(e.by(&c.key_id));
    let v = user_json(&state, &c.tenant_id, &state.users[i], &base, true);
    let loc = format!("{base}/Users/{}", state.users[i].user_id);
    scim_json(StatusCode::CREATED, &v, Some(&loc))
}

/// `PUT`: replaces the profile; an absent `active` keeps the status, an absent `externalId`
/// or `attributes` keeps them.
async fn replace_user(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let f = user_fields(parse(&body)?)?;
    let mut state = app.write();
    let before = state
        .scim_member(&c.tenant_id, &id)
        .map(|i| state.users[i].clone())?;
    let i = state.scim_replace_user(&c.tenant_id, &id, f)?;
    let e = state.user_modified(&before, i, obj(json!({ "operation": "scim.replace" })));
    state.audit(e.by(&c.key_id));
    let v = user_json(&state, &c.tenant_id, &state.users[i], &base(&headers), true);
    scim_json(StatusCode::OK, &v, None)
}

async fn patch_user(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let ops = parse::<PatchIn>(&body)?.into_ops()?;
    let mut state = app.write();
    let i = state.scim_member(&c.tenant_id, &id)?;
    let before = state.users[i].clone();
    let fields = apply_user_ops(&before, ops)?;
    let i = state.scim_replace_user(&c.tenant_id, &id, fields)?;
    let e = state.user_modified(&before, i, obj(json!({ "operation": "scim.patch" })));
    state.audit(e.by(&c.key_id));
    let v = user_json(&state, &c.tenant_id, &state.users[i], &base(&headers), true);
    scim_json(StatusCode::OK, &v, None)
}

async fn delete_user(AxState(app): App, Extension(c): Caller, Path(id): Path<String>) -> Reply {
    let mut state = app.write();
    let gone = state.scim_delete_user(&c.tenant_id, &id)?;
    let e = user_deleted(&gone, obj(json!({ "operation": "scim.delete" })));
    state.audit(e.by(&c.key_id));
    no_content()
}

/// `GroupCreated` / `GroupModified` / `GroupDeleted` (names the emulator chose: Descope
/// documents none) for the group `g`, made with the access key of `c`.
fn audit_group(
    state: &mut crate::state::State,
    action: &'static str,
    c: &ScimCaller,
    g: &GroupRecord,
) {
    let members: Vec<&str> = g.members.iter().map(|m| m.user_id.as_str()).collect();
    let data = json!({ "groupId": g.id, "displayName": g.display, "memberUserIds": members });
    let e = Event::new(action, obj(data))
        .tenants([c.tenant_id.as_str()])
        .by(&c.key_id);
    state.audit(e);
}

async fn list_groups(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let q = list_query(&q, |a| group_values(&GroupRecord::default(), a).is_some())?;
    let base = base(&headers);
    let with_members = !q.excluded.iter().any(|a| a == "members");
    let state = app.read();
    let hits: Vec<&GroupRecord> = state
        .groups
        .iter()
        .filter(|g| g.tenant_id == c.tenant_id)
        .filter(|g| {
            q.filter
                .as_ref()
                .is_none_or(|f| matches(f, *g, group_values))
        })
        .collect();
    let page: Vec<Value> = hits
        .iter()
        .skip(q.start - 1)
        .take(q.count)
        .map(|g| group_json(g, &base, with_members))
        .collect();
    scim_json(
        StatusCode::OK,
        &list_response(hits.len(), q.start, page),
        None,
    )
}

async fn get_group(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Reply {
    let state = app.read();
    let p = state.scim_group(&c.tenant_id, &id)?;
    scim_json(
        StatusCode::OK,
        &group_json(&state.groups[p], &base(&headers), true),
        None,
    )
}

fn group_changes(g: GroupIn) -> Result<ScimGroupChanges, ApiError> {
    wire::check_schemas(g.schemas.as_ref(), GROUP_SCHEMA)?;
    Ok(ScimGroupChanges {
        display_name: g.display_name.unwrap_or_default(),
        external_id: g.external_id.unwrap_or_default(),
        members: g
            .members
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.value.unwrap_or_default())
            .collect(),
    })
}

async fn create_group(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let g: GroupIn = parse(&body)?;
    let wanted_id = g.group_id.clone().filter(|id| !id.is_empty());
    let changes = group_changes(g)?;
    let base = base(&headers);
    let mut state = app.write();
    let p = state.scim_create_group(&c.tenant_id, wanted_id.as_deref(), changes)?;
    let created = state.groups[p].clone();
    audit_group(&mut state, "GroupCreated", &c, &created);
    let g = &state.groups[p];
    let loc = format!("{base}/Groups/{}", g.id);
    scim_json(StatusCode::CREATED, &group_json(g, &base, true), Some(&loc))
}

async fn replace_group(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let changes = group_changes(parse(&body)?)?;
    let mut state = app.write();
    let p = state.scim_save_group(&c.tenant_id, &id, changes)?;
    let saved = state.groups[p].clone();
    audit_group(&mut state, "GroupModified", &c, &saved);
    scim_json(
        StatusCode::OK,
        &group_json(&state.groups[p], &base(&headers), true),
        None,
    )
}

/// `PATCH`: applies the operations to a copy of the group and saves it only if all succeed.
async fn patch_group(
    AxState(app): App,
    Extension(c): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let ops = parse::<PatchIn>(&body)?.into_ops()?;
    let mut state = app.write();
    let p = state.scim_group(&c.tenant_id, &id)?;
    let g = &state.groups[p];
    let mut draft = ScimGroupChanges {
        display_name: g.display.clone(),
        external_id: g.external_id.clone(),
        members: g.members.iter().map(|m| m.user_id.clone()).collect(),
    };
    apply_group_ops(&mut draft, ops)?;
    let p = state.scim_save_group(&c.tenant_id, &id, draft)?;
    let saved = state.groups[p].clone();
    audit_group(&mut state, "GroupModified", &c, &saved);
    scim_json(
        StatusCode::OK,
        &group_json(&state.groups[p], &base(&headers), true),
        None,
    )
}

async fn delete_group(AxState(app): App, Extension(c): Caller, Path(id): Path<String>) -> Reply {
    let mut state = app.write();
    let gone = state.scim_delete_group(&c.tenant_id, &id)?;
    audit_group(&mut state, "GroupDeleted", &c, &gone);
    no_content()
}

async fn service_provider_config(headers: HeaderMap) -> Reply {
    let base = base(&headers);
    let v = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Access key",
            "description": "Authorization: Bearer <ProjectID>:<AccessKey>, with an access key that is a Tenant Admin of the tenant",
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    });
    scim_json(StatusCode::OK, &v, None)
}

async fn resource_types(headers: HeaderMap) -> Reply {
    let base = base(&headers);
    let kind = |id: &str, endpoint: &str, schema: &str, description: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": id,
            "name": id,
            "endpoint": endpoint,
            "description": description,
            "schema": schema,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{id}")},
        })
    };
    let types = vec![
        kind("User", "/Users", USER_SCHEMA, "User Account"),
        kind("Group", "/Groups", GROUP_SCHEMA, "Group"),
    ];
    scim_json(StatusCode::OK, &list_response(2, 1, types), None)
}
