//! Contract tests of third-party applications and consents, outbound applications and users'
//! connections, logout, second-factor removal and access key secrets: the `descope-mgmt`
//! client against the emulator, under every knob for a reading the SDKs leave open.

use descope_emulator::{Dataset, Emulator, EmulatorBuilder, GenSpec};
use descope_mgmt::{Client, CreateAccessKeyRequest, Error, SearchConsentsRequest, SecretString};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::common::TestResult;

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

fn generated() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 400,
        third_party_apps: 3,
        outbound_apps: 3,
        ..GenSpec::default()
    })
}

async fn start(b: EmulatorBuilder) -> Result<(Emulator, Client), std::io::Error> {
    let emu = b.start().await?;
    let c = client(&emu);
    Ok((emu, c))
}

#[tokio::test]
async fn third_party_apps_and_every_consent_are_listed_under_every_paging_reading() -> TestResult {
    let data = generated();
    let mut want: Vec<String> = data.consents.iter().map(|c| c.id.clone()).collect();
    want.sort();
    assert!(want.len() > 30, "{}", want.len());
    for b in [
        Emulator::builder(),
        // Pages silently capped below what is asked for, and answers without a total.
        Emulator::builder().consent_search_max_limit(Some(7)),
        Emulator::builder().consent_search_without_total(true),
        Emulator::builder()
            .consent_search_max_limit(Some(9))
            .consent_search_without_total(true),
        // The GET listing of applications answers one page only.
        Emulator::builder().third_party_apps_get_page(Some(1)),
    ] {
        let (emu, c) = start(b.dataset(data.clone())).await?;
        let apps = c.third_party_apps().all().await?;
        assert_eq!(
            apps.iter().map(|a| &a.id).collect::<Vec<_>>(),
            data.third_party_apps
                .iter()
                .map(|a| &a.id)
                .collect::<Vec<_>>()
        );
        assert_eq!(apps[0].permissions_scopes.len(), 2);
        assert_eq!(apps[0].attributes_scopes[0].name, "email");
        let one = c.third_party_apps().load(&apps[1].id).await?;
        assert_eq!(one, apps[1]);

        let mut got: Vec<String> = c
            .third_party_apps()
            .search_all_consents(SearchConsentsRequest::new().limit(20))
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        got.sort();
        assert_eq!(got, want);

        // Filters: one app's consents, one user's.
        let first = &data.consents[0];
        let by_app = c
            .third_party_apps()
            .search_all_consents(SearchConsentsRequest::new().app_id(&first.app_id))
            .await?;
        assert!(by_app.iter().all(|x| x.app_id == first.app_id));
        assert_eq!(
            by_app.len(),
            data.consents
                .iter()
                .filter(|x| x.app_id == first.app_id)
                .count()
        );
        let mine = c
            .third_party_apps()
            .search_consents(&SearchConsentsRequest::new().user_id(&first.user_id))
            .await?;
        assert!(mine.consents.iter().any(|x| x.id == first.id));
        assert_eq!(mine.consents[0].granted_by, first.granted_by);
        emu.shutdown().await;
    }
    Ok(())
}

