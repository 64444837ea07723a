//! Incremental sync: a sync that asks Descope only for what changed since a previous sync and
//! takes every other user from the previous file.
//!
//! The previous file (`--incremental-from`, or the last sync service mode uploaded) must be a
//! finished sync of the same project by this connector, with the same user options. It keeps
//! the compact record of every user (see [`crate::session`], under the marker
//! [`KEPT_MARKER`]) and every user resource. From there:
//!
//! 1. **Users modified** since the previous sync started, less [`MARGIN`] for clock skew: one
//!    paged user search with `fromModifiedTime`, with the full listing's guarantees (its
//!    inclusive or exclusive reading does not matter inside the margin).
//! 2. **The audit log** over the same window, for user actions: deletions (`UserDeleted`,
//!    `UsersDeleted`) drop users; creations and modifications name users to read again, since
//!    whether a role or tenant assignment changes a user's modified time is unverified. A
//!    record that names no user, or an audit log the key cannot read, means a full sync.
//! 3. **The previous records**, streamed: a user whose roles, tenants or SSO applications no
//!    longer all exist in the catalogue just listed (a role or tenant deleted or renamed, an
//!    application deleted) is read again, by id, since whether Descope rewrites its users
//!    then is unverified; every other user is carried over as it was.
//! 4. **Users read again by id**, [`changes::BY_ID_BATCH`] a request; an id Descope no longer
//!    returns is a deleted user.
//! 5. **The count**: the users carried over plus the users read must be Descope's `total`,
//!    else (a deletion the lagging audit log does not show yet, users created while the sync
//!    reads) the sync lists every user instead, saying why.
//!
//! Tenants, roles, permissions, access keys, applications, groups and consents are listed in
//! full as in any sync (they are small), and every grant is built from the index, as in a full
//! sync: so the file equals a full sync's whenever the users are the same. What makes a full
//! sync instead is said in the log and in the summary (`sync: full: <reason>`); an incremental
//! one says `sync: incremental: N users changed, M deleted, K requests to find them` (the
//! requests of steps 1 to 5; the rest of the sync costs what a full sync costs besides the user
//! listing).

pub(crate) mod changes;

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use c1_connector_sdk::error::Error;
use c1_connector_sdk::previous::PreviousSync;
use descope_mgmt::User;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::context::SyncContext;
use crate::ids::user_resource_id;
use crate::index::{AssignmentIndex, Assignments};
use crate::resume::SESSION_FORMAT;
use crate::session::{Chain, KEPT_MARKER, Step, StoredUser, USER_PAGES, store_records};

/// How far before the previous sync's start the changes are read: covers clocks apart by up
/// to this much, and audit records that became searchable late.
pub(crate) const MARGIN_MS: i64 = 5 * 60 * 1000;

/// How long Descope keeps audit records (30 days): a previous sync older than that cannot
/// learn its deletions.
pub(crate) const AUDIT_RETENTION_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Users per record page written for the next incremental sync.
const RECORDS_PER_PAGE: usize = 1000;

/// The marker a finished sync keeps once its user records cover every user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Marker {
    /// [`SESSION_FORMAT`] of the records.
    pub(crate) format: u32,
    /// The Descope project.
    pub(crate) project: String,
    /// Whether test users were listed.
    pub(crate) test_users: bool,
    /// Users recorded.
    pub(crate) users: u64,
}

/// What an incremental sync takes from Descope: the users to emit fresh, and the previous
/// file's users not to carry over.
#[derive(Debug, Default)]
pub(crate) struct Increment {
    /// Users changed since the previous sync, as Descope has them now.
    pub(crate) changed: Vec<User>,
    /// Resource ids of the previous file's users that are not carried over (changed or
    /// deleted).
    pub(crate) skip: HashSet<String>,
}

