//! Service mode: the connector takes its work from ConductorOne over gRPC (baton-sdk's daemon
//! mode), for any connector built on [`c1_connector_sdk`].
//!
//! [`run`] authenticates with the client credentials (an EdDSA-signed assertion exchanged for
//! an access token at `https://<host>/auth/v1/token`), says Hello, then polls `GetTask` and
//! runs up to [`ServiceConfig::task_concurrency`] tasks at once:
//!
//! | task | what happens |
//! | --- | --- |
//! | `sync_full` | heartbeats, the SDK's engine into a temporary `.c1z`, `UploadAsset` (512 KiB chunks, SHA-256), `FinishTask`; a heartbeat answering `cancelled` stops it cleanly |
//! | `grant` / `revoke` | the SDK's `Operations::grant` / `revoke` (the provisioner of the entitlement's resource type, 3 attempts); `FinishTask` with `GrantManagerServiceGrantResponse` / `RevokeResponse` |
//! | `create_account` / `delete_resource` | the SDK's operations `create_account` / `delete_resource`; `FinishTask` with `CreateAccountResponse` / `DeleteResourceResponse` and their annotations |
//! | `action_list_schemas` / `action_get_schema` / `action_invoke` / `action_status` | the SDK's action operations; `FinishTask` with the connector's response; an invocation that `FAILED` finishes with its error |
//! | `list_event_feeds` / `list_events` | the SDK's event operations; `FinishTask` with `ListEventFeedsResponse` / `ListEventsResponse` (one page) |
//! | `rotate_credentials` | the SDK's `Operations::rotate_credentials`; `FinishTask` with `RotateCredentialResponse` (the new secret encrypted to the task's encryption configs with `BatonCrypto`; refused without any); not retried |
//! | `hello` | answered with a Hello carrying the task id |
//! | `issue_credential` | the SDK's `Operations::issue_credential` (request id: the task id); `FinishTask` with `IssueCredentialResponse` (the secret encrypted with `BatonCrypto`); malformed without identity, options or encryption configs; not retried |
//! | anything else (`event_feed`, tickets, `create_resource`, ...) | `FinishTask` with `UNKNOWN: unsupported task type` (retryable) |
//!
//! Every task but a sync is served by the SDK's operations (`c1_connector_sdk::ops`), the same
//! ones the one-shot commands call. Grant, revoke, account creation, deletion and action
//! invocation need [`ServiceConfig::provisioning`] (else `FailedPrecondition: provisioning is not
//! enabled`) and report connector errors non-retryable, except a grant's or revoke's transient
//! error (`Aborted`, `Unavailable`, `DeadlineExceeded`) the connector marks retryable; reads
//! (schemas, action status, event feeds) are retryable when the connector's error is transient.
//! An account creation's random password is delivered encrypted to the task's encryption configs
//! (baton's age and JWK providers); one without configs, with a config that cannot receive it,
//! or with a chosen (encrypted) password, which needs the client secret to decrypt, is refused
//! before anything is created (non-retryable, with the reason).
//!
//! It runs until `shutdown` fires: polling stops, running tasks get
//! [`ServiceConfig::shutdown_grace`] to finish, then are cancelled and get
//! [`Timings::shutdown_finish`] to deliver FinishTask (a cancelled sync removes its files and
//! reports `CANCELLED`), and `run` returns `Ok(())` within
//! [`ServiceConfig::worst_case_shutdown`].
//!
//! Faults of ConductorOne are ridden out, not fatal: a token endpoint answering 5xx, timing out
//! or unreachable, at start-up or later, is retried with jittered exponential back-off (only
//! refused credentials, HTTP 400/401, end the process); FinishTask and UploadAsset are retried
//! for up to 10 min; every call has a deadline (an upload's scaled to the file); HTTP/2
//! keep-alive replaces a dead connection; a task whose handler panics is still finished, as an
//! error. Each wait is logged (warn) with its attempt number and delay.
//!
//! Secrets: the client secret and the key in it, the signed assertions and the access tokens
//! are never logged (at any level), never in an error, never written to a file; the
//! `authorization` header is marked sensitive so hyper and h2 print it as `Sensitive`.
//!
//! ```no_run
//! use std::sync::Arc;
//! use c1_connector_runner::service::{self, ServiceConfig};
//! use c1_connector_sdk::connector::Connector;
//! use secrecy::SecretString;
//! use tokio_util::sync::CancellationToken;
//!
//! # async fn f(connector: Arc<dyn Connector>) -> Result<(), service::ServiceError> {
//! let config = ServiceConfig::new(
//!     std::env::var("BATON_CLIENT_ID").unwrap_or_default(),
//!     SecretString::from(std::env::var("BATON_CLIENT_SECRET").unwrap_or_default()),
//! )
//! .with_provisioning(true)
//! .with_baton_environment();
//! let shutdown = CancellationToken::new();
//! let on_signal = shutdown.clone();
//! tokio::spawn(async move {
//!     let _ = tokio::signal::ctrl_c().await;
//!     on_signal.cancel();
//! });
//! service::run(connector, config, shutdown).await
//! # }
//! ```

