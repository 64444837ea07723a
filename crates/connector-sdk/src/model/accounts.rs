//! baton's account-creation messages (`proto/c1/connector/v2/resource.proto`): what a
//! `CreateAccount` request carries and what it answers.

use std::fmt;

use super::annotations::packable;
use super::messages::Resource;
use super::resource_traits::Email;

/// `c1.connector.v2.AccountInfo`: who to create.
///
/// The emails are `AccountInfo.Email` messages, whose wire shape (`address = 1`,
/// `is_primary = 2`) is that of [`Email`], so this crate uses the one type for both.
///
/// ```
/// use c1_connector_sdk::model::AccountInfo;
/// let info = AccountInfo::new("ann")
///     .with_email("ann@example.com", true)
///     .with_email("ann@old.example.com", false)
///     .with_login_alias("ann.lee");
/// assert_eq!(info.primary_email(), Some("ann@example.com"));
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct AccountInfo {
    /// Email addresses; at most one is primary.
    #[prost(message, repeated, tag = "1")]
    pub emails: Vec<Email>,
    /// Login name.
    #[prost(string, tag = "2")]
    pub login: String,
    /// Other login names.
    #[prost(string, repeated, tag = "3")]
    pub login_aliases: Vec<String>,
    /// Free-form profile: the fields of the connector's account-creation schema.
    #[prost(message, optional, tag = "4")]
    pub profile: Option<prost_types::Struct>,
}

impl AccountInfo {
    /// Account info with a login.
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            ..Self::default()
        }
    }

    /// Adds an email address.
    #[must_use]
    pub fn with_email(mut self, address: impl Into<String>, is_primary: bool) -> Self {
        self.emails.push(Email::new(address, is_primary));
        self
    }

    /// Adds a login alias.
    #[must_use]
    pub fn with_login_alias(mut self, alias: impl Into<String>) -> Self {
        self.login_aliases.push(alias.into());
        self
    }

    /// Sets the profile (a JSON object or a protobuf `Struct`).
    #[must_use]
    pub fn with_profile(mut self, profile: impl super::IntoProfile) -> Self {
        self.profile = Some(profile.into_profile());
        self
    }

    /// The primary email, or the first one when none is marked primary.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| e.is_primary)
            .or_else(|| self.emails.first())
            .map(|e| e.address.as_str())
    }

    /// A string field of the profile, if present and a string.
    pub fn profile_str(&self, key: &str) -> Option<&str> {
        match self.profile.as_ref()?.fields.get(key)?.kind.as_ref()? {
            prost_types::value::Kind::StringValue(s) => Some(s),
            _ => None,
        }
    }
}

/// `c1.connector.v2.PasswordConstraint`: at least `min_count` characters from `char_set`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PasswordConstraint {
    /// The characters.
    #[prost(string, tag = "1")]
    pub char_set: String,
    /// How many of them, at least.
    #[prost(uint32, tag = "2")]
    pub min_count: u32,
}

/// `c1.connector.v2.EncryptedData`: a credential encrypted for one recipient.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EncryptedData {
    /// The encryption provider (e.g. `baton/jwk/v1`, `baton/age/v1`).
    #[prost(string, tag = "1")]
    pub provider: String,
    /// Deprecated single key id (see `key_ids`).
    #[prost(string, tag = "2")]
    pub key_id: String,
    /// Name of the credential.
    #[prost(string, tag = "3")]
    pub name: String,
    /// Description.
    #[prost(string, tag = "4")]
    pub description: String,
    /// Optional schema of the plaintext.
    #[prost(string, tag = "5")]
    pub schema: String,
    /// The ciphertext (its encoding depends on `provider`).
    #[prost(bytes = "vec", tag = "6")]
    pub encrypted_bytes: Vec<u8>,
    /// Recipient key identifiers.
    #[prost(string, repeated, tag = "7")]
    pub key_ids: Vec<String>,
}

