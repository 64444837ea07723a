//! The event feed: Descope's audit log as baton events.
//!
//! One feed (baton's default feed id, so `--event-feed` needs no id) lists, oldest first:
//! - **usage** events for sign-ins (`LoginSucceed`): the user is the actor; the target is the
//!   SSO application the audit record names, else the tenant the user signed in to, else the
//!   user itself (a sign-in to the project);
//! - **resource change** events for users, tenants, roles, permissions and access keys
//!   created, modified or deleted (`UserCreated`, `UserModified`, `UserDeleted`,
//!   `UsersDeleted`, `TenantCreated`, ..., `AccessKeyDeleted`), naming the resource the sync
//!   would name, so ConductorOne re-fetches it.
//!
//! # Paging and the cursor
//!
//! `POST /v1/mgmt/audit/search` answers newest first, 1,000 records a page, over a `from`/`to`
//! window, and keeps 30 days. Each call pins the window (`from` just before the cursor, `to`
//! now), so the pages of the window do not move while it is read, and takes the oldest records
//! from the window's last pages: usually two requests a call (one when the window fits one page),
//! within the client's rate limiter (Descope allows 10 audit searches a minute).
//!
//! The cursor is `{"t": <ms>, "ids": [...]}`: every record older than `t` was delivered, and so
//! were the records at exactly `t` whose ids are listed. So a listing resumed from any cursor
//! delivers each record once, with no gap, whether or not records arrived in between, and
//! whether Descope's `from` is inclusive or exclusive (the window starts 1 ms before `t`). A
//! cursor older than Descope's 30 days resumes at the oldest record Descope still has; the
//! records in between are gone from Descope and are reported as such in the log.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use c1_connector_sdk::events::{
    EventFeed, EventPage, EventProvider, EventsRequest, LEGACY_FEED_ID,
};
use c1_connector_sdk::model::{Event, EventFeedMetadata, EventType};
use c1_connector_sdk::{Error, Resource, ResourceId};
use descope_mgmt::{Audit, Client, MAX_AUDIT_PAGE_SIZE, SearchAuditRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{RoleRef, permission_resource_id, tenant_resource_id, user_resource_id};
use crate::{ACCESS_KEY_TYPE, APP_TYPE, PERMISSION_TYPE, ROLE_TYPE, TENANT_TYPE, USER_TYPE};

/// The audit actions the feed turns into events.
pub(crate) const ACTIONS: &[&str] = &[
    "LoginSucceed",
    "UserCreated",
    "UserModified",
    "UserDeleted",
    "UsersDeleted",
    "TenantCreated",
    "TenantModified",
    "TenantDeleted",
    "RoleCreated",
    "RoleModified",
    "RoleDeleted",
    "PermissionCreated",
    "PermissionModified",
    "PermissionDeleted",
    "AccessKeyCreated",
    "AccessKeyModified",
    "AccessKeyDeleted",
    "AccessKeysDeleted",
];

/// How far back Descope keeps audit records.
const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// Kept off the retention edge, so a window never starts where Descope refuses it.
const RETENTION_MARGIN_MS: i64 = 60 * 1000;
/// Events a page when the request does not say.
const DEFAULT_PAGE: usize = 100;

/// Where a listing resumes (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    /// Epoch milliseconds.
    t: i64,
    /// Ids of the records at exactly `t` already delivered.
    ids: BTreeSet<String>,
}

