//! The `user` syncer.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::ResourceSyncer;
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceId, ResourceType};
use c1_connector_sdk::page::Page;

use crate::catalog::Catalog;
use crate::context::SyncContext;
use crate::incremental::Increment;
use crate::kinds::user_type;
use crate::pages::parse_offset;
use crate::provisioner::DescopeProvisioner;
use crate::user::resource::user_resource;

/// Changed users per page of an incremental sync's listing (a Descope page's worth).
const CHANGED_PER_PAGE: usize = 100;

/// The previous sync's users per page of an incremental sync's listing: as many as a Descope
/// page, so the writer's queue (64 pages) holds what a full sync's does, not ten times more.
const PREVIOUS_PER_PAGE: usize = 100;

/// Users, from `POST /v2/mgmt/user/search`. Feeds the assignment index as pages go by.
#[derive(Debug)]
pub(crate) struct UserSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    /// The connector's provisioner: its per-principal locks serialise account changes with
    /// grants and revokes.
    pub(crate) provisioner: DescopeProvisioner,
    /// An incremental sync's increment, decided at the listing's first page (`None`: every
    /// user is listed).
    pub(crate) increment: tokio::sync::OnceCell<Option<Arc<Increment>>>,
}

#[async_trait]
impl ResourceSyncer for UserSyncer {
    fn resource_type(&self) -> ResourceType {
        user_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        token: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let catalog = self.ctx.catalog().await?;
        if self.ctx.previous().is_some()
            && let Some(increment) = self
                .increment
                .get_or_try_init(|| async {
                    crate::incremental::increment(&self.ctx, &catalog)
                        .await
                        .map(|i| i.map(Arc::new))
                })
                .await
                .map_err(Error::in_shared_state)?
        {
            return self.list_incremental(&catalog, increment, token).await;
        }
        let offset = parse_offset(token)?;
        if offset == 0 {
            self.ctx.begin_user_listing();
        }
        let (batch, last_logins) = self.ctx.user_page_with_logins(offset).await?;
        // Everything that can fail comes before the users are recorded: a user recorded by an
        // attempt that then failed would be skipped as already seen when the engine asks for
        // the page again, and its grants would name a user the sync never emitted.
        if batch.next_offset.is_none() {
            // Access keys hold roles and tenants too: fetched now, recorded below.
            self.ctx.access_keys().await?;
        }
        // Saved before the page is returned: the engine's checkpoint for this page then comes
        // after it, so a resumed sync finds the record of every page the checkpoint covers.
        self.ctx.store_user_page(&batch).await?;
        let mut resources = Vec::with_capacity(batch.users.len());
        {
            let mut index = self.ctx.index_mut();
            for user in &batch.users {
                if index.record(user, &catalog) {
                    resources.push(user_resource(user, last_logins.get(&user.user_id).copied()));
                }
            }
        }
        Ok(match batch.next_offset {
            Some(next) => Page::next(resources, next.to_string()),
            None => self.last_page(&catalog, resources).await?,
        })
    }

    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(Vec::new()))
    }

    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        Ok(Page::last(Vec::new()))
    }

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn account_manager(&self) -> Option<&dyn c1_connector_sdk::connector::AccountManager> {
        Some(self)
    }

    fn resource_deleter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceDeleter> {
        Some(self)
    }

    fn action_provider(&self) -> Option<&dyn c1_connector_sdk::connector::ActionProvider> {
        Some(self)
    }

    fn credential_issuer(&self) -> Option<&dyn c1_connector_sdk::connector::CredentialIssuer> {
        Some(self)
    }
}

