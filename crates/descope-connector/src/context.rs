//! State shared by the syncers of one sync.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use std::collections::HashMap;

use c1_connector_sdk::error::Error;
use c1_connector_sdk::session::{SessionStore, SyncCounters};
use descope_mgmt::{
    AccessKey, Client, PageBoundary, PagerOptions, SearchUsersRequest, UserBatch, UserPager,
};
use tokio::sync::{Mutex, OnceCell, mpsc};
use tokio::task::JoinHandle;

use c1_connector_sdk::previous::PreviousSync;

use crate::catalog::Catalog;
use crate::error::from_descope;
use crate::index::AssignmentIndex;
use crate::{resume, session};

/// How users are paged: the client's [`UserPager`] does the paging (concurrent pages, lying
/// totals, capped page sizes, servers that honour only `page` or `offset`); this is what the
/// connector asks of it.
#[derive(Debug, Clone)]
pub(crate) struct PagerConfig {
    pub(crate) page_size: u32,
    pub(crate) max_parallel: usize,
    /// Users each page repeats of the page before (see
    /// [`DescopeConfig::with_user_page_overlap`](crate::config::DescopeConfig::with_user_page_overlap)):
    /// up to `overlap - 1` users deleted in front of a page between two requests cost nothing,
    /// more cost a request per shift. With Descope's page of 100 and the default 4, pages ask
    /// for 104 (no extra request when Descope honours it, 4.2% more when it caps pages at 100).
    pub(crate) overlap: u32,
    pub(crate) include_test_users: bool,
    /// Fetch each user's last sign-in (`user/history`) as the pages arrive.
    pub(crate) last_login: bool,
    /// Look up each user's outbound connections (`apps-with-user-token`) as the pages arrive.
    pub(crate) outbound_connections: bool,
}

impl PagerConfig {
    fn pager(&self, client: &Client) -> UserPager {
        self.pager_of(client, self.search())
    }

    /// The search every listing of this sync starts from: the same users a full listing sees.
    pub(crate) fn search(&self) -> SearchUsersRequest {
        let mut search = SearchUsersRequest::default();
        if self.include_test_users {
            search.with_test_user = Some(true);
        }
        search
    }

    /// A pager over `search` (a filtered [`PagerConfig::search`]), with the listing's guarantees.
    pub(crate) fn pager_of(&self, client: &Client, search: SearchUsersRequest) -> UserPager {
        let options = PagerOptions::default()
            .page_size(self.page_size)
            .max_in_flight(self.max_parallel)
            .overlap(self.overlap);
        client.users().pager(search, options)
    }
}

/// What the syncers of one sync share: the catalog (fetched once), the user pager, the
/// assignment index that the user syncer fills and the tenant and role syncers read, and the
/// sync's session, which keeps the index's records for a resumed sync (see [`crate::session`]).
#[derive(Debug)]
pub(crate) struct SyncContext {
    pub(crate) client: Client,
    /// Figures reported in the sync's stats.
    pub(crate) counters: SyncCounters,
    pub(crate) session: SessionStore,
    catalog: OnceCell<Arc<Catalog>>,
    /// Whether the sync covers access keys (when it does not, none are fetched).
    include_keys: bool,
    keys: OnceCell<Arc<Vec<AccessKey>>>,
    apps: OnceCell<Arc<Vec<descope_mgmt::SsoApplication>>>,
    index: RwLock<AssignmentIndex>,
    pager: UserPager,
    pub(crate) pager_config: PagerConfig,
    /// User ids per `user/history` request (halved when Descope refuses as many).
    pub(crate) history_chunk: std::sync::atomic::AtomicUsize,
    /// With `--sync-last-login`: the pages ahead, with their users' last sign-ins being fetched
    /// (see `user::last_login`).
    pub(crate) prefetch: Mutex<Option<Prefetch>>,
    /// With `--sync-outbound-connections`: who is connected to which outbound application.
    pub(crate) outbound: Connections,
    /// The user listing of this process started at the first page.
    listed_from_start: AtomicBool,
    /// The index holds every user: the listing ran from the first page to the last in this
    /// process, or the index was rebuilt.
    index_complete: AtomicBool,
    rebuild: Mutex<()>,
    /// The sync an incremental sync starts from (`None` for a full sync).
    previous: Option<Arc<dyn PreviousSync>>,
    /// Whether the sync covers SSO applications (a user naming a deleted one is read again).
    include_apps: bool,
}

