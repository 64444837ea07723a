//! The BatonService client: a hand-written tonic client (`tonic::client::Grpc` with prost's
//! codec) over a hyper HTTP/2 client with rustls, so the token client and gRPC share one trust
//! store and no plaintext path exists.
//!
//! Every request carries `host_id` (filled here, overwriting the caller's) and
//! `authorization: <type> <token>` marked *sensitive*, so neither h2's HPACK tables nor any
//! `Debug` output (hyper, h2 and tonic log headers at debug/trace level) shows it.
//! One HTTP/2 connection is kept and re-dialled when it drops; baton dials per RPC, and nothing
//! here depends on either. HTTP/2 keep-alive PINGs ([`Timings::keep_alive_interval`], also
//! while idle) find a connection that died without a FIN (a NAT or load balancer forgot it)
//! within interval + timeout, so the next call dials a new one instead of waiting for TCP to
//! give up. The interval (60 s) is longer than the heartbeat interval, so a grpc-go server
//! with its default ping policy (at most one ping per 5 min without data from the server)
//! sees data between pings whenever a sync is running.
//!
//! A call ConductorOne answers `Unauthenticated` (a token it revoked early, or one cached
//! without a stated expiry) drops that token and is sent once more with a fresh one.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use http::header::{HeaderValue, USER_AGENT};
use http::uri::PathAndQuery;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncReadExt as _;
use tonic::metadata::MetadataValue;
use tonic::{Code, Request, Status};
use tonic_prost::ProstCodec;

use super::config::Resolved;
use super::credentials::split_host_port;
use super::error::ServiceError;
use super::proto::{
    FinishTaskRequest, FinishTaskResponse, GetTaskRequest, GetTaskResponse, HeartbeatRequest,
    HeartbeatResponse, HelloRequest, HelloResponse, UploadAssetRequest, UploadAssetResponse,
    UploadData, UploadEof, UploadMetadata, UploadMsg,
};
use super::timings::Timings;
use super::token::TokenSource;

/// Upload chunk size (baton's `fileChunkSize`, 512 KiB; the server allows 1 MiB).
pub(crate) const UPLOAD_CHUNK_SIZE: usize = 512 * 1024;

/// What the task loop needs from ConductorOne. The gRPC client implements it; unit tests of the
/// loop use an in-memory one under tokio's paused clock.
#[async_trait]
pub(crate) trait BatonApi: Send + Sync + 'static {
    /// Hello (startup with an empty task id, or answering a Hello task).
    async fn hello(&self, request: HelloRequest) -> Result<(), Status>;
    /// GetTask.
    async fn get_task(&self) -> Result<GetTaskResponse, Status>;
    /// Heartbeat for one task.
    async fn heartbeat(&self, task_id: &str) -> Result<HeartbeatResponse, Status>;
    /// FinishTask.
    async fn finish_task(&self, request: FinishTaskRequest) -> Result<(), Status>;
    /// One UploadAsset attempt: metadata, the file in 512 KiB chunks, the end with `sha256`.
    async fn upload_asset(
        &self,
        task_id: &str,
        path: &Path,
        sha256: [u8; 32],
    ) -> Result<(), Status>;
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The HTTP/2 client with the user agent set on every request (tonic strips `user-agent` from
/// request metadata, so it is set at this layer).
#[derive(Clone)]
struct Transport {
    inner: HyperClient<Connector, tonic::body::Body>,
    user_agent: HeaderValue,
}

impl tower::Service<http::Request<tonic::body::Body>> for Transport {
    type Response = http::Response<hyper::body::Incoming>;
    type Error = hyper_util::client::legacy::Error;
    type Future = hyper_util::client::legacy::ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<tonic::body::Body>) -> Self::Future {
        request
            .headers_mut()
            .insert(USER_AGENT, self.user_agent.clone());
        self.inner.call(request)
    }
}

