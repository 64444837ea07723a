//! baton's action messages (`proto/c1/connector/v2/action.proto`): action schemas, invoke,
//! status, and the request/response pairs of `ActionService`.

use super::annotations::packable;
use super::config::{Constraint, Field};

/// `c1.connector.v2.BatonActionStatus`.
///
/// ```
/// use c1_connector_sdk::model::BatonActionStatus;
/// assert!(BatonActionStatus::Complete.is_settled());
/// assert!(BatonActionStatus::Running.is_in_flight());
/// assert_eq!(BatonActionStatus::Failed.proto_name(), "BATON_ACTION_STATUS_FAILED");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum BatonActionStatus {
    /// Not set.
    Unspecified = 0,
    /// Unknown.
    Unknown = 1,
    /// Accepted, not started.
    Pending = 2,
    /// Running.
    Running = 3,
    /// Finished successfully.
    Complete = 4,
    /// Finished with a failure.
    Failed = 5,
}

impl BatonActionStatus {
    /// baton's protojson name.
    pub fn proto_name(self) -> &'static str {
        match self {
            Self::Unspecified => "BATON_ACTION_STATUS_UNSPECIFIED",
            Self::Unknown => "BATON_ACTION_STATUS_UNKNOWN",
            Self::Pending => "BATON_ACTION_STATUS_PENDING",
            Self::Running => "BATON_ACTION_STATUS_RUNNING",
            Self::Complete => "BATON_ACTION_STATUS_COMPLETE",
            Self::Failed => "BATON_ACTION_STATUS_FAILED",
        }
    }

    /// Pending or running (baton's `IsInFlight`).
    pub fn is_in_flight(self) -> bool {
        matches!(self, Self::Pending | Self::Running)
    }

    /// Complete or failed (baton's `IsSettled`).
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Complete | Self::Failed)
    }
}

/// `c1.connector.v2.ActionType`: what an action does, so ConductorOne can offer it in the right
/// place (for example "disable account").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum ActionType {
    /// Not set.
    Unspecified = 0,
    /// A connector-defined action.
    Dynamic = 1,
    /// An account action.
    Account = 2,
    /// Update an account's profile.
    AccountUpdateProfile = 3,
    /// Disable an account.
    AccountDisable = 4,
    /// Enable an account.
    AccountEnable = 5,
    /// Create a resource.
    ResourceCreate = 6,
    /// Delete a resource.
    ResourceDelete = 7,
    /// Enable a resource.
    ResourceEnable = 8,
    /// Disable a resource.
    ResourceDisable = 9,
}

impl ActionType {
    /// baton's protojson name, e.g. `ACTION_TYPE_ACCOUNT_DISABLE`.
    pub fn proto_name(self) -> &'static str {
        match self {
            Self::Unspecified => "ACTION_TYPE_UNSPECIFIED",
            Self::Dynamic => "ACTION_TYPE_DYNAMIC",
            Self::Account => "ACTION_TYPE_ACCOUNT",
            Self::AccountUpdateProfile => "ACTION_TYPE_ACCOUNT_UPDATE_PROFILE",
            Self::AccountDisable => "ACTION_TYPE_ACCOUNT_DISABLE",
            Self::AccountEnable => "ACTION_TYPE_ACCOUNT_ENABLE",
            Self::ResourceCreate => "ACTION_TYPE_RESOURCE_CREATE",
            Self::ResourceDelete => "ACTION_TYPE_RESOURCE_DELETE",
            Self::ResourceEnable => "ACTION_TYPE_RESOURCE_ENABLE",
            Self::ResourceDisable => "ACTION_TYPE_RESOURCE_DISABLE",
        }
    }
}

