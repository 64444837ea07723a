//! [`FakeConductorOne`] (feature `test-util`): a local ConductorOne for end-to-end tests of
//! service mode, written from baton-sdk's protocol, not from this crate's client.
//!
//! One TLS port on 127.0.0.1, with a certificate from a throwaway CA, serves the token endpoint
//! (verifying every client assertion: signature, header, claims; handing out tokens with
//! scripted lifetimes and refusing expired ones) and `BatonService` (checking the bearer token,
//! the user agent and `host_id`, handing out a scripted task queue, recording every request), and
//! injects ConductorOne's transient faults on request: token requests that fail, odd
//! `expires_in` values, tokens revoked early, an outage of the whole server (at will or as a
//! FinishTask arrives), uploads that break or stall, heartbeats that fail or cancel.
//! [`FakeConductorOne::service_config`] points a [`ServiceConfig`] at it with
//! [`ServiceConfig::api_host`] and [`ServiceConfig::extra_ca_file`], so tests never touch the
//! process environment.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use c1_connector_runner::service::{self, testing::{FakeConductorOne, tasks}};
//! use c1_connector_sdk::testing::FakeConnector;
//! use tokio_util::sync::CancellationToken;
//!
//! let c1 = FakeConductorOne::start().await?;
//! c1.push_task(tasks::hello(&tasks::task_id(1)));
//! let shutdown = CancellationToken::new();
//! let run = tokio::spawn(service::run(
//!     Arc::new(FakeConnector::builder().build()),
//!     c1.service_config(),
//!     shutdown.clone(),
//! ));
//! c1.wait_until(Duration::from_secs(10), |r| r.hellos().len() == 2).await?;
//! shutdown.cancel();
//! run.await??;
//! # Ok(()) }
//! ```

mod faults;
pub mod fixtures;
mod server;
pub mod tasks;
mod token;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ed25519_dalek::{SigningKey, VerifyingKey};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use secrecy::SecretString;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::ServiceConfig;
use super::credentials::client_secret_from_seed;
use super::proto::{FinishTaskRequest, GetTaskRequest, HeartbeatRequest, HelloRequest, Task};
use super::timings::Timings;

/// Something the fake received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Recorded {
    /// A valid token request, answered with a token of this lifetime.
    TokenIssued {
        /// The lifetime handed out, in seconds.
        expires_in: u64,
        /// The request's user agent.
        user_agent: String,
    },
    /// A token request the fake found invalid (the reason).
    TokenRejected(String),
    /// A valid token request refused on purpose with this HTTP status.
    TokenRefused(u16),
    /// A gRPC call refused for its credentials or user agent.
    RpcRejected {
        /// The method path.
        method: String,
        /// The code answered.
        code: Code,
        /// The message answered.
        message: String,
    },
    /// Hello.
    Hello(Box<HelloRequest>),
    /// GetTask.
    GetTask(GetTaskRequest),
    /// Heartbeat.
    Heartbeat(HeartbeatRequest),
    /// FinishTask.
    FinishTask(Box<FinishTaskRequest>),
    /// An UploadAsset stream, complete or not.
    Upload(UploadRecord),
}

/// One UploadAsset stream as received.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct UploadRecord {
    /// The task id of its metadata.
    pub task_id: String,
    /// The bytes received.
    pub data: Vec<u8>,
    /// The size of each data message.
    pub chunk_sizes: Vec<usize>,
    /// The checksum of its end message (when it came and matched).
    pub sha256: Vec<u8>,
    /// Whether it ended with a matching checksum.
    pub complete: bool,
    /// Why the fake failed it, if it did.
    pub error: Option<String>,
}

/// Everything the fake received, in order, with helpers to pick kinds out.
#[derive(Debug, Clone, Default)]
pub struct Records(pub Vec<(Instant, Recorded)>);

impl Records {
    /// Hello requests.
    pub fn hellos(&self) -> Vec<HelloRequest> {
        self.0
            .iter()
            .filter_map(|(_, r)| match r {
                Recorded::Hello(h) => Some((**h).clone()),
                _ => None,
            })
            .collect()
    }

