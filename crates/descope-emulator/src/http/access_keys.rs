//! Access key endpoints: `/v1/mgmt/accesskey/*`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Map, Value};

use super::wire::keys::{self as wire, KeyTenant};
use super::wire::parse;
use super::{Shared, empty, json};
use crate::error::ApiError;
use crate::key_records::{AccessKeyRecord, AccessKeyStatus, KeyTenantRecord};
use crate::knobs::ExpiredKeyStatus;
use crate::state::{KeyChanges, NewKey, State, now_secs, obj};

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/mgmt/accesskey/create", post(create))
        .route("/v1/mgmt/accesskey", get(load))
        .route("/v1/mgmt/accesskey/search", post(search))
        .route("/v1/mgmt/accesskey/update", post(update))
        .route("/v1/mgmt/accesskey/activate", post(activate))
        .route("/v1/mgmt/accesskey/deactivate", post(deactivate))
        .route("/v1/mgmt/accesskey/delete", post(delete))
        .route("/v1/mgmt/accesskey/activate/batch", post(activate_batch))
        .route(
            "/v1/mgmt/accesskey/deactivate/batch",
            post(deactivate_batch),
        )
        .route("/v1/mgmt/accesskey/delete/batch", post(delete_batch))
        .route("/v1/mgmt/accesskey/rotate", post(rotate))
}

/// The `AccessKey` object as responses carry it: the record without its secret hash, with the
/// status the expired-key knob decides.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyView<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    role_names: &'a [String],
    key_tenants: &'a [KeyTenantRecord],
    status: &'static str,
    created_time: i64,
    expire_time: i64,
    created_by: &'a str,
    client_id: &'a str,
    bound_user_id: &'a str,
    custom_claims: &'a Map<String, Value>,
    permitted_ips: &'a [String],
    custom_attributes: &'a Map<String, Value>,
    editable: bool,
}

fn status(k: &AccessKeyRecord, mode: ExpiredKeyStatus, now: i64) -> &'static str {
    match mode {
        ExpiredKeyStatus::Expired if k.is_expired_at(now) => "expired",
        _ => k.status.as_str(),
    }
}

fn view(k: &AccessKeyRecord, mode: ExpiredKeyStatus, now: i64) -> KeyView<'_> {
    KeyView {
        id: &k.id,
        name: &k.name,
        description: &k.description,
        role_names: &k.role_names,
        key_tenants: &k.key_tenants,
        status: status(k, mode, now),
        created_time: k.created_time,
        expire_time: k.expire_time,
        created_by: &k.created_by,
        client_id: &k.client_id,
        bound_user_id: &k.bound_user_id,
        custom_claims: &k.custom_claims,
        permitted_ips: &k.permitted_ips,
        custom_attributes: &k.custom_attributes,
        editable: k.editable,
    }
}

#[derive(Serialize)]
struct One<'a> {
    key: KeyView<'a>,
}

#[derive(Serialize)]
struct WithSecret<'a> {
    key: KeyView<'a>,
    cleartext: &'a str,
}

fn one(app: &Shared, k: &AccessKeyRecord) -> Reply {
    json(&One {
        key: view(k, app.expired_key_status, now_secs()),
    })
}

fn with_secret(app: &Shared, k: &AccessKeyRecord, cleartext: &str) -> Reply {
    json(&WithSecret {
        key: view(k, app.expired_key_status, now_secs()),
        cleartext,
    })
}

fn pairs(t: Option<Vec<KeyTenant>>) -> Option<Vec<(String, Vec<String>)>> {
    t.map(|t| t.into_iter().map(KeyTenant::into_pair).collect())
}

async fn create(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::CreateKey = parse(&body)?;
    let new = NewKey {
        name: req.name.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
        expire_time: req.expire_time.map_or(0, |t| t.0),
        role_names: req.role_names.unwrap_or_default(),
        key_tenants: pairs(req.key_tenants).unwrap_or_default(),
        bound_user_id: req.user_id.unwrap_or_default(),
        custom_claims: req.custom_claims.unwrap_or_default(),
        permitted_ips: req.permitted_ips.unwrap_or_default(),
        custom_attributes: req.custom_attributes.unwrap_or_default(),
    };
    let mut state = app.write();
    let (pos, cleartext) = state.create_access_key(new)?;
    let k = state.access_keys[pos].clone();
    let data = obj(serde_json::json!({
        "roleNames": k.role_names,
        "keyTenants": k.key_tenants,
        "boundUserId": k.bound_user_id,
        "expireTime": k.expire_time,
    }));
    state.audit_key("AccessKeyCreated", &k, data);
    with_secret(&app, &state.access_keys[pos], &cleartext)
}

