//! Tenant, role and permission mutations, with the cascades Descope applies to users.

use super::{State, now_secs};
use crate::error::ApiError;
use crate::records::{PermissionRecord, RoleRecord, TenantRecord};

impl State {
    /// Creates a tenant (id generated when empty). Returns its id.
    pub(crate) fn create_tenant(&mut self, mut t: TenantRecord) -> Result<String, ApiError> {
        if t.name.is_empty() {
            return Err(ApiError::missing_argument("name is required"));
        }
        if !t.id.is_empty() && self.tenant(&t.id).is_some() {
            return Err(ApiError::invalid_argument(format!(
                "Tenant id {:?} is already used",
                t.id
            )));
        }
        if self.tenants.iter().any(|x| x.name == t.name) {
            return Err(ApiError::invalid_argument(format!(
                "Tenant name {:?} is already used",
                t.name
            )));
        }
        if !t.parent.is_empty() && self.tenant(&t.parent).is_none() {
            return Err(ApiError::invalid_argument(format!(
                "Parent tenant {:?} does not exist",
                t.parent
            )));
        }
        if t.id.is_empty() {
            t.id = loop {
                let id = self.new_id("T2", 28);
                if self.tenant(&id).is_none() {
                    break id;
                }
            };
        }
        if t.auth_type.is_empty() {
            t.auth_type = "none".to_owned();
        }
        t.created_time = now_secs();
        let id = t.id.clone();
        self.tenants.push(t);
        Ok(id)
    }

    /// Deletes a tenant, its roles, groups and memberships; with `cascade`, its sub-tenants too.
    pub(crate) fn delete_tenant(&mut self, id: &str, cascade: bool) -> Result<(), ApiError> {
        if self.tenant(id).is_none() {
            return Err(ApiError::tenant_not_found(id));
        }
        let children = self.descendants(id);
        if !children.is_empty() && !cascade {
            return Err(ApiError::invalid_argument(format!(
                "Tenant {id:?} has sub-tenants; delete them first or set cascade"
            )));
        }
        let mut gone = children;
        gone.push(id.to_owned());
        let is_gone = |t: &str| gone.iter().any(|g| g == t);
        self.tenants.retain(|t| !is_gone(&t.id));
        let gone_roles: Vec<String> = self
            .roles
            .iter()
            .filter(|r| is_gone(&r.tenant_id))
            .map(|r| r.id.clone())
            .collect();
        self.unmap_roles(&gone_roles);
        self.roles.retain(|r| !is_gone(&r.tenant_id));
        self.groups.retain(|g| !is_gone(&g.tenant_id));
        for u in &mut self.users {
            if u.user_tenants.iter().any(|m| is_gone(&m.tenant_id)) {
                u.user_tenants.retain(|m| !is_gone(&m.tenant_id));
            }
        }
        for k in &mut self.access_keys {
            k.key_tenants.retain(|t| !is_gone(&t.tenant_id));
        }
        Ok(())
    }

    /// Creates a role; names are unique per scope (project, or one tenant).
    pub(crate) fn create_role(&mut self, mut r: RoleRecord) -> Result<(), ApiError> {
        if r.name.is_empty() {
            return Err(ApiError::missing_argument("name is required"));
        }
        if !r.tenant_id.is_empty() && self.tenant(&r.tenant_id).is_none() {
            return Err(ApiError::invalid_argument(format!(
                "Tenant {:?} does not exist",
                r.tenant_id
            )));
        }
        if self.role_in_scope(&r.tenant_id, &r.name).is_some() {
            return Err(ApiError::invalid_argument(format!(
                "Role {:?} already exists in this scope",
                r.name
            )));
        }
        self.check_permissions(&r.permission_names)?;
        r.id = self.new_id("ROL", 16);
        r.created_time = now_secs();
        self.roles.push(r);
        Ok(())
    }

    /// Deletes a role by name (in `tenant_id`'s scope) or by id, and unassigns it from users.
    pub(crate) fn delete_role(
        &mut self,
        name: &str,
        id: &str,
        tenant_id: &str,
    ) -> Result<(), ApiError> {
        let pos = self.find_role(name, id, tenant_id)?;
        let role = self.roles.remove(pos);
        self.unmap_roles(std::slice::from_ref(&role.id));
        // A tenant role of the same name as a project role shadowed it in its tenant; once
        // gone, that tenant's assignments of the name mean the project role again, so keep them.
        if !role.tenant_id.is_empty() && self.role_in_scope("", &role.name).is_some() {
            return Ok(());
        }
        self.for_each_assignment(&role.tenant_id, &role.name, |names| {
            names.retain(|n| *n != role.name);
        });
        Ok(())
    }

