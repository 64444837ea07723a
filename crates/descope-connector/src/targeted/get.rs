//! Fetching one resource by id (the SDK's `ResourceGetter`, baton's `ResourceTargetedSyncer`)
//! for each resource type, built exactly as a full sync's listing builds it.
//!
//! | type | requests |
//! | --- | --- |
//! | user | `user/load` (1), and `user/history` (1) with `--sync-last-login` |
//! | access key | `accesskey/load` (1) |
//! | tenant, role, permission | the catalog: `tenant/all`, `role/all`, `permission/all` (3, concurrent; `role/search` by tenant too when `role/all` lists no tenant role) |
//! | app | `sso/idp/apps/load` (1) |
//! | group | `group/all` of its tenant (1) |
//!
//! A resource Descope does not hold (or that a full sync would leave out: a test user without
//! `--include-test-users`, a role shadowed in its tenant) is `NotFound`, which the engine
//! reports as a warning. Roles found only on users' assignments (not listed by `role/all`) are
//! not found here; a full sync still syncs them.

use std::time::SystemTime;

use async_trait::async_trait;
use c1_connector_sdk::connector::ResourceGetter;
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Resource, ResourceId};

use crate::access_key::resource::access_key_resource;
use crate::access_key::syncer::{AccessKeySyncer, key_id, load_key};
use crate::app::{AppSyncer, app_resource};
use crate::context::SyncContext;
use crate::group::{GroupSyncer, group_resource, parse_group_id};
use crate::ids::{RoleRef, component_of, tenant_resource_id};
use crate::kinds::{APP_TYPE, GROUP_TYPE, PERMISSION_TYPE, ROLE_TYPE, TENANT_TYPE, USER_TYPE};
use crate::permission::{PermissionSyncer, permission_resource};
use crate::provisioner::load_user;
use crate::role::{RoleSyncer, role_resource};
use crate::tenant::{TenantSyncer, tenant_resource};
use crate::user::resource::user_resource;
use crate::user::syncer::UserSyncer;

fn not_found(what: &str, id: &ResourceId) -> Error {
    Error::not_found(format!(
        "{what} '{}' is not in the Descope project (or a sync leaves it out)",
        id.resource
    ))
}

/// The Descope id in `id`, checked to be of `resource_type`.
fn descope_id(id: &ResourceId, resource_type: &str) -> Result<String, Error> {
    component_of(id, resource_type)
}

#[async_trait]
impl ResourceGetter for UserSyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        get_user(&self.ctx, id).await
    }
}

pub(super) async fn get_user(ctx: &SyncContext, id: &ResourceId) -> Result<Resource, Error> {
    let user_id = descope_id(id, USER_TYPE)?;
    ctx.counters.add("user load requests", 1);
    let Some(user) = load_user(&ctx.client, &user_id).await? else {
        return Err(not_found("user", id));
    };
    if user.test && !ctx.pager_config.include_test_users {
        // A full sync's search leaves test users out unless asked for them.
        return Err(not_found("test user", id));
    }
    let last_login = if ctx.pager_config.last_login {
        ctx.last_logins(std::slice::from_ref(&user))
            .await?
            .get(&user.user_id)
            .copied()
    } else {
        None
    };
    Ok(user_resource(&user, last_login))
}

#[async_trait]
impl ResourceGetter for AccessKeySyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        let key = key_id(id)?;
        self.ctx.counters.add("access key load requests", 1);
        match load_key(&self.ctx.client, &key).await? {
            Some(k) if !k.id.is_empty() => Ok(access_key_resource(&k, SystemTime::now())),
            _ => Err(not_found("access key", id)),
        }
    }
}

#[async_trait]
impl ResourceGetter for TenantSyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        let tenant_id = descope_id(id, TENANT_TYPE)?;
        let catalog = self.ctx.catalog().await?;
        let tenant = catalog
            .tenant(&tenant_id)
            .ok_or_else(|| not_found("tenant", id))?;
        Ok(tenant_resource(tenant, &catalog))
    }
}

#[async_trait]
impl ResourceGetter for RoleSyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        if id.resource_type != ROLE_TYPE {
            return Err(Error::invalid_argument(format!(
                "expected a {ROLE_TYPE} resource, got a '{}' resource",
                id.resource_type
            )));
        }
        let target =
            RoleRef::parse(&id.resource).map_err(|e| Error::invalid_argument(e.to_string()))?;
        let catalog = self.ctx.catalog().await?;
        let role = catalog
            .role(&target)
            .filter(|_| catalog.contains(&target))
            .ok_or_else(|| not_found("role", id))?;
        let mut resource = role_resource(&target, role, &catalog);
        // A role within a tenant is listed as the tenant's child.
        if resource.parent_resource_id.is_none()
            && let Some(tenant_id) = target.tenant_id()
        {
            resource.parent_resource_id =
                Some(ResourceId::new(TENANT_TYPE, tenant_resource_id(tenant_id)));
        }
        Ok(resource)
    }
}

#[async_trait]
impl ResourceGetter for PermissionSyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        let name = descope_id(id, PERMISSION_TYPE)?;
        let catalog = self.ctx.catalog().await?;
        catalog
            .permissions
            .iter()
            .find(|p| p.name == name)
            .map(permission_resource)
            .ok_or_else(|| not_found("permission", id))
    }
}

#[async_trait]
impl ResourceGetter for AppSyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        let app_id = descope_id(id, APP_TYPE)?;
        self.ctx.counters.add("SSO application requests", 1);
        let found = crate::error::found(
            self.ctx.client.sso_apps().load(&app_id).await,
            &format!("loading SSO application '{app_id}'"),
        )?;
        match found {
            Some(app) if app.id == app_id => Ok(app_resource(&app)),
            _ => Err(not_found("SSO application", id)),
        }
    }
}

#[async_trait]
impl ResourceGetter for GroupSyncer {
    async fn get(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Resource, Error> {
        if id.resource_type != GROUP_TYPE {
            return Err(Error::invalid_argument(format!(
                "expected a {GROUP_TYPE} resource, got a '{}' resource",
                id.resource_type
            )));
        }
        let (tenant_id, group_id) = parse_group_id(&id.resource)?;
        let groups = super::groups_of_tenant(&self.ctx, &tenant_id).await?;
        groups
            .iter()
            .find(|g| g.id == group_id)
            .map(|g| group_resource(&tenant_id, g))
            .ok_or_else(|| not_found("group", id))
    }
}