impl SyncContext {
    pub(crate) fn new(
        client: Client,
        pager: PagerConfig,
        session: SessionStore,
        counters: SyncCounters,
        include_keys: bool,
    ) -> Self {
        SyncContext {
            counters,
            session,
            include_keys,
            keys: OnceCell::new(),
            apps: OnceCell::new(),
            pager: pager.pager(&client),
            pager_config: pager,
            client,
            catalog: OnceCell::new(),
            index: RwLock::new(AssignmentIndex::default()),
            history_chunk: std::sync::atomic::AtomicUsize::new(descope_mgmt::DEFAULT_HISTORY_CHUNK),
            prefetch: Mutex::new(None),
            outbound: Connections::default(),
            listed_from_start: AtomicBool::new(false),
            index_complete: AtomicBool::new(false),
            rebuild: Mutex::new(()),
            previous: None,
            include_apps: false,
        }
    }

    /// Makes the sync incremental from `previous` (see the `incremental` module); `include_apps`
    /// says whether it covers SSO applications.
    pub(crate) fn with_previous(
        mut self,
        previous: Option<Arc<dyn PreviousSync>>,
        include_apps: bool,
    ) -> Self {
        self.previous = previous;
        self.include_apps = include_apps;
        self
    }

    /// The sync an incremental sync starts from.
    pub(crate) fn previous(&self) -> Option<&Arc<dyn PreviousSync>> {
        self.previous.as_ref()
    }

    /// Whether the sync covers SSO applications.
    pub(crate) fn include_apps(&self) -> bool {
        self.include_apps
    }

    /// Every user the search `search` (a filtered [`PagerConfig::search`]) returns, paged with
    /// the full listing's guarantees, and the requests it took; `what` names the search in errors.
    pub(crate) async fn users_matching(
        &self,
        search: SearchUsersRequest,
        what: &str,
    ) -> Result<(Vec<descope_mgmt::User>, u64), Error> {
        let pager = self.pager_config.pager_of(&self.client, search);
        let mut users = Vec::new();
        let mut batch = pager.page(0).await.map_err(|e| from_descope(what, e))?;
        loop {
            users.append(&mut batch.users);
            let Some(next) = batch.next_offset else {
                break;
            };
            batch = pager.page(next).await.map_err(|e| from_descope(what, e))?;
        }
        Ok((users, pager.stats().await.requests))
    }

    /// Installs the complete index an incremental sync built.
    pub(crate) fn install_index(&self, index: AssignmentIndex) {
        *self.index_mut() = index;
        self.index_complete.store(true, Ordering::SeqCst);
    }

    /// The catalog, fetched on first use (one call each for tenants, roles and permissions),
    /// and pinned: a resumed sync refuses to continue when it changed (see [`crate::resume`]).
    ///
    /// Its errors, like every error of this shared state, are marked
    /// [`Error::in_shared_state`]: a `NotFound` here is not "this resource vanished", and the
    /// engine must fail the sync rather than skip every resource that reads the catalog.
    pub(crate) async fn catalog(&self) -> Result<Arc<Catalog>, Error> {
        self.catalog
            .get_or_try_init(|| async {
                let catalog = Catalog::load(&self.client).await?;
                let roles: Vec<&descope_mgmt::Role> = catalog
                    .project_roles
                    .iter()
                    .chain(catalog.tenant_roles.values().flatten())
                    .collect();
                resume::pin(&self.session, "tenants", &resume::digest(&catalog.tenants)).await?;
                resume::pin(&self.session, "roles", &resume::digest(&roles)).await?;
                resume::pin(
                    &self.session,
                    "permissions",
                    &resume::digest(&catalog.permissions),
                )
                .await?;
                Ok(Arc::new(catalog))
            })
            .await
            .cloned()
            .map_err(Error::in_shared_state)
    }

