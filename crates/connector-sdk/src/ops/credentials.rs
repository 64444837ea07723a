//! `RotateCredential` (baton's `builder.RotateCredential`): served by the
//! [`CredentialRotator`](crate::connector::CredentialRotator) of the syncer of the resource's
//! type; the new secret leaves only encrypted to the request's recipients.

use crate::connector::{Connector, CredentialCrypto};
use crate::error::Error;
use crate::model::{
    IssueCredentialRequest, IssueCredentialResponse, RotateCredentialRequest,
    RotateCredentialResponse, credential_issue_options,
};

/// Serves a `RotateCredential` request.
///
/// Beyond baton, it refuses *before* rotating anything (a rotation cannot be undone, and the
/// old secret stops working): a request without encryption configs or without `crypto`
/// (`FailedPrecondition`: the new secret could not be delivered), and recipients `crypto`
/// rejects ([`CredentialCrypto::validate`]). The plaintext is dropped once encrypted; an
/// encryption failure after the rotation is an `Internal` error saying the secret was rotated
/// and lost, so the caller rotates again rather than assume the old secret still works.
///
/// ```no_run
/// # use c1_connector_sdk::{connector::Connector, error::Error};
/// # async fn f(connector: &dyn Connector, recipient: c1_connector_sdk::model::EncryptionConfig) -> Result<(), Error> {
/// use c1_connector_sdk::crypto::BatonCrypto;
/// use c1_connector_sdk::model::{ResourceId, RotateCredentialRequest};
/// use c1_connector_sdk::ops::rotate_credentials;
/// let request = RotateCredentialRequest {
///     resource_id: Some(ResourceId::new("access_key", "K2abc")),
///     encryption_configs: vec![recipient],
///     ..Default::default()
/// };
/// let response = rotate_credentials(connector, &request, Some(&BatonCrypto::new())).await?;
/// assert!(!response.encrypted_data.is_empty());
/// # Ok(()) }
/// ```
pub async fn rotate_credentials(
    connector: &dyn Connector,
    request: &RotateCredentialRequest,
    crypto: Option<&dyn CredentialCrypto>,
) -> Result<RotateCredentialResponse, Error> {
    let id = request
        .resource_id
        .as_ref()
        .filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
        .ok_or_else(|| {
            Error::invalid_argument("rotate credentials request has no complete resource_id")
        })?;
    let syncers = connector.syncers();
    let syncer = syncers
        .iter()
        .find(|s| s.resource_type().id == id.resource_type && s.credential_rotator().is_some())
        .ok_or_else(|| {
            let supported: Vec<String> = syncers
                .iter()
                .filter(|s| s.credential_rotator().is_some())
                .map(|s| s.resource_type().id)
                .collect();
            Error::unimplemented(format!(
                "resource type {:?} does not rotate credentials; types that do: {}",
                id.resource_type,
                if supported.is_empty() {
                    "none".to_owned()
                } else {
                    supported.join(", ")
                }
            ))
        })?;
    let Some(crypto) = crypto.filter(|_| !request.encryption_configs.is_empty()) else {
        return Err(Error::failed_precondition(
            "rotating a credential needs encryption configs (and the means to encrypt to \
             them): the new secret is only ever returned encrypted. Nothing was rotated",
        )
        .with_retryable(false));
    };
    crypto.validate(&request.encryption_configs)?;
    let rotator = syncer
        .credential_rotator()
        .ok_or_else(|| Error::internal("the syncer stopped offering a credential rotator"))?;
    let rotated = rotator.rotate(id).await?;
    let mut encrypted_data = Vec::new();
    for plaintext in &rotated.plaintexts {
        let sealed = crypto
            .encrypt(plaintext, &request.encryption_configs)
            .map_err(|e| {
                Error::internal(format!(
                    "the credential of {}:{} WAS rotated (the old secret no longer works), but \
                     the new one could not be encrypted and is lost; rotate again: {}",
                    id.resource_type,
                    id.resource,
                    e.message()
                ))
                .with_retryable(false)
            })?;
        encrypted_data.extend(sealed);
    }
    Ok(RotateCredentialResponse {
        encrypted_data,
        resource_id: Some(id.clone()),
        annotations: rotated.annotations.0,
    })
}

