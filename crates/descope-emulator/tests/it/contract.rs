//! Contract tests: the `descope-mgmt` client against the emulator, for every endpoint both
//! implement. The two were written independently from the same reference document, so a
//! mismatch in a path, a field name, a response shape or an error body fails here. The
//! emulator rejects unknown request fields, so every passing call also shows the client sends
//! only fields the endpoint defines.

use std::collections::HashSet;
use std::time::Duration;

use descope_emulator::{Dataset, Emulator, GenSpec, RateLimit, RateLimits};
use descope_mgmt::{
    AssociatedTenant, Client, CreateRoleRequest, CreateTenantRequest, CreateUserRequest,
    PatchUserRequest, RateLimitConfig, RetryConfig, SearchRolesRequest, SearchTenantsRequest,
    SearchUsersRequest, SecretString, UpdateRoleRequest, UpdateTenantRequest, UpdateUserRequest,
    UserStatus,
};
use futures::TryStreamExt;

use crate::common::TestResult;

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .license_handshake(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn search_and_pagination_agree() -> TestResult {
    let spec = GenSpec {
        users: 730,
        tenants: 6,
        test_users: 4,
        ..GenSpec::default()
    };
    let emu = Emulator::builder()
        .dataset(Dataset::generate(&spec))
        .start()
        .await?;
    let c = client(&emu);
    let data = emu.dataset();
    let expected: Vec<String> = data
        .users
        .iter()
        .filter(|u| !u.test)
        .map(|u| u.user_id.clone())
        .collect();

    let page = c
        .users()
        .search(&SearchUsersRequest::new().limit(50))
        .await?;
    assert_eq!(page.users.len(), 50);
    assert_eq!(page.total, expected.len() as u64);

    // By page, and by offset: every user exactly once, in the emulator's order.
    let by_page: Vec<String> = c
        .users()
        .search_all(SearchUsersRequest::new().limit(64))
        .map_ok(|u| u.user_id)
        .try_collect()
        .await?;
    assert_eq!(by_page, expected);
    let by_offset: Vec<String> = c
        .users()
        .search_all(SearchUsersRequest::new().limit(64).offset(0))
        .map_ok(|u| u.user_id)
        .try_collect()
        .await?;
    assert_eq!(by_offset, expected);

    let tenant = &data.tenants[0].id;
    let page = c
        .users()
        .search(
            &SearchUsersRequest::new()
                .tenant_ids([tenant.clone()])
                .statuses(vec![UserStatus::Enabled, UserStatus::Disabled])
                .limit(1000),
        )
        .await?;
    assert!(!page.users.is_empty());
    for u in &page.users {
        assert!(u.is_member_of(tenant));
        assert!(matches!(
            u.status,
            UserStatus::Enabled | UserStatus::Disabled
        ));
        let m = u
            .user_tenants
            .iter()
            .find(|m| &m.tenant_id == tenant)
            .unwrap();
        assert_eq!(m.tenant_name, data.tenants[0].name);
    }

    let tests = c
        .users()
        .search_test_users(&SearchUsersRequest::new())
        .await?;
    assert_eq!(tests.total, 4);
    assert!(tests.users.iter().all(|u| u.test));
    let metrics = c.metrics();
    assert_eq!(metrics.rate_limited, 0);
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn user_lifecycle_agrees() -> TestResult {
    let emu = Emulator::builder().start().await?;
    let c = client(&emu);
    let data = emu.dataset();
    let (t0, t1) = (&data.tenants[0], &data.tenants[1]);
    let tenant_role = data
        .roles
        .iter()
        .find(|r| r.tenant_id == t0.id)
        .unwrap()
        .name
        .clone();
    let project_role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .unwrap()
        .name
        .clone();

    assert_eq!(c.license_tier().await.as_deref(), Some("tier4"));

    let created = c
        .users()
        .create(
            &CreateUserRequest::new("contract@acme.test")
                .email("contract@acme.test")
                .display_name("Contract Test")
                .user_tenants(vec![AssociatedTenant::new(
                    t0.id.clone(),
                    [tenant_role.clone()],
                )]),
        )
        .await?;
    let id = created.user_id.clone();
    assert_eq!(created.email, "contract@acme.test");
    assert_eq!(
        created.tenant_roles(&t0.id),
        std::slice::from_ref(&tenant_role)
    );
    assert_eq!(created.status, UserStatus::Enabled);
    assert!(created.created_time > 1_600_000_000 && created.created_time < 4_000_000_000);

    assert_eq!(c.users().load("contract@acme.test").await?.user_id, id);
    assert_eq!(c.users().load(&id).await?.user_id, id);
    assert_eq!(
        c.users().load_by_user_id(&id).await?.email,
        "contract@acme.test"
    );
    let many = c
        .users()
        .load_many(&[id.clone(), data.users[0].user_id.clone()])
        .await?;
    assert_eq!(many.len(), 2);

    // Roles: v1 add needs membership, v2 adds it; remove; set.
    let err = c
        .users()
        .add_roles_v1(&id, std::slice::from_ref(&project_role), Some(&t1.id))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let u = c
        .users()
        .add_roles(&id, std::slice::from_ref(&project_role), Some(&t1.id))
        .await?;
    assert!(u.is_member_of(&t1.id));
    assert_eq!(u.tenant_roles(&t1.id), std::slice::from_ref(&project_role));
    let u = c
        .users()
        .add_roles_v1(&id, std::slice::from_ref(&project_role), None)
        .await?;
    assert_eq!(u.role_names, std::slice::from_ref(&project_role));
    let u = c
        .users()
        .remove_roles(&id, std::slice::from_ref(&project_role), Some(&t1.id))
        .await?;
    assert!(u.tenant_roles(&t1.id).is_empty());
    let u = c.users().set_roles(&id, &[], None).await?;
    assert!(u.role_names.is_empty());

    // Tenants; the next search sees the change.
    let u = c.users().remove_tenant(&id, &t1.id).await?;
    assert!(!u.is_member_of(&t1.id));
    let in_t1 = |page: descope_mgmt::UserPage| page.users.iter().any(|u| u.user_id == id);
    let search_t1 = SearchUsersRequest::new()
        .tenant_ids([t1.id.clone()])
        .limit(1000);
    assert!(!in_t1(c.users().search(&search_t1).await?));
    c.users().add_tenant(&id, &t1.id).await?;
    assert!(in_t1(c.users().search(&search_t1).await?));

    // Update (full replacement) and patch (partial).
    let u = c
        .users()
        .update(
            &UpdateUserRequest::new(&id)
                .email("contract@acme.test")
                .given_name("Con")
                .family_name("Tract")
                .user_tenants(vec![AssociatedTenant::new(
                    t0.id.clone(),
                    Vec::<String>::new(),
                )]),
        )
        .await?;
    assert_eq!(u.given_name, "Con");
    assert_eq!(u.name, "", "full replacement clears the display name");
    assert!(!u.is_member_of(&t1.id));
    let u = c
        .users()
        .patch(&PatchUserRequest::new(&id).display_name("Patched"))
        .await?;
    assert_eq!((u.name.as_str(), u.given_name.as_str()), ("Patched", "Con"));

    let u = c
        .users()
        .update_status(&id, descope_mgmt::UserStatusUpdate::Disabled)
        .await?;
    assert_eq!(u.status, UserStatus::Disabled);

    c.users().delete(&id).await?;
    let err = c.users().load(&id).await.unwrap_err();
    assert!(err.is_not_found());
    let api = err.api_error().unwrap();
    assert_eq!((api.status, api.error_code.as_str()), (404, "E112102"));
    assert!(!api.description.is_empty());
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn tenants_roles_permissions_groups_agree() -> TestResult {
    let emu = Emulator::builder().start().await?;
    let c = client(&emu);
    let data = emu.dataset();

    let tenants = c.tenants().all().await?;
    assert_eq!(tenants.len(), data.tenants.len());
    let sub = data.tenants.iter().find(|t| !t.parent.is_empty()).unwrap();
    let loaded = c.tenants().load(&sub.id).await?;
    assert_eq!(
        (loaded.name.as_str(), loaded.parent.as_str()),
        (sub.name.as_str(), sub.parent.as_str())
    );
    assert_eq!(
        loaded.self_provisioning_domains,
        sub.self_provisioning_domains
    );
    assert!(
        c.tenants()
            .load("T2missing")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let new_id = c
        .tenants()
        .create(
            &CreateTenantRequest::new("Contract Co")
                .self_provisioning_domains(["contract.test"])
                .parent(sub.parent.clone()),
        )
        .await?;
    let found = c
        .tenants()
        .search(&SearchTenantsRequest::new().tenant_names(["Contract Co"]))
        .await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, new_id);
    c.tenants()
        .update(&UpdateTenantRequest::new(new_id.clone(), "Contract Inc").disabled(true))
        .await?;
    let t = c.tenants().load(&new_id).await?;
    assert_eq!(t.name, "Contract Inc");
    assert!(t.disabled);
    assert!(
        t.self_provisioning_domains.is_empty(),
        "update is a full override"
    );

    // Permissions and roles, with names unique per scope.
    assert_eq!(c.permissions().all().await?.len(), data.permissions.len());
    c.permissions()
        .create("contract:read", "Read contracts")
        .await?;
    c.permissions()
        .update("contract:read", "contract:view", "View contracts")
        .await?;
    c.roles()
        .create(
            &CreateRoleRequest::new("Contract Viewer")
                .permission_names(["contract:view"])
                .tenant_id(new_id.clone()),
        )
        .await?;
    c.roles()
        .create(&CreateRoleRequest::new("Contract Viewer"))
        .await?;
    let dup = c
        .roles()
        .create(&CreateRoleRequest::new("Contract Viewer"))
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(400));
    let roles = c.roles().all().await?;
    let scoped = roles
        .iter()
        .find(|r| r.name == "Contract Viewer" && r.tenant_id == new_id)
        .unwrap();
    assert!(scoped.is_tenant_role());
    assert_eq!(scoped.permission_names, ["contract:view"]);
    let searched = c
        .roles()
        .search(&SearchRolesRequest::new().tenant_ids([new_id.clone()]))
        .await?;
    assert_eq!(searched.len(), 1);
    c.roles()
        .update(
            &UpdateRoleRequest::new("Contract Viewer", "Contract Reader")
                .tenant_id(new_id.clone())
                .permission_names(["contract:view"]),
        )
        .await?;
    c.roles().delete("Contract Reader", Some(&new_id)).await?;
    c.roles().delete("Contract Viewer", None).await?;
    assert!(
        c.roles()
            .delete("Contract Viewer", None)
            .await
            .unwrap_err()
            .is_not_found()
    );
    c.permissions().delete("contract:view").await?;
    let names: HashSet<String> = c
        .permissions()
        .all()
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert!(!names.contains("contract:view"));
    c.tenants().delete(&new_id, false).await?;
    assert!(c.tenants().load(&new_id).await.unwrap_err().is_not_found());

    // Groups: bare arrays, `loginId` members.
    let g = &data.groups[0];
    let groups = c.groups().all(&g.tenant_id).await?;
    assert!(groups.iter().any(|x| x.id == g.id));
    let with_sso = c.groups().all_for_sso(&g.tenant_id, &g.sso_id).await?;
    assert!(!with_sso.is_empty());
    let m = &g.members[0];
    let mine = c
        .groups()
        .for_members(&g.tenant_id, std::slice::from_ref(&m.login_id), &[])
        .await?;
    assert!(mine.iter().any(|x| x.id == g.id));
    let one = c.groups().members(&g.tenant_id, &g.id).await?;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].members[0].login_id, m.login_id);
    assert_eq!(one[0].members[0].user_id, m.user_id);
    emu.shutdown().await;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn rate_limit_errors_agree() -> TestResult {
    let limits = RateLimits::off().with_user_search_update(Some(RateLimit::new(
        2,
        Duration::from_secs(6),
        Duration::from_secs(6),
    )));
    let emu = Emulator::builder().rate_limits(limits).start().await?;
    let c = Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    let req = SearchUsersRequest::new().limit(1);
    c.users().search(&req).await?;
    c.users().search(&req).await?;
    let err = c.users().search(&req).await.unwrap_err();
    assert!(err.is_rate_limited());
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(6)));
    assert_eq!(err.api_error().unwrap().error_code, "E130429");
    tokio::time::advance(Duration::from_secs(6)).await;
    c.users().search(&req).await?;
    assert_eq!(emu.counters().rate_limited, 1);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn client_retries_through_a_lockout() -> TestResult {
    let limits = RateLimits::off().with_user_search_update(Some(RateLimit::new(
        3,
        Duration::from_secs(6),
        Duration::from_secs(6),
    )));
    let emu = Emulator::builder().rate_limits(limits).start().await?;
    let c = Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .build()?;
    // Ten searches against 3 per 6 s: the client must honour Retry-After and still finish.
    for _ in 0..10 {
        c.users()
            .search(&SearchUsersRequest::new().limit(1))
            .await?;
    }
    assert!(emu.counters().rate_limited > 0);
    assert!(c.metrics().rate_limited > 0);
    Ok(())
}