/// `c1.connector.v2.PlaintextData`: a credential a connector produced (for example a generated
/// password), before it is encrypted for the requester. Never sent anywhere in plaintext.
///
/// `Debug` shows the name and the length of the bytes, never the bytes.
///
/// ```
/// use c1_connector_sdk::model::PlaintextData;
/// let p = PlaintextData::new("password", b"hunter2".to_vec());
/// assert!(!format!("{p:?}").contains("hunter2"));
/// ```
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct PlaintextData {
    /// Name of the credential.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Description.
    #[prost(string, tag = "2")]
    pub description: String,
    /// Optional schema (then `bytes` is JSON).
    #[prost(string, tag = "3")]
    pub schema: String,
    /// The secret.
    #[prost(bytes = "vec", tag = "4")]
    pub bytes: Vec<u8>,
}

impl PlaintextData {
    /// A named secret.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            bytes,
            ..Self::default()
        }
    }
}

impl fmt::Debug for PlaintextData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlaintextData")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("schema", &self.schema)
            .field(
                "bytes",
                &format_args!("<{} bytes redacted>", self.bytes.len()),
            )
            .finish()
    }
}

/// `c1.connector.v2.EncryptionConfig`: a recipient of the credentials a request produces.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EncryptionConfig {
    /// Who receives them.
    #[prost(message, optional, tag = "1")]
    pub principal: Option<Resource>,
    /// The encryption provider.
    #[prost(string, tag = "2")]
    pub provider: String,
    /// The key id.
    #[prost(string, tag = "3")]
    pub key_id: String,
    /// The public key material.
    #[prost(oneof = "encryption_config::Config", tags = "100, 101")]
    pub config: Option<encryption_config::Config>,
}

/// Nested types of [`EncryptionConfig`].
pub mod encryption_config {
    /// `EncryptionConfig.JWKPublicKeyConfig`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct JwkPublicKeyConfig {
        /// The public key (a JWK).
        #[prost(bytes = "vec", tag = "1")]
        pub pub_key: Vec<u8>,
    }

    /// `EncryptionConfig.AgeRecipientConfig`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AgeRecipientConfig {
        /// An age recipient (`age1...`).
        #[prost(string, tag = "1")]
        pub recipient: String,
    }

    /// `EncryptionConfig.config`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Config {
        /// A JWK public key.
        #[prost(message, tag = "100")]
        JwkPublicKeyConfig(JwkPublicKeyConfig),
        /// An age recipient.
        #[prost(message, tag = "101")]
        AgeRecipientConfig(AgeRecipientConfig),
    }
}

/// `c1.connector.v2.CredentialOptions`: how the requester wants the account's credentials set
/// up (what a `CreateAccount` request and a service-mode task carry).
///
/// ```
/// use c1_connector_sdk::model::CredentialOptions;
/// let opts = CredentialOptions::random_password(16);
/// assert!(!opts.force_change_at_next_login);
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct CredentialOptions {
    /// Ask the user to change the password at the next login.
    #[prost(bool, tag = "1")]
    pub force_change_at_next_login: bool,
    /// The option.
    #[prost(oneof = "credential_options::Options", tags = "100, 101, 102, 103")]
    pub options: Option<credential_options::Options>,
}

impl CredentialOptions {
    /// No password.
    pub fn no_password() -> Self {
        Self {
            force_change_at_next_login: false,
            options: Some(credential_options::Options::NoPassword(
                credential_options::NoPassword {},
            )),
        }
    }

    /// A random password of `length` characters, generated by the connector.
    pub fn random_password(length: i64) -> Self {
        Self {
            force_change_at_next_login: false,
            options: Some(credential_options::Options::RandomPassword(
                credential_options::RandomPassword {
                    length,
                    constraints: Vec::new(),
                },
            )),
        }
    }

    /// Single sign-on through `provider`.
    pub fn sso(provider: impl Into<String>) -> Self {
        Self {
            force_change_at_next_login: false,
            options: Some(credential_options::Options::Sso(credential_options::Sso {
                sso_provider: provider.into(),
            })),
        }
    }
}

/// Nested types of [`CredentialOptions`].
pub mod credential_options {
    use super::{EncryptedData, PasswordConstraint};