/// Serves an `IssueCredential` request: the issuer of the identity's type mints a credential,
/// whose secret leaves only encrypted to the request's recipients.
///
/// Refused *before* anything is minted: an option other than `api_key` (`InvalidArgument`),
/// no encryption configs or no `crypto` (`FailedPrecondition`), recipients `crypto` rejects.
/// The response's `resource_mode` is DISCOVERABLE (1): the credential shows in later syncs.
/// An encryption failure after the minting is an `Internal` error naming the credential, so it
/// can be deleted.
///
/// ```no_run
/// # use c1_connector_sdk::{connector::Connector, error::Error};
/// # async fn f(connector: &dyn Connector, recipient: c1_connector_sdk::model::EncryptionConfig) -> Result<(), Error> {
/// use c1_connector_sdk::crypto::BatonCrypto;
/// use c1_connector_sdk::model::{
///     CredentialIssueOptions, IssueCredentialRequest, ResourceId, credential_issue_options,
/// };
/// use c1_connector_sdk::ops::issue_credential;
/// let request = IssueCredentialRequest {
///     identity_id: Some(ResourceId::new("user", "U2abc")),
///     credential_options: Some(CredentialIssueOptions {
///         options: Some(credential_issue_options::Options::ApiKey(Default::default())),
///     }),
///     encryption_configs: vec![recipient],
///     request_id: "task1".into(),
///     expires_at: None,
/// };
/// let response = issue_credential(connector, &request, Some(&BatonCrypto::new())).await?;
/// # Ok(()) }
/// ```
pub async fn issue_credential(
    connector: &dyn Connector,
    request: &IssueCredentialRequest,
    crypto: Option<&dyn CredentialCrypto>,
) -> Result<IssueCredentialResponse, Error> {
    let id = request
        .identity_id
        .as_ref()
        .filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
        .ok_or_else(|| {
            Error::invalid_argument("issue credential request has no complete identity_id")
        })?;
    let syncers = connector.syncers();
    let syncer = syncers
        .iter()
        .find(|s| s.resource_type().id == id.resource_type && s.credential_issuer().is_some())
        .ok_or_else(|| {
            Error::unimplemented(format!(
                "resource type {:?} has no credential issuer",
                id.resource_type
            ))
        })?;
    let options = request
        .credential_options
        .as_ref()
        .and_then(|o| o.options.as_ref());
    if !matches!(options, Some(credential_issue_options::Options::ApiKey(_))) {
        return Err(Error::invalid_argument(
            "only API keys (credential_options.api_key) can be issued; nothing was minted",
        )
        .with_retryable(false));
    }
    let Some(crypto) = crypto.filter(|_| !request.encryption_configs.is_empty()) else {
        return Err(Error::failed_precondition(
            "issuing a credential needs encryption configs (and the means to encrypt to them): \
             the secret is only ever returned encrypted. Nothing was minted",
        )
        .with_retryable(false));
    };
    crypto.validate(&request.encryption_configs)?;
    let issuer = syncer
        .credential_issuer()
        .ok_or_else(|| Error::internal("the syncer stopped offering a credential issuer"))?;
    let expires_at = request.expires_at.as_ref().map(|t| t.seconds);
    let issued = issuer.issue(id, &request.request_id, expires_at).await?;
    let mut encrypted_data = Vec::new();
    for plaintext in &issued.plaintexts {
        let sealed = crypto
            .encrypt(plaintext, &request.encryption_configs)
            .map_err(|e| {
                let made = issued
                    .secret
                    .id
                    .as_ref()
                    .map(|r| format!("{}:{}", r.resource_type, r.resource))
                    .unwrap_or_default();
                Error::internal(format!(
                    "credential {made} WAS minted for {}:{}, but its secret could not be \
                     encrypted and is lost; delete it and issue again: {}",
                    id.resource_type,
                    id.resource,
                    e.message()
                ))
                .with_retryable(false)
            })?;
        encrypted_data.extend(sealed);
    }
    Ok(IssueCredentialResponse {
        secret: Some(issued.secret),
        encrypted_data,
        annotations: issued.annotations.0,
        resource_mode: 1,
        request_id: request.request_id.clone(),
    })
}
