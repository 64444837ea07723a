//! Actions through the dispatch helpers and the fake connector's enable/disable.

use c1_connector_sdk::connector::resource_id_value;
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    ActionType, AnnotationsExt, BatonActionStatus, GetActionSchemaRequest, GetActionStatusRequest,
    InvokeActionRequest, ListActionSchemasRequest, ResourceId, UserTrait, resource::StatusValue,
};
use c1_connector_sdk::ops::{
    get_action_schema, get_action_status, invoke_action, list_action_schemas,
};
use c1_connector_sdk::testing::FakeConnector;
use prost_types::value::Kind;

use super::org;

fn invoke(name: &str, t: &str, target: Option<ResourceId>) -> InvokeActionRequest {
    let mut args = prost_types::Struct::default();
    if let Some(id) = target {
        args.fields
            .insert("resource_id".into(), resource_id_value(&id));
    }
    InvokeActionRequest {
        name: name.into(),
        args: Some(args),
        resource_type_id: t.into(),
        ..Default::default()
    }
}

fn status_of(fake: &FakeConnector, id: &ResourceId) -> StatusValue {
    let r = fake
        .current_resources()
        .into_iter()
        .find(|r| r.id.as_ref() == Some(id))
        .unwrap();
    StatusValue::try_from(r.status.unwrap().status).unwrap()
}

#[test]
fn schemas_are_listed_per_type() {
    let fake = org().enable_disable_actions("user").build();
    let all = list_action_schemas(&fake, &ListActionSchemasRequest::default()).unwrap();
    let names: Vec<(&str, &str)> = all
        .schemas
        .iter()
        .map(|s| (s.resource_type_id.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(names, [("user", "enable"), ("user", "disable")]);
    let disable = &all.schemas[1];
    assert_eq!(
        disable.action_type_values().collect::<Vec<_>>(),
        [ActionType::AccountDisable]
    );
    assert!(disable.arguments[0].is_required);

    let group = ListActionSchemasRequest {
        resource_type_id: "group".into(),
        ..Default::default()
    };
    assert!(
        list_action_schemas(&fake, &group)
            .unwrap()
            .schemas
            .is_empty()
    );

    let one = get_action_schema(
        &fake,
        &GetActionSchemaRequest {
            name: "disable".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(one.schema.unwrap().resource_type_id, "user");
    let e = get_action_schema(
        &fake,
        &GetActionSchemaRequest {
            name: "nope".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert!(e.message().contains("user/disable"), "{e}");
}

#[tokio::test]
async fn disable_then_enable_a_user() {
    let fake = org().enable_disable_actions("user").build();
    let u1 = ResourceId::new("user", "u1");
    let resp = invoke_action(&fake, &invoke("disable", "user", Some(u1.clone())))
        .await
        .unwrap();
    assert_eq!(resp.status, BatonActionStatus::Complete as i32);
    assert_eq!(resp.name, "disable");
    assert!(!resp.id.is_empty());
    let status = &resp.response.as_ref().unwrap().fields["status"];
    assert_eq!(status.kind, Some(Kind::StringValue("disabled".into())));
    assert_eq!(status_of(&fake, &u1), StatusValue::Disabled);
    // The user trait's deprecated status agrees with the resource's.
    let r = fake
        .current_resources()
        .into_iter()
        .find(|r| r.id.as_ref() == Some(&u1))
        .unwrap();
    let user: UserTrait = r.annotations.get_annotation().unwrap();
    assert_eq!(user.status.unwrap().status, StatusValue::Disabled as i32);

    let st = get_action_status(
        &fake,
        &GetActionStatusRequest {
            id: resp.id.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(st.status, BatonActionStatus::Complete as i32);
    assert_eq!(st.name, "disable");

    invoke_action(&fake, &invoke("enable", "user", Some(u1.clone())))
        .await
        .unwrap();
    assert_eq!(status_of(&fake, &u1), StatusValue::Enabled);
}

#[tokio::test]
async fn pending_actions_take_effect_only_when_done() {
    let fake = org()
        .enable_disable_actions("user")
        .pending_actions(true)
        .build();
    let u2 = ResourceId::new("user", "u2");
    let resp = invoke_action(&fake, &invoke("disable", "user", Some(u2.clone())))
        .await
        .unwrap();
    assert_eq!(resp.status, BatonActionStatus::Pending as i32);
    assert_eq!(status_of(&fake, &u2), StatusValue::Enabled, "not yet");
    let st = get_action_status(
        &fake,
        &GetActionStatusRequest {
            id: resp.id,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(st.status, BatonActionStatus::Complete as i32);
    assert_eq!(status_of(&fake, &u2), StatusValue::Disabled);
}

#[tokio::test]
async fn bad_invocations_are_refused_before_the_connector() {
    let fake = org().enable_disable_actions("user").build();
    let cases = [
        (invoke("", "user", None), Code::InvalidArgument),
        (invoke("disable", "user", None), Code::InvalidArgument),
        (invoke("explode", "user", None), Code::NotFound),
        (invoke("disable", "group", None), Code::Unimplemented),
        (invoke("disable", "", None), Code::Unimplemented),
    ];
    for (req, code) in cases {
        let e = invoke_action(&fake, &req).await.unwrap_err();
        assert_eq!(e.code(), code, "{req:?}: {e}");
    }
    let mut wrong_kind = invoke("disable", "user", None);
    wrong_kind.args.as_mut().unwrap().fields.insert(
        "resource_id".into(),
        prost_types::Value {
            kind: Some(Kind::StringValue("u1".into())),
        },
    );
    let e = invoke_action(&fake, &wrong_kind).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("resource_type_id"), "{e}");
    assert!(fake.call_log().iter().all(|l| !l.starts_with("action")));

    // The connector's own refusals come through.
    let e = invoke_action(
        &fake,
        &invoke("disable", "user", Some(ResourceId::new("user", "ghost"))),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let e = get_action_status(
        &fake,
        &GetActionStatusRequest {
            id: "fake-action-99".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
}
