//! Writing the audit trail: one record for every change made through the API.
//!
//! Handlers call these after a change succeeded (a refused call writes nothing), while they
//! still hold the write lock, so the trail's order is the order the changes were applied.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{State, now_millis};
use crate::activity_records::AuditRecord;
use crate::key_records::AccessKeyRecord;
use crate::records::UserRecord;

/// The `actorId` of changes made with the management key (and the `createdBy` of access keys
/// created through the API). Descope's format for either is undocumented.
pub(crate) const API_ACTOR: &str = "management-key";

/// A change to record. `ID`, `occurred`, `actorId` and `type` are filled in by
/// [`State::audit`].
#[derive(Debug, Default)]
pub(crate) struct Event {
    pub(crate) action: &'static str,
    pub(crate) user_id: String,
    pub(crate) external_ids: Vec<String>,
    pub(crate) tenants: Vec<String>,
    pub(crate) data: Map<String, Value>,
    /// Who made the change; empty means [`API_ACTOR`].
    pub(crate) actor_id: String,
}

impl Event {
    /// An event of `action` with `data` about no user and no tenant.
    pub(crate) fn new(action: &'static str, data: Map<String, Value>) -> Self {
        Self {
            action,
            data,
            ..Self::default()
        }
    }

    /// The same event, concerning `tenants` (empty ones are dropped, repeats removed).
    pub(crate) fn tenants<'a>(mut self, tenants: impl IntoIterator<Item = &'a str>) -> Self {
        for t in tenants {
            if !t.is_empty() && !self.tenants.iter().any(|x| x == t) {
                self.tenants.push(t.to_owned());
            }
        }
        self
    }

    /// The same event, about `u` (its user id and login ids).
    pub(crate) fn about(mut self, u: &UserRecord) -> Self {
        self.user_id.clone_from(&u.user_id);
        self.external_ids.clone_from(&u.login_ids);
        self
    }

    /// The same event, made by `actor` instead of the management key.
    pub(crate) fn by(mut self, actor: impl Into<String>) -> Self {
        self.actor_id = actor.into();
        self
    }
}

/// The object of a `json!({...})` literal (anything else gives an empty map).
pub(crate) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The user's tenant ids.
fn tenant_ids(u: &UserRecord) -> impl Iterator<Item = &str> {
    u.user_tenants.iter().map(|m| m.tenant_id.as_str())
}

/// Fields never copied into the trail (an access key's `secretHash`).
const NOT_AUDITED: &[&str] = &["secretHash"];

/// The JSON fields of `before` and `after` that differ, sorted, and their new values.
fn diff<T: Serialize>(before: &T, after: &T) -> (Vec<String>, Map<String, Value>) {
    let as_map = |v: &T| match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let (b, a) = (as_map(before), as_map(after));
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    let mut fields = Vec::new();
    let mut changes = Map::new();
    for k in keys {
        if b.get(k) != a.get(k) && !NOT_AUDITED.contains(&k.as_str()) {
            fields.push(k.clone());
            changes.insert(k.clone(), a.get(k).cloned().unwrap_or(Value::Null));
        }
    }
    (fields, changes)
}

/// `data` plus `changedFields` (the object's JSON fields that differ between `before` and
/// `after`, maybe none) and `changes` (their new values).
pub(crate) fn with_changes<T: Serialize>(
    mut data: Map<String, Value>,
    before: &T,
    after: &T,
) -> Map<String, Value> {
    let (fields, changes) = diff(before, after);
    data.insert("changedFields".into(), fields.into());
    data.insert("changes".into(), Value::Object(changes));
    data
}

