//! The one-shot provisioning runner.

use std::sync::Arc;

use c1_connector_sdk::Code;
use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked};
use c1_connector_sdk::provision::ProvisioningRunner;
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
    let e = runner.revoke("nope").await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
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
