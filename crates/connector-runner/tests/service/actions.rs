//! `action_list_schemas`, `action_get_schema`, `action_invoke` and `action_status` tasks.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_sdk::connector::{
    ActionOutcome, ActionProvider, Connector, ResourceSyncer, resource_id_value,
};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    Annotations, BatonActionSchema, BatonActionStatus, Capability, ConnectorMetadata,
    GetActionSchemaResponse, GetActionStatusResponse, InvokeActionResponse,
    ListActionSchemasResponse, ResourceId, resource::StatusValue,
};
use c1_connector_sdk::testing::FakeConnector;

use crate::answers::{Failed, failure, response, success};
use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, start, start_any,
};

fn args_for(user: &str) -> Option<prost_types::Struct> {
    let mut args = prost_types::Struct::default();
    args.fields.insert(
        "resource_id".into(),
        resource_id_value(&ResourceId::new("user", user)),
    );
    Some(args)
}

fn status_of(fake: &FakeConnector, user: &str) -> Option<i32> {
    fake.current_resources()
        .into_iter()
        .find(|r| r.id == Some(ResourceId::new("user", user)))
        .and_then(|r| r.status.map(|s| s.status))
}

#[tokio::test]
async fn actions_are_listed_invoked_and_followed_up() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let fake = connector_builder()
        .enable_disable_actions("user")
        .pending_actions(true)
        .build();
    let id = tasks::task_id;
    let running = start(
        fake.clone(),
        config(&c1, temp.path()).with_task_concurrency(1),
    );
    for task in [
        tasks::action_list_schemas(&id(1), ""),
        tasks::action_list_schemas(&id(2), "role"),
        tasks::action_get_schema(&id(3), "disable"),
        tasks::action_get_schema(&id(4), "explode"),
        tasks::action_get_schema(&id(5), ""),
        tasks::action_invoke(&id(6), "disable", "user", args_for("u2")),
    ] {
        c1.push_task(task);
    }
    let records = c1
        .wait_until(WAIT, |r| r.finished_for(&id(6)).len() == 1)
        .await?;
    // Pending: nothing has changed yet, and the response says so.
    let invoked: InvokeActionResponse = response(&records, &id(6));
    assert_eq!(invoked.status, BatonActionStatus::Pending as i32);
    assert_eq!(
        (invoked.id.as_str(), invoked.name.as_str()),
        ("fake-action-1", "disable")
    );
    assert!(success(&records, &id(6)).annotations.is_empty());
    assert_ne!(status_of(&fake, "u2"), Some(StatusValue::Disabled as i32));

    for task in [
        tasks::action_status(&id(7), "fake-action-1"),
        tasks::action_status(&id(8), "fake-action-99"),
        tasks::action_status(&id(9), ""),
        tasks::action_invoke(&id(10), "disable", "user", None),
        tasks::action_invoke(&id(11), "", "user", None),
        tasks::action_invoke(&id(12), "disable", "role", None),
    ] {
        c1.push_task(task);
    }
    let records = c1
        .wait_until(WAIT, |r| r.finished_for(&id(12)).len() == 1)
        .await?;
    running.stop().await?;
    assert_eq!(records.rejections(), Vec::<String>::new());
    let caps = records.hellos()[0]
        .connector_metadata
        .as_ref()
        .and_then(|m| m.capabilities.clone())
        .expect("capabilities");
    assert!(
        caps.connector_capabilities
            .contains(&(Capability::Actions as i32))
    );

    let all: ListActionSchemasResponse = response(&records, &id(1));
    let names: Vec<(&str, &str)> = all
        .schemas
        .iter()
        .map(|s| (s.resource_type_id.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(names, [("user", "enable"), ("user", "disable")]);
    let none: ListActionSchemasResponse = response(&records, &id(2));
    assert!(none.schemas.is_empty());
    let one: GetActionSchemaResponse = response(&records, &id(3));
    assert_eq!(
        one.schema.map(|s| (s.resource_type_id, s.name)),
        Some(("user".into(), "disable".into()))
    );
    let f = failure(&records, &id(4));
    assert_eq!((f.code, f.non_retryable), (5, true), "{f:?}");
    assert!(f.message.contains("action \"explode\" not found"), "{f:?}");
    let required = |message: &str| Failed {
        code: 2,
        message: message.into(),
        non_retryable: true,
    };
    assert_eq!(failure(&records, &id(5)), required("action name required"));

    // The status task settles the pending action: now it took effect.
    let settled: GetActionStatusResponse = response(&records, &id(7));
    assert_eq!(settled.status, BatonActionStatus::Complete as i32);
    assert_eq!(status_of(&fake, "u2"), Some(StatusValue::Disabled as i32));
    let f = failure(&records, &id(8));
    assert_eq!((f.code, f.non_retryable), (5, true), "{f:?}");
    assert_eq!(failure(&records, &id(9)), required("action id required"));
    let f = failure(&records, &id(10));
    assert_eq!((f.code, f.non_retryable), (3, true), "{f:?}");
    assert!(f.message.contains("resource_id"), "{f:?}");
    assert_eq!(failure(&records, &id(11)), required("action name required"));
    let f = failure(&records, &id(12));
    assert_eq!((f.code, f.non_retryable), (12, true), "{f:?}");
    assert!(f.message.contains("types that do: user"), "{f:?}");
    c1.stop().await;
    Ok(())
}

/// A connector with one global action that the system refuses.
struct Refusing;

#[async_trait]
impl Connector for Refusing {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("Refusing", "test"))
    }
    async fn validate(&self) -> Result<Annotations, Error> {
        Ok(Annotations::new())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        Vec::new()
    }
    fn action_provider(&self) -> Option<&dyn ActionProvider> {
        Some(self)
    }
}

#[async_trait]
impl ActionProvider for Refusing {
    fn action_schemas(&self) -> Vec<BatonActionSchema> {
        vec![
            BatonActionSchema::new("rotate", "Rotate"),
            BatonActionSchema::new("mute", "Mute"),
        ]
    }
    async fn invoke_action(
        &self,
        name: &str,
        _: &prost_types::Struct,
    ) -> Result<ActionOutcome, Error> {
        Ok(match name {
            "rotate" => ActionOutcome::failed("a-1", "the directory refused the change"),
            _ => ActionOutcome::new("a-2", BatonActionStatus::Failed),
        })
    }
}

#[tokio::test]
async fn an_action_that_failed_finishes_the_task_with_its_error() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let id = tasks::task_id;
    c1.push_task(tasks::action_invoke(&id(1), "rotate", "", None));
    c1.push_task(tasks::action_invoke(&id(2), "mute", "", None));
    let running = start_any(Arc::new(Refusing), config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| (1..=2).all(|n| r.finished_for(&id(n)).len() == 1))
        .await?;
    running.stop().await?;
    let failed = |message: &str| Failed {
        code: 2,
        message: message.into(),
        non_retryable: true,
    };
    assert_eq!(
        failure(&records, &id(1)),
        failed("the directory refused the change")
    );
    assert_eq!(failure(&records, &id(2)), failed("action failed"));
    c1.stop().await;
    Ok(())
}
