//! Contract tests of SSO applications, users' access to them, auth history, audit search and
//! groups: the `descope-mgmt` client against the emulator (two independent readings of the
//! reference).

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use descope_emulator::{Dataset, Emulator, EmulatorBuilder, GenSpec, HistoryShape};
use descope_mgmt::{Client, RateLimitConfig, SearchAuditRequest, SecretString, SsoAppType};
use futures::TryStreamExt;

use crate::common::TestResult;

/// A client without client-side limits (audit search allows 10 a minute), so paging through
/// the trail takes no minute-long waits.
fn client(emu: &Emulator) -> Client {
    Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .rate_limit(RateLimitConfig::disabled())
        .build()
        .unwrap()
}

async fn start(b: EmulatorBuilder) -> (Emulator, Client) {
    let emu = b.start().await.unwrap();
    let c = client(&emu);
    (emu, c)
}

#[tokio::test]
async fn sso_apps_agree() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 60,
        tenants: 6,
        sso_apps: 6,
        ..GenSpec::default()
    });
    let (emu, c) = start(Emulator::builder().dataset(data.clone())).await;
    let apps = c.sso_apps().all().await?;
    assert_eq!(apps.len(), data.sso_apps.len());
    for (got, want) in apps.iter().zip(&data.sso_apps) {
        assert_eq!(
            (&got.id, &got.name, got.enabled),
            (&want.id, &want.name, want.enabled)
        );
        assert_eq!(got.app_type.as_str(), want.app_type);
        assert_eq!(
            (&got.description, &got.logo),
            (&want.description, &want.logo)
        );
        match (&got.saml_settings, &want.saml_settings) {
            (Some(g), Some(w)) => {
                assert_eq!(got.app_type, SsoAppType::Saml);
                assert_eq!((&g.entity_id, &g.acs_url), (&w.entity_id, &w.acs_url));
                assert_eq!(
                    (&g.idp_entity_id, &g.idp_sso_url),
                    (&w.idp_entity_id, &w.idp_sso_url)
                );
                assert_eq!(g.metadata_url, w.metadata_url);
                assert_eq!(g.acs_allowed_callbacks, w.acs_allowed_callbacks);
                assert_eq!(g.attribute_mapping.len(), w.attribute_mapping.len());
                assert_eq!(g.attribute_mapping[0].kind, w.attribute_mapping[0].kind);
                assert_eq!(g.groups_mapping.len(), w.groups_mapping.len());
                for (gm, wm) in g.groups_mapping.iter().zip(&w.groups_mapping) {
                    assert_eq!((&gm.value, &gm.filter_type), (&wm.value, &wm.filter_type));
                    let roles: Vec<(&str, &str)> = gm
                        .roles
                        .iter()
                        .map(|r| (r.id.as_str(), r.name.as_str()))
                        .collect();
                    let want: Vec<(&str, &str)> = wm
                        .roles
                        .iter()
                        .map(|r| (r.id.as_str(), r.name.as_str()))
                        .collect();
                    assert_eq!(roles, want);
                }
                // Settings the client does not type are kept, not lost.
                assert_eq!(g.other["idpCert"], w.idp_cert.as_str());
            }
            (None, None) => {}
            other => panic!("SAML settings disagree for {}: {other:?}", want.id),
        }
        match (&got.oidc_settings, &want.oidc_settings) {
            (Some(g), Some(w)) => {
                assert_eq!(got.app_type, SsoAppType::Oidc);
                assert_eq!((&g.issuer, &g.discovery_url), (&w.issuer, &w.discovery_url));
                assert_eq!(
                    (&g.client_id, &g.client_type),
                    (&w.client_id, &w.client_type)
                );
                assert_eq!(g.approved_redirect_urls, w.approved_redirect_urls);
            }
            (None, None) => {}
            other => panic!("OIDC settings disagree for {}: {other:?}", want.id),
        }
        assert_eq!(
            &c.sso_apps().load(&want.id).await?,
            got,
            "load one is the same app"
        );
    }
    let err = c.sso_apps().load("SA2nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn user_sso_app_assignment_agrees() -> TestResult {
    let (emu, c) = start(Emulator::builder()).await;
    let d = emu.dataset();
    let ids: Vec<String> = d.sso_apps.iter().map(|a| a.id.clone()).collect();
    let u = d.users.iter().find(|u| u.sso_app_ids.is_empty()).unwrap();
    let got = c.users().add_sso_apps(&u.login_ids[0], &ids[..1]).await?;
    assert_eq!(got.sso_app_ids, ids[..1]);
    let got = c.users().add_sso_apps(&u.user_id, &ids[1..2]).await?;
    assert_eq!(got.sso_app_ids, ids[..2]);
    let got = c.users().remove_sso_apps(&u.user_id, &ids[..1]).await?;
    assert_eq!(got.sso_app_ids, ids[1..2]);
    let got = c.users().set_sso_apps(&u.user_id, &ids[2..]).await?;
    assert_eq!(got.sso_app_ids, ids[2..]);
    let got = c.users().set_sso_apps(&u.user_id, &[]).await?;
    assert!(got.sso_app_ids.is_empty(), "an empty set means every app");
    assert_eq!(
        c.users().load(&u.user_id).await?.sso_app_ids,
        got.sso_app_ids
    );
    let err = c
        .users()
        .add_sso_apps(&u.user_id, &["SA2nope".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(err.api_error().unwrap().error_code, "E011004");
    // Each change is in the audit trail, newest first.
    let page = c
        .audit()
        .search(
            &SearchAuditRequest::new()
                .actions(["UserModified"])
                .user_ids([u.user_id.clone()]),
        )
        .await?;
    assert_eq!(page.total, 5);
    assert_eq!(page.audits[0].data["operation"], "ssoApps.set");
    assert_eq!(page.audits[4].data["operation"], "ssoApps.add");
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn history_agrees_under_both_shapes_and_in_batches() -> TestResult {
    for shape in [HistoryShape::BareArray, HistoryShape::Wrapped] {
        let (emu, c) = start(
            Emulator::builder()
                .history_shape(shape)
                .history_max_ids(Some(5)),
        )
        .await;
        let d = emu.dataset();
        let ids: Vec<String> = d.users.iter().map(|u| u.user_id.clone()).collect();
        let got = c.users().history(&ids[..5]).await?;
        let want: Vec<_> = d
            .login_history
            .iter()
            .filter(|l| ids[..5].contains(&l.user_id))
            .collect();
        assert_eq!(got.len(), want.len(), "{shape:?}");
        for h in &got {
            assert!(
                want.iter().any(|w| w.user_id == h.user_id
                    && w.login_time == h.login_time
                    && w.city == h.city
                    && w.country == h.country
                    && w.ip == h.ip
                    && w.selected_tenant == h.selected_tenant),
                "{h:?}"
            );
            let age = SystemTime::now().duration_since(h.login_at().unwrap())?;
            assert!(age < Duration::from_secs(30 * 86_400));
        }
        // Every user's history in calls of at most 5 ids; a call of more is refused.
        let all = c.users().history_batched(&ids, 5).await?;
        assert_eq!(all.len(), d.login_history.len(), "{shape:?}");
        let err = c.users().history(&ids[..6]).await.unwrap_err();
        assert_eq!(err.api_error().unwrap().error_code, "E011004");
        emu.shutdown().await;
    }
    Ok(())
}

#[tokio::test]
async fn audit_search_and_search_all_agree() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 120,
        tenants: 4,
        logins_per_user: 3,
        ..GenSpec::default()
    });
    let (emu, c) = start(Emulator::builder().dataset(data)).await;
    let d = emu.dataset();
    let first = c
        .audit()
        .search(&SearchAuditRequest::new().size(10))
        .await?;
    assert_eq!(first.total, d.audit.len() as u64);
    assert_eq!(first.audits.len(), 10);
    let a = &first.audits[0];
    assert_eq!(a.project_id, emu.project_id());
    assert!(!a.id.is_empty() && a.occurred_at().is_some());
    let newest = d.audit.iter().max_by_key(|x| x.occurred).unwrap();
    assert_eq!(
        (a.occurred, a.id.as_str()),
        (newest.occurred, newest.id.as_str())
    );

    // search_all pages to the end (pages of 7 here), newest first, every record once.
    let all: Vec<_> = c
        .audit()
        .search_all(SearchAuditRequest::new().size(7))
        .try_collect()
        .await?;
    assert_eq!(all.len(), d.audit.len());
    let unique: HashSet<&str> = all.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(unique.len(), all.len());
    assert!(all.windows(2).all(|w| w[0].occurred >= w[1].occurred));

    // Filters the client sends under its own names (loginIds → externalIds).
    let failed: Vec<_> = c
        .audit()
        .search_all(SearchAuditRequest::new().actions(["LoginFailed"]))
        .try_collect()
        .await?;
    assert_eq!(
        failed.len(),
        d.audit.iter().filter(|a| a.action == "LoginFailed").count()
    );
    assert!(
        failed
            .iter()
            .all(|a| a.kind == "warn" && a.data.contains_key("error_message"))
    );
    let u = &d.users[d
        .users
        .iter()
        .position(|u| d.login_history.iter().any(|l| l.user_id == u.user_id))
        .unwrap()];
    let mine = c
        .audit()
        .search(&SearchAuditRequest::new().login_ids([u.login_ids[0].clone()]))
        .await?;
    assert_eq!(
        mine.total,
        d.audit.iter().filter(|a| a.user_id == u.user_id).count() as u64
    );
    assert!(mine.audits.iter().all(|a| a.login_ids == u.login_ids));
    let day = c
        .audit()
        .search(&SearchAuditRequest::new().since(SystemTime::now() - Duration::from_secs(86_400)))
        .await?;
    assert!(day.total < first.total);
    // A window older than 30 days is Descope's 400, seen as an API error.
    let old = SystemTime::now() - Duration::from_secs(31 * 86_400);
    let err = c
        .audit()
        .search(&SearchAuditRequest::new().since(old))
        .await
        .unwrap_err();
    assert_eq!(err.api_error().unwrap().error_code, "E011004");
    emu.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn groups_agree() -> TestResult {
    let (emu, c) = start(Emulator::builder()).await;
    let d = emu.dataset();
    for t in &d.tenants {
        let got = c.groups().all(&t.id).await?;
        let want: Vec<_> = d.groups.iter().filter(|g| g.tenant_id == t.id).collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!(
                (&g.id, &g.display, &g.source),
                (&w.id, &w.display, &w.source)
            );
            let members: Vec<(&str, &str)> = g
                .members
                .iter()
                .map(|m| (m.login_id.as_str(), m.user_id.as_str()))
                .collect();
            let expected: Vec<(&str, &str)> = w
                .members
                .iter()
                .map(|m| (m.login_id.as_str(), m.user_id.as_str()))
                .collect();
            assert!(!members.is_empty());
            assert_eq!(members, expected);
            // Members are users of the tenant.
            for m in &g.members {
                let u = c.users().load(&m.user_id).await?;
                assert!(u.user_tenants.iter().any(|x| x.tenant_id == t.id));
            }
            let mine = c
                .groups()
                .for_members(&t.id, &[], std::slice::from_ref(&w.members[0].user_id))
                .await?;
            assert!(mine.iter().any(|x| x.id == w.id));
        }
    }
    emu.shutdown().await;
    Ok(())
}
