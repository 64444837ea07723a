//! Roles: the `role` resource (a project role, a tenant-scoped role, or a project role within a
//! tenant), its `assigned` entitlement and its syncer; the holders are read from the assignment
//! index.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceId, ResourceType, RoleTrait};
use c1_connector_sdk::page::Page;
use descope_mgmt::Role;
use serde_json::{Map, json};

use crate::catalog::Catalog;
use crate::context::SyncContext;
use crate::ids::{RoleRef, decode_component, tenant_resource_id};
use crate::kinds::{
    ASSIGNED, ROLE_TYPE, TENANT_TYPE, access_key_type, put_str, reference, role_type, user_type,
};
use crate::pages::holder_grants;
use crate::provisioner::DescopeProvisioner;

/// A role resource for an assignment target.
pub(crate) fn role_resource(target: &RoleRef, role: &Role, catalog: &Catalog) -> Resource {
    let tenant_name = |id: &str| {
        catalog
            .tenant(id)
            .map(|t| t.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.to_owned())
    };
    let (display, scope, description) = match target {
        RoleRef::Project { name } => (name.clone(), "project".to_owned(), role.description.clone()),
        RoleRef::TenantScoped { tenant_id, name } => (
            format!("{name} ({})", tenant_name(tenant_id)),
            tenant_id.clone(),
            role.description.clone(),
        ),
        RoleRef::ProjectInTenant { tenant_id, name } => (
            format!("{name} in {}", tenant_name(tenant_id)),
            tenant_id.clone(),
            format!(
                "Project role '{name}' assigned within tenant '{}'. {}",
                tenant_name(tenant_id),
                role.description
            )
            .trim_end()
            .to_owned(),
        ),
    };
    let kind = match target {
        RoleRef::Project { .. } => "project",
        RoleRef::TenantScoped { .. } => "tenant",
        RoleRef::ProjectInTenant { .. } => "projectInTenant",
    };
    let mut profile = Map::new();
    profile.insert("name".into(), json!(target.name()));
    profile.insert("kind".into(), json!(kind));
    profile.insert("scope".into(), json!(scope));
    if let Some(t) = target.tenant_id() {
        profile.insert("tenantId".into(), json!(t));
    }
    put_str(&mut profile, "roleId", &role.id);
    put_str(&mut profile, "description", &role.description);
    profile.insert("permissionNames".into(), json!(role.permission_names));
    profile.insert("default".into(), json!(role.default));
    profile.insert("private".into(), json!(role.private));

    let mut resource = Resource::new(ROLE_TYPE, target.resource_id(), display)
        .with_description(description)
        .with_profile(profile);
    if let Some(t) = target.tenant_id() {
        resource = resource.with_parent(ResourceId::new(TENANT_TYPE, tenant_resource_id(t)));
    }
    if role.created_time > 0 {
        resource = resource.with_created_at(role.created_time);
    }
    resource.with_role_trait(RoleTrait::default())
}

/// `role:<id>:assigned`.
pub(crate) fn assigned_entitlement(role: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(role), ASSIGNED)
        .with_display_name(format!("{} assigned", role.display_name))
        .with_description(format!("Has the Descope role '{}'", role.display_name))
        .with_grantable_to(&[user_type(), access_key_type()])
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

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}
