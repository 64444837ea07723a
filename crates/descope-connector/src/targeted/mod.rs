//! Targeted syncs (the SDK's `SyncOptions::with_targeted_resources`, baton's
//! `--sync-resources`): what the Descope connector fetches for a few resources instead of the
//! whole project.
//!
//! The engine fetches each target with its type's getter ([`get`]), lists the child resources
//! under it, and lists the target's own entitlements and grants. A full sync answers grants
//! from the assignment index built while every user streams past; a targeted sync builds that
//! index from the users that can hold what the targets grant, found by user searches paged
//! like the full listing (same page checks):
//!
//! | target | users searched | requests for its grants |
//! | --- | --- | --- |
//! | user, access key | none (they hold grants, they grant nothing) | 0 |
//! | permission | none (roles hold it: the catalog) | 0 |
//! | tenant | `tenantIds: [tenant]` | one search per 100 members, the access keys |
//! | project role | `roleNames: [role]` | one search per 100 holders, the access keys |
//! | role within a tenant | `tenantIds: [tenant]` | one search per 100 members, the access keys |
//! | group | `userIds:` the group's members | the group's tenant `group/all` (1), one search per 100 members |
//! | SSO application | every user (an empty `ssoAppIds` means every app) | a full user listing, the access keys |
//!
//! A filter returns at least the users that hold the target under any reading of it
//! (`roleNames` matches a user with the project role; Descope answers users of the tenant for
//! `tenantIds`; a server that ignored a filter would return more users, never fewer), and the
//! index keeps only the assignments each user really has, so a targeted grant list equals the
//! full sync's for the same resource. Several targets in one sync: one search per target, the
//! users merged (each recorded once). The access keys are the full sync's (one search, checked
//! by tenant: [`crate::key_list`]).

mod get;

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{ResourceGetter, ResourceSyncer};
use c1_connector_sdk::engine::TargetedResource;
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceId, ResourceType};
use c1_connector_sdk::page::Page;
use descope_mgmt::{Group, SearchUsersRequest};
use tokio::sync::OnceCell;

use crate::context::SyncContext;
use crate::error::from_descope;
use crate::group::{group_resource, may_hold_groups, parse_group_id};
use crate::ids::{RoleRef, decode_component};
use crate::kinds::{APP_TYPE, GROUP_TYPE, ROLE_TYPE, TENANT_TYPE};

/// What the syncers of one targeted sync share: the targets, and the index built once from the
/// users their grants need.
#[derive(Debug)]
pub(crate) struct Plan {
    ctx: Arc<SyncContext>,
    targets: Vec<TargetedResource>,
    every_tenant: bool,
    index: OnceCell<()>,
}

/// Wraps the syncers of a sync for a targeted one: grants read an index of the users the
/// targets need, and groups are listed only under the tenants asked for.
pub(crate) fn wrap(
    syncers: Vec<Arc<dyn ResourceSyncer>>,
    ctx: Arc<SyncContext>,
    targets: &[TargetedResource],
    every_tenant: bool,
) -> Vec<Arc<dyn ResourceSyncer>> {
    let plan = Arc::new(Plan {
        ctx,
        targets: targets.to_vec(),
        every_tenant,
        index: OnceCell::new(),
    });
    syncers
        .into_iter()
        .map(|inner| {
            Arc::new(Targeted {
                inner,
                plan: plan.clone(),
            }) as Arc<dyn ResourceSyncer>
        })
        .collect()
}

