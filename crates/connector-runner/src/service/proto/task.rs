//! `c1.connectorapi.baton.v1.Task` and its nested task messages (`baton.proto:32-232`).
//!
//! Every variant of the `task_type` oneof is declared, so a task of any type decodes and its
//! type can be named in logs and in the "unsupported task type" answer. The tasks the service
//! handles are decoded in full; variants it does not handle (tickets, credential rotation and
//! issuance) carry only the fields built from simple types, and prost skips the others, which
//! is harmless until a handler needs them.

use c1_connector_sdk::model::{
    AccountInfo, CredentialOptions, EncryptionConfig, Entitlement, Grant, Resource, ResourceId,
};
use prost_types::{Any, Duration, Struct, Timestamp};

/// `c1.connectorapi.baton.v1.Task`: one unit of work handed out by ConductorOne.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Task {
    /// The task id (27 alphanumeric characters on ConductorOne's side).
    #[prost(string, tag = "1")]
    pub id: String,
    /// The server's view of the task's status (values of [`Status`]); the client ignores it.
    #[prost(enumeration = "Status", tag = "2")]
    pub status: i32,
    /// Whether ConductorOne asked for a debug log of this task.
    #[prost(bool, tag = "3")]
    pub debug: bool,
    /// What to do. `None` (absent or of a type this build does not know) is unsupported.
    #[prost(
        oneof = "TaskType",
        tags = "100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123"
    )]
    pub task_type: Option<TaskType>,
}

/// `c1.connectorapi.baton.v1.Task.Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum Status {
    /// Unknown.
    Unspecified = 0,
    /// Waiting to be handed out.
    Pending = 1,
    /// Scheduled.
    Scheduled = 2,
    /// Running.
    Running = 3,
    /// Finished.
    Finished = 4,
}

/// The `task_type` oneof of [`Task`].
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum TaskType {
    /// 100: no work.
    #[prost(message, tag = "100")]
    None(NoneTask),
    /// 101: answer with a Hello RPC carrying the task id.
    #[prost(message, tag = "101")]
    Hello(HelloTask),
    /// 102: run a full sync and upload the `.c1z`.
    #[prost(message, tag = "102")]
    SyncFull(SyncFullTask),
    /// 103: grant an entitlement.
    #[prost(message, tag = "103")]
    Grant(GrantTask),
    /// 104: revoke a grant.
    #[prost(message, tag = "104")]
    Revoke(RevokeTask),
    /// 105: create an account.
    #[prost(message, tag = "105")]
    CreateAccount(CreateAccountTask),
    /// 106: create a resource.
    #[prost(message, tag = "106")]
    CreateResource(CreateResourceTask),
    /// 107: delete a resource.
    #[prost(message, tag = "107")]
    DeleteResource(DeleteResourceTask),
    /// 108: rotate credentials.
    #[prost(message, tag = "108")]
    RotateCredentials(RotateCredentialsTask),
    /// 109: event feed (not handled in baton's service mode either).
    #[prost(message, tag = "109")]
    EventFeed(EventFeedTask),
    /// 110: create a ticket.
    #[prost(message, tag = "110")]
    CreateTicketTask(CreateTicketTask),
    /// 111: list ticket schemas.
    #[prost(message, tag = "111")]
    ListTicketSchemas(ListTicketSchemasTask),
    /// 112: get a ticket.
    #[prost(message, tag = "112")]
    GetTicket(GetTicketTask),
    /// 113: create tickets in bulk.
    #[prost(message, tag = "113")]
    BulkCreateTickets(BulkCreateTicketsTask),
    /// 114: get tickets in bulk.
    #[prost(message, tag = "114")]
    BulkGetTickets(BulkGetTicketsTask),
    /// 115: list action schemas.
    #[prost(message, tag = "115")]
    ActionListSchemas(ActionListSchemasTask),
    /// 116: get an action schema.
    #[prost(message, tag = "116")]
    ActionGetSchema(ActionGetSchemaTask),
    /// 117: invoke an action.
    #[prost(message, tag = "117")]
    ActionInvoke(ActionInvokeTask),
    /// 118: status of an action.
    #[prost(message, tag = "118")]
    ActionStatus(ActionStatusTask),
    /// 119: create a sync diff (not handled in baton's service mode either).
    #[prost(message, tag = "119")]
    CreateSyncDiff(CreateSyncDiffTask),
    /// 120: compact syncs (not handled in baton's service mode either).
    #[prost(message, tag = "120")]
    CompactSyncs(CompactSyncsTask),
    /// 121: list event feeds.
    #[prost(message, tag = "121")]
    ListEventFeeds(ListEventFeedsTask),
    /// 122: list events.
    #[prost(message, tag = "122")]
    ListEvents(ListEventsTask),
    /// 123: issue a credential.
    #[prost(message, tag = "123")]
    IssueCredential(IssueCredentialTask),
}

