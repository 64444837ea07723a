//! `c1.connector.v2.ConnectorMetadata`: how a connector describes itself, and what it can do.

use super::account_schema::ConnectorAccountCreationSchema;
use super::capabilities::ConnectorCapabilities;
use super::messages::AssetRef;

/// `c1.connector.v2.ConnectorMetadata`. Leave `capabilities` unset in a connector's
/// `metadata()`: [`crate::ops::metadata_with_capabilities`] derives and fills it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConnectorMetadata {
    /// Name shown in ConductorOne.
    #[prost(string, tag = "1")]
    pub display_name: String,
    /// Help URL (https).
    #[prost(string, tag = "2")]
    pub help_url: String,
    /// Icon.
    #[prost(message, optional, tag = "3")]
    pub icon: Option<AssetRef>,
    /// Logo.
    #[prost(message, optional, tag = "4")]
    pub logo: Option<AssetRef>,
    /// Free-form profile.
    #[prost(message, optional, tag = "5")]
    pub profile: Option<prost_types::Struct>,
    /// Annotations.
    #[prost(message, repeated, tag = "6")]
    pub annotations: Vec<prost_types::Any>,
    /// Description.
    #[prost(string, tag = "7")]
    pub description: String,
    /// What the connector can do (derived by the SDK, as baton's builder does).
    #[prost(message, optional, tag = "8")]
    pub capabilities: Option<ConnectorCapabilities>,
    /// The fields account creation needs, if the connector creates accounts.
    #[prost(message, optional, tag = "9")]
    pub account_creation_schema: Option<ConnectorAccountCreationSchema>,
}

impl ConnectorMetadata {
    /// Metadata with a display name and description.
    pub fn new(display_name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            description: description.into(),
            ..Self::default()
        }
    }
}