/// `c1.connector.v2.BatonActionSchema`: an action's name, arguments and return values.
///
/// ```
/// use c1_connector_sdk::model::{ActionType, BatonActionSchema, config::Field};
/// let disable = BatonActionSchema::new("disable_user", "Disable user")
///     .with_argument(Field::resource_id("resource_id", "User").required())
///     .with_action_type(ActionType::AccountDisable);
/// assert_eq!(disable.arguments.len(), 1);
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct BatonActionSchema {
    /// Unique name (within its resource type, or among global actions).
    #[prost(string, tag = "1")]
    pub name: String,
    /// Arguments.
    #[prost(message, repeated, tag = "2")]
    pub arguments: Vec<Field>,
    /// Rules over which arguments may appear together.
    #[prost(message, repeated, tag = "3")]
    pub constraints: Vec<Constraint>,
    /// Fields of the response struct.
    #[prost(message, repeated, tag = "4")]
    pub return_types: Vec<Field>,
    /// Label.
    #[prost(string, tag = "5")]
    pub display_name: String,
    /// Description.
    #[prost(string, tag = "6")]
    pub description: String,
    /// Action types (values of [`ActionType`]).
    #[prost(enumeration = "ActionType", repeated, tag = "7")]
    pub action_type: Vec<i32>,
    /// The resource type of a resource-scoped action (empty for a global one). Set by the SDK
    /// from the syncer that offers the action.
    #[prost(string, tag = "8")]
    pub resource_type_id: String,
}

impl BatonActionSchema {
    /// A schema with a name and a display name.
    pub fn new(name: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            display_name: display_name.into(),
            ..Self::default()
        }
    }

    /// Adds an argument.
    #[must_use]
    pub fn with_argument(mut self, field: Field) -> Self {
        self.arguments.push(field);
        self
    }

    /// Adds a return value.
    #[must_use]
    pub fn with_return_type(mut self, field: Field) -> Self {
        self.return_types.push(field);
        self
    }

    /// Adds an action type.
    #[must_use]
    pub fn with_action_type(mut self, action_type: ActionType) -> Self {
        self.action_type.push(action_type as i32);
        self
    }

    /// Adds a constraint.
    #[must_use]
    pub fn with_constraint(mut self, constraint: Constraint) -> Self {
        self.constraints.push(constraint);
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The action types this crate knows.
    pub fn action_type_values(&self) -> impl Iterator<Item = ActionType> + '_ {
        self.action_type
            .iter()
            .filter_map(|t| ActionType::try_from(*t).ok())
    }
}

/// `c1.connector.v2.InvokeActionRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct InvokeActionRequest {
    /// The action.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Arguments, keyed by [`Field::name`].
    #[prost(message, optional, tag = "2")]
    pub args: Option<prost_types::Struct>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
    /// The resource type of a resource-scoped action (empty: a global action).
    #[prost(string, tag = "4")]
    pub resource_type_id: String,
    /// How long the call may wait for the action to finish (a provider's concern; the SDK
    /// passes it on).
    #[prost(message, optional, tag = "5")]
    pub inline_wait: Option<prost_types::Duration>,
}

/// `c1.connector.v2.InvokeActionResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct InvokeActionResponse {
    /// The action's id, for [`GetActionStatusRequest`].
    #[prost(string, tag = "1")]
    pub id: String,
    /// Status (values of [`BatonActionStatus`]).
    #[prost(enumeration = "BatonActionStatus", tag = "2")]
    pub status: i32,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
    /// The response, shaped by the schema's `return_types`.
    #[prost(message, optional, tag = "4")]
    pub response: Option<prost_types::Struct>,
    /// The action's name.
    #[prost(string, tag = "5")]
    pub name: String,
}

impl InvokeActionResponse {
    /// The `error` text of the response, where baton's action manager (and
    /// [`ActionOutcome::failed`](crate::connector::ActionOutcome::failed)) says why an action
    /// failed.
    ///
    /// ```
    /// use c1_connector_sdk::connector::ActionOutcome;
    /// use c1_connector_sdk::model::InvokeActionResponse;
    /// let failed = ActionOutcome::failed("a-1", "the user is locked");
    /// let response = InvokeActionResponse { response: failed.response, ..Default::default() };
    /// assert_eq!(response.error_message(), Some("the user is locked"));
    /// ```
    pub fn error_message(&self) -> Option<&str> {
        error_text(self.response.as_ref())
    }
}

/// The `error` string field of an action's response.
fn error_text(response: Option<&prost_types::Struct>) -> Option<&str> {
    match &response?.fields.get("error")?.kind {
        Some(prost_types::value::Kind::StringValue(s)) => Some(s),
        _ => None,
    }
}