    /// FinishTask requests.
    pub fn finished(&self) -> Vec<FinishTaskRequest> {
        self.0
            .iter()
            .filter_map(|(_, r)| match r {
                Recorded::FinishTask(f) => Some((**f).clone()),
                _ => None,
            })
            .collect()
    }

    /// FinishTask requests for one task.
    pub fn finished_for(&self, task_id: &str) -> Vec<FinishTaskRequest> {
        self.finished()
            .into_iter()
            .filter(|f| f.task_id == task_id)
            .collect()
    }

    /// Upload streams.
    pub fn uploads(&self) -> Vec<UploadRecord> {
        self.0
            .iter()
            .filter_map(|(_, r)| match r {
                Recorded::Upload(u) => Some(u.clone()),
                _ => None,
            })
            .collect()
    }

    /// Heartbeats for one task.
    pub fn heartbeats_for(&self, task_id: &str) -> usize {
        self.0
            .iter()
            .filter(|(_, r)| matches!(r, Recorded::Heartbeat(h) if h.task_id == task_id))
            .count()
    }

    /// GetTask calls, with when they arrived.
    pub fn get_tasks(&self) -> Vec<Instant> {
        self.0
            .iter()
            .filter(|(_, r)| matches!(r, Recorded::GetTask(_)))
            .map(|(t, _)| *t)
            .collect()
    }

    /// Tokens handed out.
    pub fn tokens_issued(&self) -> usize {
        self.0
            .iter()
            .filter(|(_, r)| matches!(r, Recorded::TokenIssued { .. }))
            .count()
    }

    /// Token requests the fake found invalid, and gRPC calls it refused, as text.
    pub fn rejections(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|(_, r)| match r {
                Recorded::TokenRejected(why) => Some(format!("token: {why}")),
                Recorded::RpcRejected {
                    method,
                    code,
                    message,
                } => Some(format!("{method}: {code:?}: {message}")),
                _ => None,
            })
            .collect()
    }
}

struct State {
    records: Records,
    queue: VecDeque<Task>,
    next_poll: Option<Duration>,
    next_heartbeat: Duration,
    default_token_lifetime: u64,
    token_lifetimes: VecDeque<u64>,
    refuse_tokens: Option<u16>,
    tokens: HashMap<String, Instant>,
    issued_tokens: Vec<String>,
    nonces: HashSet<String>,
    get_task_faults: VecDeque<Code>,
    upload_faults: u32,
    heartbeat_faults: u32,
    heartbeat_counts: HashMap<String, u32>,
    cancel_after: HashMap<String, u32>,
    faults: faults::Faults,
}

impl State {
    fn record(&mut self, r: Recorded) {
        self.records.0.push((Instant::now(), r));
    }
}

struct Inner {
    client_id: String,
    client_name: String,
    audience: String,
    public_key: VerifyingKey,
    host_id: Option<String>,
    state: Mutex<State>,
    notify: Notify,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A local ConductorOne. See the [module docs](self).
pub struct FakeConductorOne {
    inner: Arc<Inner>,
    address: SocketAddr,
    client_secret: SecretString,
    ca_file: PathBuf,
    _dir: tempfile::TempDir,
    stop: CancellationToken,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FakeConductorOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeConductorOne")
            .field("address", &self.address)
            .field("client_id", &self.inner.client_id)
            .finish_non_exhaustive()
    }
}

/// The host id [`FakeConductorOne::service_config`] sets and the fake requires.
pub const HOST_ID: &str = "fake-host-1";

/// The client id's host: the JWT audience. The fake itself listens on 127.0.0.1, reached
/// through [`ServiceConfig::api_host`], so the audience staying this host is checked.
pub const CLIENT_HOST: &str = "tenant.conductor.test";

