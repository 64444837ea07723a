//! Full sync tasks (baton's `full_sync.go`): a temporary `.c1z`, heartbeats while working, the
//! SDK's engine, the upload, FinishTask, and the temporary file removed on every path.

use std::path::Path;
use std::sync::{Arc, Mutex};

use c1_connector_sdk::engine::{SyncOptions, Syncer, TargetedResource};
use c1_connector_sdk::error::Error as SdkError;
use c1_connector_sdk::store::{C1zWriter, SyncStore};
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::context::{
    Handled, Outcome, TaskContext, TaskFailure, TaskSuccess, grpc_code, std_duration,
};
use crate::service::client::BatonApi;
use crate::service::proto::{SyncFullTask, Task};
use crate::service::timings::Timings;

/// Why a sync's cancellation token fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopCause {
    /// A heartbeat answered `cancelled`.
    CancelledByServer,
    /// Too many heartbeats failed in a row.
    HeartbeatFailed,
}

/// Runs a full sync task, up to (not including) its FinishTask.
pub(super) async fn run(
    ctx: &TaskContext,
    task: &Task,
    spec: &SyncFullTask,
    cancel: &CancellationToken,
) -> Handled {
    let dir = &ctx.settings.temp_dir;
    // A `TempPath` removes the file when dropped, so no path (error, panic, cancellation)
    // leaves it behind.
    let file = match tempfile::Builder::new()
        .prefix("c1-connector-sync-")
        .suffix(".c1z")
        .tempfile_in(dir)
    {
        Ok(f) => f.into_temp_path(),
        Err(e) => {
            let failure = TaskFailure::new(
                Code::Unknown,
                format!(
                    "could not create a temporary sync file in {}: {e}",
                    dir.display()
                ),
            );
            return Handled::Finish(Err(failure));
        }
    };
    let timings = &ctx.settings.timings;

    let interval = match first_heartbeat(ctx, task, cancel).await {
        Ok(interval) => interval,
        Err(abandoned) => return abandoned,
    };

    let task_cancel = cancel.child_token();
    let stop = CancellationToken::new();
    // Stops the heartbeats however this future ends: returned, panicked or aborted.
    let _stop_heartbeats = stop.clone().drop_guard();
    let cause = Arc::new(Mutex::new(None));
    let heartbeats = tokio::spawn(heartbeat_loop(
        ctx.api.clone(),
        task.id.clone(),
        interval,
        timings.clone(),
        stop.clone(),
        task_cancel.clone(),
        cause.clone(),
    ));

    let result = sync_and_upload(ctx, task, spec, &file, &task_cancel).await;
    stop.cancel();
    if let Err(e) = heartbeats.await {
        tracing::error!(task_id = %task.id, error = %e, "the heartbeat loop panicked");
    }

    let result = result.map_err(|f| why_stopped(f, &task_cancel, &cause));

    // Removed before FinishTask, so ConductorOne never sees a task finished with its file
    // still on disk.
    let shown = file.display().to_string();
    if let Err(e) = file.close() {
        tracing::warn!(task_id = %task.id, path = %shown, error = %e, "could not remove the temporary sync file");
    }
    Handled::Finish(result.map(|()| TaskSuccess::default()))
}

/// The first heartbeat, which is synchronous: the interval of the next ones, or, if it failed or
/// says cancelled, the task left to ConductorOne with no FinishTask sent (baton's
/// `HeartbeatTask`).
async fn first_heartbeat(
    ctx: &TaskContext,
    task: &Task,
    cancel: &CancellationToken,
) -> Result<std::time::Duration, Handled> {
    let first = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(Handled::Done(Outcome::Abandoned("the service stopped before the sync began".into()))),
        r = ctx.api.heartbeat(&task.id) => r,
    };
    match first {
        Err(status) => {
            tracing::error!(task_id = %task.id, code = ?status.code(), message = status.message(), "the first heartbeat failed");
            Err(Handled::Done(Outcome::Abandoned(format!(
                "the first heartbeat failed: {:?}: {}",
                status.code(),
                status.message()
            ))))
        }
        Ok(r) if r.cancelled => Err(Handled::Done(Outcome::Abandoned(
            "ConductorOne cancelled the task before it began".into(),
        ))),
        Ok(r) => Ok(ctx
            .settings
            .timings
            .heartbeat_interval(std_duration(r.next_heartbeat.as_ref()))),
    }
}

