//! `--grant-entitlement` and `--revoke-grant`, with ids from a `.c1z` the SDK's engine wrote.

use std::path::Path;
use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    Entitlement, Grant, Resource, ResourceType, RoleTrait, Trait, UserTrait,
};
use c1_connector_sdk::store::C1zWriter;
use c1_connector_sdk::testing::{FakeConnector, FakeOp, Fault};
use tokio_util::sync::CancellationToken;

use super::support::{Program, exec, exec_with};
use crate::program::Purpose;

const MEMBER: &str = "role:admin:member";

fn fake() -> c1_connector_sdk::testing::FakeConnectorBuilder {
    let user_t = ResourceType::new("user", "User").with_trait(Trait::User);
    let role = Resource::new("role", "admin", "Admin").with_role_trait(RoleTrait::default());
    let member =
        Entitlement::assignment(&role, "member").with_grantable_to(std::slice::from_ref(&user_t));
    let u1 = Resource::new("user", "u1", "u1").with_user_trait(UserTrait::new());
    let u2 = Resource::new("user", "u2", "u2").with_user_trait(UserTrait::new());
    FakeConnector::builder()
        .resource_type(user_t)
        .resource_type(ResourceType::new("role", "Role").with_trait(Trait::Role))
        .resources([u1.clone(), u2, role])
        .entitlement(member.clone())
        .grant(Grant::new(&member, u1.resource_id()))
        .provisioning(true)
}

/// Syncs `fake` into `dir/sync.c1z`, where the commands take their ids from.
async fn synced(fake: &FakeConnector, dir: &Path) -> String {
    let path = dir.join("sync.c1z");
    let mut store = C1zWriter::create(&path).expect("a writer");
    Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut store)
        .await
        .expect("a sync");
    path.display().to_string()
}

fn grant_args<'a>(file: &'a str, principal: &'a str) -> Vec<&'a str> {
    vec![
        "--provisioning",
        "--file",
        file,
        "--grant-entitlement",
        MEMBER,
        "--grant-principal-type",
        "user",
        "--grant-principal",
        principal,
    ]
}

#[tokio::test]
async fn grant_and_revoke_say_whether_anything_changed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let fake = fake().build();
    let file = synced(&fake, dir.path()).await;
    let program = Program::new(fake.clone());

    let ran = exec(&program, &grant_args(&file, "u2")).await;
    assert_eq!((ran.code, ran.out.as_str()), (0, ""), "{ran:?}");
    assert_eq!(ran.err, "granted 'role:admin:member' to user 'u2'\n");
    let ran = exec(&program, &grant_args(&file, "u1")).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(
        ran.err,
        "user 'u1' already has 'role:admin:member': nothing changed\n"
    );

    let revoke = ["--provisioning", "--file", &file, "--revoke-grant"];
    let ran = exec(
        &program,
        &[&revoke[..], &["role:admin:member:user:u1"]].concat(),
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.err, "revoked 'role:admin:member:user:u1'\n");
    let ran = exec(
        &program,
        &[&revoke[..], &["role:admin:member:user:u1"]].concat(),
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(
        ran.err,
        "grant 'role:admin:member:user:u1' was already revoked: nothing changed\n"
    );
    assert_eq!(program.connects(), vec![Purpose::Provision; 4]);
    let grants: Vec<String> = fake.current_grants().into_iter().map(|g| g.id).collect();
    assert_eq!(grants, ["role:admin:member:user:u2"]);
}

#[tokio::test]
async fn failures_map_to_the_documented_exit_codes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let fake = fake().build();
    let file = synced(&fake, dir.path()).await;
    let program = Program::new(fake.clone());

    // Not enabled: 5, and nothing is built.
    let ran = exec(&program, &grant_args(&file, "u2")[1..]).await;
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(
        ran.err.contains(
            "provisioning is not enabled: add --provisioning (or BATON_PROVISIONING=true) to change access"
        ),
        "{}",
        ran.err
    );
    assert!(program.connects().is_empty());
    // No such file: 2, before the connector is built.
    let missing = dir.path().join("none.c1z").display().to_string();
    let ran = exec(&program, &grant_args(&missing, "u2")).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains("does not exist: run a sync first"),
        "{}",
        ran.err
    );
    assert!(program.connects().is_empty());
    // A malformed id: 2; an id not in the file: 4.
    let ran = exec(
        &program,
        &["--provisioning", "--file", &file, "--revoke-grant", "x"],
    )
    .await;
    assert_eq!(ran.code, 2, "{ran:?}");
    let ran = exec(&program, &grant_args(&file, "u9")).await;
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(ran.err.contains("sync again"), "{}", ran.err);
    let changes = fake
        .call_log()
        .iter()
        .filter(|l| l.starts_with("grant ") || l.starts_with("revoke "))
        .count();
    assert_eq!(changes, 0, "nothing reached the provisioner");
}

#[tokio::test(start_paused = true)]
async fn a_transient_error_is_retried_and_an_interrupt_is_exit_130() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let fake = fake()
        .fault(Fault::new(FakeOp::Provision, Code::Unavailable).times(2))
        .build();
    let file = synced(&fake, dir.path()).await;
    let program = Program::new(fake.clone());
    let ran = exec(&program, &grant_args(&file, "u2")).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    let attempts = fake
        .call_log()
        .iter()
        .filter(|l| l.starts_with("grant "))
        .count();
    assert_eq!(attempts, 3, "baton's 3 attempts");

    let cancel = CancellationToken::new();
    cancel.cancel();
    let ran = exec_with(&program, &grant_args(&file, "u2"), &cancel, &mut Vec::new()).await;
    assert_eq!(ran.code, 130, "{ran:?}");
}
