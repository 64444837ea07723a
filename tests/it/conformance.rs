//! ConductorOne's grant/revoke conformance sequence (github-workflows `grant-revoke.sh`) for each
//! grantable kind, under both duplicate modes of the emulator: grant, re-sync and find the grant,
//! grant again (succeeds: already exists), revoke, revoke again (succeeds: already revoked),
//! re-sync and find it gone.

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked};
use descope_c1::testing::{TestResult, connector_for, enc, read, runner, sync_to};
use descope_emulator::{Dataset, DuplicateMode, Emulator, GenSpec};

/// One grantable assignment that a given user does not hold yet.
struct Case {
    kind: &'static str,
    entitlement: String,
    user_id: String,
}

fn cases(data: &Dataset) -> Vec<Case> {
    let users: Vec<_> = data.users.iter().filter(|u| !u.test).collect();
    let project_roles: Vec<_> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .collect();
    let mut out = Vec::new();

    let role = project_roles.first().expect("a project role");
    let u = users
        .iter()
        .find(|u| !u.role_names.contains(&role.name))
        .expect("a user without it");
    out.push(Case {
        kind: "project role",
        entitlement: format!("role:project/{}:assigned", enc(&role.name)),
        user_id: u.user_id.clone(),
    });

    let tenant_role = data
        .roles
        .iter()
        .find(|r| !r.tenant_id.is_empty())
        .expect("a tenant role");
    let u = users
        .iter()
        .find(|u| {
            u.tenant(&tenant_role.tenant_id)
                .is_some_and(|t| !t.role_names.contains(&tenant_role.name))
        })
        .expect("a member of the tenant without the role");
    out.push(Case {
        kind: "tenant-scoped role",
        entitlement: format!(
            "role:tenant/{}/{}:assigned",
            enc(&tenant_role.tenant_id),
            enc(&tenant_role.name)
        ),
        user_id: u.user_id.clone(),
    });

    let (tenant, prole, u) = data
        .tenants
        .iter()
        .find_map(|t| {
            let prole = project_roles.iter().find(|p| {
                !data
                    .roles
                    .iter()
                    .any(|r| r.tenant_id == t.id && r.name == p.name)
            })?;
            let u = users.iter().find(|u| {
                u.tenant(&t.id)
                    .is_some_and(|m| !m.role_names.contains(&prole.name))
            })?;
            Some((t, prole, u))
        })
        .expect("a project role assignable within a tenant");
    out.push(Case {
        kind: "project role within a tenant",
        entitlement: format!(
            "role:tenant/{}/project/{}:assigned",
            enc(&tenant.id),
            enc(&prole.name)
        ),
        user_id: u.user_id.clone(),
    });

    let tenant = &data.tenants[0];
    let u = users
        .iter()
        .find(|u| u.tenant(&tenant.id).is_none())
        .expect("a non-member");
    out.push(Case {
        kind: "tenant membership",
        entitlement: format!("tenant:{}:member", enc(&tenant.id)),
        user_id: u.user_id.clone(),
    });
    out
}

async fn conformance(mode: DuplicateMode) -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 300,
        tenants: 6,
        project_roles: 4,
        tenant_roles: 8,
        seed: 5,
        ..GenSpec::default()
    });
    let emu = Emulator::builder()
        .dataset(data.clone())
        .duplicates(mode)
        .start()
        .await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;

    for case in cases(&data) {
        let principal = enc(&case.user_id);
        let grant_id = format!("{}:user:{principal}", case.entitlement);
        let kind = case.kind;

        let first = runner(&connector, &path)
            .grant(&case.entitlement, "user", &principal)
            .await?;
        assert!(
            !first.contains::<GrantAlreadyExists>(),
            "{kind}: first grant is a real change"
        );
        sync_to(connector.clone(), &path).await?;
        assert!(
            read(&path)?.grants.contains(&grant_id),
            "{kind}: the re-sync shows {grant_id}"
        );

        let again = runner(&connector, &path)
            .grant(&case.entitlement, "user", &principal)
            .await?;
        assert!(
            again.contains::<GrantAlreadyExists>(),
            "{kind}: granting twice succeeds as already-exists"
        );

        let revoked = runner(&connector, &path).revoke(&grant_id).await?;
        assert!(
            !revoked.contains::<GrantAlreadyRevoked>(),
            "{kind}: first revoke is a real change"
        );
        let again = runner(&connector, &path).revoke(&grant_id).await?;
        assert!(
            again.contains::<GrantAlreadyRevoked>(),
            "{kind}: revoking twice succeeds as already-revoked"
        );

        sync_to(connector.clone(), &path).await?;
        assert!(
            !read(&path)?.grants.contains(&grant_id),
            "{kind}: the re-sync no longer shows {grant_id}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_when_descope_ignores_duplicates() -> TestResult {
    conformance(DuplicateMode::Silent).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_when_descope_rejects_duplicates() -> TestResult {
    conformance(DuplicateMode::Error).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_clear_and_change_nothing() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 120,
        tenants: 4,
        project_roles: 3,
        tenant_roles: 4,
        permissions: 3,
        seed: 9,
        ..GenSpec::default()
    });
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;

    // A tenant role for a user outside the tenant: v1 semantics, no silent membership.
    let role = data
        .roles
        .iter()
        .find(|r| !r.tenant_id.is_empty())
        .expect("a tenant role");
    let outsider = data
        .users
        .iter()
        .find(|u| !u.test && u.tenant(&role.tenant_id).is_none())
        .expect("an outsider");
    let entitlement = format!(
        "role:tenant/{}/{}:assigned",
        enc(&role.tenant_id),
        enc(&role.name)
    );
    let err = runner(&connector, &path)
        .grant(&entitlement, "user", &enc(&outsider.user_id))
        .await
        .expect_err("a tenant role needs membership first");
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(
        err.to_string()
            .contains(&format!("tenant:{}:member", enc(&role.tenant_id))),
        "{err}"
    );
    let after = emu.dataset();
    let user = after
        .users
        .iter()
        .find(|u| u.user_id == outsider.user_id)
        .expect("still there");
    assert!(
        user.tenant(&role.tenant_id).is_none(),
        "no membership was added"
    );

    // Permission grants are read-only.
    let permission = &data.permissions[0];
    let granted = format!("permission:{}:granted", enc(&permission.name));
    let err = runner(&connector, &path)
        .grant(
            &granted,
            "role",
            &format!("project/{}", enc(&data.roles[0].name)),
        )
        .await
        .expect_err("permission grants are read-only");
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.to_string().contains("edit"), "{err}");

    // Ids that the sync never produced.
    let err = runner(&connector, &path)
        .grant(
            "role:project/NoSuchRole:assigned",
            "user",
            &enc(&outsider.user_id),
        )
        .await
        .expect_err("unknown entitlement");
    assert_eq!(err.code(), Code::NotFound);
    let err = runner(&connector, &path)
        .revoke("tenant:nope:member:user:nobody")
        .await
        .expect_err("unknown grant");
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}
