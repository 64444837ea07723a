//! Ergonomic constructors: the idiomatic layer over the prost messages.

use prost_types::value::Kind;

use super::annotations::{AnnotationMessage, pack};
use super::messages::{
    Entitlement, Grant, Purpose, Resource, ResourceId, ResourceType, Trait, resource,
};
use super::{GroupTrait, RoleTrait, UserTrait};
use crate::ids;

impl ResourceType {
    /// A resource type with an id and a display name and no traits.
    ///
    /// ```
    /// use c1_connector_sdk::model::{ResourceType, SkipEntitlementsAndGrants, Trait};
    /// let user = ResourceType::new("user", "User")
    ///     .with_trait(Trait::User)
    ///     .with_annotation(&SkipEntitlementsAndGrants {});
    /// assert!(user.has_trait(Trait::User));
    /// ```
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            display_name: display_name.into(),
            ..Self::default()
        }
    }

    /// baton's `NewResourceType(name)`: the id is derived with [`ids::resource_type_id`].
    pub fn from_name(name: &str) -> Self {
        Self::new(ids::resource_type_id(name), name)
    }

    /// Adds a trait.
    #[must_use]
    pub fn with_trait(mut self, t: Trait) -> Self {
        if !self.traits.contains(&(t as i32)) {
            self.traits.push(t as i32);
        }
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds an annotation.
    #[must_use]
    pub fn with_annotation<M: AnnotationMessage>(mut self, message: &M) -> Self {
        self.annotations.push(pack(message));
        self
    }

    /// Whether the type declares this trait.
    pub fn has_trait(&self, t: Trait) -> bool {
        self.traits.contains(&(t as i32))
    }

    /// The declared traits that this crate knows.
    pub fn trait_values(&self) -> impl Iterator<Item = Trait> + '_ {
        self.traits.iter().filter_map(|t| Trait::try_from(*t).ok())
    }
}

impl ResourceId {
    /// A resource id.
    pub fn new(resource_type: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            resource_type: resource_type.into(),
            resource: resource.into(),
            baton_resource: false,
        }
    }
}

/// A profile for [`Resource::with_profile`]: a JSON object or a protobuf `Struct`.
pub trait IntoProfile {
    /// Converts into a protobuf `Struct`.
    fn into_profile(self) -> prost_types::Struct;
}

impl IntoProfile for prost_types::Struct {
    fn into_profile(self) -> prost_types::Struct {
        self
    }
}

impl IntoProfile for serde_json::Map<String, serde_json::Value> {
    fn into_profile(self) -> prost_types::Struct {
        json_object_to_struct(self)
    }
}

/// Converts a JSON object into a protobuf `Struct`.
pub fn json_object_to_struct(
    map: serde_json::Map<String, serde_json::Value>,
) -> prost_types::Struct {
    prost_types::Struct {
        fields: map
            .into_iter()
            .map(|(k, v)| (k, json_to_value(v)))
            .collect(),
    }
}

/// Converts a JSON value into a protobuf `Value`.
pub fn json_to_value(v: serde_json::Value) -> prost_types::Value {
    let kind = match v {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Kind::StringValue(s),
        serde_json::Value::Array(a) => Kind::ListValue(prost_types::ListValue {
            values: a.into_iter().map(json_to_value).collect(),
        }),
        serde_json::Value::Object(o) => Kind::StructValue(json_object_to_struct(o)),
    };
    prost_types::Value { kind: Some(kind) }
}

/// Converts a protobuf `Struct` into a JSON object.
pub fn struct_to_json(s: &prost_types::Struct) -> serde_json::Value {
    serde_json::Value::Object(
        s.fields
            .iter()
            .map(|(k, v)| (k.clone(), value_to_json(v)))
            .collect(),
    )
}

/// Converts a protobuf `Value` into JSON.
pub fn value_to_json(v: &prost_types::Value) -> serde_json::Value {
    match &v.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(*b),
        Some(Kind::NumberValue(n)) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s.clone()),
        Some(Kind::ListValue(l)) => {
            serde_json::Value::Array(l.values.iter().map(value_to_json).collect())
        }
        Some(Kind::StructValue(s)) => struct_to_json(s),
    }
}

impl Resource {
    /// A resource of type `resource_type_id` with an id and a display name.
    ///
    /// ```
    /// use c1_connector_sdk::model::{Resource, UserTrait};
    /// let alice = Resource::new("user", "u1", "Alice")
    ///     .with_user_trait(UserTrait::new().with_email("alice@example.com", true))
    ///     .with_created_at(1_700_000_000);
    /// assert_eq!(alice.resource_id().resource, "u1");
    /// ```
    pub fn new(
        resource_type_id: impl Into<String>,
        id: impl Into<String>,
        display_name: impl Into<String>,
    ) -> Self {
        Self {
            id: Some(ResourceId::new(resource_type_id, id)),
            display_name: display_name.into(),
            ..Self::default()
        }
    }

