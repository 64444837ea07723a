//! What each audit record becomes: usage, resource-change, and grant or revoke events.

use std::collections::HashSet;

use c1_connector_sdk::model::{Entitlement, Event, Resource, ResourceId};
use descope_mgmt::Audit;
use serde_json::Value;

use crate::ids::{RoleRef, permission_resource_id, tenant_resource_id, user_resource_id};
use crate::kinds::{
    ACCESS, ACCESS_KEY_TYPE, APP_TYPE, ASSIGNED, MEMBER, PERMISSION_TYPE, ROLE_TYPE, TENANT_TYPE,
    USER_TYPE,
};

/// The audit actions the feed turns into events: every user, access key, tenant, role and
/// permission action Descope documents (batch actions included), and sign-ins. Descope's audit
/// events page lists no SSO application action; changes to a user's applications come as
/// `UserModified`.
pub(crate) const ACTIONS: &[&str] = &[
    "LoginSucceed",
    "UserCreated",
    "UsersCreated",
    "UserModified",
    "UsersModified",
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

/// Tenant roles the feed knows to be the tenant's own (`(tenant id, role name)`), to tell a
/// tenant role from a project role assigned in a tenant (see `RoleRef`).
pub(crate) type OwnRoles = HashSet<(String, String)>;

fn str_field<'a>(record: &'a Audit, key: &str) -> Option<&'a str> {
    record
        .data
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn first_field<'a>(record: &'a Audit, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| str_field(record, k))
}

fn str_list(record: &Audit, key: &str) -> Vec<String> {
    record
        .data
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.as_str()),
                    // A list of objects naming their user (`[{"userId": ...}]`).
                    Value::Object(o) => o.get("userId").and_then(Value::as_str),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The first of `keys` that holds a non-empty list.
fn first_list(record: &Audit, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| str_list(record, k))
        .find(|l| !l.is_empty())
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

/// Ids `id`, `id#1`, `id#2`... for the events of one record.
fn nth(id: &str, i: usize) -> String {
    if i == 0 {
        id.to_owned()
    } else {
        format!("{id}#{i}")
    }
}

/// The user a record is about: its `userId`, else `data.userId`.
fn user_of(record: &Audit) -> Option<&str> {
    (!record.user_id.is_empty())
        .then_some(record.user_id.as_str())
        .or_else(|| str_field(record, "userId"))
}

/// The users a user action's record names: its user for a single-user action, the listed ids
/// for a batch action (`UsersCreated`, `UsersModified`, `UsersDeleted`); none for other actions
/// or records that name no user.
pub(crate) fn users_named(record: &Audit) -> Vec<String> {
    match record.action.as_str() {
        "UserCreated" | "UserModified" | "UserDeleted" => user_of(record)
            .map(|u| vec![u.to_owned()])
            .unwrap_or_default(),
        "UsersCreated" | "UsersModified" | "UsersDeleted" => {
            first_list(record, &["userIds", "users", "ids"])
        }
        _ => Vec::new(),
    }
}

