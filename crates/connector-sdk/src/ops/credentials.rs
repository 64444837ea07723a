//! `RotateCredential` (baton's `builder.RotateCredential`): served by the
//! [`CredentialRotator`](crate::connector::CredentialRotator) of the syncer of the resource's
//! type; the new secret leaves only encrypted to the request's recipients.

use crate::connector::{Connector, CredentialCrypto};
use crate::error::Error;
use crate::model::{RotateCredentialRequest, RotateCredentialResponse};

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
/// # use c1_connector_sdk::{Connector, Error};
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
