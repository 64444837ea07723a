//! The four resource syncers.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::model::GrantImmutable;
use c1_connector_sdk::{
    Annotations, Entitlement, Error, Grant, Page, Provisioner, Resource, ResourceId,
    ResourceSyncer, ResourceType,
};

use crate::TENANT_TYPE;
use crate::context::SyncContext;
use crate::ids::{RoleRef, decode_component};
use crate::provision::DescopeProvisioner;
use crate::resources::{
    assigned_entitlement, for_grants, granted_entitlement, member_entitlement, permission_resource,
    permission_type, reference, role_resource, role_type, tenant_resource, tenant_type,
    user_resource, user_type,
};

/// Grants per page when listing the holders of one role or tenant.
const GRANT_PAGE: usize = 500;

fn parse_offset(token: Option<&str>) -> Result<u64, Error> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t.parse().map_err(|_| {
            Error::invalid_argument(format!("page token '{t}' is not a Descope connector token"))
        }),
    }
}

/// One page of grants to holders `holders[start..]`, as `Grant`s on `entitlement`.
async fn holder_grants(
    ctx: &SyncContext,
    entitlement: &Entitlement,
    holders: impl Fn(&crate::index::AssignmentIndex) -> &[u32],
    token: Option<&str>,
) -> Result<Page<Grant>, Error> {
    two_list_grants(ctx, entitlement, |i| (holders(i), &[]), None, token).await
}

/// One page of grants to the holders of two lists read as one (`first` then `second`), the
/// grants to `second`'s holders carrying `second_annotation`.
pub(crate) async fn two_list_grants(
    ctx: &SyncContext,
    entitlement: &Entitlement,
    holders: impl Fn(&crate::index::AssignmentIndex) -> (&[u32], &[u32]),
    second_annotation: Option<prost_types::Any>,
    token: Option<&str>,
) -> Result<Page<Grant>, Error> {
    let start = usize::try_from(parse_offset(token)?).unwrap_or(usize::MAX);
    // Grants are only ever read from a complete index (see `SyncContext::ensure_index`).
    ctx.ensure_index().await?;
    let index = ctx.index();
    let (first, second) = holders(&index);
    let total = first.len() + second.len();
    let end = total.min(start.saturating_add(GRANT_PAGE));
    let entitlement = &for_grants(entitlement);
    let mut grants = Vec::with_capacity(end.saturating_sub(start));
    for i in start..end {
        let (n, annotated) = if i < first.len() {
            (first[i], false)
        } else {
            (second[i - first.len()], true)
        };
        if let Some(user) = index.user(n) {
            let principal_type = user.kind.resource_type();
            // What `Grant::new(entitlement, principal)` builds, without the intermediate
            // copies of the principal and its id, nor a copy of the entitlement: the page
            // shares one (`Page::of_entitlement`).
            let mut grant = Grant {
                id: format!("{}:{principal_type}:{}", entitlement.id, user.resource_id),
                principal: Some(Resource::new(
                    principal_type,
                    user.resource_id,
                    user.display_name,
                )),
                ..Grant::default()
            };
            if annotated && let Some(any) = &second_annotation {
                grant.annotations.push(any.clone());
            }
            grants.push(grant);
        }
    }
    let next = (end < total).then(|| end.to_string());
    Ok(Page::of_entitlement(entitlement.clone(), grants, next))
}

/// Users, from `POST /v2/mgmt/user/search`. Feeds the assignment index as pages go by.
#[derive(Debug)]
pub(crate) struct UserSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    /// The connector's provisioner: its per-principal locks serialise account changes with
    /// grants and revokes.
    pub(crate) provisioner: DescopeProvisioner,
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
            None => {
                // The index covers access keys before the grants phase reads it, and before
                // roles found only on assignments are made (the keys were fetched above, so
                // this cannot fail now).
                self.ctx.record_access_keys(&catalog).await?;
                self.ctx.end_user_listing();
                // A resumed sync listed only part of the users in this process: the counts, the
                // warning below and the roles found only on users are about all of them, so the
                // index is completed from the sync's session first.
                self.ctx.ensure_index().await?;
                let stats = self.ctx.pager_stats().await;
                let (users, found) = {
                    let index = self.ctx.index();
                    let found = crate::found_on_users::resources(&index, &catalog);
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
                Page::last(resources)
            }
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

    fn account_manager(&self) -> Option<&dyn c1_connector_sdk::accounts::AccountManager> {
        Some(self)
    }

    fn resource_deleter(&self) -> Option<&dyn c1_connector_sdk::deletion::ResourceDeleter> {
        Some(self)
    }

    fn action_provider(&self) -> Option<&dyn c1_connector_sdk::actions::ActionProvider> {
        Some(self)
    }

    fn credential_issuer(&self) -> Option<&dyn c1_connector_sdk::connector::CredentialIssuer> {
        Some(self)
    }
}

