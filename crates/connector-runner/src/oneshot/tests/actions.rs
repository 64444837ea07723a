//! `--list-action-schemas`, `--invoke-action` and `--action-status`.

use std::time::Duration;

use c1_connector_sdk::connector::AccountCreated;
use c1_connector_sdk::model::{
    Resource, ResourceId, ResourceType, Trait, UserTrait, resource::StatusValue,
};
use c1_connector_sdk::testing::FakeConnector;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::scripted::Scripted;
use super::support::{Program, exec, exec_with};
use crate::program::Purpose;

fn builder() -> c1_connector_sdk::testing::FakeConnectorBuilder {
    FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
        .resource_type(ResourceType::new("group", "Group").with_trait(Trait::Group))
        .resources([
            Resource::new("user", "u1", "u1")
                .with_user_trait(UserTrait::new())
                .with_status(StatusValue::Enabled),
            Resource::new("group", "g1", "G1"),
        ])
        .enable_disable_actions("user")
}

const DISABLE_U1: &str = r#"{"resource_id":{"resource_type_id":"user","resource_id":"u1"}}"#;

fn status_of(fake: &FakeConnector, id: &str) -> Option<i32> {
    fake.current_resources()
        .into_iter()
        .find(|r| r.id == Some(ResourceId::new("user", id)))
        .and_then(|r| r.status.map(|s| s.status))
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?} is not JSON: {e}"))
}

