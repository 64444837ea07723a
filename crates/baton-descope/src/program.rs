//! The Descope connector program: builds the connector from the flags and the environment.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_runner::{Connected, ConnectorProgram, Failure, Purpose, RunReport};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::Credentials;
use descope_mgmt::{Client, RateLimitConfig, RateWindow};
use secrecy::{ExposeSecret, SecretString};

use crate::args::DescopeArgs;

/// `baton-descope`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DescopeProgram;

#[async_trait]
impl ConnectorProgram for DescopeProgram {
    type Args = DescopeArgs;

    fn name(&self) -> &'static str {
        "baton-descope"
    }

    fn display_name(&self) -> &'static str {
        "Descope"
    }

    async fn connect(&self, args: &DescopeArgs, purpose: Purpose) -> Result<Connected, Failure> {
        #[cfg(feature = "demo")]
        if args.demo {
            return demo(args).await;
        }
        let config = match credentials(args) {
            Ok(config) => config,
            // `capabilities` describes the connector's types, which do not depend on the
            // project: no call is made, so no credentials are needed.
            Err(_) if purpose == Purpose::Describe => describe_only_config()?,
            Err(f) => return Err(f),
        };
        let config = settings(args, config)?;
        let source = source(&config);
        let connector = DescopeConnector::new(config).map_err(|e| Failure::usage(e.to_string()))?;
        let report = Arc::new(ClientReport(connector.client().clone()));
        Ok(Connected::new(Arc::new(connector), source).with_report(report))
    }
}

/// The credentials from the flags (`--descope-*`, also `BATON_DESCOPE_*`) and the official SDKs'
/// variables (`DESCOPE_*`), all read by clap ([`DescopeArgs`]), in that order of precedence, and
/// checked by the client's own rules ([`Credentials::from_values`]): everything the library
/// accepts the program accepts, validated in one place. Empty values count as unset.
fn credentials(args: &DescopeArgs) -> Result<DescopeConfig, Failure> {
    let project = [&args.descope_project_id, &args.sdk_project_id]
        .into_iter()
        .flatten()
        .find(|v| !v.trim().is_empty())
        .cloned();
    let key = [
        &args.descope_credentials,
        &args.descope_management_key,
        &args.sdk_management_key,
    ]
    .into_iter()
    .flatten()
    .find(|k| !k.expose_secret().trim().is_empty())
    .cloned();
    if project.is_none() && key.is_none() {
        return Err(Failure::usage(no_credentials_message()));
    }
    let credentials = Credentials::from_values(project, key).map_err(|e| {
        Failure::usage(format!(
            "{e} (flags: --descope-project-id and --descope-management-key, or --descope-credentials ProjectID:ManagementKey; also BATON_DESCOPE_* and DESCOPE_*)"
        ))
    })?;
    let base_url = [
        (
            &args.descope_base_url,
            "--descope-base-url (BATON_DESCOPE_BASE_URL)",
        ),
        (&args.sdk_base_url, "DESCOPE_BASE_URL"),
        (&args.sdk_base_uri, "DESCOPE_BASE_URI"),
    ]
    .into_iter()
    .find_map(|(url, source)| {
        url.as_ref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| (u, source))
    });
    Ok(DescopeConfig::with_credentials(match base_url {
        Some((url, source)) => credentials.with_base_url(url.trim(), source),
        None => credentials,
    }))
}

fn no_credentials_message() -> String {
    let demo = if cfg!(feature = "demo") {
        ", or add --demo to try the embedded demo project"
    } else {
        ""
    };
    format!(
        "no Descope credentials: set DESCOPE_PROJECT_ID and DESCOPE_MANAGEMENT_KEY (or BATON_DESCOPE_CREDENTIALS=ProjectID:ManagementKey){demo}"
    )
}

/// A configuration for describing the connector only: it names no real project and its client
/// is never called.
fn describe_only_config() -> Result<DescopeConfig, Failure> {
    DescopeConfig::new(
        "P0000000000000000000000000000000",
        SecretString::from("describe-only".to_owned()),
    )
    .map(|c| c.with_base_url("http://127.0.0.1:9"))
    .map_err(|e| Failure::failed(e.to_string()))
}