/// The README's service-mode example, compiled as a doc test so it stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod backoff;
mod client;
mod config;
mod credentials;
mod error;
#[cfg(test)]
mod fault_tests;
mod health;
mod hostinfo;
#[cfg(test)]
mod loop_tests;
pub mod proto;
mod runner;
mod tasks;
#[cfg(feature = "test-util")]
pub mod testing;
mod timings;
mod tls;
mod token;

use std::sync::Arc;

use c1_connector_sdk::connector::Connector;
use tokio_util::sync::CancellationToken;

pub use config::{
    DEFAULT_HEALTH_CHECK_INTERVAL, DEFAULT_SHUTDOWN_GRACE, DEFAULT_TASK_CONCURRENCY,
    HealthCheckConfig, MAX_TASK_CONCURRENCY, ServiceConfig,
};
pub use credentials::ClientId;
pub use error::ServiceError;
pub use timings::Timings;

/// Runs service mode until `shutdown` fires (then `Ok(())`) or a fatal error.
///
/// # Errors
///
/// Configuration errors ([`ServiceConfig::validate`]), an unreadable
/// [`ServiceConfig::extra_ca_file`], an unusable temporary directory, a health-check port
/// that cannot be bound, and a startup Hello that failed with a code baton does not retry
/// ([`ServiceError::StartupHello`]: `Unauthenticated` when the token endpoint refused the
/// credentials with HTTP 400 or 401, or its certificate is not trusted). A token endpoint
/// that fails otherwise (5xx, timeout, no connection) is retried, as is any transient Hello
/// failure. Errors after startup (GetTask, tasks) are logged and retried, never returned.
pub async fn run(
    connector: Arc<dyn Connector>,
    config: ServiceConfig,
    shutdown: CancellationToken,
) -> Result<(), ServiceError> {
    let resolved = config.resolve()?;
    check_temp_dir(&resolved.temp_dir)?;
    if let Some(dir) = &config.state_dir {
        tasks::last_sync::check_state_dir(dir)?;
    }
    let roots = Arc::new(tls::root_store(config.extra_ca_file.as_deref())?);
    let tls = tls::client_config(roots)?;
    let tokens = Arc::new(token::TokenSource::new(&resolved, tls.clone())?);
    let api = client::BatonClient::new(&resolved, tokens, tls, &config.timings)?;
    tracing::info!(
        target = %client::grpc_authority(&resolved.host),
        host_id = %resolved.host_id,
        task_concurrency = config.task_concurrency,
        provisioning = config.provisioning,
        "starting service mode"
    );

    let health = if config.health_check.enabled {
        Some(health::HealthServer::start(&config.health_check, connector.clone()).await?)
    } else {
        None
    };

    let service = runner::Service {
        ctx: Arc::new(tasks::TaskContext {
            api: Arc::new(api),
            connector,
            settings: tasks::TaskSettings {
                temp_dir: resolved.temp_dir.clone(),
                state_dir: config.state_dir.clone(),
                provisioning: config.provisioning,
                skip_full_sync: config.skip_full_sync,
                sync_resource_type_ids: config.sync_resource_type_ids.clone(),
                sync_workers: config.sync_workers,
                package_name: config.package_name.clone(),
                package_version: config.package_version.clone(),
                timings: config.timings.clone(),
            },
            shutdown_deadline: std::sync::OnceLock::new(),
        }),
        concurrency: config.task_concurrency,
        shutdown_grace: config.shutdown_grace,
    };
    let result = service.run(shutdown).await;
    if let Some(h) = health {
        tracing::debug!(address = %h.address(), "stopping the health check server");
        h.stop().await;
    }
    match &result {
        Ok(()) => tracing::info!("service mode stopped"),
        Err(e) => tracing::error!(error = %e, "service mode failed"),
    }
    result
}

fn check_temp_dir(dir: &std::path::Path) -> Result<(), ServiceError> {
    let err = |reason: String| ServiceError::TempDir {
        path: dir.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(dir).map_err(|e| err(e.to_string()))?;
    if !meta.is_dir() {
        return Err(err("it is not a directory".into()));
    }
    Ok(())
}
