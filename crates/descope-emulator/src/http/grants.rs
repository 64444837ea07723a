//! Third-party applications and consents (`/v1/mgmt/thirdparty/*`), outbound applications and
//! users' tokens for them (`/v1/mgmt/outbound/*`). Bodies as the Go and Python SDKs send them
//! (Go sends every field, empty ones as `""` or `null`, which read as unset). No endpoint that
//! returns a token or an application secret is served.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};

use super::wire::{Int64, parse};
use super::{Shared, empty, json};
use crate::error::ApiError;
use crate::grant_knobs::DEFAULT_CONSENT_PAGE;
use crate::grant_records::{ConsentRecord, OutboundAppRecord, ThirdPartyAppRecord};
use crate::state::{ConsentFilter, outbound_app_not_found, third_party_app_not_found};

type App = AxState<Arc<Shared>>;
type Reply = Result<Response, ApiError>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1/mgmt/thirdparty/apps/load",
            get(apps_get).post(apps_post),
        )
        .route("/v1/mgmt/thirdparty/app/load", get(app_load))
        .route("/v1/mgmt/thirdparty/consents/search", post(consents_search))
        .route("/v1/mgmt/thirdparty/consents/delete", post(consents_delete))
        .route(
            "/v1/mgmt/thirdparty/consents/delete/tenant",
            post(tenant_consents_delete),
        )
        .route("/v1/mgmt/outbound/apps", get(outbound_all))
        .route("/v1/mgmt/outbound/app/{id}", get(outbound_load))
        .route(
            "/v1/mgmt/outbound/apps-with-user-token",
            get(apps_with_user_token),
        )
        .route("/v1/mgmt/outbound/user/tokens", delete(user_tokens_delete))
        .route("/v1/mgmt/outbound/token", delete(token_delete))
}

fn only_query(q: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    match q.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::invalid_request(format!(
            "unknown query parameter `{k}`"
        ))),
        None => Ok(()),
    }
}

/// A query value, empty when absent.
fn q<'a>(q: &'a HashMap<String, String>, key: &str) -> &'a str {
    q.get(key).map_or("", String::as_str)
}

/// A page of `items`: `page` from 0, `limit` 0 meaning `default`.
fn slice<T>(items: &[T], page: i64, limit: usize) -> &[T] {
    let page = usize::try_from(page.max(0)).unwrap_or(usize::MAX);
    let from = page.saturating_mul(limit).min(items.len());
    let to = from.saturating_add(limit).min(items.len());
    &items[from..to]
}

fn non_negative(v: Option<Int64>, what: &str) -> Result<i64, ApiError> {
    match v {
        Some(Int64(n)) if n < 0 => Err(ApiError::invalid_argument(format!(
            "{what} must not be negative"
        ))),
        Some(Int64(n)) => Ok(n),
        None => Ok(0),
    }
}

#[derive(Serialize)]
struct Apps<'a> {
    apps: &'a [ThirdPartyAppRecord],
    total: usize,
}

/// `GET /v1/mgmt/thirdparty/apps/load`: every application (or the first
/// `third_party_apps_get_page` of them), with the total.
async fn apps_get(AxState(app): App, Query(query): Query<HashMap<String, String>>) -> Reply {
    only_query(&query, &[])?;
    let state = app.read();
    let all = &state.third_party_apps;
    let n = app.grants.third_party_get_page.unwrap_or(all.len());
    json(&Apps {
        apps: &all[..n.min(all.len())],
        total: all.len(),
    })
}

/// `POST /v1/mgmt/thirdparty/apps/load` `{"page","limit"}` (the Go SDK's form): `limit` 0 or
/// absent means every application from `page` 0.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct AppsPage {
    page: Option<Int64>,
    limit: Option<Int64>,
}

async fn apps_post(AxState(app): App, body: Bytes) -> Reply {
    let req: AppsPage = parse(&body)?;
    let page = non_negative(req.page, "page")?;
    let limit = non_negative(req.limit, "limit")?;
    let state = app.read();
    let all = &state.third_party_apps;
    let apps = if limit == 0 {
        if page == 0 { &all[..] } else { &all[..0] }
    } else {
        slice(all, page, usize::try_from(limit).unwrap_or(usize::MAX))
    };
    json(&Apps {
        apps,
        total: all.len(),
    })
}

