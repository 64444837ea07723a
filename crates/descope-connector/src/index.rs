//! The compact index of assignments built while users stream past.
//!
//! Grants are listed per tenant and per role, but Descope reports assignments on the user. Rather
//! than keep whole user records (or page through users a second time), the user syncer records each
//! user once as a small interned entry and appends its number to the list of every tenant and role
//! it holds. A million assignments cost four bytes each. The maps hash with foldhash: SipHash was
//! ~4.5% of the engine thread's samples (perf, W1 benchmark), and the keys come from the project's
//! own Descope responses, not from an adversary choosing collisions.
//!
//! # Memory
//!
//! A principal costs its id and display name once, in the shared blocks of an
//! [`InternSet`] and a [`StrList`], plus about 40 bytes of positions and table: about 80 bytes
//! for a Descope user (a 28-character id, a 13-character name), where an entry of two `Arc<str>`
//! and a `HashMap<Arc<str>, u32>` took about 210. Each assignment is a `u32` in its role's or
//! tenant's list. So a million users with six million assignments hold about 80 MB here plus
//! 24 MB of lists (48 MB at worst before the lists' last growth).

use std::collections::{BTreeMap, BTreeSet};

use c1_connector_sdk::compact::{InternSet, StrList};
use foldhash::HashMap;

use descope_mgmt::User;

use crate::catalog::Catalog;
use crate::ids::RoleRef;

/// The kinds of principal that hold roles and tenant memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PrincipalKind {
    /// A Descope user (`user` resources).
    User,
    /// A Descope access key (`access_key` resources).
    AccessKey,
}

impl PrincipalKind {
    /// The resource type of principals of this kind.
    pub(crate) fn resource_type(self) -> &'static str {
        match self {
            PrincipalKind::User => crate::kinds::USER_TYPE,
            PrincipalKind::AccessKey => crate::kinds::ACCESS_KEY_TYPE,
        }
    }
}

/// A principal as grants need it: its kind, id and display name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserEntry<'a> {
    pub(crate) kind: PrincipalKind,
    /// The principal's resource id (its user or key id, escaped).
    pub(crate) resource_id: &'a str,
    pub(crate) display_name: &'a str,
}

/// What the index needs of a user: its id, display name and assignments. A user from Descope
/// and a user record reloaded from the sync's session (`session::StoredUser`, a module above this one) both
/// provide it, so a resumed sync rebuilds the same index without asking Descope again.
pub(crate) trait Assignments {
    fn user_id(&self) -> &str;
    fn display_name(&self) -> &str;
    /// Project role names.
    fn role_names(&self) -> &[String];
    /// `(tenant id, role names in that tenant)` for each membership.
    fn tenants(&self) -> impl Iterator<Item = (&str, &[String])>;
    /// The name of a tenant the user is a member of, when the record carries it.
    fn tenant_name(&self, _tenant_id: &str) -> Option<&str> {
        None
    }
    /// The SSO applications the principal may use (`ssoAppIds`; empty means every app), or
    /// `None` for principals that have no SSO app access (access keys).
    fn sso_app_ids(&self) -> Option<&[String]> {
        None
    }
}

impl Assignments for User {
    fn user_id(&self) -> &str {
        &self.user_id
    }
    fn display_name(&self) -> &str {
        display_name(self)
    }
    fn role_names(&self) -> &[String] {
        &self.role_names
    }
    fn tenants(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.user_tenants
            .iter()
            .map(|t| (t.tenant_id.as_str(), t.role_names.as_slice()))
    }
    fn tenant_name(&self, tenant_id: &str) -> Option<&str> {
        self.user_tenants
            .iter()
            .find(|t| t.tenant_id == tenant_id && !t.tenant_name.is_empty())
            .map(|t| t.tenant_name.as_str())
    }
    fn sso_app_ids(&self) -> Option<&[String]> {
        Some(&self.sso_app_ids)
    }
}

/// Who holds what, by user number.
#[derive(Debug, Default)]
pub(crate) struct AssignmentIndex {
    /// Principals by kind and id (see [`principal_key`]), numbered in the order recorded.
    principals: InternSet,
    /// Display names, by principal number.
    names: StrList,
    /// Resource ids of the principals whose id escaping changes (few: ids with `%`, `/`, `:`).
    escaped: HashMap<u32, Box<str>>,
    user_count: usize,
    by_role: HashMap<RoleRef, Vec<u32>>,
    by_tenant: HashMap<String, Vec<u32>>,
    /// Users whose `ssoAppIds` names the app.
    by_app: HashMap<String, Vec<u32>>,
    /// Users whose `ssoAppIds` is empty, which Descope reads as access to every app: one list
    /// rather than one entry per app.
    all_apps: Vec<u32>,
    /// Roles users hold that no role listing returned (see [`AssignmentIndex::record`]).
    roles_found_on_users: BTreeSet<RoleRef>,
    /// Tenants users are members of that the tenant listing did not return, with the name the
    /// user records gave (empty when none did).
    tenants_found_on_users: BTreeMap<String, String>,
}

