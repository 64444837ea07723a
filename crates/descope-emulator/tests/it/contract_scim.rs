//! Contract tests of SCIM: the `descope-mgmt` SCIM client against the emulator's `/scim/v2`.
//! Both sides were written independently from Descope's SCIM docs and the SCIM RFCs; the
//! emulator rejects attributes it does not define, so a passing call also shows the client sends
//! only defined ones.

use descope_emulator::{DEMO_SCIM_ACCESS_KEY, Dataset, Emulator, GenSpec};
use descope_mgmt::{
    Client, Error, ScimClient, ScimGroup, ScimListQuery, ScimMember, ScimMultiValue, ScimName,
    ScimPatchOperation, ScimPatchRequest, ScimUser, SecretString,
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

fn scim(emu: &Emulator) -> ScimClient {
    client(emu).scim(SecretString::from(DEMO_SCIM_ACCESS_KEY.to_owned()))
}

fn globex(emu: &Emulator) -> String {
    emu.dataset()
        .tenants
        .iter()
        .find(|t| t.name == "Globex")
        .unwrap()
        .id
        .clone()
}

fn members(emu: &Emulator) -> Vec<String> {
    let t = globex(emu);
    emu.dataset()
        .users
        .iter()
        .filter(|u| u.tenant(&t).is_some())
        .map(|u| u.user_id.clone())
        .collect()
}

fn status(e: &Error) -> Option<u16> {
    e.status()
}

#[tokio::test]
async fn users_list_with_paging_and_filter() -> TestResult {
    let emu = Emulator::start_with(Dataset::demo()).await?;
    let s = scim(&emu);
    let expected = members(&emu);
    assert!(expected.len() > 5);

    let page = s
        .list_users(&ScimListQuery::new().start_index(2).count(3))
        .await?;
    assert_eq!(page.total_results, expected.len() as u64);
    assert_eq!(page.start_index, 2);
    assert_eq!(page.items_per_page, 3);
    let got: Vec<String> = page.resources.iter().map(|u| u.id.clone()).collect();
    assert_eq!(got, expected[1..4]);

    // The client's paging walk sees every member once, in order, across pages of 4.
    let all: Vec<String> = s
        .list_all_users(ScimListQuery::new().count(4))
        .map_ok(|u| u.id)
        .try_collect()
        .await?;
    assert_eq!(all, expected);
    let n = expected.len().div_ceil(4) as u64;
    assert_eq!(
        emu.counters().endpoint("GET /scim/v2/Users"),
        1 + n,
        "one request per page"
    );

    let one = emu
        .dataset()
        .users
        .into_iter()
        .find(|u| u.user_id == expected[3])
        .unwrap();
    let page = s
        .list_users(&ScimListQuery::new().filter(format!("userName eq \"{}\"", one.login_ids[0])))
        .await?;
    assert_eq!(page.total_results, 1);
    let u = &page.resources[0];
    assert_eq!(u.user_name, one.login_ids[0]);
    assert_eq!(u.display_name.as_deref(), Some(one.name.as_str()));
    assert_eq!(u.emails[0].value, one.email);
    assert_eq!(u.meta.as_ref().unwrap().resource_type, "User");

    let fetched = s.get_user(&one.user_id).await?;
    assert_eq!(&fetched, u);
    Ok(())
}

#[tokio::test]
async fn users_create_replace_delete() -> TestResult {
    let emu = Emulator::start_with(Dataset::demo()).await?;
    let s = scim(&emu);
    let c = client(&emu);
    let new = ScimUser::new("jane@globex.example.com")
        .external_id("idp-77")
        .display_name("Jane Doe")
        .name(ScimName::new("Jane", "Doe"))
        .emails(vec![ScimMultiValue::primary(
            "jane@globex.example.com",
            "work",
        )])
        .phone_numbers(vec![ScimMultiValue::primary("+15550002222", "mobile")])
        .active(true);
    let created = s.create_user(&new).await?;
    assert!(!created.id.is_empty());
    assert_eq!(created.user_name, "jane@globex.example.com");
    assert_eq!(created.external_id.as_deref(), Some("idp-77"));
    assert_eq!(created.active, Some(true));
    assert_eq!(
        created.name.as_ref().unwrap().family_name.as_deref(),
        Some("Doe")
    );

    // The management client sees a SCIM user in the tenant.
    let u = c.users().load_by_user_id(&created.id).await?;
    assert!(u.scim);
    assert_eq!(u.user_tenants[0].tenant_id, globex(&emu));
    assert_eq!(u.phone, "+15550002222");

    let again = s.create_user(&new).await.unwrap_err();
    assert_eq!(status(&again), Some(409));

    let replaced = s
        .replace_user(
            &created.id,
            &ScimUser::new("jane.doe@globex.example.com")
                .display_name("Jane D.")
                .active(false),
        )
        .await?;
    assert_eq!(replaced.id, created.id);
    assert_eq!(replaced.active, Some(false));
    let u = c.users().load("jane.doe@globex.example.com").await?;
    assert_eq!(u.user_id, created.id);
    assert_eq!(u.name, "Jane D.");

    s.delete_user(&created.id).await?;
    let gone = s.get_user(&created.id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert!(
        c.users()
            .load_by_user_id(&created.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
    Ok(())
}

#[tokio::test]
async fn groups_crud_and_patch() -> TestResult {
    let emu = Emulator::start_with(Dataset::demo()).await?;
    let s = scim(&emu);
    let c = client(&emu);
    let t = globex(&emu);
    let m = members(&emu);
    let before = s.list_groups(&ScimListQuery::new()).await?;
    let mgmt_before = c.groups().all(&t).await?;
    assert_eq!(before.total_results, mgmt_before.len() as u64);

    let g = s
        .create_group(
            &ScimGroup::new("Engineering")
                .external_id("azure-1")
                .members(vec![ScimMember::new(&m[0]), ScimMember::new(&m[1])]),
        )
        .await?;
    assert_eq!(g.display_name, "Engineering");
    assert_eq!(g.members.len(), 2);
    assert_eq!(s.get_group(&g.id).await?, g);

    // The management API's groups include it.
    let mgmt = c.groups().all(&t).await?;
    let seen = mgmt.iter().find(|x| x.id == g.id).unwrap();
    assert_eq!(seen.source, "scim");
    assert_eq!(seen.members.len(), 2);

    let patched = s
        .patch_group(
            &g.id,
            &ScimPatchRequest::new(vec![
                ScimPatchOperation::add_members([m[2].clone()]),
                ScimPatchOperation::remove_member(&m[0]),
                ScimPatchOperation::replace("displayName", serde_json::json!("Eng")),
            ]),
        )
        .await?
        .expect("the emulator returns the patched group");
    let ids: Vec<&str> = patched.members.iter().map(|x| x.value.as_str()).collect();
    assert_eq!(ids, [m[1].as_str(), m[2].as_str()]);
    assert_eq!(patched.display_name, "Eng");

    let replaced = s.replace_group(&g.id, &ScimGroup::new("Platform")).await?;
    assert!(replaced.members.is_empty());
    let found = s
        .list_groups(&ScimListQuery::new().filter("displayName eq \"Platform\""))
        .await?;
    assert_eq!(found.resources, std::slice::from_ref(&replaced));
    let slim = s
        .list_groups(&ScimListQuery::new().excluded_attributes("members"))
        .await?;
    assert_eq!(slim.total_results, before.total_results + 1);

    s.delete_group(&g.id).await?;
    assert!(s.get_group(&g.id).await.unwrap_err().is_not_found());
    assert_eq!(c.groups().all(&t).await?, mgmt_before);
    Ok(())
}

#[tokio::test]
async fn service_provider_config_and_resource_types() -> TestResult {
    let emu = Emulator::start_with(Dataset::demo()).await?;
    let s = scim(&emu);
    let cfg = s.service_provider_config().await?;
    assert!(cfg.patch.supported);
    assert!(!cfg.bulk.supported);
    assert!(cfg.filter.supported);
    assert_eq!(cfg.filter.max_results, 100);
    assert_eq!(cfg.authentication_schemes[0].kind, "oauthbearertoken");
    let types = s.resource_types().await?;
    let endpoints: Vec<(&str, &str)> = types
        .iter()
        .map(|t| (t.id.as_str(), t.endpoint.as_str()))
        .collect();
    assert_eq!(endpoints, [("User", "/Users"), ("Group", "/Groups")]);
    Ok(())
}

#[tokio::test]
async fn wrong_or_unauthorised_keys_are_refused() -> TestResult {
    let spec = GenSpec {
        users: 40,
        ..GenSpec::default()
    };
    let emu = Emulator::start_with(Dataset::generate(&spec)).await?;
    let c = client(&emu);
    // A generated dataset has no demo key: the demo cleartext is just wrong here.
    let e = scim(&emu)
        .list_users(&ScimListQuery::new())
        .await
        .unwrap_err();
    assert_eq!(status(&e), Some(401), "{e}");
    let e = c
        .scim(SecretString::from("K2not-a-key".to_owned()))
        .get_user("U2x")
        .await
        .unwrap_err();
    assert_eq!(status(&e), Some(401));
    // The error names neither the key nor the management key.
    let text = format!("{e} {e:?}");
    assert!(!text.contains("K2not-a-key") && !text.contains(emu.management_key()));
    assert!(emu.counters().unauthorized >= 2);
    Ok(())
}