impl UserSyncer {
    /// A page of an incremental sync's user listing (see [`crate::incremental`]): the changed
    /// users first, [`CHANGED_PER_PAGE`] a page (`i:c:<n>`), then the previous sync's users
    /// less those changed or deleted, a page of the previous file at a time (`i:p:<token>`).
    async fn list_incremental(
        &self,
        catalog: &Catalog,
        increment: &Increment,
        token: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        let token = token.unwrap_or("i:c:0");
        let bad = || {
            Error::invalid_argument(format!(
                "page token '{token}' is not a Descope connector token of an incremental sync"
            ))
        };
        if let Some(n) = token.strip_prefix("i:c:") {
            let n: usize = n.parse().map_err(|_| bad())?;
            let start = n.saturating_mul(CHANGED_PER_PAGE);
            let end = increment
                .changed
                .len()
                .min(start.saturating_add(CHANGED_PER_PAGE));
            let resources = increment.changed[start.min(end)..end]
                .iter()
                .map(|user| user_resource(user, None))
                .collect();
            let next = if end < increment.changed.len() {
                format!("i:c:{}", n + 1)
            } else {
                "i:p:".to_owned()
            };
            return Ok(Page::next(resources, next));
        }
        let previous_token = token.strip_prefix("i:p:").ok_or_else(bad)?;
        let previous = self
            .ctx
            .previous()
            .ok_or_else(|| Error::internal("an incremental page token in a full sync"))?;
        let page = previous
            .resources_page(
                crate::kinds::USER_TYPE,
                Some(previous_token).filter(|t| !t.is_empty()),
                PREVIOUS_PER_PAGE,
            )
            .await
            .map_err(|e| e.context("reading the previous sync's users"))?;
        let resources: Vec<Resource> = page
            .items
            .into_iter()
            .filter(|r| {
                r.id.as_ref()
                    .is_some_and(|id| !increment.skip.contains(&id.resource))
            })
            .collect();
        match page.next_token {
            Some(next) => Ok(Page::next(resources, format!("i:p:{next}"))),
            // `last_page` fetches and records the access keys.
            None => self.last_page(catalog, resources).await,
        }
    }

    /// The listing's last page: the index completed (access keys, a resumed sync's records), the
    /// sync's counts, and the roles and tenants found only on users, added to `resources`.
    async fn last_page(
        &self,
        catalog: &Catalog,
        mut resources: Vec<Resource>,
    ) -> Result<Page<Resource>, Error> {
        // The index covers access keys before the grants phase reads it, and before
        // roles found only on assignments are made (the keys were fetched above, so
        // this cannot fail now).
        self.ctx.record_access_keys(catalog).await?;
        self.ctx.end_user_listing();
        // A resumed sync listed only part of the users in this process: the counts, the
        // warning below and the roles found only on users are about all of them, so the
        // index is completed from the sync's session first.
        self.ctx.ensure_index().await?;
        let recorded = self.ctx.index().user_count() as u64;
        // The records now cover every user: a later incremental sync may start from this one.
        crate::incremental::store_marker(&self.ctx, recorded).await?;
        let stats = self.ctx.pager_stats().await;
        let (users, found) = {
            let index = self.ctx.index();
            let found = crate::user::found_on_users::resources(&index, catalog);
            let counters = &self.ctx.counters;
            counters.set("users synced", index.user_count() as u64);
            counters.set(
                "roles found only on users",
                index.roles_found_on_users().len() as u64,
            );
            counters.set(
                "tenants found only on users",
                index.tenants_found_on_users().len() as u64,
            );
            (index.user_count() as u64, found)
        };
        let counters = &self.ctx.counters;
        counters.max("users announced by Descope", stats.announced);
        counters.add("user search requests", stats.requests);
        counters.add("user page shifts fetched again", stats.shifts);
        if stats.unverified > 0 {
            counters.add("user page boundaries not checked", stats.unverified);
        }
        if stats.announced > users {
            tracing::warn!(
                announced = stats.announced,
                synced = users,
                "Descope announced more users than the listing returned (users created while the sync ran, or a search that does not return every match)"
            );
        }
        tracing::debug!(users, "user listing complete");
        resources.extend(found);
        Ok(Page::last(resources))
    }
}