    /// Replaces a tenant's settings (`t.id` names it); a new name reaches users' `tenantName`.
    pub(crate) fn replace_tenant(&mut self, t: TenantRecord) -> Result<(), ApiError> {
        let pos = self
            .tenants
            .iter()
            .position(|x| x.id == t.id)
            .ok_or_else(|| ApiError::tenant_not_found(&t.id))?;
        if t.name.is_empty() {
            return Err(ApiError::missing_argument("name is required"));
        }
        if self
            .tenants
            .iter()
            .any(|x| x.name == t.name && x.id != t.id)
        {
            return Err(ApiError::invalid_argument(format!(
                "Tenant name {:?} is already used",
                t.name
            )));
        }
        if !t.parent.is_empty()
            && (t.parent == t.id
                || self.tenant(&t.parent).is_none()
                || self.descendants(&t.id).contains(&t.parent))
        {
            return Err(ApiError::invalid_argument(format!(
                "Invalid parent tenant {:?}",
                t.parent
            )));
        }
        let renamed = self.tenants[pos].name != t.name;
        let cur = &mut self.tenants[pos];
        cur.name = t.name;
        cur.self_provisioning_domains = t.self_provisioning_domains;
        cur.custom_attributes = t.custom_attributes;
        cur.enforce_sso = t.enforce_sso;
        cur.disabled = t.disabled;
        cur.parent = t.parent;
        if renamed {
            let (id, name) = (cur.id.clone(), cur.name.clone());
            for u in &mut self.users {
                for m in &mut u.user_tenants {
                    if m.tenant_id == id {
                        m.tenant_name.clone_from(&name);
                    }
                }
            }
            for t in self.access_keys.iter_mut().flat_map(|k| &mut k.key_tenants) {
                if t.tenant_id == id {
                    t.tenant_name.clone_from(&name);
                }
            }
        }
        Ok(())
    }

    /// Replaces a role (found by `id`, else by `name` in `tenant_id`'s scope) with `new`'s
    /// name, description, permissions and flags; a rename follows into user assignments.
    pub(crate) fn replace_role(
        &mut self,
        name: &str,
        id: &str,
        tenant_id: &str,
        new: RoleRecord,
    ) -> Result<(), ApiError> {
        let pos = self.find_role(name, id, tenant_id)?;
        if new.name.is_empty() {
            return Err(ApiError::missing_argument("newName is required"));
        }
        let scope = self.roles[pos].tenant_id.clone();
        let old = self.roles[pos].name.clone();
        if new.name != old && self.role_in_scope(&scope, &new.name).is_some() {
            return Err(ApiError::invalid_argument(format!(
                "Role {:?} already exists in this scope",
                new.name
            )));
        }
        self.check_permissions(&new.permission_names)?;
        if new.name != old {
            self.for_each_assignment(&scope, &old, |names| {
                for n in names.iter_mut().filter(|n| **n == old) {
                    n.clone_from(&new.name);
                }
            });
            let role_id = self.roles[pos].id.clone();
            self.rename_mapped_role(&role_id, &new.name);
        }
        let r = &mut self.roles[pos];
        r.name = new.name;
        r.description = new.description;
        r.permission_names = new.permission_names;
        r.default = new.default;
        r.private = new.private;
        Ok(())
    }

    /// Replaces a permission's name and description; a rename follows into roles.
    pub(crate) fn replace_permission(
        &mut self,
        name: &str,
        id: &str,
        new_name: &str,
        description: String,
    ) -> Result<(), ApiError> {
        let pos = self.find_permission(name, id)?;
        if new_name.is_empty() {
            return Err(ApiError::missing_argument("newName is required"));
        }
        let old = self.permissions[pos].name.clone();
        if new_name != old && self.permissions.iter().any(|p| p.name == new_name) {
            return Err(ApiError::invalid_argument(format!(
                "Permission {new_name:?} already exists"
            )));
        }
        for r in &mut self.roles {
            for p in r.permission_names.iter_mut().filter(|p| **p == old) {
                *p = new_name.to_owned();
            }
        }
        let p = &mut self.permissions[pos];
        p.name = new_name.to_owned();
        p.description = description;
        Ok(())
    }

    pub(crate) fn find_role(
        &self,
        name: &str,
        id: &str,
        tenant_id: &str,
    ) -> Result<usize, ApiError> {
        if id.is_empty() {
            self.role_in_scope(tenant_id, name)
        } else {
            self.roles.iter().position(|r| r.id == id)
        }
        .ok_or_else(|| {
            let what = if id.is_empty() { name } else { id };
            ApiError::not_found("E115102", "Role not found", &format!("role {what:?}"))
        })
    }

