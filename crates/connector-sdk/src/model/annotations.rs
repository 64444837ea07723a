//! Annotations (`repeated google.protobuf.Any`) and the annotation messages connectors use.

use prost::Message;
use prost_types::Any;

/// A message that can be stored in an [`Annotations`] list.
///
/// `TYPE_NAME` is the message's unqualified name in `c1.connector.v2`; the `type_url` is
/// `type.googleapis.com/c1.connector.v2.<TYPE_NAME>`, which is what baton writes and matches on.
pub trait AnnotationMessage: Message + Default {
    /// The unqualified message name, e.g. `"UserTrait"`.
    const TYPE_NAME: &'static str;

    /// The full `type_url` of this message inside an `Any`.
    fn type_url() -> String {
        format!("{TYPE_URL_PREFIX}{}", Self::TYPE_NAME)
    }
}

/// The prefix of every annotation `type_url`.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/c1.connector.v2.";

/// The message name of an `Any`: the part after the last `/` and the package
/// (baton matches on the name after the last `/`).
pub fn any_type_name(any: &Any) -> &str {
    let full = any.type_url.rsplit('/').next().unwrap_or(&any.type_url);
    full.strip_prefix("c1.connector.v2.").unwrap_or(full)
}

/// Packs a message into an `Any`.
pub fn pack<M: AnnotationMessage>(message: &M) -> Any {
    Any {
        type_url: M::type_url(),
        value: message.encode_to_vec(),
    }
}

fn is<M: AnnotationMessage>(any: &Any) -> bool {
    any.type_url.rsplit('/').next() == Some(&format!("c1.connector.v2.{}", M::TYPE_NAME))
}

/// A list of annotations with typed access.
///
/// ```
/// use c1_connector_sdk::model::{Annotations, GrantAlreadyExists, ChildResourceType};
/// let mut annos = Annotations::new();
/// annos.push(&GrantAlreadyExists {});
/// assert!(annos.contains::<GrantAlreadyExists>());
/// assert!(annos.get::<ChildResourceType>().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annotations(pub Vec<Any>);

impl Annotations {
    /// An empty list.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// A list holding one message.
    pub fn with<M: AnnotationMessage>(message: &M) -> Self {
        let mut a = Self::new();
        a.push(message);
        a
    }

    /// Appends a message.
    pub fn push<M: AnnotationMessage>(&mut self, message: &M) {
        self.0.push(pack(message));
    }

    /// Replaces every message of the same type with this one (baton's `Update`).
    pub fn update<M: AnnotationMessage>(&mut self, message: &M) {
        self.0.retain(|a| !is::<M>(a));
        self.push(message);
    }

    /// Whether a message of type `M` is present.
    pub fn contains<M: AnnotationMessage>(&self) -> bool {
        self.0.iter().any(is::<M>)
    }

    /// The first message of type `M` that decodes, if any.
    pub fn get<M: AnnotationMessage>(&self) -> Option<M> {
        self.0
            .iter()
            .filter(|a| is::<M>(a))
            .find_map(|a| M::decode(a.value.as_slice()).ok())
    }

    /// Every message of type `M` that decodes.
    pub fn get_all<M: AnnotationMessage>(&self) -> Vec<M> {
        self.0
            .iter()
            .filter(|a| is::<M>(a))
            .filter_map(|a| M::decode(a.value.as_slice()).ok())
            .collect()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of annotations.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Iterates over the raw `Any` values.
    pub fn iter(&self) -> std::slice::Iter<'_, Any> {
        self.0.iter()
    }

    /// The raw list.
    pub fn into_inner(self) -> Vec<Any> {
        self.0
    }
}

impl From<Vec<Any>> for Annotations {
    fn from(v: Vec<Any>) -> Self {
        Self(v)
    }
}

impl From<Annotations> for Vec<Any> {
    fn from(a: Annotations) -> Self {
        a.0
    }
}

/// Typed access to a raw `Vec<Any>` (the `annotations` field of every model message).
pub trait AnnotationsExt {
    /// Whether a message of type `M` is present.
    fn contains_annotation<M: AnnotationMessage>(&self) -> bool;
    /// The first message of type `M`, if any.
    fn get_annotation<M: AnnotationMessage>(&self) -> Option<M>;
}

impl AnnotationsExt for [Any] {
    fn contains_annotation<M: AnnotationMessage>(&self) -> bool {
        self.iter().any(is::<M>)
    }
    fn get_annotation<M: AnnotationMessage>(&self) -> Option<M> {
        self.iter()
            .filter(|a| is::<M>(a))
            .find_map(|a| M::decode(a.value.as_slice()).ok())
    }
}

/// Makes messages of `c1.connector.v2` packable into an `Any` (implements [`AnnotationMessage`]
/// with the struct's name as the message name): the one definition for every model module.
macro_rules! packable {
    ($($ty:ident),* $(,)?) => {
        $(impl $crate::model::AnnotationMessage for $ty {
            const TYPE_NAME: &'static str = stringify!($ty);
        })*
    };
}
pub(super) use packable;

