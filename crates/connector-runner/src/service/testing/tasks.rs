//! Task builders for tests.

use c1_connector_sdk::model::{Entitlement, Grant, Resource};

use crate::service::proto::{
    ActionInvokeTask, GrantTask, HelloTask, RevokeTask, SyncFullTask, Task, TaskType,
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

/// A task of a type service mode does not handle (`action_invoke`).
pub fn unsupported(id: &str) -> Task {
    task(id, TaskType::ActionInvoke(ActionInvokeTask::default()))
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
