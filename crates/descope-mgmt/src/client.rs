//! [`Client`]: the handle callers share, the licence handshake, and request plumbing.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use tower::ServiceExt;
use url::Url;

use crate::error::Error;
use crate::transport::{Auth, EndpointClass, HttpRequest, Method, Metrics, Transport};

/// The default base URL for project ids without a region.
pub const DEFAULT_BASE_URL: &str = "https://api.descope.com";
/// Default cap on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A typed async client for the Descope Management API.
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool, the rate limiter, the
/// concurrency limit and the metrics.
///
/// ```no_run
/// # async fn run() -> Result<(), descope_mgmt::Error> {
/// let client = descope_mgmt::Client::from_env()?;
/// let page = client.users().search(&descope_mgmt::SearchUsersRequest::new().limit(10)).await?;
/// println!("{} users in total", page.total);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    project_id: String,
    base_url: Url,
    transport: Transport,
    metrics: Arc<Metrics>,
    license_handshake: bool,
    /// The handshake's per-attempt timeout (ignored when timeouts are disabled).
    handshake_timeout: Duration,
    license: OnceCell<Option<Arc<str>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("project_id", &self.inner.project_id)
            .field("base_url", &self.inner.base_url.as_str())
            .finish_non_exhaustive()
    }
}

/// A snapshot of a client's counters (shared by all its clones).
///
/// ```no_run
/// # fn show(client: &descope_mgmt::Client) {
/// let m = client.metrics();
/// if let Some(left) = m.throttle_remaining {
///     eprintln!("waiting {} s for Descope's rate-limit window", left.as_secs());
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientMetrics {
    /// HTTP attempts sent (retries and the licence handshake included).
    pub requests: u64,
    /// Retries performed.
    pub retries: u64,
    /// 429 responses received.
    pub rate_limited: u64,
    /// Time spent waiting on the client-side rate limiter, summed over the requests that
    /// waited (waits that ended): 100 requests waiting the same minute count 100 minutes.
    pub throttle_wait: Duration,
    /// Wall-clock time during which at least one request waited on the client-side rate
    /// limiter (periods that ended): how much longer the caller's work took for the limits.
    pub throttle_wall: Duration,
    /// Requests waiting for the client-side rate limiter at the time of the snapshot.
    pub throttled_requests: u64,
    /// How long the longest of those waits still lasts; `None` when no request is waiting.
    pub throttle_remaining: Option<Duration>,
}

