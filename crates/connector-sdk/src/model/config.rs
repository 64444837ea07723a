//! The subset of baton's `c1.config.v1` messages (`proto/c1/config/v1/config.proto`) that
//! action schemas use to describe their arguments and return values.
//!
//! `c1.config.v1.Field` is large; this crate models:
//! - the common header: `name` (1), `display_name` (2), `description` (3), `placeholder` (4),
//!   `is_required` (5), `is_ops` (6), `is_secret` (7);
//! - the kinds `string_field` (100), `int_field` (101), `bool_field` (102),
//!   `string_slice_field` (103) and `resource_id_field` (105), each with its default value (and,
//!   for strings, the option list and field type), but **not** their validation `rules`;
//! - [`Constraint`] in full.
//!
//! Kinds not modelled (`string_map_field`, `resource_id_slice_field`, `resource_field`,
//! `resource_slice_field`, `entitlement_slice_field`, `grant_slice_field`) and the `rules` of
//! the modelled kinds are skipped when decoding, so a schema carrying them decodes with
//! [`Field::field`] `None` or without the rules.

/// `c1.config.v1.Field`: one argument or return value of an action.
///
/// ```
/// use c1_connector_sdk::model::config::Field;
/// let f = Field::resource_id("resource_id", "Resource").required();
/// assert!(f.is_required);
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct Field {
    /// Canonical name (snake case): the key in the action's `args` struct.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Label.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// Help text.
    #[prost(string, tag = "3")]
    pub description: String,
    /// Placeholder.
    #[prost(string, tag = "4")]
    pub placeholder: String,
    /// Whether the field must be present.
    #[prost(bool, tag = "5")]
    pub is_required: bool,
    /// Operator-only field.
    #[prost(bool, tag = "6")]
    pub is_ops: bool,
    /// Secret field.
    #[prost(bool, tag = "7")]
    pub is_secret: bool,
    /// The field's type.
    #[prost(oneof = "field::Kind", tags = "100, 101, 102, 103, 105")]
    pub field: Option<field::Kind>,
}

impl Field {
    fn of(name: &str, display_name: &str, kind: field::Kind) -> Self {
        Self {
            name: name.to_owned(),
            display_name: display_name.to_owned(),
            field: Some(kind),
            ..Self::default()
        }
    }

    /// A string field.
    pub fn string(name: &str, display_name: &str) -> Self {
        Self::of(
            name,
            display_name,
            field::Kind::StringField(StringField::default()),
        )
    }

    /// A boolean field.
    pub fn bool(name: &str, display_name: &str) -> Self {
        Self::of(
            name,
            display_name,
            field::Kind::BoolField(BoolField::default()),
        )
    }

    /// An integer field.
    pub fn int(name: &str, display_name: &str) -> Self {
        Self::of(
            name,
            display_name,
            field::Kind::IntField(IntField::default()),
        )
    }

    /// A list-of-strings field.
    pub fn string_slice(name: &str, display_name: &str) -> Self {
        Self::of(
            name,
            display_name,
            field::Kind::StringSliceField(StringSliceField::default()),
        )
    }

    /// A resource-id field. Its value in `args` is a struct
    /// `{"resource_type_id": ..., "resource_id": ...}`.
    pub fn resource_id(name: &str, display_name: &str) -> Self {
        Self::of(
            name,
            display_name,
            field::Kind::ResourceIdField(ResourceIdField::default()),
        )
    }

    /// Marks the field required.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.is_required = true;
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

/// Nested types of [`Field`].
pub mod field {
    use super::{BoolField, IntField, ResourceIdField, StringField, StringSliceField};

    /// `Field.field` (the modelled subset).
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Kind {
        /// A string.
        #[prost(message, tag = "100")]
        StringField(StringField),
        /// An integer.
        #[prost(message, tag = "101")]
        IntField(IntField),
        /// A boolean.
        #[prost(message, tag = "102")]
        BoolField(BoolField),
        /// A list of strings.
        #[prost(message, tag = "103")]
        StringSliceField(StringSliceField),
        /// A resource id.
        #[prost(message, tag = "105")]
        ResourceIdField(ResourceIdField),
    }
}

/// `c1.config.v1.StringFieldType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum StringFieldType {
    /// Plain text (the default).
    TextUnspecified = 0,
    /// Random.
    Random = 1,
    /// OAuth2.
    Oauth2 = 2,
    /// Options derived by the connector.
    ConnectorDerivedOptions = 3,
    /// File upload.
    FileUpload = 4,
}

/// `c1.config.v1.StringFieldOption`: one choice of a string field.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringFieldOption {
    /// Name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Value.
    #[prost(string, tag = "2")]
    pub value: String,
    /// Label.
    #[prost(string, tag = "3")]
    pub display_name: String,
}