    pub(crate) fn find_permission(&self, name: &str, id: &str) -> Result<usize, ApiError> {
        self.permissions
            .iter()
            .position(|p| (!name.is_empty() && p.name == name) || (!id.is_empty() && p.id == id))
            .ok_or_else(|| {
                let what = if name.is_empty() { id } else { name };
                ApiError::not_found(
                    "E116102",
                    "Permission not found",
                    &format!("permission {what:?}"),
                )
            })
    }

    fn check_permissions(&self, names: &[String]) -> Result<(), ApiError> {
        match names
            .iter()
            .find(|p| !self.permissions.iter().any(|x| &x.name == *p))
        {
            Some(p) => Err(ApiError::invalid_argument(format!(
                "Permission {p:?} does not exist"
            ))),
            None => Ok(()),
        }
    }

    /// Calls `f` on every role-name list where the role `name` of scope `scope` is assigned:
    /// for a project role, users' and access keys' project roles and their memberships of
    /// tenants without an own role of that name; for a tenant role, the memberships of that
    /// tenant.
    fn for_each_assignment(
        &mut self,
        scope: &str,
        name: &str,
        mut f: impl FnMut(&mut Vec<String>),
    ) {
        if scope.is_empty() {
            let shadowed: Vec<String> = self
                .roles
                .iter()
                .filter(|r| r.name == name && !r.tenant_id.is_empty())
                .map(|r| r.tenant_id.clone())
                .collect();
            for u in &mut self.users {
                f(&mut u.role_names);
                for m in &mut u.user_tenants {
                    if !shadowed.contains(&m.tenant_id) {
                        f(&mut m.role_names);
                    }
                }
            }
            for k in &mut self.access_keys {
                f(&mut k.role_names);
                for t in &mut k.key_tenants {
                    if !shadowed.contains(&t.tenant_id) {
                        f(&mut t.role_names);
                    }
                }
            }
        } else {
            for u in &mut self.users {
                for m in &mut u.user_tenants {
                    if m.tenant_id == scope {
                        f(&mut m.role_names);
                    }
                }
            }
            for t in self.access_keys.iter_mut().flat_map(|k| &mut k.key_tenants) {
                if t.tenant_id == scope {
                    f(&mut t.role_names);
                }
            }
        }
    }

    /// Creates a permission (names are unique).
    pub(crate) fn create_permission(&mut self, mut p: PermissionRecord) -> Result<(), ApiError> {
        if p.name.is_empty() {
            return Err(ApiError::missing_argument("name is required"));
        }
        if self.permissions.iter().any(|x| x.name == p.name) {
            return Err(ApiError::invalid_argument(format!(
                "Permission {:?} already exists",
                p.name
            )));
        }
        p.id = self.new_id("PRM", 16);
        self.permissions.push(p);
        Ok(())
    }

    /// Deletes a permission by name or id and removes it from every role.
    pub(crate) fn delete_permission(&mut self, name: &str, id: &str) -> Result<(), ApiError> {
        let pos = self.find_permission(name, id)?;
        let p = self.permissions.remove(pos);
        for r in &mut self.roles {
            r.permission_names.retain(|n| *n != p.name);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;
    use crate::records::{RoleRecord, TenantRecord, UserRecord, UserTenantRecord};
    use crate::state::State;

    #[test]
    fn delete_cascades() {
        let mut d = Dataset::new();
        d.tenants.push(TenantRecord::new("T1", "One"));
        let mut child = TenantRecord::new("T2", "Two");
        child.parent = "T1".into();
        d.tenants.push(child);
        d.roles.push(RoleRecord::new("R1", "Editor", ""));
        d.roles.push(RoleRecord::new("R2", "Editor", "T1"));
        let mut u = UserRecord::new("U1", "a@x.io");
        u.role_names.push("Editor".into());
        u.user_tenants
            .push(UserTenantRecord::new("T1", "One", vec!["Editor".into()]));
        u.user_tenants
            .push(UserTenantRecord::new("T2", "Two", vec!["Editor".into()]));
        d.users.push(u);
        let mut s = State::new(d, 1, DuplicateMode::Silent);

        // Deleting the project role keeps T1's own "Editor" but drops T2's (which meant the project role).
        s.delete_role("Editor", "", "").unwrap();
        let u = &s.users[0];
        assert!(u.role_names.is_empty());
        assert_eq!(u.user_tenants[0].role_names, ["Editor"]);
        assert!(u.user_tenants[1].role_names.is_empty());

        assert!(s.delete_tenant("T1", false).is_err());
        s.delete_tenant("T1", true).unwrap();
        assert!(s.tenants.is_empty() && s.roles.is_empty());
        assert!(s.users[0].user_tenants.is_empty());
    }
}