impl AssignmentIndex {
    /// Records a user's assignments. Returns `false` (and records nothing) when the user was
    /// already recorded in this sync: a project that changes while pages are read can shift a user
    /// from one page to the next, and no user is ever emitted twice.
    ///
    /// No assignment is ever dropped. A role name that no listing returned (Descope's `role/all`
    /// may leave tenant roles out, or the role was created after the catalog was read) still
    /// counts: a project-level name as a project role, a name within a tenant as that tenant's
    /// own role (or the project role of that name, if there is one); a tenant the tenant listing
    /// did not return still has its members. These are remembered
    /// ([`AssignmentIndex::roles_found_on_users`], [`AssignmentIndex::tenants_found_on_users`])
    /// so the user listing can emit resources for them.
    pub(crate) fn record(&mut self, user: &impl Assignments, catalog: &Catalog) -> bool {
        let recorded = self.record_as(PrincipalKind::User, user, catalog);
        if recorded {
            self.user_count += 1;
        }
        recorded
    }

    /// Records an access key's assignments (its project roles, tenants and tenant roles), as
    /// [`AssignmentIndex::record`] does a user's. Returns `false` for a key already recorded.
    pub(crate) fn record_key(&mut self, key: &impl Assignments, catalog: &Catalog) -> bool {
        self.record_as(PrincipalKind::AccessKey, key, catalog)
    }

    fn record_as(
        &mut self,
        kind: PrincipalKind,
        user: &impl Assignments,
        catalog: &Catalog,
    ) -> bool {
        let id = user.user_id();
        if id.is_empty() {
            return false;
        }
        let (n, new) = principal_key(kind, id, |key| self.principals.insert(key));
        if !new {
            return false;
        }
        self.names.push(user.display_name());
        // User and key ids escape alike (one id component each).
        let encoded = crate::ids::user_resource_id(id);
        if encoded != id {
            self.escaped.insert(n, encoded.into());
        }

        if let Some(apps) = user.sso_app_ids() {
            if apps.is_empty() {
                self.all_apps.push(n);
            }
            for app in apps {
                push_unique(self.by_app.entry(app.clone()).or_default(), n);
            }
        }
        for name in user.role_names() {
            let role = RoleRef::Project { name: name.clone() };
            if !catalog.has_project_role(name) && !self.roles_found_on_users.contains(&role) {
                self.roles_found_on_users.insert(role.clone());
            }
            push_unique(self.by_role.entry(role).or_default(), n);
        }
        for (tenant_id, role_names) in user.tenants() {
            if catalog.tenant(tenant_id).is_none() {
                // A tenant the listing did not return (created after it was read).
                let name = user.tenant_name(tenant_id).unwrap_or_default();
                let known = self
                    .tenants_found_on_users
                    .entry(tenant_id.to_owned())
                    .or_default();
                if known.is_empty() && !name.is_empty() {
                    *known = name.to_owned();
                }
            }
            push_unique(self.by_tenant.entry(tenant_id.to_owned()).or_default(), n);
            for name in role_names {
                let role = match catalog.resolve_tenant_assignment(tenant_id, name) {
                    Some(role) => role,
                    None => {
                        let role = RoleRef::TenantScoped {
                            tenant_id: tenant_id.to_owned(),
                            name: name.clone(),
                        };
                        if !self.roles_found_on_users.contains(&role) {
                            self.roles_found_on_users.insert(role.clone());
                        }
                        role
                    }
                };
                push_unique(self.by_role.entry(role).or_default(), n);
            }
        }
        true
    }