impl State {
    /// Appends `e` to the trail, stamped now, as an `info` record. A `UserCreated` or
    /// `UserModified` also sets the user's modified time to the record's `occurred` (unless
    /// [`State::bumped_user`] says the change does not bump it), so the two always agree.
    pub(crate) fn audit(&mut self, e: Event) {
        let id = self.new_id("A2", 28);
        let occurred = now_millis();
        let bumped = self.bumped_user(&e);
        let mut rec = AuditRecord::new(id, e.action, occurred);
        rec.user_id = e.user_id;
        rec.external_ids = e.external_ids;
        rec.tenants = e.tenants;
        rec.data = e.data;
        rec.actor_id = if e.actor_id.is_empty() {
            API_ACTOR.to_owned()
        } else {
            e.actor_id
        };
        self.audit.push(rec);
        if let Some(idx) = bumped {
            self.touch_user(idx, occurred);
        }
    }

    /// The position of the user whose modified time `e` moves: the user a `UserCreated` or
    /// `UserModified` is about, unless the knob `assignment_changes_bump_modified` is off and
    /// the change is to assignments only ([`assignment_only`]).
    fn bumped_user(&self, e: &Event) -> Option<usize> {
        let modified = match e.action {
            "UserCreated" => false,
            "UserModified" => true,
            _ => return None,
        };
        if modified && !self.assignment_changes_bump && assignment_only(&e.data) {
            return None;
        }
        self.find_user_by_id(&e.user_id)
    }

    /// `UserCreated` for the user at `idx`, with `data` plus the roles, tenants and SSO
    /// applications it was created with.
    pub(crate) fn user_created(&self, idx: usize, mut data: Map<String, Value>) -> Event {
        let u = &self.users[idx];
        data.insert("roleNames".into(), u.role_names.clone().into());
        data.insert(
            "userTenants".into(),
            serde_json::to_value(&u.user_tenants).unwrap_or_default(),
        );
        data.insert("ssoAppIds".into(), u.sso_app_ids.clone().into());
        data.insert("status".into(), u.status.as_str().into());
        Event::new("UserCreated", data)
            .about(u)
            .tenants(tenant_ids(u))
    }

    /// `UserModified` for the user at `idx`, which was `before`: `data` (what was asked) plus
    /// `changedFields` (the user object's fields that changed, maybe none) and `changes` (their
    /// new values). Its tenants are the user's before and after the change.
    pub(crate) fn user_modified(
        &self,
        before: &UserRecord,
        idx: usize,
        data: Map<String, Value>,
    ) -> Event {
        let after = &self.users[idx];
        let data = with_changes(data, before, after);
        Event::new("UserModified", data)
            .about(after)
            .tenants(tenant_ids(before).chain(tenant_ids(after)))
    }

    /// Records [`State::user_modified`] with the management key as the actor.
    pub(crate) fn audit_user_modified(
        &mut self,
        before: &UserRecord,
        idx: usize,
        data: Map<String, Value>,
    ) {
        let e = self.user_modified(before, idx, data);
        self.audit(e);
    }

    /// One `UsersDeleted` for a batch of deleted users (nothing when `users` is empty): their
    /// login ids, their tenants, and their ids in `data.userIds`.
    pub(crate) fn audit_users_deleted(
        &mut self,
        users: &[UserRecord],
        mut data: Map<String, Value>,
    ) {
        if users.is_empty() {
            return;
        }
        let ids: Vec<Value> = users.iter().map(|u| u.user_id.clone().into()).collect();
        data.insert("userIds".into(), ids.into());
        let mut e = Event::new("UsersDeleted", data).tenants(users.iter().flat_map(tenant_ids));
        e.external_ids = users.iter().flat_map(|u| u.login_ids.clone()).collect();
        self.audit(e);
    }
}

/// The user object's fields that hold role, tenant and SSO application assignments.
const ASSIGNMENT_FIELDS: &[&str] = &["roleNames", "userTenants", "ssoAppIds"];

/// Operations (`data.operation`) of the role, tenant and SSO application endpoints.
const ASSIGNMENT_OPERATIONS: &[&str] = &["roles.", "tenant.", "ssoApps."];