impl Client {
    pub(crate) fn from_parts(
        project_id: String,
        base_url: Url,
        transport: Transport,
        metrics: Arc<Metrics>,
        license_handshake: bool,
        handshake_timeout: Duration,
    ) -> Self {
        Client {
            inner: Arc::new(Inner {
                project_id,
                base_url,
                transport,
                metrics,
                license_handshake,
                handshake_timeout,
                license: OnceCell::new(),
            }),
        }
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// A snapshot of the counters.
    pub fn metrics(&self) -> ClientMetrics {
        let m = &self.inner.metrics;
        ClientMetrics {
            requests: m.requests.load(Ordering::Relaxed),
            retries: m.retries.load(Ordering::Relaxed),
            rate_limited: m.rate_limited.load(Ordering::Relaxed),
            throttle_wait: Duration::from_nanos(m.throttle_wait_nanos.load(Ordering::Relaxed)),
            throttle_wall: Duration::from_nanos(m.throttle_wall_nanos.load(Ordering::Relaxed)),
            throttled_requests: m.throttled_now.load(Ordering::Relaxed),
            throttle_remaining: m.throttle_remaining(),
        }
    }

    /// The rate-limit tier from the licence handshake (`tier1`..`tier4`), fetched on first use.
    /// `None` when the handshake is off or failed.
    pub async fn license_tier(&self) -> Option<String> {
        self.license().await.ok().flatten().map(|s| s.to_string())
    }

    /// The licence token, fetched once. The handshake is best-effort: any failure leaves the
    /// calls without the header (the SDKs behave the same), except a failure to *connect*,
    /// which the call that triggered it returns at once (it would fail the same way) and which
    /// is not remembered, so a later call tries the handshake again.
    async fn license(&self) -> Result<Option<Arc<str>>, Error> {
        if !self.inner.license_handshake {
            return Ok(None);
        }
        self.inner
            .license
            .get_or_try_init(|| async {
                // Sent straight to the stack (not through `execute`), so it carries no licence
                // header itself. A probe: only connection failures are retried (within the
                // connect budget), and each attempt has a short timeout.
                let mut call = Call::get("/v1/mgmt/license").into_request(Auth::Management, None);
                call.probe = Some(self.inner.handshake_timeout);
                let result = self.inner.transport.clone().oneshot(call).await;
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct License {
                    rate_limit_tier: String,
                }
                match result.and_then(|r| decode::<License>(&r.body)) {
                    // The tier is echoed in a header on every later call: only a short token
                    // (`tier1`..`tier4`) is, so a hostile answer cannot bloat or break requests.
                    Ok(l) if is_tier(&l.rate_limit_tier) => Ok(Some(Arc::from(l.rate_limit_tier))),
                    Ok(_) => Ok(None),
                    Err(e @ Error::Transport { connect: true, .. }) => Err(e),
                    Err(e) => {
                        tracing::debug!(error = %e, "licence handshake failed; continuing without it");
                        Ok(None)
                    }
                }
            })
            .await
            .cloned()
    }

    pub(crate) async fn execute(&self, call: Call, auth: Auth) -> Result<Vec<u8>, Error> {
        let license = match auth {
            Auth::Management => self.license().await?,
            Auth::Scim(_) => None,
        };
        let req = call.into_request(auth, license);
        Ok(self.inner.transport.clone().oneshot(req).await?.body)
    }

    /// Decodes a 2xx body, naming the base URL when the body was not JSON at all.
    pub(crate) fn decode<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, Error> {
        decode(body).map_err(|e| e.at_base_url(self.inner.base_url.as_str()))
    }

    /// Sends a management call and decodes the JSON response.
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let body = self.execute(call, Auth::Management).await?;
        self.decode(&body)
    }

    /// Sends a management call whose response body carries nothing of interest. The body must
    /// still be empty or JSON: a 2xx HTML page (a proxy's or a portal's) is not Descope
    /// confirming the change, and reporting success on it would be false.
    pub(crate) async fn call_unit(&self, call: Call) -> Result<(), Error> {
        let body = self.execute(call, Auth::Management).await?;
        self.confirm(&body)
    }

    /// Accepts a 2xx body that carries nothing of interest only when it is empty or JSON.
    pub(crate) fn confirm(&self, body: &[u8]) -> Result<(), Error> {
        if !body.iter().all(u8::is_ascii_whitespace) {
            self.decode::<serde::de::IgnoredAny>(body)?;
        }
        Ok(())
    }
}

/// A plausible `rateLimitTier`: 1-32 ASCII letters, digits, `-`, `_` or `.`.
fn is_tier(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Decodes straight from the bytes, once, naming the JSON path on failure.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    // serde's derived structs also accept a JSON array (fields by position), so `[]` would decode
    // as an empty page or an empty user. Every object-shaped response is refused at the root
    // when it is an array instead.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') && expects_object::<T>() {
        return Err(Error::Decode {
            path: ".".into(),
            message: "expected a JSON object, found an array".into(),
            issue: crate::error::DecodeIssue::Shape,
        });
    }
    // The plain decoder first: tracking the path of every value costs about as much as decoding
    // itself (a tenth of a sync's CPU time). It accepts exactly what the tracking one accepts,
    // so only a body that fails is decoded again, for the path the error names.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| Error::decode(e, body))?;
    de.end().map_err(|e| Error::Decode {
        path: ".".into(),
        message: format!("unexpected data after the JSON value ({e})"),
        issue: crate::error::DecodeIssue::NotJson,
    })?;
    Ok(value)
}

