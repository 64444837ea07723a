//! Events (`c1.connector.v2.Event`), as baton's one-shot event feed prints them.

use serde_json::Value;

use super::resources::{annotations, entitlement, grant, resource, resource_id};
use super::values::{Obj, timestamp};
use crate::model::{Entitlement, Event, Resource, event};

/// Renders a `c1.connector.v2.Event`.
///
/// ```
/// use c1_connector_sdk::model::{Event, Resource};
/// let usage = Event::usage("e1", 1_700_000_000, Resource::new("app", "a1", "App"), Resource::new("user", "u1", "Ann"));
/// let json = c1_connector_sdk::protojson::event(&usage);
/// assert_eq!(json["occurredAt"], "2023-11-14T22:13:20Z");
/// assert_eq!(json["usageEvent"]["actorResource"]["displayName"], "Ann");
/// ```
pub fn event(e: &Event) -> Value {
    let kind = match &e.event {
        Some(event::Kind::UsageEvent(u)) => Some((
            "usageEvent",
            Obj::new()
                .val("targetResource", u.target_resource.as_ref().map(resource))
                .val("actorResource", u.actor_resource.as_ref().map(resource)),
        )),
        Some(event::Kind::GrantEvent(g)) => Some((
            "grantEvent",
            Obj::new().val("grant", g.grant.as_ref().map(grant)),
        )),
        Some(event::Kind::RevokeEvent(r)) => Some((
            "revokeEvent",
            access(r.entitlement.as_ref(), r.principal.as_ref()),
        )),
        Some(event::Kind::ResourceChangeEvent(r)) => Some((
            "resourceChangeEvent",
            Obj::new()
                .val("resourceId", r.resource_id.as_ref().map(resource_id))
                .val(
                    "parentResourceId",
                    r.parent_resource_id.as_ref().map(resource_id),
                ),
        )),
        Some(event::Kind::CreateGrantEvent(g)) => Some((
            "createGrantEvent",
            access(g.entitlement.as_ref(), g.principal.as_ref())
                .list("annotations", annotations(&g.annotations)),
        )),
        Some(event::Kind::CreateRevokeEvent(g)) => Some((
            "createRevokeEvent",
            access(g.entitlement.as_ref(), g.principal.as_ref())
                .list("annotations", annotations(&g.annotations)),
        )),
        None => None,
    };
    let mut o = Obj::new()
        .str("id", &e.id)
        .val("occurredAt", e.occurred_at.as_ref().map(timestamp));
    if let Some((key, body)) = kind {
        o = o.val(key, Some(body.done()));
    }
    o.list("annotations", annotations(&e.annotations)).done()
}

/// An entitlement and a principal (what a revoke, create-grant or create-revoke event is about).
fn access(entitlement_of: Option<&Entitlement>, principal: Option<&Resource>) -> Obj {
    Obj::new()
        .val("entitlement", entitlement_of.map(entitlement))
        .val("principal", principal.map(resource))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ResourceId;

    #[test]
    fn events_are_protojson() {
        let usage = Event::usage(
            "e1",
            1_700_000_000,
            Resource::new("app", "a1", "App"),
            Resource::new("user", "u1", "Ann"),
        );
        let v = event(&usage);
        assert_eq!(v["id"], "e1");
        assert_eq!(v["occurredAt"], "2023-11-14T22:13:20Z");
        assert_eq!(
            v["usageEvent"]["targetResource"]["id"],
            json!({"resourceType": "app", "resource": "a1"})
        );
        assert_eq!(v["usageEvent"]["actorResource"]["displayName"], "Ann");
        let change = Event::resource_change(
            "e2",
            5,
            ResourceId::new("user", "u1"),
            Some(ResourceId::new("tenant", "t1")),
        );
        let v = event(&change);
        assert_eq!(
            v["resourceChangeEvent"],
            json!({
                "resourceId": {"resourceType": "user", "resource": "u1"},
                "parentResourceId": {"resourceType": "tenant", "resource": "t1"}
            })
        );
        assert!(v.get("annotations").is_none());
    }

    #[test]
    fn access_events_carry_the_entitlement_and_the_principal() {
        use crate::model::{Entitlement, Resource};
        let role = Resource::new("role", "r1", "Admin");
        let member = Entitlement::assignment(&role, "member");
        let ann = Resource::new("user", "u1", "Ann");
        for (e, key) in [
            (
                Event::create_grant("e3", 7, member.clone(), ann.clone()),
                "createGrantEvent",
            ),
            (
                Event::create_revoke("e4", 7, member.clone(), ann.clone()),
                "createRevokeEvent",
            ),
        ] {
            let v = event(&e);
            assert_eq!(
                v[key],
                json!({
                    "entitlement": crate::protojson::entitlement(&member),
                    "principal": crate::protojson::resource(&ann),
                }),
                "{key}"
            );
            assert_eq!(
                v.as_object().map(|o| o.len()),
                Some(3),
                "id, occurredAt, {key}"
            );
        }
    }
}
