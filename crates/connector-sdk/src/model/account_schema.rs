//! `c1.connector.v2.ConnectorAccountCreationSchema` (`proto/c1/connector/v2/connector.proto`):
//! the fields a connector needs to create an account.

use std::collections::BTreeMap;

/// `c1.connector.v2.ConnectorAccountCreationSchema` (`ConnectorMetadata` field 9): the fields
/// a connector needs to create an account, which ConductorOne shows in its form and sends back
/// in [`AccountInfo::profile`](super::AccountInfo::profile).
///
/// ```
/// use c1_connector_sdk::model::ConnectorAccountCreationSchema;
/// let schema = ConnectorAccountCreationSchema::new()
///     .string_field("email", "Email", true)
///     .string_field("name", "Name", false)
///     .string_list_field("tenants", "Tenants", false);
/// assert_eq!(schema.field_map["email"].order, 0);
/// assert_eq!(schema.field_map["tenants"].order, 2);
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConnectorAccountCreationSchema {
    /// Field name → field. A `BTreeMap` so encoding is deterministic.
    #[prost(btree_map = "string, message", tag = "1")]
    pub field_map: BTreeMap<String, account_creation_schema::Field>,
}

impl ConnectorAccountCreationSchema {
    /// An empty schema.
    pub fn new() -> Self {
        Self::default()
    }

    fn with(
        mut self,
        name: &str,
        display_name: &str,
        required: bool,
        kind: account_creation_schema::Kind,
    ) -> Self {
        // Order follows declaration, so the form shows fields in the order they were added.
        let order = i32::try_from(self.field_map.len()).unwrap_or(i32::MAX);
        self.field_map.insert(
            name.to_owned(),
            account_creation_schema::Field {
                display_name: display_name.to_owned(),
                required,
                order,
                field: Some(kind),
                ..Default::default()
            },
        );
        self
    }

    /// Adds a string field.
    #[must_use]
    pub fn string_field(self, name: &str, display_name: &str, required: bool) -> Self {
        self.with(
            name,
            display_name,
            required,
            account_creation_schema::Kind::StringField(account_creation_schema::StringField {
                default_value: None,
            }),
        )
    }

    /// Adds a boolean field.
    #[must_use]
    pub fn bool_field(self, name: &str, display_name: &str, required: bool) -> Self {
        self.with(
            name,
            display_name,
            required,
            account_creation_schema::Kind::BoolField(account_creation_schema::BoolField {
                default_value: None,
            }),
        )
    }

    /// Adds a list-of-strings field.
    #[must_use]
    pub fn string_list_field(self, name: &str, display_name: &str, required: bool) -> Self {
        self.with(
            name,
            display_name,
            required,
            account_creation_schema::Kind::StringListField(
                account_creation_schema::StringListField {
                    default_value: Vec::new(),
                },
            ),
        )
    }
}

/// Nested types of [`ConnectorAccountCreationSchema`].
pub mod account_creation_schema {
    use std::collections::BTreeMap;

    /// `ConnectorAccountCreationSchema.Field`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Field {
        /// Label.
        #[prost(string, tag = "1")]
        pub display_name: String,
        /// Whether the field is required.
        #[prost(bool, tag = "2")]
        pub required: bool,
        /// Help text.
        #[prost(string, tag = "3")]
        pub description: String,
        /// Placeholder text.
        #[prost(string, tag = "4")]
        pub placeholder: String,
        /// Position in the form.
        #[prost(int32, tag = "5")]
        pub order: i32,
        /// Deprecated field.
        #[prost(bool, tag = "6")]
        pub deprecated: bool,
        /// The field's type.
        #[prost(oneof = "Kind", tags = "100, 101, 102, 103, 104")]
        pub field: Option<Kind>,
    }

    /// `Field.field`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Kind {
        /// A string.
        #[prost(message, tag = "100")]
        StringField(StringField),
        /// A boolean.
        #[prost(message, tag = "101")]
        BoolField(BoolField),
        /// A list of strings.
        #[prost(message, tag = "102")]
        StringListField(StringListField),
        /// An integer.
        #[prost(message, tag = "103")]
        IntField(IntField),
        /// A map of fields.
        #[prost(message, tag = "104")]
        MapField(MapField),
    }

    /// `ConnectorAccountCreationSchema.StringField`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct StringField {
        /// Default.
        #[prost(string, optional, tag = "1")]
        pub default_value: Option<String>,
    }

    /// `ConnectorAccountCreationSchema.BoolField`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct BoolField {
        /// Default.
        #[prost(bool, optional, tag = "1")]
        pub default_value: Option<bool>,
    }

    /// `ConnectorAccountCreationSchema.StringListField`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct StringListField {
        /// Default.
        #[prost(string, repeated, tag = "1")]
        pub default_value: Vec<String>,
    }

    /// `ConnectorAccountCreationSchema.IntField`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct IntField {
        /// Default.
        #[prost(int32, optional, tag = "1")]
        pub default_value: Option<i32>,
    }

    /// `ConnectorAccountCreationSchema.MapField`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MapField {
        /// Default.
        #[prost(btree_map = "string, message", tag = "1")]
        pub default_value: BTreeMap<String, Field>,
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn account_creation_schema_bytes() {
        let s = ConnectorAccountCreationSchema::new().bool_field("b", "B", true);
        // map entry { key = 1: "b", value = 2: Field { display_name "B", required, bool_field {} } }
        let field = [0x0a, 1, b'B', 0x10, 1, 0xaa, 0x06, 0];
        let mut entry = vec![0x0a, 1, b'b', 0x12, field.len() as u8];
        entry.extend(field);
        let mut want = vec![0x0a, entry.len() as u8];
        want.extend(entry);
        assert_eq!(s.encode_to_vec(), want);
        assert_eq!(
            ConnectorAccountCreationSchema::decode(want.as_slice()).unwrap(),
            s
        );
    }
}
