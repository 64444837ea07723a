//! Log set-up: `tracing` lines on standard error, as console text or JSON.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::{LogFormat, LogLevel};
use crate::exit::Failure;

/// Installs the global subscriber: `level` for everything, lines on standard error, colour only
/// when standard error is a terminal (and `NO_COLOR` is unset), JSON objects with
/// [`LogFormat::Json`].
pub fn init(level: LogLevel, format: LogFormat) -> Result<(), Failure> {
    let filter = EnvFilter::try_new(level.as_str())
        .map_err(|e| Failure::usage(format!("--log-level: {e}")))?;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let result = match format {
        LogFormat::Console => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
    // A subscriber installed earlier (a test harness, an embedding program) stays in place.
    let _ = result;
    Ok(())
}