    /// The project's access keys, fetched once per sync (see [`crate::key_list`]); none when
    /// the sync does not cover the `access_key` type.
    pub(crate) async fn access_keys(&self) -> Result<Arc<Vec<AccessKey>>, Error> {
        if !self.include_keys {
            return Ok(Arc::default());
        }
        self.keys
            .get_or_try_init(|| async {
                let catalog = self.catalog().await?;
                crate::key_list::sync_keys(&self.client, &catalog, &self.session, &self.counters)
                    .await
                    .map(Arc::new)
            })
            .await
            .cloned()
            .map_err(Error::in_shared_state)
    }

    /// The project's SSO applications, fetched once per sync (`GET /v1/mgmt/sso/idp/apps/load`).
    pub(crate) async fn sso_apps(&self) -> Result<Arc<Vec<descope_mgmt::SsoApplication>>, Error> {
        self.apps
            .get_or_try_init(|| async {
                self.counters.add("SSO application requests", 1);
                let apps = self.client.sso_apps().all().await.map_err(|e| {
                    from_descope(
                        "loading the SSO applications (to sync without them, leave 'app' out of --sync-resource-types)",
                        e,
                    )
                })?;
                let mut seen = std::collections::BTreeSet::new();
                let apps: Vec<_> = apps
                    .into_iter()
                    .filter(|a| !a.id.is_empty() && seen.insert(a.id.clone()))
                    .collect();
                self.counters.set("SSO applications synced", apps.len() as u64);
                resume::pin(&self.session, "SSO applications", &resume::digest(&apps)).await?;
                Ok(Arc::new(apps))
            })
            .await
            .cloned()
            .map_err(Error::in_shared_state)
    }

    /// Records every access key's assignments in the index (keys already there are skipped).
    pub(crate) async fn record_access_keys(&self, catalog: &Catalog) -> Result<(), Error> {
        let keys = self.access_keys().await?;
        let mut index = self.index_mut();
        for key in keys.iter() {
            index.record_key(key, catalog);
        }
        Ok(())
    }

    /// The page of users at `offset` (a page token): the next one continues the listing, any
    /// other offset starts a new listing there. Users repeated across the pages that the pager
    /// lets through are caught by the index, which compares exact ids.
    ///
    /// A page that starts a listing part-way (a resumed sync) is checked against the boundary
    /// the interrupted run saved for it; without one, the pager lists again from the first page
    /// rather than trust that nothing shifted (see [`crate::session`]).
    pub(crate) async fn user_page(&self, offset: u64) -> Result<UserBatch, Error> {
        let checked = self.pager_config.overlap > 0;
        let boundary = if checked && offset > 0 && !self.pager.continues(offset).await {
            Some(self.boundary_before(offset).await?)
        } else {
            None
        };
        self.pager
            .page_after(offset, boundary.as_ref())
            .await
            .map_err(|e| from_descope("searching users", e))
    }

    /// The boundary a listing resumed at `offset` checks its first page against: the one the
    /// interrupted run saved, else an unknown one (the listing is then done again from the
    /// first page), logged.
    async fn boundary_before(&self, offset: u64) -> Result<PageBoundary, Error> {
        if let Some(b) = session::load_boundary(&self.session, offset).await? {
            return Ok(b);
        }
        tracing::warn!(
            offset,
            "the sync's session holds no record of the user page before this offset, so a shift of the users in between cannot be ruled out: listing users again from the first page"
        );
        Ok(PageBoundary::unknown())
    }

    /// What the user listing of this process saw: users the API announced (its latest
    /// `total`) and requests made.
    pub(crate) async fn pager_stats(&self) -> descope_mgmt::PagerStats {
        self.pager.stats().await
    }

    pub(crate) fn index(&self) -> RwLockReadGuard<'_, AssignmentIndex> {
        // A panic while the lock was held cannot leave the index half-written in a way that
        // matters more than the panic itself; keep serving it.
        self.index
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn index_mut(&self) -> RwLockWriteGuard<'_, AssignmentIndex> {
        self.index
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The user listing starts (again) at the first page: start a fresh index.
    pub(crate) fn begin_user_listing(&self) {
        *self.index_mut() = AssignmentIndex::default();
        self.index_complete.store(false, Ordering::SeqCst);
        self.listed_from_start.store(true, Ordering::SeqCst);
    }

