//! Account lifecycle, as ConductorOne drives it: create a user (and invite one), find it in the
//! next sync, disable it, find it disabled, delete it, find it gone; the same for access keys'
//! enable, disable and delete, through the SDK's request handlers (what service mode calls).
//! The same through the program's one-shot flags: `crates/baton-descope/tests/it/lifecycle.rs`.

use std::collections::BTreeMap;

use c1_connector_sdk::connector::{Connector, resource_id_value};
use c1_connector_sdk::model::{
    AccountInfo, AnnotationsExt, BatonActionStatus, CreateAccountRequest, DeleteResourceRequest,
    InvokeActionRequest, ResourceDoesNotExist, ResourceId, create_account_response,
};
use c1_connector_sdk::ops::{create_account, delete_resource, invoke_action};
use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::{TestResult, connector_for, enc, lifecycle_project, sync_to};
use descope_emulator::{AccessKeyStatus, Emulator};
use serde_json::json;

/// `(status, details)` of each user and access key in a `.c1z`, by `type:id`.
fn statuses(path: &std::path::Path) -> TestResult<BTreeMap<String, (i32, String)>> {
    let reader = C1zReader::open(path)?;
    Ok(reader
        .resources()?
        .into_iter()
        .filter_map(|r| {
            let id = r.resource_id();
            let status = r.status.clone().unwrap_or_default();
            matches!(id.resource_type.as_str(), "user" | "access_key").then(|| {
                (
                    format!("{}:{}", id.resource_type, id.resource),
                    (status.status, status.details),
                )
            })
        })
        .collect())
}

fn action(name: &str, resource_type: &str, id: &str) -> InvokeActionRequest {
    let mut args = c1_connector_sdk::model::json_object_to_struct(serde_json::Map::new());
    args.fields.insert(
        "resource_id".into(),
        resource_id_value(&ResourceId::new(resource_type, id)),
    );
    InvokeActionRequest {
        name: name.into(),
        args: Some(args),
        resource_type_id: resource_type.into(),
        ..Default::default()
    }
}

fn changed(response: &c1_connector_sdk::model::InvokeActionResponse) -> Option<bool> {
    let json = c1_connector_sdk::model::struct_to_json(response.response.as_ref()?);
    json.get("changed")?.as_bool()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_created_disabled_and_deleted() -> TestResult {
    let emu = Emulator::builder()
        .dataset(lifecycle_project())
        .start()
        .await?;
    let connector = connector_for(&emu)?;
    let c: &dyn Connector = connector.as_ref();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");

    let request = CreateAccountRequest {
        account_info: Some(
            AccountInfo::new("ann@acme.io")
                .with_email("ann@acme.io", true)
                .with_profile(
                    json!({"name": "Ann Lee", "tenantIds": [emu.dataset().tenants[0].id]})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ),
        ),
        resource_type_id: "user".into(),
        ..Default::default()
    };
    let created = create_account(c, &request, None).await?;
    let Some(create_account_response::Result::Success(success)) = created.result else {
        return Err(format!("created: {created:?}").into());
    };
    let user = success.resource.ok_or("the new user")?;
    let user_id = user.resource_id().resource;
    let stored = emu
        .dataset()
        .users
        .into_iter()
        .find(|u| enc(&u.user_id) == user_id)
        .ok_or("the user exists in Descope")?;
    assert_eq!(stored.name, "Ann Lee");
    assert_eq!(stored.user_tenants.len(), 1);

    // Creating it again changes nothing.
    let again = create_account(c, &request, None).await?;
    assert!(
        matches!(
            again.result,
            Some(create_account_response::Result::AlreadyExists(_))
        ),
        "{again:?}"
    );
    let users = emu.dataset().users.len();

    sync_to(connector.clone(), &path).await?;
    let key = format!("user:{user_id}");
    assert_eq!(statuses(&path)?.get(&key), Some(&(1, String::new())));

    let disabled = invoke_action(c, &action("disable_user", "user", &user_id)).await?;
    assert_eq!(disabled.status, BatonActionStatus::Complete as i32);
    assert_eq!(changed(&disabled), Some(true));
    let twice = invoke_action(c, &action("disable_user", "user", &user_id)).await?;
    assert_eq!(changed(&twice), Some(false), "idempotent");
    sync_to(connector.clone(), &path).await?;
    assert_eq!(statuses(&path)?.get(&key), Some(&(2, String::new())));

    let delete = DeleteResourceRequest {
        resource_id: Some(ResourceId::new("user", &user_id)),
        parent_resource_id: None,
    };
    let deleted = delete_resource(c, &delete).await?;
    assert!(
        !deleted
            .annotations
            .contains_annotation::<ResourceDoesNotExist>()
    );
    assert_eq!(emu.dataset().users.len(), users - 1);
    let gone = delete_resource(c, &delete).await?;
    assert!(
        gone.annotations
            .contains_annotation::<ResourceDoesNotExist>()
    );
    sync_to(connector.clone(), &path).await?;
    assert!(!statuses(&path)?.contains_key(&key));

    // An invitation: the user exists, invited (enabled, with the detail).
    let invite = CreateAccountRequest {
        account_info: Some(
            AccountInfo::new("bo@acme.io").with_profile(
                json!({"email": "bo@acme.io", "invite": true})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        ),
        ..Default::default()
    };
    let invited = create_account(c, &invite, None).await?;
    let Some(create_account_response::Result::Success(success)) = invited.result else {
        return Err(format!("invited: {invited:?}").into());
    };
    let id = success
        .resource
        .ok_or("the invited user")?
        .resource_id()
        .resource;
    sync_to(connector.clone(), &path).await?;
    assert_eq!(
        statuses(&path)?.get(&format!("user:{id}")),
        Some(&(1, "invited".to_owned()))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_key_disabled_enabled_and_deleted() -> TestResult {
    let data = lifecycle_project();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let connector = connector_for(&emu)?;
    let c: &dyn Connector = connector.as_ref();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let k = data
        .access_keys
        .iter()
        .find(|k| k.status == AccessKeyStatus::Active && k.expire_time == 0)
        .ok_or("an active key")?;
    let id = enc(&k.id);
    let key = format!("access_key:{id}");

    let disabled = invoke_action(c, &action("disable_access_key", "access_key", &id)).await?;
    assert_eq!(changed(&disabled), Some(true));
    sync_to(connector.clone(), &path).await?;
    assert_eq!(
        statuses(&path)?.get(&key),
        Some(&(2, "inactive".to_owned()))
    );

    let enabled = invoke_action(c, &action("enable_access_key", "access_key", &id)).await?;
    assert_eq!(changed(&enabled), Some(true));
    let twice = invoke_action(c, &action("enable_access_key", "access_key", &id)).await?;
    assert_eq!(changed(&twice), Some(false));
    sync_to(connector.clone(), &path).await?;
    assert_eq!(statuses(&path)?.get(&key), Some(&(1, String::new())));

    let delete = DeleteResourceRequest {
        resource_id: Some(ResourceId::new("access_key", &id)),
        parent_resource_id: None,
    };
    delete_resource(c, &delete).await?;
    assert!(!emu.dataset().access_keys.iter().any(|x| x.id == k.id));
    let gone = delete_resource(c, &delete).await?;
    assert!(
        gone.annotations
            .contains_annotation::<ResourceDoesNotExist>()
    );
    sync_to(connector.clone(), &path).await?;
    assert!(!statuses(&path)?.contains_key(&key));
    Ok(())
}
