//! Task builders for tests: push them to a `FakeConductorOne` and read the answers from its
//! records.
//!
//! ```
//! use c1_connector_runner::service::proto::TaskType;
//! use c1_connector_runner::service::testing::tasks;
//! use c1_connector_sdk::model::{AccountInfo, CredentialOptions, ResourceId};
//!
//! let create = tasks::create_account(
//!     &tasks::task_id(1),
//!     Some(AccountInfo::new("ann").with_email("ann@example.com", true)),
//!     Some(CredentialOptions::no_password()),
//!     Vec::new(),
//!     "user",
//! );
//! assert_eq!(create.type_name(), "create_account");
//! let delete = tasks::delete_resource(&tasks::task_id(2), Some(ResourceId::new("user", "ann")));
//! assert!(matches!(delete.task_type, Some(TaskType::DeleteResource(_))));
//! let page = tasks::list_events(&tasks::task_id(3), "audit", "", None, 100);
//! assert_eq!(page.type_name(), "list_events");
//! ```

use c1_connector_sdk::model::{
    AccountInfo, CredentialOptions, EncryptionConfig, Entitlement, Grant, Resource, ResourceId,
};
use prost_types::{Struct, Timestamp};

use crate::service::proto::{
    ActionGetSchemaTask, ActionInvokeTask, ActionListSchemasTask, ActionStatusTask,
    CreateAccountTask, DeleteResourceTask, EventFeedTask, GrantTask, HelloTask,
    IssueCredentialTask, ListEventFeedsTask, ListEventsTask, RevokeTask, RotateCredentialsTask,
    SyncFullTask, Task, TaskType,
};

/// A valid 27-character task id made from `n`.
pub fn task_id(n: u32) -> String {
    format!("task{n:023}")
}

fn task(id: &str, t: TaskType) -> Task {
    Task {
        id: id.to_owned(),
        status: 0,
        debug: false,
        task_type: Some(t),
    }
}

/// A full sync.
pub fn sync_full(id: &str) -> Task {
    task(id, TaskType::SyncFull(SyncFullTask::default()))
}

/// A sync with these options (`targeted_sync_resources`, `sync_resource_type_ids`,
/// `skip_grants`...).
pub fn sync_with(id: &str, spec: SyncFullTask) -> Task {
    task(id, TaskType::SyncFull(spec))
}

/// A targeted sync of `resources` (each a resource with an id, maybe a parent id).
pub fn sync_targeted(id: &str, resources: Vec<Resource>) -> Task {
    sync_with(
        id,
        SyncFullTask {
            targeted_sync_resources: resources,
            ..SyncFullTask::default()
        },
    )
}

/// A grant of `entitlement` to `principal`.
pub fn grant(id: &str, entitlement: &Entitlement, principal: &Resource) -> Task {
    task(
        id,
        TaskType::Grant(GrantTask {
            entitlement: Some(entitlement.clone()),
            principal: Some(principal.clone()),
            annotations: Vec::new(),
            duration: None,
        }),
    )
}

/// A revoke of `grant`.
pub fn revoke(id: &str, grant: &Grant) -> Task {
    task(
        id,
        TaskType::Revoke(RevokeTask {
            grant: Some(grant.clone()),
            annotations: Vec::new(),
        }),
    )
}

/// A Hello task.
pub fn hello(id: &str) -> Task {
    task(id, TaskType::Hello(HelloTask::default()))
}

/// A task of a type service mode does not handle (`event_feed`, unsupported in baton's service
/// mode too).
pub fn unsupported(id: &str) -> Task {
    task(id, TaskType::EventFeed(EventFeedTask::default()))
}

/// A task with an id and no type (what a type newer than this build decodes to).
pub fn untyped(id: &str) -> Task {
    Task {
        id: id.to_owned(),
        status: 0,
        debug: false,
        task_type: None,
    }
}

/// An account creation.
pub fn create_account(
    id: &str,
    info: Option<AccountInfo>,
    credential_options: Option<CredentialOptions>,
    encryption_configs: Vec<EncryptionConfig>,
    resource_type_id: &str,
) -> Task {
    task(
        id,
        TaskType::CreateAccount(CreateAccountTask {
            account_info: info,
            credential_options,
            encryption_configs,
            resource_type_id: resource_type_id.to_owned(),
        }),
    )
}

/// A deletion of `resource` (`None`: a malformed task).
pub fn delete_resource(id: &str, resource: Option<ResourceId>) -> Task {
    task(
        id,
        TaskType::DeleteResource(DeleteResourceTask {
            resource_id: resource,
            parent_resource_id: None,
        }),
    )
}

/// A credential rotation of `resource`, the new secret encrypted to `encryption_configs`.
pub fn rotate_credentials(
    id: &str,
    resource: Option<ResourceId>,
    encryption_configs: Vec<c1_connector_sdk::model::EncryptionConfig>,
) -> Task {
    task(
        id,
        TaskType::RotateCredentials(RotateCredentialsTask {
            resource_id: resource,
            credential_options: None,
            encryption_configs,
        }),
    )
}

/// A credential issuance (an API key) for `identity`, encrypted to `encryption_configs`.
pub fn issue_api_key(
    id: &str,
    identity: Option<ResourceId>,
    encryption_configs: Vec<c1_connector_sdk::model::EncryptionConfig>,
) -> Task {
    task(
        id,
        TaskType::IssueCredential(IssueCredentialTask {
            identity_id: identity,
            credential_options: Some(c1_connector_sdk::model::CredentialIssueOptions {
                options: Some(
                    c1_connector_sdk::model::credential_issue_options::Options::ApiKey(
                        Default::default(),
                    ),
                ),
            }),
            encryption_configs,
            expires_at: None,
        }),
    )
}

/// A listing of action schemas (of one resource type unless empty).
pub fn action_list_schemas(id: &str, resource_type_id: &str) -> Task {
    task(
        id,
        TaskType::ActionListSchemas(ActionListSchemasTask {
            annotations: Vec::new(),
            resource_type_id: resource_type_id.to_owned(),
        }),
    )
}

/// A request for one action schema.
pub fn action_get_schema(id: &str, name: &str) -> Task {
    task(
        id,
        TaskType::ActionGetSchema(ActionGetSchemaTask {
            name: name.to_owned(),
            annotations: Vec::new(),
        }),
    )
}

/// An action invocation.
pub fn action_invoke(id: &str, name: &str, resource_type_id: &str, args: Option<Struct>) -> Task {
    task(
        id,
        TaskType::ActionInvoke(ActionInvokeTask {
            name: name.to_owned(),
            args,
            annotations: Vec::new(),
            resource_type_id: resource_type_id.to_owned(),
        }),
    )
}

/// A request for the status of the action `action_id`.
pub fn action_status(id: &str, action_id: &str) -> Task {
    task(
        id,
        TaskType::ActionStatus(ActionStatusTask {
            name: String::new(),
            id: action_id.to_owned(),
            annotations: Vec::new(),
        }),
    )
}

/// A listing of the event feeds.
pub fn list_event_feeds(id: &str) -> Task {
    task(id, TaskType::ListEventFeeds(ListEventFeedsTask::default()))
}

/// One page of the feed `feed_id` from `cursor` (or `start_at` when the cursor is empty).
pub fn list_events(
    id: &str,
    feed_id: &str,
    cursor: &str,
    start_at: Option<Timestamp>,
    page_size: u32,
) -> Task {
    task(
        id,
        TaskType::ListEvents(ListEventsTask {
            annotations: Vec::new(),
            cursor: cursor.to_owned(),
            start_at,
            event_feed_id: feed_id.to_owned(),
            page_size,
        }),
    )
}