/// The events of one audit record, `id` naming them (none for actions the feed does not map,
/// or records that do not name their object).
pub(crate) fn events_of(record: &Audit, id: &str, own_roles: &OwnRoles) -> Vec<Event> {
    let id = id.to_owned();
    let action = record.action.as_str();
    let user_id = user_of(record);
    let user_change = |event_id: String, u: &str| {
        change(
            event_id,
            record,
            ResourceId::new(USER_TYPE, user_resource_id(u)),
            None,
        )
    };
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
        "UserCreated" | "UserDeleted" => user_id
            .map(|u| vec![user_change(id, u)])
            .unwrap_or_default(),
        "UserModified" => {
            let Some(u) = user_id else {
                return Vec::new();
            };
            let mut events = vec![user_change(id.clone(), u)];
            events.extend(assignment_events(record, &id, u, own_roles));
            events
        }
        "UsersCreated" | "UsersModified" | "UsersDeleted" => users_named(record)
            .iter()
            .enumerate()
            .map(|(i, u)| user_change(nth(&id, i), u))
            .collect(),
        "TenantCreated" | "TenantModified" | "TenantDeleted" => {
            let tenants: Vec<String> = match first_field(record, &["tenantId", "tenant_id"]) {
                Some(t) => vec![t.to_owned()],
                None => record.tenants.clone(),
            };
            tenants
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    change(
                        nth(&id, i),
                        record,
                        ResourceId::new(TENANT_TYPE, tenant_resource_id(t)),
                        None,
                    )
                })
                .collect()
        }
        "RoleCreated" | "RoleModified" | "RoleDeleted" => {
            let Some(name) = first_field(record, &["roleName", "role_name", "name"]) else {
                return Vec::new();
            };
            let (role, parent) = match first_field(record, &["tenantId", "tenant_id"]) {
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
            // Descope's docs name `permission_id`; permissions are identified by name.
            first_field(
                record,
                &["permissionName", "permission_name", "permission_id", "name"],
            )
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
            first_field(record, &["accessKeyId", "id", "keyId"])
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
        "AccessKeysDeleted" => first_list(record, &["accessKeyIds", "ids", "keyIds"])
            .iter()
            .enumerate()
            .map(|(i, k)| {
                change(
                    nth(&id, i),
                    record,
                    ResourceId::new(ACCESS_KEY_TYPE, user_resource_id(k)),
                    None,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The role-assignment targets a role change names: `data.roleNames` within `data.tenantId`
/// (tenant roles when the tenant owns them, project roles assigned in the tenant otherwise), or
/// at project level without a tenant.
fn role_targets(record: &Audit, own_roles: &OwnRoles) -> Vec<RoleRef> {
    let tenant = first_field(record, &["tenantId", "tenant_id"]);
    str_list(record, "roleNames")
        .into_iter()
        .map(|name| match tenant {
            None => RoleRef::Project { name },
            Some(t) if own_roles.contains(&(t.to_owned(), name.clone())) => RoleRef::TenantScoped {
                tenant_id: t.to_owned(),
                name,
            },
            Some(t) => RoleRef::ProjectInTenant {
                tenant_id: t.to_owned(),
                name,
            },
        })
        .collect()
}

/// `(tenant id, role name)` pairs a record's role change names within a tenant: the feed asks
/// Descope which are the tenant's own roles before mapping it.
pub(crate) fn tenant_roles_named(record: &Audit) -> Vec<(String, String)> {
    let Some(t) = first_field(record, &["tenantId", "tenant_id"]) else {
        return Vec::new();
    };
    if !matches!(
        str_field(record, "operation"),
        Some("roles.add" | "roles.remove")
    ) {
        return Vec::new();
    }
    str_list(record, "roleNames")
        .into_iter()
        .map(|n| (t.to_owned(), n))
        .collect()
}

/// An entitlement the way the sync names it: `<type>:<resource>:<slug>` on a bare resource.
fn entitlement(resource_type: &str, resource: String, slug: &str) -> Entitlement {
    let r = Resource::new(resource_type, resource, "");
    Entitlement::assignment(&r, slug)
}

/// Grant and revoke events for a `UserModified` record that says what it changed: roles added
/// or removed (`roles.add` / `roles.remove` with `roleNames`, in `tenantId` or not), a tenant
/// joined or left (`tenant.add` / `tenant.remove` with `tenantId`), SSO applications added
/// (`ssoApps.add` with `ssoAppIds`), or removed while other applications stay (`ssoApps.remove`
/// when the user's new `ssoAppIds` is not empty: an empty list means every application, so
/// removing the last one grants rather than revokes). Records that only give the new values
/// (`set` operations, updates) give the resource change alone: what was revoked is unknown.
fn assignment_events(record: &Audit, id: &str, user_id: &str, own_roles: &OwnRoles) -> Vec<Event> {
    let display = record
        .login_ids
        .first()
        .map(String::as_str)
        .unwrap_or(user_id);
    let principal = Resource::new(USER_TYPE, user_resource_id(user_id), display);
    let (entitlements, grant): (Vec<Entitlement>, bool) = match str_field(record, "operation") {
        Some(op @ ("roles.add" | "roles.remove")) => (
            role_targets(record, own_roles)
                .iter()
                .map(|r| entitlement(ROLE_TYPE, r.resource_id(), ASSIGNED))
                .collect(),
            op == "roles.add",
        ),
        Some(op @ ("tenant.add" | "tenant.remove")) => (
            first_field(record, &["tenantId"])
                .map(|t| vec![entitlement(TENANT_TYPE, tenant_resource_id(t), MEMBER)])
                .unwrap_or_default(),
            op == "tenant.add",
        ),
        Some("ssoApps.add") => (
            str_list(record, "ssoAppIds")
                .iter()
                .map(|a| entitlement(APP_TYPE, user_resource_id(a), ACCESS))
                .collect(),
            true,
        ),
        Some("ssoApps.remove") => {
            let left = record
                .data
                .get("changes")
                .and_then(|c| c.get("ssoAppIds"))
                .and_then(Value::as_array)
                .map(Vec::len);
            if left.is_some_and(|n| n > 0) {
                (
                    str_list(record, "ssoAppIds")
                        .iter()
                        .map(|a| entitlement(APP_TYPE, user_resource_id(a), ACCESS))
                        .collect(),
                    false,
                )
            } else {
                (Vec::new(), false)
            }
        }
        _ => (Vec::new(), false),
    };
    let kind = if grant { "grant" } else { "revoke" };
    entitlements
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let event_id = format!("{id}#{kind}{i}");
            let event = if grant {
                Event::create_grant(event_id, 0, e, principal.clone())
            } else {
                Event::create_revoke(event_id, 0, e, principal.clone())
            };
            timed(event, record)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use c1_connector_sdk::model::event::Kind;
    use serde_json::json;

    use super::*;

    fn record(action: &str, data: Value) -> Audit {
        let mut a = Audit::default();
        a.id = "A1".into();
        a.action = action.into();
        a.user_id = "U1".into();
        a.occurred = 1_700_000_000_123;
        if let Value::Object(m) = data {
            a.data = m;
        }
        a
    }

    /// `(kind, entitlement id)` of the grant and revoke events.
    fn grants(events: &[Event]) -> Vec<(String, String)> {
        events
            .iter()
            .filter_map(|e| match &e.event {
                Some(Kind::CreateGrantEvent(g)) => Some((
                    "grant".to_owned(),
                    g.entitlement
                        .as_ref()
                        .map(|e| e.id.clone())
                        .unwrap_or_default(),
                )),
                Some(Kind::CreateRevokeEvent(r)) => Some((
                    "revoke".to_owned(),
                    r.entitlement
                        .as_ref()
                        .map(|e| e.id.clone())
                        .unwrap_or_default(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn role_tenant_and_app_changes_are_grants_and_revokes() {
        let own: OwnRoles = [("T1".to_owned(), "Editor".to_owned())].into();
        let cases = [
            (
                json!({"operation": "roles.add", "roleNames": ["Admin"]}),
                vec![("grant", "role:project/Admin:assigned")],
            ),
            (
                json!({"operation": "roles.remove", "roleNames": ["Editor", "Admin"], "tenantId": "T1"}),
                vec![
                    ("revoke", "role:tenant/T1/Editor:assigned"),
                    ("revoke", "role:tenant/T1/project/Admin:assigned"),
                ],
            ),
            (
                json!({"operation": "tenant.add", "tenantId": "T/2"}),
                vec![("grant", "tenant:T%2F2:member")],
            ),
            (
                json!({"operation": "tenant.remove", "tenantId": "T1"}),
                vec![("revoke", "tenant:T1:member")],
            ),
            (
                json!({"operation": "ssoApps.add", "ssoAppIds": ["A1"]}),
                vec![("grant", "app:A1:access")],
            ),
            (
                json!({"operation": "ssoApps.remove", "ssoAppIds": ["A1"], "changes": {"ssoAppIds": ["A2"]}}),
                vec![("revoke", "app:A1:access")],
            ),
            // The last app removed: every app, not a revoke.
            (
                json!({"operation": "ssoApps.remove", "ssoAppIds": ["A1"], "changes": {"ssoAppIds": []}}),
                vec![],
            ),
            // New values only: what was revoked is unknown.
            (
                json!({"operation": "roles.set", "roleNames": ["Admin"]}),
                vec![],
            ),
            (json!({"operation": "update"}), vec![]),
        ];
        for (data, want) in cases {
            let events = events_of(&record("UserModified", data.clone()), "A1", &own);
            let want: Vec<(String, String)> = want
                .into_iter()
                .map(|(k, e)| (k.to_owned(), e.to_owned()))
                .collect();
            assert_eq!(grants(&events), want, "{data}");
            // The user's resource change always comes first.
            assert!(matches!(
                events[0].event,
                Some(Kind::ResourceChangeEvent(_))
            ));
            let ids: HashSet<&String> = events.iter().map(|e| &e.id).collect();
            assert_eq!(ids.len(), events.len(), "unique event ids");
        }
    }

    #[test]
    fn batch_actions_give_an_event_per_object() {
        let own = OwnRoles::new();
        for action in ["UsersCreated", "UsersModified", "UsersDeleted"] {
            let e = events_of(
                &record(action, json!({"userIds": ["U1", "U2"]})),
                "A1",
                &own,
            );
            assert_eq!(e.len(), 2, "{action}");
            assert_eq!((e[0].id.as_str(), e[1].id.as_str()), ("A1", "A1#1"));
        }
        let e = events_of(
            &record("UsersCreated", json!({"users": [{"userId": "U7"}]})),
            "A1",
            &own,
        );
        assert_eq!(e.len(), 1);
        let e = events_of(
            &record(
                "AccessKeysDeleted",
                json!({"accessKeyIds": ["K1", "K2", "K3"]}),
            ),
            "A1",
            &own,
        );
        assert_eq!(e.len(), 3);
        let e = events_of(
            &record("PermissionDeleted", json!({"permission_id": "read"})),
            "A1",
            &own,
        );
        assert_eq!(e.len(), 1);
        // Every action the feed asks for maps to something given its fields.
        for action in ACTIONS {
            let data = json!({"userIds": ["U1"], "tenantId": "T1", "roleName": "R",
                "permissionName": "P", "accessKeyId": "K1", "accessKeyIds": ["K1"]});
            assert!(
                !events_of(&record(action, data), "A1", &own).is_empty(),
                "{action}"
            );
        }
    }
}