/// How this sync lists users.
#[derive(Debug)]
pub(crate) enum Plan {
    /// Every user, from Descope, and why.
    Full(String),
    /// The previous file's users and the changes since (the index is already complete).
    Incremental(Increment),
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Reads the marker of the previous file, if it has one that this version reads.
async fn marker(previous: &dyn PreviousSync) -> Result<Option<Marker>, Error> {
    let page = previous.kept_page(KEPT_MARKER, None, 1).await?;
    Ok(page
        .entries
        .into_iter()
        .find(|(k, _)| k == KEPT_MARKER)
        .and_then(|(_, v)| serde_json::from_slice(&v).ok()))
}

/// Stores this sync's marker: its user records cover every user.
pub(crate) async fn store_marker(ctx: &SyncContext, users: u64) -> Result<(), Error> {
    if !ctx.session.keeps_kept_keys() {
        return Ok(());
    }
    let marker = Marker {
        format: SESSION_FORMAT,
        project: ctx.client.project_id().to_owned(),
        test_users: ctx.pager_config.include_test_users,
        users,
    };
    let bytes = serde_json::to_vec(&marker)
        .map_err(|e| Error::internal("encoding the user records' marker").with_source(e))?;
    ctx.session
        .put(KEPT_MARKER, bytes)
        .await
        .map_err(|e| e.context("saving the user records' marker in the sync's session"))
}

/// Why the previous sync cannot be the base of this one, if it cannot.
fn refusal(ctx: &SyncContext, marker: Option<&Marker>, started: i64, now: i64) -> Option<String> {
    let config = &ctx.pager_config;
    if config.last_login {
        return Some(
            "--sync-last-login: a sign-in changes a user's last sign-in without changing the user, so every user is read"
                .into(),
        );
    }
    if config.outbound_connections {
        return Some(
            "--sync-outbound-connections: a connection changes without changing the user, so every user is looked up"
                .into(),
        );
    }
    let Some(marker) = marker else {
        return Some(
            "the previous file keeps no record of its users (a targeted sync, a sync without users, or a file from an older version)"
                .into(),
        );
    };
    if marker.format != SESSION_FORMAT {
        return Some(format!(
            "the previous file's user records are in format {}; this version reads format {SESSION_FORMAT}",
            marker.format
        ));
    }
    let project = ctx.client.project_id();
    if marker.project != project {
        return Some(format!(
            "the previous file is a sync of project '{}', not '{project}'",
            marker.project
        ));
    }
    if marker.test_users != config.include_test_users {
        return Some("the previous sync and this one differ in --include-test-users".into());
    }
    if started > now + MARGIN_MS {
        return Some(
            "the previous sync started in the future: this machine's clock is behind".into(),
        );
    }
    if now - (started - MARGIN_MS) > AUDIT_RETENTION_MS {
        return Some(format!(
            "the previous sync started {} days ago; Descope's audit log keeps deletions for 30",
            (now - started) / (24 * 60 * 60 * 1000)
        ));
    }
    None
}

/// Whether every role, tenant and application a stored user names still exists as the
/// previous sync saw it (a user that names one no longer listed is read again).
fn still_resolves(user: &StoredUser, catalog: &Catalog, apps: Option<&HashSet<String>>) -> bool {
    user.role_names()
        .iter()
        .all(|r| catalog.has_project_role(r))
        && user.tenants().all(|(tenant, roles)| {
            catalog.tenant(tenant).is_some()
                && roles
                    .iter()
                    .all(|r| catalog.resolve_tenant_assignment(tenant, r).is_some())
        })
        && match (apps, user.sso_app_ids()) {
            (Some(apps), Some(ids)) => ids.iter().all(|id| apps.contains(id)),
            _ => true,
        }
}

/// Decides once, at the user listing's first page, how this sync lists users: `None` when it
/// lists every user (always without a previous sync; otherwise with the reason in the log and
/// the summary), else the increment, with the index installed and the session's user records
/// written.
pub(crate) async fn increment(
    ctx: &SyncContext,
    catalog: &Catalog,
) -> Result<Option<Increment>, Error> {
    let Some(previous) = ctx.previous().cloned() else {
        return Ok(None);
    };
    let apps: Option<HashSet<String>> = if ctx.include_apps() {
        Some(ctx.sso_apps().await?.iter().map(|a| a.id.clone()).collect())
    } else {
        None
    };
    match plan(ctx, previous.as_ref(), catalog, apps.as_ref()).await? {
        Plan::Incremental(increment) => Ok(Some(increment)),
        Plan::Full(why) => {
            tracing::warn!(reason = %why, "incremental sync not possible: listing every user");
            ctx.counters.note("sync", format!("full: {why}"));
            Ok(None)
        }
    }
}

/// Decides how this sync lists users and, for an incremental sync, fills the index and the
/// session's user records. `apps` are the SSO applications' ids when the sync covers them.
async fn plan(
    ctx: &SyncContext,
    previous: &dyn PreviousSync,
    catalog: &Catalog,
    apps: Option<&HashSet<String>>,
) -> Result<Plan, Error> {
    let now = now_ms();
    let started = previous.started_at_ms();
    let marker = marker(previous).await?;
    if let Some(why) = refusal(ctx, marker.as_ref(), started, now) {
        return Ok(Plan::Full(why));
    }
    let previous_users = marker.map_or(0, |m| m.users);
    let since = started - MARGIN_MS;
    let client = &ctx.client;
    let config = &ctx.pager_config;
    let listing = config.search();

    // 1. Users modified since.
    let mut search = listing.clone();
    search.from_modified_time = Some(since);
    let (modified, mut searches) = ctx
        .users_matching(search, "searching users modified since the previous sync")
        .await?;
    let most = previous_users / 4 + 1000;
    if modified.len() as u64 > most {
        return Ok(Plan::Full(format!(
            "{} users changed since the previous sync: listing every user costs about as much",
            modified.len()
        )));
    }
    let mut changed: HashMap<String, User> = HashMap::with_capacity(modified.len());
    for user in modified {
        if !user.user_id.is_empty() {
            changed.insert(user.user_id.clone(), user);
        }
    }

    // 2. The audit log's user actions over the same window.
    let audit = match changes::audit_changes(client, since, now).await? {
        Ok(audit) => audit,
        Err(why) => return Ok(Plan::Full(why)),
    };
    let audit_pages = audit.records / u64::from(descope_mgmt::MAX_AUDIT_PAGE_SIZE) + 1;

    // 3. The previous records, streamed.
    let mut index = AssignmentIndex::default();
    let mut skip = HashSet::new();
    let mut fetch: Vec<String> = Vec::new();
    let mut fetch_previous = HashSet::new();
    let mut writer = RecordWriter::default();
    let mut chain = Chain::default();
    let mut after: Option<String> = None;
    let mut deleted = 0u64;
    'pages: loop {
        let page = previous.kept_page(USER_PAGES, after.as_deref(), 16).await?;
        after = page.entries.last().map(|(k, _)| k.clone());
        for (key, value) in &page.entries {
            let users = match chain.step(key, value) {
                Step::Skip => continue,
                Step::Broken => break 'pages,
                Step::Page(users) => users,
            };
            for user in users {
                let id = user.user_id();
                if changed.contains_key(id) {
                    skip.insert(user_resource_id(id));
                } else if audit.deleted.contains(id) {
                    skip.insert(user_resource_id(id));
                    deleted += 1;
                } else if audit.touched.contains(id) || !still_resolves(&user, catalog, apps) {
                    skip.insert(user_resource_id(id));
                    if fetch_previous.insert(id.to_owned()) {
                        fetch.push(id.to_owned());
                    }
                } else if index.record(&user, catalog) {
                    writer.push(ctx, user).await?;
                }
            }
            if chain.complete() {
                break 'pages;
            }
        }
        if !page.more {
            break;
        }
    }
    if !chain.complete() {
        return Ok(Plan::Full(
            "the previous file's user records are incomplete".into(),
        ));
    }

