//! User mutations: create, delete, status, and role and tenant assignment.

use serde_json::{Map, Value};

use super::{State, now_secs};
use crate::error::ApiError;
use crate::knobs::DuplicateMode;
use crate::records::{UserFamilyRecord, UserRecord, UserStatus, UserTenantRecord};

/// Which role endpoint is being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleOp {
    /// v1 add: a tenant role needs an existing membership.
    AddV1,
    /// v2 add: adds the membership when missing.
    AddV2,
    Remove,
    Set,
}

/// The changes of a user update (everything set: a full replacement) or patch (only what
/// the request carries).
#[derive(Debug, Default)]
pub(crate) struct UserChanges {
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) given_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) family_name: Option<String>,
    pub(crate) picture: Option<String>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) user_tenants: Option<Vec<UserTenantRecord>>,
    /// Login ids after the primary one.
    pub(crate) additional_login_ids: Option<Vec<String>>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    pub(crate) sso_app_ids: Option<Vec<String>>,
    pub(crate) status: Option<UserStatus>,
    pub(crate) scim: Option<bool>,
    pub(crate) test: Option<bool>,
    pub(crate) user_families: Option<Vec<UserFamilyRecord>>,
}

fn set<T>(field: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *field = v;
    }
}

impl State {
    /// Applies an update or patch to the user at `idx`, after validating roles, tenants and
    /// login ids, so a failing call changes nothing.
    pub(crate) fn apply_changes(&mut self, idx: usize, mut c: UserChanges) -> Result<(), ApiError> {
        for r in c.role_names.iter().flatten() {
            self.check_role("", r)?;
        }
        if let Some(ts) = &mut c.user_tenants {
            for m in ts.iter_mut() {
                let t = self.tenant(&m.tenant_id).ok_or_else(|| {
                    ApiError::invalid_argument(format!("Tenant {:?} does not exist", m.tenant_id))
                })?;
                m.tenant_name.clone_from(&t.name);
            }
            for m in ts.iter() {
                for r in &m.role_names {
                    self.check_role(&m.tenant_id, r)?;
                }
            }
        }
        if let Some(apps) = &c.sso_app_ids {
            self.check_sso_apps(apps)?;
        }
        for l in c.additional_login_ids.iter().flatten() {
            if self.find_user(l).is_some_and(|other| other != idx) {
                return Err(ApiError::user_exists(l));
            }
        }
        let old_logins = c
            .additional_login_ids
            .is_some()
            .then(|| self.users[idx].login_ids.clone());
        let u = &mut self.users[idx];
        set(&mut u.email, c.email);
        set(&mut u.phone, c.phone);
        set(&mut u.name, c.name);
        set(&mut u.given_name, c.given_name);
        set(&mut u.middle_name, c.middle_name);
        set(&mut u.family_name, c.family_name);
        set(&mut u.picture, c.picture);
        set(&mut u.custom_attributes, c.custom_attributes);
        set(&mut u.role_names, c.role_names);
        set(&mut u.user_tenants, c.user_tenants);
        set(&mut u.verified_email, c.verified_email);
        set(&mut u.verified_phone, c.verified_phone);
        set(&mut u.sso_app_ids, c.sso_app_ids);
        set(&mut u.status, c.status);
        set(&mut u.scim, c.scim);
        set(&mut u.test, c.test);
        set(&mut u.user_families, c.user_families);
        if let Some(extra) = c.additional_login_ids {
            u.login_ids.truncate(1);
            for l in extra {
                if !l.is_empty() && !u.login_ids.contains(&l) {
                    u.login_ids.push(l);
                }
            }
        }
        if let Some(old) = old_logins {
            for l in old {
                self.by_login_id.remove(&l);
            }
            for l in &self.users[idx].login_ids {
                self.by_login_id.insert(l.clone(), idx);
            }
        }
        Ok(())
    }