impl Plan {
    /// The user search that finds every holder of what `target` grants; `None` for a target
    /// that grants nothing to users.
    async fn search_for(
        &self,
        target: &TargetedResource,
    ) -> Result<Option<SearchUsersRequest>, Error> {
        let mut search = self.ctx.pager_config.search();
        match target.id.resource_type.as_str() {
            TENANT_TYPE => search.tenant_ids = vec![decode(&target.id)?],
            ROLE_TYPE => {
                let role = RoleRef::parse(&target.id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                match role.tenant_id() {
                    Some(tenant) => search.tenant_ids = vec![tenant.to_owned()],
                    None => search.role_names = vec![role.name().to_owned()],
                }
            }
            GROUP_TYPE => {
                let (tenant_id, group_id) = parse_group_id(&target.id.resource)?;
                let members: Vec<String> = groups_of_tenant(&self.ctx, &tenant_id)
                    .await?
                    .iter()
                    .filter(|g| g.id == group_id)
                    .flat_map(|g| g.members.iter())
                    .filter(|m| !m.user_id.is_empty())
                    .map(|m| m.user_id.clone())
                    .collect();
                if members.is_empty() {
                    return Ok(None);
                }
                search.user_ids = members;
            }
            _ => return Ok(None),
        }
        Ok(Some(search))
    }

    /// Builds the index once, before the first grants are read. With an SSO application among
    /// the targets, the connector's own full index is used (built when first read).
    async fn ensure(&self) -> Result<(), Error> {
        self.index
            .get_or_try_init(|| self.build())
            .await
            .map(|_| ())
            .map_err(Error::in_shared_state)
    }

    async fn build(&self) -> Result<(), Error> {
        if self.targets.iter().any(|t| t.id.resource_type == APP_TYPE) {
            // An empty `ssoAppIds` means every app: every user may hold one, so the grants read
            // the connector's full index (built on first read, as in a full sync).
            return Ok(());
        }
        let ctx = &self.ctx;
        let catalog = ctx.catalog().await?;
        let mut users = Vec::new();
        let mut requests = 0u64;
        for target in &self.targets {
            let Some(search) = self.search_for(target).await? else {
                continue;
            };
            let (found, asked) = ctx
                .users_matching(search, "searching the users of a targeted resource")
                .await?;
            users.extend(found);
            requests += asked;
        }
        ctx.counters.add("user search requests", requests);
        // The connector's index, filled with these users and every access key, and marked
        // complete so that its grants read it as a full sync's.
        ctx.begin_user_listing();
        {
            let mut index = ctx.index_mut();
            for user in &users {
                index.record(user, &catalog);
            }
        }
        ctx.record_access_keys(&catalog).await?;
        ctx.end_user_listing();
        ctx.counters.set(
            "users read for targeted grants",
            ctx.index().user_count() as u64,
        );
        Ok(())
    }

    /// The groups of a tenant a full sync lists under it (none for a tenant it does not ask).
    async fn groups_under(&self, tenant_id: &str) -> Result<Vec<Resource>, Error> {
        let catalog = self.ctx.catalog().await?;
        if !(self.every_tenant || catalog.tenant(tenant_id).is_none_or(may_hold_groups)) {
            return Ok(Vec::new());
        }
        Ok(groups_of_tenant(&self.ctx, tenant_id)
            .await?
            .iter()
            .filter(|g| !g.id.is_empty())
            .map(|g| group_resource(tenant_id, g))
            .collect())
    }
}

fn decode(id: &ResourceId) -> Result<String, Error> {
    decode_component(&id.resource).map_err(|e| Error::invalid_argument(e.to_string()))
}

/// `POST /v1/mgmt/group/all` for one tenant.
pub(crate) async fn groups_of_tenant(
    ctx: &SyncContext,
    tenant_id: &str,
) -> Result<Vec<Group>, Error> {
    ctx.counters.add("group requests", 1);
    ctx.client
        .groups()
        .all(tenant_id)
        .await
        .map_err(|e| from_descope(&format!("loading the groups of tenant '{tenant_id}'"), e))
}

/// One syncer of a targeted sync.
struct Targeted {
    inner: Arc<dyn ResourceSyncer>,
    plan: Arc<Plan>,
}

#[async_trait]
impl ResourceSyncer for Targeted {
    fn resource_type(&self) -> ResourceType {
        self.inner.resource_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        token: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        match parent {
            // Only this tenant's groups, not every tenant's (the full sync's batch).
            Some(p)
                if p.resource_type == TENANT_TYPE
                    && self.inner.resource_type().id == GROUP_TYPE =>
            {
                Ok(Page::last(self.plan.groups_under(&decode(p)?).await?))
            }
            _ => self.inner.list(parent, token).await,
        }
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        token: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        self.inner.entitlements(resource, token).await
    }

    async fn grants(&self, resource: &Resource, token: Option<&str>) -> Result<Page<Grant>, Error> {
        if matches!(
            self.inner.resource_type().id.as_str(),
            TENANT_TYPE | ROLE_TYPE | GROUP_TYPE | APP_TYPE
        ) {
            self.plan.ensure().await?;
        }
        self.inner.grants(resource, token).await
    }

    fn resource_getter(&self) -> Option<&dyn ResourceGetter> {
        self.inner.resource_getter()
    }
}

impl std::fmt::Debug for Targeted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Targeted")
            .field("resource_type", &self.inner.resource_type().id)
            .finish_non_exhaustive()
    }
}
