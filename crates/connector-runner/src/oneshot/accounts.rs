//! `--create-account-*` and `--delete-resource` (baton-sdk's `pkg/provisioner`
//! `createAccount` and `deleteResource`).
//!
//! baton's one-shot account creation always asks for a 20-character random password encrypted
//! to a key it generates and throws away, so nobody ever learns the password. Here the
//! credential option is a flag (`--create-account-credential`, default: the connector's
//! preferred option); when it is a random password, the generated credential is discarded in
//! the same spirit and never printed, logged or written anywhere.

use std::sync::atomic::{AtomicUsize, Ordering};

use c1_connector_sdk::connector::{Connector, CredentialCrypto, Password};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    AccountInfo, AnnotationsExt, CapabilityDetailCredentialOption as Opt, CreateAccountRequest,
    CreateAccountResponse, CredentialOptions, DeleteResourceRequest, EncryptedData,
    EncryptionConfig, PlaintextData, ResourceDoesNotExist, ResourceId, create_account_response,
    json_object_to_struct,
};
use c1_connector_sdk::ops::{Operations, account_manager_syncer};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::flags::{given, parse_object};
use super::interrupt::unless_interrupted;
use super::io::{Io, describe};
use crate::cli::{AccountCredential, BatonArgs};
use crate::exit::{Failure, Outcome};

/// The length of a random password, as baton's one-shot account creation asks.
const RANDOM_PASSWORD_LENGTH: i64 = 20;

/// The provider named in the encryption config of a discarded credential.
const DISCARD_PROVIDER: &str = "c1-connector-runner/discard";

/// An account to create, from the flags.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateAccount {
    pub(crate) info: AccountInfo,
    pub(crate) resource_type: String,
    pub(crate) credential: Option<AccountCredential>,
}

impl CreateAccount {
    /// baton's rules: the profile is a JSON object; the login and email flags fill its `login`
    /// and `email` when it has none; the account's login and email are then the profile's
    /// (strings only). Without a profile, the profile is `{login, email}` (the given ones).
    pub(crate) fn from_args(args: &BatonArgs) -> Result<Self, Failure> {
        let login_flag = given(&args.create_account_login);
        let email_flag = given(&args.create_account_email);
        let mut profile = match given(&args.create_account_profile) {
            Some(text) => parse_object(
                text,
                "--create-account-profile",
                r#"'{"login":"ann","email":"ann@example.com","name":"Ann Lee"}'"#,
            )?,
            None => Map::new(),
        };
        for (key, flag) in [("login", login_flag), ("email", email_flag)] {
            if let Some(value) = flag {
                profile
                    .entry(key)
                    .or_insert_with(|| Value::String(value.to_owned()));
            }
        }
        let text = |key: &str| profile.get(key).and_then(Value::as_str).unwrap_or_default();
        let mut info = AccountInfo::new(text("login"));
        if !text("email").is_empty() {
            info = info.with_email(text("email"), true);
        }
        let info = info.with_profile(json_object_to_struct(profile));
        Ok(CreateAccount {
            info,
            resource_type: given(&args.create_account_resource_type)
                .unwrap_or_default()
                .to_owned(),
            credential: args.create_account_credential,
        })
    }
}

fn flag_value(option: Opt) -> Option<&'static str> {
    match option {
        Opt::NoPassword => Some("no-password"),
        Opt::RandomPassword => Some("random-password"),
        Opt::Sso => Some("sso"),
        _ => None,
    }
}

fn option_of(credential: AccountCredential) -> Opt {
    match credential {
        AccountCredential::NoPassword => Opt::NoPassword,
        AccountCredential::RandomPassword => Opt::RandomPassword,
        AccountCredential::Sso => Opt::Sso,
    }
}

/// The credential option to ask for: the flag's, checked against what the account manager
/// supports, or its preferred one.
fn choose_option(
    connector: &dyn Connector,
    request: &CreateAccount,
) -> Result<(Opt, String), Failure> {
    let syncers = connector.syncers();
    let syncer = account_manager_syncer(&syncers, &request.resource_type)?;
    let resource_type = syncer.resource_type().id;
    let details = syncer
        .account_manager()
        .ok_or_else(|| {
            Failure::failed(format!(
                "the syncer of {resource_type} stopped offering an account manager"
            ))
        })?
        .capability_details();
    let supported: Vec<&str> = details
        .supported_credential_options
        .iter()
        .filter_map(|o| Opt::try_from(*o).ok())
        .filter_map(flag_value)
        .collect();
    let shown = if supported.is_empty() {
        "none that a command line can give".to_owned()
    } else {
        supported.join(", ")
    };
    let option = match request.credential {
        Some(credential) => {
            let option = option_of(credential);
            if !details.supports(option) {
                return Err(Failure::usage(format!(
                    "resource type {resource_type} does not support --create-account-credential {} for new accounts; supported: {shown}",
                    flag_value(option).unwrap_or_default()
                )));
            }
            option
        }
        None => {
            let preferred =
                Opt::try_from(details.preferred_credential_option).unwrap_or(Opt::Unspecified);
            if flag_value(preferred).is_none() {
                return Err(Failure::usage(format!(
                    "resource type {resource_type} prefers {}, which cannot be given on a command line: choose --create-account-credential ({shown})",
                    preferred.proto_name()
                )));
            }
            preferred
        }
    };
    Ok((option, resource_type))
}

/// Takes the credentials a connector generated and drops them unread, counting them, so the
/// user can be told (baton encrypts them to a key it throws away).
#[derive(Default)]
struct Discard {
    discarded: AtomicUsize,
}

impl CredentialCrypto for Discard {
    fn decrypt_password(&self, _: &[EncryptedData]) -> Result<Password, Error> {
        Err(Error::unimplemented(
            "a chosen (encrypted) password cannot be given on the command line",
        ))
    }