/// The gRPC client of `c1.connectorapi.baton.v1.BatonService`.
pub(crate) struct BatonClient {
    grpc: tonic::client::Grpc<Transport>,
    tokens: Arc<TokenSource>,
    host_id: String,
    rpc_timeout: Duration,
    target: String,
}

impl fmt::Debug for BatonClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatonClient")
            .field("target", &self.target)
            .field("host_id", &self.host_id)
            .finish_non_exhaustive()
    }
}

/// The `authorization` metadata value, marked sensitive: h2 never indexes it in HPACK tables
/// and `Debug` (of the value, the metadata map, the request) prints `Sensitive`.
fn authorization_value(
    authorization: &secrecy::SecretString,
) -> Result<MetadataValue<tonic::metadata::Ascii>, Status> {
    let mut value = MetadataValue::try_from(authorization.expose_secret()).map_err(|_| {
        Status::unauthenticated("failed to get token: the token is not a valid header value")
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `host` with `:443` added when it has no port (baton's dial target).
pub(crate) fn grpc_authority(host: &str) -> String {
    if split_host_port(host).is_some() {
        host.to_owned()
    } else if host.contains(':') {
        // A bare IPv6 address.
        format!("[{host}]:443")
    } else {
        format!("{host}:443")
    }
}

impl BatonClient {
    pub(crate) fn new(
        resolved: &Resolved,
        tokens: Arc<TokenSource>,
        tls: rustls::ClientConfig,
        timings: &Timings,
    ) -> Result<Self, ServiceError> {
        let authority = grpc_authority(&resolved.host);
        let origin: http::Uri = format!("https://{authority}").parse().map_err(|e| {
            ServiceError::InvalidConfig(format!("ConductorOne address {authority:?}: {e}"))
        })?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(30)));
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http2()
            .wrap_connector(http);
        let inner = HyperClient::builder(TokioExecutor::new())
            .http2_only(true)
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .http2_keep_alive_interval(Some(timings.keep_alive_interval))
            .http2_keep_alive_timeout(timings.keep_alive_timeout)
            .http2_keep_alive_while_idle(true)
            .build(connector);
        let user_agent = HeaderValue::from_str(&format!(
            "{} c1-connector-runner/{}",
            resolved.client_id.client_name(),
            env!("CARGO_PKG_VERSION")
        ))
        .map_err(|_| {
            ServiceError::InvalidConfig(
                "the client name (before '@' in the client id) is not a valid header value".into(),
            )
        })?;
        Ok(Self {
            grpc: tonic::client::Grpc::with_origin(Transport { inner, user_agent }, origin),
            tokens,
            host_id: resolved.host_id.clone(),
            rpc_timeout: timings.rpc_timeout,
            target: authority,
        })
    }

    /// A request with the bearer token, marked sensitive, and the token used. A token that
    /// could not be had fails the call: `Unauthenticated` when the credentials were refused
    /// (grpc-go's code for a failing per-RPC credential), `Unavailable` when the token
    /// endpoint failed in a way worth retrying.
    async fn request<M>(&self, message: M) -> Result<(Request<M>, SecretString), Status> {
        let authorization = self
            .tokens
            .authorization()
            .await
            .map_err(|e| e.to_status())?;
        let mut request = Request::new(message);
        request
            .metadata_mut()
            .insert("authorization", authorization_value(&authorization)?);
        Ok((request, authorization))
    }

    /// Whether `result` is ConductorOne refusing the token `used`; if so the token is dropped
    /// so the caller's one retry fetches a new one.
    async fn refused_token<T>(
        &self,
        method: &str,
        result: &Result<T, Status>,
        used: &SecretString,
    ) -> bool {
        let refused = matches!(result, Err(s) if s.code() == Code::Unauthenticated);
        if refused {
            tracing::info!(
                method,
                "ConductorOne refused the access token; fetching a new one and trying once more"
            );
            self.tokens.invalidate(used).await;
        }
        refused
    }

    async fn ready(&self) -> Result<tonic::client::Grpc<Transport>, Status> {
        let mut grpc = self.grpc.clone();
        grpc.ready().await.map_err(|e| {
            Status::unavailable(format!(
                "ConductorOne at {} is not reachable: {e}",
                self.target
            ))
        })?;
        Ok(grpc)
    }

    async fn unary<Req, Resp>(
        &self,
        method: &'static str,
        message: Req,
        timeout: Duration,
    ) -> Result<Resp, Status>
    where
        Req: prost::Message + Clone + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let once = |message: Req| async move {
            let (request, used) = self.request(message).await?;
            let mut grpc = self.ready().await?;
            let path = PathAndQuery::from_static(method);
            let result = grpc
                .unary(request, path, ProstCodec::<Req, Resp>::default())
                .await
                .map(tonic::Response::into_inner);
            Ok::<_, Status>((result, used))
        };
        let call = async {
            let (result, used) = once(message.clone()).await?;
            if self.refused_token(method, &result, &used).await {
                return once(message).await?.0;
            }
            result
        };
        match tokio::time::timeout(timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(Status::deadline_exceeded(format!(
                "{method} did not answer within {timeout:?}"
            ))),
        }
    }
}

#[async_trait]
impl BatonApi for BatonClient {
    async fn hello(&self, mut request: HelloRequest) -> Result<(), Status> {
        request.host_id.clone_from(&self.host_id);
        self.unary::<_, HelloResponse>(
            "/c1.connectorapi.baton.v1.BatonService/Hello",
            request,
            self.rpc_timeout,
        )
        .await
        .map(drop)
    }

    async fn get_task(&self) -> Result<GetTaskResponse, Status> {
        self.unary(
            "/c1.connectorapi.baton.v1.BatonService/GetTask",
            GetTaskRequest {
                host_id: self.host_id.clone(),
            },
            self.rpc_timeout,
        )
        .await
    }

    async fn heartbeat(&self, task_id: &str) -> Result<HeartbeatResponse, Status> {
        self.unary(
            "/c1.connectorapi.baton.v1.BatonService/Heartbeat",
            HeartbeatRequest {
                host_id: self.host_id.clone(),
                task_id: task_id.to_owned(),
                annotations: Vec::new(),
                task_ids: Vec::new(),
            },
            self.rpc_timeout,
        )
        .await
    }

    async fn finish_task(&self, mut request: FinishTaskRequest) -> Result<(), Status> {
        request.host_id.clone_from(&self.host_id);
        // The caller bounds FinishTask with its own deadline (30 s).
        self.unary::<_, FinishTaskResponse>(
            "/c1.connectorapi.baton.v1.BatonService/FinishTask",
            request,
            Duration::MAX,
        )
        .await
        .map(drop)
    }

    async fn upload_asset(
        &self,
        task_id: &str,
        path: &Path,
        sha256: [u8; 32],
    ) -> Result<(), Status> {
        const METHOD: &str = "/c1.connectorapi.baton.v1.BatonService/UploadAsset";
        let (result, used) = self.upload_once(task_id, path, sha256).await?;
        if self.refused_token(METHOD, &result, &used).await {
            return self.upload_once(task_id, path, sha256).await?.0;
        }
        result
    }
}

impl BatonClient {
    /// One UploadAsset stream with the current token; `Err` when it could not start, else the
    /// call's result and the token used.
    async fn upload_once(
        &self,
        task_id: &str,
        path: &Path,
        sha256: [u8; 32],
    ) -> Result<(Result<(), Status>, SecretString), Status> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| Status::internal(format!("could not open {}: {e}", path.display())))?;
        let read_error: Arc<Mutex<Option<std::io::Error>>> = Arc::default();
        let metadata = UploadAssetRequest {
            msg: Some(UploadMsg::Metadata(UploadMetadata {
                host_id: self.host_id.clone(),
                task_id: task_id.to_owned(),
                annotations: Vec::new(),
            })),
        };
        let chunks = file_chunks(file, read_error.clone());
        let eof = UploadAssetRequest {
            msg: Some(UploadMsg::Eof(UploadEof {
                sha256_checksum: sha256.to_vec(),
                annotations: Vec::new(),
            })),
        };
        let stream = futures::stream::iter([metadata])
            .chain(chunks)
            .chain(futures::stream::iter([eof]));
        let (request, used) = self.request(stream).await?;
        let mut grpc = self.ready().await?;
        let result = grpc
            .client_streaming::<_, UploadAssetRequest, UploadAssetResponse, _>(
                request,
                PathAndQuery::from_static("/c1.connectorapi.baton.v1.BatonService/UploadAsset"),
                ProstCodec::default(),
            )
            .await;
        // A read error ends the stream early; whatever the server said, the upload failed.
        if let Some(e) = read_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            return Err(Status::new(
                Code::Internal,
                format!("could not read {} while uploading it: {e}", path.display()),
            ));
        }
        Ok((result.map(drop), used))
    }
}