/// `GET /v1/mgmt/accesskey?id=`.
async fn load(AxState(app): App, Query(q): Query<HashMap<String, String>>) -> Reply {
    if let Some(k) = q.keys().find(|k| k.as_str() != "id") {
        return Err(ApiError::invalid_request(format!(
            "unknown query parameter `{k}`"
        )));
    }
    let id = q
        .get("id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::missing_argument("The id field is required"))?;
    let state = app.read();
    let pos = state.key_index(id)?;
    one(&app, &state.access_keys[pos])
}

fn text_matches(k: &AccessKeyRecord, needle: &str) -> bool {
    [&k.id, &k.name, &k.description, &k.client_id]
        .iter()
        .any(|f| f.to_lowercase().contains(needle))
}

fn attributes_match(k: &AccessKeyRecord, want: &Map<String, Value>) -> bool {
    want.iter().all(|(name, want)| {
        k.custom_attributes
            .get(name)
            .is_some_and(|have| match want {
                Value::Array(any) => any.contains(have),
                v => v == have,
            })
    })
}

/// Compares two keys on one sort field; unknown fields compare equal (the sortable names are
/// undocumented, so the emulator accepts any and orders by the ones it knows).
fn compare(a: &KeyView<'_>, b: &KeyView<'_>, field: &str) -> Ordering {
    match field {
        "id" => a.id.cmp(b.id),
        "name" => a.name.cmp(b.name),
        "description" => a.description.cmp(b.description),
        "status" => a.status.cmp(b.status),
        "createdTime" => a.created_time.cmp(&b.created_time),
        "expireTime" => a.expire_time.cmp(&b.expire_time),
        "createdBy" => a.created_by.cmp(b.created_by),
        "clientId" => a.client_id.cmp(b.client_id),
        "boundUserId" => a.bound_user_id.cmp(b.bound_user_id),
        _ => Ordering::Equal,
    }
}

#[derive(Serialize)]
struct Keys<'a> {
    keys: Vec<KeyView<'a>>,
}