/// Tenants, from `GET /v1/mgmt/tenant/all`; entitlement `member`.
#[derive(Debug)]
pub(crate) struct TenantSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    pub(crate) provisioner: DescopeProvisioner,
}

#[async_trait]
impl ResourceSyncer for TenantSyncer {
    fn resource_type(&self) -> ResourceType {
        tenant_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let catalog = self.ctx.catalog().await?;
        Ok(Page::last(
            catalog
                .tenants
                .iter()
                .map(|t| tenant_resource(t, &catalog))
                .collect(),
        ))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![member_entitlement(resource)]))
    }

    async fn grants(&self, resource: &Resource, token: Option<&str>) -> Result<Page<Grant>, Error> {
        let tenant_id = decode_component(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let entitlement = member_entitlement(resource);
        holder_grants(
            &self.ctx,
            &entitlement,
            |index| index.tenant_members(&tenant_id),
            token,
        )
        .await
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}

/// Roles, from `GET /v1/mgmt/role/all`: project roles at the top level, tenant-scoped roles and
/// project roles within a tenant as children of their tenant. Entitlement `assigned`.
#[derive(Debug)]
pub(crate) struct RoleSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    pub(crate) provisioner: DescopeProvisioner,
}

#[async_trait]
impl ResourceSyncer for RoleSyncer {
    fn resource_type(&self) -> ResourceType {
        role_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        let catalog = self.ctx.catalog().await?;
        let resources = match parent {
            None => catalog
                .project_roles
                .iter()
                .map(|r| {
                    role_resource(
                        &RoleRef::Project {
                            name: r.name.clone(),
                        },
                        r,
                        &catalog,
                    )
                })
                .collect(),
            Some(parent) if parent.resource_type == TENANT_TYPE => {
                let tenant_id = decode_component(&parent.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                catalog
                    .assignable_in_tenant(&tenant_id)
                    .into_iter()
                    .map(|(target, role)| role_resource(&target, role, &catalog))
                    .collect()
            }
            Some(_) => Vec::new(),
        };
        Ok(Page::last(resources))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![assigned_entitlement(resource)]))
    }

    async fn grants(&self, resource: &Resource, token: Option<&str>) -> Result<Page<Grant>, Error> {
        let target = RoleRef::parse(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let entitlement = assigned_entitlement(resource);
        holder_grants(
            &self.ctx,
            &entitlement,
            |index| index.role_holders(&target),
            token,
        )
        .await
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}

/// Permissions, from `GET /v1/mgmt/permission/all`. Entitlement `granted`, held by the roles
/// whose `permissionNames` name the permission (read-only).
#[derive(Debug)]
pub(crate) struct PermissionSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    pub(crate) provisioner: DescopeProvisioner,
}

#[async_trait]
impl ResourceSyncer for PermissionSyncer {
    fn resource_type(&self) -> ResourceType {
        permission_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let catalog = self.ctx.catalog().await?;
        Ok(Page::last(
            catalog
                .permissions
                .iter()
                .map(permission_resource)
                .collect(),
        ))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![granted_entitlement(resource)]))
    }

    async fn grants(&self, resource: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        let name = decode_component(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let catalog = self.ctx.catalog().await?;
        let entitlement = for_grants(&granted_entitlement(resource));
        let confers = |role: &descope_mgmt::Role| role.permission_names.contains(&name);
        let project = catalog
            .project_roles
            .iter()
            .filter(|r| confers(r))
            .map(|r| RoleRef::Project {
                name: r.name.clone(),
            });
        let tenant = catalog.tenant_roles.iter().flat_map(|(tenant_id, roles)| {
            roles
                .iter()
                .filter(|r| confers(r))
                .map(move |r| RoleRef::TenantScoped {
                    tenant_id: tenant_id.clone(),
                    name: r.name.clone(),
                })
        });
        let grants = project
            .chain(tenant)
            .filter(|target| catalog.contains(target))
            .filter_map(|target| {
                let role = catalog.role(&target)?;
                let principal = reference(&role_resource(&target, role, &catalog));
                Some(
                    Grant::new(&entitlement, &principal)
                        .with_annotation(&GrantImmutable::default()),
                )
            })
            .collect();
        Ok(Page::last(grants))
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}

macro_rules! provisioner_via {
    ($($ty:ty),*) => {$(
        #[async_trait]
        impl Provisioner for $ty {
            async fn grant(&self, principal: &Resource, entitlement: &Entitlement) -> Result<Annotations, Error> {
                self.provisioner.grant(principal, entitlement).await
            }

            async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
                self.provisioner.revoke(grant).await
            }
        }
    )*};
}

// Groups are read-only: their provisioner refuses with a message saying where they change.
provisioner_via!(
    TenantSyncer,
    RoleSyncer,
    PermissionSyncer,
    crate::apps::AppSyncer,
    crate::groups::GroupSyncer
);
