//! The running server: [`Emulator`] (configured and started by
//! [`EmulatorBuilder`](crate::EmulatorBuilder)).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::counters::Counters;
use crate::dataset::Dataset;
use crate::http::{self, Shared};
use crate::requests::RecordedRequest;

/// A running emulator on 127.0.0.1. Dropping it stops the server; [`Emulator::shutdown`]
/// stops it gracefully and waits.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use descope_emulator::{Dataset, Emulator};
///
/// let emu = Emulator::builder().dataset(Dataset::demo()).start().await?;
/// println!("Descope emulator at {}", emu.base_url());
/// // ... point a client at emu.base_url() with emu.project_id() / emu.management_key() ...
/// assert_eq!(emu.counters().rate_limited, 0);
/// emu.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Emulator {
    base_url: String,
    addr: SocketAddr,
    project_id: String,
    management_key: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("project_id", &self.project_id)
            .field("management_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project id the server accepts.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The management key the server accepts (emulator-only, not a real secret).
    pub fn management_key(&self) -> &str {
        &self.management_key
    }

    /// A snapshot of the request counters.
    pub fn counters(&self) -> Counters {
        self.shared.counters.snapshot()
    }

    /// Sets every counter back to zero (for instance between benchmark phases).
    pub fn reset_counters(&self) {
        self.shared.counters.reset();
    }

    /// The requests received since start (or the last [`clear_requests`](Self::clear_requests)),
    /// in arrival order, when the builder's
    /// [`record_requests`](crate::EmulatorBuilder::record_requests) turned the log on; empty
    /// otherwise. Each entry has the method, path, query and body, never a header.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().record_requests(true).start().await?;
    /// // ... a client sends a user search ...
    /// let searches = emu
    ///     .requests()
    ///     .into_iter()
    ///     .filter(|r| r.path == "/v2/mgmt/user/search")
    ///     .count();
    /// println!("{searches} searches");
    /// emu.clear_requests();
    /// # Ok(()) }
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.request_log.snapshot()
    }

    /// Empties the request log (for instance between the phases of a test).
    pub fn clear_requests(&self) {
        self.shared.request_log.clear();
    }

    /// A copy of the current data, for tests that compute expectations.
    pub fn dataset(&self) -> Dataset {
        self.shared.read().to_dataset()
    }

    /// The logouts (`POST /v1/mgmt/user/logout`) accepted since start, in order. Each is also
    /// in the audit trail as `UserLoggedOut`.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().start().await?;
    /// // ... a client signs a user out ...
    /// for l in emu.logouts() {
    ///     println!("{} signed out at {}", l.user_id, l.at_millis);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn logouts(&self) -> Vec<crate::LogoutRecord> {
        self.shared.read().logouts.clone()
    }

    /// What the [`UserChurn`](crate::UserChurn) changes did so far: user searches answered,
    /// users deleted and created.
    pub fn churned(&self) -> crate::Churned {
        self.shared.changes.churned()
    }

    /// Binds `bind` and serves `shared` in a background task of the current tokio runtime.
    pub(crate) async fn serve(
        shared: Arc<Shared>,
        bind: SocketAddr,
        project_id: String,
        management_key: String,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let app = http::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "descope emulator server stopped with an error");
            }
        });
        tracing::debug!(%addr, "descope emulator listening");
        Ok(Emulator {
            base_url: format!("http://{addr}"),
            addr,
            project_id,
            management_key,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Stops accepting connections, lets in-flight requests finish (up to 5 s), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
