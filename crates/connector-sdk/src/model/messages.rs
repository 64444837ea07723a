//! baton's `c1.connector.v2` messages as prost types, with baton's field numbers.
//!
//! Written by hand (there is no `protoc` in the build): every tag below is the field number of
//! `proto/c1/connector/v2/*.proto` in baton-sdk, so the bytes are what baton writes and reads.

use std::collections::BTreeMap;

/// `c1.connector.v2.ResourceType`: a kind of resource a connector syncs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceType {
    /// The type id (for example `user`).
    #[prost(string, tag = "1")]
    pub id: String,
    /// Human-readable name.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// The traits of this type (values of [`Trait`]).
    #[prost(enumeration = "Trait", repeated, tag = "3")]
    pub traits: Vec<i32>,
    /// Annotations (for example [`SkipEntitlementsAndGrants`](crate::model::SkipEntitlementsAndGrants)).
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<prost_types::Any>,
    /// Description.
    #[prost(string, tag = "5")]
    pub description: String,
    /// Whether resources of this type come from another system.
    #[prost(bool, tag = "6")]
    pub sourced_externally: bool,
}

/// `c1.connector.v2.ResourceType.Trait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Trait {
    /// No trait.
    Unspecified = 0,
    /// A user (identity).
    User = 1,
    /// A group.
    Group = 2,
    /// A role.
    Role = 3,
    /// An application.
    App = 4,
    /// A secret or credential.
    Secret = 5,
    /// A security insight.
    SecurityInsight = 6,
    /// A scope binding.
    ScopeBinding = 7,
    /// A vendor.
    Vendor = 8,
    /// A vendor agreement.
    VendorAgreement = 9,
    /// A license profile.
    LicenseProfile = 10,
    /// An agent.
    Agent = 11,
    /// A managed device.
    ManagedDevice = 12,
}

impl Trait {
    /// The protobuf enum value name, e.g. `TRAIT_USER`.
    pub fn proto_name(self) -> &'static str {
        match self {
            Trait::Unspecified => "TRAIT_UNSPECIFIED",
            Trait::User => "TRAIT_USER",
            Trait::Group => "TRAIT_GROUP",
            Trait::Role => "TRAIT_ROLE",
            Trait::App => "TRAIT_APP",
            Trait::Secret => "TRAIT_SECRET",
            Trait::SecurityInsight => "TRAIT_SECURITY_INSIGHT",
            Trait::ScopeBinding => "TRAIT_SCOPE_BINDING",
            Trait::Vendor => "TRAIT_VENDOR",
            Trait::VendorAgreement => "TRAIT_VENDOR_AGREEMENT",
            Trait::LicenseProfile => "TRAIT_LICENSE_PROFILE",
            Trait::Agent => "TRAIT_AGENT",
            Trait::ManagedDevice => "TRAIT_MANAGED_DEVICE",
        }
    }
}

/// `c1.connector.v2.ResourceId`: a resource's type and id.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Message)]
pub struct ResourceId {
    /// The resource type id.
    #[prost(string, tag = "1")]
    pub resource_type: String,
    /// The resource id within its type.
    #[prost(string, tag = "2")]
    pub resource: String,
    /// Reserved to the SDK.
    #[prost(bool, tag = "3")]
    pub baton_resource: bool,
}

/// `c1.connector.v2.ExternalId` (deprecated in baton; kept so old data decodes).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExternalId {
    /// Id in the external system.
    #[prost(string, tag = "1")]
    pub id: String,
    /// Link.
    #[prost(string, tag = "2")]
    pub link: String,
    /// Description.
    #[prost(string, tag = "3")]
    pub description: String,
}

/// `c1.connector.v2.AssetRef`: a reference to an asset (an icon).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AssetRef {
    /// Asset id.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `c1.connector.v2.Resource`: one object of a resource type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Resource {
    /// The resource's id.
    #[prost(message, optional, tag = "1")]
    pub id: Option<ResourceId>,
    /// The parent, for child resources.
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
    /// Human-readable name.
    #[prost(string, tag = "3")]
    pub display_name: String,
    /// Annotations: trait payloads, [`ChildResourceType`](crate::model::ChildResourceType), ...
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<prost_types::Any>,
    /// Description.
    #[prost(string, tag = "5")]
    pub description: String,
    /// Reserved to the SDK.
    #[prost(bool, tag = "6")]
    pub baton_resource: bool,
    /// Deprecated external id.
    #[prost(message, optional, tag = "7")]
    pub external_id: Option<ExternalId>,
    /// Deprecated creation source (enum value).
    #[prost(int32, tag = "8")]
    pub creation_source: i32,
    /// Free-form profile.
    #[prost(message, optional, tag = "9")]
    pub profile: Option<prost_types::Struct>,
    /// Icon.
    #[prost(message, optional, tag = "10")]
    pub icon: Option<AssetRef>,
    /// Status (enabled, disabled, deleted).
    #[prost(message, optional, tag = "11")]
    pub status: Option<resource::Status>,
    /// When the resource was created in the source system.
    #[prost(message, optional, tag = "12")]
    pub created_at: Option<prost_types::Timestamp>,
}

