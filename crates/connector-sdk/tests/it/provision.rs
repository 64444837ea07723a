//! The one-shot provisioning runner.

use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    Entitlement, Grant, GrantAlreadyExists, GrantAlreadyRevoked, Resource, ResourceType,
};
use c1_connector_sdk::ops::ProvisioningRunner;
use c1_connector_sdk::store::C1zWriter;
use c1_connector_sdk::testing::{FakeOp, Fault};

use super::org;

#[tokio::test(start_paused = true)]
async fn grant_and_revoke_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let fake = org()
        .provisioning(true)
        .fault(Fault::new(FakeOp::Provision, Code::Unavailable))
        .build();
    let mut w = C1zWriter::create(&path).unwrap();
    Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let runner = ProvisioningRunner::new(Arc::new(fake.clone()), &path);

    // g2 holds u2..u5; grant u1 (first attempt hits the injected Unavailable and is retried).
    let a = runner.grant("group:g2:member", "user", "u1").await.unwrap();
    assert!(!a.contains::<GrantAlreadyExists>());
    assert!(
        fake.current_grants()
            .iter()
            .any(|g| g.id == "group:g2:member:user:u1")
    );
    let a = runner.grant("group:g2:member", "user", "u1").await.unwrap();
    assert!(a.contains::<GrantAlreadyExists>());

    let a = runner.revoke("group:g1:member:user:u1").await.unwrap();
    assert!(!a.contains::<GrantAlreadyRevoked>());
    let a = runner.revoke("group:g1:member:user:u1").await.unwrap();
    assert!(a.contains::<GrantAlreadyRevoked>());

    let e = runner
        .grant("group:g9:member", "user", "u1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let e = runner.revoke("group:g1:member:user:u9").await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert!(e.message().contains("sync again"), "{e}");
}

#[tokio::test]
async fn malformed_ids_and_wrong_principal_types_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let fake = org().provisioning(true).build();
    let mut w = C1zWriter::create(&path).unwrap();
    Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let runner = ProvisioningRunner::new(Arc::new(fake.clone()), &path);

    // Malformed: InvalidArgument with the expected shape, never "not found, sync again".
    for bad in ["nope", "group:g1", "group:g1:", ":g1:member"] {
        let e = runner.grant(bad, "user", "u1").await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{bad}: {e}");
        assert!(e.message().contains("malformed"), "{e}");
        assert!(
            e.message().contains("<resource-type>:<resource-id>:<slug>"),
            "{e}"
        );
    }
    for bad in [
        "nope",
        "group:g1:member",
        "group:g1:member:user",
        "group:g1:member:user:",
    ] {
        let e = runner.revoke(bad).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{bad}: {e}");
        assert!(
            e.message()
                .contains("<entitlement-id>:<principal-type>:<principal-id>"),
            "{e}"
        );
    }
    let e = runner.grant("group:g1:member", "", "u1").await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);

    // Well formed but absent: NotFound, sync again.
    let e = runner
        .grant("group:g1:member", "user", "u9")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert!(e.message().contains("sync again"), "{e}");

    // A type the entitlement is not grantable to (group members are users): the types it takes.
    let e = runner
        .grant("group:g1:member", "group", "g2")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument, "{e}");
    assert!(
        e.message().contains("grantable to principals of type user"),
        "{e}"
    );
    assert!(e.message().contains("\"group\""), "{e}");
    // Nothing reached the connector.
    assert!(
        fake.call_log()
            .iter()
            .all(|l| !l.starts_with("grant ") && !l.starts_with("revoke ")),
        "{:?}",
        fake.call_log()
    );
}

#[tokio::test]
async fn objects_given_whole_need_no_file() {
    let fake = org().provisioning(true).build();
    let runner = ProvisioningRunner::without_file(Arc::new(fake.clone()));
    let user = Resource::new("user", "u1", "User 1");
    let team = Resource::new("team", "t1", "Team 1");
    let member = Entitlement::assignment(&Resource::new("group", "g2", "Group 2"), "member")
        .with_grantable_to(&[ResourceType::new("user", "User")]);
    runner.grant_to(&user, &member).await.unwrap();
    assert!(
        fake.current_grants()
            .iter()
            .any(|g| g.id == "group:g2:member:user:u1")
    );
    let e = runner.grant_to(&team, &member).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let a = runner
        .revoke_grant(&Grant::new(&member, user.resource_id()))
        .await
        .unwrap();
    assert!(!a.contains::<GrantAlreadyRevoked>());
    // By-id calls need a file.
    let e = runner.revoke("group:g2:member:user:u1").await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn no_provisioner_is_unimplemented() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let fake = org().build();
    let mut w = C1zWriter::create(&path).unwrap();
    Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let runner = ProvisioningRunner::new(Arc::new(fake), &path);
    let e = runner
        .grant("group:g1:member", "user", "u1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
}
