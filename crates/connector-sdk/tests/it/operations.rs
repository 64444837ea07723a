//! The operations layer: one retry policy and one cancellation token for every operation.

use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::connector::resource_id_value;
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    AccountInfo, CreateAccountRequest, DeleteResourceRequest, Entitlement, Event,
    GetActionStatusRequest, Grant, GrantAlreadyExists, InvokeActionRequest, ListEventsRequest,
    Resource, ResourceId, ResourceType,
};
use c1_connector_sdk::ops::Operations;
use c1_connector_sdk::testing::{FAKE_FEED_ID, FakeOp, Fault};
use tokio_util::sync::CancellationToken;

use super::org;

fn member() -> Entitlement {
    Entitlement::assignment(&Resource::new("group", "g2", "Group 2"), "member")
        .with_grantable_to(&[ResourceType::new("user", "User")])
}

fn attempts(log: &[String], prefix: &str) -> usize {
    log.iter().filter(|l| l.starts_with(prefix)).count()
}

#[tokio::test(start_paused = true)]
async fn grant_and_revoke_retry_what_is_retryable_three_attempts_at_most() {
    let user = Resource::new("user", "u1", "User 1");
    // Two transient failures, then success: three attempts.
    let fake = org()
        .provisioning(true)
        .fault(Fault::new(FakeOp::Provision, Code::Unavailable).times(2))
        .build();
    let ops = Operations::new(Arc::new(fake.clone()));
    let annotations = ops.grant(&user, &member()).await.unwrap();
    assert!(!annotations.contains::<GrantAlreadyExists>());
    assert_eq!(attempts(&fake.call_log(), "grant "), 3);

    // Three transient failures: the third attempt's error is the answer.
    let fake = org()
        .provisioning(true)
        .fault(Fault::new(FakeOp::Provision, Code::Unavailable).times(3))
        .build();
    let ops = Operations::new(Arc::new(fake.clone()));
    let e = ops
        .revoke(&Grant::new(&member(), user.resource_id()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert_eq!(attempts(&fake.call_log(), "revoke "), 3);

    // An error the connector marks final, and one that is not transient: one attempt.
    for fault in [
        Fault::new(FakeOp::Provision, Code::Unavailable).retryable(false),
        Fault::new(FakeOp::Provision, Code::PermissionDenied),
    ] {
        let fake = org().provisioning(true).fault(fault).build();
        let ops = Operations::new(Arc::new(fake.clone()));
        assert!(ops.grant(&user, &member()).await.is_err());
        assert_eq!(attempts(&fake.call_log(), "grant "), 1);
    }
}

#[tokio::test]
async fn grant_and_revoke_go_to_the_entitlement_types_provisioner() {
    let user = Resource::new("user", "u1", "User 1");
    let fake = org().provisioning(true).build();
    let ops = Operations::new(Arc::new(fake.clone()));
    let unknown = Entitlement::assignment(&Resource::new("project", "p1", "P"), "member");
    let e = ops.grant(&user, &unknown).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert!(e.message().contains("no resource type \"project\""), "{e}");

    let mut no_entitlement = Grant::new(&member(), user.resource_id());
    no_entitlement.entitlement = None;
    let e = ops.revoke(&no_entitlement).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);

    let e = Operations::new(Arc::new(org().build()))
        .grant(&user, &member())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);

    // Whole objects are handed on as ConductorOne sent them: whether the entitlement is
    // grantable to the principal's type is the connector's to judge (ProvisioningRunner, which
    // looks ids up in a .c1z, checks it first).
    let team = Resource::new("team", "t1", "Team 1");
    ops.grant(&team, &member()).await.unwrap();
    assert_eq!(attempts(&fake.call_log(), "grant "), 1);
}

#[tokio::test(start_paused = true)]
async fn the_other_operations_are_not_retried() {
    let fake = org()
        .accounts("user")
        .fault(Fault::new(FakeOp::CreateAccount, Code::Unavailable))
        .build();
    let ops = Operations::new(Arc::new(fake.clone()));
    let request = CreateAccountRequest {
        account_info: Some(AccountInfo::new("ann")),
        ..Default::default()
    };
    let e = ops.create_account(&request, None).await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert_eq!(attempts(&fake.call_log(), "create_account "), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_token_cuts_every_call_short() {
    let fake = org()
        .provisioning(true)
        .accounts("user")
        .deletion("user")
        .enable_disable_actions("user")
        .events([Event::resource_change(
            "e1",
            5,
            ResourceId::new("user", "u1"),
            None,
        )])
        .delay(Duration::from_secs(3600))
        .build();
    let user = Resource::new("user", "u1", "User 1");
    let cancelled = || {
        let cancel = CancellationToken::new();
        let later = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            later.cancel();
        });
        Operations::new(Arc::new(fake.clone())).with_cancel(cancel)
    };
    let started = tokio::time::Instant::now();
    let mut args = prost_types::Struct::default();
    args.fields.insert(
        "resource_id".into(),
        resource_id_value(&ResourceId::new("user", "u1")),
    );
    let results = [
        cancelled().grant(&user, &member()).await.map(drop),
        cancelled()
            .revoke(&Grant::new(&member(), user.resource_id()))
            .await
            .map(drop),
        cancelled()
            .create_account(
                &CreateAccountRequest {
                    account_info: Some(AccountInfo::new("ann")),
                    ..Default::default()
                },
                None,
            )
            .await
            .map(drop),
        cancelled()
            .delete_resource(&DeleteResourceRequest {
                resource_id: Some(ResourceId::new("user", "u2")),
                parent_resource_id: None,
            })
            .await
            .map(drop),
        cancelled()
            .invoke_action(&InvokeActionRequest {
                name: "disable".into(),
                args: Some(args),
                resource_type_id: "user".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        cancelled()
            .get_action_status(&GetActionStatusRequest {
                id: "a-1".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        cancelled()
            .list_events(&ListEventsRequest {
                event_feed_id: FAKE_FEED_ID.into(),
                ..Default::default()
            })
            .await
            .map(drop),
    ];
    for (i, r) in results.into_iter().enumerate() {
        let e = r.expect_err("cancelled");
        assert_eq!(e.code(), Code::Cancelled, "call {i}: {e}");
    }
    // Seven calls, each cut short after 1 s: none waited for the connector's hour.
    assert!(started.elapsed() < Duration::from_secs(60));
}
