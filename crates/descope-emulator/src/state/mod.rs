//! The emulator's in-memory state: the dataset plus the indexes that keep lookups cheap.
//!
//! Users stay in a `Vec` in creation order (the order search returns) with maps from user id
//! and login id to position, so search with `offset`/`limit` over 200,000 users is a scan
//! of borrowed records and a load is a hash lookup.

mod access_keys;
mod activity;
mod audit;
mod catalog;
mod churn;
mod grants;
mod modified;
mod scim;
mod sso_apps;
mod users;

pub(crate) use access_keys::{KeyChanges, NewKey};
pub(crate) use audit::{API_ACTOR, Event, obj, user_deleted, with_changes};
pub(crate) use grants::{ConsentFilter, outbound_app_not_found, third_party_app_not_found};
pub(crate) use modified::ModifiedKnobs;
pub(crate) use scim::{ScimGroupChanges, ScimUserFields};
pub(crate) use sso_apps::{AppOp, app_not_found};
pub(crate) use users::{RoleOp, UserChanges};

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::activity_records::{AuditRecord, LoginRecord};
use crate::app_records::SsoAppRecord;
use crate::dataset::Dataset;
use crate::error::ApiError;
use crate::grant_records::{
    ConsentRecord, LogoutRecord, OutboundAppRecord, OutboundTokenRecord, ThirdPartyAppRecord,
};
use crate::key_records::AccessKeyRecord;
use crate::knobs::DuplicateMode;
use crate::records::{GroupRecord, PermissionRecord, RoleRecord, TenantRecord, UserRecord};

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) users: Vec<UserRecord>,
    by_user_id: HashMap<String, usize>,
    by_login_id: HashMap<String, usize>,
    pub(crate) tenants: Vec<TenantRecord>,
    pub(crate) roles: Vec<RoleRecord>,
    pub(crate) permissions: Vec<PermissionRecord>,
    pub(crate) groups: Vec<GroupRecord>,
    pub(crate) access_keys: Vec<AccessKeyRecord>,
    pub(crate) sso_apps: Vec<SsoAppRecord>,
    pub(crate) login_history: Vec<LoginRecord>,
    /// Positions in `login_history` per user id, in dataset order.
    logins_by_user: HashMap<String, Vec<usize>>,
    /// The audit trail in the order it was written (search sorts it).
    pub(crate) audit: Vec<AuditRecord>,
    /// The dataset's `activityAsOf`: the start time once the activity has been moved to it.
    activity_as_of: Option<i64>,
    pub(crate) third_party_apps: Vec<ThirdPartyAppRecord>,
    pub(crate) consents: Vec<ConsentRecord>,
    pub(crate) outbound_apps: Vec<OutboundAppRecord>,
    pub(crate) outbound_tokens: Vec<OutboundTokenRecord>,
    /// Logouts accepted since start (not part of the dataset).
    pub(crate) logouts: Vec<LogoutRecord>,
    /// Source of ids for created objects, seeded so runs are reproducible.
    rng: ChaCha8Rng,
    duplicates: DuplicateMode,
    /// The millisecond each user created or changed through the API since start was last
    /// modified (the `occurred` of its audit record), by user id. Users not in it were last
    /// modified at their `modifiedTime` second ([`State::modified_millis`]).
    modified_ms: HashMap<String, i64>,
    /// Whether a change to a user's role, tenant or SSO application assignments alone bumps
    /// its modified time (the knob `assignment_changes_bump_modified`, default `true`).
    pub(crate) assignment_changes_bump: bool,
}

