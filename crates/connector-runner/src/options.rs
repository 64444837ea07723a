//! baton's phase flags mapped onto the engine's options.

use c1_connector_sdk::engine::{SyncOptions, TargetedResource};

use crate::cli::BatonArgs;
use crate::exit::Failure;

/// Applies `--sync-resource-types`, `--sync-resources`, `--skip-grants` and
/// `--skip-entitlements-and-grants`. The engine checks the type ids against the connector's (an
/// unknown id is a usage error naming the known ones); a target that does not parse, and
/// `--skip-grants` without `--sync-resources` (baton refuses it too), are usage errors here.
pub(crate) fn apply_phase_flags(
    options: SyncOptions,
    args: &BatonArgs,
) -> Result<SyncOptions, Failure> {
    let mut options = options;
    let types: Vec<String> = args
        .sync_resource_types
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if !types.is_empty() {
        options = options.with_sync_resource_types(types);
    }
    let mut targets = Vec::new();
    for t in args
        .sync_resources
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        let target: TargetedResource = t.parse().map_err(|e: c1_connector_sdk::error::Error| {
            Failure::usage(format!("--sync-resources: {}", e.message()))
        })?;
        targets.push(target);
    }
    if args.skip_grants && targets.is_empty() {
        return Err(Failure::usage(
            "--skip-grants can only be set within a targeted sync: add --sync-resources (as in baton)",
        ));
    }
    Ok(options
        .with_targeted_resources(targets)
        .with_skip_grants(args.skip_grants)
        .with_skip_entitlements_and_grants(args.skip_entitlements_and_grants))
}

/// Opens `--incremental-from`: a usage error with a targeted sync or another output than
/// `.c1z`, and a clear error when the file is not a finished sync this SDK wrote.
pub(crate) async fn open_previous(
    path: &std::path::Path,
    args: &BatonArgs,
) -> Result<std::sync::Arc<dyn c1_connector_sdk::previous::PreviousSync>, Failure> {
    if !args.sync_resources.is_empty() {
        return Err(Failure::usage(
            "--incremental-from applies to a sync of every resource, not to a targeted sync (--sync-resources)",
        ));
    }
    if !path.is_file() {
        return Err(Failure::usage(format!(
            "--incremental-from {}: no such file (give the .c1z of an earlier sync, or leave the flag out for a full sync)",
            path.display()
        )));
    }
    let owned = path.to_owned();
    let started = std::time::Instant::now();
    let previous =
        tokio::task::spawn_blocking(move || c1_connector_sdk::store::PreviousC1z::open(owned))
            .await
            .map_err(|e| {
                Failure::from(c1_connector_sdk::error::Error::internal(format!(
                    "reading --incremental-from failed: {e}"
                )))
            })?
            .map_err(|e| Failure::usage(format!("--incremental-from: {}", e.message())))?;
    tracing::debug!(took = ?started.elapsed(), path = %path.display(), "previous sync opened");
    Ok(std::sync::Arc::new(previous))
}