    /// The user listing reached its last page.
    pub(crate) fn end_user_listing(&self) {
        if self.listed_from_start.load(Ordering::SeqCst) {
            self.index_complete.store(true, Ordering::SeqCst);
        }
    }

    /// Saves the record of the user page at `offset` in the sync's session (when it is durable),
    /// so a resumed sync can rebuild the index without listing these users again.
    pub(crate) async fn store_user_page(&self, batch: &UserBatch) -> Result<(), Error> {
        session::store_user_page(
            &self.session,
            batch.offset,
            batch.next_offset,
            &batch.users,
            batch.boundary.as_ref(),
        )
        .await
    }

    /// Makes sure the index holds every user and access key before grants are read from it.
    ///
    /// In a normal sync the user listing fills it completely before the grants phase. A resumed
    /// sync may reach the grants phase in a process that listed users only from a checkpoint on
    /// (or not at all): then the index is rebuilt from the user page records in the sync's
    /// session, and only the users of pages missing there are listed again (all of them when
    /// the session is not durable), so grants are never silently short.
    ///
    /// Every error is marked [`Error::in_shared_state`]: a Descope 404 while listing users or
    /// keys again must fail the sync with its cause, not be skipped by the engine as one
    /// vanished resource per grants call (every grants call reads this index).
    pub(crate) async fn ensure_index(&self) -> Result<(), Error> {
        self.build_index().await.map_err(Error::in_shared_state)
    }

    async fn build_index(&self) -> Result<(), Error> {
        if self.index_complete.load(Ordering::SeqCst) {
            return Ok(());
        }
        let _guard = self.rebuild.lock().await;
        if self.index_complete.load(Ordering::SeqCst) {
            return Ok(());
        }
        let catalog = self.catalog().await?;
        // The partial index of this process's listing is replaced: free it first.
        *self.index_mut() = AssignmentIndex::default();
        let mut index = AssignmentIndex::default();
        let loaded = if self.session.is_durable() {
            session::load_user_pages(&self.session, &mut index, &catalog).await?
        } else {
            session::Loaded {
                pages: 0,
                missing_from: Some(0),
            }
        };
        tracing::info!(
            pages = loaded.pages,
            users = index.user_count(),
            "assignment index reloaded from the sync's session (resumed sync)"
        );
        if let Some(from) = loaded.missing_from {
            tracing::info!(
                offset = from,
                "listing users again from this offset to complete the assignment index (resumed sync)"
            );
            let pager = self.pager_config.pager(&self.client);
            let boundary = if from > 0 && self.pager_config.overlap > 0 {
                Some(self.boundary_before(from).await?)
            } else {
                None
            };
            let mut batch = pager
                .page_after(from, boundary.as_ref())
                .await
                .map_err(|e| from_descope("searching users", e))?;
            loop {
                for user in &batch.users {
                    index.record(user, &catalog);
                }
                // Continues the chain, so a sync interrupted again lists these pages no more.
                self.store_user_page(&batch).await?;
                let Some(next) = batch.next_offset else {
                    break;
                };
                batch = pager
                    .page(next)
                    .await
                    .map_err(|e| from_descope("searching users", e))?;
            }
        }
        for key in self.access_keys().await?.iter() {
            index.record_key(key, &catalog);
        }
        *self.index_mut() = index;
        self.index_complete.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// A user page with its users' last sign-ins (epoch seconds, by user id).
pub(crate) type PageWithLogins = (UserBatch, HashMap<String, i64>);

/// The background walk over the user pages (stopped when dropped).
#[derive(Debug)]
pub(crate) struct Prefetch {
    /// The offset of the page the walk hands over next.
    pub(crate) next: u64,
    pub(crate) pages: mpsc::Receiver<Result<PageWithLogins, Error>>,
    pub(crate) task: JoinHandle<()>,
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The holders of each application (by application id): resource ids and display names.
pub(crate) type Holders = std::collections::BTreeMap<String, Vec<(String, String)>>;

/// Which outbound applications each user is connected to, as the sync found them.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    /// Application ids by user id; a user is present once looked up.
    pub(crate) by_user: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
    /// Holders by application id (resource id and display name), built once from a complete
    /// index.
    pub(crate) holders: tokio::sync::OnceCell<Arc<Holders>>,
}
