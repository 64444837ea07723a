//! SCIM mutations of one tenant's users and groups. The SCIM view of a tenant is its members
//! (users with a membership of it) and its groups; everything a SCIM call changes is the same
//! state the management API serves.

use axum::http::StatusCode;

use super::State;
use crate::error::ApiError;
use crate::records::{GroupMemberRecord, GroupRecord, UserRecord, UserStatus, UserTenantRecord};

/// The user attributes SCIM create and replace carry, already mapped to Descope's fields.
#[derive(Debug, Default, Clone)]
pub(crate) struct ScimUserFields {
    /// The primary login id (`userName`).
    pub(crate) user_name: String,
    pub(crate) display_name: String,
    pub(crate) given_name: String,
    pub(crate) middle_name: String,
    pub(crate) family_name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    /// `None` keeps the status (create: enabled).
    pub(crate) active: Option<bool>,
    pub(crate) external_id: Option<String>,
    /// Descope custom attributes (`attributes`); `None` keeps them.
    pub(crate) custom_attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A group as SCIM sets it: the whole group after a create, replace or patch.
#[derive(Debug, Default, Clone)]
pub(crate) struct ScimGroupChanges {
    pub(crate) display_name: String,
    pub(crate) external_id: String,
    /// Member user ids, in order.
    pub(crate) members: Vec<String>,
}

fn conflict(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, "Conflict", message)
}

/// 404 for a group of the tenant that does not exist (invented code).
pub(crate) fn group_not_found(id: &str) -> ApiError {
    ApiError::not_found("E118102", "Group not found", &format!("group {id:?}"))
}

fn apply(u: &mut UserRecord, f: ScimUserFields) {
    u.name = f.display_name;
    u.given_name = f.given_name;
    u.middle_name = f.middle_name;
    u.family_name = f.family_name;
    u.email = f.email;
    u.phone = f.phone;
    match f.active {
        Some(false) => u.status = UserStatus::Disabled,
        // An invited user stays invited until they log in; any other status becomes enabled.
        Some(true) if u.status != UserStatus::Invited => u.status = UserStatus::Enabled,
        _ => {}
    }
    if let Some(x) = f.external_id {
        u.external_ids.retain(|e| *e != x);
        if !x.is_empty() {
            u.external_ids.insert(0, x);
        }
    }
    if let Some(a) = f.custom_attributes {
        u.custom_attributes = a;
    }
    // Created or updated through SCIM.
    u.scim = true;
}

