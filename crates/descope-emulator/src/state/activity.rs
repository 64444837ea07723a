//! Sign-ins: moving a dataset's activity to the start time, and the per-user index behind
//! `POST /v1/mgmt/user/history`.

use super::State;
use crate::activity_records::LoginRecord;

impl State {
    /// With an `activityAsOf`, moves every sign-in and audit time forward by `now - as_of`
    /// (whole seconds, so sign-in seconds and audit milliseconds move alike) and makes `now` the
    /// new `activityAsOf`; without one, leaves the times alone. Times never move backwards (a
    /// snapshot loaded again within the second it was taken keeps its times).
    pub(super) fn move_activity_to(&mut self, as_of: Option<i64>, now: i64) {
        let Some(as_of) = as_of else {
            return;
        };
        let shift = now.saturating_sub(as_of).max(0);
        let now = as_of.saturating_add(shift);
        for l in &mut self.login_history {
            l.login_time = l.login_time.saturating_add(shift);
        }
        let shift_ms = shift.saturating_mul(1000);
        for a in &mut self.audit {
            a.occurred = a.occurred.saturating_add(shift_ms);
        }
        self.activity_as_of = Some(now);
    }

    /// Rebuilds the per-user index of `login_history`.
    pub(super) fn index_logins(&mut self) {
        self.logins_by_user.clear();
        for (i, l) in self.login_history.iter().enumerate() {
            self.logins_by_user
                .entry(l.user_id.clone())
                .or_default()
                .push(i);
        }
    }

    /// The sign-ins of `user_id`, newest first (equal times keep dataset order).
    pub(crate) fn logins_of(&self, user_id: &str) -> Vec<&LoginRecord> {
        let mut out: Vec<&LoginRecord> = self
            .logins_by_user
            .get(user_id)
            .map(|pos| pos.iter().map(|&i| &self.login_history[i]).collect())
            .unwrap_or_default();
        out.sort_by_key(|l| std::cmp::Reverse(l.login_time));
        out
    }

    /// Drops the sign-ins of a deleted user (its audit records stay: the trail is history).
    pub(super) fn forget_logins(&mut self, user_id: &str) {
        if self.logins_by_user.remove(user_id).is_some() {
            self.login_history.retain(|l| l.user_id != user_id);
            self.index_logins();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::activity_records::{AuditRecord, LoginRecord};
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;
    use crate::records::UserRecord;
    use crate::state::State;

    #[test]
    fn activity_moves_to_the_start_time_and_follows_deletes() {
        let mut d = Dataset::new();
        d.users.push(UserRecord::new("U1", "a@x.io"));
        d.login_history.push(LoginRecord::new("U1", 1_000));
        d.login_history.push(LoginRecord::new("U1", 2_000));
        d.login_history.push(LoginRecord::new("U9", 1_500));
        d.audit
            .push(AuditRecord::new("A1", "LoginSucceed", 2_000_123));
        d.activity_as_of = Some(3_000);
        let mut s = State::new(d.clone(), 1, DuplicateMode::Silent);
        let shift = s.activity_as_of.unwrap() - 3_000;
        assert!(shift > 0);
        let times: Vec<i64> = s.logins_of("U1").iter().map(|l| l.login_time).collect();
        assert_eq!(times, [2_000 + shift, 1_000 + shift], "newest first");
        assert_eq!(s.audit[0].occurred, 2_000_123 + shift * 1000);

        s.delete_user(0);
        assert!(s.logins_of("U1").is_empty());
        assert_eq!(s.logins_of("U9").len(), 1);
        assert_eq!(s.audit.len(), 1);

        // Without `activityAsOf` nothing moves.
        d.activity_as_of = None;
        let s = State::new(d, 1, DuplicateMode::Silent);
        assert_eq!(s.logins_of("U1")[0].login_time, 2_000);
        assert_eq!(s.to_dataset().activity_as_of, None);
    }

    #[test]
    fn a_snapshot_loaded_again_never_puts_a_record_in_the_future() {
        let mut d = Dataset::new();
        d.activity_as_of = Some(1_000);
        let mut s = State::new(d, 1, DuplicateMode::Silent);
        // A record written after the start, late in its second.
        let written = crate::state::now_millis();
        s.audit
            .push(AuditRecord::new("A1", "UserModified", written + 999));
        let snap = s.to_dataset();
        assert!(snap.activity_as_of.unwrap() * 1000 >= written);
        // Loaded again at once: times never move backwards, and none is after the new start.
        let again = State::new(snap.clone(), 1, DuplicateMode::Silent);
        let start = again.activity_as_of.unwrap();
        assert!(start >= snap.activity_as_of.unwrap());
        assert!(again.audit[0].occurred >= written + 999);
        assert!(again.audit[0].occurred <= start * 1000 + 999);
    }
}
