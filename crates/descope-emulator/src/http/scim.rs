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
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::{Value, json};

use super::Shared;
use super::scim_patch::{apply_group_ops, apply_user_ops};
use super::scim_wire::{
    self as wire, Filter, GROUP_SCHEMA, GroupIn, PatchIn, USER_SCHEMA, UserIn, parse_filter,
};
use super::wire::parse;
use crate::error::ApiError;
use crate::records::{GroupRecord, UserRecord, UserStatus};
use crate::state::{ScimGroupChanges, ScimUserFields, State};

/// The most resources one list page returns (`filter.maxResults` of the service provider
/// configuration), and the page size when `count` is absent.
pub(crate) const MAX_RESULTS: usize = 100;

const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Who is calling: the tenant the access key speaks for. Put on the request by the gate.
#[derive(Debug, Clone)]
pub(crate) struct ScimCaller {
    pub(crate) tenant_id: String,
}

type App = AxState<Arc<Shared>>;
type Caller = Extension<ScimCaller>;
type Reply = Result<Response, ScimError>;

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
    let tenant_id = app.read().scim_tenant(cleartext)?;
    Ok(ScimCaller { tenant_id })
}

/// A SCIM error response: RFC 7644's error body (`schemas`, `status`, `scimType`, `detail`)
/// together with Descope's `errorCode`/`errorDescription`/`errorMessage`, since which of the
/// two Descope's SCIM API sends is not documented.
#[derive(Debug)]
pub(crate) struct ScimError(ApiError);