    /// `CredentialOptions.RandomPassword`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct RandomPassword {
        /// Length (baton validates 8..=64).
        #[prost(int64, tag = "1")]
        pub length: i64,
        /// Character-class constraints.
        #[prost(message, repeated, tag = "2")]
        pub constraints: Vec<PasswordConstraint>,
    }

    /// `CredentialOptions.NoPassword`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct NoPassword {}

    /// `CredentialOptions.SSO`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sso {
        /// The SSO provider.
        #[prost(string, tag = "1")]
        pub sso_provider: String,
    }

    /// `CredentialOptions.EncryptedPassword`: a password chosen by the requester, encrypted to
    /// the connector's client secret.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct EncryptedPassword {
        /// The encrypted password, once per key.
        #[prost(message, repeated, tag = "1")]
        pub encrypted_passwords: Vec<EncryptedData>,
    }

    /// `CredentialOptions.options`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Options {
        /// A random password.
        #[prost(message, tag = "100")]
        RandomPassword(RandomPassword),
        /// No password.
        #[prost(message, tag = "101")]
        NoPassword(NoPassword),
        /// Single sign-on.
        #[prost(message, tag = "102")]
        Sso(Sso),
        /// An encrypted password.
        #[prost(message, tag = "103")]
        EncryptedPassword(EncryptedPassword),
    }
}

/// `c1.connector.v2.CreateAccountRequest` (also the content of service mode's
/// `CreateAccountTask`, whose field numbers are the same).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateAccountRequest {
    /// Who to create.
    #[prost(message, optional, tag = "1")]
    pub account_info: Option<AccountInfo>,
    /// How to set up credentials.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialOptions>,
    /// Recipients of generated credentials.
    #[prost(message, repeated, tag = "3")]
    pub encryption_configs: Vec<EncryptionConfig>,
    /// The resource type to create (empty: the only account manager, or `user`).
    #[prost(string, tag = "4")]
    pub resource_type_id: String,
}

/// `c1.connector.v2.CreateAccountResponse`: the result of account creation (packed into the
/// service-mode `FinishTask` response as `Any`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateAccountResponse {
    /// The result kind.
    #[prost(oneof = "create_account_response::Result", tags = "100, 101, 102, 103")]
    pub result: Option<create_account_response::Result>,
    /// Generated credentials, encrypted for the request's recipients.
    #[prost(message, repeated, tag = "2")]
    pub encrypted_data: Vec<EncryptedData>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
}

/// Nested types of [`CreateAccountResponse`].
pub mod create_account_response {
    use crate::model::Resource;

    /// `CreateAccountResponse.SuccessResult`: the account exists now.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SuccessResult {
        /// The created account.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// Always `true` (baton's marker).
        #[prost(bool, tag = "2")]
        pub is_create_account_result: bool,
        /// When an invitation-style account stops being usable, if it expires.
        #[prost(message, optional, tag = "3")]
        pub invitation_expires_at: Option<prost_types::Timestamp>,
    }

    /// `CreateAccountResponse.ActionRequiredResult`: someone has to do something first.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ActionRequiredResult {
        /// The account, if it already exists.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// What has to be done.
        #[prost(string, tag = "2")]
        pub message: String,
        /// Always `true`.
        #[prost(bool, tag = "3")]
        pub is_create_account_result: bool,
    }

    /// `CreateAccountResponse.AlreadyExistsResult`: nothing was created.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AlreadyExistsResult {
        /// The existing account.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// Always `true`.
        #[prost(bool, tag = "2")]
        pub is_create_account_result: bool,
    }

    /// `CreateAccountResponse.InProgressResult`: creation continues asynchronously.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct InProgressResult {
        /// The account, if known yet.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// Always `true`.
        #[prost(bool, tag = "2")]
        pub is_create_account_result: bool,
    }

    /// `CreateAccountResponse.result`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Result {
        /// Created.
        #[prost(message, tag = "100")]
        Success(SuccessResult),
        /// Action required.
        #[prost(message, tag = "101")]
        ActionRequired(ActionRequiredResult),
        /// Already existed.
        #[prost(message, tag = "102")]
        AlreadyExists(AlreadyExistsResult),
        /// In progress.
        #[prost(message, tag = "103")]
        InProgress(InProgressResult),
    }
}