impl TaskType {
    /// The oneof field's name in `baton.proto` (e.g. `sync_full`), used in logs.
    pub fn name(&self) -> &'static str {
        match self {
            TaskType::None(_) => "none",
            TaskType::Hello(_) => "hello",
            TaskType::SyncFull(_) => "sync_full",
            TaskType::Grant(_) => "grant",
            TaskType::Revoke(_) => "revoke",
            TaskType::CreateAccount(_) => "create_account",
            TaskType::CreateResource(_) => "create_resource",
            TaskType::DeleteResource(_) => "delete_resource",
            TaskType::RotateCredentials(_) => "rotate_credentials",
            TaskType::EventFeed(_) => "event_feed",
            TaskType::CreateTicketTask(_) => "create_ticket_task",
            TaskType::ListTicketSchemas(_) => "list_ticket_schemas",
            TaskType::GetTicket(_) => "get_ticket",
            TaskType::BulkCreateTickets(_) => "bulk_create_tickets",
            TaskType::BulkGetTickets(_) => "bulk_get_tickets",
            TaskType::ActionListSchemas(_) => "action_list_schemas",
            TaskType::ActionGetSchema(_) => "action_get_schema",
            TaskType::ActionInvoke(_) => "action_invoke",
            TaskType::ActionStatus(_) => "action_status",
            TaskType::CreateSyncDiff(_) => "create_sync_diff",
            TaskType::CompactSyncs(_) => "compact_syncs",
            TaskType::ListEventFeeds(_) => "list_event_feeds",
            TaskType::ListEvents(_) => "list_events",
            TaskType::IssueCredential(_) => "issue_credential",
        }
    }
}

impl Task {
    /// The task type's name for logs: the oneof field's name, or `unknown` when the oneof is
    /// absent (or of a type newer than this build).
    pub fn type_name(&self) -> &'static str {
        self.task_type.as_ref().map_or("unknown", TaskType::name)
    }

    /// Whether this task means "no work" (no task type, or `none`).
    ///
    /// Only an absent *task* means no work to the poll loop; a task with an id but no known
    /// type is work of an unsupported type. This helper answers for the `none` variant.
    pub fn is_none_task(&self) -> bool {
        matches!(self.task_type, Some(TaskType::None(_)))
    }
}

/// `Task.NoneTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NoneTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `Task.HelloTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `Task.SyncFullTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SyncFullTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// ConductorOne expands grants itself.
    #[prost(bool, tag = "2")]
    pub skip_expand_grants: bool,
    /// Sync resources only (a quick first sync).
    #[prost(bool, tag = "3")]
    pub skip_entitlements_and_grants: bool,
    /// Sync only these resources.
    #[prost(message, repeated, tag = "4")]
    pub targeted_sync_resources: Vec<Resource>,
    /// Sync only these resource types.
    #[prost(string, repeated, tag = "5")]
    pub sync_resource_type_ids: Vec<String>,
    /// Skip grants (resources and entitlements are still synced).
    #[prost(bool, tag = "6")]
    pub skip_grants: bool,
    /// `""`, `"pebble"` or `"sqlite"`; this implementation writes v1 (SQLite) files only.
    #[prost(string, tag = "7")]
    pub storage_engine: String,
}

/// `Task.GrantTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantTask {
    /// The entitlement to grant, with its resource.
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// Who receives it.
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
    /// Annotations (not passed to the connector, as in baton).
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// How long the grant should last (not passed to the connector, as in baton).
    #[prost(message, optional, tag = "4")]
    pub duration: Option<Duration>,
}

