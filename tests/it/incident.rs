//! The incident actions on users (`sign_out_user`, `reset_user_mfa`, `update_user_profile`)
//! against the emulator: through the SDK's action operations (what service mode and the one-shot
//! flags call) and through service mode with the runner's `FakeConductorOne`. Each changes what
//! it says, shows it in Descope's state, and repeats as a success that changed nothing. The
//! one-shot flags: `crates/baton-descope/tests/it/lifecycle.rs`.

use std::time::Duration;

use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_runner::service::{self};
use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::connector::resource_id_value;
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    BatonActionStatus, InvokeActionRequest, InvokeActionResponse, ListActionSchemasRequest,
    ResourceId,
};
use c1_connector_sdk::ops::{invoke_action, list_action_schemas};
use descope_c1::testing::{TestResult, connector_for};
use descope_emulator::{Dataset, Emulator};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn args(user_id: &str, extra: Value) -> prost_types::Struct {
    let mut args = c1_connector_sdk::model::json_object_to_struct(
        extra.as_object().cloned().unwrap_or_default(),
    );
    args.fields.insert(
        "resource_id".into(),
        resource_id_value(&ResourceId::new("user", user_id)),
    );
    args
}

fn request(name: &str, user_id: &str, extra: Value) -> InvokeActionRequest {
    InvokeActionRequest {
        name: name.into(),
        args: Some(args(user_id, extra)),
        resource_type_id: "user".into(),
        ..Default::default()
    }
}

fn response(r: &InvokeActionResponse) -> Value {
    r.response
        .as_ref()
        .map(c1_connector_sdk::model::struct_to_json)
        .unwrap_or_default()
}

fn user<'a>(data: &'a Dataset, id: &str) -> &'a descope_emulator::UserRecord {
    data.users
        .iter()
        .find(|u| u.user_id == id)
        .expect("the user")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_actions_change_descope_and_repeat_as_no_change() -> TestResult {
    let data = Dataset::demo();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let connector = connector_for(&emu)?;
    let c: &dyn Connector = connector.as_ref();

    let names: Vec<String> = list_action_schemas(
        c,
        &ListActionSchemasRequest {
            resource_type_id: "user".into(),
            ..Default::default()
        },
    )?
    .schemas
    .into_iter()
    .map(|s| s.name)
    .collect();
    for name in ["sign_out_user", "reset_user_mfa", "update_user_profile"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }

    // sign_out_user: Descope records the logout.
    let target = data.users.iter().find(|u| !u.test).expect("a user");
    let out = invoke_action(c, &request("sign_out_user", &target.user_id, json!({}))).await?;
    assert_eq!(out.status, BatonActionStatus::Complete as i32);
    let logouts = emu.logouts();
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].user_id, target.user_id);
    invoke_action(c, &request("sign_out_user", &target.user_id, json!({}))).await?;
    assert_eq!(
        emu.logouts().len(),
        2,
        "a repeat signs out again, harmlessly"
    );

    // reset_user_mfa: TOTP and passkeys gone; a repeat changes nothing.
    let mfa = data
        .users
        .iter()
        .find(|u| !u.test && (u.totp || u.webauthn) && !u.login_ids.is_empty())
        .expect("a user with a second factor");
    let reset = invoke_action(c, &request("reset_user_mfa", &mfa.user_id, json!({}))).await?;
    assert_eq!(response(&reset)["changed"], json!(true), "{reset:?}");
    let now = emu.dataset();
    assert!(!user(&now, &mfa.user_id).totp && !user(&now, &mfa.user_id).webauthn);
    let again = invoke_action(c, &request("reset_user_mfa", &mfa.user_id, json!({}))).await?;
    assert_eq!(response(&again)["changed"], json!(false));

    // update_user_profile: the fields given, custom attributes merged; a repeat changes nothing.
    let fields = json!({
        "given_name": "Incident",
        "phone": "+15550001111",
        "custom_attributes": "{\"department\":\"Security\"}",
    });
    let before = user(&data, &target.user_id).clone();
    let updated = invoke_action(
        c,
        &request("update_user_profile", &target.user_id, fields.clone()),
    )
    .await?;
    assert_eq!(response(&updated)["changed"], json!(true));
    let now = emu.dataset();
    let after = user(&now, &target.user_id);
    assert_eq!(after.given_name, "Incident");
    assert_eq!(after.phone, "+15550001111");
    assert_eq!(after.custom_attributes["department"], "Security");
    for (k, v) in &before.custom_attributes {
        if k != "department" {
            assert_eq!(after.custom_attributes.get(k), Some(v), "{k} kept");
        }
    }
    assert_eq!(after.email, before.email, "not given, not changed");
    let again = invoke_action(c, &request("update_user_profile", &target.user_id, fields)).await?;
    assert_eq!(response(&again)["changed"], json!(false));

    // Unknown fields, bad attributes and nothing to set are refused, changing nothing.
    for extra in [
        json!({"nickname": "x"}),
        json!({"custom_attributes": "[1]"}),
        json!({}),
    ] {
        let err = invoke_action(c, &request("update_user_profile", &target.user_id, extra))
            .await
            .expect_err("refused");
        assert_eq!(err.code(), Code::InvalidArgument, "{err}");
    }
    assert_eq!(user(&emu.dataset(), &target.user_id), after);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_actions_run_as_service_mode_tasks() -> TestResult {
    let data = Dataset::demo();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let c1 = FakeConductorOne::start().await?;
    let dir = tempfile::tempdir()?;
    let config = c1
        .service_config()
        .with_provisioning(true)
        .with_temp_dir(dir.path());
    let shutdown = CancellationToken::new();
    let svc = tokio::spawn(service::run(connector_for(&emu)?, config, shutdown.clone()));

    let mfa = data
        .users
        .iter()
        .find(|u| !u.test && (u.totp || u.webauthn) && !u.login_ids.is_empty())
        .expect("a user with a second factor");
    let runs = [
        ("sign_out_user", json!({})),
        ("reset_user_mfa", json!({})),
        ("update_user_profile", json!({"family_name": "Servicemode"})),
    ];
    for (n, (name, extra)) in runs.iter().enumerate() {
        let id = tasks::task_id(n as u32 + 1);
        c1.push_task(tasks::action_invoke(
            &id,
            name,
            "user",
            Some(args(&mfa.user_id, extra.clone())),
        ));
        let records = c1
            .wait_until(Duration::from_secs(30), |r| !r.finished_for(&id).is_empty())
            .await?;
        let finish = &records.finished_for(&id)[0];
        assert!(
            matches!(finish.final_state, Some(FinalState::Success(_))),
            "{name}: {:?}",
            finish.status
        );
    }
    let now = emu.dataset();
    let u = user(&now, &mfa.user_id);
    assert!(!u.totp && !u.webauthn);
    assert_eq!(u.family_name, "Servicemode");
    assert!(emu.logouts().iter().any(|l| l.user_id == mfa.user_id));
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), svc).await???;
    Ok(())
}