/// `c1.config.v1.StringField` (without `rules`, field 2).
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringField {
    /// Default.
    #[prost(string, tag = "1")]
    pub default_value: String,
    /// Type (values of [`StringFieldType`]).
    #[prost(enumeration = "StringFieldType", tag = "3")]
    pub r#type: i32,
    /// Allowed file extensions (file uploads).
    #[prost(string, repeated, tag = "4")]
    pub allowed_extensions: Vec<String>,
    /// Choices.
    #[prost(message, repeated, tag = "5")]
    pub options: Vec<StringFieldOption>,
    /// Suggested value.
    #[prost(string, tag = "6")]
    pub suggested_value: String,
}

/// `c1.config.v1.IntField` (without `rules`, field 2).
#[derive(Clone, PartialEq, prost::Message)]
pub struct IntField {
    /// Default.
    #[prost(int64, tag = "1")]
    pub default_value: i64,
    /// Suggested value.
    #[prost(int64, tag = "3")]
    pub suggested_value: i64,
}

/// `c1.config.v1.BoolField` (without `rules`, field 2).
#[derive(Clone, PartialEq, prost::Message)]
pub struct BoolField {
    /// Default.
    #[prost(bool, tag = "1")]
    pub default_value: bool,
    /// Suggested value.
    #[prost(bool, tag = "3")]
    pub suggested_value: bool,
}

/// `c1.config.v1.StringSliceField` (without `rules`, field 2).
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringSliceField {
    /// Default.
    #[prost(string, repeated, tag = "1")]
    pub default_value: Vec<String>,
    /// Suggested value.
    #[prost(string, repeated, tag = "3")]
    pub suggested_value: Vec<String>,
}

/// `c1.config.v1.ResourceId` (not `c1.connector.v2.ResourceId`: different field names).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceId {
    /// The resource type id.
    #[prost(string, tag = "1")]
    pub resource_type_id: String,
    /// The resource id.
    #[prost(string, tag = "2")]
    pub resource_id: String,
}

/// `c1.config.v1.ResourceIdField` (without `rules`, field 3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceIdField {
    /// Default.
    #[prost(message, optional, tag = "1")]
    pub default_value: Option<ResourceId>,
}

/// `c1.config.v1.ConstraintKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum ConstraintKind {
    /// Not set (always satisfied).
    Unspecified = 0,
    /// All or none of `field_names`.
    RequiredTogether = 1,
    /// At least one of `field_names`.
    AtLeastOne = 2,
    /// At most one of `field_names`.
    MutuallyExclusive = 3,
    /// If any of `field_names` is present, all of `secondary_field_names` must be.
    DependentOn = 4,
}

/// `c1.config.v1.Constraint`: a rule over which arguments may appear together.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Constraint {
    /// Kind (values of [`ConstraintKind`]).
    #[prost(enumeration = "ConstraintKind", tag = "1")]
    pub kind: i32,
    /// The fields it constrains.
    #[prost(string, repeated, tag = "2")]
    pub field_names: Vec<String>,
    /// The fields they depend on ([`ConstraintKind::DependentOn`]).
    #[prost(string, repeated, tag = "3")]
    pub secondary_field_names: Vec<String>,
    /// Optional name.
    #[prost(string, tag = "4")]
    pub name: String,
    /// Optional help text.
    #[prost(string, tag = "5")]
    pub help_text: String,
    /// Whether the names are field groups.
    #[prost(bool, tag = "6")]
    pub is_field_group: bool,
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn field_bytes() {
        let f = Field::resource_id("r", "R").required();
        // name, display_name, is_required, resource_id_field (105 → 0xca 0x06) empty.
        let want = [0x0a, 1, b'r', 0x12, 1, b'R', 0x28, 1, 0xca, 0x06, 0];
        assert_eq!(f.encode_to_vec(), want);
        assert_eq!(Field::decode(want.as_slice()).unwrap(), f);
        assert_eq!(
            Field::bool("b", "").encode_to_vec(),
            [0x0a, 1, b'b', 0xb2, 0x06, 0]
        );
    }

    #[test]
    fn unmodelled_kind_and_rules_are_skipped() {
        // name "x", string_map_field (104) {} then a string_field with rules (2) set.
        let bytes = [0x0a, 1, b'x', 0xc2, 0x06, 0];
        let f = Field::decode(bytes.as_slice()).unwrap();
        assert_eq!(f.name, "x");
        assert!(f.field.is_none());
        let with_rules = [0xa2, 0x06, 4, 0x12, 2, 0x08, 1];
        let f = Field::decode(with_rules.as_slice()).unwrap();
        assert_eq!(
            f.field,
            Some(field::Kind::StringField(StringField::default()))
        );
    }

    #[test]
    fn constraint_bytes() {
        let c = Constraint {
            kind: ConstraintKind::DependentOn as i32,
            field_names: vec!["a".into()],
            secondary_field_names: vec!["b".into()],
            ..Default::default()
        };
        let want = [0x08, 4, 0x12, 1, b'a', 0x1a, 1, b'b'];
        assert_eq!(c.encode_to_vec(), want);
    }
}
