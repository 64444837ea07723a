//! Permissions: the `permission` resource, its read-only `granted` entitlement (held by the roles
//! that confer it, from the catalog) and its syncer.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    Entitlement, EntitlementImmutable, Grant, GrantImmutable, Resource, ResourceId, ResourceType,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::Permission;
use serde_json::{Map, json};

use crate::context::SyncContext;
use crate::ids::{RoleRef, decode_component, permission_resource_id};
use crate::kinds::{
    GRANTED, PERMISSION_TYPE, for_grants, permission_type, put_str, reference, role_type,
};
use crate::provisioner::DescopeProvisioner;
use crate::role::role_resource;

/// A permission resource.
pub(crate) fn permission_resource(permission: &Permission) -> Resource {
    let mut profile = Map::new();
    profile.insert("name".into(), json!(permission.name));
    put_str(&mut profile, "description", &permission.description);
    profile.insert("systemDefault".into(), json!(permission.system_default));
    Resource::new(
        PERMISSION_TYPE,
        permission_resource_id(&permission.name),
        permission.name.clone(),
    )
    .with_description(permission.description.clone())
    .with_profile(profile)
}

/// `permission:<name>:granted`: read-only, changed by editing roles in Descope.
pub(crate) fn granted_entitlement(permission: &Resource) -> Entitlement {
    Entitlement::permission(&reference(permission), GRANTED)
        .with_display_name(format!("{} granted", permission.display_name))
        .with_description(format!(
            "Roles that confer the Descope permission '{}' (read-only: edit the roles in Descope)",
            permission.display_name
        ))
        .with_grantable_to(&[role_type()])
        .with_annotation(&EntitlementImmutable::default())
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

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}