/// Whether a `UserModified`'s `data` is a change to assignments only: every changed field is
/// an assignment field (whatever the endpoint: an update or patch that changes only roles
/// counts), or nothing changed and the call was to a role, tenant or SSO application endpoint
/// (a repeated add in [`DuplicateMode::Silent`](crate::DuplicateMode::Silent)). A call that
/// changes nothing through another endpoint (update, patch, recovery codes) is a write all the
/// same.
fn assignment_only(data: &Map<String, Value>) -> bool {
    let changed = data
        .get("changedFields")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty());
    match changed {
        Some(fields) => fields
            .iter()
            .all(|f| f.as_str().is_some_and(|f| ASSIGNMENT_FIELDS.contains(&f))),
        None => data
            .get("operation")
            .and_then(Value::as_str)
            .is_some_and(|op| ASSIGNMENT_OPERATIONS.iter().any(|p| op.starts_with(p))),
    }
}

/// `UserDeleted` for the deleted user `u`, with `data`.
pub(crate) fn user_deleted(u: &UserRecord, data: Map<String, Value>) -> Event {
    Event::new("UserDeleted", data)
        .about(u)
        .tenants(tenant_ids(u))
}

/// An access key's audit `data`: its id and name, then `data`.
fn key_data(k: &AccessKeyRecord, data: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("accessKeyId".into(), k.id.clone().into());
    out.insert("name".into(), k.name.clone().into());
    out.extend(data);
    out
}

impl State {
    /// `action` (`AccessKeyCreated`, `AccessKeyDeleted`...) about the key `k`: its id and name
    /// in `data`, its tenants as the record's.
    pub(crate) fn audit_key(
        &mut self,
        action: &'static str,
        k: &AccessKeyRecord,
        data: Map<String, Value>,
    ) {
        let tenants: Vec<&str> = k.key_tenants.iter().map(|t| t.tenant_id.as_str()).collect();
        let e = Event::new(action, key_data(k, data)).tenants(tenants);
        self.audit(e);
    }

    /// `AccessKeyModified` for the key at `pos`, which was `before`, with what changed (never
    /// its secret's hash).
    pub(crate) fn audit_key_modified(
        &mut self,
        before: &AccessKeyRecord,
        pos: usize,
        data: Map<String, Value>,
    ) {
        let after = self.access_keys[pos].clone();
        let data = with_changes(data, before, &after);
        let tenants = before.key_tenants.iter().chain(&after.key_tenants);
        let tenants: Vec<&str> = tenants.map(|t| t.tenant_id.as_str()).collect();
        let e = Event::new("AccessKeyModified", key_data(&after, data)).tenants(tenants);
        self.audit(e);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::records::UserTenantRecord;

    #[test]
    fn diff_lists_changed_wire_fields_with_new_values() {
        let before = UserRecord::new("U1", "a@x.io");
        let mut after = before.clone();
        after.role_names.push("Viewer".into());
        after
            .user_tenants
            .push(UserTenantRecord::new("T1", "One", vec![]));
        let (fields, changes) = diff(&before, &after);
        assert_eq!(fields, ["roleNames", "userTenants"]);
        assert_eq!(changes["roleNames"], json!(["Viewer"]));
        assert_eq!(diff(&before, &before).0.len(), 0);
    }

    #[test]
    fn events_dedupe_tenants_and_default_the_actor() {
        let mut s = State::new(crate::Dataset::new(), 1, crate::DuplicateMode::Silent);
        let e = Event::new("TenantModified", obj(json!({"tenantId": "T1"})))
            .tenants(["T1", "", "T1", "T2"]);
        s.audit(e);
        s.audit(Event::new("X", Map::new()).by("K2key"));
        assert_eq!(s.audit[0].tenants, ["T1", "T2"]);
        assert_eq!(s.audit[0].actor_id, API_ACTOR);
        assert_eq!(s.audit[0].kind, "info");
        assert!(s.audit[0].id.starts_with("A2") && s.audit[0].id.len() == 28);
        assert_eq!(s.audit[1].actor_id, "K2key");
        s.audit_users_deleted(&[], Map::new());
        assert_eq!(s.audit.len(), 2, "an empty batch writes nothing");
    }
}
