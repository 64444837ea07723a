//! JSON Lines output.

use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceType, Trait, UserTrait};
use c1_connector_sdk::store::JsonlWriter;
use c1_connector_sdk::testing::FakeConnector;
use serde_json::Value;

#[tokio::test]
async fn lines_use_protojson_names() {
    let user_t = ResourceType::new("user", "User").with_trait(Trait::User);
    let alice = Resource::new("user", "alice", "Alice").with_user_trait(UserTrait::new());
    let bob = Resource::new("user", "bob", "Bob").with_user_trait(UserTrait::new());
    let ent = Entitlement::assignment(&alice, "manager")
        .with_display_name("Alice's manager")
        .with_grantable_to(std::slice::from_ref(&user_t));
    let grant = Grant::new(&ent, &bob);
    let fake = FakeConnector::builder()
        .resource_type(user_t)
        .resource(alice)
        .resource(bob)
        .entitlement(ent)
        .grant(grant)
        .build();
    let mut out = JsonlWriter::new(Vec::new());
    Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        serde_json::json!({"resourceType":{"id":"user","displayName":"User","traits":["TRAIT_USER"]}})
    );
    assert_eq!(
        lines[1]["resource"]["id"],
        serde_json::json!({"resourceType":"user","resource":"alice"})
    );
    assert_eq!(
        lines[1]["resource"]["annotations"][0]["@type"],
        "type.googleapis.com/c1.connector.v2.UserTrait"
    );
    assert_eq!(
        lines[1]["resource"]["annotations"][0]["accountType"],
        "ACCOUNT_TYPE_HUMAN"
    );
    assert_eq!(
        lines[3]["entitlement"]["purpose"],
        "PURPOSE_VALUE_ASSIGNMENT"
    );
    assert_eq!(lines[3]["entitlement"]["slug"], "manager");
    assert_eq!(
        lines[3]["entitlement"]["grantableTo"][0]["traits"][0],
        "TRAIT_USER"
    );
    assert_eq!(lines[4]["grant"]["id"], "user:alice:manager:user:bob");
    assert_eq!(lines[4]["grant"]["principal"]["id"]["resource"], "bob");
}
