//! What a connector program hands to the runner: its identity, its own flags, and how to build
//! the connector from them.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::Connector;

use crate::exit::Failure;

/// Why the runner asks for a connector, so a program can build only what that needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// A full sync.
    Sync,
    /// A one-shot change (grant, revoke, account creation, deletion, action).
    Provision,
    /// Service mode: tasks from ConductorOne.
    Service,
    /// Describing the connector (`capabilities`): no call to the connected system is made,
    /// and credentials may be absent.
    Describe,
}

/// Live information the connector can give the runner for progress lines and the summary (for
/// example the API client's request counters and rate-limit waits).
pub trait RunReport: Send + Sync {
    /// Rows added to the summary after a sync (`label`, `value`).
    fn summary_rows(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// What the connector is waiting for right now, if anything (shown on the progress line
    /// and logged), e.g. "waiting 12 s for Descope's rate-limit window".
    fn waiting(&self) -> Option<String> {
        None
    }
}

/// A connector ready to run, and what the runner needs to know about it.
#[non_exhaustive]
pub struct Connected {
    /// The connector.
    pub connector: Arc<dyn Connector>,
    /// Names the data the connector reads (for example a project and a base URL, never a
    /// secret). A partial sync file written for another source is not resumed.
    pub source: String,
    /// Counters and live status for progress and the summary.
    pub report: Option<Arc<dyn RunReport>>,
    /// Kept alive for the whole run (for example an embedded demo server).
    pub guard: Option<Box<dyn Any + Send + Sync>>,
}

impl fmt::Debug for Connected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connected")
            .field("source", &self.source)
            .field("report", &self.report.is_some())
            .field("guard", &self.guard.is_some())
            .finish_non_exhaustive()
    }
}

impl Connected {
    /// A connector reading `source`.
    pub fn new(connector: Arc<dyn Connector>, source: impl Into<String>) -> Self {
        Connected {
            connector,
            source: source.into(),
            report: None,
            guard: None,
        }
    }

    /// Adds live counters for progress and the summary.
    #[must_use]
    pub fn with_report(mut self, report: Arc<dyn RunReport>) -> Self {
        self.report = Some(report);
        self
    }

    /// Keeps `guard` alive for the whole run.
    #[must_use]
    pub fn with_guard(mut self, guard: impl Any + Send + Sync) -> Self {
        self.guard = Some(Box::new(guard));
        self
    }
}

/// A connector program: the few dozen lines a `baton-<name>` binary adds to the runner.
///
/// ```
/// use std::sync::Arc;
/// use async_trait::async_trait;
/// use c1_connector_runner::{Connected, ConnectorProgram, Failure, Purpose};
/// use c1_connector_sdk::testing::FakeConnector;
///
/// #[derive(Debug, Clone, clap::Args)]
/// struct MyArgs {
///     /// The API key of my system.
///     #[arg(long, env = "BATON_MY_API_KEY", hide_env_values = true)]
///     my_api_key: Option<String>,
/// }
///
/// struct MyProgram;
///
/// #[async_trait]
/// impl ConnectorProgram for MyProgram {
///     type Args = MyArgs;
///     fn name(&self) -> &'static str { "baton-my-system" }
///     async fn connect(&self, args: &MyArgs, _purpose: Purpose) -> Result<Connected, Failure> {
///         if args.my_api_key.is_none() {
///             return Err(Failure::usage("set BATON_MY_API_KEY"));
///         }
///         Ok(Connected::new(Arc::new(FakeConnector::builder().build()), "my-system"))
///     }
/// }
/// ```
#[async_trait]
pub trait ConnectorProgram: Send + Sync + 'static {
    /// The connector's own flags, flattened next to baton's.
    type Args: clap::Args + Clone + fmt::Debug + Send + Sync + 'static;

    /// The program's name, e.g. `baton-descope`.
    fn name(&self) -> &'static str;

    /// The connector's display name in the configuration schema (default: the name).
    fn display_name(&self) -> &'static str {
        self.name()
    }

    /// Builds the connector. A configuration problem is a [`Failure::usage`] whose message
    /// names the flag or variable to set; nothing may be written or changed before this
    /// returns.
    async fn connect(&self, args: &Self::Args, purpose: Purpose) -> Result<Connected, Failure>;
}