    /// Inserts a user built from a create request: checks login ids, tenants and roles,
    /// fills tenant names, assigns a user id. Returns the new user's position.
    pub(crate) fn insert_user(&mut self, mut user: UserRecord) -> Result<usize, ApiError> {
        if user.login_ids.iter().all(String::is_empty) {
            return Err(ApiError::missing_argument("loginId is required"));
        }
        user.login_ids.retain(|l| !l.is_empty());
        for l in &user.login_ids {
            if self.find_user(l).is_some() {
                return Err(ApiError::user_exists(l));
            }
        }
        for r in &user.role_names {
            self.check_role("", r)?;
        }
        for m in &mut user.user_tenants {
            let t = self.tenant(&m.tenant_id).ok_or_else(|| {
                ApiError::invalid_argument(format!("Tenant {:?} does not exist", m.tenant_id))
            })?;
            m.tenant_name.clone_from(&t.name);
        }
        for m in &user.user_tenants {
            for r in &m.role_names {
                self.check_role(&m.tenant_id, r)?;
            }
        }
        self.check_sso_apps(&user.sso_app_ids)?;
        user.user_id = loop {
            let id = self.new_id("U2", 28);
            if self.find_user_by_id(&id).is_none() {
                break id;
            }
        };
        user.created_time = now_secs();
        // Set again, to the millisecond, when the creation is audited.
        user.modified_time = user.created_time;
        let idx = self.users.len();
        self.users.push(user);
        self.index_from(idx);
        Ok(idx)
    }

    /// Deletes the user at `idx`, keeping creation order and the indexes right; returns it.
    pub(crate) fn delete_user(&mut self, idx: usize) -> UserRecord {
        let u = self.users.remove(idx);
        self.by_user_id.remove(&u.user_id);
        for l in &u.login_ids {
            self.by_login_id.remove(l);
        }
        for g in &mut self.groups {
            g.members.retain(|m| m.user_id != u.user_id);
        }
        self.forget_logins(&u.user_id);
        self.forget_modified(&u.user_id);
        self.index_from(idx);
        u
    }

    pub(crate) fn set_status(&mut self, idx: usize, status: UserStatus) {
        if let Some(u) = self.users.get_mut(idx) {
            u.status = status;
        }
    }

    pub(super) fn duplicate(
        &self,
        description: &'static str,
        message: impl FnOnce() -> String,
    ) -> Result<(), ApiError> {
        match self.duplicates {
            DuplicateMode::Error => Err(ApiError::duplicate(description, message())),
            _ => Ok(()),
        }
    }

    /// Role add (v1/v2), remove and set, at project level (`tenant_id` empty) or in a tenant.
    /// Validates everything first, so a failing call changes nothing.
    pub(crate) fn update_roles(
        &mut self,
        idx: usize,
        tenant_id: &str,
        names: &[String],
        op: RoleOp,
    ) -> Result<(), ApiError> {
        let tenant_name = if tenant_id.is_empty() {
            None
        } else {
            let t = self.tenant(tenant_id).ok_or_else(|| {
                ApiError::invalid_argument(format!("Tenant {tenant_id:?} does not exist"))
            })?;
            Some(t.name.clone())
        };
        if op != RoleOp::Remove {
            for n in names {
                self.check_role(tenant_id, n)?;
            }
        }
        let user = &self.users[idx];
        let ident = user.login_ids.first().unwrap_or(&user.user_id).clone();
        let current: Option<&Vec<String>> = match tenant_name {
            None => Some(&user.role_names),
            Some(_) => user.tenant(tenant_id).map(|m| &m.role_names),
        };
        match (op, current) {
            (RoleOp::AddV1 | RoleOp::Set, None) => {
                return Err(ApiError::not_member(&ident, tenant_id));
            }
            (RoleOp::AddV1 | RoleOp::AddV2, Some(cur)) => {
                if let Some(n) = names.iter().find(|n| cur.contains(n)) {
                    self.duplicate("User already has role", || {
                        format!("User {ident:?} already has role {n:?}")
                    })?;
                }
            }
            (RoleOp::Remove, cur) => {
                let empty = Vec::new();
                let cur = cur.unwrap_or(&empty);
                if let Some(n) = names.iter().find(|n| !cur.contains(n)) {
                    self.duplicate("User does not have role", || {
                        format!("User {ident:?} does not have role {n:?}")
                    })?;
                }
            }
            (RoleOp::AddV2, None) | (RoleOp::Set, Some(_)) => {}
        }

        let user = &mut self.users[idx];
        let list = match tenant_name {
            None => &mut user.role_names,
            Some(name) => {
                let pos = match user
                    .user_tenants
                    .iter()
                    .position(|m| m.tenant_id == tenant_id)
                {
                    Some(p) => p,
                    None if op == RoleOp::Remove => return Ok(()),
                    None => {
                        user.user_tenants
                            .push(UserTenantRecord::new(tenant_id, name, Vec::new()));
                        user.user_tenants.len() - 1
                    }
                };
                &mut user.user_tenants[pos].role_names
            }
        };
        match op {
            RoleOp::AddV1 | RoleOp::AddV2 => {
                for n in names {
                    if !list.contains(n) {
                        list.push(n.clone());
                    }
                }
            }
            RoleOp::Remove => list.retain(|r| !names.contains(r)),
            RoleOp::Set => {
                list.clear();
                for n in names {
                    if !list.contains(n) {
                        list.push(n.clone());
                    }
                }
            }
        }
        Ok(())
    }

