//! The axum application: routes, and one middleware that applies the request log, counters,
//! latency, authentication, rate limits and faults, in that order.

mod access_keys;
mod activity;
mod audit;
mod catalog;
mod grants;
mod key_auth;
mod lifecycle;
mod scim;
mod scim_patch;
mod scim_view;
mod scim_wire;
mod search;
mod sso_apps;
mod user_mfa;
mod users;
pub(crate) mod wire;

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::counters::CounterSet;
use crate::error::ApiError;
use crate::knobs::{ConcurrentKeyWriter, ExpiredKeyStatus, Faults, HistoryShape, RateLimits};
use crate::ratelimit::{Class, Limiter, retry_after_secs};
use crate::requests::{RecordedBody, RecordedRequest, RequestLog};
use crate::state::State;

pub(crate) use search::Paging;

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    state: RwLock<State>,
    /// Bumped by every write lock, so cached search results know when they are stale.
    generation: AtomicU64,
    search_cache: search::MatchCache,
    pub(crate) counters: CounterSet,
    limiter: Limiter,
    /// Decides latency jitter and faults; seeded so a run is reproducible (given request order).
    rng: Mutex<ChaCha8Rng>,
    /// The exact `Authorization` value accepted. Emulator-only credentials, never logged.
    expected_auth: String,
    /// The project id SCIM's `Bearer <ProjectID>:<AccessKey>` must name.
    project_id: String,
    latency: Duration,
    jitter: Duration,
    faults: Faults,
    license_tier: String,
    /// User-search paging knobs (limit cap, ignored offset).
    paging: Paging,
    /// `GET /v1/mgmt/role/all` lists project roles only; tenant roles need `role/search`.
    tenant_roles_only_in_search: bool,
    pub(crate) request_log: RequestLog,
    expired_key_status: ExpiredKeyStatus,
    history_shape: HistoryShape,
    history_max_ids: Option<usize>,
    pub(crate) search_max_tenant_ids: Option<usize>,
    pub(crate) access_key_search_cap: Option<usize>,
    pub(crate) key_update_empty_list_keeps: bool,
    /// The other writer of one key and how many more updates it follows.
    pub(crate) concurrent_key_writer: Mutex<Option<ConcurrentKeyWriter>>,
    /// A project that changes while a client reads it.
    pub(crate) changes: crate::changes::ChangeKnobs,
    /// Readings of the third-party and outbound endpoints.
    pub(crate) grants: crate::grant_knobs::GrantKnobs,
}

/// Settings the server is started with.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) project_id: String,
    pub(crate) management_key: String,
    pub(crate) latency: Duration,
    pub(crate) jitter: Duration,
    pub(crate) rate_limits: RateLimits,
    pub(crate) faults: Faults,
    pub(crate) seed: u64,
    pub(crate) license_tier: String,
    pub(crate) paging: Paging,
    pub(crate) tenant_roles_only_in_search: bool,
    pub(crate) record_requests: bool,
    pub(crate) expired_key_status: ExpiredKeyStatus,
    pub(crate) history_shape: HistoryShape,
    pub(crate) history_max_ids: Option<usize>,
    pub(crate) search_max_tenant_ids: Option<usize>,
    pub(crate) access_key_search_cap: Option<usize>,
    pub(crate) key_update_empty_list_keeps: bool,
    pub(crate) concurrent_key_writer: Option<ConcurrentKeyWriter>,
    pub(crate) changes: crate::changes::ChangeKnobs,
    pub(crate) grants: crate::grant_knobs::GrantKnobs,
}

impl Shared {
    pub(crate) fn new(state: State, config: Config) -> Self {
        Self {
            state: RwLock::new(state),
            generation: AtomicU64::new(0),
            search_cache: search::MatchCache::default(),
            counters: CounterSet::default(),
            limiter: Limiter::new(config.rate_limits),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            expected_auth: format!("Bearer {}:{}", config.project_id, config.management_key),
            project_id: config.project_id.clone(),
            latency: config.latency,
            jitter: config.jitter,
            faults: config.faults,
            license_tier: config.license_tier,
            paging: config.paging,
            tenant_roles_only_in_search: config.tenant_roles_only_in_search,
            request_log: RequestLog::new(config.record_requests),
            expired_key_status: config.expired_key_status,
            history_shape: config.history_shape,
            history_max_ids: config.history_max_ids,
            search_max_tenant_ids: config.search_max_tenant_ids,
            access_key_search_cap: config.access_key_search_cap,
            key_update_empty_list_keeps: config.key_update_empty_list_keeps,
            concurrent_key_writer: Mutex::new(config.concurrent_key_writer),
            changes: config.changes,
            grants: config.grants,
        }
    }

