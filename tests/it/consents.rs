//! Third-party application consents and outbound application connections, at library level
//! against the emulator: the exact sync contents (with and without
//! `--sync-outbound-connections`), ConductorOne's conformance sequence for each (a grant is
//! refused: Descope cannot create either; revoke, revoke again, re-sync) under both duplicate
//! modes, a scope shared within one consent refused with nothing deleted, a tenant-level
//! consent revoked, and deletes Descope answers 200 to without deleting never reported as
//! revokes.

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::GrantAlreadyRevoked;
use descope_c1::testing::{
    TestResult, connector_for, connector_with, enc, expected, expected_with, read, runner, sync_to,
};
use descope_emulator::{Dataset, DuplicateMode, Emulator};

const LOOKUP: &str = "GET /v1/mgmt/outbound/apps-with-user-token";

/// The demo's consents and tokens this test relies on.
struct Demo {
    /// A user consent holding one scope: (app, user, scope).
    single: (String, String, String),
    /// A user consent holding several scopes: (app, user, one scope, consent id).
    multi: (String, String, String, String),
    /// A tenant-level consent: (app, tenant).
    tenant: (String, String),
    /// A valid token: (app, user).
    token: (String, String),
}

fn demo_cases(data: &Dataset) -> Demo {
    let single = data
        .consents
        .iter()
        .find(|c| !c.user_id.is_empty() && c.scopes.len() == 1)
        .expect("a single-scope consent");
    let multi = data
        .consents
        .iter()
        .find(|c| !c.user_id.is_empty() && c.scopes.len() > 1)
        .expect("a multi-scope consent");
    let tenant = data
        .consents
        .iter()
        .find(|c| c.user_id.is_empty())
        .expect("a tenant-level consent");
    let token = data
        .outbound_tokens
        .iter()
        .find(|t| !t.user_id.is_empty() && t.has_refresh_token)
        .expect("a renewable token");
    Demo {
        single: (
            single.app_id.clone(),
            single.user_id.clone(),
            single.scopes[0].clone(),
        ),
        multi: (
            multi.app_id.clone(),
            multi.user_id.clone(),
            multi.scopes[0].clone(),
            multi.id.clone(),
        ),
        tenant: (tenant.app_id.clone(), tenant.tenant_id.clone()),
        token: (token.app_id.clone(), token.user_id.clone()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_holds_every_consent_and_connection_exactly() -> TestResult {
    let data = Dataset::demo();
    assert!(!data.consents.is_empty() && !data.outbound_tokens.is_empty());
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");

    sync_to(connector_for(&emu)?, &path).await?;
    assert_eq!(emu.counters().endpoint(LOOKUP), 0);
    let got = read(&path)?;
    assert_eq!(got, expected(&data, false));
    assert!(got.grants.iter().any(|g| g.contains(":consent:tenant:")));
    assert!(!got.grants.iter().any(|g| g.starts_with("outbound_app:")));

    let with = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
    let stats = sync_to(with, &path).await?;
    let got = read(&path)?;
    assert_eq!(got, expected_with(&data, false, true));
    assert!(got.grants.iter().any(|g| g.starts_with("outbound_app:")));
    // The expired token without a refresh token is not a connection.
    let expired = data
        .outbound_tokens
        .iter()
        .find(|t| !t.has_refresh_token)
        .expect("an expired token");
    assert!(!got.grants.contains(&format!(
        "outbound_app:{}:connected:user:{}",
        enc(&expired.app_id),
        enc(&expired.user_id)
    )));
    // One lookup per synced user and one per tenant of it (tokens tied to a tenant), no
    // more, and none without the option.
    let lookups = crate::outbound_tenants::lookups_of(&data);
    assert_eq!(emu.counters().endpoint(LOOKUP), lookups);
    assert_eq!(
        stats.connector_counters.get("outbound connection requests"),
        Some(&lookups)
    );
    Ok(())
}

async fn conformance(mode: DuplicateMode) -> TestResult {
    let data = Dataset::demo();
    let cases = demo_cases(&data);
    let emu = Emulator::builder()
        .dataset(data.clone())
        .duplicates(mode)
        .start()
        .await?;
    let connector = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;

    let (app, user, scope) = &cases.single;
    let scope_ent = format!("third_party_app:{}:scope/{}", enc(app), enc(scope));
    let (oapp, ouser) = &cases.token;
    let connected = format!("outbound_app:{}:connected", enc(oapp));
    let (tapp, tenant) = &cases.tenant;
    let tenant_grant = format!(
        "third_party_app:{}:consent:tenant:{}",
        enc(tapp),
        enc(tenant)
    );
    for (entitlement, principal_type, principal) in [
        (&scope_ent, "user", user),
        (&connected, "user", ouser),
        (
            &format!("third_party_app:{}:consent", enc(tapp)),
            "tenant",
            tenant,
        ),
    ] {
        let grant_id = format!("{entitlement}:{principal_type}:{}", enc(principal));
        assert!(read(&path)?.grants.contains(&grant_id), "{grant_id} synced");

        // Descope cannot create a consent or a connection: refused, clearly.
        let err = runner(&connector, &path)
            .grant(entitlement, principal_type, &enc(principal))
            .await
            .expect_err("no grant");
        assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
        assert!(err.to_string().contains("cannot be granted"), "{err}");

        let revoked = runner(&connector, &path).revoke(&grant_id).await?;
        assert!(
            !revoked.contains::<GrantAlreadyRevoked>(),
            "{grant_id}: a real change"
        );
        let again = runner(&connector, &path).revoke(&grant_id).await?;
        assert!(
            again.contains::<GrantAlreadyRevoked>(),
            "{grant_id}: repeat"
        );
        sync_to(connector.clone(), &path).await?;
        assert!(!read(&path)?.grants.contains(&grant_id), "{grant_id} gone");
    }
    // The tenant-level consent's scope grants went with it.
    let tenant_suffix = format!(":tenant:{}", enc(tenant));
    let app_prefix = format!("third_party_app:{}:", enc(tapp));
    assert!(
        !read(&path)?
            .grants
            .iter()
            .any(|g| g.starts_with(&app_prefix) && g.ends_with(&tenant_suffix)),
        "no grant of {tenant_grant}'s consent is left"
    );

    // One scope of a multi-scope consent: refused, nothing deleted; the whole consent: revoked.
    let (app, user, scope, consent_id) = &cases.multi;
    let scope_grant = format!(
        "third_party_app:{}:scope/{}:user:{}",
        enc(app),
        enc(scope),
        enc(user)
    );
    let err = runner(&connector, &path)
        .revoke(&scope_grant)
        .await
        .expect_err("one scope of several");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert!(err.to_string().contains("Nothing was changed"), "{err}");
    assert!(emu.dataset().consents.iter().any(|c| &c.id == consent_id));
    let whole = format!("third_party_app:{}:consent:user:{}", enc(app), enc(user));
    let revoked = runner(&connector, &path).revoke(&whole).await?;
    assert!(!revoked.contains::<GrantAlreadyRevoked>());
    assert!(!emu.dataset().consents.iter().any(|c| &c.id == consent_id));
    sync_to(connector.clone(), &path).await?;
    let after = read(&path)?;
    assert!(
        !after
            .grants
            .iter()
            .any(|g| g.starts_with(&format!("third_party_app:{}:", enc(app)))
                && g.ends_with(&format!(":user:{}", enc(user)))),
        "no grant of the deleted consent is left"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_of_consents_and_connections_when_descope_ignores_duplicates() -> TestResult {
    conformance(DuplicateMode::Silent).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_of_consents_and_connections_when_descope_rejects_duplicates() -> TestResult {
    conformance(DuplicateMode::Error).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_descope_ignores_are_never_reported_as_revokes() -> TestResult {
    let data = Dataset::demo();
    let cases = demo_cases(&data);
    let emu = Emulator::builder()
        .dataset(data.clone())
        .consent_delete_ignored(true)
        .outbound_token_delete_ignored(true)
        .start()
        .await?;
    let connector = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;
    let (app, user, scope) = &cases.single;
    let (oapp, ouser) = &cases.token;
    let (tapp, tenant) = &cases.tenant;
    for grant_id in [
        format!(
            "third_party_app:{}:scope/{}:user:{}",
            enc(app),
            enc(scope),
            enc(user)
        ),
        format!("third_party_app:{}:consent:user:{}", enc(app), enc(user)),
        format!(
            "third_party_app:{}:consent:tenant:{}",
            enc(tapp),
            enc(tenant)
        ),
        format!("outbound_app:{}:connected:user:{}", enc(oapp), enc(ouser)),
    ] {
        let err = runner(&connector, &path)
            .revoke(&grant_id)
            .await
            .expect_err("Descope kept it");
        assert!(err.to_string().contains("NOT revoked"), "{grant_id}: {err}");
    }
    assert_eq!(emu.dataset().consents, data.consents);
    assert_eq!(emu.dataset().outbound_tokens, data.outbound_tokens);
    Ok(())
}

/// Revokes of one consent (the whole consent and one of its scopes) and of one connection
/// (twice) at the same moment, 20 times with 5-20 ms of latency: never over-revoked, never a
/// scope widened to its consent, exactly one real change per object, the user's other consents
/// and tokens untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_revokes_of_one_consent_and_one_connection() -> TestResult {
    let data = Dataset::demo();
    let cases = demo_cases(&data);
    let (app, user, scope, consent_id) = cases.multi.clone();
    let (oapp, ouser) = cases.token.clone();
    for run in 0..20 {
        let emu = Emulator::builder()
            .dataset(data.clone())
            .latency(
                std::time::Duration::from_millis(5),
                std::time::Duration::from_millis(15),
            )
            .start()
            .await?;
        let connector = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sync.c1z");
        sync_to(connector.clone(), &path).await?;
        let whole = format!("third_party_app:{}:consent:user:{}", enc(&app), enc(&user));
        let one = format!(
            "third_party_app:{}:scope/{}:user:{}",
            enc(&app),
            enc(&scope),
            enc(&user)
        );
        let connected = format!("outbound_app:{}:connected:user:{}", enc(&oapp), enc(&ouser));
        let runners: Vec<_> = (0..4).map(|_| runner(&connector, &path)).collect();
        let (r_whole, r_one, r_c1, r_c2) = tokio::join!(
            runners[0].revoke(&whole),
            runners[1].revoke(&one),
            runners[2].revoke(&connected),
            runners[3].revoke(&connected),
        );
        let whole = r_whole?;
        assert!(
            !whole.contains::<GrantAlreadyRevoked>(),
            "run {run}: the consent revoke is real"
        );
        match r_one {
            Ok(a) => assert!(
                a.contains::<GrantAlreadyRevoked>(),
                "run {run}: after the consent"
            ),
            Err(e) => assert_eq!(e.code(), Code::FailedPrecondition, "run {run}: {e}"),
        }
        let real = [r_c1?, r_c2?]
            .iter()
            .filter(|a| !a.contains::<GrantAlreadyRevoked>())
            .count();
        assert_eq!(real, 1, "run {run}: one real connection revoke");
        let now = emu.dataset();
        let expected_consents: Vec<_> = data
            .consents
            .iter()
            .filter(|c| c.id != consent_id)
            .cloned()
            .collect();
        assert_eq!(
            now.consents, expected_consents,
            "run {run}: only that consent"
        );
        let expected_tokens: Vec<_> = data
            .outbound_tokens
            .iter()
            .filter(|t| !(t.app_id == oapp && t.user_id == ouser))
            .cloned()
            .collect();
        assert_eq!(
            now.outbound_tokens, expected_tokens,
            "run {run}: only those tokens"
        );
    }
    Ok(())
}