/// `POST /v1/mgmt/accesskey/search`: filters AND together, `tenantIds` is any-of, empty or
/// `null` filters do not filter; every match in one response (no paging), in creation order
/// unless `sort` says otherwise.
async fn search(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::SearchKeys = parse(&body)?;
    let tenants = req.tenant_ids.unwrap_or_default();
    app.check_tenant_ids(tenants.len())?;
    let bound = req.bound_user_id.unwrap_or_default();
    let creator = req.creating_user.unwrap_or_default();
    let attrs = req.custom_attributes.unwrap_or_default();
    let text = req.text.unwrap_or_default().to_lowercase();
    let now = now_secs();
    let state = app.read();
    let mut keys: Vec<KeyView<'_>> = state
        .access_keys
        .iter()
        .filter(|k| {
            (tenants.is_empty() || k.key_tenants.iter().any(|t| tenants.contains(&t.tenant_id)))
                && (bound.is_empty() || k.bound_user_id == bound)
                && (creator.is_empty() || k.created_by == creator)
                && attributes_match(k, &attrs)
                && (text.is_empty() || text_matches(k, &text))
        })
        .map(|k| view(k, app.expired_key_status, now))
        .collect();
    let sort: Vec<(String, bool)> = req
        .sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.field.unwrap_or_default(), s.desc.unwrap_or(false)))
        .collect();
    if !sort.is_empty() {
        // A stable sort: keys equal on every field keep creation order.
        keys.sort_by(|a, b| {
            sort.iter()
                .map(|(f, desc)| {
                    let o = compare(a, b, f);
                    if *desc { o.reverse() } else { o }
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    if let Some(cap) = app.access_key_search_cap {
        keys.truncate(cap);
    }
    json(&Keys { keys })
}

/// `POST /v1/mgmt/accesskey/update`.
async fn update(AxState(app): App, body: Bytes) -> Reply {
    let req: wire::UpdateKey = parse(&body)?;
    let id = req.id.unwrap_or_default();
    let changes = KeyChanges {
        name: req.name.unwrap_or_default(),
        description: req.description,
        role_names: req
            .role_names
            .filter(|r| !(app.key_update_empty_list_keeps && r.is_empty())),
        key_tenants: pairs(req.key_tenants)
            .filter(|t| !(app.key_update_empty_list_keeps && t.is_empty())),
        custom_claims: req.custom_claims,
        permitted_ips: req.permitted_ips,
        custom_attributes: req.custom_attributes,
    };
    let mut state = app.write();
    let before = state
        .key_index(&id)
        .ok()
        .map(|p| state.access_keys[p].clone());
    let pos = state.update_access_key(&id, changes)?;
    if let Some(before) = &before {
        let data = obj(serde_json::json!({ "operation": "update" }));
        state.audit_key_modified(before, pos, data);
    }
    let answer = one(&app, &state.access_keys[pos]);
    if let Some(before) = &before {
        interleave_other_writer(&app, &mut state, before);
    }
    answer
}

/// The [`ConcurrentKeyWriter`](crate::ConcurrentKeyWriter) knob: after an update of its key,
/// the other writer's update, computed from the key as it was before that update.
fn interleave_other_writer(app: &Shared, state: &mut State, before: &AccessKeyRecord) {
    let role = {
        let mut writer = app
            .concurrent_key_writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match writer.as_mut() {
            Some(w) if w.key_id == before.id && w.times > 0 => {
                w.times -= 1;
                w.role.clone()
            }
            _ => return,
        }
    };
    let Ok(pos) = state.key_index(&before.id) else {
        return;
    };
    let mut roles = before.role_names.clone();
    roles.retain(|r| *r != role);
    roles.push(role);
    let changes = KeyChanges {
        name: state.access_keys[pos].name.clone(),
        role_names: Some(roles),
        ..KeyChanges::default()
    };
    let after_ours = state.access_keys[pos].clone();
    if let Ok(pos) = state.update_access_key(&before.id, changes) {
        let data = obj(serde_json::json!({ "operation": "update" }));
        state.audit_key_modified(&after_ours, pos, data);
        if let Some(last) = state.audit.last_mut() {
            last.actor_id = "concurrent-writer".to_owned();
        }
    }
}

fn required_id(body: &[u8]) -> Result<String, ApiError> {
    let req: wire::KeyId = parse(body)?;
    req.id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::missing_argument("The id field is required"))
}

fn required_ids(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let req: wire::KeyIds = parse(body)?;
    req.ids
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::missing_argument("The ids field is required"))
}

/// Activates or deactivates the keys (all or nothing) and audits an `AccessKeyModified` per key.
fn set_status(app: &Shared, ids: &[String], status: AccessKeyStatus) -> Reply {
    let mut state = app.write();
    let mut before: Vec<AccessKeyRecord> = Vec::new();
    for id in ids {
        if let Ok(p) = state.key_index(id)
            && !before.iter().any(|k| k.id == *id)
        {
            before.push(state.access_keys[p].clone());
        }
    }
    state.set_key_status(ids, status)?;
    let operation = match status {
        AccessKeyStatus::Active => "activate",
        _ => "deactivate",
    };
    for k in &before {
        if let Ok(pos) = state.key_index(&k.id) {
            let data = obj(serde_json::json!({ "operation": operation }));
            state.audit_key_modified(k, pos, data);
        }
    }
    empty()
}

/// Deletes the keys (all or nothing): one `AccessKeyDeleted`, or for the batch call one
/// `AccessKeysDeleted` naming them all.
fn delete_keys(app: &Shared, ids: &[String], batch: bool) -> Reply {
    let mut state = app.write();
    let mut gone: Vec<AccessKeyRecord> = Vec::new();
    for id in ids {
        if let Ok(p) = state.key_index(id)
            && !gone.iter().any(|k| k.id == *id)
        {
            gone.push(state.access_keys[p].clone());
        }
    }
    state.delete_access_keys(ids)?;
    match gone.as_slice() {
        [k] if !batch => state.audit_key("AccessKeyDeleted", k, serde_json::Map::new()),
        _ => {
            let names: Vec<&str> = gone.iter().map(|k| k.name.as_str()).collect();
            let ids: Vec<&str> = gone.iter().map(|k| k.id.as_str()).collect();
            let tenants: Vec<&str> = gone
                .iter()
                .flat_map(|k| &k.key_tenants)
                .map(|t| t.tenant_id.as_str())
                .collect();
            let data = obj(serde_json::json!({ "accessKeyIds": ids, "names": names }));
            let e = crate::state::Event::new("AccessKeysDeleted", data).tenants(tenants);
            state.audit(e);
        }
    }
    empty()
}

async fn activate(AxState(app): App, body: Bytes) -> Reply {
    set_status(&app, &[required_id(&body)?], AccessKeyStatus::Active)
}

async fn deactivate(AxState(app): App, body: Bytes) -> Reply {
    set_status(&app, &[required_id(&body)?], AccessKeyStatus::Inactive)
}

async fn activate_batch(AxState(app): App, body: Bytes) -> Reply {
    set_status(&app, &required_ids(&body)?, AccessKeyStatus::Active)
}

async fn deactivate_batch(AxState(app): App, body: Bytes) -> Reply {
    set_status(&app, &required_ids(&body)?, AccessKeyStatus::Inactive)
}

async fn delete(AxState(app): App, body: Bytes) -> Reply {
    let id = required_id(&body)?;
    delete_keys(&app, &[id], false)
}

async fn delete_batch(AxState(app): App, body: Bytes) -> Reply {
    let ids = required_ids(&body)?;
    delete_keys(&app, &ids, true)
}

/// `POST /v1/mgmt/accesskey/rotate`: a new secret under the same id; everything else kept.
async fn rotate(AxState(app): App, body: Bytes) -> Reply {
    let id = required_id(&body)?;
    let mut state = app.write();
    let before = state
        .key_index(&id)
        .ok()
        .map(|p| state.access_keys[p].clone());
    let (pos, cleartext) = state.rotate_access_key(&id)?;
    if let Some(before) = before {
        let data = obj(serde_json::json!({ "operation": "rotate" }));
        state.audit_key_modified(&before, pos, data);
    }
    with_secret(&app, &state.access_keys[pos], &cleartext)
}
