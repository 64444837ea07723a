//! Account creation: the [`AccountManager`] trait a syncer offers, the credential options it
//! receives, what it answers, and the encryption hook ([`CredentialCrypto`]) the runner supplies.

use std::fmt;

use async_trait::async_trait;

use crate::error::Error;
use crate::model::{
    AccountInfo, Annotations, CapabilityDetailCredentialOption,
    CredentialDetailsAccountProvisioning, CredentialOptions, EncryptedData, EncryptionConfig,
    PasswordConstraint, PlaintextData, Resource, credential_options,
};

/// Creates accounts (baton's `AccountManager`).
///
/// ```
/// use async_trait::async_trait;
/// use c1_connector_sdk::connector::{AccountCreated, AccountManager, LocalCredentialOptions};
/// use c1_connector_sdk::model::{
///     AccountInfo, CapabilityDetailCredentialOption as Opt, CredentialDetailsAccountProvisioning, Resource, UserTrait,
/// };
/// use c1_connector_sdk::error::Error;
///
/// struct Users;
///
/// #[async_trait]
/// impl AccountManager for Users {
///     async fn create_account(&self, info: &AccountInfo, _: Option<&LocalCredentialOptions>) -> Result<AccountCreated, Error> {
///         let email = info.primary_email().ok_or_else(|| Error::invalid_argument("an email is required"))?;
///         // ... call the API, which answers the new id ...
///         let user = Resource::new("user", "U123", email).with_user_trait(UserTrait::new().with_email(email, true));
///         Ok(AccountCreated::created(user))
///     }
///     fn capability_details(&self) -> CredentialDetailsAccountProvisioning {
///         CredentialDetailsAccountProvisioning::new([Opt::NoPassword], Opt::NoPassword)
///     }
/// }
/// ```
#[async_trait]
pub trait AccountManager: Send + Sync {
    /// Creates an account. `credentials` is `None` when the request carried no credential
    /// options (the connector's default applies).
    ///
    /// Must not report [`AccountCreated::created`] unless the account exists. An account that
    /// already exists is [`AccountCreated::already_exists`], not an error.
    async fn create_account(
        &self,
        info: &AccountInfo,
        credentials: Option<&LocalCredentialOptions>,
    ) -> Result<AccountCreated, Error>;

    /// The credential options this manager supports and the one it prefers (baton's
    /// `CreateAccountCapabilityDetails`). The preferred option must be among the supported ones.
    fn capability_details(&self) -> CredentialDetailsAccountProvisioning;
}

/// The result kinds of `CreateAccountResponse`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CreateAccountResult {
    /// The account exists now.
    Created {
        /// The new account.
        resource: Resource,
        /// When an invitation-style account stops being usable.
        invitation_expires_at: Option<prost_types::Timestamp>,
    },
    /// Someone has to act before the account is usable.
    ActionRequired {
        /// The account, if it exists already.
        resource: Option<Resource>,
        /// What has to be done.
        message: String,
    },
    /// The account existed already; nothing was created.
    AlreadyExists {
        /// The existing account.
        resource: Resource,
    },
    /// Creation continues asynchronously.
    InProgress {
        /// The account, if known yet.
        resource: Option<Resource>,
    },
}

/// What [`AccountManager::create_account`] answers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountCreated {
    /// The result.
    pub result: CreateAccountResult,
    /// Credentials the connector generated (encrypted before they leave the SDK).
    pub credentials: Vec<PlaintextData>,
    /// Annotations.
    pub annotations: Annotations,
}

impl AccountCreated {
    fn of(result: CreateAccountResult) -> Self {
        Self {
            result,
            credentials: Vec::new(),
            annotations: Annotations::new(),
        }
    }

    /// The account was created.
    pub fn created(resource: Resource) -> Self {
        Self::of(CreateAccountResult::Created {
            resource,
            invitation_expires_at: None,
        })
    }

    /// The account existed already.
    pub fn already_exists(resource: Resource) -> Self {
        Self::of(CreateAccountResult::AlreadyExists { resource })
    }

