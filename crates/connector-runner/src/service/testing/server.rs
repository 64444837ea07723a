//! The fake's HTTPS server: one TLS port serving the token endpoint (HTTP/1.1 or 2) and
//! BatonService (gRPC over HTTP/2), as ConductorOne does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt as _;
use sha2::{Digest as _, Sha256};
use tonic::{Code, Status};
use tonic_prost::ProstCodec;

use super::{Inner, Recorded, UploadRecord};
use crate::service::credentials::hex;
use crate::service::proto::{
    FinishTaskRequest, FinishTaskResponse, GetTaskRequest, GetTaskResponse, HeartbeatRequest,
    HeartbeatResponse, HelloRequest, HelloResponse, UploadAssetRequest, UploadAssetResponse,
    UploadMsg,
};

pub(super) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/auth/v1/token", post(token))
        .fallback(grpc)
        .with_state(inner)
}

async fn token(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let content_type_ok = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut state = inner.lock();
    let checked = if content_type_ok {
        super::token::check_request(
            &form,
            &super::token::Expected {
                client_id: &inner.client_id,
                audience: &inner.audience,
                public_key: &inner.public_key,
            },
        )
    } else {
        Err("content type is not application/x-www-form-urlencoded".into())
    };
    let checked = checked.and_then(|nonce| {
        if state.nonces.insert(nonce) {
            Ok(())
        } else {
            Err("nonce reused".to_owned())
        }
    });
    if let Err(reason) = checked {
        state.record(Recorded::TokenRejected(reason.clone()));
        drop(state);
        inner.notify.notify_waiters();
        return (
            StatusCode::UNAUTHORIZED,
            format!("{{\"error\":{reason:?}}}"),
        )
            .into_response();
    }
    if let Some(status) = state.faults.next_token_status().or(state.refuse_tokens) {
        state.record(Recorded::TokenRefused(status));
        drop(state);
        inner.notify.notify_waiters();
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
        return (code, "{\"error\":\"refused\"}").into_response();
    }
    // A scripted `expires_in` (possibly absent or absurd): valid here for a day.
    let scripted = state.faults.next_expires_in();
    let lifetime = match scripted {
        Some(_) => 24 * 60 * 60,
        None => state
            .token_lifetimes
            .pop_front()
            .unwrap_or(state.default_token_lifetime),
    };
    let access_token = format!("fake-token-{}", hex(&rand::random::<[u8; 16]>()));
    state.tokens.insert(
        access_token.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    let expires_in = match scripted {
        Some(stated) => stated.map(serde_json::Value::from),
        None => Some(lifetime.into()),
    };
    state.record(Recorded::TokenIssued {
        expires_in: expires_in
            .as_ref()
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
        user_agent,
    });
    state.issued_tokens.push(access_token.clone());
    drop(state);
    inner.notify.notify_waiters();
    let mut body = serde_json::json!({
        "access_token": access_token,
        "token_type": "bearer",
    });
    if let Some(expires_in) = expires_in {
        body["expires_in"] = expires_in;
    }
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Checks the bearer token and the user agent of a gRPC call.
fn authenticate(inner: &Inner, headers: &HeaderMap) -> Result<(), Status> {
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !user_agent.starts_with(&format!("{} ", inner.client_name)) {
        return Err(Status::invalid_argument(format!(
            "user agent {user_agent:?} does not start with the client name"
        )));
    }
    let Some(token) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(Status::unauthenticated("no bearer token"));
    };
    let state = inner.lock();
    match state.tokens.get(token) {
        Some(expires) if *expires > Instant::now() => Ok(()),
        Some(_) => Err(Status::unauthenticated("token expired")),
        None => Err(Status::unauthenticated("unknown token")),
    }
}

fn check_host(inner: &Inner, host_id: &str) -> Result<(), Status> {
    if host_id.is_empty() || host_id.len() > 256 {
        return Err(Status::invalid_argument(
            "host_id must be 1..256 characters",
        ));
    }
    match &inner.host_id {
        Some(want) if want != host_id => Err(Status::invalid_argument(format!(
            "host_id {host_id:?}, want {want:?}"
        ))),
        _ => Ok(()),
    }
}

fn valid_task_id(id: &str) -> bool {
    id.len() == 27 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

async fn grpc(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let auth = authenticate(&inner, request.headers());
    if let Err(status) = &auth {
        inner.lock().record(Recorded::RpcRejected {
            method: path.clone(),
            code: status.code(),
            message: status.message().to_owned(),
        });
        inner.notify.notify_waiters();
    }
    let response = match path.as_str() {
        "/c1.connectorapi.baton.v1.BatonService/Hello" => {
            let i = inner.clone();
            let svc = tower::service_fn(move |req: tonic::Request<HelloRequest>| {
                let i = i.clone();
                let auth = auth.clone();
                async move {
                    auth.and_then(|()| hello(&i, req.into_inner()))
                        .map(tonic::Response::new)
                }
            });
            tonic::server::Grpc::new(ProstCodec::<HelloResponse, HelloRequest>::default())
                .unary(svc, request)
                .await
        }
        "/c1.connectorapi.baton.v1.BatonService/GetTask" => {
            let i = inner.clone();
            let svc = tower::service_fn(move |req: tonic::Request<GetTaskRequest>| {
                let i = i.clone();
                let auth = auth.clone();
                async move {
                    auth.and_then(|()| get_task(&i, req.into_inner()))
                        .map(tonic::Response::new)
                }
            });
            tonic::server::Grpc::new(ProstCodec::<GetTaskResponse, GetTaskRequest>::default())
                .unary(svc, request)
                .await
        }
        "/c1.connectorapi.baton.v1.BatonService/Heartbeat" => {
            let i = inner.clone();
            let svc = tower::service_fn(move |req: tonic::Request<HeartbeatRequest>| {
                let i = i.clone();
                let auth = auth.clone();
                async move {
                    auth.and_then(|()| heartbeat(&i, req.into_inner()))
                        .map(tonic::Response::new)
                }
            });
            tonic::server::Grpc::new(ProstCodec::<HeartbeatResponse, HeartbeatRequest>::default())
                .unary(svc, request)
                .await
        }
        "/c1.connectorapi.baton.v1.BatonService/FinishTask" => {
            let i = inner.clone();
            let svc = tower::service_fn(move |req: tonic::Request<FinishTaskRequest>| {
                let i = i.clone();
                let auth = auth.clone();
                async move {
                    auth.and_then(|()| finish_task(&i, req.into_inner()))
                        .map(tonic::Response::new)
                }
            });
            tonic::server::Grpc::new(ProstCodec::<FinishTaskResponse, FinishTaskRequest>::default())
                .unary(svc, request)
                .await
        }
        "/c1.connectorapi.baton.v1.BatonService/UploadAsset" => {
            let i = inner.clone();
            let svc = tower::service_fn(
                move |req: tonic::Request<tonic::Streaming<UploadAssetRequest>>| {
                    let i = i.clone();
                    let auth = auth.clone();
                    async move {
                        auth?;
                        upload(&i, req.into_inner()).await.map(tonic::Response::new)
                    }
                },
            );
            tonic::server::Grpc::new(
                ProstCodec::<UploadAssetResponse, UploadAssetRequest>::default(),
            )
            .client_streaming(svc, request)
            .await
        }
        _ => Status::unimplemented(format!("no method {path}")).into_http(),
    };
    response.map(AxumBody::new)
}

fn hello(inner: &Inner, req: HelloRequest) -> Result<HelloResponse, Status> {
    check_host(inner, &req.host_id)?;
    if !req.task_id.is_empty() && !valid_task_id(&req.task_id) {
        return Err(Status::invalid_argument(
            "task_id must be 27 alphanumerics or empty",
        ));
    }
    if req.connector_metadata.is_none() {
        return Err(Status::invalid_argument("connector_metadata is required"));
    }
    let mut state = inner.lock();
    state.record(Recorded::Hello(Box::new(req)));
    drop(state);
    inner.notify.notify_waiters();
    Ok(HelloResponse::default())
}

fn get_task(inner: &Inner, req: GetTaskRequest) -> Result<GetTaskResponse, Status> {
    check_host(inner, &req.host_id)?;
    let mut state = inner.lock();
    state.record(Recorded::GetTask(req));
    if let Some(code) = state.get_task_faults.pop_front() {
        drop(state);
        inner.notify.notify_waiters();
        return Err(Status::new(code, "injected GetTask failure"));
    }
    let task = state.queue.pop_front();
    let next_poll = state.next_poll;
    drop(state);
    inner.notify.notify_waiters();
    Ok(GetTaskResponse {
        task,
        next_poll: next_poll.map(|d| prost_types::Duration {
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
        }),
        next_heartbeat: None,
        annotations: Vec::new(),
    })
}

fn heartbeat(inner: &Inner, req: HeartbeatRequest) -> Result<HeartbeatResponse, Status> {
    check_host(inner, &req.host_id)?;
    if !valid_task_id(&req.task_id) {
        return Err(Status::invalid_argument("task_id must be 27 alphanumerics"));
    }
    let mut state = inner.lock();
    let n = {
        let count = state
            .heartbeat_counts
            .entry(req.task_id.clone())
            .or_default();
        *count += 1;
        *count
    };
    let cancelled = state
        .cancel_after
        .get(&req.task_id)
        .is_some_and(|after| n >= *after);
    let fail = state.heartbeat_faults > 0 && n > 1;
    if fail {
        state.heartbeat_faults -= 1;
    }
    state.record(Recorded::Heartbeat(req));
    let next = state.next_heartbeat;
    drop(state);
    inner.notify.notify_waiters();
    if fail {
        return Err(Status::unavailable("injected heartbeat failure"));
    }
    Ok(HeartbeatResponse {
        next_heartbeat: Some(prost_types::Duration {
            seconds: i64::try_from(next.as_secs()).unwrap_or(i64::MAX),
            nanos: i32::try_from(next.subsec_nanos()).unwrap_or(0),
        }),
        cancelled,
        annotations: Vec::new(),
        cancelled_task_ids: Vec::new(),
    })
}

fn finish_task(inner: &Inner, req: FinishTaskRequest) -> Result<FinishTaskResponse, Status> {
    check_host(inner, &req.host_id)?;
    if !valid_task_id(&req.task_id) {
        return Err(Status::invalid_argument("task_id must be 27 alphanumerics"));
    }
    if req.final_state.is_none() {
        return Err(Status::invalid_argument("final_state is required"));
    }
    let mut state = inner.lock();
    if let Some(outage) = state.faults.outage_at_finish() {
        state.record(Recorded::RpcRejected {
            method: "/c1.connectorapi.baton.v1.BatonService/FinishTask".into(),
            code: Code::Unavailable,
            message: format!("outage of {outage:?} (injected)"),
        });
        drop(state);
        inner.notify.notify_waiters();
        return Err(Status::unavailable("outage (injected)"));
    }
    state.record(Recorded::FinishTask(Box::new(req)));
    drop(state);
    inner.notify.notify_waiters();
    Ok(FinishTaskResponse::default())
}

async fn upload(
    inner: &Inner,
    mut stream: tonic::Streaming<UploadAssetRequest>,
) -> Result<UploadAssetResponse, Status> {
    let (fail_this_one, stall) = {
        let mut state = inner.lock();
        let fail = state.upload_faults > 0;
        if fail {
            state.upload_faults -= 1;
        }
        (fail, state.faults.take_upload_stall())
    };
    if stall {
        return super::faults::stall(inner, stream).await;
    }
    let mut record = UploadRecord::default();
    let result = receive(inner, &mut stream, &mut record, fail_this_one).await;
    record.error = result.as_ref().err().map(|s| s.message().to_owned());
    let mut state = inner.lock();
    state.record(Recorded::Upload(record));
    drop(state);
    inner.notify.notify_waiters();
    result
}

async fn receive(
    inner: &Inner,
    stream: &mut tonic::Streaming<UploadAssetRequest>,
    record: &mut UploadRecord,
    fail_after_first_chunk: bool,
) -> Result<UploadAssetResponse, Status> {
    let first = stream
        .message()
        .await?
        .ok_or_else(|| Status::invalid_argument("empty upload"))?;
    let Some(UploadMsg::Metadata(meta)) = first.msg else {
        return Err(Status::invalid_argument(
            "the first message must be metadata",
        ));
    };
    check_host(inner, &meta.host_id)?;
    if !valid_task_id(&meta.task_id) {
        return Err(Status::invalid_argument("task_id must be 27 alphanumerics"));
    }
    record.task_id = meta.task_id;
    let mut hasher = Sha256::new();
    while let Some(message) = stream.next().await {
        match message?.msg {
            Some(UploadMsg::Data(d)) => {
                if d.data.is_empty() || d.data.len() > 1024 * 1024 {
                    return Err(Status::invalid_argument("data must be 1 byte to 1 MiB"));
                }
                hasher.update(&d.data);
                record.chunk_sizes.push(d.data.len());
                record.data.extend_from_slice(&d.data);
                if fail_after_first_chunk {
                    return Err(Status::unavailable("injected upload failure"));
                }
            }
            Some(UploadMsg::Eof(eof)) => {
                let digest: [u8; 32] = hasher.finalize().into();
                if eof.sha256_checksum.len() != 32 {
                    return Err(Status::invalid_argument("sha256_checksum must be 32 bytes"));
                }
                if eof.sha256_checksum != digest {
                    return Err(Status::data_loss("checksum mismatch"));
                }
                record.sha256 = eof.sha256_checksum;
                record.complete = true;
                if stream.next().await.is_some() {
                    return Err(Status::invalid_argument("messages after eof"));
                }
                return Ok(UploadAssetResponse::default());
            }
            Some(UploadMsg::Metadata(_)) => {
                return Err(Status::invalid_argument("metadata sent twice"));
            }
            None => return Err(Status::invalid_argument("message without content")),
        }
    }
    Err(Status::new(
        Code::InvalidArgument,
        "the upload ended without eof",
    ))
}