#[tokio::test]
async fn a_consent_delete_is_confirmed_by_a_fresh_search_or_seen_to_be_ignored() -> TestResult {
    let demo = Dataset::demo();
    let user = demo
        .consents
        .iter()
        .find(|c| !c.user_id.is_empty())
        .ok_or("a user consent")?
        .clone();
    let tenant_level = demo
        .consents
        .iter()
        .find(|c| c.user_id.is_empty())
        .ok_or("a tenant-level consent")?
        .clone();
    let by_id = |id: &str| SearchConsentsRequest::new().consent_id(id);

    let (emu, c) = start(Emulator::builder()).await?;
    let apps = c.third_party_apps();
    apps.delete_consents(std::slice::from_ref(&user.id)).await?;
    assert!(
        apps.search_consents(&by_id(&user.id))
            .await?
            .consents
            .is_empty()
    );
    // A repeat deletes nothing and still answers 200.
    apps.delete_consents(std::slice::from_ref(&user.id)).await?;
    // Tenant-level consents are not deleted by `consents/delete` (go-sdk's doc).
    apps.delete_consents(std::slice::from_ref(&tenant_level.id))
        .await?;
    assert_eq!(
        apps.search_consents(&by_id(&tenant_level.id))
            .await?
            .consents
            .len(),
        1
    );
    let audit = emu.dataset().audit;
    let deleted: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "ThirdPartyConsentsDeleted")
        .collect();
    assert_eq!(deleted.len(), 1, "one record for the one consent deleted");
    assert_eq!(deleted[0].data["consentIds"], json!([user.id]));
    emu.shutdown().await;

    // The knob: 200 and the consent remains, which only the fresh search shows.
    let (emu, c) = start(Emulator::builder().consent_delete_ignored(true)).await?;
    c.third_party_apps()
        .delete_consents(std::slice::from_ref(&user.id))
        .await?;
    let left = c
        .third_party_apps()
        .search_consents(&by_id(&user.id))
        .await?;
    assert_eq!(left.consents.len(), 1);
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn outbound_connections_follow_tokens_tenants_and_deletes() -> TestResult {
    let demo = Dataset::demo();
    let u0 = demo.users[0].user_id.clone();
    let u1 = demo.users[1].user_id.clone();
    let u6 = demo.users[6].user_id.clone();
    let (drive, slack) = (
        demo.outbound_apps[0].id.clone(),
        demo.outbound_apps[1].id.clone(),
    );
    let u1_tenant = demo.users[1].user_tenants[0].tenant_id.clone();

    let (emu, c) = start(Emulator::builder()).await?;
    let ob = c.outbound_apps();
    let apps = ob.all().await?;
    assert_eq!(apps.len(), 2);
    assert_eq!(ob.load(&slack).await?.name, "Slack");
    assert!(ob.load("OA2nope").await.unwrap_err().is_not_found());
    assert_eq!(
        ob.apps_with_user_token(&u0, None).await?,
        [drive.clone(), slack.clone()]
    );
    // u1's token is tied to its tenant: listed without a tenant and with that tenant.
    assert_eq!(
        ob.apps_with_user_token(&u1, None).await?,
        std::slice::from_ref(&slack)
    );
    assert_eq!(
        ob.apps_with_user_token(&u1, Some(&u1_tenant)).await?,
        std::slice::from_ref(&slack)
    );
    assert!(
        ob.apps_with_user_token(&u0, Some(&u1_tenant))
            .await?
            .is_empty()
    );
    // u6's token expired and cannot be renewed: not "valid".
    assert!(ob.apps_with_user_token(&u6, None).await?.is_empty());
    assert!(
        ob.apps_with_user_token("U2nope", None)
            .await
            .unwrap_err()
            .is_not_found()
    );

    ob.delete_user_tokens(&drive, &u0).await?;
    assert_eq!(
        ob.apps_with_user_token(&u0, None).await?,
        std::slice::from_ref(&slack)
    );
    ob.delete_user_tokens(&drive, &u0).await?;
    emu.shutdown().await;

    // The readings left open.
    let (emu, c) = start(
        Emulator::builder()
            .outbound_lists_expired_tokens(true)
            .outbound_lookup_untenanted_only(true)
            .outbound_token_delete_ignored(true),
    )
    .await?;
    let ob = c.outbound_apps();
    assert_eq!(
        ob.apps_with_user_token(&u6, None).await?,
        std::slice::from_ref(&drive)
    );
    assert!(ob.apps_with_user_token(&u1, None).await?.is_empty());
    ob.delete_user_tokens(&drive, &u0).await?;
    assert_eq!(
        ob.apps_with_user_token(&u0, None).await?,
        [drive.clone(), slack.clone()]
    );
    emu.shutdown().await;

    // A delete that keeps the tokens tied to a tenant: u1's stays, u0's untenanted one goes.
    let (emu, c) = start(Emulator::builder().outbound_token_delete_untenanted_only(true)).await?;
    let ob = c.outbound_apps();
    ob.delete_user_tokens(&slack, &u1).await?;
    assert_eq!(
        ob.apps_with_user_token(&u1, Some(&u1_tenant)).await?,
        std::slice::from_ref(&slack)
    );
    ob.delete_user_tokens(&slack, &u0).await?;
    assert_eq!(ob.apps_with_user_token(&u0, None).await?, [drive]);
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn logout_is_recorded_and_second_factors_removal_shows_on_the_user() -> TestResult {
    let mut data = Dataset::demo();
    data.users[2].totp = true;
    data.users[2].webauthn = true;
    let u = data.users[2].clone();
    let (emu, c) = start(Emulator::builder().dataset(data)).await?;
    let users = c.users();

    users.logout_by_user_id(&u.user_id).await?;
    users.logout(&u.login_ids[0]).await?;
    let logouts = emu.logouts();
    assert_eq!(logouts.len(), 2);
    assert!(logouts.iter().all(|l| l.user_id == u.user_id));
    assert!(
        users
            .logout("nobody@example.com")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let passkeys = users.list_passkeys(&u.login_ids[0]).await?;
    assert_eq!(passkeys.len(), 1);
    users.remove_totp_seed(&u.login_ids[0]).await?;
    users.remove_all_passkeys(&u.login_ids[0]).await?;
    users.remove_recovery_codes(&u.user_id).await?;
    let after = users.load_by_user_id(&u.user_id).await?;
    assert!(!after.totp && !after.webauthn);
    assert!(users.list_passkeys(&u.login_ids[0]).await?.is_empty());
    // Idempotent: a repeat succeeds and changes nothing.
    users.remove_totp_seed(&u.login_ids[0]).await?;
    assert!(
        users
            .remove_passkey(&u.login_ids[0], &passkeys[0].id)
            .await
            .unwrap_err()
            .is_not_found()
    );

    let user = users
        .update_custom_attribute(&u.user_id, "department", &json!("finance"))
        .await?;
    assert_eq!(user.custom_attributes["department"], "finance");

    let audit = emu.dataset().audit;
    assert_eq!(
        audit.iter().filter(|a| a.action == "UserLoggedOut").count(),
        2
    );
    let ops: Vec<&str> = audit
        .iter()
        .filter(|a| a.action == "UserModified" && a.user_id == u.user_id)
        .filter_map(|a| a.data["operation"].as_str())
        .collect();
    assert_eq!(
        ops,
        [
            "totp.delete",
            "passkeys.delete",
            "recoveryCodes.delete",
            "totp.delete",
            "customAttribute.update"
        ]
    );
    emu.shutdown().await;
    Ok(())
}

/// `POST /v1/auth/accesskey/exchange` with `Bearer <ProjectID>:<secret>`: the status.
async fn exchange(emu: &Emulator, secret: &str) -> Result<u16, reqwest::Error> {
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/auth/accesskey/exchange", emu.base_url()))
        .header(
            "Authorization",
            format!("Bearer {}:{secret}", emu.project_id()),
        )
        .json(&json!({}))
        .send()
        .await?;
    Ok(resp.status().as_u16())
}

#[tokio::test]
async fn a_created_key_authenticates_and_rotation_retires_its_old_secret() -> TestResult {
    let (emu, c) = start(Emulator::builder()).await?;
    let keys = c.access_keys();
    let created = keys.create(&CreateAccessKeyRequest::new("ci")).await?;
    let first = created.cleartext.expose_secret().to_owned();
    assert_eq!(exchange(&emu, &first).await?, 200);
    let rotated = keys.rotate(&created.key.id).await?;
    assert_eq!(rotated.key.id, created.key.id, "rotation keeps the id");
    assert_eq!(rotated.key.name, "ci");
    let second = rotated.cleartext.expose_secret().to_owned();
    assert_ne!(first, second);
    assert_eq!(
        exchange(&emu, &first).await?,
        401,
        "the old secret is retired"
    );
    assert_eq!(exchange(&emu, &second).await?, 200);
    keys.deactivate(&created.key.id).await?;
    assert_eq!(
        exchange(&emu, &second).await?,
        401,
        "an inactive key does not authenticate"
    );
    assert_eq!(exchange(&emu, "K2wrong").await?, 401);
    // The management key is not an access key.
    assert_eq!(exchange(&emu, emu.management_key()).await?, 401);
    assert!(matches!(
        keys.rotate(&created.key.id).await,
        Err(Error::Api(_))
    ));
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn knobs_out_of_range_are_refused() {
    for b in [
        Emulator::builder().third_party_apps_get_page(Some(0)),
        Emulator::builder().consent_search_max_limit(Some(0)),
    ] {
        let err = b.start().await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
