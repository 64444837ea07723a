//! An in-memory fake connector (feature `test-util`) for testing engines and stores without
//! HTTP: configurable pages, child resources, faults, delays, and counters that show how many
//! calls were in flight at once. It can also create accounts, delete resources, enable and
//! disable resources through actions, and serve an event feed (see [`FakeConnectorBuilder`]).

mod fakes;

pub use fakes::FAKE_FEED_ID;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use crate::connector::{
    AccountManager, ActionProvider, Connector, EventProvider, Provisioner, ResourceDeleter,
    ResourceSyncer,
};
use crate::error::{Code, Error};
use crate::model::{
    Annotations, ConnectorMetadata, Entitlement, Event, Grant, GrantAlreadyExists,
    GrantAlreadyRevoked, Resource, ResourceId, ResourceType,
};
use crate::page::Page;
use crate::session::{SessionStore, SyncSession};
use futures::TryStreamExt;

/// Which fake call a [`Fault`] hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FakeOp {
    /// `validate`.
    Validate,
    /// `list`.
    List,
    /// `entitlements`.
    Entitlements,
    /// `grants`.
    Grants,
    /// `grant` / `revoke`.
    Provision,
    /// `create_account`.
    CreateAccount,
    /// `delete`.
    Delete,
    /// `invoke_action` / `action_status`.
    Action,
    /// `list_events`.
    Events,
    /// `get` (a targeted sync's [`ResourceGetter`](crate::connector::ResourceGetter)).
    Get,
}

/// An injected failure: the next `times` matching calls fail with `code`.
#[derive(Debug, Clone)]
pub struct Fault {
    op: FakeOp,
    resource_type: Option<String>,
    code: Code,
    times: u32,
    retry_after: Option<Duration>,
    retryable: Option<bool>,
    shared_state: bool,
}

impl Fault {
    /// Fails the next call of `op` (any type) with `code`.
    pub fn new(op: FakeOp, code: Code) -> Self {
        Self {
            op,
            resource_type: None,
            code,
            times: 1,
            retry_after: None,
            retryable: None,
            shared_state: false,
        }
    }

    /// Fails this many calls.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    /// Only calls for this resource type.
    #[must_use]
    pub fn for_type(mut self, resource_type: impl Into<String>) -> Self {
        self.resource_type = Some(resource_type.into());
        self
    }

    /// Attaches a retry-after delay to the error.
    #[must_use]
    pub fn retry_after(mut self, d: Duration) -> Self {
        self.retry_after = Some(d);
        self
    }

    /// Marks the error retryable or not, overriding its code (see [`Error::with_retryable`]).
    #[must_use]
    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = Some(retryable);
        self
    }

    /// Marks the error as a failure of the connector's shared state, not of the resource the
    /// call was about (see [`Error::in_shared_state`]).
    #[must_use]
    pub fn in_shared_state(mut self) -> Self {
        self.shared_state = true;
        self
    }
}

#[derive(Debug, Default)]
struct State {
    types: Vec<ResourceType>,
    resources: Mutex<Vec<Resource>>,
    entitlements: Vec<Entitlement>,
    grants: Mutex<Vec<Grant>>,
    page_size: usize,
    delay: Duration,
    faults: Mutex<Vec<Fault>>,
    stuck_token: Vec<String>,
    provisioning: bool,
    session_pages: bool,
    targeted_get: bool,
    session: Mutex<Option<SessionStore>>,
    begins: Mutex<Vec<SessionSeen>>,
    account_types: Vec<String>,
    delete_types: Vec<String>,
    action_types: Vec<String>,
    pending_actions: bool,
    actions: Mutex<fakes::Actions>,
    event_feed: bool,
    events: Mutex<Vec<Event>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    calls: AtomicU64,
    log: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide the state from the others.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    fn fault(&self, op: FakeOp, resource_type: &str) -> Option<Error> {
        let mut faults = lock(&self.faults);
        let f = faults.iter_mut().find(|f| {
            f.op == op
                && f.times > 0
                && f.resource_type
                    .as_deref()
                    .is_none_or(|t| t == resource_type)
        })?;
        f.times -= 1;
        let mut e = Error::new(f.code, format!("injected {:?} fault", f.op));
        if let Some(d) = f.retry_after {
            e = e.with_retry_after(d);
        }
        if let Some(r) = f.retryable {
            e = e.with_retryable(r);
        }
        if f.shared_state {
            e = e.in_shared_state();
        }
        Some(e)
    }

    async fn enter(
        &self,
        op: FakeOp,
        resource_type: &str,
        what: String,
    ) -> Result<Guard<'_>, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        lock(&self.log).push(what);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let guard = Guard(&self.in_flight);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        match self.fault(op, resource_type) {
            Some(e) => Err(e),
            None => Ok(guard),
        }
    }
}