impl State {
    /// Positions of the tenant's members, in creation order.
    pub(crate) fn scim_members<'a>(
        &'a self,
        tenant_id: &'a str,
    ) -> impl Iterator<Item = usize> + 'a {
        self.users
            .iter()
            .enumerate()
            .filter(move |(_, u)| u.tenant(tenant_id).is_some())
            .map(|(i, _)| i)
    }

    /// Position of the member `user_id` of the tenant, or 404 `E112102`.
    pub(crate) fn scim_member(&self, tenant_id: &str, user_id: &str) -> Result<usize, ApiError> {
        self.find_user_by_id(user_id)
            .filter(|&i| self.users[i].tenant(tenant_id).is_some())
            .ok_or_else(|| ApiError::user_not_found(user_id))
    }

    /// Creates a user in the tenant (a member without roles, `SCIM: true`). 409 when the
    /// `userName` is already any user's login id.
    pub(crate) fn scim_create_user(
        &mut self,
        tenant_id: &str,
        f: ScimUserFields,
    ) -> Result<usize, ApiError> {
        if f.user_name.is_empty() {
            return Err(ApiError::missing_argument("userName is required"));
        }
        if self.find_user(&f.user_name).is_some() {
            return Err(conflict(
                "E062107",
                format!("A user with userName {:?} already exists", f.user_name),
            ));
        }
        let name = self.tenant(tenant_id).map(|t| t.name.clone());
        let mut u = UserRecord::new(String::new(), f.user_name.clone());
        u.user_tenants.push(UserTenantRecord::new(
            tenant_id,
            name.unwrap_or_default(),
            Vec::new(),
        ));
        apply(&mut u, f);
        self.insert_user(u)
    }

    /// Replaces the member `user_id`'s profile (PUT). A new `userName` replaces the primary
    /// login id; 409 when another user has it.
    pub(crate) fn scim_replace_user(
        &mut self,
        tenant_id: &str,
        user_id: &str,
        f: ScimUserFields,
    ) -> Result<usize, ApiError> {
        let idx = self.scim_member(tenant_id, user_id)?;
        if f.user_name.is_empty() {
            return Err(ApiError::missing_argument("userName is required"));
        }
        if self
            .find_user(&f.user_name)
            .is_some_and(|other| other != idx)
        {
            return Err(conflict(
                "E062107",
                format!("A user with userName {:?} already exists", f.user_name),
            ));
        }
        let u = &mut self.users[idx];
        let old = u.login_ids.first().cloned();
        if old.as_deref() != Some(f.user_name.as_str()) {
            match u.login_ids.first_mut() {
                Some(first) => first.clone_from(&f.user_name),
                None => u.login_ids.push(f.user_name.clone()),
            }
            // The new name may have been one of the user's additional login ids.
            let primary = f.user_name.clone();
            let mut seen = false;
            u.login_ids.retain(|l| {
                let keep = *l != primary || !seen;
                seen |= *l == primary;
                keep
            });
            if let Some(old) = old {
                self.by_login_id.remove(&old);
            }
            self.by_login_id.insert(primary, idx);
        }
        apply(&mut self.users[idx], f);
        Ok(idx)
    }

    /// Deletes the member `user_id` (the whole user, as Descope's SCIM API documents
    /// "delete a user").
    pub(crate) fn scim_delete_user(
        &mut self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<UserRecord, ApiError> {
        let idx = self.scim_member(tenant_id, user_id)?;
        Ok(self.delete_user(idx))
    }

    /// Position of the tenant's group `id`, or 404.
    pub(crate) fn scim_group(&self, tenant_id: &str, id: &str) -> Result<usize, ApiError> {
        self.groups
            .iter()
            .position(|g| g.tenant_id == tenant_id && g.id == id)
            .ok_or_else(|| group_not_found(id))
    }

    /// Creates a group of the tenant (`source: "scim"`), with the id `wanted_id` when given
    /// (409 if any group has it), else a generated one.
    pub(crate) fn scim_create_group(
        &mut self,
        tenant_id: &str,
        wanted_id: Option<&str>,
        c: ScimGroupChanges,
    ) -> Result<usize, ApiError> {
        if let Some(id) = wanted_id
            && self.groups.iter().any(|g| g.id == id)
        {
            return Err(conflict(
                "E011409",
                format!("A group with id {id:?} already exists"),
            ));
        }
        self.save_group(tenant_id, None, wanted_id.map(str::to_owned), c)
    }

    /// Overwrites the tenant's group `id` with `c`.
    pub(crate) fn scim_save_group(
        &mut self,
        tenant_id: &str,
        id: &str,
        c: ScimGroupChanges,
    ) -> Result<usize, ApiError> {
        let pos = self.scim_group(tenant_id, id)?;
        self.save_group(tenant_id, Some(pos), None, c)
    }

    /// Writes `c` to the group at `pos`, or to a new group (id `new_id` or generated): the
    /// name is required and unique in the tenant (409), members must be members of the tenant
    /// (400). Validates before writing, so a failing call changes nothing.
    fn save_group(
        &mut self,
        tenant_id: &str,
        pos: Option<usize>,
        new_id: Option<String>,
        c: ScimGroupChanges,
    ) -> Result<usize, ApiError> {
        if c.display_name.is_empty() {
            return Err(ApiError::missing_argument("displayName is required"));
        }
        if self
            .groups
            .iter()
            .enumerate()
            .any(|(i, g)| g.tenant_id == tenant_id && g.display == c.display_name && Some(i) != pos)
        {
            return Err(conflict(
                "E011409",
                format!(
                    "A group named {:?} already exists in the tenant",
                    c.display_name
                ),
            ));
        }
        let mut members: Vec<GroupMemberRecord> = Vec::with_capacity(c.members.len());
        for m in &c.members {
            if members.iter().any(|x| x.user_id == *m) {
                continue;
            }
            let i = self
                .find_user_by_id(m)
                .filter(|&i| self.users[i].tenant(tenant_id).is_some())
                .ok_or_else(|| {
                    ApiError::invalid_argument(format!("member {m:?} is not a user of the tenant"))
                })?;
            let u = &self.users[i];
            members.push(GroupMemberRecord {
                login_id: u.login_ids.first().cloned().unwrap_or_default(),
                user_id: u.user_id.clone(),
                display: u.name.clone(),
            });
        }
        let pos = match pos {
            Some(p) => p,
            None => {
                let id = match new_id {
                    Some(id) => id,
                    None => loop {
                        let id = self.new_id("G", 12);
                        if !self.groups.iter().any(|g| g.id == id) {
                            break id;
                        }
                    },
                };
                self.groups.push(GroupRecord {
                    tenant_id: tenant_id.to_owned(),
                    id,
                    source: "scim".to_owned(),
                    ..GroupRecord::default()
                });
                self.groups.len() - 1
            }
        };
        let g = &mut self.groups[pos];
        g.display = c.display_name;
        g.external_id = c.external_id;
        g.members = members;
        Ok(pos)
    }

    /// Deletes the tenant's group `id`; returns it.
    pub(crate) fn scim_delete_group(
        &mut self,
        tenant_id: &str,
        id: &str,
    ) -> Result<GroupRecord, ApiError> {
        let pos = self.scim_group(tenant_id, id)?;
        Ok(self.groups.remove(pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;
    use crate::records::TenantRecord;

    fn state() -> State {
        let mut d = Dataset::new();
        d.tenants.push(TenantRecord::new("T1", "One"));
        d.tenants.push(TenantRecord::new("T2", "Two"));
        let mut a = UserRecord::new("U1", "a@x.io");
        a.user_tenants
            .push(UserTenantRecord::new("T1", "One", Vec::new()));
        d.users.push(a);
        let mut b = UserRecord::new("U2", "b@x.io");
        b.user_tenants
            .push(UserTenantRecord::new("T2", "Two", Vec::new()));
        d.users.push(b);
        State::new(d, 1, DuplicateMode::Silent)
    }

    fn fields(user_name: &str) -> ScimUserFields {
        ScimUserFields {
            user_name: user_name.into(),
            ..ScimUserFields::default()
        }
    }

    #[test]
    fn users_are_scoped_to_the_tenant() {
        let mut s = state();
        assert_eq!(s.scim_members("T1").collect::<Vec<_>>(), [0]);
        assert_eq!(s.scim_member("T1", "U2").unwrap_err().code, "E112102");
        assert_eq!(
            s.scim_create_user("T1", fields("b@x.io"))
                .unwrap_err()
                .status,
            StatusCode::CONFLICT
        );
        let i = s.scim_create_user("T1", fields("c@x.io")).unwrap();
        let u = &s.users[i];
        assert!(u.scim && u.tenant("T1").is_some_and(|m| m.tenant_name == "One"));
        let id = u.user_id.clone();

        let mut f = fields("c2@x.io");
        f.active = Some(false);
        s.scim_replace_user("T1", &id, f).unwrap();
        assert_eq!(s.find_user("c2@x.io"), Some(i));
        assert_eq!(s.find_user("c@x.io"), None);
        assert_eq!(s.users[i].status, UserStatus::Disabled);
        assert!(s.scim_replace_user("T1", &id, fields("a@x.io")).is_err());

        s.scim_delete_user("T1", &id).unwrap();
        assert!(s.find_user_by_id(&id).is_none());
        assert!(s.scim_delete_user("T1", "U2").is_err());
    }

    #[test]
    fn groups_check_names_and_members() {
        let mut s = state();
        let g = ScimGroupChanges {
            display_name: "Admins".into(),
            members: vec!["U1".into(), "U1".into()],
            ..ScimGroupChanges::default()
        };
        let p = s.scim_create_group("T1", None, g.clone()).unwrap();
        assert_eq!(s.groups[p].members.len(), 1);
        assert_eq!(s.groups[p].source, "scim");
        assert_eq!(
            s.scim_create_group("T1", None, g.clone())
                .unwrap_err()
                .status,
            StatusCode::CONFLICT
        );
        // The same name in another tenant is fine; a member of another tenant is not.
        let other = ScimGroupChanges {
            members: vec![],
            ..g.clone()
        };
        let q = s.scim_create_group("T2", Some("G-two"), other).unwrap();
        assert_eq!(s.groups[q].id, "G-two");
        assert_eq!(
            s.scim_create_group("T1", Some("G-two"), g.clone())
                .unwrap_err()
                .status,
            StatusCode::CONFLICT
        );
        let foreign = ScimGroupChanges {
            display_name: "X".into(),
            members: vec!["U2".into()],
            ..ScimGroupChanges::default()
        };
        assert_eq!(
            s.scim_create_group("T1", None, foreign).unwrap_err().code,
            "E011004"
        );
        let id = s.groups[p].id.clone();
        assert!(s.scim_delete_group("T2", &id).is_err());
        s.scim_delete_group("T1", &id).unwrap();
    }
}
