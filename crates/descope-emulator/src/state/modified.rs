//! Users' modified time: set by the audit of every `UserCreated` and `UserModified` (see
//! [`State::audit`]), kept to the millisecond for user search's `fromModifiedTime` and
//! `toModifiedTime`.

use super::State;
use crate::records::UserRecord;

impl State {
    /// When `u` was last modified, in epoch milliseconds: the instant of its last change made
    /// through the API since start, else the start of its `modifiedTime` second.
    pub(crate) fn modified_millis(&self, u: &UserRecord) -> i64 {
        self.modified_ms
            .get(&u.user_id)
            .copied()
            .unwrap_or_else(|| u.modified_time.saturating_mul(1000))
    }

    /// Records that the user at `idx` was modified at `millis` (epoch ms): its `modifiedTime`
    /// becomes that second.
    pub(crate) fn touch_user(&mut self, idx: usize, millis: i64) {
        if let Some(u) = self.users.get_mut(idx) {
            u.modified_time = millis.div_euclid(1000);
            self.modified_ms.insert(u.user_id.clone(), millis);
        }
    }

    /// Forgets the precise modified time of a deleted user.
    pub(crate) fn forget_modified(&mut self, user_id: &str) {
        self.modified_ms.remove(user_id);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{RoleOp, UserChanges, obj};
    use super::*;
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;
    use crate::records::{RoleRecord, TenantRecord};

    fn state(assignment_bumps: bool) -> State {
        let mut d = Dataset::new();
        d.tenants.push(TenantRecord::new("T1", "One"));
        d.roles.push(RoleRecord::new("R1", "Viewer", ""));
        let mut u = UserRecord::new("U1", "a@x.io");
        u.created_time = 1_700_000_000;
        d.users.push(u);
        let mut s = State::new(d, 1, DuplicateMode::Silent);
        s.assignment_changes_bump = assignment_bumps;
        s
    }

    /// Applies `f` to user 0 and audits it as `UserModified` with `operation`, as the
    /// handlers do; returns whether the modified time moved (to the audit record's time).
    fn modify(s: &mut State, operation: &str, f: impl FnOnce(&mut State)) -> bool {
        // A time no change can have, so a change in the same millisecond still shows.
        let was = 1_000;
        s.touch_user(0, was);
        let before = s.users[0].clone();
        f(s);
        s.audit_user_modified(&before, 0, obj(json!({ "operation": operation })));
        let occurred = s.audit.last().map(|a| a.occurred).unwrap_or_default();
        let now = s.modified_millis(&s.users[0]);
        if now == was {
            return false;
        }
        assert_eq!(now, occurred, "the modified time is the audit record's");
        assert_eq!(s.users[0].modified_time, occurred / 1000);
        true
    }

    fn roles(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn loaded_users_are_modified_no_earlier_than_created() {
        let s = state(true);
        assert_eq!(s.users[0].modified_time, 1_700_000_000);
        assert_eq!(s.modified_millis(&s.users[0]), 1_700_000_000_000);
    }

    #[test]
    fn every_change_moves_the_time_to_its_audit_record() {
        let mut s = state(true);
        let name = UserChanges {
            name: Some("Ada".into()),
            ..UserChanges::default()
        };
        assert!(modify(&mut s, "patch", |s| s
            .apply_changes(0, name)
            .unwrap()));
        assert!(modify(&mut s, "roles.add", |s| {
            s.update_roles(0, "", &roles(&["Viewer"]), RoleOp::AddV2)
                .unwrap();
        }));
        assert!(modify(&mut s, "tenant.add", |s| s
            .update_tenant(0, "T1", true)
            .unwrap()));
        assert!(modify(&mut s, "roles.add", |_| {}), "a no-op call bumps");
        assert!(modify(&mut s, "recoveryCodes.delete", |_| {}));
    }

    #[test]
    fn assignment_changes_can_leave_the_time_alone() {
        let mut s = state(false);
        assert!(!modify(&mut s, "roles.add", |s| {
            s.update_roles(0, "", &roles(&["Viewer"]), RoleOp::AddV2)
                .unwrap();
        }));
        assert!(!modify(&mut s, "tenant.add", |s| s
            .update_tenant(0, "T1", true)
            .unwrap()));
        assert!(!modify(&mut s, "roles.add", |_| {}), "a no-op role call");
        let only_roles = UserChanges {
            role_names: Some(Vec::new()),
            ..UserChanges::default()
        };
        assert!(!modify(&mut s, "patch", |s| s
            .apply_changes(0, only_roles)
            .unwrap()));
        assert!(modify(&mut s, "patch", |_| {}), "a no-op patch is a write");
        let both = UserChanges {
            name: Some("Ada".into()),
            role_names: Some(roles(&["Viewer"])),
            ..UserChanges::default()
        };
        assert!(modify(&mut s, "update", |s| s
            .apply_changes(0, both)
            .unwrap()));
        assert_eq!(
            s.audit
                .iter()
                .filter(|a| a.action == "UserModified")
                .count(),
            6,
            "every change is audited either way"
        );
    }

    #[test]
    fn created_users_get_the_time_of_their_creation_and_deletion_forgets_it() {
        let mut s = state(true);
        let i = s.insert_user(UserRecord::new("", "b@x.io")).unwrap();
        let e = s.user_created(i, obj(json!({ "operation": "create" })));
        s.audit(e);
        let occurred = s.audit.last().unwrap().occurred;
        let id = s.users[i].user_id.clone();
        assert_eq!(s.modified_millis(&s.users[i]), occurred);
        assert!(s.users[i].modified_time >= s.users[i].created_time);
        s.delete_user(i);
        assert!(!s.modified_ms.contains_key(&id));
    }
}

/// The readings of users' modified time the builder chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModifiedKnobs {
    /// `fromModifiedTime` matches users modified strictly after it.
    pub(crate) from_exclusive: bool,
    /// An assignment-only change bumps the user's modified time.
    pub(crate) assignment_bumps: bool,
}

impl Default for ModifiedKnobs {
    fn default() -> Self {
        Self {
            from_exclusive: false,
            assignment_bumps: true,
        }
    }
}
