//! baton's phase flags mapped onto the engine's options.

use c1_connector_sdk::engine::SyncOptions;

use crate::cli::BatonArgs;
use crate::exit::Failure;

/// Applies `--sync-resource-types` and `--skip-entitlements-and-grants`. The engine checks the
/// type ids against the connector's (an unknown id is a usage error naming the known ones).
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
    Ok(options.with_skip_entitlements_and_grants(args.skip_entitlements_and_grants))
}