#[tokio::test]
async fn schemas_are_listed_as_json_without_calling_the_system() {
    let fake = builder().build();
    let program = Program::new(fake.clone());
    let ran = exec(&program, &["--list-action-schemas"]).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    let doc = parse(&ran.out);
    let schemas = doc["schemas"].as_array().expect("schemas");
    let names: Vec<(&str, &str)> = schemas
        .iter()
        .map(|s| {
            (
                s["resourceTypeId"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("user", "enable"), ("user", "disable")]);
    assert_eq!(
        schemas[1]["actionType"],
        json!(["ACTION_TYPE_ACCOUNT_DISABLE"])
    );
    assert_eq!(schemas[1]["arguments"][0]["name"], "resource_id");
    assert_eq!(ran.err, "2 action schema(s)\n");
    assert_eq!(program.connects(), vec![Purpose::Describe]);
    assert_eq!(fake.calls(), 0);

    let ran = exec(
        &program,
        &[
            "--list-action-schemas",
            "--list-action-schemas-resource-type",
            "user",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(parse(&ran.out)["schemas"].as_array().map(Vec::len), Some(2));
    assert_eq!(ran.err, "2 action schema(s) for resource type user\n");

    let ran = exec(
        &program,
        &[
            "--list-action-schemas=true",
            "--list-action-schemas-resource-type",
            "group",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(parse(&ran.out), json!({"schemas": []}));
    assert_eq!(
        ran.err,
        "resource type group has no actions; actions exist for: user\n"
    );
}

#[tokio::test]
async fn invoking_needs_provisioning() {
    let fake = builder().build();
    let program = Program::new(fake.clone());
    let ran = exec(
        &program,
        &[
            "--invoke-action",
            "disable",
            "--invoke-action-resource-type",
            "user",
            "--invoke-action-args",
            DISABLE_U1,
        ],
    )
    .await;
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(ran.err.contains("to invoke actions"), "{}", ran.err);
    assert!(program.connects().is_empty());
    assert_eq!(status_of(&fake, "u1"), Some(StatusValue::Enabled as i32));
}

#[tokio::test]
async fn an_action_that_completes_prints_its_outcome_and_took_effect() {
    let fake = builder().build();
    let program = Program::new(fake.clone());
    let ran = exec(
        &program,
        &[
            "-p",
            "--invoke-action",
            "disable",
            "--invoke-action-resource-type",
            "user",
            "--invoke-action-args",
            DISABLE_U1,
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(
        parse(&ran.out),
        json!({
            "id": "fake-action-1",
            "status": "BATON_ACTION_STATUS_COMPLETE",
            "response": {"status": "disabled"},
            "name": "disable"
        })
    );
    assert_eq!(
        ran.err,
        "action 'disable' of user (id fake-action-1): BATON_ACTION_STATUS_COMPLETE\n"
    );
    assert_eq!(status_of(&fake, "u1"), Some(StatusValue::Disabled as i32));

    // Its status can be read back later.
    let ran = exec(&program, &["--action-status", "fake-action-1"]).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(parse(&ran.out)["status"], "BATON_ACTION_STATUS_COMPLETE");
    assert_eq!(
        ran.err,
        "action fake-action-1: BATON_ACTION_STATUS_COMPLETE\n"
    );
}

#[tokio::test]
async fn an_action_in_flight_is_followed_until_it_settles() {
    let fake = builder().pending_actions(true).build();
    let program = Program::new(fake.clone());
    let ran = exec(
        &program,
        &[
            "-p",
            "--invoke-action",
            "disable",
            "--invoke-action-resource-type",
            "user",
            "--invoke-action-args",
            DISABLE_U1,
            "--action-poll-interval-ms",
            "1",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(
        ran.err,
        "action 'disable' of user (id fake-action-1): BATON_ACTION_STATUS_PENDING\n\
         action 'disable' of user (id fake-action-1): BATON_ACTION_STATUS_COMPLETE\n"
    );
    assert_eq!(parse(&ran.out)["status"], "BATON_ACTION_STATUS_COMPLETE");
    assert_eq!(status_of(&fake, "u1"), Some(StatusValue::Disabled as i32));
    let log = fake.call_log();
    assert_eq!(
        log.iter()
            .filter(|c| c.starts_with("action_status"))
            .count(),
        1,
        "{log:?}"
    );
}

#[tokio::test]
async fn interrupting_the_wait_says_how_to_follow_the_action_up() {
    let fake = builder().pending_actions(true).build();
    let program = Program::new(fake.clone());
    let cancel = CancellationToken::new();
    // Cancel once the invocation reached the connector; the hour-long poll interval never
    // elapses, so the wait is what gets interrupted.
    let watcher = {
        let fake = fake.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            // Bounded (a minute), so a broken invocation fails the assertions below instead
            // of hanging the test.
            for _ in 0..12_000 {
                if fake
                    .call_log()
                    .iter()
                    .any(|c| c.starts_with("action user disable"))
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            cancel.cancel();
        })
    };
    let ran = exec_with(
        &program,
        &[
            "-p",
            "--invoke-action",
            "disable",
            "--invoke-action-resource-type",
            "user",
            "--invoke-action-args",
            DISABLE_U1,
            "--action-poll-interval-ms",
            "3600000",
        ],
        &cancel,
        &mut Vec::new(),
    )
    .await;
    watcher.await.expect("the watcher ends");
    assert_eq!(ran.code, 130, "{ran:?}");
    assert!(
        ran.err.contains(
            "interrupted while action 'disable' of user was BATON_ACTION_STATUS_PENDING: it may still finish; see its status with --action-status fake-action-1"
        ),
        "{}",
        ran.err
    );
    assert_eq!(ran.out, "");
}

#[tokio::test]
async fn bad_arguments_and_unknown_actions_are_refused_with_what_there_is() {
    let fake = builder().build();
    let program = Program::new(fake.clone());
    let invoke = |name: &'static str, args: &'static str| {
        [
            "-p",
            "--invoke-action",
            name,
            "--invoke-action-resource-type",
            "user",
            "--invoke-action-args",
            args,
        ]
    };
    let ran = exec(&program, &invoke("disable", "{oops")).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains("--invoke-action-args is not valid JSON"),
        "{}",
        ran.err
    );
    assert!(
        ran.err
            .contains(r#"{"resource_id":{"resource_type_id":"user""#),
        "{}",
        ran.err
    );
    let ran = exec(&program, &invoke("disable", "[]")).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains("must be a JSON object such as"),
        "{}",
        ran.err
    );
    assert!(
        program.connects().is_empty(),
        "malformed input never connects"
    );

    let ran = exec(&program, &invoke("disable", "{}")).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.err.contains("resource_id"), "{}", ran.err);

    let ran = exec(&program, &invoke("explode", "{}")).await;
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(
        ran.err.contains(
            "action \"explode\" not found for resource type user; actions there: enable, disable"
        ),
        "{}",
        ran.err
    );

    let ran = exec(
        &program,
        &invoke(
            "disable",
            r#"{"resource_id":{"resource_type_id":"user","resource_id":"nobody"}}"#,
        ),
    )
    .await;
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(
        ran.err.contains("the fake has no resource user:nobody"),
        "{}",
        ran.err
    );

    let ran = exec(
        &program,
        &[
            "-p",
            "--invoke-action",
            "disable",
            "--invoke-action-resource-type",
            "group",
        ],
    )
    .await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.err
            .contains("resource type \"group\" has no actions; types that do: user"),
        "{}",
        ran.err
    );
    assert_eq!(status_of(&fake, "u1"), Some(StatusValue::Enabled as i32));

    let ran = exec(&program, &["--action-status", "fake-action-99"]).await;
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(
        ran.err.contains("action id \"fake-action-99\" not found"),
        "{}",
        ran.err
    );
}

#[tokio::test]
async fn a_failed_or_unknown_outcome_is_not_success() {
    let program = Program::new(Scripted::answering(AccountCreated::created(Resource::new(
        "user", "U1", "U",
    ))));
    let ran = exec(&program, &["-p", "--invoke-action", "refused"]).await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert_eq!(
        parse(&ran.out),
        json!({
            "id": "a-1",
            "status": "BATON_ACTION_STATUS_FAILED",
            "response": {"error": "the directory refused the change"},
            "name": "refused"
        })
    );
    assert!(
        ran.err
            .contains("error: action 'refused' (id a-1) failed: the directory refused the change"),
        "{}",
        ran.err
    );
    let ran = exec(&program, &["-p", "--invoke-action", "vague"]).await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.err.contains(
            "ended with status BATON_ACTION_STATUS_UNKNOWN: it is not known whether it took effect"
        ),
        "{}",
        ran.err
    );
}