struct Guard<'a>(&'a AtomicUsize);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn page<T: Clone>(all: Vec<T>, token: Option<&str>, size: usize) -> Result<Page<T>, Error> {
    let start: usize = match token {
        None | Some("") => 0,
        Some(t) => t
            .parse()
            .map_err(|_| Error::invalid_argument(format!("bad page token {t:?}")))?,
    };
    let size = size.max(1);
    let end = (start + size).min(all.len());
    let items = all.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    Ok(if end < all.len() {
        Page::next(items, end.to_string())
    } else {
        Page::last(items)
    })
}

/// Builds a [`FakeConnector`].
#[derive(Debug, Default)]
pub struct FakeConnectorBuilder {
    state: State,
}

impl FakeConnectorBuilder {
    /// Adds a resource type (one syncer each).
    #[must_use]
    pub fn resource_type(mut self, rt: ResourceType) -> Self {
        self.state.types.push(rt);
        self
    }

    /// Adds a resource. One with a parent is listed only under that parent.
    #[must_use]
    pub fn resource(self, r: Resource) -> Self {
        lock(&self.state.resources).push(r);
        self
    }

    /// Adds resources.
    #[must_use]
    pub fn resources(self, rs: impl IntoIterator<Item = Resource>) -> Self {
        lock(&self.state.resources).extend(rs);
        self
    }

    /// Adds an entitlement (listed for its resource).
    #[must_use]
    pub fn entitlement(mut self, e: Entitlement) -> Self {
        self.state.entitlements.push(e);
        self
    }

    /// Adds a grant (listed for its entitlement's resource).
    #[must_use]
    pub fn grant(self, g: Grant) -> Self {
        lock(&self.state.grants).push(g);
        self
    }

    /// Adds grants.
    #[must_use]
    pub fn grants(self, gs: impl IntoIterator<Item = Grant>) -> Self {
        lock(&self.state.grants).extend(gs);
        self
    }

    /// Items per page (default 2, so pagination is always exercised).
    #[must_use]
    pub fn page_size(mut self, n: usize) -> Self {
        self.state.page_size = n;
        self
    }

    /// Each call waits this long (use with paused tokio time).
    #[must_use]
    pub fn delay(mut self, d: Duration) -> Self {
        self.state.delay = d;
        self
    }

    /// Injects a fault.
    #[must_use]
    pub fn fault(self, f: Fault) -> Self {
        lock(&self.state.faults).push(f);
        self
    }

    /// Makes `list` of this type return its request token as the next token (a connector bug).
    #[must_use]
    pub fn stuck_token(mut self, resource_type: impl Into<String>) -> Self {
        self.state.stuck_token.push(resource_type.into());
        self
    }

    /// Gives every syncer a provisioner that records grants and revokes.
    #[must_use]
    pub fn provisioning(mut self, on: bool) -> Self {
        self.state.provisioning = on;
        self
    }

    /// Gives every syncer a [`ResourceGetter`](crate::connector::ResourceGetter) that answers
    /// the resource it holds with that id (and parent, when one is asked for), `NotFound`
    /// otherwise: targeted syncs.
    #[must_use]
    pub fn targeted_get(mut self, on: bool) -> Self {
        self.state.targeted_get = on;
        self
    }

    /// Makes every listing call write one session record for its page before returning it
    /// (key `page/<op>/<what>/<token>`, value the page's ids, one per line: resource keys,
    /// entitlement ids, grant ids), and every `begin_sync` record what its session held (see
    /// [`FakeConnector::sessions_seen`]).
    #[must_use]
    pub fn session_pages(mut self, on: bool) -> Self {
        self.state.session_pages = on;
        self
    }

    /// Gives the syncer of `resource_type` an account manager: accounts are created in memory
    /// with the login as id (and a user trait when the type has `Trait::User`), and listed by
    /// later syncs. Supports no password, random password (returned as a credential) and SSO.
    #[must_use]
    pub fn accounts(mut self, resource_type: impl Into<String>) -> Self {
        self.state.account_types.push(resource_type.into());
        self
    }

    /// Gives the syncer of `resource_type` a deleter: the resource and the grants naming it go;
    /// deleting a missing resource answers `ResourceDoesNotExist`.
    #[must_use]
    pub fn deletion(mut self, resource_type: impl Into<String>) -> Self {
        self.state.delete_types.push(resource_type.into());
        self
    }

    /// Gives the syncer of `resource_type` the actions `enable` and `disable`, which set a
    /// resource's status; their argument is `resource_id`.
    #[must_use]
    pub fn enable_disable_actions(mut self, resource_type: impl Into<String>) -> Self {
        self.state.action_types.push(resource_type.into());
        self
    }

    /// Actions answer `PENDING` and take effect when their status is first asked for.
    #[must_use]
    pub fn pending_actions(mut self, on: bool) -> Self {
        self.state.pending_actions = on;
        self
    }

