//! User search: filters AND together, each list filter is any-of, results keep creation order.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value;

use super::wire::{RoleFilter, SearchUsers};
use crate::error::ApiError;
use crate::records::{UserRecord, UserStatus};
use crate::state::State;

/// Descope's default page size.
const DEFAULT_LIMIT: usize = 100;

/// The search response, serialized straight from borrowed records.
#[derive(Serialize)]
pub(crate) struct Page<'a> {
    pub(crate) users: Vec<&'a UserRecord>,
    pub(crate) total: usize,
}

/// A boolean user property and the value the filter wants.
type FlagFilter = (fn(&UserRecord) -> bool, bool);

/// A search request compiled against the current state.
struct Filter<'r> {
    test: TestMode,
    login_ids: Option<HashSet<&'r str>>,
    user_ids: Option<HashSet<&'r str>>,
    emails: Option<HashSet<&'r str>>,
    phones: Option<HashSet<&'r str>>,
    statuses: Option<Vec<UserStatus>>,
    tenants: Option<HashSet<String>>,
    role_names: Option<HashSet<&'r str>>,
    /// `roleNames` matches project-level assignments only ([`Paging::role_names_project_only`]).
    role_names_project_only: bool,
    /// tenant id → (role names, all must match)
    tenant_roles: Vec<(String, Vec<String>, bool)>,
    custom: Vec<(&'r str, &'r Value)>,
    sso_apps: Option<HashSet<&'r str>>,
    families: Option<HashSet<&'r str>>,
    dependent: Option<bool>,
    /// A lock-reason filter was given: the emulator models no locked users, so none match.
    locked_only: bool,
    text: Option<String>,
    sso_only: bool,
    scim_only: bool,
    created_from: Option<i64>,
    created_to: Option<i64>,
    /// `fromModifiedTime` and `toModifiedTime`, epoch milliseconds.
    modified_from: Option<i64>,
    modified_to: Option<i64>,
    /// `fromModifiedTime` excludes a user modified at exactly that millisecond
    /// ([`Paging::from_modified_exclusive`]).
    modified_from_exclusive: bool,
    flags: Vec<FlagFilter>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TestMode {
    Exclude,
    Include,
    Only,
}

fn set(v: &Option<Vec<String>>) -> Option<HashSet<&str>> {
    v.as_ref()
        .filter(|v| !v.is_empty())
        .map(|v| v.iter().map(String::as_str).collect())
}

fn non_negative(name: &str, v: Option<i64>) -> Result<usize, ApiError> {
    match v {
        None => Ok(0),
        Some(n) => usize::try_from(n)
            .map_err(|_| ApiError::invalid_argument(format!("{name} must not be negative"))),
    }
}

impl<'r> Filter<'r> {
    fn compile(req: &'r SearchUsers, state: &State) -> Result<Self, ApiError> {
        let test = if req.test_users_only == Some(true) {
            TestMode::Only
        } else if req.with_test_user == Some(true) {
            TestMode::Include
        } else {
            TestMode::Exclude
        };
        let mut login_ids = set(&req.login_ids);
        if let Some(l) = req.login_id.as_deref().filter(|l| !l.is_empty()) {
            login_ids.get_or_insert_with(HashSet::new).insert(l);
        }
        Ok(Self {
            test,
            login_ids,
            user_ids: set(&req.user_ids),
            emails: set(&req.emails),
            phones: set(&req.phones),
            statuses: statuses(req)?,
            tenants: tenants(req, state),
            role_names: set(&req.role_names),
            role_names_project_only: false,
            tenant_roles: tenant_roles(req, state),
            custom: req
                .custom_attributes
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
            sso_apps: set(&req.sso_app_ids),
            families: set(&req.family_ids),
            dependent: req.dependent,
            locked_only: [&req.lock_reasons, &req.temp_lock_reasons]
                .iter()
                .any(|r| r.as_ref().is_some_and(|r| !r.is_empty())),
            text: req
                .text
                .as_deref()
                .filter(|t| !t.is_empty())
                .map(str::to_lowercase),
            sso_only: req.sso_only == Some(true),
            scim_only: req.scim_only == Some(true),
            // The filters are in milliseconds, createdTime in seconds. 0 is unset: Go sends
            // `"toCreatedTime": 0` in every search that does not filter by time.
            created_from: req
                .from_created_time
                .filter(|t| t.0 != 0)
                .map(|t| t.0 / 1000),
            created_to: req.to_created_time.filter(|t| t.0 != 0).map(|t| t.0 / 1000),
            // Milliseconds against the millisecond of the last change; 0 is unset, as above.
            modified_from: req.from_modified_time.filter(|t| t.0 != 0).map(|t| t.0),
            modified_to: req.to_modified_time.filter(|t| t.0 != 0).map(|t| t.0),
            modified_from_exclusive: false,
            flags: flags(req),
        })
    }

