//! `--create-account-*` and `--delete-resource`.

use c1_connector_sdk::connector::{AccountCreated, CredentialOption};
use c1_connector_sdk::model::{
    CapabilityDetailCredentialOption as Opt, Resource, ResourceId, ResourceType, Trait, UserTrait,
    struct_to_json,
};
use c1_connector_sdk::testing::FakeConnector;
use serde_json::json;

use super::scripted::{Script, Scripted};
use super::support::{Program, exec};
use crate::program::Purpose;

fn fake() -> FakeConnector {
    FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
        .resource_type(ResourceType::new("group", "Group").with_trait(Trait::Group))
        .resources([
            Resource::new("user", "u1", "u1").with_user_trait(UserTrait::new()),
            Resource::new("group", "g1", "G1"),
        ])
        .accounts("user")
        .deletion("user")
        .build()
}

fn ids(fake: &FakeConnector) -> Vec<String> {
    let mut ids: Vec<String> = fake
        .current_resources()
        .iter()
        .filter_map(|r| {
            r.id.as_ref()
                .map(|i| format!("{}:{}", i.resource_type, i.resource))
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn creating_an_account_needs_provisioning() {
    let fake = fake();
    let program = Program::new(fake.clone());
    let ran = exec(&program, &["--create-account-login", "ann"]).await;
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(
        ran.err
            .contains("provisioning is not enabled: add --provisioning (or BATON_PROVISIONING=true) to create accounts"),
        "{}",
        ran.err
    );
    assert!(
        program.connects().is_empty(),
        "nothing is built before the refusal"
    );
    assert_eq!(fake.calls(), 0);
}

#[tokio::test]
async fn an_account_is_created_and_a_second_run_says_it_exists() {
    let fake = fake();
    let program = Program::new(fake.clone());
    let args = [
        "--provisioning",
        "--create-account-login",
        "ann",
        "--create-account-email",
        "ann@example.com",
        "--create-account-profile",
        r#"{"name":"Ann Lee","email":"ann.lee@example.com"}"#,
    ];
    let ran = exec(&program, &args).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    // The profile's email wins over the flag (baton fills only missing keys).
    assert_eq!(ran.err, "created user 'ann' (\"ann.lee@example.com\")\n");
    assert_eq!(ran.out, "");
    assert_eq!(program.connects(), vec![Purpose::Provision]);
    let ann = fake
        .current_resources()
        .into_iter()
        .find(|r| r.id == Some(ResourceId::new("user", "ann")))
        .expect("the account exists in the fake");
    assert_eq!(
        ann.profile.as_ref().map(struct_to_json),
        Some(json!({"login": "ann", "email": "ann.lee@example.com", "name": "Ann Lee"}))
    );
    assert_eq!(ids(&fake), ["group:g1", "user:ann", "user:u1"]);

    let again = exec(&program, &args).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        again.err,
        "user 'ann' (\"ann.lee@example.com\") already exists: nothing was created\n"
    );
    assert_eq!(ids(&fake), ["group:g1", "user:ann", "user:u1"]);
}

#[tokio::test]
async fn login_and_email_flags_alone_make_the_profile() {
    let fake = fake();
    let program = Program::new(fake.clone());
    let ran = exec(
        &program,
        &[
            "-p",
            "--create-account-login",
            "bob",
            "--create-account-email",
            "bob@example.com",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    let bob = fake
        .current_resources()
        .into_iter()
        .find(|r| r.id == Some(ResourceId::new("user", "bob")))
        .expect("created");
    assert_eq!(
        bob.profile.as_ref().map(struct_to_json),
        Some(json!({"login": "bob", "email": "bob@example.com"}))
    );
    let user = bob
        .annotations
        .iter()
        .find_map(|a| {
            (c1_connector_sdk::model::any_type_name(a) == "UserTrait")
                .then(|| <UserTrait as prost::Message>::decode(a.value.as_slice()).ok())
                .flatten()
        })
        .expect("a user trait");
    assert_eq!(user.emails[0].address, "bob@example.com");
    assert!(user.emails[0].is_primary);
}

#[tokio::test]
async fn a_random_password_is_generated_and_never_shown() {
    let fake = fake();
    let program = Program::new(fake.clone());
    let ran = exec(
        &program,
        &[
            "--provisioning",
            "--create-account-login",
            "cy",
            "--create-account-credential",
            "random-password",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.out, "", "nothing on standard output");
    let lines: Vec<&str> = ran.err.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "created user 'cy'");
    assert!(
        lines[1].starts_with("1 generated credential(s) (a random password) were discarded unread"),
        "{}",
        lines[1]
    );
    assert!(ids(&fake).contains(&"user:cy".to_owned()));
}

#[tokio::test]
async fn the_preferred_option_is_the_default_and_a_choice_is_passed_on() {
    let scripted = Scripted::new(Script {
        result: AccountCreated::created(Resource::new("user", "U9", "Dee")),
        supported: vec![Opt::NoPassword, Opt::Sso],
        preferred: Opt::Sso,
    });
    let program = Program::new(scripted.clone());
    let ran = exec(
        &program,
        &["-p", "--create-account-email", "dee@example.com"],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.err, "created user 'U9' (\"Dee\")\n");
    let ran = exec(
        &program,
        &[
            "-p",
            "--create-account-email",
            "dee@example.com",
            "--create-account-credential",
            "no-password",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    let seen: Vec<CredentialOption> = scripted
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|o| o.as_ref().expect("options are always sent").option.clone())
        .collect();
    assert_eq!(
        seen,
        vec![
            CredentialOption::Sso {
                provider: String::new()
            },
            CredentialOption::NoPassword
        ]
    );
}

#[tokio::test]
async fn unsupported_and_unusable_credential_options_are_refused_before_creating() {
    let scripted = Scripted::answering(AccountCreated::created(Resource::new("user", "U1", "U")));
    let program = Program::new(scripted.clone());
    let ran = exec(
        &program,
        &[
            "-p",
            "--create-account-login",
            "x",
            "--create-account-credential",
            "sso",
        ],
    )
    .await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains(
            "resource type user does not support --create-account-credential sso for new accounts; supported: no-password"
        ),
        "{}",
        ran.err
    );

    let encrypted = Scripted::new(Script {
        result: AccountCreated::created(Resource::new("user", "U1", "U")),
        supported: vec![Opt::EncryptedPassword, Opt::NoPassword],
        preferred: Opt::EncryptedPassword,
    });
    let program = Program::new(encrypted.clone());
    let ran = exec(&program, &["-p", "--create-account-login", "x"]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains("prefers CAPABILITY_DETAIL_CREDENTIAL_OPTION_ENCRYPTED_PASSWORD, which cannot be given on a command line: choose --create-account-credential (no-password)"),
        "{}",
        ran.err
    );
    let created = |s: &Scripted| s.created.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!((created(&scripted), created(&encrypted)), (0, 0));
}

#[tokio::test]
async fn action_required_and_in_progress_are_reported_as_such() {
    let cases = [
        (
            AccountCreated::action_required("approve the invitation in the admin console", None),
            "action required: approve the invitation in the admin console\n",
        ),
        (
            AccountCreated::action_required(
                "verify the email",
                Some(Resource::new("user", "U2", "U2")),
            ),
            "action required: verify the email (the account is user 'U2')\n",
        ),
        (
            AccountCreated::in_progress(None),
            "account creation is in progress: the user account 'eve' does not exist yet\n",
        ),
    ];
    for (result, expected) in cases {
        let program = Program::new(Scripted::answering(result));
        let ran = exec(&program, &["-p", "--create-account-login", "eve"]).await;
        assert_eq!(ran.code, 0, "{ran:?}");
        assert_eq!(ran.err, expected);
        assert_eq!(ran.out, "");
    }
}

#[tokio::test]
async fn a_malformed_profile_is_exit_2_with_the_expected_shape() {
    for (profile, says) in [
        ("{not json", "--create-account-profile is not valid JSON"),
        (
            "[1,2]",
            "--create-account-profile must be a JSON object such as",
        ),
        ("\"ann\"", "not a string"),
    ] {
        let fake = fake();
        let program = Program::new(fake.clone());
        let ran = exec(&program, &["-p", "--create-account-profile", profile]).await;
        assert_eq!(ran.code, 2, "{profile}: {ran:?}");
        assert!(ran.err.contains(says), "{profile}: {}", ran.err);
        assert!(ran.err.contains(r#"{"login":"ann""#), "{}", ran.err);
        assert!(program.connects().is_empty());
        assert_eq!(fake.calls(), 0);
    }
}

#[tokio::test]
async fn types_that_do_not_create_accounts_name_those_that_do() {
    let program = Program::new(fake());
    let ran = exec(
        &program,
        &[
            "-p",
            "--create-account-login",
            "x",
            "--create-account-resource-type",
            "group",
        ],
    )
    .await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.err
            .contains("resource type \"group\" does not create accounts; types that do: user"),
        "{}",
        ran.err
    );
    let none = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .build();
    let ran = exec(&Program::new(none), &["-p", "--create-account-login", "x"]).await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.err.contains("this connector does not create accounts"),
        "{}",
        ran.err
    );
}

#[tokio::test]
async fn companion_flags_without_their_command_are_refused() {
    let program = Program::new(fake());
    let ran = exec(&program, &["--create-account-resource-type", "user"]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains("is only used with --create-account-login"),
        "{}",
        ran.err
    );
    let ran = exec(&program, &["--delete-resource", "u1"]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.err.contains("--delete-resource-type"), "{}", ran.err);
    let ran = exec(
        &program,
        &[
            "-p",
            "--delete-resource",
            "u1",
            "--delete-resource-type",
            "user",
            "--create-account-login",
            "x",
        ],
    )
    .await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err.contains(
            "one command at a time: --create-account-* and --delete-resource were given together"
        ),
        "{}",
        ran.err
    );
    assert!(program.connects().is_empty());
}

#[tokio::test]
async fn deleting_needs_provisioning_deletes_and_then_says_it_is_gone() {
    let fake = fake();
    let program = Program::new(fake.clone());
    let args = ["--delete-resource", "u1", "--delete-resource-type", "user"];
    let ran = exec(&program, &args).await;
    assert_eq!(ran.code, 5, "{ran:?}");
    assert!(ran.err.contains("to delete resources"), "{}", ran.err);
    assert_eq!(ids(&fake), ["group:g1", "user:u1"]);

    let with = [
        "-p",
        "--delete-resource",
        "u1",
        "--delete-resource-type",
        "user",
    ];
    let ran = exec(&program, &with).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.err, "deleted user 'u1'\n");
    assert_eq!(ran.out, "");
    assert_eq!(ids(&fake), ["group:g1"]);

    let again = exec(&program, &with).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        again.err,
        "user 'u1' does not exist (already deleted?): nothing changed\n"
    );
}

#[tokio::test]
async fn deleting_a_type_without_deletion_names_the_types_that_have_it() {
    let fake = fake();
    let program = Program::new(fake.clone());
    let ran = exec(
        &program,
        &[
            "-p",
            "--delete-resource",
            "g1",
            "--delete-resource-type",
            "group",
        ],
    )
    .await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.err
            .contains("resource type \"group\" does not support deletion; types that do: user"),
        "{}",
        ran.err
    );
    assert_eq!(ids(&fake), ["group:g1", "user:u1"]);
}