/// `GET /v1/mgmt/thirdparty/app/load?id=`: the application flat at the root.
async fn app_load(AxState(app): App, Query(query): Query<HashMap<String, String>>) -> Reply {
    only_query(&query, &["id"])?;
    let id = q(&query, "id");
    if id.is_empty() {
        return Err(ApiError::missing_argument("id is required"));
    }
    let state = app.read();
    let a = state
        .third_party_apps
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| third_party_app_not_found(id))?;
    json(a)
}

/// `POST /v1/mgmt/thirdparty/consents/search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct SearchConsents {
    app_id: Option<String>,
    user_id: Option<String>,
    consent_id: Option<String>,
    tenant_id: Option<String>,
    page: Option<Int64>,
    limit: Option<Int64>,
}

#[derive(Serialize)]
struct ConsentsAnswer<'a> {
    consents: Vec<&'a ConsentRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<usize>,
}

/// Every filter set must match; pages of `limit` (default 100, capped by
/// `consent_search_max_limit`) from page 0.
async fn consents_search(AxState(app): App, body: Bytes) -> Reply {
    let req: SearchConsents = parse(&body)?;
    let page = non_negative(req.page, "page")?;
    let asked = usize::try_from(non_negative(req.limit, "limit")?).unwrap_or(usize::MAX);
    let mut limit = if asked == 0 {
        DEFAULT_CONSENT_PAGE
    } else {
        asked
    };
    if let Some(max) = app.grants.consent_search_max_limit {
        limit = limit.min(max);
    }
    let filter = ConsentFilter {
        consent_ids: req
            .consent_id
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        app_id: req.app_id.unwrap_or_default(),
        user_ids: req.user_id.into_iter().filter(|s| !s.is_empty()).collect(),
        tenant_id: req.tenant_id.unwrap_or_default(),
    };
    let state = app.read();
    let all = state.consents_matching(&filter);
    let total = all.len();
    json(&ConsentsAnswer {
        consents: slice(&all, page, limit).to_vec(),
        total: (!app.grants.consent_search_without_total).then_some(total),
    })
}

/// `POST /v1/mgmt/thirdparty/consents/delete` (and `/tenant`, without `userIds`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct DeleteConsents {
    consent_ids: Option<Vec<String>>,
    app_id: Option<String>,
    user_ids: Option<Vec<String>>,
    tenant_id: Option<String>,
}

fn delete_filter(req: DeleteConsents) -> Result<ConsentFilter, ApiError> {
    let filter = ConsentFilter {
        consent_ids: req.consent_ids.unwrap_or_default(),
        app_id: req.app_id.unwrap_or_default(),
        user_ids: req.user_ids.unwrap_or_default(),
        tenant_id: req.tenant_id.unwrap_or_default(),
    };
    if filter.is_empty() {
        return Err(ApiError::missing_argument(
            "at least one of consentIds, appId, userIds or tenantId is required",
        ));
    }
    Ok(filter)
}

/// Deletes the user consents matching every filter given; tenant-level consents stay. With
/// `consent_delete_ignored`, answers the same and deletes nothing.
async fn consents_delete(AxState(app): App, body: Bytes) -> Reply {
    let filter = delete_filter(parse(&body)?)?;
    if !app.grants.consent_delete_ignored {
        app.write().delete_consents(&filter, false);
    }
    empty()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct DeleteTenantConsents {
    consent_ids: Option<Vec<String>>,
    app_id: Option<String>,
    tenant_id: Option<String>,
}

/// `POST /v1/mgmt/thirdparty/consents/delete/tenant`: deletes tenant-level consents only.
async fn tenant_consents_delete(AxState(app): App, body: Bytes) -> Reply {
    let req: DeleteTenantConsents = parse(&body)?;
    let filter = delete_filter(DeleteConsents {
        consent_ids: req.consent_ids,
        app_id: req.app_id,
        user_ids: None,
        tenant_id: req.tenant_id,
    })?;
    if !app.grants.consent_delete_ignored {
        app.write().delete_consents(&filter, true);
    }
    empty()
}

#[derive(Serialize)]
struct OutboundApps<'a> {
    apps: &'a [OutboundAppRecord],
}

#[derive(Serialize)]
struct OutboundOne<'a> {
    app: &'a OutboundAppRecord,
}