    fn matches(&self, u: &UserRecord) -> bool {
        self.matches_identity(u)
            && self.matches_access(u)
            && self.matches_properties(u)
            && self.matches_text(u)
    }

    /// Test mode, statuses, user ids, login ids, emails and phones.
    fn matches_identity(&self, u: &UserRecord) -> bool {
        match self.test {
            TestMode::Exclude if u.test => return false,
            TestMode::Only if !u.test => return false,
            _ => {}
        }
        if self
            .statuses
            .as_ref()
            .is_some_and(|s| !s.contains(&u.status))
        {
            return false;
        }
        if self
            .user_ids
            .as_ref()
            .is_some_and(|ids| !ids.contains(u.user_id.as_str()))
        {
            return false;
        }
        if self
            .login_ids
            .as_ref()
            .is_some_and(|ids| !u.login_ids.iter().any(|l| ids.contains(l.as_str())))
        {
            return false;
        }
        if self
            .emails
            .as_ref()
            .is_some_and(|e| !e.contains(u.email.as_str()))
        {
            return false;
        }
        if self
            .phones
            .as_ref()
            .is_some_and(|p| !p.contains(u.phone.as_str()))
        {
            return false;
        }
        true
    }

    /// Tenants, roles at any level, roles within tenants, SSO applications and families.
    fn matches_access(&self, u: &UserRecord) -> bool {
        if self
            .tenants
            .as_ref()
            .is_some_and(|t| !u.user_tenants.iter().any(|m| t.contains(&m.tenant_id)))
        {
            return false;
        }
        if let Some(r) = &self.role_names {
            // Any level: a project role, or a role held in any tenant (unless the knob reads
            // `roleNames` as project-level assignments only).
            let has = u.role_names.iter().any(|n| r.contains(n.as_str()))
                || (!self.role_names_project_only
                    && u.user_tenants
                        .iter()
                        .any(|m| m.role_names.iter().any(|n| r.contains(n.as_str()))));
            if !has {
                return false;
            }
        }
        for (tenant, names, all) in &self.tenant_roles {
            let Some(m) = u.tenant(tenant) else {
                return false;
            };
            let ok = if *all {
                names.iter().all(|n| m.role_names.contains(n))
            } else {
                names.iter().any(|n| m.role_names.contains(n))
            };
            if !ok {
                return false;
            }
        }
        if self
            .sso_apps
            .as_ref()
            .is_some_and(|apps| !u.sso_app_ids.iter().any(|a| apps.contains(a.as_str())))
        {
            return false;
        }
        if self.families.as_ref().is_some_and(|f| {
            !u.user_families
                .iter()
                .any(|m| f.contains(m.family_id.as_str()))
        }) {
            return false;
        }
        true
    }

    /// Custom attributes, dependents, lock reasons, SSO and SCIM users, creation time and the
    /// boolean filters.
    fn matches_properties(&self, u: &UserRecord) -> bool {
        for (k, want) in &self.custom {
            let Some(have) = u.custom_attributes.get(*k) else {
                return false;
            };
            let ok = match want {
                Value::Array(any) => any.contains(have),
                v => *v == have,
            };
            if !ok {
                return false;
            }
        }
        if self.dependent.is_some_and(|d| d != u.dependent) || self.locked_only {
            return false;
        }
        if self.sso_only && u.external_ids.is_empty() {
            return false;
        }
        if self.scim_only && !u.scim {
            return false;
        }
        if self.created_from.is_some_and(|t| u.created_time < t)
            || self.created_to.is_some_and(|t| u.created_time > t)
        {
            return false;
        }
        if self.flags.iter().any(|(f, want)| f(u) != *want) {
            return false;
        }
        true
    }

    /// `fromModifiedTime` (inclusive unless the knob says otherwise) and `toModifiedTime`
    /// (inclusive), against `modified`, when the user was last modified in epoch milliseconds.
    fn matches_modified(&self, modified: i64) -> bool {
        let after_from = match self.modified_from {
            None => true,
            Some(from) if self.modified_from_exclusive => modified > from,
            Some(from) => modified >= from,
        };
        after_from && self.modified_to.is_none_or(|to| modified <= to)
    }

    /// `text`: a case-insensitive substring of the user id, a login id, the name, email or phone.
    fn matches_text(&self, u: &UserRecord) -> bool {
        if let Some(text) = &self.text {
            let hit = |s: &str| s.to_lowercase().contains(text.as_str());
            if !(hit(&u.user_id)
                || u.login_ids.iter().any(|l| hit(l))
                || hit(&u.name)
                || hit(&u.email)
                || hit(&u.phone))
            {
                return false;
            }
        }
        true
    }
}

