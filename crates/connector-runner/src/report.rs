//! What a run tells its user on standard error: a progress line while it syncs (a spinner on a
//! terminal, a log line every few seconds otherwise) and a summary table at the end.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use c1_connector_sdk::engine::{self, SyncStats};
use indicatif::{ProgressBar, ProgressStyle};

use crate::program::RunReport;

/// Progress reporting for one sync.
#[derive(Clone)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    report: Option<Arc<dyn RunReport>>,
}

impl Progress {
    pub(crate) fn new(terminal: bool, report: Option<Arc<dyn RunReport>>) -> Self {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar, report }
    }

    /// The callback the engine calls after every page.
    pub(crate) fn callback(&self) -> impl Fn(&engine::Progress) + Send + Sync + 'static {
        let bar = self.bar.clone();
        let report = self.report.clone();
        let last_log = Mutex::new(Instant::now());
        move |p: &engine::Progress| {
            let mut line = format!(
                "{:?}: {} resources, {} entitlements, {} grants",
                p.phase, p.resources, p.entitlements, p.grants
            );
            if let Some(waiting) = report.as_ref().and_then(|r| r.waiting()) {
                line.push_str(&format!(" ({waiting})"));
            }
            match &bar {
                Some(bar) => bar.set_message(line),
                None => {
                    // Plain log lines, at most every two seconds.
                    if let Ok(mut last) = last_log.lock()
                        && last.elapsed() >= Duration::from_secs(2)
                    {
                        *last = Instant::now();
                        tracing::info!("{line}");
                    }
                }
            }
        }
    }

    /// Between pages nothing calls the callback: while the connector waits (a rate-limit
    /// window), a ticker keeps the line and the log saying so.
    pub(crate) fn spawn_waiting_ticker(&self) -> tokio::task::JoinHandle<()> {
        let bar = self.bar.clone();
        let report = self.report.clone();
        tokio::spawn(async move {
            let Some(report) = report else { return };
            let mut announced: Option<String> = None;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let waiting = report.waiting();
                if let (Some(w), Some(bar)) = (&waiting, &bar) {
                    bar.set_message(w.clone());
                }
                if waiting.is_some() && announced.is_none() {
                    tracing::info!("{}", waiting.as_deref().unwrap_or_default());
                }
                announced = waiting;
            }
        })
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes the summary of a finished sync to standard error.
pub(crate) fn summary(
    title: &str,
    stats: &SyncStats,
    report: Option<&Arc<dyn RunReport>>,
    elapsed: Duration,
    target: &str,
) {
    let mut rows: Vec<(String, String)> = stats
        .connector_notes
        .iter()
        .map(|(name, text)| (name.clone(), text.clone()))
        .collect();
    rows.extend(
        stats
            .resources_by_type
            .iter()
            .map(|(ty, n)| (format!("resources: {ty}"), n.to_string())),
    );
    rows.push(("entitlements".into(), stats.entitlements.to_string()));
    rows.push(("grants".into(), stats.grants.to_string()));
    if stats.warnings > 0 {
        rows.push(("warnings".into(), stats.warnings.to_string()));
    }
    rows.extend(
        stats
            .connector_counters
            .iter()
            .map(|(name, n)| (name.clone(), n.to_string())),
    );
    if let Some(report) = report {
        rows.extend(report.summary_rows());
    }
    rows.push(("engine retries".into(), stats.retries.to_string()));
    rows.push(("elapsed".into(), format!("{:.2} s", elapsed.as_secs_f64())));
    rows.push(("output".into(), target.to_owned()));
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    out.push_str(title);
    out.push('\n');
    for (key, value) in rows {
        out.push_str(&format!("  {key:<width$}  {value}\n"));
    }
    // A closed standard error is not worth failing a finished sync for.
    let _ = std::io::stderr().write_all(out.as_bytes());
}