    /// Refuses a search by more tenant ids than `search_max_tenant_ids` allows.
    pub(crate) fn check_tenant_ids(&self, count: usize) -> Result<(), ApiError> {
        match self.search_max_tenant_ids {
            Some(max) if count > max => Err(ApiError::invalid_argument(format!(
                "At most {max} tenant ids per search, got {count}; split the list"
            ))),
            _ => Ok(()),
        }
    }

    /// A read lock; a poisoned lock still holds consistent data (mutations validate first).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A read lock and the state's generation, read under that lock.
    fn read_with_generation(&self) -> (RwLockReadGuard<'_, State>, u64) {
        let state = self.read();
        let generation = self.generation.load(Ordering::Relaxed);
        (state, generation)
    }

    /// A write lock. The generation is bumped while it is held (the lock orders this with
    /// readers), so searches cached before the write are never served after it.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, State> {
        let guard = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::Relaxed);
        guard
    }

    /// Counts a user search and applies the [`UserChurn`](crate::UserChurn) changes due after it.
    pub(crate) fn churn_after_search(&self) {
        for change in self.changes.user_searched() {
            let (deleted, created) = self.write().apply_churn(&change);
            self.changes.record(deleted, created);
        }
    }

    fn rng(&self) -> std::sync::MutexGuard<'_, ChaCha8Rng> {
        self.rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn delay(&self) -> Duration {
        if self.jitter.is_zero() {
            return self.latency;
        }
        let f: f64 = self.rng().random();
        self.latency + self.jitter.mul_f64(f)
    }

    fn draw_fault(&self) -> Option<Fault> {
        if !self.faults.any() {
            return None;
        }
        let mut rng = self.rng();
        let x: f64 = rng.random();
        let f = &self.faults;
        let mut edge = f.server_error;
        if x < edge {
            return Some(Fault::ServerError {
                unavailable: rng.random_bool(0.5),
            });
        }
        for (p, fault) in [
            (f.rate_limit, Fault::RateLimit),
            (f.drop_connection, Fault::Drop),
            (f.truncate_body, Fault::Truncate),
        ] {
            edge += p;
            if x < edge {
                return Some(fault);
            }
        }
        None
    }
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    ServerError { unavailable: bool },
    RateLimit,
    Drop,
    Truncate,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/mgmt/user/search", post(users::search))
        .route("/v2/mgmt/user/search", post(users::search))
        .route("/v1/mgmt/user/search/test", post(users::search_test))
        .route("/v2/mgmt/user/search/test", post(users::search_test))
        .route("/v1/mgmt/user", get(users::load))
        .route("/v1/mgmt/users/load", post(users::load_many))
        .route("/v1/mgmt/user/create", post(users::create))
        .route("/v1/mgmt/user/create/test", post(users::create_test))
        .route("/v1/mgmt/user/update", post(users::update))
        .route("/v1/mgmt/user/patch", patch(users::patch))
        .route("/v1/mgmt/user/delete", post(users::delete))
        .route("/v1/mgmt/user/update/status", post(users::update_status))
        .route("/v1/mgmt/user/update/role/add", post(users::role_add_v1))
        .route("/v2/mgmt/user/update/role/add", post(users::role_add_v2))
        .route("/v1/mgmt/user/update/role/remove", post(users::role_remove))
        .route("/v1/mgmt/user/update/role/set", post(users::role_set))
        .route("/v1/mgmt/user/update/tenant/add", post(users::tenant_add))
        .route(
            "/v1/mgmt/user/update/tenant/remove",
            post(users::tenant_remove),
        )
        .route("/v1/mgmt/tenant/all", get(catalog::tenants_all))
        .route("/v1/mgmt/tenant", get(catalog::tenant_load))
        .route("/v1/mgmt/tenant/create", post(catalog::tenant_create))
        .route("/v1/mgmt/tenant/update", post(catalog::tenant_update))
        .route("/v1/mgmt/tenant/search", post(catalog::tenant_search))
        .route("/v1/mgmt/tenant/delete", post(catalog::tenant_delete))
        .route("/v1/mgmt/role/all", get(catalog::roles_all))
        .route("/v1/mgmt/role/create", post(catalog::role_create))
        .route("/v1/mgmt/role/update", post(catalog::role_update))
        .route("/v1/mgmt/role/search", post(catalog::role_search))
        .route("/v1/mgmt/role/delete", post(catalog::role_delete))
        .route("/v1/mgmt/permission/all", get(catalog::permissions_all))
        .route(
            "/v1/mgmt/permission/create",
            post(catalog::permission_create),
        )
        .route(
            "/v1/mgmt/permission/update",
            post(catalog::permission_update),
        )
        .route(
            "/v1/mgmt/permission/delete",
            post(catalog::permission_delete),
        )
        .route("/v1/mgmt/license", get(catalog::license))
        .route("/v1/mgmt/group/all", post(catalog::groups_all))
        .route(
            "/v1/mgmt/group/member/all",
            post(catalog::groups_for_members),
        )
        .route("/v1/mgmt/group/members", post(catalog::group_members))
        .merge(access_keys::routes())
        .merge(sso_apps::routes())
        .merge(activity::routes())
        .merge(audit::routes())
        .merge(lifecycle::routes())
        .merge(grants::routes())
        .merge(key_auth::routes())
        .merge(user_mfa::routes())
        .merge(scim::routes())
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