    /// Serves an event feed ([`FAKE_FEED_ID`]) over these events, which must be in
    /// chronological order. More can be appended later with [`FakeConnector::push_event`].
    #[must_use]
    pub fn events(mut self, events: impl IntoIterator<Item = Event>) -> Self {
        self.state.event_feed = true;
        lock(&self.state.events).extend(events);
        self
    }

    /// Builds the connector.
    pub fn build(mut self) -> FakeConnector {
        if self.state.page_size == 0 {
            self.state.page_size = 2;
        }
        FakeConnector {
            state: Arc::new(self.state),
        }
    }
}

/// An in-memory connector. Cheap to clone; clones share state and counters.
///
/// ```
/// use c1_connector_sdk::model::{Resource, ResourceType};
/// use c1_connector_sdk::testing::FakeConnector;
/// let fake = FakeConnector::builder()
///     .resource_type(ResourceType::new("team", "Team"))
///     .resource(Resource::new("team", "t1", "Team 1"))
///     .build();
/// assert_eq!(fake.calls(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct FakeConnector {
    state: Arc<State>,
}

impl FakeConnector {
    /// A builder.
    pub fn builder() -> FakeConnectorBuilder {
        FakeConnectorBuilder::default()
    }

    /// The most calls that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Calls made so far.
    pub fn calls(&self) -> u64 {
        self.state.calls.load(Ordering::Relaxed)
    }

    /// Every call, described as `"<op> <type> ..."`, in order.
    pub fn call_log(&self) -> Vec<String> {
        lock(&self.state.log).clone()
    }

    /// What each [`Connector::begin_sync`] saw, in call order (recorded with
    /// [`FakeConnectorBuilder::session_pages`]).
    pub fn sessions_seen(&self) -> Vec<SessionSeen> {
        lock(&self.state.begins).clone()
    }

    /// The grants the fake currently holds (changed by provisioning and deletion).
    pub fn current_grants(&self) -> Vec<Grant> {
        lock(&self.state.grants).clone()
    }

    /// The resources the fake currently holds (changed by account creation, deletion and
    /// actions).
    pub fn current_resources(&self) -> Vec<Resource> {
        lock(&self.state.resources).clone()
    }

    /// Appends an event to the feed (served only if the builder called
    /// [`FakeConnectorBuilder::events`], possibly with no events).
    pub fn push_event(&self, event: Event) {
        lock(&self.state.events).push(event);
    }
}

#[async_trait]
impl Connector for FakeConnector {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("Fake", "In-memory test connector"))
    }

    async fn validate(&self) -> Result<Annotations, Error> {
        let _g = self
            .state
            .enter(FakeOp::Validate, "", "validate".into())
            .await?;
        Ok(Annotations::new())
    }

    async fn begin_sync(
        &self,
        session: SyncSession,
    ) -> Result<Vec<Arc<dyn ResourceSyncer>>, Error> {
        if self.state.session_pages {
            // The connector's own entries: the engine keeps its records (the source, the first
            // start) under `c1-connector-sdk/`.
            let entries: Vec<(String, Vec<u8>)> = session
                .store()
                .scan("")
                .try_filter(|(k, _)| std::future::ready(!k.starts_with("c1-connector-sdk/")))
                .try_collect()
                .await?;
            lock(&self.state.begins).push(SessionSeen {
                sync_id: session.sync_id().to_owned(),
                resumed: session.is_resumed(),
                durable: session.store().is_durable(),
                entries,
            });
            *lock(&self.state.session) = Some(session.store().clone());
        }
        Ok(self.syncers())
    }

    fn event_provider(&self) -> Option<&dyn EventProvider> {
        self.state.event_feed.then_some(self as &dyn EventProvider)
    }

    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        self.state
            .types
            .iter()
            .map(|rt| {
                Arc::new(FakeSyncer {
                    state: self.state.clone(),
                    resource_type: rt.clone(),
                }) as Arc<dyn ResourceSyncer>
            })
            .collect()
    }
}

struct FakeSyncer {
    state: Arc<State>,
    resource_type: ResourceType,
}

/// What one `begin_sync` of a [`FakeConnector`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSeen {
    /// The sync's id.
    pub sync_id: String,
    /// Whether the sync was resumed.
    pub resumed: bool,
    /// Whether the session was durable.
    pub durable: bool,
    /// Every entry of the connector's at the start, in key order (the engine's records under
    /// `c1-connector-sdk/` left out).
    pub entries: Vec<(String, Vec<u8>)>,
}