impl From<ApiError> for ScimError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl ScimError {
    fn scim_type(&self) -> Option<&'static str> {
        let e = &self.0;
        if e.message.starts_with("invalidFilter:") {
            Some("invalidFilter")
        } else if e.status == StatusCode::CONFLICT {
            Some("uniqueness")
        } else if e.code == "E011003" {
            Some("invalidSyntax")
        } else if e.status == StatusCode::BAD_REQUEST {
            Some("invalidValue")
        } else {
            None
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    schemas: [&'static str; 1],
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scim_type: Option<&'static str>,
    detail: &'a str,
    error_code: &'a str,
    error_description: &'a str,
    error_message: &'a str,
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let e = &self.0;
        let body = ErrorBody {
            schemas: [ERROR_SCHEMA],
            status: e.status.as_u16().to_string(),
            scim_type: self.scim_type(),
            detail: &e.message,
            error_code: e.code,
            error_description: e.description,
            error_message: &e.message,
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        (e.status, [(header::CONTENT_TYPE, scim_type())], bytes).into_response()
    }
}

fn scim_type() -> HeaderValue {
    HeaderValue::from_static("application/scim+json")
}

fn scim_json(status: StatusCode, v: &Value, location: Option<&str>) -> Reply {
    let body = serde_json::to_vec(v).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut resp = (status, [(header::CONTENT_TYPE, scim_type())], body).into_response();
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

fn no_content() -> Reply {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `http://<Host>/scim/v2`, for `meta.location` and `Location`.
fn base(headers: &HeaderMap) -> String {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}/scim/v2"),
        None => "/scim/v2".to_owned(),
    }
}

fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// An attribute's values for filtering, and whether they compare case-exactly; `None` for an
/// attribute the emulator does not filter on.
type Values = Option<(Vec<String>, bool)>;

/// [`Values`] of a user attribute.
fn user_values(u: &UserRecord, attr: &str) -> Values {
    let one = |s: &str| vec![s.to_owned()];
    Some(match attr.to_ascii_lowercase().as_str() {
        "username" => (one(u.login_ids.first().map_or("", String::as_str)), false),
        "id" => (one(&u.user_id), true),
        "externalid" => (u.external_ids.first().into_iter().cloned().collect(), true),
        "displayname" => (one(&u.name), false),
        "emails" | "emails.value" => (one(&u.email), false),
        "phonenumbers" | "phonenumbers.value" => (one(&u.phone), false),
        "name.givenname" => (one(&u.given_name), false),
        "name.middlename" => (one(&u.middle_name), false),
        "name.familyname" => (one(&u.family_name), false),
        "active" => (one(if active(u) { "true" } else { "false" }), false),
        _ => return None,
    })
}

/// [`Values`] of a group attribute.
fn group_values(g: &GroupRecord, attr: &str) -> Values {
    Some(match attr.to_ascii_lowercase().as_str() {
        "displayname" => (vec![g.display.clone()], false),
        "id" => (vec![g.id.clone()], true),
        "externalid" => (vec![g.external_id.clone()], true),
        "members" | "members.value" => {
            (g.members.iter().map(|m| m.user_id.clone()).collect(), true)
        }
        _ => return None,
    })
}

/// Whether `filter` matches a resource whose attributes `values` reads.
fn matches<T>(filter: &Filter, r: &T, values: fn(&T, &str) -> Values) -> bool {
    filter.0.iter().any(|and| {
        and.iter()
            .all(|t| values(r, &t.attr).is_some_and(|(have, exact)| t.holds(&have, exact)))
    })
}

fn active(u: &UserRecord) -> bool {
    matches!(u.status, UserStatus::Enabled | UserStatus::Invited)
}

/// `filter`, `startIndex`, `count` and `excludedAttributes` of a list.
struct ListQuery {
    filter: Option<Filter>,
    start: usize,
    count: usize,
    excluded: Vec<String>,
}

fn list_query(
    q: &HashMap<String, String>,
    known: impl Fn(&str) -> bool,
) -> Result<ListQuery, ApiError> {
    if let Some(k) = q.keys().find(|k| {
        !matches!(
            k.as_str(),
            "filter" | "startIndex" | "count" | "excludedAttributes"
        )
    }) {
        return Err(ApiError::invalid_request(format!(
            "unknown query parameter `{k}`"
        )));
    }
    let number = |name: &str| -> Result<Option<i64>, ApiError> {
        q.get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::invalid_argument(format!("{name} must be an integer, not {v:?}"))
                })
            })
            .transpose()
    };
    let filter = q
        .get("filter")
        .filter(|f| !f.trim().is_empty())
        .map(|f| parse_filter(f))
        .transpose()?;
    if let Some(t) = filter
        .iter()
        .flat_map(|f| &f.0)
        .flatten()
        .find(|t| !known(&t.attr))
    {
        return Err(ApiError::invalid_argument(format!(
            "invalidFilter: the emulator cannot filter on {:?}",
            t.attr
        )));
    }
    // RFC 7644 3.4.2.4: a startIndex below 1 means 1, a negative count means 0.
    let start = number("startIndex")?.unwrap_or(1).max(1);
    let count = number("count")?.map_or(MAX_RESULTS as i64, |c| c.clamp(0, MAX_RESULTS as i64));
    let excluded = q
        .get("excludedAttributes")
        .map(|e| {
            e.split(',')
                .map(|a| a.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    Ok(ListQuery {
        filter,
        start: usize::try_from(start).unwrap_or(usize::MAX),
        count: usize::try_from(count).unwrap_or(0),
        excluded,
    })
}

fn list_response(total: usize, start: usize, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// A user as SCIM shows it.
fn user_json(state: &State, tenant: &str, u: &UserRecord, base: &str, groups: bool) -> Value {
    let mut name = serde_json::Map::new();
    for (k, v) in [
        ("givenName", &u.given_name),
        ("middleName", &u.middle_name),
        ("familyName", &u.family_name),
    ] {
        if !v.is_empty() {
            name.insert(k.into(), v.as_str().into());
        }
    }
    let multi = |v: &str, kind: &str| -> Vec<Value> {
        if v.is_empty() {
            Vec::new()
        } else {
            vec![json!({"value": v, "primary": true, "type": kind})]
        }
    };
    let created = rfc3339(u.created_time);
    let mut v = json!({
        "schemas": [USER_SCHEMA],
        "id": u.user_id,
        "userName": u.login_ids.first().cloned().unwrap_or_default(),
        "displayName": u.name,
        "name": name,
        "emails": multi(&u.email, "work"),
        "phoneNumbers": multi(&u.phone, "mobile"),
        "active": active(u),
        "meta": {
            "resourceType": "User",
            "created": created,
            "lastModified": created,
            "location": format!("{base}/Users/{}", u.user_id),
        },
    });
    if let Some(x) = u.external_ids.first() {
        v["externalId"] = x.as_str().into();
    }
    if groups {
        let gs: Vec<Value> = state
            .groups
            .iter()
            .filter(|g| g.tenant_id == tenant && g.members.iter().any(|m| m.user_id == u.user_id))
            .map(|g| json!({"value": g.id, "display": g.display, "$ref": format!("{base}/Groups/{}", g.id)}))
            .collect();
        v["groups"] = gs.into();
    }
    v
}

fn group_json(g: &GroupRecord, base: &str, members: bool) -> Value {
    let mut v = json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id,
        "displayName": g.display,
        "meta": {"resourceType": "Group", "location": format!("{base}/Groups/{}", g.id)},
    });
    if !g.external_id.is_empty() {
        v["externalId"] = g.external_id.as_str().into();
    }
    if members {
        let ms: Vec<Value> = g
            .members
            .iter()
            .map(|m| json!({"value": m.user_id, "display": m.display, "$ref": format!("{base}/Users/{}", m.user_id)}))
            .collect();
        v["members"] = ms.into();
    }
    v
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
    let i = state.scim_replace_user(&c.tenant_id, &id, f)?;
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
    let fields = apply_user_ops(&state.users[i], ops)?;
    let i = state.scim_replace_user(&c.tenant_id, &id, fields)?;
    let v = user_json(&state, &c.tenant_id, &state.users[i], &base(&headers), true);
    scim_json(StatusCode::OK, &v, None)
}

async fn delete_user(AxState(app): App, Extension(c): Caller, Path(id): Path<String>) -> Reply {
    app.write().scim_delete_user(&c.tenant_id, &id)?;
    no_content()
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
    scim_json(
        StatusCode::OK,
        &group_json(&state.groups[p], &base(&headers), true),
        None,
    )
}

async fn delete_group(AxState(app): App, Extension(c): Caller, Path(id): Path<String>) -> Reply {
    app.write().scim_delete_group(&c.tenant_id, &id)?;
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
