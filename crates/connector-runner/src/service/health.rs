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

#[cfg(test)]
mod tests {
    use super::*;
    use c1_connector_sdk::Code as SdkCode;
    use c1_connector_sdk::testing::{FakeConnector, FakeOp, Fault};

    async fn get(address: SocketAddr, path: &str) -> (u16, String, String) {
        let response = reqwest::Client::new()
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, response.text().await.unwrap())
    }

    fn json(body: &str) -> serde_json::Value {
        assert!(
            body.ends_with('\n'),
            "a trailing newline, as Go's json.Encoder writes"
        );
        serde_json::from_str(body).unwrap()
    }

    #[tokio::test]
    async fn endpoints_answer_as_batons_healthcheck() {
        let connector = FakeConnector::builder()
            .fault(Fault::new(FakeOp::Validate, SdkCode::Unauthenticated))
            .build();
        let config = HealthCheckConfig::enabled().with_port(0);
        let server = HealthServer::start(&config, Arc::new(connector))
            .await
            .unwrap();
        let address = server.address();

        let (status, content_type, body) = get(address, "/live").await;
        assert_eq!((status, content_type.as_str()), (200, "application/json"));
        let body = json(&body);
        assert_eq!(body["status"], "alive");
        assert!(body.get("details").is_none());
        let ts = body["timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2006-01-02T15:04:05Z".len());
        assert!(ts.ends_with('Z'));

        let (status, _, body) = get(address, "/ready").await;
        assert_eq!(
            (status, json(&body)["status"].as_str()),
            (200, Some("ready"))
        );

        // The first validation fails (the injected fault), the second passes.
        let (status, _, body) = get(address, "/health").await;
        let body = json(&body);
        assert_eq!(status, 503);
        assert_eq!(body["status"], "unhealthy");
        assert_eq!(body["details"]["error"], "connector validation failed");
        assert!(
            body["details"]["validation_error"]
                .as_str()
                .unwrap()
                .contains("injected")
        );
        let (status, _, body) = get(address, "/health").await;
        assert_eq!(
            (status, json(&body)["status"].as_str()),
            (200, Some("healthy"))
        );

        let (status, _, _) = get(address, "/other").await;
        assert_eq!(status, 404);
        server.stop().await;
    }

    #[tokio::test]
    async fn a_port_in_use_is_a_clear_error() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let config = HealthCheckConfig::enabled().with_port(port);
        let err = HealthServer::start(&config, Arc::new(FakeConnector::builder().build()))
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
        assert!(msg.contains("--health-check-port"), "{msg}");
    }
}
