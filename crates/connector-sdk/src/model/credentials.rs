//! `RotateCredential` messages (`c1.connector.v2.CredentialManagerService`).

use prost_types::Any;

use super::annotations::packable;
use super::{CredentialOptions, EncryptedData, EncryptionConfig, ResourceId};

/// `c1.connector.v2.RotateCredentialRequest`: rotate the credential of one resource, the new
/// secret encrypted to `encryption_configs`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RotateCredentialRequest {
    /// Whose credential.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// What kind of credential (as for account creation).
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialOptions>,
    /// Who the new secret is encrypted for.
    #[prost(message, repeated, tag = "3")]
    pub encryption_configs: Vec<EncryptionConfig>,
}

/// `c1.connector.v2.RotateCredentialResponse`: the new secret, encrypted only.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RotateCredentialResponse {
    /// The new secret, once per recipient.
    #[prost(message, repeated, tag = "1")]
    pub encrypted_data: Vec<EncryptedData>,
    /// The resource whose credential was rotated.
    #[prost(message, optional, tag = "2")]
    pub resource_id: Option<ResourceId>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

packable!(RotateCredentialRequest, RotateCredentialResponse);
