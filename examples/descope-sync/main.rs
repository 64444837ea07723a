//! The Descope connector's main job: a full sync into a `.c1z`, or a one-shot grant or revoke.
//!
//! ```sh
//! cargo run --release --example descope-sync                 # embedded emulator, demo project
//! DESCOPE_PROJECT_ID=P2... DESCOPE_MANAGEMENT_KEY=K2... cargo run --release --example descope-sync -- -f out.c1z
//! ```
//!
//! Exit codes: 0 success; 1 the sync or change failed; 2 bad flags or configuration;
//! 3 Descope refused the credentials; 4 an id was not found; 5 a precondition failed (for example
//! provisioning not enabled, or a tenant role granted to a non-member); 130 interrupted.

mod cli;
mod report;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked};
use c1_connector_sdk::provision::ProvisioningRunner;
use c1_connector_sdk::store::{C1zReader, C1zWriter, JsonlWriter};
use c1_connector_sdk::{Code, Connector, Error};

use clap::Parser;
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_emulator::Emulator;
use descope_mgmt::RateLimitConfig;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use crate::cli::{Args, Output};
use crate::report::{Failure, Progress};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(message) = init_logging(&args.log_level) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}

fn init_logging(level: &str) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(level).map_err(|_| {
        format!("--log-level '{level}' is not a level (error, warn, info, debug, trace)")
    })?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    Ok(())
}

async fn run(args: Args) -> Result<(), Failure> {
    // Keep the emulator alive for the whole run when it is the target.
    let (config, _emulator) = configure(&args).await?;
    let connector =
        Arc::new(DescopeConnector::new(config).map_err(|e| Failure::config(e.to_string()))?);

    if args.grant_entitlement.is_some() || args.revoke_grant.is_some() {
        return provision(&args, connector).await;
    }
    sync(&args, connector).await
}

/// The connector's configuration, from flags and the environment; with no credentials at all,
/// an embedded emulator serving the demo project.
async fn configure(args: &Args) -> Result<(DescopeConfig, Option<Emulator>), Failure> {
    let (config, emulator) = match (
        &args.descope_credentials,
        args.project_id(),
        args.management_key(),
    ) {
        (Some(combined), _, _) => (DescopeConfig::from_credentials(combined), None),
        (None, Some(project), Some(key)) => {
            (DescopeConfig::new(project, SecretString::from(key)), None)
        }
        (None, Some(_), None) => {
            return Err(Failure::config(
                "DESCOPE_PROJECT_ID is set but DESCOPE_MANAGEMENT_KEY is not: set both (or --descope-credentials ProjectID:ManagementKey)",
            ));
        }
        (None, None, Some(_)) => {
            return Err(Failure::config(
                "DESCOPE_MANAGEMENT_KEY is set but DESCOPE_PROJECT_ID is not: set both (or --descope-credentials ProjectID:ManagementKey)",
            ));
        }
        (None, None, None) => {
            let emulator = Emulator::builder().start().await.map_err(|e| {
                Failure::new(
                    1,
                    format!("could not start the embedded Descope emulator: {e}"),
                )
            })?;
            eprintln!(
                "No Descope credentials given (DESCOPE_PROJECT_ID, DESCOPE_MANAGEMENT_KEY): syncing the demo project of an embedded Descope emulator at {}",
                emulator.base_url()
            );
            let config = DescopeConfig::new(
                emulator.project_id(),
                SecretString::from(emulator.management_key().to_owned()),
            )
            .map(|c| c.with_base_url(emulator.base_url()));
            (config, Some(emulator))
        }
    };
    let mut config = config.map_err(|e| Failure::config(e.to_string()))?;
    if emulator.is_none()
        && let Some(url) = args.base_url()
    {
        config = config.with_base_url(url);
    }
    config = config
        .with_user_page_size(args.user_page_size)
        .with_max_parallel_fetches(args.max_parallel_fetches)
        .with_test_users(args.include_test_users);
    if args.no_rate_limit {
        config = config.with_rate_limit(RateLimitConfig::disabled());
    }
    Ok((config, emulator))
}