    /// Someone has to act first.
    pub fn action_required(message: impl Into<String>, resource: Option<Resource>) -> Self {
        Self::of(CreateAccountResult::ActionRequired {
            resource,
            message: message.into(),
        })
    }

    /// Creation continues asynchronously.
    pub fn in_progress(resource: Option<Resource>) -> Self {
        Self::of(CreateAccountResult::InProgress { resource })
    }

    /// Adds a generated credential.
    #[must_use]
    pub fn with_credential(mut self, credential: PlaintextData) -> Self {
        self.credentials.push(credential);
        self
    }

    /// Sets the annotations.
    #[must_use]
    pub fn with_annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// The resource the result names, if any.
    pub fn resource(&self) -> Option<&Resource> {
        match &self.result {
            CreateAccountResult::Created { resource, .. }
            | CreateAccountResult::AlreadyExists { resource } => Some(resource),
            CreateAccountResult::ActionRequired { resource, .. }
            | CreateAccountResult::InProgress { resource } => resource.as_ref(),
        }
    }
}

/// A password chosen by the requester, decrypted. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password: call this only where it is handed to the source system.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// One way to set up an account's credentials (the options of baton's
/// `LocalCredentialOptions`, which never travels on the wire).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CredentialOption {
    /// No password.
    NoPassword,
    /// Generate a random password of `length` characters meeting `constraints`; return it as
    /// a [`PlaintextData`] credential.
    RandomPassword {
        /// Length (8..=64).
        length: i64,
        /// Character-class constraints.
        constraints: Vec<PasswordConstraint>,
    },
    /// Single sign-on.
    Sso {
        /// The SSO provider.
        provider: String,
    },
    /// A password chosen by the requester (decrypted from `EncryptedPassword`).
    Password(Password),
}

impl CredentialOption {
    /// The capability-detail value this option corresponds to.
    pub fn detail(&self) -> CapabilityDetailCredentialOption {
        match self {
            CredentialOption::NoPassword => CapabilityDetailCredentialOption::NoPassword,
            CredentialOption::RandomPassword { .. } => {
                CapabilityDetailCredentialOption::RandomPassword
            }
            CredentialOption::Sso { .. } => CapabilityDetailCredentialOption::Sso,
            CredentialOption::Password(_) => CapabilityDetailCredentialOption::EncryptedPassword,
        }
    }
}

/// The credential options an [`AccountManager`] receives (baton's `LocalCredentialOptions`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LocalCredentialOptions {
    /// The option.
    pub option: CredentialOption,
    /// Ask the user to change the password at the next login.
    pub force_change_at_next_login: bool,
}

impl LocalCredentialOptions {
    /// Options with one choice.
    pub fn new(option: CredentialOption) -> Self {
        Self {
            option,
            force_change_at_next_login: false,
        }
    }

    /// Converts the wire options, like baton's `ConvertCredentialOptions`: an encrypted
    /// password is decrypted with `crypto`, and must not come with encryption configs (whoever
    /// chose it already knows it).
    ///
    /// ```
    /// use c1_connector_sdk::connector::{CredentialOption, LocalCredentialOptions};
    /// use c1_connector_sdk::model::CredentialOptions;
    /// let local = LocalCredentialOptions::from_wire(&CredentialOptions::sso("okta"), &[], None)?;
    /// assert_eq!(local.option, CredentialOption::Sso { provider: "okta".into() });
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn from_wire(
        options: &CredentialOptions,
        encryption_configs: &[EncryptionConfig],
        crypto: Option<&dyn CredentialCrypto>,
    ) -> Result<Self, Error> {
        use credential_options::Options;
        let option = match &options.options {
            None => {
                return Err(Error::invalid_argument(
                    "credential options name no option: set one of random_password, no_password, sso, encrypted_password",
                ));
            }
            Some(Options::NoPassword(_)) => CredentialOption::NoPassword,
            Some(Options::Sso(s)) => CredentialOption::Sso {
                provider: s.sso_provider.clone(),
            },
            Some(Options::RandomPassword(r)) => {
                if !(8..=64).contains(&r.length) {
                    return Err(Error::invalid_argument(format!(
                        "random password length {} is outside 8..=64",
                        r.length
                    )));
                }
                CredentialOption::RandomPassword {
                    length: r.length,
                    constraints: r.constraints.clone(),
                }
            }
            Some(Options::EncryptedPassword(e)) => {
                if e.encrypted_passwords.is_empty() {
                    return Err(Error::invalid_argument(
                        "encrypted_password option carries no encrypted password",
                    ));
                }
                if !encryption_configs.is_empty() {
                    return Err(Error::invalid_argument(
                        "encryption configs must not accompany an encrypted password: its sender already knows it",
                    ));
                }
                let crypto = crypto.ok_or_else(|| {
                    Error::unimplemented(
                        "an encrypted password needs decrypting with the ConductorOne client secret, and this runner has no credential decryption",
                    )
                })?;
                CredentialOption::Password(crypto.decrypt_password(&e.encrypted_passwords)?)
            }
        };
        Ok(Self {
            option,
            force_change_at_next_login: options.force_change_at_next_login,
        })
    }
}