packable!(CreateAccountResponse);

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn account_info_bytes() {
        let info = AccountInfo::new("ann")
            .with_email("a@x", true)
            .with_login_alias("al");
        let want = [
            0x0a, 7, 0x0a, 3, b'a', b'@', b'x', 0x10, 1, // emails[0]
            0x12, 3, b'a', b'n', b'n', // login
            0x1a, 2, b'a', b'l', // login_aliases
        ];
        assert_eq!(info.encode_to_vec(), want);
        assert_eq!(AccountInfo::decode(want.as_slice()).unwrap(), info);
    }

    #[test]
    fn credential_options_bytes() {
        // force_change (1) then the oneof arm at 100..103: tags >= 16 take two varint bytes.
        let mut o = CredentialOptions::sso("okta");
        o.force_change_at_next_login = true;
        assert_eq!(
            o.encode_to_vec(),
            [0x08, 1, 0xb2, 0x06, 6, 0x0a, 4, b'o', b'k', b't', b'a']
        );
        assert_eq!(
            CredentialOptions::no_password().encode_to_vec(),
            [0xaa, 0x06, 0]
        );
        let r = CredentialOptions::random_password(12);
        assert_eq!(r.encode_to_vec(), [0xa2, 0x06, 2, 0x08, 12]);
        let enc = CredentialOptions {
            force_change_at_next_login: false,
            options: Some(credential_options::Options::EncryptedPassword(
                credential_options::EncryptedPassword {
                    encrypted_passwords: vec![EncryptedData {
                        provider: "p".into(),
                        ..Default::default()
                    }],
                },
            )),
        };
        let bytes = enc.encode_to_vec();
        assert_eq!(bytes, [0xba, 0x06, 5, 0x0a, 3, 0x0a, 1, b'p']);
        assert_eq!(CredentialOptions::decode(bytes.as_slice()).unwrap(), enc);
    }

    #[test]
    fn create_account_request_and_response_bytes() {
        let req = CreateAccountRequest {
            account_info: Some(AccountInfo::new("a")),
            credential_options: Some(CredentialOptions::no_password()),
            encryption_configs: vec![EncryptionConfig {
                principal: None,
                provider: "baton/age/v1".into(),
                key_id: String::new(),
                config: Some(encryption_config::Config::AgeRecipientConfig(
                    encryption_config::AgeRecipientConfig {
                        recipient: "age1x".into(),
                    },
                )),
            }],
            resource_type_id: "user".into(),
        };
        let mut want = vec![0x0a, 3, 0x12, 1, b'a', 0x12, 3, 0xaa, 0x06, 0];
        let mut ec = vec![0x12, 12];
        ec.extend(b"baton/age/v1");
        ec.extend([0xaa, 0x06, 7, 0x0a, 5]);
        ec.extend(b"age1x");
        want.push(0x1a);
        want.push(ec.len() as u8);
        want.extend(ec);
        want.extend([0x22, 4]);
        want.extend(b"user");
        assert_eq!(req.encode_to_vec(), want);
        assert_eq!(CreateAccountRequest::decode(want.as_slice()).unwrap(), req);

        let resp = CreateAccountResponse {
            result: Some(create_account_response::Result::ActionRequired(
                create_account_response::ActionRequiredResult {
                    resource: None,
                    message: "m".into(),
                    is_create_account_result: true,
                },
            )),
            encrypted_data: Vec::new(),
            annotations: Vec::new(),
        };
        assert_eq!(
            resp.encode_to_vec(),
            [0xaa, 0x06, 5, 0x12, 1, b'm', 0x18, 1]
        );
        let ok = CreateAccountResponse {
            result: Some(create_account_response::Result::InProgress(
                create_account_response::InProgressResult {
                    resource: None,
                    is_create_account_result: true,
                },
            )),
            ..Default::default()
        };
        assert_eq!(ok.encode_to_vec(), [0xba, 0x06, 2, 0x10, 1]);
    }

    #[test]
    fn plaintext_debug_is_redacted() {
        let p = PlaintextData::new("pw", b"s3cret-value".to_vec());
        let d = format!("{p:?}");
        assert!(!d.contains("s3cret"), "{d}");
        assert!(d.contains("12 bytes redacted"), "{d}");
    }
}
