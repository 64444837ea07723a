//! SSO applications: users' application assignments, and the roles named by groups mappings.

use super::State;
use crate::app_records::SsoAppRecord;
use crate::error::ApiError;

/// Which `/v1/mgmt/user/update/ssoapp/*` endpoint is being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppOp {
    Add,
    Set,
    Remove,
}

impl AppOp {
    /// The path's last segment (`add`, `set`, `remove`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Set => "set",
            Self::Remove => "remove",
        }
    }
}

/// 404 for an SSO application addressed by id. The code is the emulator's invention.
pub(crate) fn app_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "E119102",
        "SSO application not found",
        &format!("SSO application {id:?}"),
    )
}

impl State {
    pub(crate) fn sso_app(&self, id: &str) -> Option<&SsoAppRecord> {
        self.sso_apps.iter().find(|a| a.id == id)
    }

    /// 400 `E011004` for the first id that names no SSO application of the project.
    pub(crate) fn check_sso_apps(&self, ids: &[String]) -> Result<(), ApiError> {
        match ids.iter().find(|id| self.sso_app(id).is_none()) {
            Some(id) => Err(ApiError::invalid_argument(format!(
                "SSO application {id:?} does not exist"
            ))),
            None => Ok(()),
        }
    }

    /// Adds, sets or removes SSO applications of the user at `idx`. Every id must name an
    /// application (else 400 and nothing changes); adding one the user has, or removing one it
    /// lacks, follows the duplicate mode. An empty list after `set` or `remove` means the user
    /// may use every application, as Descope reads it.
    pub(crate) fn update_sso_apps(
        &mut self,
        idx: usize,
        ids: &[String],
        op: AppOp,
    ) -> Result<(), ApiError> {
        self.check_sso_apps(ids)?;
        let user = &self.users[idx];
        let ident = user.login_ids.first().unwrap_or(&user.user_id).clone();
        let have = &user.sso_app_ids;
        match op {
            AppOp::Add => {
                if let Some(id) = ids.iter().find(|id| have.contains(id)) {
                    self.duplicate("User already has SSO application", || {
                        format!("User {ident:?} already has SSO application {id:?}")
                    })?;
                }
            }
            AppOp::Remove => {
                if let Some(id) = ids.iter().find(|id| !have.contains(id)) {
                    self.duplicate("User does not have SSO application", || {
                        format!("User {ident:?} does not have SSO application {id:?}")
                    })?;
                }
            }
            AppOp::Set => {}
        }
        let list = &mut self.users[idx].sso_app_ids;
        match op {
            AppOp::Add => {}
            AppOp::Set => list.clear(),
            AppOp::Remove => {
                list.retain(|a| !ids.contains(a));
                return Ok(());
            }
        }
        for id in ids {
            if !list.contains(id) {
                list.push(id.clone());
            }
        }
        Ok(())
    }

    /// A role rename follows into the groups mappings that name the role's id.
    pub(super) fn rename_mapped_role(&mut self, role_id: &str, name: &str) {
        for r in self.mapped_roles() {
            if r.id == role_id {
                r.name = name.to_owned();
            }
        }
    }

    /// Deleted roles leave the groups mappings that named them.
    pub(super) fn unmap_roles(&mut self, role_ids: &[String]) {
        for app in &mut self.sso_apps {
            if let Some(saml) = &mut app.saml_settings {
                for g in &mut saml.groups_mapping {
                    g.roles.retain(|r| !role_ids.contains(&r.id));
                }
            }
        }
    }

    fn mapped_roles(&mut self) -> impl Iterator<Item = &mut crate::app_records::MappedRoleRecord> {
        self.sso_apps
            .iter_mut()
            .filter_map(|a| a.saml_settings.as_mut())
            .flat_map(|s| &mut s.groups_mapping)
            .flat_map(|g| &mut g.roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app_records::{GroupsMappingRecord, MappedRoleRecord};
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;
    use crate::records::UserRecord;

    fn state(mode: DuplicateMode) -> State {
        let mut d = Dataset::new();
        d.users.push(UserRecord::new("U1", "a@x.io"));
        let mut wiki = SsoAppRecord::saml("SA1", "Wiki");
        if let Some(s) = &mut wiki.saml_settings {
            s.groups_mapping.push(GroupsMappingRecord {
                value: "Engineering".into(),
                roles: vec![
                    MappedRoleRecord::new("R1", "Editor"),
                    MappedRoleRecord::new("R2", "Viewer"),
                ],
                ..GroupsMappingRecord::default()
            });
        }
        d.sso_apps.push(wiki);
        d.sso_apps.push(SsoAppRecord::oidc("SA2", "CRM"));
        State::new(d, 1, mode)
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn add_set_remove_and_unknown_apps() {
        let mut s = state(DuplicateMode::Silent);
        s.update_sso_apps(0, &ids(&["SA1", "SA1"]), AppOp::Add)
            .unwrap();
        assert_eq!(s.users[0].sso_app_ids, ["SA1"]);
        let e = s
            .update_sso_apps(0, &ids(&["SA2", "nope"]), AppOp::Add)
            .unwrap_err();
        assert_eq!(e.code, "E011004");
        assert_eq!(
            s.users[0].sso_app_ids,
            ["SA1"],
            "a refused call changes nothing"
        );
        s.update_sso_apps(0, &ids(&["SA2"]), AppOp::Set).unwrap();
        assert_eq!(s.users[0].sso_app_ids, ["SA2"]);
        s.update_sso_apps(0, &ids(&["SA1"]), AppOp::Remove).unwrap();
        s.update_sso_apps(0, &ids(&["SA2"]), AppOp::Remove).unwrap();
        assert!(s.users[0].sso_app_ids.is_empty());

        let mut s = state(DuplicateMode::Error);
        s.update_sso_apps(0, &ids(&["SA1"]), AppOp::Add).unwrap();
        let e = s.update_sso_apps(0, &ids(&["SA1"]), AppOp::Add);
        assert_eq!(e.unwrap_err().code, "E112104");
        let e = s.update_sso_apps(0, &ids(&["SA2"]), AppOp::Remove);
        assert_eq!(e.unwrap_err().code, "E112104");
    }

    #[test]
    fn role_renames_and_deletions_follow_into_groups_mappings() {
        let mut s = state(DuplicateMode::Silent);
        s.rename_mapped_role("R1", "Writer");
        s.unmap_roles(&ids(&["R2"]));
        let saml = s.sso_apps[0].saml_settings.as_ref().unwrap();
        assert_eq!(
            saml.groups_mapping[0].roles,
            [MappedRoleRecord::new("R1", "Writer")]
        );
    }
}