packable!(
    ChildResourceType,
    SkipEntitlementsAndGrants,
    SkipEntitlements,
    SkipGrants,
    ExternalLink,
    GrantAlreadyExists,
    GrantAlreadyRevoked,
    GrantImmutable,
    GrantMetadata,
    GrantExpandable,
    EntitlementImmutable,
    RateLimitDescription,
    V1Identifier,
    RawId,
);

/// `c1.connector.v2.ChildResourceType`: on a parent resource, "list this child type with me as parent".
#[derive(Clone, PartialEq, prost::Message)]
pub struct ChildResourceType {
    /// The child resource type id.
    #[prost(string, tag = "1")]
    pub resource_type_id: String,
}

impl ChildResourceType {
    /// The annotation for a child type.
    pub fn new(resource_type_id: impl Into<String>) -> Self {
        Self {
            resource_type_id: resource_type_id.into(),
        }
    }
}

/// `c1.connector.v2.SkipEntitlementsAndGrants`: on a type or resource, skip both phases.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SkipEntitlementsAndGrants {}

/// `c1.connector.v2.SkipEntitlements`: on a type or resource, skip the entitlements phase.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SkipEntitlements {}

/// `c1.connector.v2.SkipGrants`: on a type or resource, skip the grants phase.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SkipGrants {}

/// `c1.connector.v2.ExternalLink`: the URL of the object in the source system (https).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExternalLink {
    /// The URL.
    #[prost(string, tag = "1")]
    pub url: String,
}

/// `c1.connector.v2.GrantAlreadyExists`: a grant call was an idempotent no-op.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantAlreadyExists {}

/// `c1.connector.v2.GrantAlreadyRevoked`: a revoke call was an idempotent no-op.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantAlreadyRevoked {}

/// `c1.connector.v2.GrantImmutable`: the grant cannot be changed or revoked.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantImmutable {
    /// Where the grant comes from.
    #[prost(string, tag = "1")]
    pub source_id: String,
    /// Extra metadata.
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<prost_types::Struct>,
}

/// `c1.connector.v2.GrantMetadata`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantMetadata {
    /// Metadata.
    #[prost(message, optional, tag = "1")]
    pub metadata: Option<prost_types::Struct>,
}

/// `c1.connector.v2.GrantExpandable`: holders of these entitlements also get the grant's entitlement.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantExpandable {
    /// Source entitlement ids.
    #[prost(string, repeated, tag = "1")]
    pub entitlement_ids: Vec<String>,
    /// Expand direct holders only.
    #[prost(bool, tag = "2")]
    pub shallow: bool,
    /// Limit expansion to these principal types.
    #[prost(string, repeated, tag = "3")]
    pub resource_type_ids: Vec<String>,
}

/// `c1.connector.v2.EntitlementImmutable`: the entitlement cannot be granted or revoked.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EntitlementImmutable {
    /// Where the entitlement comes from.
    #[prost(string, tag = "1")]
    pub source_id: String,
    /// Extra metadata.
    #[prost(message, optional, tag = "2")]
    pub metadata: Option<prost_types::Struct>,
}

/// `c1.connector.v2.RateLimitDescription`: rate-limit state of the source API.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RateLimitDescription {
    /// Values of [`RateLimitStatus`].
    #[prost(enumeration = "RateLimitStatus", tag = "1")]
    pub status: i32,
    /// The limit.
    #[prost(int64, tag = "2")]
    pub limit: i64,
    /// Remaining requests in the window.
    #[prost(int64, tag = "3")]
    pub remaining: i64,
    /// When the window resets.
    #[prost(message, optional, tag = "4")]
    pub reset_at: Option<prost_types::Timestamp>,
}

/// `c1.connector.v2.RateLimitDescription.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum RateLimitStatus {
    /// Unknown.
    Unspecified = 0,
    /// Within limits.
    Ok = 1,
    /// Over the limit.
    Overlimit = 2,
    /// Error.
    Error = 3,
}

/// `c1.connector.v2.V1Identifier`: a legacy id.
#[derive(Clone, PartialEq, prost::Message)]
pub struct V1Identifier {
    /// The id.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `c1.connector.v2.RawId`: the raw id in the source system.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RawId {
    /// The id.
    #[prost(string, tag = "1")]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_url_and_roundtrip() {
        let mut a = Annotations::new();
        a.push(&ChildResourceType::new("member"));
        assert_eq!(
            a.0[0].type_url,
            "type.googleapis.com/c1.connector.v2.ChildResourceType"
        );
        assert_eq!(any_type_name(&a.0[0]), "ChildResourceType");
        assert_eq!(
            a.get::<ChildResourceType>().map(|c| c.resource_type_id),
            Some("member".to_owned())
        );
        a.update(&ChildResourceType::new("other"));
        assert_eq!(a.len(), 1);
        assert!(!a.contains::<SkipGrants>());
    }
}