/// `Task.RevokeTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RevokeTask {
    /// The grant to revoke (entitlement, principal and id).
    #[prost(message, optional, tag = "1")]
    pub grant: Option<Grant>,
    /// Annotations (not passed to the connector, as in baton).
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.CreateAccountTask` (the fields of `c1.connector.v2.CreateAccountRequest`, with the same
/// numbers).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateAccountTask {
    /// Who to create.
    #[prost(message, optional, tag = "1")]
    pub account_info: Option<AccountInfo>,
    /// How to set up the account's credentials.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialOptions>,
    /// Who generated credentials are encrypted for.
    #[prost(message, repeated, tag = "3")]
    pub encryption_configs: Vec<EncryptionConfig>,
    /// The resource type of the account (empty: the connector's only account type, or `user`).
    #[prost(string, tag = "4")]
    pub resource_type_id: String,
}

/// `Task.CreateResourceTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateResourceTask {
    /// The resource to create.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
}

/// `Task.DeleteResourceTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceTask {
    /// The resource to delete.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// Its parent, if any.
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
}

/// `Task.RotateCredentialsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RotateCredentialsTask {
    /// Whose credentials.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// What kind of credential.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<CredentialOptions>,
    /// Who the new secret is encrypted for.
    #[prost(message, repeated, tag = "3")]
    pub encryption_configs: Vec<EncryptionConfig>,
}

/// `Task.EventFeedTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EventFeedTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Start of the feed.
    #[prost(message, optional, tag = "2")]
    pub start_at: Option<Timestamp>,
}

/// `Task.ListEventsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventsTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Page cursor.
    #[prost(string, tag = "2")]
    pub cursor: String,
    /// Start of the listing.
    #[prost(message, optional, tag = "3")]
    pub start_at: Option<Timestamp>,
    /// Which feed.
    #[prost(string, tag = "4")]
    pub event_feed_id: String,
    /// Page size.
    #[prost(uint32, tag = "5")]
    pub page_size: u32,
}

/// `Task.ListEventFeedsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventFeedsTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `Task.CreateTicketTask`. Fields 1-2 (`ticket_request`, `ticket_schema`) are not decoded yet.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateTicketTask {
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `Task.BulkCreateTicketsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BulkCreateTicketsTask {
    /// The tickets.
    #[prost(message, repeated, tag = "1")]
    pub ticket_requests: Vec<CreateTicketTask>,
}

/// `Task.BulkGetTicketsTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BulkGetTicketsTask {
    /// The tickets.
    #[prost(message, repeated, tag = "1")]
    pub ticket_requests: Vec<GetTicketTask>,
}

/// `Task.ListTicketSchemasTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListTicketSchemasTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `Task.GetTicketTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetTicketTask {
    /// The ticket id.
    #[prost(string, tag = "1")]
    pub ticket_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.ActionListSchemasTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionListSchemasTask {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// Only the actions of this resource type.
    #[prost(string, tag = "2")]
    pub resource_type_id: String,
}

/// `Task.ActionGetSchemaTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionGetSchemaTask {
    /// The action's name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.ActionInvokeTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionInvokeTask {
    /// The action's name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its arguments.
    #[prost(message, optional, tag = "2")]
    pub args: Option<Struct>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// The resource type the action belongs to, if any.
    #[prost(string, tag = "4")]
    pub resource_type_id: String,
}

/// `Task.ActionStatusTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ActionStatusTask {
    /// The action's name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The invocation id.
    #[prost(string, tag = "2")]
    pub id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `Task.CreateSyncDiffTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateSyncDiffTask {
    /// The base sync.
    #[prost(string, tag = "1")]
    pub base_sync_id: String,
    /// The new sync.
    #[prost(string, tag = "2")]
    pub new_sync_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
}

/// `Task.CompactSyncs`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CompactSyncsTask {
    /// The syncs to compact.
    #[prost(message, repeated, tag = "1")]
    pub compactable_syncs: Vec<CompactableSync>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `Task.CompactSyncs.CompactableSync`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CompactableSync {
    /// The file.
    #[prost(string, tag = "1")]
    pub file_path: String,
    /// The sync.
    #[prost(string, tag = "2")]
    pub sync_id: String,
}

/// `Task.IssueCredentialTask`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct IssueCredentialTask {
    /// The identity.
    #[prost(message, optional, tag = "1")]
    pub identity_id: Option<ResourceId>,
    /// What kind of credential.
    #[prost(message, optional, tag = "2")]
    pub credential_options: Option<c1_connector_sdk::model::CredentialIssueOptions>,
    /// Who the secret is encrypted for.
    #[prost(message, repeated, tag = "3")]
    pub encryption_configs: Vec<EncryptionConfig>,
    /// When the credential expires.
    #[prost(message, optional, tag = "4")]
    pub expires_at: Option<Timestamp>,
}
