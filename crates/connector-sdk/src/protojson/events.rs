//! Events (`c1.connector.v2.Event`), as baton's one-shot event feed prints them.

use serde_json::Value;

use super::resources::{annotations, entitlement, grant, resource, resource_id};
use super::values::{Obj, timestamp};
use crate::model::{Event, event};

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
    let mut o = Obj::new()
        .str("id", &e.id)
        .val("occurredAt", e.occurred_at.as_ref().map(timestamp));
    o = match &e.event {
        Some(event::Kind::UsageEvent(u)) => o.val(
            "usageEvent",
            Some(
                Obj::new()
                    .val("targetResource", u.target_resource.as_ref().map(resource))
                    .val("actorResource", u.actor_resource.as_ref().map(resource))
                    .done(),
            ),
        ),
        Some(event::Kind::GrantEvent(g)) => o.val(
            "grantEvent",
            Some(Obj::new().val("grant", g.grant.as_ref().map(grant)).done()),
        ),
        Some(event::Kind::RevokeEvent(r)) => o.val(
            "revokeEvent",
            Some(
                Obj::new()
                    .val("entitlement", r.entitlement.as_ref().map(entitlement))
                    .val("principal", r.principal.as_ref().map(resource))
                    .done(),
            ),
        ),
        Some(event::Kind::ResourceChangeEvent(r)) => o.val(
            "resourceChangeEvent",
            Some(
                Obj::new()
                    .val("resourceId", r.resource_id.as_ref().map(resource_id))
                    .val(
                        "parentResourceId",
                        r.parent_resource_id.as_ref().map(resource_id),
                    )
                    .done(),
            ),
        ),
        Some(event::Kind::CreateGrantEvent(g)) => o.val(
            "createGrantEvent",
            Some(
                Obj::new()
                    .val("entitlement", g.entitlement.as_ref().map(entitlement))
                    .val("principal", g.principal.as_ref().map(resource))
                    .list("annotations", annotations(&g.annotations))
                    .done(),
            ),
        ),
        Some(event::Kind::CreateRevokeEvent(g)) => o.val(
            "createRevokeEvent",
            Some(
                Obj::new()
                    .val("entitlement", g.entitlement.as_ref().map(entitlement))
                    .val("principal", g.principal.as_ref().map(resource))
                    .list("annotations", annotations(&g.annotations))
                    .done(),
            ),
        ),
        None => o,
    };
    o.list("annotations", annotations(&e.annotations)).done()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{Resource, ResourceId};

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
}