    /// Tenant add (`add = true`) or remove for the user at `idx`.
    pub(crate) fn update_tenant(
        &mut self,
        idx: usize,
        tenant_id: &str,
        add: bool,
    ) -> Result<(), ApiError> {
        if tenant_id.is_empty() {
            return Err(ApiError::missing_argument("tenantId is required"));
        }
        let name = match self.tenant(tenant_id) {
            Some(t) => t.name.clone(),
            None if add => {
                return Err(ApiError::invalid_argument(format!(
                    "Tenant {tenant_id:?} does not exist"
                )));
            }
            None => String::new(),
        };
        let user = &self.users[idx];
        let ident = user.login_ids.first().unwrap_or(&user.user_id).clone();
        let member = user.tenant(tenant_id).is_some();
        if add && member {
            self.duplicate("User already in tenant", || {
                format!("User {ident:?} is already a member of tenant {tenant_id:?}")
            })?;
        }
        if !add && !member {
            self.duplicate("User not in tenant", || {
                format!("User {ident:?} is not a member of tenant {tenant_id:?}")
            })?;
        }
        let user = &mut self.users[idx];
        if add && !member {
            user.user_tenants
                .push(UserTenantRecord::new(tenant_id, name, Vec::new()));
        } else if !add {
            user.user_tenants.retain(|m| m.tenant_id != tenant_id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::records::{RoleRecord, TenantRecord};

    fn state(mode: DuplicateMode) -> State {
        let mut d = Dataset::new();
        d.tenants.push(TenantRecord::new("T1", "One"));
        d.roles.push(RoleRecord::new("R1", "Viewer", ""));
        d.roles.push(RoleRecord::new("R2", "Editor", "T1"));
        d.users.push(UserRecord::new("U1", "a@x.io"));
        State::new(d, 1, mode)
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn v1_needs_membership_v2_adds_it() {
        let mut s = state(DuplicateMode::Silent);
        let e = s.update_roles(0, "T1", &names(&["Editor"]), RoleOp::AddV1);
        assert_eq!(e.unwrap_err().code, "E112105");
        s.update_roles(0, "T1", &names(&["Editor", "Viewer"]), RoleOp::AddV2)
            .unwrap();
        let m = s.users[0].tenant("T1").unwrap();
        assert_eq!(m.tenant_name, "One");
        assert_eq!(m.role_names, names(&["Editor", "Viewer"]));
        assert!(
            s.update_roles(0, "", &names(&["Editor"]), RoleOp::AddV2)
                .is_err()
        );
    }

    #[test]
    fn duplicates_error_or_silent() {
        let mut s = state(DuplicateMode::Error);
        s.update_roles(0, "", &names(&["Viewer"]), RoleOp::AddV2)
            .unwrap();
        let e = s
            .update_roles(0, "", &names(&["Viewer"]), RoleOp::AddV2)
            .unwrap_err();
        assert_eq!(e.code, "E112104");
        s.update_roles(0, "", &names(&["Viewer"]), RoleOp::Remove)
            .unwrap();
        assert!(
            s.update_roles(0, "", &names(&["Viewer"]), RoleOp::Remove)
                .is_err()
        );
        assert!(s.update_tenant(0, "T1", false).is_err());
        s.update_tenant(0, "T1", true).unwrap();
        assert!(s.update_tenant(0, "T1", true).is_err());

        let mut s = state(DuplicateMode::Silent);
        s.update_roles(0, "", &names(&["Viewer"]), RoleOp::AddV2)
            .unwrap();
        s.update_roles(0, "", &names(&["Viewer"]), RoleOp::AddV2)
            .unwrap();
        assert_eq!(s.users[0].role_names, names(&["Viewer"]));
        s.update_tenant(0, "T1", false).unwrap();
    }

    #[test]
    fn insert_and_delete_keep_indexes() {
        let mut s = state(DuplicateMode::Silent);
        let mut u = UserRecord::new("", "b@x.io");
        u.user_tenants
            .push(UserTenantRecord::new("T1", "", names(&["Editor"])));
        let i = s.insert_user(u).unwrap();
        assert_eq!(s.users[i].user_tenants[0].tenant_name, "One");
        assert!(s.insert_user(UserRecord::new("", "b@x.io")).is_err());
        s.delete_user(0);
        assert_eq!(s.find_user("b@x.io"), Some(0));
        assert_eq!(s.find_user("a@x.io"), None);
    }
}