async fn sync(args: &Args, connector: Arc<DescopeConnector>) -> Result<(), Failure> {
    let started = Instant::now();

    let cancel = CancellationToken::new();
    spawn_signal_handler(cancel.clone());
    let progress = Progress::new(std::io::stderr().is_terminal());
    let options = SyncOptions::default()
        .with_concurrency(args.workers.max(1))
        .with_cancel(cancel.clone())
        .with_progress(progress.callback())
        .with_checkpoint_interval(std::time::Duration::from_millis(
            args.checkpoint_interval_ms.max(1),
        ));
    let syncer = Syncer::new(connector.clone(), options);

    let (stats, target) = match args.output {
        Output::C1z => {
            // The sync is written to `<file>.partial`, a .c1z that holds the unfinished sync and
            // its checkpoints (saved at least every 10 s and on Ctrl-C / SIGTERM), and is renamed
            // over the target only once it is finished. The target therefore always holds the
            // previous complete file or the new one, a killed run resumes from the partial file,
            // and each run costs what a fresh file costs (docs/OPERATIONS.md, "Resume").
            let partial = partial_path(&args.file);
            promote_finished(&partial, &args.file)?;
            let mut store = C1zWriter::open_or_resume(&partial).map_err(Failure::from)?;
            if let Some(id) = store.resumed_sync_id() {
                tracing::info!("resuming sync {id} from {}", partial.display());
            }
            // The engine validates the credentials first, and finishes the store only when the
            // whole sync succeeded.
            let stats = syncer.run(&mut store).await.map_err(Failure::from)?;
            drop(store);
            replace(&partial, &args.file)?;
            (stats, args.file.display().to_string())
        }
        Output::Jsonl => {
            let stdout = args.file.as_os_str() == "-";
            let mut store = if stdout {
                JsonlWriter::stdout()
            } else {
                JsonlWriter::create(&args.file).map_err(Failure::from)?
            };
            let stats = syncer.run(&mut store).await.map_err(Failure::from)?;
            (
                stats,
                if stdout {
                    "standard output".into()
                } else {
                    args.file.display().to_string()
                },
            )
        }
    };
    progress.finish();
    report::summary(
        &stats,
        connector.client().metrics(),
        started.elapsed(),
        &target,
    );
    Ok(())
}

async fn provision(args: &Args, connector: Arc<DescopeConnector>) -> Result<(), Failure> {
    if !args.provisioning {
        return Err(Failure::new(
            5,
            "provisioning is not enabled: add --provisioning (or BATON_PROVISIONING=true) to change access in Descope",
        ));
    }
    let dyn_connector: Arc<dyn Connector> = connector;
    let runner = ProvisioningRunner::new(dyn_connector, &args.file);
    if let Some(entitlement) = &args.grant_entitlement {
        let (principal, principal_type) = match (&args.grant_principal, &args.grant_principal_type)
        {
            (Some(p), Some(t)) => (p, t),
            _ => {
                return Err(Failure::config(
                    "--grant-entitlement needs --grant-principal and --grant-principal-type",
                ));
            }
        };
        let annotations = runner
            .grant(entitlement, principal_type, principal)
            .await
            .map_err(Failure::from)?;
        if annotations.contains::<GrantAlreadyExists>() {
            println!("{principal_type} '{principal}' already has '{entitlement}': nothing changed");
        } else {
            println!("granted '{entitlement}' to {principal_type} '{principal}'");
        }
    } else if let Some(grant) = &args.revoke_grant {
        let annotations = runner.revoke(grant).await.map_err(Failure::from)?;
        if annotations.contains::<GrantAlreadyRevoked>() {
            println!("grant '{grant}' was already revoked: nothing changed");
        } else {
            println!("revoked '{grant}'");
        }
    }
    Ok(())
}

/// Where a sync into `file` is written until it is finished: `<file>.partial`.
fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Renames the finished partial file over the target (atomic on one file system).
fn replace(partial: &Path, target: &Path) -> Result<(), Failure> {
    std::fs::rename(partial, target).map_err(|e| {
        Failure::new(
            1,
            format!(
                "the sync finished in {} but could not replace {}: {e}; move it into place by hand",
                partial.display(),
                target.display()
            ),
        )
    })
}

/// A partial file whose sync is finished (a run stopped between finishing and renaming) is the
/// newest complete result: move it into place before starting again.
fn promote_finished(partial: &Path, target: &Path) -> Result<(), Failure> {
    if !partial.exists() {
        return Ok(());
    }
    let finished = C1zReader::open(partial)
        .and_then(|r| r.syncs())
        .is_ok_and(|syncs| !syncs.is_empty() && syncs.iter().all(|s| s.is_finished()));
    if finished {
        tracing::info!(
            "{} holds a finished sync: moving it into place",
            partial.display()
        );
        replace(partial, target)?;
    }
    Ok(())
}

/// Ctrl-C and SIGTERM stop the sync gracefully: the engine stops, the unfinished sync is saved
/// for the next run to resume, and the temporary files are removed.
fn spawn_signal_handler(cancel: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(_) => return,
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::warn!("interrupted: stopping the sync");
        cancel.cancel();
    });
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        let exit_code = match err.code() {
            Code::InvalidArgument => 2,
            Code::Unauthenticated | Code::PermissionDenied => 3,
            Code::NotFound => 4,
            Code::FailedPrecondition => 5,
            Code::Cancelled => 130,
            _ => 1,
        };
        Failure::new(exit_code, err.to_string())
    }
}
