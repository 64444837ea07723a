//! The health-check server (baton's `pkg/healthcheck`): `GET /health` validates the connector,
//! `/ready` and `/live` answer at once. Bodies are baton's JSON:
//! `{"status":...,"timestamp":<RFC 3339 UTC>,"details":{...}}` (details omitted when empty),
//! followed by a newline.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use c1_connector_sdk::Connector;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::HealthCheckConfig;
use super::error::ServiceError;

/// baton's `defaultHealthCheckTimeout`.
const VALIDATE_TIMEOUT: Duration = Duration::from_secs(30);
/// baton's `shutdownTimeout`.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Serialize)]
struct HealthResponse {
    status: &'static str,
    timestamp: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: BTreeMap<&'static str, String>,
}

fn now_rfc3339() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

fn reply(
    code: StatusCode,
    status: &'static str,
    details: BTreeMap<&'static str, String>,
) -> Response {
    let body = HealthResponse {
        status,
        timestamp: now_rfc3339(),
        details,
    };
    let mut json = serde_json::to_vec(&body).unwrap_or_default();
    json.push(b'\n');
    (code, [(header::CONTENT_TYPE, "application/json")], json).into_response()
}

async fn health(State(connector): State<Arc<dyn Connector>>) -> Response {
    let result = tokio::time::timeout(VALIDATE_TIMEOUT, connector.validate()).await;
    let error = match result {
        Ok(Ok(_)) => return reply(StatusCode::OK, "healthy", BTreeMap::new()),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "context deadline exceeded".to_owned(),
    };
    tracing::warn!(error = %error, "health check failed: connector validation failed");
    let details = BTreeMap::from([
        ("error", "connector validation failed".to_owned()),
        ("validation_error", error),
    ]);
    reply(StatusCode::SERVICE_UNAVAILABLE, "unhealthy", details)
}

async fn ready() -> Response {
    reply(StatusCode::OK, "ready", BTreeMap::new())
}

async fn live() -> Response {
    reply(StatusCode::OK, "alive", BTreeMap::new())
}

/// A running health-check server.
#[derive(Debug)]
pub(crate) struct HealthServer {
    address: SocketAddr,
    stop: CancellationToken,
    handle: JoinHandle<()>,
}

impl HealthServer {
    /// Binds and serves; a bind failure is an error (baton fails the same way).
    pub(crate) async fn start(
        config: &HealthCheckConfig,
        connector: Arc<dyn Connector>,
    ) -> Result<Self, ServiceError> {
        let address = config.address();
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            ServiceError::HealthCheck {
                address: address.to_string(),
                reason: e.to_string(),
            }
        })?;
        let address = listener.local_addr().unwrap_or(address);
        let app = Router::new()
            .route("/health", any(health))
            .route("/ready", any(ready))
            .route("/live", any(live))
            .with_state(connector);
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let handle = tokio::spawn(async move {
            let serve = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stopped.cancelled().await });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "health check server error");
            }
        });
        tracing::info!(%address, "health check server listening");
        Ok(Self {
            address,
            stop,
            handle,
        })
    }

    /// The address it listens on.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops it, waiting at most 5 s for open requests.
    pub(crate) async fn stop(self) {
        self.stop.cancel();
        let mut handle = self.handle;
        if tokio::time::timeout(SHUTDOWN_TIMEOUT, &mut handle)
            .await
            .is_err()
        {
            handle.abort();
        }
    }
}
