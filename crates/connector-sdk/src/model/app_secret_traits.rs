//! The app and secret traits (`c1.connector.v2.AppTrait`, `c1.connector.v2.SecretTrait`), kept
//! apart from the other annotations for size; re-exported from [`super::annotations`].

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