/// The settings every configuration gets from the flags.
fn settings(args: &DescopeArgs, config: DescopeConfig) -> Result<DescopeConfig, Failure> {
    let mut config = config
        .with_user_page_size(args.user_page_size)
        .with_max_parallel_fetches(args.max_parallel_fetches)
        .with_user_page_overlap(args.user_page_overlap)
        .with_test_users(args.include_test_users)
        .with_sync_last_login(args.sync_last_login)
        .with_sync_outbound_connections(args.sync_outbound_connections)
        .with_groups_of_every_tenant(args.groups_of_every_tenant);
    if let Some(secs) = args.event_lookback_seconds {
        config = config.with_event_lookback(std::time::Duration::from_secs(secs));
    }
    if args.no_rate_limit {
        config = config.with_rate_limit(RateLimitConfig::disabled());
    }
    if let Some(scale) = args.rate_limit_scale {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Failure::usage(
                "--rate-limit-scale must be a positive number",
            ));
        }
        let window = std::time::Duration::from_secs_f64(60.0 / scale);
        config = config.with_rate_limit(RateLimitConfig::custom(
            RateWindow::new(200, window),
            RateWindow::new(100, window),
        ));
    }
    Ok(config)
}

/// What the sync reads, for the partial file's source check (never the key).
fn source(config: &DescopeConfig) -> String {
    match config.base_url() {
        Some(url) => format!("descope project {} at {url}", config.project_id()),
        None => format!("descope project {}", config.project_id()),
    }
}

#[cfg(feature = "demo")]
async fn demo(args: &DescopeArgs) -> Result<Connected, Failure> {
    use descope_emulator::Emulator;

    if args.descope_project_id.is_some()
        || args.descope_management_key.is_some()
        || args.descope_credentials.is_some()
        || args.descope_base_url.is_some()
    {
        return Err(Failure::usage(
            "--demo runs against an embedded emulator: drop the Descope project, key, credentials and base URL flags (or drop --demo)",
        ));
    }
    let emulator = Emulator::builder().start().await.map_err(|e| {
        Failure::failed(format!(
            "could not start the embedded Descope emulator: {e}"
        ))
    })?;
    eprintln!(
        "demo: using the demo project of an embedded Descope emulator at {} (no real Descope project is read or changed)",
        emulator.base_url()
    );
    let config = DescopeConfig::new(
        emulator.project_id(),
        SecretString::from(emulator.management_key().to_owned()),
    )
    .map(|c| c.with_base_url(emulator.base_url()).with_demo(true))
    .map_err(|e| Failure::failed(e.to_string()))?;
    let config = settings(args, config)?;
    let source = format!("descope demo emulator project {}", config.project_id());
    let connector = DescopeConnector::new(config).map_err(|e| Failure::usage(e.to_string()))?;
    let report = Arc::new(ClientReport(connector.client().clone()));
    Ok(Connected::new(Arc::new(connector), source)
        .with_report(report)
        .with_guard(emulator))
}

/// The Descope client's counters, for the summary.
struct ClientReport(Client);

impl RunReport for ClientReport {
    fn summary_rows(&self) -> Vec<(String, String)> {
        let m = self.0.metrics();
        vec![
            ("API requests".into(), m.requests.to_string()),
            ("API retries".into(), m.retries.to_string()),
            ("429s received".into(), m.rate_limited.to_string()),
            (
                "rate-limit wait".into(),
                format!("{:.1} s", m.throttle_wall.as_secs_f64()),
            ),
            (
                "summed rate-limit wait".into(),
                format!("{:.1} s", m.throttle_wait.as_secs_f64()),
            ),
        ]
    }

    fn waiting(&self) -> Option<String> {
        let left = self.0.metrics().throttle_remaining?;
        Some(format!(
            "waiting {:.0} s for Descope's rate-limit window",
            left.as_secs_f64().ceil()
        ))
    }
}
