//! The program around a ConductorOne connector built on [`c1_connector_sdk`]: the counterpart of
//! baton-sdk's `pkg/cli` and `pkg/connectorrunner`.
//!
//! It owns what every connector binary shares: baton's flags and `BATON_*` environment, the
//! `.c1z` file lifecycle with checkpoints and resume, signals, exit codes, logging, one-shot
//! provisioning and, behind the default `service` feature, service mode (the connector takes its
//! work from ConductorOne).
//!
//! A connector program is a [`ConnectorProgram`] (its name, its own clap flags, how to build the
//! connector from them) handed to [`main`]:
//!
//! ```no_run
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use c1_connector_runner::{Connected, ConnectorProgram, Failure, Purpose};
//! use c1_connector_sdk::testing::FakeConnector;
//!
//! #[derive(Debug, Clone, clap::Args)]
//! struct Args {
//!     /// The API token of the system.
//!     #[arg(long, env = "BATON_TOKEN", hide_env_values = true)]
//!     token: Option<String>,
//! }
//!
//! struct Program;
//!
//! #[async_trait]
//! impl ConnectorProgram for Program {
//!     type Args = Args;
//!     fn name(&self) -> &'static str { "baton-example" }
//!     async fn connect(&self, args: &Args, _: Purpose) -> Result<Connected, Failure> {
//!         let _token = args.token.as_deref().ok_or_else(|| Failure::usage("set BATON_TOKEN"))?;
//!         Ok(Connected::new(Arc::new(FakeConnector::builder().build()), "example"))
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     c1_connector_runner::main(Program, env!("CARGO_PKG_VERSION"), "Syncs an example system")
//! }
//! ```

pub mod cli;
mod describe;
mod exit;
pub mod files;
mod logging;
mod oneshot;
mod options;
mod program;
mod report;
mod run;
mod schema;
#[cfg(feature = "service")]
mod service_cli;
mod signals;

pub use cli::{
    AccountCredential, BatonArgs, Cli, Command, LogFormat, LogLevel, OutputFormat, parse_go_bool,
};
pub use exit::{Exit, Failure};
pub use logging::init as init_logging;
pub use program::{Connected, ConnectorProgram, Purpose, RunReport};
pub use run::{main, parse, run};
pub use schema::config_schema;

#[cfg(feature = "service")]
pub mod service;