/// What a failed sync reports: its own failure, or, when it was stopped, why (ConductorOne
/// cancelled it, its heartbeats failed, or the service is shutting down).
fn why_stopped(
    failure: TaskFailure,
    task_cancel: &CancellationToken,
    cause: &Mutex<Option<StopCause>>,
) -> TaskFailure {
    if !task_cancel.is_cancelled() {
        return failure;
    }
    let cause = *cause
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match cause {
        Some(StopCause::CancelledByServer) => {
            TaskFailure::new(Code::Cancelled, "task was cancelled")
        }
        Some(StopCause::HeartbeatFailed) => {
            TaskFailure::new(Code::Cancelled, "task failed heartbeat")
        }
        None => TaskFailure::new(
            Code::Cancelled,
            "the connector service is shutting down; the sync was not finished",
        ),
    }
}

async fn sync_and_upload(
    ctx: &TaskContext,
    task: &Task,
    spec: &SyncFullTask,
    path: &Path,
    cancel: &CancellationToken,
) -> Result<(), TaskFailure> {
    let kept = write_sync(ctx, spec, path, cancel).await.map_err(|e| {
        TaskFailure::new(grpc_code(e.code()), format!("sync failed: {}", e.message()))
    })?;
    super::upload::upload(
        ctx.api.as_ref(),
        &task.id,
        path,
        &ctx.settings.timings,
        cancel,
    )
    .await?;
    if let (Some(dir), true) = (&ctx.settings.state_dir, kept) {
        // Only once uploaded: the next increment starts from what ConductorOne has.
        match super::last_sync::keep(dir, path).await {
            Ok(kept) => {
                tracing::info!(path = %kept.display(), "kept the uploaded sync for the next incremental sync")
            }
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "could not keep the uploaded sync: the next sync task starts from the one kept before (or is a full sync)")
            }
        }
    }
    Ok(())
}

/// Maps a sync task's options and the local settings onto the engine's options. This is the
/// one place to wire the task fields when the engine gains them:
///
/// - `sync_resource_type_ids` (the task's, else `--sync-resource-types`) and
///   `skip_entitlements_and_grants`: the engine's options of the same names.
/// - `targeted_sync_resources`: a targeted sync of those resources (a `partial` sync, as
///   baton's); a resource without a type or an id fails the task with `InvalidArgument`.
/// - `skip_grants`: honoured in a targeted sync; without targets (baton's runner refuses the
///   flag there) the grants are synced too, a superset of what was asked, logged at warn level.
/// - `skip_expand_grants`: satisfied already (the engine never expands grants).
/// - `storage_engine`: only v1 (SQLite) files are written, which every baton reads.
fn engine_options(
    spec: &SyncFullTask,
    local_types: &[String],
    workers: Option<usize>,
    cancel: CancellationToken,
) -> Result<SyncOptions, SdkError> {
    let mut options = SyncOptions::default().with_cancel(cancel);
    if let Some(n) = workers {
        options = options.with_concurrency(n);
    }
    let types = if spec.sync_resource_type_ids.is_empty() {
        local_types
    } else {
        &spec.sync_resource_type_ids
    };
    if !types.is_empty() {
        options = options.with_sync_resource_types(types.iter().cloned());
    }
    let targets = spec
        .targeted_sync_resources
        .iter()
        .map(TargetedResource::from_resource)
        .collect::<Result<Vec<_>, _>>()?;
    if spec.skip_entitlements_and_grants {
        options = options.with_skip_entitlements_and_grants(true);
    } else if spec.skip_grants && !targets.is_empty() {
        options = options.with_skip_grants(true);
    } else if spec.skip_grants {
        // Outside a targeted sync a sync with its grants is a superset of what was asked,
        // never less (baton's runner allows skip-grants only in a targeted sync).
        tracing::warn!("skip_grants without targeted resources: syncing grants too");
    }
    if !targets.is_empty() {
        tracing::info!(
            resources = targets.len(),
            "targeted sync of the task's resources"
        );
        options = options.with_targeted_resources(targets);
    }
    if !spec.storage_engine.is_empty() && spec.storage_engine != "sqlite" {
        tracing::info!(storage_engine = %spec.storage_engine, "writing a v1 (SQLite) .c1z, the only format this SDK writes");
    }
    Ok(options)
}

