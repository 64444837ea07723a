//! Tenants, roles and permissions, fetched once per sync with one `all` call each.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet};

use c1_connector_sdk::error::Error;
use descope_mgmt::{Client, Permission, Role, Tenant};

use crate::error::from_descope;
use crate::ids::RoleRef;
use crate::tenant_search::roles_of_tenants;

/// The project's tenants, roles and permissions at the start of a sync.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) tenants: Vec<Tenant>,
    tenant_index: HashMap<String, usize>,
    /// Project roles (no `tenantId`), in Descope's order.
    pub(crate) project_roles: Vec<Role>,
    /// Tenant-scoped roles by tenant id.
    pub(crate) tenant_roles: BTreeMap<String, Vec<Role>>,
    pub(crate) permissions: Vec<Permission>,
    project_role_names: HashSet<String>,
}

impl Catalog {
    /// Fetches the collections: tenants, roles and permissions concurrently (one `all` call
    /// each). Nothing documents whether `role/all` lists tenant-scoped roles (the official SDKs
    /// added `role/search` with `tenantIds` so that "all roles available on a tenant are
    /// loadable in a single request"). When its answer holds a role with a `tenantId`, it does,
    /// and nothing more is asked. When it holds none, either the project has no tenant roles or
    /// Descope leaves them out: the tenants' roles are then searched by `tenantIds`
    /// ([`crate::tenant_search`]: 1,000 tenants a request, fewer if Descope refuses as many) and
    /// merged by (tenant id, name). Either way every tenant role is read, at no cost when
    /// `role/all` lists them; and a role a user holds that no listing returned is still synced
    /// from the assignment (`AssignmentIndex::record`, in the index above this module).
    pub(crate) async fn load(client: &Client) -> Result<Catalog, Error> {
        let tenants = async {
            client
                .tenants()
                .all()
                .await
                .map_err(|e| from_descope("loading tenants", e))
        };
        let roles = async {
            client
                .roles()
                .all()
                .await
                .map_err(|e| from_descope("loading roles", e))
        };
        let permissions = async {
            client
                .permissions()
                .all()
                .await
                .map_err(|e| from_descope("loading permissions", e))
        };
        let (tenants, mut roles, permissions) = tokio::try_join!(tenants, roles, permissions)?;
        if !roles.iter().any(|r| !r.tenant_id.is_empty()) {
            let ids: Vec<String> = tenants
                .iter()
                .filter(|t| !t.id.is_empty())
                .map(|t| t.id.clone())
                .collect();
            let found = roles_of_tenants(client, &ids, "searching the tenants' roles").await?;
            // A search by tenant without `includeProjectRoles` returns tenant roles; a role
            // without a tenant id in its answer is a project role all the same.
            roles.extend(found.into_iter().flat_map(|(_, found)| found));
        }
        Ok(Catalog::new(tenants, roles, permissions))
    }

    /// Builds the lookup tables; duplicates (same id, or same name in one scope) keep the first.
    pub(crate) fn new(
        tenants: Vec<Tenant>,
        roles: Vec<Role>,
        permissions: Vec<Permission>,
    ) -> Self {
        let mut catalog = Catalog::default();
        for tenant in tenants {
            if tenant.id.is_empty() || catalog.tenant_index.contains_key(&tenant.id) {
                continue;
            }
            catalog
                .tenant_index
                .insert(tenant.id.clone(), catalog.tenants.len());
            catalog.tenants.push(tenant);
        }
        for role in roles {
            if role.name.is_empty() {
                continue;
            }
            if role.tenant_id.is_empty() {
                if catalog.project_role_names.insert(role.name.clone()) {
                    catalog.project_roles.push(role);
                }
            } else {
                let list = catalog
                    .tenant_roles
                    .entry(role.tenant_id.clone())
                    .or_default();
                if !list.iter().any(|r| r.name == role.name) {
                    list.push(role);
                }
            }
        }
        let mut seen = HashSet::default();
        catalog.permissions = permissions
            .into_iter()
            .filter(|p| !p.name.is_empty() && seen.insert(p.name.clone()))
            .collect();
        catalog
    }