impl FakeConductorOne {
    /// Starts a fake on 127.0.0.1 with a fresh CA and credentials.
    ///
    /// # Errors
    ///
    /// When the certificates cannot be made or the port not bound.
    pub async fn start() -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let seed: [u8; 32] = rand::random();
        let signing = SigningKey::from_bytes(&seed);
        let client_secret = client_secret_from_seed(&seed);
        let client_name = "fake-connector".to_owned();
        let client_id = format!("{client_name}@{CLIENT_HOST}:8443/pcc");

        let dir = tempfile::Builder::new().prefix("fake-c1-").tempdir()?;
        let (ca_pem, cert, key) = certificates()?;
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca_pem)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)?;
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let inner = Arc::new(Inner {
            client_id,
            client_name,
            audience: CLIENT_HOST.to_owned(),
            public_key: signing.verifying_key(),
            host_id: Some(HOST_ID.to_owned()),
            state: Mutex::new(State {
                records: Records::default(),
                queue: VecDeque::new(),
                next_poll: Some(Duration::from_millis(20)),
                next_heartbeat: Duration::from_millis(50),
                default_token_lifetime: 3600,
                token_lifetimes: VecDeque::new(),
                refuse_tokens: None,
                tokens: HashMap::new(),
                issued_tokens: Vec::new(),
                nonces: HashSet::new(),
                get_task_faults: VecDeque::new(),
                upload_faults: 0,
                heartbeat_faults: 0,
                heartbeat_counts: HashMap::new(),
                cancel_after: HashMap::new(),
                faults: faults::Faults::default(),
            }),
            notify: Notify::new(),
        });
        let stop = CancellationToken::new();
        let router = server::router(inner.clone());
        let stopped = stop.clone();
        let accepting = inner.clone();
        let server = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let (tcp, _) = tokio::select! {
                    () = stopped.cancelled() => break,
                    r = listener.accept() => match r {
                        Ok(c) => c,
                        Err(_) => continue,
                    },
                };
                // During an injected outage the connection is dropped at once.
                let Some(cut) = accepting.lock().faults.admit() else {
                    drop(tcp);
                    continue;
                };
                let acceptor = acceptor.clone();
                let service = TowerToHyperService::new(router.clone());
                connections.spawn(async move {
                    let serve = async {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let _ = auto::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(tls), service)
                            .await;
                    };
                    tokio::select! {
                        () = cut.cancelled() => {}
                        () = serve => {}
                    }
                });
                while connections.try_join_next().is_some() {}
            }
            connections.shutdown().await;
        });
        Ok(Self {
            inner,
            address,
            client_secret,
            ca_file,
            _dir: dir,
            stop,
            server,
        })
    }

    /// The client id (`fake-connector@tenant.conductor.test:8443/pcc`).
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The client secret, in ConductorOne's format.
    pub fn client_secret(&self) -> SecretString {
        self.client_secret.clone()
    }

    /// `127.0.0.1:<port>`: what `BATON_C1_API_HOST` would hold.
    pub fn api_host(&self) -> String {
        self.address.to_string()
    }

    /// The PEM file of the throwaway CA: what `SSL_CERT_FILE` would name.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// A configuration pointing at this fake, with short timings for tests (heartbeats from
    /// 10 ms, 10 ms poll floor, GetTask back-off unit 10 ms, Hello back-off from 10 ms,
    /// FinishTask and upload retries from 10 ms to 500 ms, 2 s grace at shutdown).
    pub fn service_config(&self) -> ServiceConfig {
        let timings = Timings {
            hello_backoff_initial: Duration::from_millis(10),
            min_poll: Duration::from_millis(10),
            get_task_error_unit: Duration::from_millis(10),
            heartbeat_min: Duration::from_millis(10),
            retry_initial: Duration::from_millis(10),
            retry_max: Duration::from_millis(500),
            finish_timeout: Duration::from_secs(10),
            rpc_timeout: Duration::from_secs(10),
            ..Timings::default()
        };
        ServiceConfig::new(self.client_id(), self.client_secret())
            .with_api_host(self.api_host())
            .with_extra_ca_file(self.ca_file())
            .with_host_id(HOST_ID)
            .with_shutdown_grace(Duration::from_secs(2))
            .with_timings(timings)
    }

    /// Queues a task for GetTask.
    pub fn push_task(&self, task: Task) {
        self.inner.lock().queue.push_back(task);
        self.inner.notify.notify_waiters();
    }

    /// The `next_poll` GetTask answers with (default 20 ms; `None` = absent).
    pub fn set_next_poll(&self, next_poll: Option<Duration>) {
        self.inner.lock().next_poll = next_poll;
    }

    /// The `next_heartbeat` Heartbeat answers with (default 50 ms).
    pub fn set_next_heartbeat(&self, next: Duration) {
        self.inner.lock().next_heartbeat = next;
    }

    /// Lifetimes (seconds) of the next tokens handed out, in order; later ones get
    /// `default_lifetime`.
    pub fn script_token_lifetimes(
        &self,
        lifetimes: impl IntoIterator<Item = u64>,
        default_lifetime: u64,
    ) {
        let mut state = self.inner.lock();
        state.token_lifetimes = lifetimes.into_iter().collect();
        state.default_token_lifetime = default_lifetime;
    }

    /// Refuses every (valid) token request with this HTTP status; `None` stops refusing.
    pub fn refuse_tokens(&self, status: Option<u16>) {
        self.inner.lock().refuse_tokens = status;
    }

    /// Fails the next GetTask calls with these codes, one each.
    pub fn fail_get_task(&self, codes: impl IntoIterator<Item = Code>) {
        self.inner.lock().get_task_faults.extend(codes);
    }

    /// Fails the next `n` uploads after their first data message.
    pub fn fail_uploads(&self, n: u32) {
        self.inner.lock().upload_faults = n;
    }

    /// Fails the next `n` heartbeats (never the first of a task).
    pub fn fail_heartbeats(&self, n: u32) {
        self.inner.lock().heartbeat_faults = n;
    }

    /// Answers `cancelled` from the `n`th heartbeat of `task_id` on (1 = the first).
    pub fn cancel_after_heartbeats(&self, task_id: &str, n: u32) {
        self.inner.lock().cancel_after.insert(task_id.to_owned(), n);
    }

    /// Tokens handed out so far (to search logs and files for them).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.inner.lock().issued_tokens.clone()
    }

    /// A copy of everything received so far.
    pub fn records(&self) -> Records {
        self.inner.lock().records.clone()
    }

    /// Waits until `done` holds for the records, or `timeout` passes.
    ///
    /// # Errors
    ///
    /// A message with the records when it timed out.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&Records) -> bool,
    ) -> Result<Records, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let records = self.records();
            if done(&records) {
                return Ok(records);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let records = self.records();
                if done(&records) {
                    return Ok(records);
                }
                return Err(format!(
                    "condition not met within {timeout:?}; received: {:#?}",
                    records
                        .0
                        .iter()
                        .map(|(_, r)| summary(r))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }

    /// Stops the server.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.server.await;
    }
}

fn summary(r: &Recorded) -> String {
    match r {
        Recorded::Upload(u) => format!(
            "Upload(task {}, {} bytes, complete {}, error {:?})",
            u.task_id,
            u.data.len(),
            u.complete,
            u.error
        ),
        Recorded::Hello(h) => format!("Hello(task {:?})", h.task_id),
        Recorded::FinishTask(f) => format!("FinishTask({} {:?})", f.task_id, f.status),
        other => format!("{other:?}"),
    }
}

type Certs = (String, CertificateDer<'static>, PrivateKeyDer<'static>);

/// A throwaway CA and a certificate for `localhost` / `127.0.0.1` signed by it.
fn certificates() -> Result<Certs, rcgen::Error> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        SanType,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "FakeConductorOne test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    leaf.distinguished_name
        .push(DnType::CommonName, "FakeConductorOne");
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    Ok((ca_cert.pem(), leaf_cert.der().clone(), key))
}
