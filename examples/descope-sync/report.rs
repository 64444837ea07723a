//! What the main job tells its user: progress while it runs, a summary table at the end, and
//! failures with an exit code a script can rely on.

use std::time::Duration;

use c1_connector_sdk::engine::{self, SyncStats};
use descope_mgmt::ClientMetrics;
use indicatif::{ProgressBar, ProgressStyle};

/// A failed run: a message for the user and the process exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) exit_code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(exit_code: u8, message: impl Into<String>) -> Self {
        Failure {
            exit_code,
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Failure::new(2, message)
    }
}

/// Progress reporting: a progress bar on a terminal, log lines otherwise.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(terminal: bool) -> Self {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    /// The callback the engine calls as it goes.
    pub(crate) fn callback(&self) -> impl Fn(&engine::Progress) + Send + Sync + 'static {
        let bar = self.bar.clone();
        let last_log = std::sync::Mutex::new(std::time::Instant::now());
        move |p: &engine::Progress| {
            let line = format!(
                "{:?}: {} resources, {} entitlements, {} grants",
                p.phase, p.resources, p.entitlements, p.grants
            );
            match &bar {
                Some(bar) => bar.set_message(line),
                None => {
                    // Plain log lines, at most every two seconds.
                    if let Ok(mut last) = last_log.lock()
                        && last.elapsed() >= Duration::from_secs(2)
                    {
                        *last = std::time::Instant::now();
                        tracing::info!("{line}");
                    }
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Prints the summary table of a finished sync on standard output.
pub(crate) fn summary(stats: &SyncStats, api: ClientMetrics, elapsed: Duration, target: &str) {
    let mut rows: Vec<(String, String)> = stats
        .resources_by_type
        .iter()
        .map(|(ty, n)| (format!("resources: {ty}"), n.to_string()))
        .collect();
    rows.push(("entitlements".into(), stats.entitlements.to_string()));
    rows.push(("grants".into(), stats.grants.to_string()));
    rows.push(("API requests".into(), api.requests.to_string()));
    rows.push(("retries".into(), (api.retries + stats.retries).to_string()));
    rows.push(("429s received".into(), api.rate_limited.to_string()));
    rows.push(("elapsed".into(), format!("{:.2} s", elapsed.as_secs_f64())));
    rows.push(("output".into(), target.to_owned()));
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    println!("Descope sync complete");
    for (key, value) in rows {
        println!("  {key:<width$}  {value}");
    }
}