    /// The holders of a role assignment target.
    pub(crate) fn role_holders(&self, role: &RoleRef) -> &[u32] {
        self.by_role.get(role).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The users with access to an SSO application: those whose `ssoAppIds` names it, and
    /// those whose `ssoAppIds` is empty (every app).
    pub(crate) fn app_holders(&self, app_id: &str) -> (&[u32], &[u32]) {
        (
            self.by_app.get(app_id).map(Vec::as_slice).unwrap_or(&[]),
            &self.all_apps,
        )
    }

    /// The members of a tenant.
    pub(crate) fn tenant_members(&self, tenant_id: &str) -> &[u32] {
        self.by_tenant
            .get(tenant_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The tenants each principal is a member of, by principal number (the tenant → members
    /// lists turned around, each principal's tenants sorted; built on demand).
    pub(crate) fn memberships(&self) -> HashMap<u32, Vec<&str>> {
        let mut by_principal: HashMap<u32, Vec<&str>> = HashMap::default();
        for (tenant_id, members) in &self.by_tenant {
            for &n in members {
                by_principal.entry(n).or_default().push(tenant_id);
            }
        }
        for tenants in by_principal.values_mut() {
            tenants.sort_unstable();
        }
        by_principal
    }

    /// The principal (user or access key) recorded under a number.
    pub(crate) fn user(&self, n: u32) -> Option<UserEntry<'_>> {
        if n as usize >= self.principals.len() {
            return None;
        }
        let key = self.principals.get(n);
        let kind = match key.first() {
            Some(&KEY) => PrincipalKind::AccessKey,
            _ => PrincipalKind::User,
        };
        let resource_id = match self.escaped.get(&n) {
            Some(escaped) => escaped,
            // Added from a `&str`, after the one-byte kind.
            None => std::str::from_utf8(&key[1..]).unwrap_or_default(),
        };
        Some(UserEntry {
            kind,
            resource_id,
            display_name: self.names.get(n),
        })
    }

    /// How many users were recorded.
    pub(crate) fn user_count(&self) -> usize {
        self.user_count
    }

    /// The user recorded under a Descope user id.
    pub(crate) fn user_entry(&self, user_id: &str) -> Option<UserEntry<'_>> {
        let n = principal_key(PrincipalKind::User, user_id, |key| {
            self.principals.find(key)
        })?;
        self.user(n)
    }

    /// Roles users hold that no role listing returned.
    pub(crate) fn roles_found_on_users(&self) -> &BTreeSet<RoleRef> {
        &self.roles_found_on_users
    }

    /// Tenants users are members of that the tenant listing did not return, with their names.
    pub(crate) fn tenants_found_on_users(&self) -> &BTreeMap<String, String> {
        &self.tenants_found_on_users
    }
}

/// The first byte of an access key's entry in the principal set (a user's is [`USER`]).
const KEY: u8 = b'k';
/// The first byte of a user's entry in the principal set.
const USER: u8 = b'u';

/// Calls `f` with the principal set's key of a user or key id: a kind byte and the id, so a
/// user and a key with the same id are two principals.
fn principal_key<R>(kind: PrincipalKind, id: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let tag = match kind {
        PrincipalKind::User => USER,
        PrincipalKind::AccessKey => KEY,
    };
    let mut buf = [0u8; 128];
    if id.len() < buf.len() {
        buf[0] = tag;
        buf[1..=id.len()].copy_from_slice(id.as_bytes());
        f(&buf[..=id.len()])
    } else {
        let mut key = Vec::with_capacity(id.len() + 1);
        key.push(tag);
        key.extend_from_slice(id.as_bytes());
        f(&key)
    }
}

/// A user's display name: its name, else its first login id, else its user id.
pub(crate) fn display_name(user: &User) -> &str {
    if !user.name.is_empty() {
        &user.name
    } else if let Some(login) = user.login_ids.first().filter(|l| !l.is_empty()) {
        login
    } else {
        &user.user_id
    }
}

/// Appends `n` unless it is already the last entry: Descope can list a role twice on one user,
/// and one assignment is one grant. Users are recorded in order, so a repeat is always the last.
fn push_unique(list: &mut Vec<u32>, n: u32) {
    if list.last() != Some(&n) {
        list.push(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descope_mgmt::UserTenant;

    fn user(id: &str, tenants: &[&str]) -> User {
        let mut u = User::default();
        u.user_id = id.to_owned();
        u.user_tenants = tenants
            .iter()
            .map(|t| {
                let mut m = UserTenant::default();
                m.tenant_id = (*t).to_owned();
                m
            })
            .collect();
        u
    }

    #[test]
    fn memberships_turn_the_tenant_lists_around() {
        let catalog = Catalog::new(Vec::new(), Vec::new(), Vec::new());
        let mut index = AssignmentIndex::default();
        for u in [
            user("U0", &["T2", "T1"]),
            user("U1", &[]),
            user("U2", &["T1"]),
        ] {
            assert!(index.record(&u, &catalog));
        }
        let m = index.memberships();
        assert_eq!(m.get(&0).map(Vec::as_slice), Some(&["T1", "T2"][..]));
        assert_eq!(m.get(&1), None);
        assert_eq!(m.get(&2).map(Vec::as_slice), Some(&["T1"][..]));
    }
}
