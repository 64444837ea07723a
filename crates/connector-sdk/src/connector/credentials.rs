//! Credential rotation (baton's `CredentialManager`): a new secret for an existing resource.

use std::fmt;

use async_trait::async_trait;

use crate::error::Error;
use crate::model::{Annotations, CredentialDetailsCredentialRotation, PlaintextData, ResourceId};

/// Rotates a resource's credential: issues a new secret (the old one stops working) and hands
/// it back as [`PlaintextData`], which the operations layer encrypts to the request's recipients
/// before it leaves the process (`ops::rotate_credentials`); a rotator never logs or stores it.
///
/// ```
/// use async_trait::async_trait;
/// use c1_connector_sdk::connector::{CredentialRotator, RotatedCredential};
/// use c1_connector_sdk::model::{
///     CapabilityDetailCredentialOption as Opt, CredentialDetailsCredentialRotation, PlaintextData,
///     ResourceId,
/// };
/// use c1_connector_sdk::error::Error;
///
/// struct Keys;
/// #[async_trait]
/// impl CredentialRotator for Keys {
///     async fn rotate(&self, id: &ResourceId) -> Result<RotatedCredential, Error> {
///         Ok(RotatedCredential::new(vec![PlaintextData::new("api key", b"new".to_vec())]))
///     }
///     fn rotation_details(&self) -> CredentialDetailsCredentialRotation {
///         CredentialDetailsCredentialRotation {
///             supported_credential_options: vec![Opt::RandomPassword as i32],
///             preferred_credential_option: Opt::RandomPassword as i32,
///         }
///     }
/// }
/// ```
#[async_trait]
pub trait CredentialRotator: Send + Sync {
    /// Rotates the credential of `id`. Not idempotent: each call issues a new secret.
    async fn rotate(&self, id: &ResourceId) -> Result<RotatedCredential, Error>;

    /// What rotation supports (baton's `RotateCapabilityDetails`).
    fn rotation_details(&self) -> CredentialDetailsCredentialRotation;
}

/// What a rotation issued: the new secret(s), never shown by `Debug`.
#[non_exhaustive]
pub struct RotatedCredential {
    /// The new secret(s), in clear, for the operations layer to encrypt.
    pub plaintexts: Vec<PlaintextData>,
    /// Annotations of the response.
    pub annotations: Annotations,
}

impl RotatedCredential {
    /// A rotation that issued these secrets.
    pub fn new(plaintexts: Vec<PlaintextData>) -> Self {
        RotatedCredential {
            plaintexts,
            annotations: Annotations::default(),
        }
    }
}

impl fmt::Debug for RotatedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotatedCredential")
            .field("plaintexts", &self.plaintexts.len())
            .finish_non_exhaustive()
    }
}

/// Mints a new credential for an existing identity (baton's `IssueCredential`): for example a
/// new API key for a user. The secret is handed back as [`PlaintextData`] for the operations
/// layer to encrypt (`ops::issue_credential`); never logged or stored.
#[async_trait]
pub trait CredentialIssuer: Send + Sync {
    /// Mints a credential for `identity`; `request_id` is the caller's correlation id,
    /// `expires_at` (epoch seconds) the expiry asked for. Not idempotent.
    async fn issue(
        &self,
        identity: &ResourceId,
        request_id: &str,
        expires_at: Option<i64>,
    ) -> Result<IssuedCredential, Error>;
}

/// What an issuance minted: the credential as a resource and its secret, never shown by `Debug`.
#[non_exhaustive]
pub struct IssuedCredential {
    /// The new credential as a resource (it shows in later syncs).
    pub secret: crate::model::Resource,
    /// The secret(s), in clear, for the operations layer to encrypt.
    pub plaintexts: Vec<PlaintextData>,
    /// Annotations of the response.
    pub annotations: Annotations,
}

impl IssuedCredential {
    /// An issuance of `secret` with these secrets.
    pub fn new(secret: crate::model::Resource, plaintexts: Vec<PlaintextData>) -> Self {
        IssuedCredential {
            secret,
            plaintexts,
            annotations: Annotations::default(),
        }
    }
}

impl fmt::Debug for IssuedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredential")
            .field("secret", &self.secret.id)
            .field("plaintexts", &self.plaintexts.len())
            .finish_non_exhaustive()
    }
}