/// The `statuses` filter, each a known status.
fn statuses(req: &SearchUsers) -> Result<Option<Vec<UserStatus>>, ApiError> {
    Ok(match &req.statuses {
        Some(s) if !s.is_empty() => Some(
            s.iter()
                .map(|x| {
                    UserStatus::parse(x)
                        .ok_or_else(|| ApiError::invalid_argument(format!("Invalid status {x:?}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => None,
    })
}

/// The `tenantIds` filter, with the sub-tenants of each when `includeSubTenants` is set.
fn tenants(req: &SearchUsers, state: &State) -> Option<HashSet<String>> {
    match &req.tenant_ids {
        Some(t) if !t.is_empty() => {
            let mut all: HashSet<String> = t.iter().cloned().collect();
            if req.include_sub_tenants == Some(true) {
                for id in t {
                    all.extend(state.descendants(id));
                }
            }
            Some(all)
        }
        _ => None,
    }
}

/// `tenantRoleNames` and `tenantRoleIds` (ids read as the names of the roles they name):
/// tenant id → (role names, all must match).
fn tenant_roles(req: &SearchUsers, state: &State) -> Vec<(String, Vec<String>, bool)> {
    let mut tenant_roles = Vec::new();
    let role_names_by_id: HashMap<&str, &str> = state
        .roles
        .iter()
        .map(|r| (r.id.as_str(), r.name.as_str()))
        .collect();
    let mut add_tenant_roles =
        |m: &Option<std::collections::BTreeMap<String, Option<RoleFilter>>>, by_id: bool| {
            // A `null` entry is unset, like any other `null`.
            let entries = m.iter().flatten();
            for (tenant, f) in entries.filter_map(|(t, f)| f.as_ref().map(|f| (t, f))) {
                let names = f
                    .values
                    .iter()
                    .map(|v| {
                        if by_id {
                            role_names_by_id
                                .get(v.as_str())
                                .copied()
                                .unwrap_or(v)
                                .to_owned()
                        } else {
                            v.clone()
                        }
                    })
                    .collect();
                tenant_roles.push((tenant.clone(), names, f.and));
            }
        };
    add_tenant_roles(&req.tenant_role_names, false);
    add_tenant_roles(&req.tenant_role_ids, true);
    tenant_roles
}

/// The boolean filters (`verifiedEmail`, `verifiedPhone`, `password`, `totp`, `webauthn`, `scim`).
fn flags(req: &SearchUsers) -> Vec<FlagFilter> {
    let mut flags: Vec<FlagFilter> = Vec::new();
    let mut flag = |v: Option<bool>, f: fn(&UserRecord) -> bool| {
        if let Some(b) = v {
            flags.push((f, b));
        }
    };
    flag(req.verified_email, |u| u.verified_email);
    flag(req.verified_phone, |u| u.verified_phone);
    flag(req.password, |u| u.password);
    flag(req.totp, |u| u.totp);
    flag(req.webauthn, |u| u.webauthn);
    flag(req.scim, |u| u.scim);
    flags
}

/// The matches of recent searches, reused while the state is unchanged.
///
/// Paging through a search asks the same question once per page. Without this, every page
/// scanned every user, which made listing 200,000 users 2,000 scans of 200,000 records
/// (quadratic: 7.5 s of emulator CPU in the W3 benchmark). With it, the first page scans and
/// each later page is a slice. Entries are keyed by the request without its paging fields and
/// by the state's generation, which every write lock bumps, so a mutation invalidates them.
#[derive(Debug, Default)]
pub(crate) struct MatchCache(Mutex<Vec<Cached>>);

/// How many distinct searches are remembered (the connector pages one at a time; tests may
/// interleave a few).
const CACHED_SEARCHES: usize = 4;

#[derive(Debug)]
struct Cached {
    generation: u64,
    key: String,
    /// Positions in `State::users` of every match, in creation order.
    hits: Arc<[usize]>,
}

impl MatchCache {
    fn get(&self, generation: u64, key: &str) -> Option<Arc<[usize]>> {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|c| c.generation == generation);
        entries
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.hits.clone())
    }

    fn put(&self, generation: u64, key: String, hits: Arc<[usize]>) {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|c| c.generation == generation && c.key != key);
        if entries.len() >= CACHED_SEARCHES {
            entries.remove(0);
        }
        entries.push(Cached {
            generation,
            key,
            hits,
        });
    }
}

/// The cache key of a search request body: its JSON with the paging fields removed, prefixed by
/// `scope` (which endpoint asked). The same fields in another order can only cost a cache miss.
pub(crate) fn cache_key(scope: &str, body: &[u8]) -> String {
    let mut v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        for paging in ["page", "limit", "offset"] {
            m.remove(paging);
        }
    }
    format!("{scope} {v}")
}

/// How user search pages beyond Descope's documented behaviour: the paging realism knobs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Paging {
    /// A silent cap on `limit`: a larger (or default) limit returns this many users.
    pub(crate) max_limit: Option<usize>,
    /// Ignore `offset` and page by `page * limit` only, as an older backend would.
    pub(crate) ignore_offset: bool,
    /// `roleNames` matches project-level role assignments only, not roles held in a tenant.
    pub(crate) role_names_project_only: bool,
    /// `fromModifiedTime` matches users modified strictly after it, not at it.
    pub(crate) from_modified_exclusive: bool,
}

/// Runs a search: `total` counts every match, the page is `offset` (when positive) or
/// `page * limit` onward, `limit` 0 or absent meaning 100. `paging` may cap the limit (before
/// `page * limit` is computed, so pages of a capped limit still tile) or ignore `offset`.
/// `key` (from [`cache_key`]) and `generation` (the state's) let later pages of the same search
/// reuse the first one's matches.
pub(crate) fn search<'s>(
    state: &'s State,
    req: &SearchUsers,
    paging: Paging,
    cache: &MatchCache,
    (generation, key): (u64, String),
) -> Result<Page<'s>, ApiError> {
    let limit = match non_negative("limit", req.limit)? {
        0 => DEFAULT_LIMIT,
        n => n,
    };
    let limit = paging.max_limit.map_or(limit, |cap| limit.min(cap));
    let page = non_negative("page", req.page)?;
    let offset = if paging.ignore_offset {
        0
    } else {
        non_negative("offset", req.offset)?
    };
    let offset = match offset {
        0 => page.saturating_mul(limit),
        n => n,
    };
    let hits = match cache.get(generation, &key) {
        Some(hits) => hits,
        None => {
            let mut filter = Filter::compile(req, state)?;
            filter.role_names_project_only = paging.role_names_project_only;
            filter.modified_from_exclusive = paging.from_modified_exclusive;
            let by_time = filter.modified_from.is_some() || filter.modified_to.is_some();
            let hits: Arc<[usize]> = state
                .users
                .iter()
                .enumerate()
                .filter(|(_, u)| {
                    filter.matches(u)
                        && (!by_time || filter.matches_modified(state.modified_millis(u)))
                })
                .map(|(i, _)| i)
                .collect();
            cache.put(generation, key, hits.clone());
            hits
        }
    };
    let start = offset.min(hits.len());
    let end = start.saturating_add(limit).min(hits.len());
    let users = hits[start..end].iter().map(|&i| &state.users[i]).collect();
    Ok(Page {
        users,
        total: hits.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;

    /// The ids `body` finds among users modified at seconds 10, 20 and 30 (in `modifiedTime`).
    fn found(body: &str, exclusive: bool) -> Vec<String> {
        let mut d = Dataset::new();
        for (i, t) in [10, 20, 30].into_iter().enumerate() {
            let mut u = UserRecord::new(format!("U{i}"), format!("u{i}@x.io"));
            u.created_time = 1;
            u.modified_time = t;
            d.users.push(u);
        }
        let state = State::new(d, 0, DuplicateMode::Silent);
        let req: SearchUsers = serde_json::from_str(body).unwrap();
        let paging = Paging {
            from_modified_exclusive: exclusive,
            ..Paging::default()
        };
        let page = search(
            &state,
            &req,
            paging,
            &MatchCache::default(),
            (0, body.into()),
        );
        page.unwrap()
            .users
            .iter()
            .map(|u| u.user_id.clone())
            .collect()
    }

    #[test]
    fn modified_time_filters_take_milliseconds() {
        assert_eq!(found(r#"{"fromModifiedTime": 20000}"#, false), ["U1", "U2"]);
        assert_eq!(found(r#"{"fromModifiedTime": 20000}"#, true), ["U2"]);
        assert_eq!(found(r#"{"fromModifiedTime": 19999}"#, true), ["U1", "U2"]);
        assert_eq!(found(r#"{"toModifiedTime": "20000"}"#, true), ["U0", "U1"]);
        let window = r#"{"fromModifiedTime": 10001, "toModifiedTime": 29999}"#;
        assert_eq!(found(window, false), ["U1"]);
        // 0 is no filter, as Go sends it.
        assert_eq!(
            found(r#"{"fromModifiedTime": 0, "toModifiedTime": 0}"#, true).len(),
            3
        );
    }
}