    // 4. Users named by the audit log (or whose assignments moved) read again by id.
    for id in &audit.touched {
        if !changed.contains_key(id) && !fetch_previous.contains(id) {
            fetch.push(id.clone());
        }
    }
    let (fetched, by_id) = changes::users_by_id(client, &listing, &fetch).await?;
    searches += by_id;
    let mut found = HashSet::with_capacity(fetched.len());
    for user in fetched {
        found.insert(user.user_id.clone());
        changed.entry(user.user_id.clone()).or_insert(user);
    }
    deleted += fetch_previous
        .iter()
        .filter(|id| !found.contains(*id))
        .count() as u64;

    let mut changed: Vec<User> = changed.into_values().collect();
    changed.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    for user in &changed {
        if index.record(user, catalog) {
            writer.push(ctx, StoredUser::of(user)).await?;
        }
    }

    // 5. The count.
    let total = changes::user_total(client, &listing).await?;
    searches += 1;
    let requests = searches + audit_pages;
    let users = index.user_count() as u64;
    if users != total {
        return Ok(Plan::Full(format!(
            "Descope counts {total} users, and the previous sync's {previous_users} with the changes since give {users} (a deletion the audit log does not show yet, or users created or deleted while this sync read them)"
        )));
    }
    writer.finish(ctx).await?;
    ctx.install_index(index);
    let counters = &ctx.counters;
    counters.set("incremental: users changed", changed.len() as u64);
    counters.set("incremental: users deleted", deleted);
    counters.set("incremental: requests for changes", requests);
    counters.add("user search requests", searches);
    counters.add("audit search requests", audit_pages);
    counters.note(
        "sync",
        format!(
            "incremental: {} users changed, {deleted} deleted, {requests} requests to find them",
            changed.len()
        ),
    );
    tracing::info!(
        changed = changed.len(),
        deleted,
        requests,
        since_ms = since,
        "incremental sync: users taken from the previous sync and the changes since"
    );
    Ok(Plan::Incremental(Increment { changed, skip }))
}

/// Writes the user records of an incremental sync into its session, a page at a time, so the
/// next incremental sync can start from this one.
#[derive(Debug, Default)]
struct RecordWriter {
    page: Vec<StoredUser>,
    next_offset: u64,
}

impl RecordWriter {
    async fn push(&mut self, ctx: &SyncContext, user: StoredUser) -> Result<(), Error> {
        if !ctx.session.keeps_kept_keys() {
            return Ok(());
        }
        self.page.push(user);
        if self.page.len() >= RECORDS_PER_PAGE {
            self.flush(ctx, false).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, ctx: &SyncContext, last: bool) -> Result<(), Error> {
        let offset = self.next_offset;
        let next = offset + self.page.len().max(1) as u64;
        let users: Vec<&StoredUser> = self.page.iter().collect();
        store_records(&ctx.session, offset, (!last).then_some(next), &users).await?;
        self.page.clear();
        self.next_offset = next;
        Ok(())
    }

    async fn finish(mut self, ctx: &SyncContext) -> Result<(), Error> {
        if !ctx.session.keeps_kept_keys() {
            return Ok(());
        }
        self.flush(ctx, true).await
    }
}