    fn encrypt(
        &self,
        _plaintext: &PlaintextData,
        _recipients: &[EncryptionConfig],
    ) -> Result<Vec<EncryptedData>, Error> {
        self.discarded.fetch_add(1, Ordering::Relaxed);
        Ok(Vec::new())
    }
}

/// Creates the account and says what happened.
pub(super) async fn create(
    ops: &Operations,
    request: &CreateAccount,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
) -> Result<(), Outcome> {
    let (option, resource_type) = choose_option(ops.connector().as_ref(), request)?;
    let discard = Discard::default();
    let (credential_options, encryption_configs) = match option {
        Opt::RandomPassword => (
            CredentialOptions::random_password(RANDOM_PASSWORD_LENGTH),
            vec![EncryptionConfig {
                provider: DISCARD_PROVIDER.to_owned(),
                ..EncryptionConfig::default()
            }],
        ),
        Opt::Sso => (CredentialOptions::sso(""), Vec::new()),
        _ => (CredentialOptions::no_password(), Vec::new()),
    };
    let wire = CreateAccountRequest {
        account_info: Some(request.info.clone()),
        credential_options: Some(credential_options),
        encryption_configs,
        resource_type_id: resource_type.clone(),
    };
    let who = if request.info.login.is_empty() {
        request
            .info
            .primary_email()
            .unwrap_or("(no login)")
            .to_owned()
    } else {
        request.info.login.clone()
    };
    let response = unless_interrupted(
        cancel,
        || {
            format!(
                "interrupted: the {resource_type} account '{who}' may or may not have been created; check before running this again"
            )
        },
        ops.create_account(&wire, Some(&discard)).await,
    )?;
    let line = created_line(&response, &resource_type, &who)?;
    io.note(&line);
    let n = discard.discarded.load(Ordering::Relaxed);
    if n > 0 {
        io.note(&format!(
            "{n} generated credential(s) (a random password) were discarded unread, as baton does: nobody knows them; set a password in the connected system before the account signs in with one"
        ));
    }
    Ok(())
}

/// The line that says what the creation of `who` did.
fn created_line(
    response: &CreateAccountResponse,
    resource_type: &str,
    who: &str,
) -> Result<String, Failure> {
    use create_account_response::Result as R;
    Ok(match &response.result {
        Some(R::Success(s)) => {
            let mut line = match &s.resource {
                Some(r) => format!("created {}", describe(r)),
                None => format!("created the {resource_type} account '{who}'"),
            };
            if let Some(t) = &s.invitation_expires_at
                && let Some(at) = c1_connector_sdk::protojson::timestamp(t).as_str()
            {
                line.push_str(&format!("; its invitation expires at {at}"));
            }
            line
        }
        Some(R::AlreadyExists(a)) => match &a.resource {
            Some(r) => format!("{} already exists: nothing was created", describe(r)),
            None => {
                format!("the {resource_type} account '{who}' already exists: nothing was created")
            }
        },
        Some(R::ActionRequired(a)) => {
            let mut line = format!("action required: {}", a.message);
            if let Some(r) = &a.resource {
                line.push_str(&format!(" (the account is {})", describe(r)));
            }
            line
        }
        Some(R::InProgress(p)) => match &p.resource {
            Some(r) => format!(
                "account creation is in progress: {} does not exist yet",
                describe(r)
            ),
            None => format!(
                "account creation is in progress: the {resource_type} account '{who}' does not exist yet"
            ),
        },
        None => {
            return Err(Failure::failed(format!(
                "the connector answered the creation of the {resource_type} account '{who}' without a result: check whether it exists"
            )));
        }
    })
}

/// Deletes a resource and says whether it was there.
pub(super) async fn delete(
    ops: &Operations,
    resource_type: &str,
    id: &str,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
) -> Result<(), Outcome> {
    let request = DeleteResourceRequest {
        resource_id: Some(ResourceId::new(resource_type, id)),
        parent_resource_id: None,
    };
    let response = unless_interrupted(
        cancel,
        || {
            format!(
                "interrupted: {resource_type} '{id}' may or may not have been deleted; run this again to make sure"
            )
        },
        ops.delete_resource(&request).await,
    )?;
    if response
        .annotations
        .contains_annotation::<ResourceDoesNotExist>()
    {
        io.note(&format!(
            "{resource_type} '{id}' does not exist (already deleted?): nothing changed"
        ));
    } else {
        io.note(&format!("deleted {resource_type} '{id}'"));
    }
    Ok(())
}

/// Rotates a resource's credential; the new secret is discarded unread, as baton's one-shot
/// rotation does (it encrypts to a key it throws away): the old secret stops working and nobody
/// learns the new one.
pub(super) async fn rotate(
    ops: &Operations,
    resource_type: &str,
    id: &str,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
) -> Result<(), Outcome> {
    let discard = Discard::default();
    let request = c1_connector_sdk::model::RotateCredentialRequest {
        resource_id: Some(ResourceId::new(resource_type, id)),
        credential_options: None,
        encryption_configs: vec![EncryptionConfig {
            provider: DISCARD_PROVIDER.to_owned(),
            ..EncryptionConfig::default()
        }],
    };
    unless_interrupted(
        cancel,
        || {
            format!(
                "interrupted: the credential of {resource_type} '{id}' may or may not have been rotated; check before running this again"
            )
        },
        ops.rotate_credentials(&request, Some(&discard)).await,
    )?;
    io.note(&format!(
        "rotated the credential of {resource_type} '{id}': the previous secret no longer works, and the new one ({} secret(s)) was discarded unread, as baton does; rotate through ConductorOne to receive it encrypted",
        discard.discarded.load(Ordering::Relaxed)
    ));
    Ok(())
}
