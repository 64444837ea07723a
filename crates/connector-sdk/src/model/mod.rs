//! baton's data model: the `c1.connector.v2` messages connectors produce, annotations and
//! constructors.
//!
//! The messages are prost types whose field numbers match baton's `.proto` files, so their
//! encoding is byte-compatible with what the Go SDK writes into a `.c1z`.

mod account_schema;
mod accounts;
mod actions;
mod annotations;
mod builders;
mod capabilities;
pub mod config;
mod credentials;
mod deletion;
mod events;
mod messages;
mod metadata;
mod resource_traits;

pub use account_schema::{ConnectorAccountCreationSchema, account_creation_schema};
pub use accounts::{
    AccountInfo, CreateAccountRequest, CreateAccountResponse, CredentialOptions, EncryptedData,
    EncryptionConfig, PasswordConstraint, PlaintextData, create_account_response,
    credential_options, encryption_config,
};
pub use actions::{
    ActionType, BatonActionSchema, BatonActionStatus, GetActionSchemaRequest,
    GetActionSchemaResponse, GetActionStatusRequest, GetActionStatusResponse, InvokeActionRequest,
    InvokeActionResponse, ListActionSchemasRequest, ListActionSchemasResponse,
};
pub use annotations::{
    AnnotationMessage, Annotations, AnnotationsExt, ChildResourceType, EntitlementImmutable,
    ExternalLink, GrantAlreadyExists, GrantAlreadyRevoked, GrantExpandable, GrantImmutable,
    GrantMetadata, RateLimitDescription, RateLimitStatus, RawId, SkipEntitlements,
    SkipEntitlementsAndGrants, SkipGrants, TYPE_URL_PREFIX, V1Identifier, any_type_name, pack,
};
pub use builders::{
    IntoPrincipal, IntoProfile, json_object_to_struct, json_to_value, struct_to_json, value_to_json,
};
pub use capabilities::{
    Capability, CapabilityDetailCredentialOption, CapabilityPermission, CapabilityPermissions,
    ConnectorCapabilities, CredentialDetails, CredentialDetailsAccountProvisioning,
    CredentialDetailsCredentialRotation, Deprecated, OptInRequired, ResourceTypeCapability,
    SkipSyncAnomalyDetection,
};
pub use credentials::{
    CredentialIssueOptions, IssueCredentialRequest, IssueCredentialResponse,
    RotateCredentialRequest, RotateCredentialResponse, credential_issue_options,
};
pub use deletion::{
    DeleteResourceRequest, DeleteResourceResponse, DeleteResourceV2Request,
    DeleteResourceV2Response, ResourceDeleted, ResourceDoesNotExist,
};
pub use events::{
    CreateGrantEvent, CreateRevokeEvent, Event, EventFeedMetadata, EventType, GrantEvent,
    ListEventFeedsRequest, ListEventFeedsResponse, ListEventsRequest, ListEventsResponse,
    ResourceChangeEvent, RevokeEvent, UsageEvent, event,
};
pub use messages::{
    AssetRef, Entitlement, ExternalId, Grant, GrantSource, GrantSources, Purpose, Resource,
    ResourceId, ResourceType, Trait, resource,
};
pub use metadata::ConnectorMetadata;
pub use resource_traits::{
    AppTrait, Email, GroupTrait, RoleTrait, SecretTrait, UserTrait, app_trait, secret_trait,
    user_trait,
};