impl State {
    pub(crate) fn new(data: Dataset, seed: u64, duplicates: DuplicateMode) -> Self {
        let Dataset {
            users,
            tenants,
            roles,
            permissions,
            groups,
            access_keys,
            sso_apps,
            login_history,
            audit,
            activity_as_of,
            third_party_apps,
            consents,
            outbound_apps,
            outbound_tokens,
        } = data;
        let mut s = Self {
            users,
            by_user_id: HashMap::new(),
            by_login_id: HashMap::new(),
            tenants,
            roles,
            permissions,
            groups,
            access_keys,
            sso_apps,
            login_history,
            logins_by_user: HashMap::new(),
            audit,
            activity_as_of: None,
            third_party_apps,
            consents,
            outbound_apps,
            outbound_tokens,
            logouts: Vec::new(),
            // Distinct stream from the fault RNG, which uses the same seed.
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x05ee_d1d5),
            duplicates,
            modified_ms: HashMap::new(),
            assignment_changes_bump: true,
        };
        for u in &mut s.users {
            // A user is modified no earlier than it was created (0 = never modified).
            u.modified_time = u.modified_time.max(u.created_time);
        }
        s.index_from(0);
        s.move_activity_to(activity_as_of, now_secs());
        s.index_logins();
        s
    }

    pub(crate) fn to_dataset(&self) -> Dataset {
        let mut d = Dataset::new();
        d.users.clone_from(&self.users);
        d.tenants.clone_from(&self.tenants);
        d.roles.clone_from(&self.roles);
        d.permissions.clone_from(&self.permissions);
        d.groups.clone_from(&self.groups);
        d.access_keys.clone_from(&self.access_keys);
        d.sso_apps.clone_from(&self.sso_apps);
        d.login_history.clone_from(&self.login_history);
        d.audit.clone_from(&self.audit);
        // The snapshot's activity is as of now (rounded up to a second), not as of the start:
        // records written since then must not land in the future when it is loaded again.
        d.activity_as_of = self
            .activity_as_of
            .map(|as_of| as_of.max((now_millis() + 999) / 1000));
        d.third_party_apps.clone_from(&self.third_party_apps);
        d.consents.clone_from(&self.consents);
        d.outbound_apps.clone_from(&self.outbound_apps);
        d.outbound_tokens.clone_from(&self.outbound_tokens);
        d
    }

    /// (Re)indexes users from position `from` on.
    fn index_from(&mut self, from: usize) {
        self.by_user_id
            .reserve(self.users.len().saturating_sub(from));
        for (i, u) in self.users.iter().enumerate().skip(from) {
            self.by_user_id.insert(u.user_id.clone(), i);
            for l in &u.login_ids {
                self.by_login_id.insert(l.clone(), i);
            }
        }
    }

    /// Position of the user whose login id or user id is `ident` (login id first, as
    /// Descope's mutation endpoints take either in the `loginId` field).
    pub(crate) fn find_user(&self, ident: &str) -> Option<usize> {
        self.by_login_id
            .get(ident)
            .or_else(|| self.by_user_id.get(ident))
            .copied()
    }

    pub(crate) fn find_user_by_id(&self, user_id: &str) -> Option<usize> {
        self.by_user_id.get(user_id).copied()
    }

    pub(crate) fn user_or_404(&self, ident: &str) -> Result<usize, ApiError> {
        self.find_user(ident)
            .ok_or_else(|| ApiError::user_not_found(ident))
    }

    pub(crate) fn tenant(&self, id: &str) -> Option<&TenantRecord> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The ids of `id`'s sub-tenants, recursively (not `id` itself).
    pub(crate) fn descendants(&self, id: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut frontier = vec![id.to_owned()];
        while let Some(p) = frontier.pop() {
            for t in self.tenants.iter().filter(|t| t.parent == p) {
                if !out.contains(&t.id) && t.id != id {
                    out.push(t.id.clone());
                    frontier.push(t.id.clone());
                }
            }
        }
        out
    }

    fn role_in_scope(&self, tenant_id: &str, name: &str) -> Option<usize> {
        self.roles
            .iter()
            .position(|r| r.tenant_id == tenant_id && r.name == name)
    }

    /// Checks that `name` is assignable in `tenant_id` (empty = project level): the tenant's
    /// own role of that name, else a project role of that name.
    fn check_role(&self, tenant_id: &str, name: &str) -> Result<(), ApiError> {
        if self.role_in_scope(tenant_id, name).is_some()
            || (!tenant_id.is_empty() && self.role_in_scope("", name).is_some())
        {
            Ok(())
        } else if tenant_id.is_empty() {
            Err(ApiError::invalid_argument(format!(
                "Role {name:?} is not a project role"
            )))
        } else {
            Err(ApiError::invalid_argument(format!(
                "Role {name:?} is neither a role of tenant {tenant_id:?} nor a project role"
            )))
        }
    }

    fn new_id(&mut self, prefix: &str, len: usize) -> String {
        crate::generate::random_id(&mut self.rng, prefix, len)
    }
}

/// Seconds since the epoch, for `createdTime` of objects created through the API.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Milliseconds since the epoch, for audit records.
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
