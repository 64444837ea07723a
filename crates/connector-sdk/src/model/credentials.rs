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

/// `c1.connector.v2.CredentialIssueOptions`: what kind of credential to mint. Only the
/// `api_key`, `token` and `client_secret` arms are modelled; a `keypair` request decodes as no
/// option (and is refused as unsupported).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CredentialIssueOptions {
    /// The option.
    #[prost(oneof = "credential_issue_options::Options", tags = "100, 102, 103")]
    pub options: Option<credential_issue_options::Options>,
}

/// Nested types of [`CredentialIssueOptions`].
pub mod credential_issue_options {
    /// `CredentialIssueOptions.ApiKey`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ApiKey {
        /// Scopes asked for.
        #[prost(string, repeated, tag = "1")]
        pub scopes: Vec<String>,
    }
    /// `CredentialIssueOptions.Token`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Token {
        /// Scopes asked for.
        #[prost(string, repeated, tag = "1")]
        pub scopes: Vec<String>,
        /// Audiences asked for.
        #[prost(string, repeated, tag = "2")]
        pub audiences: Vec<String>,
    }
    /// `CredentialIssueOptions.ClientSecret`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ClientSecret {}
    /// `CredentialIssueOptions.options`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Options {
        /// An API key.
        #[prost(message, tag = "100")]
        ApiKey(ApiKey),
        /// A token.
        #[prost(message, tag = "102")]
        Token(Token),
        /// A client secret.
        #[prost(message, tag = "103")]
        ClientSecret(ClientSecret),
    }
}

/// `c1.connector.v2.IssueCredentialRequest`: mint a new credential for an existing identity.
#[derive(Clone, PartialEq, prost::Message)]
pub struct IssueCredentialRequest {
    /// The identity the credential is for.
    #[prost(message, optional, tag = "1")]
    pub identity_id: Option<ResourceId>,
    /// What kind of credential.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialIssueOptions>,
    /// Who the secret is encrypted for.
    #[prost(message, repeated, tag = "3")]
    pub encryption_configs: Vec<EncryptionConfig>,
    /// The caller's correlation id (service mode: the task id).
    #[prost(string, tag = "4")]
    pub request_id: String,
    /// When the credential expires, if the caller asks.
    #[prost(message, optional, tag = "5")]
    pub expires_at: Option<prost_types::Timestamp>,
}

/// `c1.connector.v2.IssueCredentialResponse`: the new credential as a resource, and its secret
/// encrypted only.
#[derive(Clone, PartialEq, prost::Message)]
pub struct IssueCredentialResponse {
    /// The credential, as a resource.
    #[prost(message, optional, tag = "1")]
    pub secret: Option<super::Resource>,
    /// The secret, once per recipient.
    #[prost(message, repeated, tag = "2")]
    pub encrypted_data: Vec<EncryptedData>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// `CredentialResourceMode`: 1 DISCOVERABLE (the credential shows in later syncs), 2 VIRTUAL.
    #[prost(int32, tag = "4")]
    pub resource_mode: i32,
    /// The request's id, echoed.
    #[prost(string, tag = "5")]
    pub request_id: String,
}

packable!(IssueCredentialRequest, IssueCredentialResponse);