/// Whether `T` asks the deserializer for a struct or a map at its root (as opposed to a list, a
/// newtype around one, or "anything" for untagged enums), found by asking a probe deserializer
/// that only records the request.
fn expects_object<T: DeserializeOwned>() -> bool {
    use serde::de::{self, Visitor};

    #[derive(Debug)]
    struct Asked(bool);
    impl std::fmt::Display for Asked {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Asked {}
    impl de::Error for Asked {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Asked(false)
        }
    }
    struct Probe;
    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Asked;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked(false))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Asked> {
            Err(Asked(true))
        }
        fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked(true))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct enum identifier
            ignored_any
        }
    }
    matches!(T::deserialize(Probe), Err(Asked(true)))
}

/// A request under construction (IO-free).
#[derive(Debug)]
pub(crate) struct Call {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Bytes>,
    class: EndpointClass,
    idempotent: bool,
}

impl Call {
    fn new(method: Method, path: impl Into<String>) -> Self {
        Call {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            class: EndpointClass::Management,
            // Reads are always safe to repeat; writes opt in through `idempotent`.
            idempotent: method == Method::Get,
        }
    }

    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    pub(crate) fn delete(path: impl Into<String>) -> Self {
        let mut c = Self::new(Method::Delete, path);
        c.idempotent = true;
        c
    }

    fn with_body(
        method: Method,
        path: impl Into<String>,
        body: &impl Serialize,
    ) -> Result<Self, Error> {
        let mut c = Self::new(method, path);
        c.body = Some(Bytes::from(
            serde_json::to_vec(body).map_err(Error::Encode)?,
        ));
        Ok(c)
    }

    pub(crate) fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Self, Error> {
        Self::with_body(Method::Post, path, body)
    }

    pub(crate) fn put(path: impl Into<String>, body: &impl Serialize) -> Result<Self, Error> {
        Self::with_body(Method::Put, path, body)
    }

    pub(crate) fn patch(path: impl Into<String>, body: &impl Serialize) -> Result<Self, Error> {
        Self::with_body(Method::Patch, path, body)
    }

    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    pub(crate) fn queries(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    pub(crate) fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    pub(crate) fn class(mut self, class: EndpointClass) -> Self {
        self.class = class;
        self
    }

    fn into_request(self, auth: Auth, license: Option<Arc<str>>) -> HttpRequest {
        HttpRequest {
            method: self.method,
            path: self.path,
            query: self.query,
            body: self.body,
            class: self.class,
            idempotent: self.idempotent,
            auth,
            license,
            attempt: 1,
            probe: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, expects_object};
    use crate::Error;

    #[test]
    fn only_short_tokens_are_tiers() {
        assert!(super::is_tier("tier1"));
        for bad in ["", "tier 1", "tier1\r\nx-evil: 1", &"t".repeat(33), "tiér"] {
            assert!(!super::is_tier(bad), "{bad:?}");
        }
    }

    #[test]
    fn probe_tells_objects_from_lists() {
        assert!(expects_object::<crate::UserPage>());
        assert!(expects_object::<crate::User>());
        assert!(expects_object::<serde_json::Map<String, serde_json::Value>>());
        assert!(!expects_object::<Vec<crate::User>>());
        assert!(!expects_object::<crate::models::GroupList>());
        assert!(!expects_object::<crate::models::ResourceTypes>());
        assert!(!expects_object::<serde_json::Value>());
    }

    #[test]
    fn an_array_is_not_an_object_at_the_root() {
        for body in [&b"[]"[..], b" \n[{\"userId\":\"U1\"}]", b"[[], 5]"] {
            match decode::<crate::UserPage>(body) {
                Err(Error::Decode { path, message, .. }) => {
                    assert_eq!(path, ".");
                    assert!(message.contains("array"), "{message}");
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(decode::<crate::models::GroupList>(b"[]").is_ok());
        assert!(decode::<Vec<crate::Role>>(b"[{}]").is_ok());
    }
}