/// Nested types of [`Resource`].
pub mod resource {
    /// `c1.connector.v2.Resource.Status`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Status {
        /// The status (values of [`StatusValue`]).
        #[prost(enumeration = "StatusValue", tag = "1")]
        pub status: i32,
        /// Free-form details.
        #[prost(string, tag = "2")]
        pub details: String,
    }

    /// `c1.connector.v2.Resource.Status.Status`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    #[non_exhaustive]
    pub enum StatusValue {
        /// Unknown.
        Unspecified = 0,
        /// Active.
        Enabled = 1,
        /// Disabled.
        Disabled = 2,
        /// Deleted.
        Deleted = 3,
    }

    impl StatusValue {
        /// The protobuf enum value name, e.g. `STATUS_ENABLED`.
        pub fn proto_name(self) -> &'static str {
            match self {
                StatusValue::Unspecified => "STATUS_UNSPECIFIED",
                StatusValue::Enabled => "STATUS_ENABLED",
                StatusValue::Disabled => "STATUS_DISABLED",
                StatusValue::Deleted => "STATUS_DELETED",
            }
        }

        /// The name of the same value in the top-level `Resource.status`
        /// (`c1.connector.v2.Status.ResourceStatus`), e.g. `RESOURCE_STATUS_ENABLED`; the user
        /// trait's status uses [`StatusValue::proto_name`].
        pub fn resource_proto_name(self) -> &'static str {
            match self {
                StatusValue::Unspecified => "RESOURCE_STATUS_UNSPECIFIED",
                StatusValue::Enabled => "RESOURCE_STATUS_ENABLED",
                StatusValue::Disabled => "RESOURCE_STATUS_DISABLED",
                StatusValue::Deleted => "RESOURCE_STATUS_DELETED",
            }
        }
    }

    impl Status {
        /// A status with no details.
        pub fn of(status: StatusValue) -> Self {
            Self {
                status: status as i32,
                details: String::new(),
            }
        }
    }
}

/// `c1.connector.v2.Entitlement`: something a principal can be granted on a resource.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Entitlement {
    /// The resource this entitlement belongs to.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// `<type>:<resource>:<slug>` (see [`crate::ids::entitlement_id`]).
    #[prost(string, tag = "2")]
    pub id: String,
    /// Human-readable name.
    #[prost(string, tag = "3")]
    pub display_name: String,
    /// Description.
    #[prost(string, tag = "4")]
    pub description: String,
    /// Resource types whose resources can receive this entitlement.
    #[prost(message, repeated, tag = "5")]
    pub grantable_to: Vec<ResourceType>,
    /// Annotations.
    #[prost(message, repeated, tag = "6")]
    pub annotations: Vec<prost_types::Any>,
    /// Purpose (values of [`Purpose`]).
    #[prost(enumeration = "Purpose", tag = "7")]
    pub purpose: i32,
    /// Short name.
    #[prost(string, tag = "8")]
    pub slug: String,
}

/// `c1.connector.v2.Entitlement.PurposeValue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Purpose {
    /// Unknown.
    Unspecified = 0,
    /// Membership or assignment.
    Assignment = 1,
    /// A permission.
    Permission = 2,
    /// Ownership.
    Ownership = 3,
}

impl Purpose {
    /// The protobuf enum value name, e.g. `PURPOSE_VALUE_ASSIGNMENT`.
    pub fn proto_name(self) -> &'static str {
        match self {
            Purpose::Unspecified => "PURPOSE_VALUE_UNSPECIFIED",
            Purpose::Assignment => "PURPOSE_VALUE_ASSIGNMENT",
            Purpose::Permission => "PURPOSE_VALUE_PERMISSION",
            Purpose::Ownership => "PURPOSE_VALUE_OWNERSHIP",
        }
    }
}

/// `c1.connector.v2.Grant`: a principal holds an entitlement.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Grant {
    /// The entitlement.
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// Who holds it.
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
    /// `<entitlement>:<principal type>:<principal id>` (see [`crate::ids::grant_id`]).
    #[prost(string, tag = "3")]
    pub id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<prost_types::Any>,
    /// Where an expanded grant comes from.
    #[prost(message, optional, tag = "5")]
    pub sources: Option<GrantSources>,
}

/// `c1.connector.v2.GrantSources`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantSources {
    /// Source entitlement id → source. A `BTreeMap` so encoding is deterministic.
    #[prost(btree_map = "string, message", tag = "1")]
    pub sources: BTreeMap<String, GrantSource>,
}

/// `c1.connector.v2.GrantSources.GrantSource`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantSource {
    /// Whether the grant is direct.
    #[prost(bool, tag = "1")]
    pub is_direct: bool,
}
