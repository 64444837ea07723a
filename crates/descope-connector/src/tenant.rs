//! Tenants: the `tenant` resource (parent of tenant roles and groups), its `member`
//! entitlement and its syncer; the members are read from the assignment index.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    ChildResourceType, Entitlement, Grant, GroupTrait, Resource, ResourceId, ResourceType,
    resource::StatusValue,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::Tenant;
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::context::SyncContext;
use crate::ids::{decode_component, tenant_resource_id};
use crate::kinds::{
    GROUP_TYPE, MEMBER, ROLE_TYPE, TENANT_TYPE, access_key_type, put_str, reference, tenant_type,
    user_type,
};
use crate::pages::holder_grants;
use crate::provisioner::DescopeProvisioner;

/// A tenant resource; tenant-scoped roles (and project roles within it) are its children.
pub(crate) fn tenant_resource(tenant: &Tenant, catalog: &Catalog) -> Resource {
    let mut profile = Map::new();
    profile.insert("tenantId".into(), json!(tenant.id));
    put_str(&mut profile, "authType", &tenant.auth_type);
    if !tenant.domains.is_empty() {
        profile.insert("domains".into(), json!(tenant.domains));
    }
    if !tenant.self_provisioning_domains.is_empty() {
        profile.insert(
            "selfProvisioningDomains".into(),
            json!(tenant.self_provisioning_domains),
        );
    }
    put_str(&mut profile, "parentTenantId", &tenant.parent);
    profile.insert("enforceSSO".into(), json!(tenant.enforce_sso));
    profile.insert("disabled".into(), json!(tenant.disabled));
    if !tenant.custom_attributes.is_empty() {
        profile.insert(
            "customAttributes".into(),
            Value::Object(tenant.custom_attributes.clone()),
        );
    }
    let name = if tenant.name.is_empty() {
        &tenant.id
    } else {
        &tenant.name
    };
    let mut resource = Resource::new(TENANT_TYPE, tenant_resource_id(&tenant.id), name.clone())
        .with_profile(profile)
        .with_annotation(&ChildResourceType::new(ROLE_TYPE))
        .with_annotation(&ChildResourceType::new(GROUP_TYPE));
    if !tenant.parent.is_empty() && catalog.tenant(&tenant.parent).is_some() {
        resource = resource.with_parent(ResourceId::new(
            TENANT_TYPE,
            tenant_resource_id(&tenant.parent),
        ));
    }
    if tenant.created_time > 0 {
        resource = resource.with_created_at(tenant.created_time);
    }
    resource
        .with_status(if tenant.disabled {
            StatusValue::Disabled
        } else {
            StatusValue::Enabled
        })
        .with_group_trait(GroupTrait::default())
}

/// `tenant:<T>:member`.
pub(crate) fn member_entitlement(tenant: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(tenant), MEMBER)
        .with_display_name(format!("{} member", tenant.display_name))
        .with_description(format!(
            "Member of the Descope tenant '{}'",
            tenant.display_name
        ))
        .with_grantable_to(&[user_type(), access_key_type()])
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

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}
