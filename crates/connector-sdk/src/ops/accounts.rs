//! `CreateAccount` (baton's `builder.CreateAccount`): picks the account manager, turns the wire
//! [`CredentialOptions`](crate::model::CredentialOptions) into [`LocalCredentialOptions`], calls
//! the manager, encrypts the credentials it generated for the request's recipients, and answers
//! a [`CreateAccountResponse`].
//!
//! Encryption and decryption of credentials (baton's JWK and age providers, keyed by the
//! ConductorOne client secret) are not implemented here: they are a [`CredentialCrypto`] the
//! caller supplies. Without one, a request that needs it fails *before* any account is created.

use std::sync::Arc;

use crate::connector::{
    AccountCreated, Connector, CreateAccountResult, CredentialCrypto, CredentialOption,
    LocalCredentialOptions, ResourceSyncer,
};
use crate::error::Error;
use crate::model::{
    CapabilityDetailCredentialOption, CreateAccountRequest, CreateAccountResponse,
    EncryptionConfig, Resource, create_account_response,
};

fn type_list(
    syncers: &[Arc<dyn ResourceSyncer>],
    has: impl Fn(&dyn ResourceSyncer) -> bool,
) -> String {
    let ids: Vec<String> = syncers
        .iter()
        .filter(|s| has(s.as_ref()))
        .map(|s| s.resource_type().id)
        .collect();
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}

/// The syncer whose account manager serves `resource_type_id`, chosen as baton does: an empty
/// type means the only account manager, or the `user` type's when there are several.
///
/// Errors: `Unimplemented` when no syncer (or not this type's) creates accounts,
/// `InvalidArgument` when the type is empty and the choice is ambiguous; both name the types
/// that do create accounts.
pub fn account_manager_syncer(
    syncers: &[Arc<dyn ResourceSyncer>],
    resource_type_id: &str,
) -> Result<Arc<dyn ResourceSyncer>, Error> {
    let managers: Vec<&Arc<dyn ResourceSyncer>> = syncers
        .iter()
        .filter(|s| s.account_manager().is_some())
        .collect();
    let supported = || type_list(syncers, |s| s.account_manager().is_some());
    if managers.is_empty() {
        return Err(Error::unimplemented(
            "this connector does not create accounts (no resource type has an account manager)",
        ));
    }
    let found = if resource_type_id.is_empty() {
        match managers.as_slice() {
            [only] => Some(*only),
            _ => {
                let user = managers.iter().find(|s| s.resource_type().id == "user");
                if user.is_none() {
                    return Err(Error::invalid_argument(format!(
                        "several resource types create accounts and none was named: set resource_type_id to one of {}",
                        supported()
                    )));
                }
                user.copied()
            }
        }
    } else {
        managers
            .iter()
            .find(|s| s.resource_type().id == resource_type_id)
            .copied()
    };
    found.cloned().ok_or_else(|| {
        Error::unimplemented(format!(
            "resource type {resource_type_id:?} does not create accounts; types that do: {}",
            supported()
        ))
    })
}

/// Serves a `CreateAccount` request (baton's `builder.CreateAccount`).
///
/// Beyond baton, it refuses *before* creating anything: a credential option the manager does not
/// declare as supported (`InvalidArgument`), a random password when the generated password
/// could not be delivered (no encryption configs or no `crypto`: `FailedPrecondition`), and
/// encryption configs that `crypto` rejects ([`CredentialCrypto::validate`], as baton validates
/// them before issuing a credential). A result
/// that names no resource where one is required is an `Internal` error, never a success.
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # async fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::create_account;
/// use c1_connector_sdk::model::{AccountInfo, CreateAccountRequest, CredentialOptions};
/// let request = CreateAccountRequest {
///     account_info: Some(AccountInfo::new("ann").with_email("ann@example.com", true)),
///     credential_options: Some(CredentialOptions::no_password()),
///     resource_type_id: "user".into(),
///     ..Default::default()
/// };
/// let response = create_account(connector, &request, None).await?;
/// # Ok(()) }
/// ```
pub async fn create_account(
    connector: &dyn Connector,
    request: &CreateAccountRequest,
    crypto: Option<&dyn CredentialCrypto>,
) -> Result<CreateAccountResponse, Error> {
    let info = request
        .account_info
        .as_ref()
        .ok_or_else(|| Error::invalid_argument("create account request has no account_info"))?;
    let syncers = connector.syncers();
    let syncer = account_manager_syncer(&syncers, &request.resource_type_id)?;
    let resource_type = syncer.resource_type().id;
    let manager = syncer.account_manager().ok_or_else(|| {
        Error::internal(format!(
            "the syncer of {resource_type} stopped offering an account manager"
        ))
    })?;

    let local = request
        .credential_options
        .as_ref()
        .map(|o| LocalCredentialOptions::from_wire(o, &request.encryption_configs, crypto))
        .transpose()?;
    if let Some(local) = &local {
        let details = manager.capability_details();
        let wanted = local.option.detail();
        if !details.supports(wanted) {
            let supported: Vec<&str> = details
                .supported_credential_options
                .iter()
                .filter_map(|o| CapabilityDetailCredentialOption::try_from(*o).ok())
                .map(CapabilityDetailCredentialOption::proto_name)
                .collect();
            return Err(Error::invalid_argument(format!(
                "resource type {resource_type} does not support {} for new accounts; supported: {}",
                wanted.proto_name(),
                supported.join(", ")
            )));
        }
        if matches!(local.option, CredentialOption::RandomPassword { .. })
            && (request.encryption_configs.is_empty() || crypto.is_none())
        {
            return Err(Error::failed_precondition(
                "a random password was asked for, but it could not be delivered (the request has no encryption configs, or this runner cannot encrypt): no account was created",
            ));
        }
    }

    // Recipients are checked before anything is created (baton validates them before an
    // irreversible issuance): a credential that could not be encrypted to them would be lost.
    if let Some(crypto) = crypto
        && !request.encryption_configs.is_empty()
    {
        crypto.validate(&request.encryption_configs)?;
    }
    let created = manager.create_account(info, local.as_ref()).await?;
    response_from(&resource_type, created, &request.encryption_configs, crypto)
}

