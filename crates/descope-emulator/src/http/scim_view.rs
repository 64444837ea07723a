//! SCIM responses and list queries: the error body, list pages, users and groups as SCIM
//! shows them, and the `filter`/`startIndex`/`count` of lists.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

use super::scim_wire::{Filter, GROUP_SCHEMA, USER_SCHEMA, parse_filter};
use crate::error::ApiError;
use crate::records::{GroupRecord, UserRecord, UserStatus};
use crate::state::State;

/// The most resources one list page returns (`filter.maxResults` of the service provider
/// configuration), and the page size when `count` is absent.
pub(crate) const MAX_RESULTS: usize = 100;

const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

pub(crate) type Reply = Result<Response, ScimError>;

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

pub(crate) fn scim_json(status: StatusCode, v: &Value, location: Option<&str>) -> Reply {
    let body = serde_json::to_vec(v).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut resp = (status, [(header::CONTENT_TYPE, scim_type())], body).into_response();
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

pub(crate) fn no_content() -> Reply {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `http://<Host>/scim/v2`, for `meta.location` and `Location`.
pub(crate) fn base(headers: &HeaderMap) -> String {
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
pub(crate) type Values = Option<(Vec<String>, bool)>;

/// [`Values`] of a user attribute.
pub(crate) fn user_values(u: &UserRecord, attr: &str) -> Values {
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
pub(crate) fn group_values(g: &GroupRecord, attr: &str) -> Values {
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
pub(crate) fn matches<T>(filter: &Filter, r: &T, values: fn(&T, &str) -> Values) -> bool {
    filter.0.iter().any(|and| {
        and.iter()
            .all(|t| values(r, &t.attr).is_some_and(|(have, exact)| t.holds(&have, exact)))
    })
}

fn active(u: &UserRecord) -> bool {
    matches!(u.status, UserStatus::Enabled | UserStatus::Invited)
}

/// `filter`, `startIndex`, `count` and `excludedAttributes` of a list.
pub(crate) struct ListQuery {
    pub(crate) filter: Option<Filter>,
    pub(crate) start: usize,
    pub(crate) count: usize,
    pub(crate) excluded: Vec<String>,
}

pub(crate) fn list_query(
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

pub(crate) fn list_response(total: usize, start: usize, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// A user as SCIM shows it.
pub(crate) fn user_json(
    state: &State,
    tenant: &str,
    u: &UserRecord,
    base: &str,
    groups: bool,
) -> Value {
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

pub(crate) fn group_json(g: &GroupRecord, base: &str, members: bool) -> Value {
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
