//! The health-check server (baton's `pkg/healthcheck`): `GET /health` reports whether the
//! connector validates, `/ready` and `/live` answer at once. Bodies are baton's JSON:
//! `{"status":...,"timestamp":<RFC 3339 UTC>,"details":{...}}` (details omitted when empty),
//! followed by a newline.
//!
//! Unlike baton, `/health` answers from a cached result: the connector is validated (for
//! Descope, one user search through the limiter syncs use) at most once per
//! [`HealthCheckConfig::interval`] (30 s), requests that arrive while a validation runs wait
//! for it instead of starting their own, and `timestamp` is when that validation ended. So
//! whoever can reach the port cannot turn requests into load on the connected system: a
//! thousand requests a second cost one validation per interval.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use c1_connector_sdk::connector::Connector;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::config::{HEALTH_STOP_TIMEOUT, HealthCheckConfig};
use super::error::ServiceError;

/// baton's `defaultHealthCheckTimeout`.
const VALIDATE_TIMEOUT: Duration = Duration::from_secs(30);

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
    reply_at(code, status, details, now_rfc3339())
}

fn reply_at(
    code: StatusCode,
    status: &'static str,
    details: BTreeMap<&'static str, String>,
    timestamp: String,
) -> Response {
    let body = HealthResponse {
        status,
        timestamp,
        details,
    };
    let mut json = serde_json::to_vec(&body).unwrap_or_default();
    json.push(b'\n');
    (code, [(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// One validation's result.
#[derive(Debug, Clone)]
struct Checked {
    at: Instant,
    timestamp: String,
    /// Why validation failed; `None` when it passed.
    error: Option<String>,
}

/// The connector and its last validation.
struct HealthCache {
    connector: Arc<dyn Connector>,
    interval: Duration,
    /// Held during a validation, so concurrent requests wait for it rather than start their
    /// own.
    last: tokio::sync::Mutex<Option<Checked>>,
}

impl HealthCache {
    /// The last result if younger than the interval, else a new validation's.
    async fn get(&self) -> Checked {
        let mut last = self.last.lock().await;
        if let Some(checked) = last.as_ref()
            && checked.at.elapsed() < self.interval
        {
            return checked.clone();
        }
        let result = tokio::time::timeout(VALIDATE_TIMEOUT, self.connector.validate()).await;
        let error = match result {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("context deadline exceeded".to_owned()),
        };
        if let Some(error) = &error {
            tracing::warn!(error = %error, "health check failed: connector validation failed");
        }
        let checked = Checked {
            at: Instant::now(),
            timestamp: now_rfc3339(),
            error,
        };
        *last = Some(checked.clone());
        checked
    }
}

async fn health(State(cache): State<Arc<HealthCache>>) -> Response {
    let checked = cache.get().await;
    let Some(error) = checked.error else {
        return reply_at(
            StatusCode::OK,
            "healthy",
            BTreeMap::new(),
            checked.timestamp,
        );
    };
    let details = BTreeMap::from([
        ("error", "connector validation failed".to_owned()),
        ("validation_error", error),
    ]);
    reply_at(
        StatusCode::SERVICE_UNAVAILABLE,
        "unhealthy",
        details,
        checked.timestamp,
    )
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
        let cache = Arc::new(HealthCache {
            connector,
            interval: config.interval,
            last: tokio::sync::Mutex::new(None),
        });
        let app = Router::new()
            .route("/health", any(health))
            .route("/ready", any(ready))
            .route("/live", any(live))
            .with_state(cache);
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let handle = tokio::spawn(async move {
            let serve = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stopped.cancelled().await });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "health check server error");
            }
        });
        tracing::info!(%address, interval = ?config.interval, "health check server listening");
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

    /// Stops it, waiting at most 2 s for open requests.
    pub(crate) async fn stop(self) {
        self.stop.cancel();
        let mut handle = self.handle;
        if tokio::time::timeout(HEALTH_STOP_TIMEOUT, &mut handle)
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
    use c1_connector_sdk::error::Code as SdkCode;
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
        // No caching, to see the second validation.
        let config = HealthCheckConfig::enabled()
            .with_port(0)
            .with_interval(Duration::ZERO);
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

    fn validations(connector: &FakeConnector) -> usize {
        connector
            .call_log()
            .iter()
            .filter(|c| c.starts_with("validate"))
            .count()
    }

    /// 1,000 requests, 100 at a time.
    async fn hammer(address: SocketAddr) -> Vec<u16> {
        use futures::StreamExt as _;
        let client = reqwest::Client::new();
        futures::stream::iter(0..1000)
            .map(|_| {
                let client = client.clone();
                async move {
                    let r = client
                        .get(format!("http://{address}/health"))
                        .send()
                        .await
                        .unwrap();
                    r.status().as_u16()
                }
            })
            .buffer_unordered(100)
            .collect()
            .await
    }

    #[tokio::test]
    async fn a_thousand_requests_cost_one_validation_per_interval() {
        // A slow validation (200 ms), so many requests arrive while it runs.
        let connector = FakeConnector::builder()
            .delay(Duration::from_millis(200))
            .build();
        let config = HealthCheckConfig::enabled().with_port(0);
        assert_eq!(config.interval, Duration::from_secs(30), "the default");
        let server = HealthServer::start(&config, Arc::new(connector.clone()))
            .await
            .unwrap();
        let started = Instant::now();
        let statuses = hammer(server.address()).await;
        let elapsed = started.elapsed();
        assert!(statuses.iter().all(|s| *s == 200));
        // Well inside one 30 s interval on any machine.
        assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
        assert_eq!(validations(&connector), 1);
        server.stop().await;

        // A short interval: one validation per interval, however many requests.
        let connector = FakeConnector::builder()
            .delay(Duration::from_millis(50))
            .build();
        let interval = Duration::from_millis(300);
        let config = HealthCheckConfig::enabled()
            .with_port(0)
            .with_interval(interval);
        let server = HealthServer::start(&config, Arc::new(connector.clone()))
            .await
            .unwrap();
        let started = Instant::now();
        hammer(server.address()).await;
        tokio::time::sleep(interval).await;
        let (status, _, _) = get(server.address(), "/health").await;
        assert_eq!(status, 200);
        let elapsed = started.elapsed();
        let n = validations(&connector);
        // Each validation starts at least one interval after the previous one ended.
        let most = usize::try_from(elapsed.as_millis() / interval.as_millis()).unwrap() + 1;
        assert!(n >= 2, "the cache expires: {n}");
        assert!(n <= most, "{n} validations in {elapsed:?}");
        server.stop().await;
    }
}