fn check_resource(resource_type: &str, r: &Resource, what: &str) -> Result<(), Error> {
    match &r.id {
        Some(id) if !id.resource_type.is_empty() && !id.resource.is_empty() => Ok(()),
        _ => Err(Error::internal(format!(
            "the account manager of {resource_type} answered {what} with a resource that has no id"
        ))),
    }
}

fn response_from(
    resource_type: &str,
    created: AccountCreated,
    recipients: &[EncryptionConfig],
    crypto: Option<&dyn CredentialCrypto>,
) -> Result<CreateAccountResponse, Error> {
    use create_account_response as r;
    let result = match created.result {
        CreateAccountResult::Created {
            resource,
            invitation_expires_at,
        } => {
            check_resource(resource_type, &resource, "success")?;
            r::Result::Success(r::SuccessResult {
                resource: Some(resource),
                is_create_account_result: true,
                invitation_expires_at,
            })
        }
        CreateAccountResult::AlreadyExists { resource } => {
            check_resource(resource_type, &resource, "already-exists")?;
            r::Result::AlreadyExists(r::AlreadyExistsResult {
                resource: Some(resource),
                is_create_account_result: true,
            })
        }
        CreateAccountResult::ActionRequired { resource, message } => {
            r::Result::ActionRequired(r::ActionRequiredResult {
                resource,
                message,
                is_create_account_result: true,
            })
        }
        CreateAccountResult::InProgress { resource } => {
            r::Result::InProgress(r::InProgressResult {
                resource,
                is_create_account_result: true,
            })
        }
    };

    let mut encrypted_data = Vec::new();
    if !created.credentials.is_empty() {
        let crypto = match crypto {
            Some(c) if !recipients.is_empty() => c,
            _ => {
                // The account may exist now: say so, so nobody retries blindly.
                return Err(Error::failed_precondition(format!(
                    "the account manager of {resource_type} returned {} credential(s) that cannot be delivered (no encryption configs in the request, or this runner cannot encrypt); the account may have been created: check before retrying",
                    created.credentials.len()
                )));
            }
        };
        for credential in &created.credentials {
            encrypted_data.extend(crypto.encrypt(credential, recipients)?);
        }
    }

    Ok(CreateAccountResponse {
        result: Some(result),
        encrypted_data,
        annotations: created.annotations.into_inner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::ReverseCrypto as Reverse;
    use crate::model::PlaintextData;

    #[test]
    fn response_encrypts_or_refuses() {
        let user = Resource::new("user", "u1", "U");
        let made = AccountCreated::created(user.clone())
            .with_credential(PlaintextData::new("password", b"abc".to_vec()));
        let recipients = vec![EncryptionConfig {
            provider: "p".into(),
            ..Default::default()
        }];
        let resp = response_from("user", made.clone(), &recipients, Some(&Reverse)).unwrap();
        assert_eq!(resp.encrypted_data.len(), 1);
        assert_eq!(resp.encrypted_data[0].encrypted_bytes, b"cba");
        let e = response_from("user", made, &[], Some(&Reverse)).unwrap_err();
        assert_eq!(e.code(), crate::error::Code::FailedPrecondition);
        assert!(!e.to_string().contains("abc"));

        let no_id = AccountCreated::created(Resource::default());
        let e = response_from("user", no_id, &[], None).unwrap_err();
        assert_eq!(e.code(), crate::error::Code::Internal);
    }
}
