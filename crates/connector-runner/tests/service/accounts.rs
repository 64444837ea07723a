//! `create_account` and `delete_resource` tasks against the fake connector.

use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_sdk::model::{
    AccountInfo, AnnotationsExt, Capability, CreateAccountResponse, CredentialOptions,
    DeleteResourceResponse, EncryptedData, EncryptionConfig, ResourceDoesNotExist, ResourceId,
    create_account_response, credential_options, encryption_config,
};
use c1_connector_sdk::testing::FakeConnector;

use crate::answers::{Failed, failure, response, success};
use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, start,
};

fn connector() -> FakeConnector {
    connector_builder()
        .accounts("user")
        .deletion("user")
        .build()
}

fn user_ids(fake: &FakeConnector) -> Vec<String> {
    let mut ids: Vec<String> = fake
        .current_resources()
        .iter()
        .filter_map(|r| r.id.as_ref())
        .filter(|i| i.resource_type == "user")
        .map(|i| i.resource.clone())
        .collect();
    ids.sort();
    ids
}

fn failed(code: i32, message: &str) -> Failed {
    Failed {
        code,
        message: message.to_owned(),
        non_retryable: true,
    }
}

#[tokio::test]
async fn accounts_are_created_and_resources_deleted_as_baton_answers() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let fake = connector();
    let ann = || Some(AccountInfo::new("ann").with_email("ann@example.com", true));
    let identity = age::x25519::Identity::generate();
    let id = tasks::task_id;
    let queue = [
        tasks::create_account(
            &id(1),
            ann(),
            Some(CredentialOptions::no_password()),
            Vec::new(),
            "user",
        ),
        tasks::create_account(&id(2), ann(), None, Vec::new(), ""),
        tasks::create_account(
            &id(3),
            Some(AccountInfo::new("rp")),
            Some(CredentialOptions::random_password(16)),
            Vec::new(),
            "user",
        ),
        tasks::create_account(
            &id(4),
            Some(AccountInfo::new("rp")),
            Some(CredentialOptions::random_password(16)),
            vec![EncryptionConfig {
                provider: "baton/jwk/v1".into(),
                ..EncryptionConfig::default()
            }],
            "user",
        ),
        tasks::create_account(
            &id(5),
            Some(AccountInfo::new("ep")),
            Some(CredentialOptions {
                force_change_at_next_login: false,
                options: Some(credential_options::Options::EncryptedPassword(
                    credential_options::EncryptedPassword {
                        encrypted_passwords: vec![EncryptedData {
                            encrypted_bytes: b"x".to_vec(),
                            ..EncryptedData::default()
                        }],
                    },
                )),
            }),
            Vec::new(),
            "user",
        ),
        tasks::create_account(&id(6), None, None, Vec::new(), "user"),
        tasks::create_account(
            &id(13),
            Some(AccountInfo::new("rp2")),
            Some(CredentialOptions::random_password(16)),
            vec![EncryptionConfig {
                provider: "baton/age/v1".into(),
                config: Some(encryption_config::Config::AgeRecipientConfig(
                    encryption_config::AgeRecipientConfig {
                        recipient: identity.to_public().to_string(),
                    },
                )),
                ..EncryptionConfig::default()
            }],
            "user",
        ),
        tasks::create_account(
            &id(7),
            Some(AccountInfo::new("r")),
            None,
            Vec::new(),
            "role",
        ),
        tasks::delete_resource(&id(8), Some(ResourceId::new("user", "u2"))),
        tasks::delete_resource(&id(9), Some(ResourceId::new("user", "u2"))),
        tasks::delete_resource(&id(10), None),
        tasks::delete_resource(&id(11), Some(ResourceId::new("user", ""))),
        tasks::delete_resource(&id(12), Some(ResourceId::new("role", "admin"))),
    ];
    let last = id(12);
    // One slot: the tasks run in order, so the second creation sees the first.
    let running = start(
        fake.clone(),
        config(&c1, temp.path()).with_task_concurrency(1),
    );
    for task in queue {
        c1.push_task(task);
    }
    let records = c1
        .wait_until(WAIT, |r| r.finished_for(&last).len() == 1)
        .await?;
    running.stop().await?;
    assert_eq!(records.rejections(), Vec::<String>::new());

    // Hello declares the new capabilities.
    let caps = records.hellos()[0]
        .connector_metadata
        .as_ref()
        .and_then(|m| m.capabilities.clone())
        .expect("capabilities");
    for c in [Capability::AccountProvisioning, Capability::ResourceDelete] {
        assert!(caps.connector_capabilities.contains(&(c as i32)), "{c:?}");
    }

    use create_account_response::Result as R;
    let created: CreateAccountResponse = response(&records, &id(1));
    match &created.result {
        Some(R::Success(s)) => {
            assert!(s.is_create_account_result);
            let r = s.resource.as_ref().expect("a resource");
            assert_eq!(r.id, Some(ResourceId::new("user", "ann")));
        }
        other => panic!("{other:?}"),
    }
    assert!(created.encrypted_data.is_empty());
    // No resource type and no options: the only account manager, its default.
    let again: CreateAccountResponse = response(&records, &id(2));
    assert!(
        matches!(again.result, Some(R::AlreadyExists(_))),
        "{again:?}"
    );

    // A random password nobody could receive is refused before anything is created: without
    // recipients, and with a recipient whose config carries no key.
    let f = failure(&records, &id(3));
    assert_eq!((f.code, f.non_retryable), (9, true), "{f:?}");
    assert!(f.message.contains("no account was created"), "{f:?}");
    let f = failure(&records, &id(4));
    assert_eq!((f.code, f.non_retryable), (3, true), "{f:?}");
    assert!(f.message.contains("encryption config 0"), "{f:?}");
    // With an age recipient, it is delivered encrypted to it, and only to it.
    let delivered: CreateAccountResponse = response(&records, &id(13));
    assert!(
        matches!(delivered.result, Some(R::Success(_))),
        "{delivered:?}"
    );
    assert_eq!(delivered.encrypted_data.len(), 1);
    let sealed = &delivered.encrypted_data[0];
    assert_eq!(sealed.provider, "baton/age/v1");
    let password = age::decrypt(&identity, &sealed.encrypted_bytes)?;
    assert_eq!(password.len(), 16);
    // A chosen password needs the client secret to decrypt, which tasks do not carry.
    let f = failure(&records, &id(5));
    assert_eq!((f.code, f.non_retryable), (12, true), "{f:?}");
    assert!(f.message.contains("client secret"), "{f:?}");
    assert_eq!(
        failure(&records, &id(6)),
        failed(2, "malformed create account task")
    );
    let f = failure(&records, &id(7));
    assert_eq!((f.code, f.non_retryable), (12, true), "{f:?}");
    assert!(f.message.contains("types that do: user"), "{f:?}");
    assert_eq!(user_ids(&fake), ["ann", "rp2", "u1", "u3"]);

    let deleted: DeleteResourceResponse = response(&records, &id(8));
    assert!(deleted.annotations.is_empty());
    let gone = success(&records, &id(9));
    assert!(
        gone.annotations
            .contains_annotation::<ResourceDoesNotExist>()
    );
    let gone: DeleteResourceResponse = response(&records, &id(9));
    assert!(
        gone.annotations
            .contains_annotation::<ResourceDoesNotExist>()
    );
    for n in [10, 11] {
        assert_eq!(
            failure(&records, &id(n)),
            failed(2, "malformed delete resource task")
        );
    }
    let f = failure(&records, &id(12));
    assert_eq!((f.code, f.non_retryable), (12, true), "{f:?}");
    assert!(
        f.message
            .contains("does not support deletion; types that do: user"),
        "{f:?}"
    );
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn without_provisioning_nothing_is_created_deleted_or_invoked() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let fake = connector_builder()
        .accounts("user")
        .deletion("user")
        .enable_disable_actions("user")
        .build();
    let id = tasks::task_id;
    c1.push_task(tasks::create_account(
        &id(1),
        Some(AccountInfo::new("ann")),
        None,
        Vec::new(),
        "",
    ));
    c1.push_task(tasks::delete_resource(
        &id(2),
        Some(ResourceId::new("user", "u1")),
    ));
    c1.push_task(tasks::action_invoke(&id(3), "disable", "user", None));
    c1.push_task(tasks::action_list_schemas(&id(4), ""));
    let running = start(
        fake.clone(),
        config(&c1, temp.path()).with_provisioning(false),
    );
    let records = c1
        .wait_until(WAIT, |r| (1..=4).all(|n| r.finished_for(&id(n)).len() == 1))
        .await?;
    running.stop().await?;
    for n in 1..=3 {
        assert_eq!(
            failure(&records, &id(n)),
            failed(9, "provisioning is not enabled")
        );
    }
    // Reading schemas changes nothing and needs no provisioning.
    success(&records, &id(4));
    assert_eq!(user_ids(&fake), ["u1", "u2", "u3"]);
    assert!(
        fake.call_log()
            .iter()
            .all(|c| !c.starts_with("create_account")
                && !c.starts_with("delete")
                && !c.starts_with("action")),
        "{:?}",
        fake.call_log()
    );
    c1.stop().await;
    Ok(())
}