impl State {
    /// Writes the session record of one page (with `session_pages`).
    async fn record_page(
        &self,
        what: String,
        token: Option<&str>,
        ids: impl Iterator<Item = String>,
    ) -> Result<(), Error> {
        if !self.session_pages {
            return Ok(());
        }
        let Some(session) = lock(&self.session).clone() else {
            return Ok(());
        };
        let value = ids.collect::<Vec<_>>().join("\n").into_bytes();
        session
            .put(format!("page/{what}/{}", token.unwrap_or("-")), value)
            .await
    }
}

fn key(id: Option<&ResourceId>) -> String {
    id.map(crate::ids::resource_key)
        .unwrap_or_else(|| "-".into())
}

#[async_trait]
impl ResourceSyncer for FakeSyncer {
    fn resource_type(&self) -> ResourceType {
        self.resource_type.clone()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        token: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(
                FakeOp::List,
                t,
                format!("list {t} {} {token:?}", key(parent)),
            )
            .await?;
        let all: Vec<Resource> = lock(&self.state.resources)
            .iter()
            .filter(|r| r.id.as_ref().is_some_and(|id| &id.resource_type == t))
            .filter(|r| r.parent_resource_id.as_ref() == parent)
            .cloned()
            .collect();
        let mut p = page(all, token, self.state.page_size)?;
        if self.state.stuck_token.contains(t) {
            p.next_token = Some(token.unwrap_or("0").to_owned());
        }
        self.state
            .record_page(
                format!("list/{t}/{}", key(parent)),
                token,
                p.items.iter().map(|r| key(r.id.as_ref())),
            )
            .await?;
        Ok(p)
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        token: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(
                FakeOp::Entitlements,
                t,
                format!("entitlements {} {token:?}", key(resource.id.as_ref())),
            )
            .await?;
        let all = self
            .state
            .entitlements
            .iter()
            .filter(|e| e.resource.as_ref().map(|r| &r.id) == Some(&resource.id))
            .cloned()
            .collect();
        let p = page(all, token, self.state.page_size)?;
        self.state
            .record_page(
                format!("entitlements/{}", key(resource.id.as_ref())),
                token,
                p.items.iter().map(|e| e.id.clone()),
            )
            .await?;
        Ok(p)
    }

    async fn grants(&self, resource: &Resource, token: Option<&str>) -> Result<Page<Grant>, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(
                FakeOp::Grants,
                t,
                format!("grants {} {token:?}", key(resource.id.as_ref())),
            )
            .await?;
        let all = lock(&self.state.grants)
            .iter()
            .filter(|g| {
                g.entitlement
                    .as_ref()
                    .and_then(|e| e.resource.as_ref())
                    .map(|r| &r.id)
                    == Some(&resource.id)
            })
            .cloned()
            .collect::<Vec<_>>();
        let p = page(all, token, self.state.page_size)?;
        self.state
            .record_page(
                format!("grants/{}", key(resource.id.as_ref())),
                token,
                p.items.iter().map(|g| g.id.clone()),
            )
            .await?;
        Ok(p)
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        self.state.provisioning.then_some(self as &dyn Provisioner)
    }

    fn resource_getter(&self) -> Option<&dyn crate::connector::ResourceGetter> {
        self.state
            .targeted_get
            .then_some(self as &dyn crate::connector::ResourceGetter)
    }

    fn account_manager(&self) -> Option<&dyn AccountManager> {
        self.state
            .account_types
            .contains(&self.resource_type.id)
            .then_some(self as &dyn AccountManager)
    }

    fn resource_deleter(&self) -> Option<&dyn ResourceDeleter> {
        self.state
            .delete_types
            .contains(&self.resource_type.id)
            .then_some(self as &dyn ResourceDeleter)
    }

    fn action_provider(&self) -> Option<&dyn ActionProvider> {
        self.state
            .action_types
            .contains(&self.resource_type.id)
            .then_some(self as &dyn ActionProvider)
    }
}

#[async_trait]
impl Provisioner for FakeSyncer {
    async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<Annotations, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(
                FakeOp::Provision,
                t,
                format!("grant {} {}", entitlement.id, key(principal.id.as_ref())),
            )
            .await?;
        let g = Grant::new(entitlement, principal);
        let mut grants = lock(&self.state.grants);
        if grants.iter().any(|x| x.id == g.id) {
            return Ok(Annotations::with(&GrantAlreadyExists {}));
        }
        grants.push(g);
        Ok(Annotations::new())
    }

    async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(FakeOp::Provision, t, format!("revoke {}", grant.id))
            .await?;
        let mut grants = lock(&self.state.grants);
        let before = grants.len();
        grants.retain(|x| x.id != grant.id);
        if grants.len() == before {
            return Ok(Annotations::with(&GrantAlreadyRevoked {}));
        }
        Ok(Annotations::new())
    }
}

/// Counts of a [`FakeConnector`]'s data, by resource type, for assertions.
pub fn count_by_type(resources: &[Resource]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in resources {
        *m.entry(r.resource_id().resource_type).or_default() += 1;
    }
    m
}