/// Writes the task's sync into `path`; `true` when it is a full sync worth keeping for the next
/// incremental one (every resource, entitlement and grant, not targeted).
async fn write_sync(
    ctx: &TaskContext,
    spec: &SyncFullTask,
    path: &Path,
    cancel: &CancellationToken,
) -> Result<bool, SdkError> {
    // The working database goes in the same temporary directory as the file itself.
    let mut writer = C1zWriter::create_in(path, &ctx.settings.temp_dir)?;
    if ctx.settings.skip_full_sync {
        // baton's `SkipSync`: validate, then an empty finished sync.
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(SdkError::cancelled("sync cancelled")),
            r = ctx.connector.validate() => { r?; }
        }
        writer.start_sync().await?;
        return writer.finish().await.map(|()| false);
    }
    let mut options = engine_options(
        spec,
        &ctx.settings.sync_resource_type_ids,
        ctx.settings.sync_workers,
        cancel.clone(),
    )?;
    let keep = options.targeted_resources.is_empty() && !options.skip_entitlements_and_grants;
    if keep
        && let Some(dir) = &ctx.settings.state_dir
        && let Some(previous) = super::last_sync::previous(dir).await
    {
        options = options.with_previous(previous);
    }
    let stats = Syncer::new(ctx.connector.clone(), options)
        .run(&mut writer)
        .await?;
    tracing::info!(
        resources = stats.resources(),
        grants = stats.grants,
        elapsed_ms = u64::try_from(stats.elapsed.as_millis()).unwrap_or(u64::MAX),
        sync = stats
            .connector_notes
            .get("sync")
            .map_or("full", String::as_str),
        "sync written"
    );
    Ok(keep)
}

async fn heartbeat_loop(
    api: Arc<dyn BatonApi>,
    task_id: String,
    mut interval: std::time::Duration,
    timings: Timings,
    stop: CancellationToken,
    task_cancel: CancellationToken,
    cause: Arc<Mutex<Option<StopCause>>>,
) {
    let mut failures = 0u32;
    let set_cause = |c: StopCause| {
        *cause
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(c);
    };
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
        let result = tokio::select! {
            biased;
            () = stop.cancelled() => return,
            r = api.heartbeat(&task_id) => r,
        };
        match result {
            Err(status) => {
                failures += 1;
                tracing::warn!(task_id, failures, code = ?status.code(), message = status.message(), "heartbeat failed");
                if failures >= timings.heartbeat_max_failures {
                    tracing::error!(
                        task_id,
                        failures,
                        "too many failed heartbeats: cancelling the task"
                    );
                    set_cause(StopCause::HeartbeatFailed);
                    task_cancel.cancel();
                    return;
                }
            }
            Ok(response) => {
                failures = 0;
                interval =
                    timings.heartbeat_interval(std_duration(response.next_heartbeat.as_ref()));
                if response.cancelled {
                    tracing::info!(task_id, "ConductorOne cancelled the task");
                    set_cause(StopCause::CancelledByServer);
                    task_cancel.cancel();
                    return;
                }
            }
        }
    }
}