impl Cursor {
    fn parse(s: &str) -> Result<Cursor, Error> {
        serde_json::from_str(s).map_err(|_| {
            Error::invalid_argument(format!(
                "'{s}' is not a Descope event feed cursor; start again without one (or with a start time)"
            ))
        })
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether `record` comes after this cursor.
    fn is_new(&self, record: &Audit) -> bool {
        record.occurred > self.t || (record.occurred == self.t && !self.ids.contains(&record.id))
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// The audit feed.
#[derive(Debug, Clone)]
pub(crate) struct AuditFeed {
    client: Client,
}

impl AuditFeed {
    pub(crate) fn new(client: Client) -> Self {
        AuditFeed { client }
    }

    async fn search(&self, req: &SearchAuditRequest) -> Result<descope_mgmt::AuditPage, Error> {
        self.client
            .audit()
            .search(req)
            .await
            .map_err(|e| crate::error::from_descope("searching the audit log", e))
    }

    /// The oldest records of the window after `cursor`, oldest first, and whether the window
    /// holds more after them.
    async fn oldest_after(
        &self,
        cursor: &Cursor,
        to: i64,
        want: usize,
    ) -> Result<(Vec<Audit>, bool), Error> {
        let size = MAX_AUDIT_PAGE_SIZE;
        let base = SearchAuditRequest::new()
            .actions(ACTIONS.iter().copied())
            .from(cursor.t.saturating_sub(1))
            .to(to)
            .size(size);
        let first = self.search(&base.clone().page(0)).await?;
        let total = usize::try_from(first.total).unwrap_or(usize::MAX);
        let pages = total.max(first.audits.len()).div_ceil(size as usize).max(1);
        let mut first = Some(first.audits);
        // From the oldest page towards the newest until one holds records after the cursor.
        let mut page = pages - 1;
        loop {
            let audits = if page == 0 {
                first.take().unwrap_or_default()
            } else {
                self.search(&base.clone().page(page as u32)).await?.audits
            };
            let mut new: Vec<Audit> = audits.into_iter().filter(|a| cursor.is_new(a)).collect();
            if !new.is_empty() || page == 0 {
                new.sort_by(|a, b| (a.occurred, &a.id).cmp(&(b.occurred, &b.id)));
                let more_pages = page > 0;
                let more_here = new.len() > want;
                new.truncate(want);
                return Ok((new, more_pages || more_here));
            }
            page -= 1;
        }
    }
}

#[async_trait]
impl EventFeed for AuditFeed {
    fn metadata(&self) -> EventFeedMetadata {
        EventFeedMetadata::new(
            LEGACY_FEED_ID,
            [EventType::Usage, EventType::ResourceChange],
        )
    }

    async fn list_events(&self, request: &EventsRequest) -> Result<EventPage, Error> {
        let now = now_ms();
        let oldest = now - RETENTION_MS + RETENTION_MARGIN_MS;
        let mut cursor = if request.cursor.is_empty() {
            let start = request
                .start_at
                .as_ref()
                .map(|t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
                .unwrap_or(oldest);
            Cursor {
                t: start,
                ids: BTreeSet::new(),
            }
        } else {
            Cursor::parse(&request.cursor)?
        };
        if cursor.t < oldest {
            if !request.cursor.is_empty() {
                tracing::warn!(
                    cursor_ms = cursor.t,
                    "the event feed's cursor is older than Descope's 30 days of audit: the records in between are no longer available"
                );
            }
            cursor = Cursor {
                t: oldest,
                ids: BTreeSet::new(),
            };
        }
        let want = match request.page_size {
            0 => DEFAULT_PAGE,
            n => n as usize,
        };
        let (records, has_more) = self.oldest_after(&cursor, now, want).await?;
        let mut events = Vec::new();
        for record in &records {
            events.extend(events_of(record));
            if record.occurred != cursor.t {
                cursor.t = record.occurred;
                cursor.ids.clear();
            }
            cursor.ids.insert(record.id.clone());
        }
        Ok(EventPage::new(events, cursor.encode(), has_more))
    }
}

impl EventProvider for crate::DescopeConnector {
    fn event_feeds(&self) -> Vec<Arc<dyn EventFeed>> {
        vec![Arc::new(AuditFeed::new(self.client().clone()))]
    }
}

fn str_field<'a>(record: &'a Audit, key: &str) -> Option<&'a str> {
    record
        .data
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn str_list(record: &Audit, key: &str) -> Vec<String> {
    record
        .data
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// An event with the record's time to the millisecond.
fn timed(mut event: Event, record: &Audit) -> Event {
    event.occurred_at = Some(prost_types::Timestamp {
        seconds: record.occurred.div_euclid(1000),
        nanos: (record.occurred.rem_euclid(1000) * 1_000_000) as i32,
    });
    event
}

fn change(id: String, record: &Audit, resource: ResourceId, parent: Option<ResourceId>) -> Event {
    timed(Event::resource_change(id, 0, resource, parent), record)
}

/// The events of one audit record (none for actions the feed does not map, or records that do
/// not name their object).
pub(crate) fn events_of(record: &Audit) -> Vec<Event> {
    let id = record.id.clone();
    let action = record.action.as_str();
    let user_id = (!record.user_id.is_empty())
        .then_some(record.user_id.as_str())
        .or_else(|| str_field(record, "userId"));
    match action {
        "LoginSucceed" => {
            let Some(user_id) = user_id else {
                return Vec::new();
            };
            let display = record
                .login_ids
                .first()
                .map(String::as_str)
                .unwrap_or(user_id);
            let actor = Resource::new(USER_TYPE, user_resource_id(user_id), display);
            let app = str_field(record, "ssoAppId").or_else(|| str_field(record, "appId"));
            let target = match (app, record.tenants.first()) {
                (Some(app), _) => Resource::new(APP_TYPE, user_resource_id(app), app),
                (None, Some(tenant)) => {
                    Resource::new(TENANT_TYPE, tenant_resource_id(tenant), tenant.as_str())
                }
                (None, None) => actor.clone(),
            };
            vec![timed(Event::usage(id, 0, target, actor), record)]
        }
        "UserCreated" | "UserModified" | "UserDeleted" => user_id
            .map(|u| {
                vec![change(
                    id,
                    record,
                    ResourceId::new(USER_TYPE, user_resource_id(u)),
                    None,
                )]
            })
            .unwrap_or_default(),
        "UsersDeleted" => str_list(record, "userIds")
            .iter()
            .enumerate()
            .map(|(i, u)| {
                change(
                    format!("{id}#{i}"),
                    record,
                    ResourceId::new(USER_TYPE, user_resource_id(u)),
                    None,
                )
            })
            .collect(),
        "TenantCreated" | "TenantModified" | "TenantDeleted" => {
            let tenants: Vec<String> = match str_field(record, "tenantId") {
                Some(t) => vec![t.to_owned()],
                None => record.tenants.clone(),
            };
            tenants
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let event_id = if i == 0 {
                        id.clone()
                    } else {
                        format!("{id}#{i}")
                    };
                    change(
                        event_id,
                        record,
                        ResourceId::new(TENANT_TYPE, tenant_resource_id(t)),
                        None,
                    )
                })
                .collect()
        }
        "RoleCreated" | "RoleModified" | "RoleDeleted" => {
            let Some(name) = str_field(record, "roleName") else {
                return Vec::new();
            };
            let (role, parent) = match str_field(record, "tenantId") {
                None => (
                    RoleRef::Project {
                        name: name.to_owned(),
                    },
                    None,
                ),
                Some(t) => (
                    RoleRef::TenantScoped {
                        tenant_id: t.to_owned(),
                        name: name.to_owned(),
                    },
                    Some(ResourceId::new(TENANT_TYPE, tenant_resource_id(t))),
                ),
            };
            vec![change(
                id,
                record,
                ResourceId::new(ROLE_TYPE, role.resource_id()),
                parent,
            )]
        }
        "PermissionCreated" | "PermissionModified" | "PermissionDeleted" => {
            str_field(record, "permissionName")
                .map(|p| {
                    vec![change(
                        id,
                        record,
                        ResourceId::new(PERMISSION_TYPE, permission_resource_id(p)),
                        None,
                    )]
                })
                .unwrap_or_default()
        }
        "AccessKeyCreated" | "AccessKeyModified" | "AccessKeyDeleted" => {
            str_field(record, "accessKeyId")
                .map(|k| {
                    vec![change(
                        id,
                        record,
                        ResourceId::new(ACCESS_KEY_TYPE, user_resource_id(k)),
                        None,
                    )]
                })
                .unwrap_or_default()
        }
        "AccessKeysDeleted" => {
            let mut keys = str_list(record, "accessKeyIds");
            if keys.is_empty() {
                keys = str_list(record, "ids");
            }
            keys.iter()
                .enumerate()
                .map(|(i, k)| {
                    change(
                        format!("{id}#{i}"),
                        record,
                        ResourceId::new(ACCESS_KEY_TYPE, user_resource_id(k)),
                        None,
                    )
                })
                .collect()
        }
        _ => Vec::new(),
    }
}
