//! The trait payloads of resources (baton's `annotation_trait.proto`): `UserTrait`,
//! `GroupTrait`, `RoleTrait`, `AppTrait` and `SecretTrait`, each stored as an annotation of the
//! resource whose type declares the matching [`Trait`](crate::model::Trait).

use super::annotations::packable;

packable!(UserTrait, GroupTrait, RoleTrait, AppTrait, SecretTrait);

/// `c1.connector.v2.UserTrait`: the user payload of a resource whose type has [`Trait::User`](crate::model::Trait::User).
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserTrait {
    /// Email addresses.
    #[prost(message, repeated, tag = "1")]
    pub emails: Vec<Email>,
    /// Deprecated status (also set `Resource.status`).
    #[prost(message, optional, tag = "2")]
    pub status: Option<user_trait::Status>,
    /// Deprecated profile (also set `Resource.profile`).
    #[prost(message, optional, tag = "3")]
    pub profile: Option<prost_types::Struct>,
    /// Deprecated icon.
    #[prost(message, optional, tag = "4")]
    pub icon: Option<super::AssetRef>,
    /// Account type (values of [`user_trait::AccountType`]).
    #[prost(enumeration = "user_trait::AccountType", tag = "5")]
    pub account_type: i32,
    /// Login name.
    #[prost(string, tag = "6")]
    pub login: String,
    /// Other login names.
    #[prost(string, repeated, tag = "7")]
    pub login_aliases: Vec<String>,
    /// Deprecated creation time (also set `Resource.created_at`).
    #[prost(message, optional, tag = "8")]
    pub created_at: Option<prost_types::Timestamp>,
    /// Last login.
    #[prost(message, optional, tag = "9")]
    pub last_login: Option<prost_types::Timestamp>,
    /// MFA status.
    #[prost(message, optional, tag = "10")]
    pub mfa_status: Option<user_trait::MfaStatus>,
    /// SSO status.
    #[prost(message, optional, tag = "11")]
    pub sso_status: Option<user_trait::SsoStatus>,
    /// Structured name.
    #[prost(message, optional, tag = "12")]
    pub structured_name: Option<user_trait::StructuredName>,
    /// Employee ids.
    #[prost(string, repeated, tag = "13")]
    pub employee_ids: Vec<String>,
}

/// `c1.connector.v2.UserTrait.Email`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Email {
    /// The address.
    #[prost(string, tag = "1")]
    pub address: String,
    /// Whether this is the primary address.
    #[prost(bool, tag = "2")]
    pub is_primary: bool,
}

impl Email {
    /// An email address.
    pub fn new(address: impl Into<String>, is_primary: bool) -> Self {
        Self {
            address: address.into(),
            is_primary,
        }
    }
}

/// Nested types of [`UserTrait`].
pub mod user_trait {
    /// `UserTrait.Status`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Status {
        /// Values of [`crate::model::resource::StatusValue`] (same numbering).
        #[prost(int32, tag = "1")]
        pub status: i32,
        /// Details.
        #[prost(string, tag = "2")]
        pub details: String,
    }

    /// `UserTrait.AccountType`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    #[non_exhaustive]
    pub enum AccountType {
        /// Unknown.
        Unspecified = 0,
        /// A person.
        Human = 1,
        /// A service account.
        Service = 2,
        /// A system account.
        System = 3,
    }

    impl AccountType {
        /// The protobuf enum value name.
        pub fn proto_name(self) -> &'static str {
            match self {
                AccountType::Unspecified => "ACCOUNT_TYPE_UNSPECIFIED",
                AccountType::Human => "ACCOUNT_TYPE_HUMAN",
                AccountType::Service => "ACCOUNT_TYPE_SERVICE",
                AccountType::System => "ACCOUNT_TYPE_SYSTEM",
            }
        }
    }

    /// `UserTrait.MFAStatus`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MfaStatus {
        /// Whether MFA is enabled.
        #[prost(bool, tag = "1")]
        pub mfa_enabled: bool,
    }

    /// `UserTrait.SSOStatus`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SsoStatus {
        /// Whether SSO is enabled.
        #[prost(bool, tag = "1")]
        pub sso_enabled: bool,
    }

    /// `UserTrait.StructuredName`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct StructuredName {
        /// Given name.
        #[prost(string, tag = "1")]
        pub given_name: String,
        /// Family name.
        #[prost(string, tag = "2")]
        pub family_name: String,
        /// Middle names.
        #[prost(string, repeated, tag = "3")]
        pub middle_names: Vec<String>,
        /// Prefix.
        #[prost(string, tag = "4")]
        pub prefix: String,
        /// Suffix.
        #[prost(string, tag = "5")]
        pub suffix: String,
    }
}