use futures::StreamExt as _;

/// The file as `data` messages of [`UPLOAD_CHUNK_SIZE`] bytes (the last one shorter; none for
/// an empty file). A read error is stored in `error` and ends the stream.
fn file_chunks(
    file: tokio::fs::File,
    error: Arc<Mutex<Option<std::io::Error>>>,
) -> impl futures::Stream<Item = UploadAssetRequest> + Send + 'static {
    futures::stream::unfold(Some(file), move |file| {
        let error = error.clone();
        async move {
            let mut file = file?;
            let mut buf = vec![0u8; UPLOAD_CHUNK_SIZE];
            let mut filled = 0;
            while filled < buf.len() {
                match file.read(&mut buf[filled..]).await {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => {
                        *error
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e);
                        return None;
                    }
                }
            }
            if filled == 0 {
                return None;
            }
            buf.truncate(filled);
            let next = (filled == UPLOAD_CHUNK_SIZE).then_some(file);
            Some((
                UploadAssetRequest {
                    msg: Some(UploadMsg::Data(UploadData { data: buf })),
                },
                next,
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_value_is_sensitive_and_never_printed() {
        let secret = secrecy::SecretString::from("Bearer tok-123456789");
        let value = authorization_value(&secret).unwrap();
        assert!(value.is_sensitive());
        let mut request = Request::new(());
        request.metadata_mut().insert("authorization", value);
        let shown = format!("{request:?}");
        assert!(!shown.contains("tok-123456789"), "{shown}");
        let headers = request.metadata().clone().into_headers();
        let header = headers.get("authorization").unwrap();
        assert!(header.is_sensitive());
        assert!(!format!("{headers:?}").contains("tok-123456789"));
    }

    #[test]
    fn dial_targets() {
        assert_eq!(grpc_authority("tenant.example"), "tenant.example:443");
        assert_eq!(grpc_authority("tenant.example:8443"), "tenant.example:8443");
        assert_eq!(grpc_authority("[::1]:9"), "[::1]:9");
        assert_eq!(grpc_authority("::1"), "[::1]:443");
    }

    #[tokio::test]
    async fn chunks_are_512_kib_with_a_short_last_one() {
        let dir = tempfile::tempdir().unwrap();
        for (len, want) in [
            (0usize, vec![]),
            (10, vec![10]),
            (UPLOAD_CHUNK_SIZE, vec![UPLOAD_CHUNK_SIZE]),
            (
                UPLOAD_CHUNK_SIZE * 2 + 3,
                vec![UPLOAD_CHUNK_SIZE, UPLOAD_CHUNK_SIZE, 3],
            ),
        ] {
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, vec![1u8; len]).unwrap();
            let file = tokio::fs::File::open(&path).await.unwrap();
            let sizes: Vec<usize> = file_chunks(file, Arc::default())
                .map(|m| match m.msg {
                    Some(UploadMsg::Data(d)) => d.data.len(),
                    _ => panic!("not data"),
                })
                .collect()
                .await;
            assert_eq!(sizes, want, "file of {len} bytes");
        }
    }
}