    /// The id, or an empty id when unset (a well-formed resource always has one).
    pub fn resource_id(&self) -> ResourceId {
        self.id.clone().unwrap_or_default()
    }

    /// Sets the parent.
    #[must_use]
    pub fn with_parent(mut self, parent: ResourceId) -> Self {
        self.parent_resource_id = Some(parent);
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Sets the profile, from a JSON object or a protobuf `Struct`.
    #[must_use]
    pub fn with_profile(mut self, profile: impl IntoProfile) -> Self {
        self.profile = Some(profile.into_profile());
        self
    }

    /// Sets the status.
    #[must_use]
    pub fn with_status(mut self, status: resource::StatusValue) -> Self {
        self.status = Some(resource::Status::of(status));
        self
    }

    /// Sets the creation time, in seconds since the Unix epoch.
    #[must_use]
    pub fn with_created_at(mut self, unix_seconds: i64) -> Self {
        self.created_at = Some(prost_types::Timestamp {
            seconds: unix_seconds,
            nanos: 0,
        });
        self
    }

    /// Adds an annotation.
    #[must_use]
    pub fn with_annotation<M: AnnotationMessage>(mut self, message: &M) -> Self {
        self.annotations.push(pack(message));
        self
    }

    /// Adds the user trait. As baton recommends, the resource-level profile, status and creation
    /// time are copied from the trait when the resource does not set them, and the other way round.
    #[must_use]
    pub fn with_user_trait(mut self, mut user: UserTrait) -> Self {
        // Both carry the same profile. It is moved, not cloned: into the trait for encoding the
        // annotation, then back to the resource (a profile can be large, and this runs per user).
        if user.profile.is_none() {
            user.profile = self.profile.take();
        }
        if self.created_at.is_none() {
            self.created_at = user.created_at;
        } else if user.created_at.is_none() {
            user.created_at = self.created_at;
        }
        if let (None, Some(s)) = (&self.status, &user.status) {
            self.status = Some(resource::Status {
                status: s.status,
                details: s.details.clone(),
            });
        }
        self.annotations.push(pack(&user));
        if self.profile.is_none() {
            self.profile = user.profile.take();
        }
        self
    }

    /// Adds the group trait (its profile defaults to the resource's profile).
    #[must_use]
    pub fn with_group_trait(mut self, mut group: GroupTrait) -> Self {
        if group.profile.is_none() {
            group.profile = self.profile.clone();
        } else if self.profile.is_none() {
            self.profile = group.profile.clone();
        }
        self.annotations.push(pack(&group));
        self
    }

    /// Adds the app trait (its profile defaults to the resource's profile).
    ///
    /// ```
    /// use c1_connector_sdk::model::{AppTrait, Resource, app_trait::AppFlag};
    /// let app = Resource::new("app", "A1", "Wiki").with_app_trait(AppTrait::new().with_flag(AppFlag::Oidc));
    /// assert_eq!(app.annotations.len(), 1);
    /// ```
    #[must_use]
    pub fn with_app_trait(mut self, mut app: super::AppTrait) -> Self {
        if app.profile.is_none() {
            app.profile = self.profile.clone();
        } else if self.profile.is_none() {
            self.profile = app.profile.clone();
        }
        self.annotations.push(pack(&app));
        self
    }

    /// Adds the role trait (its profile defaults to the resource's profile).
    #[must_use]
    pub fn with_role_trait(mut self, mut role: RoleTrait) -> Self {
        if role.profile.is_none() {
            role.profile = self.profile.clone();
        } else if self.profile.is_none() {
            self.profile = role.profile.clone();
        }
        self.annotations.push(pack(&role));
        self
    }

    /// Adds the secret trait.
    #[must_use]
    pub fn with_secret_trait(mut self, secret: super::SecretTrait) -> Self {
        self.annotations.push(pack(&secret));
        self
    }

    /// Whether the resource carries the payload of this trait.
    pub fn has_trait(&self, t: Trait) -> bool {
        let name = match t {
            Trait::User => "UserTrait",
            Trait::Group => "GroupTrait",
            Trait::Role => "RoleTrait",
            Trait::App => "AppTrait",
            Trait::Secret => "SecretTrait",
            Trait::SecurityInsight => "SecurityInsightTrait",
            Trait::ScopeBinding => "ScopeBindingTrait",
            Trait::Vendor => "VendorTrait",
            Trait::VendorAgreement => "VendorAgreementTrait",
            Trait::LicenseProfile => "LicenseProfileTrait",
            Trait::Agent => "AgentTrait",
            Trait::ManagedDevice => "ManagedDeviceTrait",
            Trait::Unspecified => return true,
        };
        self.annotations
            .iter()
            .any(|a| super::annotations::any_type_name(a) == name)
    }
}

impl Entitlement {
    fn with_purpose(resource: &Resource, slug: &str, purpose: Purpose) -> Self {
        Self {
            resource: Some(resource.clone()),
            id: ids::entitlement_id(&resource.resource_id(), slug),
            display_name: slug.to_owned(),
            purpose: purpose as i32,
            slug: slug.to_owned(),
            ..Self::default()
        }
    }

