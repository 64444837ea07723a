//! Integration tests of c1-connector-sdk (one binary).

mod accounts;
mod actions;
mod c1z;
mod capabilities;
mod crash;
#[cfg(feature = "crypto")]
mod crypto;
mod deletion;
mod engine;
mod events;
mod fixture;
mod golden;
mod jsonl;
mod operations;
mod props;
mod provision;
mod resume;
mod session;
mod targeted;

use c1_connector_sdk::model::{
    ChildResourceType, Entitlement, Grant, GroupTrait, Resource, ResourceId, ResourceType, Trait,
    UserTrait,
};
use c1_connector_sdk::testing::{FakeConnector, FakeConnectorBuilder};

/// A small org: 5 users, 2 groups (each with members), a `team` child type under groups.
pub(crate) fn org() -> FakeConnectorBuilder {
    let user_t = ResourceType::new("user", "User").with_trait(Trait::User);
    let group_t = ResourceType::new("group", "Group").with_trait(Trait::Group);
    let team_t = ResourceType::new("team", "Team");
    let users: Vec<Resource> = (1..=5)
        .map(|i| {
            Resource::new("user", format!("u{i}"), format!("User {i}"))
                .with_user_trait(UserTrait::new().with_email(format!("u{i}@example.com"), true))
        })
        .collect();
    let groups: Vec<Resource> = (1..=2)
        .map(|i| {
            Resource::new("group", format!("g{i}"), format!("Group {i}"))
                .with_group_trait(GroupTrait::default())
                .with_annotation(&ChildResourceType::new("team"))
        })
        .collect();
    let teams: Vec<Resource> = (1..=3)
        .map(|i| {
            Resource::new("team", format!("t{i}"), format!("Team {i}"))
                .with_parent(ResourceId::new("group", "g1"))
        })
        .collect();
    let members: Vec<Entitlement> = groups
        .iter()
        .map(|g| {
            Entitlement::assignment(g, "member").with_grantable_to(std::slice::from_ref(&user_t))
        })
        .collect();
    let mut grants = Vec::new();
    for (gi, e) in members.iter().enumerate() {
        for u in users.iter().skip(gi) {
            grants.push(Grant::new(e, u.resource_id()));
        }
    }
    FakeConnector::builder()
        .resource_type(user_t)
        .resource_type(group_t)
        .resource_type(team_t)
        .resources(users)
        .resources(groups)
        .resources(teams)
        .entitlement(members[0].clone())
        .entitlement(members[1].clone())
        .grants(grants)
}
