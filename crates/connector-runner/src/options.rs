//! baton's phase flags mapped onto the engine's options.

use c1_connector_sdk::engine::SyncOptions;

use crate::cli::BatonArgs;
use crate::exit::Failure;

/// Applies `--sync-resource-types` and `--skip-entitlements-and-grants`.
pub(crate) fn apply_phase_flags(
    options: SyncOptions,
    args: &BatonArgs,
) -> Result<SyncOptions, Failure> {
    if !args.sync_resource_types.is_empty() || args.skip_entitlements_and_grants {
        return Err(Failure::usage(
            "--sync-resource-types and --skip-entitlements-and-grants need engine support that is being wired",
        ));
    }
    Ok(options)
}