    /// baton's `NewAssignmentEntitlement`: id `<type>:<resource>:<slug>`, display name and slug = `slug`.
    ///
    /// ```
    /// use c1_connector_sdk::model::{Entitlement, Resource, ResourceType};
    /// let role = Resource::new("role", "admin", "Admin");
    /// let member = Entitlement::assignment(&role, "member")
    ///     .with_grantable_to(&[ResourceType::new("user", "User")]);
    /// assert_eq!(member.id, "role:admin:member");
    /// ```
    pub fn assignment(resource: &Resource, slug: &str) -> Self {
        Self::with_purpose(resource, slug, Purpose::Assignment)
    }

    /// baton's `NewPermissionEntitlement`.
    pub fn permission(resource: &Resource, slug: &str) -> Self {
        Self::with_purpose(resource, slug, Purpose::Permission)
    }

    /// baton's `NewOwnershipEntitlement`.
    pub fn ownership(resource: &Resource, slug: &str) -> Self {
        Self::with_purpose(resource, slug, Purpose::Ownership)
    }

    /// Sets the display name.
    #[must_use]
    pub fn with_display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = name.into();
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Sets the resource types that can receive this entitlement.
    #[must_use]
    pub fn with_grantable_to(mut self, types: &[ResourceType]) -> Self {
        self.grantable_to = types.to_vec();
        self
    }

    /// Adds an annotation.
    #[must_use]
    pub fn with_annotation<M: AnnotationMessage>(mut self, message: &M) -> Self {
        self.annotations.push(pack(message));
        self
    }

    /// The id of the entitlement's resource (empty when unset).
    pub fn resource_id(&self) -> ResourceId {
        self.resource
            .as_ref()
            .map(Resource::resource_id)
            .unwrap_or_default()
    }
}

/// A grant's principal: a [`ResourceId`] or a full [`Resource`].
pub trait IntoPrincipal {
    /// Converts into the principal resource.
    fn into_principal(self) -> Resource;
}

impl IntoPrincipal for ResourceId {
    fn into_principal(self) -> Resource {
        Resource {
            id: Some(self),
            ..Resource::default()
        }
    }
}

impl IntoPrincipal for &ResourceId {
    fn into_principal(self) -> Resource {
        self.clone().into_principal()
    }
}

impl IntoPrincipal for &Resource {
    fn into_principal(self) -> Resource {
        self.clone()
    }
}

impl IntoPrincipal for Resource {
    fn into_principal(self) -> Resource {
        self
    }
}

impl Grant {
    /// A grant of `entitlement` to `principal`, with baton's id `<entitlement>:<type>:<id>`.
    ///
    /// ```
    /// use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceId};
    /// let role = Resource::new("role", "admin", "Admin");
    /// let member = Entitlement::assignment(&role, "member");
    /// let g = Grant::new(&member, ResourceId::new("user", "u1"));
    /// assert_eq!(g.id, "role:admin:member:user:u1");
    /// ```
    pub fn new(entitlement: &Entitlement, principal: impl IntoPrincipal) -> Self {
        let principal = principal.into_principal();
        Self {
            id: ids::grant_id(&entitlement.id, &principal.resource_id()),
            entitlement: Some(entitlement.clone()),
            principal: Some(principal),
            ..Self::default()
        }
    }

    /// Adds an annotation.
    #[must_use]
    pub fn with_annotation<M: AnnotationMessage>(mut self, message: &M) -> Self {
        self.annotations.push(pack(message));
        self
    }

    /// The entitlement id (empty when unset).
    pub fn entitlement_id(&self) -> &str {
        self.entitlement.as_ref().map_or("", |e| e.id.as_str())
    }

    /// The principal's id (empty when unset).
    pub fn principal_id(&self) -> ResourceId {
        self.principal
            .as_ref()
            .map(Resource::resource_id)
            .unwrap_or_default()
    }
}
