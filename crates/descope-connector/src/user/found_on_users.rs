//! Roles and tenants that only user (and access key) records name.
//!
//! Descope's `role/all` may leave tenant-scoped roles out (nothing documents that it lists
//! them), `role/search` by tenant may too, and a role or tenant created while a sync runs is in
//! no listing read before it. A user's assignment to such a role or tenant is never dropped: the
//! assignment index records it under the role or tenant the user record names
//! ([`crate::index::AssignmentIndex::record`]), and when the user listing ends this module
//! makes a resource for each, from what the user records say, marked in its description as
//! found only on assignments, with one warning each.

use c1_connector_sdk::model::Resource;
use descope_mgmt::{Role, Tenant};

use crate::catalog::Catalog;
use crate::ids::RoleRef;
use crate::index::AssignmentIndex;
use crate::role::role_resource;
use crate::tenant::tenant_resource;

/// What a role or tenant found only on user records says about itself.
pub(crate) const FOUND_ON_USERS: &str = "Found only on assignments of users or access keys: no Descope listing returned it when this sync read them";

/// Resources for every tenant and role the index holds that the catalog does not, tenants first
/// (roles may be their children). Logs one warning for each.
pub(crate) fn resources(index: &AssignmentIndex, catalog: &Catalog) -> Vec<Resource> {
    let mut out = Vec::new();
    for (tenant_id, name) in index.tenants_found_on_users() {
        let holders = index.tenant_members(tenant_id).len();
        tracing::warn!(
            tenant_id = %tenant_id,
            members = holders,
            "tenant '{tenant_id}' has members but the tenant listing did not return it: synced from the user and access key records"
        );
        let mut tenant = Tenant::default();
        tenant.id = tenant_id.clone();
        tenant.name = if name.is_empty() {
            tenant_id.clone()
        } else {
            name.clone()
        };
        out.push(tenant_resource(&tenant, catalog).with_description(FOUND_ON_USERS));
    }
    for target in index.roles_found_on_users() {
        let holders = index.role_holders(target).len();
        tracing::warn!(
            role = %target,
            holders,
            "the {target} is held by users or access keys but no role listing returned it: synced from their records"
        );
        let mut role = Role::default();
        role.name = target.name().to_owned();
        role.description = FOUND_ON_USERS.to_owned();
        if let RoleRef::TenantScoped { tenant_id, .. } = target {
            role.tenant_id = tenant_id.clone();
        }
        out.push(role_resource(target, &role, catalog));
    }
    out
}
