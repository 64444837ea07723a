//! Account creation through the dispatch helper and the fake connector.

use std::sync::Arc;

use c1_connector_sdk::connector::{Connector, CredentialCrypto, Password};
use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::error::{Code, Error};
use c1_connector_sdk::model::{
    AccountInfo, CreateAccountRequest, CreateAccountResponse, CredentialOptions, EncryptedData,
    EncryptionConfig, PlaintextData, UserTrait, create_account_response::Result as Outcome,
    credential_options::EncryptedPassword, credential_options::Options, pack,
};
use c1_connector_sdk::ops::{account_manager_syncer, create_account};
use c1_connector_sdk::store::JsonlWriter;
use c1_connector_sdk::testing::{FakeOp, Fault};
use prost::Message;

use super::org;

fn request(login: &str, options: Option<CredentialOptions>) -> CreateAccountRequest {
    CreateAccountRequest {
        account_info: Some(
            AccountInfo::new(login)
                .with_email(format!("{login}@example.com"), true)
                .with_login_alias(format!("{login}.alias")),
        ),
        credential_options: options,
        encryption_configs: Vec::new(),
        resource_type_id: "user".into(),
    }
}

/// "Encrypts" by reversing, so a test can see what was delivered.
struct Reverse;

impl CredentialCrypto for Reverse {
    fn decrypt_password(&self, encrypted: &[EncryptedData]) -> Result<Password, Error> {
        Ok(Password::new(
            String::from_utf8_lossy(&encrypted[0].encrypted_bytes).into_owned(),
        ))
    }
    fn encrypt(
        &self,
        plaintext: &PlaintextData,
        recipients: &[EncryptionConfig],
    ) -> Result<Vec<EncryptedData>, Error> {
        Ok(recipients
            .iter()
            .map(|r| EncryptedData {
                provider: r.provider.clone(),
                name: plaintext.name.clone(),
                encrypted_bytes: plaintext.bytes.iter().rev().copied().collect(),
                ..Default::default()
            })
            .collect())
    }
}

#[tokio::test]
async fn created_account_is_visible_to_a_later_sync() {
    let fake = org().accounts("user").build();
    let resp = create_account(&fake, &request("ann", None), None)
        .await
        .unwrap();
    let Some(Outcome::Success(ok)) = &resp.result else {
        panic!("{resp:?}")
    };
    assert!(ok.is_create_account_result);
    let created = ok.resource.clone().unwrap();
    assert_eq!(created.resource_id().resource, "ann");
    let user: UserTrait =
        c1_connector_sdk::model::AnnotationsExt::get_annotation(created.annotations.as_slice())
            .unwrap();
    assert_eq!(user.login, "ann");
    assert_eq!(user.emails[0].address, "ann@example.com");
    assert_eq!(user.login_aliases, ["ann.alias"]);

    let mut out = JsonlWriter::new(Vec::new());
    let stats = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut out)
        .await
        .unwrap();
    assert_eq!(stats.resources_by_type["user"], 6);
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    assert!(text.contains("ann@example.com"));

    // The FinishTask response packs it as Any.
    let any = pack(&resp);
    assert_eq!(
        any.type_url,
        "type.googleapis.com/c1.connector.v2.CreateAccountResponse"
    );
    assert_eq!(
        CreateAccountResponse::decode(any.value.as_slice()).unwrap(),
        resp
    );

    // Creating it again creates nothing.
    let again = create_account(&fake, &request("ann", None), None)
        .await
        .unwrap();
    assert!(matches!(again.result, Some(Outcome::AlreadyExists(_))));
    assert_eq!(fake.current_resources().len(), 11);
}

#[tokio::test]
async fn the_account_manager_is_chosen_like_baton() {
    let one = org().accounts("group").build();
    let s = account_manager_syncer(&one.syncers(), "").unwrap();
    assert_eq!(s.resource_type().id, "group", "the only manager");

    let two = org().accounts("group").accounts("user").build();
    let s = account_manager_syncer(&two.syncers(), "").unwrap();
    assert_eq!(s.resource_type().id, "user", "user by default");

    let ambiguous = org().accounts("group").accounts("team").build();
    let Err(e) = account_manager_syncer(&ambiguous.syncers(), "") else {
        panic!("ambiguous choice accepted")
    };
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("group, team"), "{e}");

    let e = create_account(&one, &request("x", None), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    assert!(e.message().contains("types that do: group"), "{e}");

    let none = org().build();
    let e = create_account(&none, &request("x", None), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);

    let mut no_info = request("x", None);
    no_info.account_info = None;
    let e = create_account(&two, &no_info, None).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn a_random_password_is_delivered_encrypted_or_nothing_is_created() {
    let fake = org().accounts("user").build();
    let before = fake.current_resources().len();

    // Nobody could receive the password: refused before creating anything.
    let r = request("bob", Some(CredentialOptions::random_password(12)));
    let e = create_account(&fake, &r, Some(&Reverse)).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert_eq!(fake.current_resources().len(), before);
    assert!(
        !fake
            .call_log()
            .iter()
            .any(|l| l.starts_with("create_account"))
    );

    let mut r = r;
    r.encryption_configs = vec![EncryptionConfig {
        provider: "test".into(),
        ..Default::default()
    }];
    let e = create_account(&fake, &r, None).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert_eq!(fake.current_resources().len(), before);

    let resp = create_account(&fake, &r, Some(&Reverse)).await.unwrap();
    assert!(matches!(resp.result, Some(Outcome::Success(_))));
    assert_eq!(resp.encrypted_data.len(), 1);
    let delivered = &resp.encrypted_data[0];
    assert_eq!(delivered.provider, "test");
    assert_eq!(delivered.name, "password");
    assert_eq!(delivered.encrypted_bytes.len(), 12);
    assert!(
        delivered
            .encrypted_bytes
            .iter()
            .all(u8::is_ascii_alphanumeric)
    );
    assert_eq!(fake.current_resources().len(), before + 1);
}

#[tokio::test]
async fn unsupported_or_invalid_credential_options_are_refused() {
    let fake = org().accounts("user").build();
    let encrypted = CredentialOptions {
        force_change_at_next_login: false,
        options: Some(Options::EncryptedPassword(EncryptedPassword {
            encrypted_passwords: vec![EncryptedData {
                encrypted_bytes: b"chosen".to_vec(),
                ..Default::default()
            }],
        })),
    };
    // The fake does not declare encrypted passwords.
    let e = create_account(
        &fake,
        &request("c", Some(encrypted.clone())),
        Some(&Reverse),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("ENCRYPTED_PASSWORD"), "{e}");
    assert!(!e.to_string().contains("chosen"));
    // Without a decryptor it cannot even be read.
    let e = create_account(&fake, &request("c", Some(encrypted)), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    // An option-less CredentialOptions is invalid (baton: "invalid credential options").
    let e = create_account(
        &fake,
        &request("c", Some(CredentialOptions::default())),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    // SSO is supported.
    let ok = create_account(
        &fake,
        &request("c", Some(CredentialOptions::sso("okta"))),
        None,
    )
    .await
    .unwrap();
    assert!(matches!(ok.result, Some(Outcome::Success(_))));
}

#[tokio::test]
async fn a_failing_connector_creates_nothing_and_says_so() {
    let fake = org()
        .accounts("user")
        .fault(Fault::new(FakeOp::CreateAccount, Code::Unavailable))
        .build();
    let before = fake.current_resources().len();
    let e = create_account(&fake, &request("dan", None), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert_eq!(fake.current_resources().len(), before);
}