/// `GET /v1/mgmt/outbound/apps`.
async fn outbound_all(AxState(app): App, Query(query): Query<HashMap<String, String>>) -> Reply {
    only_query(&query, &[])?;
    json(&OutboundApps {
        apps: &app.read().outbound_apps,
    })
}

/// `GET /v1/mgmt/outbound/app/{id}`: `{"app": ...}`.
async fn outbound_load(AxState(app): App, Path(id): Path<String>) -> Reply {
    let state = app.read();
    let a = state
        .outbound_apps
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| outbound_app_not_found(&id))?;
    json(&OutboundOne { app: a })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppIds {
    app_ids: Vec<String>,
}

/// `GET /v1/mgmt/outbound/apps-with-user-token?userId=[&tenantId=]`: a 404 for an unknown
/// user (unverified; the emulator answers as the other user endpoints do).
async fn apps_with_user_token(
    AxState(app): App,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    only_query(&query, &["userId", "tenantId"])?;
    let user_id = q(&query, "userId");
    if user_id.is_empty() {
        return Err(ApiError::missing_argument("userId is required"));
    }
    let state = app.read();
    state
        .find_user_by_id(user_id)
        .ok_or_else(|| ApiError::user_not_found(user_id))?;
    let g = app.grants;
    json(&AppIds {
        app_ids: state.apps_with_user_token(
            user_id,
            q(&query, "tenantId"),
            g.outbound_lists_expired_tokens,
            g.outbound_lookup_untenanted_only,
        ),
    })
}

/// `DELETE /v1/mgmt/outbound/user/tokens?appId=&userId=`: at least one; with one only, every
/// token of the app (all users) or of the user (all apps). With
/// `outbound_token_delete_ignored`, answers the same and deletes nothing; with
/// `outbound_token_delete_untenanted_only`, keeps the tokens tied to a tenant.
async fn user_tokens_delete(
    AxState(app): App,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    only_query(&query, &["appId", "userId"])?;
    let (app_id, user_id) = (q(&query, "appId"), q(&query, "userId"));
    if app_id.is_empty() && user_id.is_empty() {
        return Err(ApiError::missing_argument(
            "either appId or userId must be provided",
        ));
    }
    if !app.grants.outbound_token_delete_ignored {
        app.write().delete_user_tokens(
            app_id,
            user_id,
            app.grants.outbound_token_delete_untenanted_only,
        );
    }
    empty()
}

/// `DELETE /v1/mgmt/outbound/token?id=`: one token; 404 when there is none.
async fn token_delete(AxState(app): App, Query(query): Query<HashMap<String, String>>) -> Reply {
    only_query(&query, &["id"])?;
    let id = q(&query, "id");
    if id.is_empty() {
        return Err(ApiError::missing_argument("id is required"));
    }
    if !app.write().delete_token(id) {
        return Err(ApiError::not_found(
            "E119303",
            "Outbound token not found",
            &format!("outbound token {id:?}"),
        ));
    }
    empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_read_null_as_unset_and_refuse_unknown_fields() {
        let r: SearchConsents = parse(
            br#"{"consentId":"","appId":"TP1","userId":"","page":0,"limit":0,"tenantId":""}"#,
        )
        .unwrap();
        assert_eq!(r.app_id.as_deref(), Some("TP1"));
        let r: DeleteConsents =
            parse(br#"{"consentIds":["C1"],"appId":"","userIds":null,"tenantId":""}"#).unwrap();
        assert_eq!(r.consent_ids.unwrap(), ["C1"]);
        assert_eq!(
            parse::<DeleteConsents>(br#"{"consentId":"C1"}"#)
                .unwrap_err()
                .code,
            "E011003"
        );
        crate::http::wire::tests::each_field_accepts_null::<SearchConsents>();
        crate::http::wire::tests::each_field_accepts_null::<DeleteConsents>();
    }

    #[test]
    fn pages_slice_from_zero() {
        let v = [1, 2, 3, 4, 5];
        assert_eq!(slice(&v, 0, 2), [1, 2]);
        assert_eq!(slice(&v, 2, 2), [5]);
        assert!(slice(&v, 9, 2).is_empty());
        assert!(slice(&v, i64::MAX, usize::MAX).is_empty());
    }
}