async fn fallback(req: Request) -> Response {
    ApiError::no_route(req.method().as_str(), req.uri().path()).into_response()
}

/// The largest body the request log buffers (axum's default body limit, which the handlers'
/// extractors apply anyway).
const MAX_LOGGED_BODY: usize = 2 * 1024 * 1024;

/// Request log → counters → latency → auth → rate limit → faults → handler.
async fn gate(AxState(app): AxState<Arc<Shared>>, req: Request, next: Next) -> Response {
    let mut req = if app.request_log.enabled() {
        match record(&app.request_log, req).await {
            Ok(req) => req,
            Err(e) => return e.into_response(),
        }
    } else {
        req
    };
    let path = req.uri().path().to_owned();
    app.counters.request(req.method().as_str(), &path);

    let delay = app.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    // SCIM takes a tenant's access key instead of the management key.
    let scim = path.starts_with("/scim/");
    if scim {
        match scim::authenticate(&app, req.headers()) {
            Ok(caller) => {
                req.extensions_mut().insert(caller);
            }
            Err(e) => {
                if e.status == axum::http::StatusCode::UNAUTHORIZED {
                    app.counters.unauthorized();
                }
                return scim_view::ScimError::from(e).into_response();
            }
        }
    }
    // The access key exchange authenticates the key in the header itself (`key_auth.rs`).
    let authorized = scim
        || path == key_auth::PATH
        || req
            .headers()
            .get(header::AUTHORIZATION)
            .is_some_and(|v| v.as_bytes() == app.expected_auth.as_bytes());
    if !authorized {
        app.counters.unauthorized();
        return ApiError::unauthorized(
            "Authorization must be 'Bearer <ProjectID>:<ManagementKey>' with this project's key",
        )
        .into_response();
    }

    if let Some(Err(wait)) = Class::of(&path).map(|class| app.limiter.check(class)) {
        app.counters.rate_limited();
        return ApiError::rate_limited(retry_after_secs(wait)).into_response();
    }

    match app.draw_fault() {
        None => next.run(req).await,
        Some(fault) => {
            app.counters.fault();
            match fault {
                Fault::ServerError { unavailable } => {
                    ApiError::server_error(unavailable).into_response()
                }
                Fault::RateLimit => {
                    app.counters.rate_limited();
                    ApiError::rate_limited(1).into_response()
                }
                Fault::Drop => dropped_connection(),
                Fault::Truncate => truncated(next.run(req).await).await,
            }
        }
    }
}

/// Logs the request (method, path, query, body; no headers) and rebuilds it around the
/// buffered body. Runs first, so requests later refused (401, 429, faults) are logged too.
async fn record(log: &RequestLog, req: Request) -> Result<Request, ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_LOGGED_BODY)
        .await
        .map_err(|e| {
            ApiError::invalid_request(format!(
                "the request body could not be read (at most {MAX_LOGGED_BODY} bytes): {e}"
            ))
        })?;
    log.push(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        body: RecordedBody::from_bytes(&bytes),
    });
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A response whose body fails before its first byte: hyper then closes the connection
/// without flushing the head, so the client sees the connection drop.
fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected fault: connection dropped"))
    });
    Response::new(Body::from_stream(stream))
}

/// The real response with its body cut in half, streamed (no `Content-Length`) so the
/// client only notices when it decodes the JSON.
async fn truncated(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    let stream = futures::stream::once(async move { Ok::<_, Infallible>(half) });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A JSON 200 response.
pub(crate) fn json<T: Serialize + ?Sized>(v: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(v).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// The `{}` Descope answers mutations without a payload with.
pub(crate) fn empty() -> Result<Response, ApiError> {
    json(&serde_json::Map::new())
}