/// Encryption of generated credentials and decryption of chosen passwords (baton's
/// `pkg/crypto`), supplied by the runner that holds the ConductorOne client secret.
pub trait CredentialCrypto: Send + Sync {
    /// Decrypts a password the requester chose (one entry per key it was encrypted to).
    fn decrypt_password(&self, encrypted: &[EncryptedData]) -> Result<Password, Error>;

    /// Encrypts one generated credential for every recipient.
    fn encrypt(
        &self,
        plaintext: &PlaintextData,
        recipients: &[EncryptionConfig],
    ) -> Result<Vec<EncryptedData>, Error>;

    /// Checks every recipient without encrypting (baton's `ValidateEncryptionConfigs`), so a
    /// request whose credential could not be delivered is refused before the connector issues
    /// it. The default accepts everything (an implementation that cannot tell).
    fn validate(&self, recipients: &[EncryptionConfig]) -> Result<(), Error> {
        let _ = recipients;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::credential_options::{EncryptedPassword, Options};

    /// A stand-in for real encryption: decrypts to the bytes, "encrypts" by reversing them.
    pub(crate) struct Reverse;

    impl CredentialCrypto for Reverse {
        fn decrypt_password(&self, encrypted: &[EncryptedData]) -> Result<Password, Error> {
            let bytes = &encrypted[0].encrypted_bytes;
            Ok(Password::new(String::from_utf8_lossy(bytes).into_owned()))
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

    fn encrypted(configs: usize) -> (CredentialOptions, Vec<EncryptionConfig>) {
        let opts = CredentialOptions {
            force_change_at_next_login: true,
            options: Some(Options::EncryptedPassword(EncryptedPassword {
                encrypted_passwords: vec![EncryptedData {
                    encrypted_bytes: b"pw".to_vec(),
                    ..Default::default()
                }],
            })),
        };
        (opts, vec![EncryptionConfig::default(); configs])
    }

    #[test]
    fn from_wire_follows_baton() {
        let (opts, none) = encrypted(0);
        let local = LocalCredentialOptions::from_wire(&opts, &none, Some(&Reverse)).unwrap();
        assert!(local.force_change_at_next_login);
        match &local.option {
            CredentialOption::Password(p) => assert_eq!(p.expose_secret(), "pw"),
            other => panic!("{other:?}"),
        }
        assert!(!format!("{local:?}").contains("pw\""));

        let (opts, some) = encrypted(1);
        let e = LocalCredentialOptions::from_wire(&opts, &some, Some(&Reverse)).unwrap_err();
        assert_eq!(e.code(), crate::error::Code::InvalidArgument);
        let e = LocalCredentialOptions::from_wire(&opts, &[], None).unwrap_err();
        assert_eq!(e.code(), crate::error::Code::Unimplemented);

        let e = LocalCredentialOptions::from_wire(&CredentialOptions::default(), &[], None)
            .unwrap_err();
        assert_eq!(e.code(), crate::error::Code::InvalidArgument);
        let e =
            LocalCredentialOptions::from_wire(&CredentialOptions::random_password(7), &[], None)
                .unwrap_err();
        assert!(e.message().contains("8..=64"), "{e}");
    }
}