/// `c1.connector.v2.GetActionStatusRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetActionStatusRequest {
    /// Deprecated: the action's name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The action's id.
    #[prost(string, tag = "2")]
    pub id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.GetActionStatusResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetActionStatusResponse {
    /// The action's name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The action's id.
    #[prost(string, tag = "2")]
    pub id: String,
    /// Status (values of [`BatonActionStatus`]).
    #[prost(enumeration = "BatonActionStatus", tag = "3")]
    pub status: i32,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<prost_types::Any>,
    /// The response so far.
    #[prost(message, optional, tag = "5")]
    pub response: Option<prost_types::Struct>,
}

impl GetActionStatusResponse {
    /// The `error` text of the response (see [`InvokeActionResponse::error_message`]).
    pub fn error_message(&self) -> Option<&str> {
        error_text(self.response.as_ref())
    }
}

/// `c1.connector.v2.GetActionSchemaRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetActionSchemaRequest {
    /// The action.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.GetActionSchemaResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetActionSchemaResponse {
    /// The schema.
    #[prost(message, optional, tag = "1")]
    pub schema: Option<BatonActionSchema>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.ListActionSchemasRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListActionSchemasRequest {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<prost_types::Any>,
    /// Only this resource type's actions (empty: every action).
    #[prost(string, tag = "2")]
    pub resource_type_id: String,
}

/// `c1.connector.v2.ListActionSchemasResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListActionSchemasResponse {
    /// The schemas.
    #[prost(message, repeated, tag = "1")]
    pub schemas: Vec<BatonActionSchema>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<prost_types::Any>,
}

packable!(
    InvokeActionResponse,
    GetActionStatusResponse,
    GetActionSchemaResponse,
    ListActionSchemasResponse,
);

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn schema_bytes() {
        let s = BatonActionSchema {
            name: "d".into(),
            arguments: vec![Field::bool("b", "")],
            constraints: Vec::new(),
            return_types: vec![Field::string("s", "")],
            display_name: "D".into(),
            description: "x".into(),
            action_type: vec![
                ActionType::AccountDisable as i32,
                ActionType::Dynamic as i32,
            ],
            resource_type_id: "user".into(),
        };
        let mut want = vec![0x0a, 1, b'd'];
        want.extend([0x12, 6, 0x0a, 1, b'b', 0xb2, 0x06, 0]); // arguments[0]
        want.extend([0x22, 6, 0x0a, 1, b's', 0xa2, 0x06, 0]); // return_types[0]
        want.extend([0x2a, 1, b'D', 0x32, 1, b'x']);
        want.extend([0x3a, 2, 4, 1]); // action_type packed
        want.extend([0x42, 4, b'u', b's', b'e', b'r']);
        assert_eq!(s.encode_to_vec(), want);
        assert_eq!(BatonActionSchema::decode(want.as_slice()).unwrap(), s);
    }

    #[test]
    fn invoke_and_status_bytes() {
        let req = InvokeActionRequest {
            name: "n".into(),
            args: Some(prost_types::Struct::default()),
            annotations: Vec::new(),
            resource_type_id: "t".into(),
            inline_wait: Some(prost_types::Duration {
                seconds: 2,
                nanos: 0,
            }),
        };
        assert_eq!(
            req.encode_to_vec(),
            [0x0a, 1, b'n', 0x12, 0, 0x22, 1, b't', 0x2a, 2, 0x08, 2]
        );
        let resp = InvokeActionResponse {
            id: "1".into(),
            status: BatonActionStatus::Complete as i32,
            annotations: Vec::new(),
            response: None,
            name: "n".into(),
        };
        assert_eq!(
            resp.encode_to_vec(),
            [0x0a, 1, b'1', 0x10, 4, 0x2a, 1, b'n']
        );
        let st = GetActionStatusResponse {
            name: "n".into(),
            id: "1".into(),
            status: BatonActionStatus::Running as i32,
            ..Default::default()
        };
        assert_eq!(st.encode_to_vec(), [0x0a, 1, b'n', 0x12, 1, b'1', 0x18, 3]);
        let list = ListActionSchemasRequest {
            annotations: Vec::new(),
            resource_type_id: "t".into(),
        };
        assert_eq!(list.encode_to_vec(), [0x12, 1, b't']);
    }
}