impl UserTrait {
    /// A user trait with baton's defaults (`NewUserTrait`): status ENABLED, account type HUMAN.
    pub fn new() -> Self {
        Self {
            status: Some(user_trait::Status {
                status: super::resource::StatusValue::Enabled as i32,
                details: String::new(),
            }),
            account_type: user_trait::AccountType::Human as i32,
            ..Self::default()
        }
    }

    /// Adds an email address.
    #[must_use]
    pub fn with_email(mut self, address: impl Into<String>, is_primary: bool) -> Self {
        self.emails.push(Email::new(address, is_primary));
        self
    }

    /// Sets the login.
    #[must_use]
    pub fn with_login(mut self, login: impl Into<String>) -> Self {
        self.login = login.into();
        self
    }
}

/// `c1.connector.v2.GroupTrait`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupTrait {
    /// Deprecated icon.
    #[prost(message, optional, tag = "1")]
    pub icon: Option<super::AssetRef>,
    /// Deprecated profile (also set `Resource.profile`).
    #[prost(message, optional, tag = "2")]
    pub profile: Option<prost_types::Struct>,
}

/// `c1.connector.v2.RoleTrait`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RoleTrait {
    /// Deprecated profile (also set `Resource.profile`).
    #[prost(message, optional, tag = "1")]
    pub profile: Option<prost_types::Struct>,
}

/// `c1.connector.v2.AppTrait` (the commonly used fields).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AppTrait {
    /// Help URL.
    #[prost(string, tag = "1")]
    pub help_url: String,
    /// Icon.
    #[prost(message, optional, tag = "2")]
    pub icon: Option<super::AssetRef>,
    /// Logo.
    #[prost(message, optional, tag = "3")]
    pub logo: Option<super::AssetRef>,
    /// Profile.
    #[prost(message, optional, tag = "4")]
    pub profile: Option<prost_types::Struct>,
    /// Flags (values of [`app_trait::AppFlag`]).
    #[prost(enumeration = "app_trait::AppFlag", repeated, tag = "5")]
    pub flags: Vec<i32>,
}

impl AppTrait {
    /// An app trait with no fields set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a flag.
    ///
    /// ```
    /// use c1_connector_sdk::model::{AppTrait, app_trait::AppFlag};
    /// let app = AppTrait::new().with_flag(AppFlag::Saml).with_flag(AppFlag::Inactive);
    /// assert_eq!(app.flags, [AppFlag::Saml as i32, AppFlag::Inactive as i32]);
    /// ```
    #[must_use]
    pub fn with_flag(mut self, flag: app_trait::AppFlag) -> Self {
        self.flags.push(flag as i32);
        self
    }
}

/// Nested types of [`AppTrait`].
pub mod app_trait {
    /// `AppTrait.AppFlag` (field numbers as in baton-sdk's `annotation_trait.proto`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum AppFlag {
        /// Unspecified.
        Unspecified = 0,
        /// Hidden from users.
        Hidden = 1,
        /// Not active (disabled).
        Inactive = 2,
        /// A SAML application.
        Saml = 3,
        /// An OIDC application.
        Oidc = 4,
        /// A bookmark.
        Bookmark = 5,
    }

    impl AppFlag {
        /// The protobuf enum value name.
        pub fn as_str_name(self) -> &'static str {
            match self {
                AppFlag::Unspecified => "APP_FLAG_UNSPECIFIED",
                AppFlag::Hidden => "APP_FLAG_HIDDEN",
                AppFlag::Inactive => "APP_FLAG_INACTIVE",
                AppFlag::Saml => "APP_FLAG_SAML",
                AppFlag::Oidc => "APP_FLAG_OIDC",
                AppFlag::Bookmark => "APP_FLAG_BOOKMARK",
            }
        }
    }
}