    /// The tenant with this id.
    pub(crate) fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenant_index.get(id).map(|&i| &self.tenants[i])
    }

    /// The tenant-scoped roles of a tenant.
    pub(crate) fn roles_of_tenant(&self, tenant_id: &str) -> &[Role] {
        self.tenant_roles
            .get(tenant_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether a project role of this name exists.
    pub(crate) fn has_project_role(&self, name: &str) -> bool {
        self.project_role_names.contains(name)
    }

    /// What a role name in `userTenants[tenant].roleNames` refers to.
    ///
    /// Descope stores tenant role assignments by name only, so when a tenant defines a role with
    /// the same name as a project role, the name means the tenant's own role (the more specific
    /// scope), and the project role cannot be assigned separately within that tenant: the connector
    /// then offers only the tenant role. `None` means no such role exists (it was deleted, or created
    /// after this sync read the catalog).
    pub(crate) fn resolve_tenant_assignment(&self, tenant_id: &str, name: &str) -> Option<RoleRef> {
        if self
            .roles_of_tenant(tenant_id)
            .iter()
            .any(|r| r.name == name)
        {
            Some(RoleRef::TenantScoped {
                tenant_id: tenant_id.to_owned(),
                name: name.to_owned(),
            })
        } else if self.has_project_role(name) {
            Some(RoleRef::ProjectInTenant {
                tenant_id: tenant_id.to_owned(),
                name: name.to_owned(),
            })
        } else {
            None
        }
    }

    /// Every role assignment target that exists within a tenant: its own roles, then the project
    /// roles it does not shadow.
    pub(crate) fn assignable_in_tenant(&self, tenant_id: &str) -> Vec<(RoleRef, &Role)> {
        let own = self.roles_of_tenant(tenant_id);
        let mut out: Vec<(RoleRef, &Role)> = own
            .iter()
            .map(|r| {
                (
                    RoleRef::TenantScoped {
                        tenant_id: tenant_id.to_owned(),
                        name: r.name.clone(),
                    },
                    r,
                )
            })
            .collect();
        out.extend(
            self.project_roles
                .iter()
                .filter(|p| !own.iter().any(|r| r.name == p.name))
                .map(|p| {
                    (
                        RoleRef::ProjectInTenant {
                            tenant_id: tenant_id.to_owned(),
                            name: p.name.clone(),
                        },
                        p,
                    )
                }),
        );
        out
    }

    /// The role definition behind an assignment target, if it (still) exists.
    pub(crate) fn role(&self, role: &RoleRef) -> Option<&Role> {
        match role {
            RoleRef::Project { name } | RoleRef::ProjectInTenant { name, .. } => {
                self.project_roles.iter().find(|r| &r.name == name)
            }
            RoleRef::TenantScoped { tenant_id, name } => self
                .roles_of_tenant(tenant_id)
                .iter()
                .find(|r| &r.name == name),
        }
    }

    /// Whether an assignment target exists in this catalog (and is not shadowed).
    pub(crate) fn contains(&self, role: &RoleRef) -> bool {
        match role {
            RoleRef::Project { name } => self.has_project_role(name),
            RoleRef::TenantScoped { tenant_id, name } => {
                self.tenant(tenant_id).is_some()
                    && self
                        .roles_of_tenant(tenant_id)
                        .iter()
                        .any(|r| &r.name == name)
            }
            RoleRef::ProjectInTenant { tenant_id, name } => {
                self.tenant(tenant_id).is_some()
                    && self.resolve_tenant_assignment(tenant_id, name).as_ref() == Some(role)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, tenant: &str) -> Role {
        let mut r = Role::default();
        r.name = name.into();
        r.tenant_id = tenant.into();
        r
    }

    fn tenant(id: &str) -> Tenant {
        let mut t = Tenant::default();
        t.id = id.into();
        t.name = id.into();
        t
    }

    #[test]
    fn tenant_roles_shadow_project_roles_of_the_same_name() {
        let c = Catalog::new(
            vec![tenant("T1"), tenant("T2")],
            vec![role("Admin", ""), role("Viewer", ""), role("Admin", "T1")],
            vec![],
        );
        assert_eq!(
            c.resolve_tenant_assignment("T1", "Admin"),
            Some(RoleRef::TenantScoped {
                tenant_id: "T1".into(),
                name: "Admin".into()
            })
        );
        assert_eq!(
            c.resolve_tenant_assignment("T2", "Admin"),
            Some(RoleRef::ProjectInTenant {
                tenant_id: "T2".into(),
                name: "Admin".into()
            })
        );
        assert_eq!(c.resolve_tenant_assignment("T1", "Nope"), None);
        let in_t1: Vec<String> = c
            .assignable_in_tenant("T1")
            .into_iter()
            .map(|(r, _)| r.resource_id())
            .collect();
        assert_eq!(in_t1, ["tenant/T1/Admin", "tenant/T1/project/Viewer"]);
        assert!(!c.contains(&RoleRef::ProjectInTenant {
            tenant_id: "T1".into(),
            name: "Admin".into()
        }));
    }
}
