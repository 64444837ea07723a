//! Service mode from the command line: baton's flags mapped onto [`ServiceConfig`].

use std::time::Duration;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use crate::cli::BatonArgs;
use crate::exit::{Exit, Failure};
use crate::program::{ConnectorProgram, Purpose};
use crate::service::{self, HealthCheckConfig, ServiceConfig, ServiceError};

/// Runs service mode until SIGTERM / Ctrl-C (exit 0) or a fatal error.
pub(crate) async fn run<P: ConnectorProgram>(
    program: &P,
    baton: &BatonArgs,
    args: &P::Args,
    version: &'static str,
) -> Result<(), Failure> {
    let config = config(program, baton, version)?;
    // The connector is built only once the service configuration is known to be valid.
    let connected = program.connect(args, Purpose::Service).await?;
    let shutdown = CancellationToken::new();
    crate::signals::spawn_handler(shutdown.clone());
    tracing::info!(
        "service mode: taking tasks from ConductorOne ({} at once)",
        config.task_concurrency
    );
    service::run(connected.connector.clone(), config, shutdown)
        .await
        .map_err(failure)
}

fn config<P: ConnectorProgram>(
    program: &P,
    baton: &BatonArgs,
    version: &'static str,
) -> Result<ServiceConfig, Failure> {
    if !baton.sync_resources.is_empty() || baton.skip_grants {
        return Err(Failure::usage(
            "--sync-resources and --skip-grants apply to a one-shot sync: in service mode each sync task \
             from ConductorOne names its own targets",
        ));
    }
    let id = baton.client_id.clone().unwrap_or_default();
    let secret = baton
        .client_secret
        .clone()
        .unwrap_or_else(|| SecretString::from(String::new()));
    let mut health = HealthCheckConfig::default()
        .with_port(baton.health_check_port)
        .with_bind_address(baton.health_check_bind_address)
        .with_interval(Duration::from_secs(baton.health_check_interval));
    health.enabled = baton.health_check;
    let mut config = ServiceConfig::new(id, secret)
        .with_baton_environment()
        .with_task_concurrency(usize::from(baton.task_concurrency))
        .with_provisioning(baton.provisioning)
        .with_skip_full_sync(baton.skip_full_sync)
        .with_sync_resource_types(baton.sync_resource_types.iter().cloned())
        .with_sync_workers(usize::from(baton.workers))
        .with_health_check(health)
        .with_package(program.name(), version);
    if let Some(dir) = &baton.c1z_temp_dir {
        crate::files::check_temp_dir(dir)?;
        config = config.with_temp_dir(dir);
    }
    if let Some(dir) = &baton.state_dir {
        config = config.with_state_dir(dir);
    }
    config.validate().map_err(failure)?;
    Ok(config)
}

fn failure(err: ServiceError) -> Failure {
    let exit = match &err {
        ServiceError::MissingClientId
        | ServiceError::MissingClientSecret
        | ServiceError::InvalidClientId
        | ServiceError::InvalidClientSecret { .. }
        | ServiceError::InvalidConfig(_) => Exit::Usage,
        e if e.is_credentials() => Exit::Unauthenticated,
        _ => Exit::Failed,
    };
    Failure::new(exit, err.to_string())
}