/// `c1.connector.v2.SecretTrait`: the payload of a resource whose type has
/// [`Trait::Secret`](crate::model::Trait::Secret) (an API key, a token, a certificate). The
/// deprecated `profile` and `created_at` fields are not modelled: set the resource's own.
///
/// ```
/// use c1_connector_sdk::model::{ResourceId, SecretTrait, secret_trait::CredentialType};
/// let secret = SecretTrait::new()
///     .with_expires_at(1_900_000_000)
///     .with_identity(ResourceId::new("user", "U1"))
///     .with_credential_type(CredentialType::StaticSecret, "descope_access_key");
/// assert_eq!(secret.expires_at.unwrap().seconds, 1_900_000_000);
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct SecretTrait {
    /// When the secret expires.
    #[prost(message, optional, tag = "3")]
    pub expires_at: Option<prost_types::Timestamp>,
    /// When the secret was last used.
    #[prost(message, optional, tag = "4")]
    pub last_used_at: Option<prost_types::Timestamp>,
    /// Who created it.
    #[prost(message, optional, tag = "5")]
    pub created_by_id: Option<super::ResourceId>,
    /// The identity the secret acts as.
    #[prost(message, optional, tag = "6")]
    pub identity_id: Option<super::ResourceId>,
    /// The cryptographic class (values of [`secret_trait::CredentialType`]).
    #[prost(enumeration = "secret_trait::CredentialType", tag = "7")]
    pub credential_type: i32,
    /// The platform's kind of credential (free-form, refines `credential_type`).
    #[prost(string, tag = "8")]
    pub credential_detail: String,
}

impl SecretTrait {
    /// An empty secret trait.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the expiry, in seconds since the Unix epoch.
    #[must_use]
    pub fn with_expires_at(mut self, unix_seconds: i64) -> Self {
        self.expires_at = Some(prost_types::Timestamp {
            seconds: unix_seconds,
            nanos: 0,
        });
        self
    }

    /// Sets who created the secret.
    #[must_use]
    pub fn with_created_by(mut self, id: super::ResourceId) -> Self {
        self.created_by_id = Some(id);
        self
    }

    /// Sets the identity the secret acts as.
    #[must_use]
    pub fn with_identity(mut self, id: super::ResourceId) -> Self {
        self.identity_id = Some(id);
        self
    }

    /// Sets the credential type and the platform's kind of credential.
    #[must_use]
    pub fn with_credential_type(
        mut self,
        credential_type: secret_trait::CredentialType,
        detail: impl Into<String>,
    ) -> Self {
        self.credential_type = credential_type as i32;
        self.credential_detail = detail.into();
        self
    }
}

/// Nested types of [`SecretTrait`].
pub mod secret_trait {
    /// `SecretTrait.CredentialType`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum CredentialType {
        /// Unspecified.
        Unspecified = 0,
        /// A static secret (an API key, a password).
        StaticSecret = 1,
        /// An asymmetric key.
        AsymmetricKey = 2,
        /// A certificate.
        Certificate = 3,
    }

    impl CredentialType {
        /// The protobuf enum value name.
        pub fn as_str_name(self) -> &'static str {
            match self {
                CredentialType::Unspecified => "CREDENTIAL_TYPE_UNSPECIFIED",
                CredentialType::StaticSecret => "CREDENTIAL_TYPE_STATIC_SECRET",
                CredentialType::AsymmetricKey => "CREDENTIAL_TYPE_ASYMMETRIC_KEY",
                CredentialType::Certificate => "CREDENTIAL_TYPE_CERTIFICATE",
            }
        }
    }
}
