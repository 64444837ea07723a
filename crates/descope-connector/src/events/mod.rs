//! The event feed: Descope's audit log as baton events.
//!
//! One feed (baton's default feed id, so `--event-feed` needs no id) lists:
//! - **usage** events for sign-ins (`LoginSucceed`): the user is the actor; the target is the
//!   SSO application the audit record names, else the tenant the user signed in to, else the
//!   user itself (a sign-in to the project);
//! - **resource change** events for users, tenants, roles, permissions and access keys
//!   created, modified or deleted, batch actions included (`UsersCreated`, `UsersModified`,
//!   `UsersDeleted`, `AccessKeysDeleted`: one event per object named), naming the resource the
//!   sync would name, so ConductorOne re-fetches it;
//! - **grant and revoke** events (`CreateGrantEvent`, `CreateRevokeEvent`) for a user's role,
//!   tenant and SSO application changes whose record says who and what (see [`mapping`]).
//!
//! # Exactly once, while records keep arriving late
//!
//! Audit records are searchable some time after they occur (ingestion lag), so a feed that
//! remembers only "everything up to the newest record delivered" skips the records that occur
//! earlier but show up later. This feed keeps a **settled horizon** `h` instead: every record
//! that occurred before `h` has been delivered. Each call reads the records from `h` to now
//! again, delivers those not delivered yet, and moves `h` up to `now - look-back` at most (and
//! never past a record it has not delivered). The look-back (default
//! [`DEFAULT_EVENT_LOOKBACK`](crate::config::DEFAULT_EVENT_LOOKBACK), 5 minutes) must exceed the time
//! a record takes to become searchable: Descope does not document it; we assume it is well under
//! a minute and keep a five-fold margin. A record that becomes searchable later than the
//! look-back after it occurred is missed; raise the look-back if Descope is seen lagging more.
//!
//! The records delivered after `h` are remembered in the cursor by key (8 bytes of a SHA-256 of
//! the record's id; a record without an id is keyed by its content and its rank among identical
//! records, and its events are named by that key), so re-reading the look-back window
//! delivers nothing twice. The cursor holds at most [`cursor::MAX_KEYS`] keys (360: the cursor
//! stays under 3,900 of baton's 4,096 bytes): when more records arrive within the look-back
//! than that, the newest wait until they are older than the look-back, and are delivered then
//! (they need no key once `h` passes them). So a busy project sees its newest events up to a
//! look-back late; nothing is lost or repeated.
//!
//! # Reading by time, never by `total`
//!
//! `POST /v1/mgmt/audit/search` answers newest first, at most 1,000 records a page, over a
//! `from`/`to` window. Its `total` may be absent, capped or wrong, and is not used. The feed
//! reads from `h` forward in time windows: a window whose answer is not full holds all its
//! records; a full one is halved and asked again; the next window starts where it ended, and
//! windows grow again after small answers (their length is kept in the cursor). Each window is
//! asked 1 ms wider on both sides and its edges dropped, so it does not matter whether Descope's
//! `from` and `to` are inclusive. A call sends at most four searches (Descope allows 10 a
//! minute): usually one; a backlog is read over several calls (`has_more`). A single
//! millisecond with a full page of records is read page by page.
//!
//! A cursor older than Descope's 30 days resumes at the oldest record Descope still has; the
//! records in between are gone from Descope and are reported as such in the log. Cursors of the
//! feed's first version (`{"t":…,"ids":[…]}`) resume exactly.

mod cursor;
mod mapping;

pub(crate) use self::mapping::users_named;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use c1_connector_sdk::connector::{EventFeed, EventPage, EventsRequest, LEGACY_FEED_ID};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{EventFeedMetadata, EventType};
use descope_mgmt::{Audit, Client, MAX_AUDIT_PAGE_SIZE, SearchAuditRequest};

use self::cursor::{Cursor, Key, MAX_KEYS, event_id, keys_of};
use self::mapping::{ACTIONS, OwnRoles, events_of, tenant_roles_named};

/// How far back Descope keeps audit records.
const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// Kept off the retention edge, so a window never starts where Descope refuses it.
const RETENTION_MARGIN_MS: i64 = 60 * 1000;
/// Events a page when the request does not say.
const DEFAULT_PAGE: usize = 100;
/// Audit searches one call sends at most.
const SEARCHES_PER_CALL: usize = 4;
/// Records an audit page holds at most.
const PAGE: usize = MAX_AUDIT_PAGE_SIZE as usize;
/// Pages read within a single millisecond at most (1,000,000 records).
const MAX_PAGES_IN_ONE_MS: u32 = 1_000;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// The audit feed.
#[derive(Debug, Clone)]
pub(crate) struct AuditFeed {
    client: Client,
    lookback_ms: i64,
}

/// What a call read: every record that occurred from where it started to `read_to`, oldest
/// first, and how long a window fitted a page.
struct Read {
    records: Vec<Audit>,
    read_to: i64,
    span: i64,
}

impl AuditFeed {
    pub(crate) fn new(client: Client, lookback: Duration) -> Self {
        AuditFeed {
            client,
            lookback_ms: i64::try_from(lookback.as_millis()).unwrap_or(i64::MAX),
        }
    }

    async fn search(&self, req: &SearchAuditRequest) -> Result<Vec<Audit>, Error> {
        self.client
            .audit()
            .search(req)
            .await
            .map(|p| p.audits)
            .map_err(|e| crate::error::from_descope("searching the audit log", e))
    }

    /// The records of `[from, to]` (asked 1 ms wider, edges dropped), and whether the answer was
    /// full (then the window holds more than one page).
    async fn window(&self, from: i64, to: i64, page: u32) -> Result<(Vec<Audit>, bool), Error> {
        let req = SearchAuditRequest::new()
            .actions(ACTIONS.iter().copied())
            .from(from.saturating_sub(1))
            .to(to.saturating_add(1))
            .size(MAX_AUDIT_PAGE_SIZE)
            .page(page);
        let audits = self.search(&req).await?;
        let full = audits.len() >= PAGE;
        Ok((
            audits
                .into_iter()
                .filter(|a| (from..=to).contains(&a.occurred))
                .collect(),
            full,
        ))
    }

    /// Reads forward from `from` in time windows (see the module documentation), until `want`
    /// records not in `delivered` are read, the search budget is spent, or now is reached.
    async fn read(
        &self,
        from: i64,
        now: i64,
        span_hint: i64,
        want: usize,
        delivered: &BTreeSet<Key>,
    ) -> Result<Read, Error> {
        let mut span = if span_hint > 0 {
            span_hint
        } else {
            now.saturating_sub(from).saturating_add(1).max(1)
        };
        let mut at = from;
        let mut read_to = from.saturating_sub(1);
        let mut records: Vec<Audit> = Vec::new();
        let mut searches = 0;
        while at <= now && searches < SEARCHES_PER_CALL {
            let to = at.saturating_add(span - 1).min(now);
            searches += 1;
            let (mut got, full) = self.window(at, to, 0).await?;
            if full && to > at {
                // More than a page: a shorter window.
                span = ((to - at + 1) / 2).max(1);
                continue;
            }
            if full {
                // A single millisecond with a page or more: its pages, by number, until one is
                // not full (the window is in the past, so its pages hold still).
                let mut page = 1;
                loop {
                    let (more, full) = self.window(at, to, page).await?;
                    got.extend(more);
                    if !full || page >= MAX_PAGES_IN_ONE_MS {
                        break;
                    }
                    page += 1;
                }
            }
            // Small answers: longer windows next (much longer after an empty one).
            let grow = match got.len() {
                0 => 8,
                n if n < PAGE / 2 => 2,
                _ => 1,
            };
            records.extend(got);
            read_to = to;
            at = to.saturating_add(1);
            span = span.saturating_mul(grow);
            let fresh = keys_of(&records)
                .iter()
                .filter(|k| !delivered.contains(*k))
                .count();
            if fresh >= want {
                break;
            }
        }
        records.sort_by(|a, b| (a.occurred, &a.id).cmp(&(b.occurred, &b.id)));
        Ok(Read {
            records,
            read_to,
            span,
        })
    }

    /// The tenants' own roles among those `records` name in role changes (role searches by
    /// tenant, batched as `crate::tenant_search` does, only when such records are there).
    async fn own_roles(&self, records: &[&Audit]) -> Result<OwnRoles, Error> {
        let named: BTreeSet<(String, String)> =
            records.iter().flat_map(|a| tenant_roles_named(a)).collect();
        let tenants: Vec<String> = named
            .iter()
            .map(|(t, _)| t.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let answers = crate::tenant_search::roles_of_tenants(
            &self.client,
            &tenants,
            "searching the roles of tenants named in the audit log",
        )
        .await?;
        let mut own = OwnRoles::new();
        for r in answers
            .into_iter()
            .flat_map(|(_, roles)| roles)
            .filter(|r| !r.tenant_id.is_empty())
        {
            own.insert((r.tenant_id, r.name));
        }
        Ok(own)
    }
}

/// What to deliver: the first `n` records not delivered before, and the cursor after them.
struct Plan {
    delivered: Vec<usize>,
    cursor: Cursor,
}

/// Delivers as many of the `fresh` records (indices into `records`, oldest first) as `want`
/// and the cursor's key budget allow, and computes the cursor after them. Records before
/// `limit` are settled and read: the horizon may pass them once they are delivered.
fn plan(
    records: &[Audit],
    keys: &[Key],
    fresh: &[usize],
    old: &Cursor,
    limit: i64,
    read_all: bool,
    want: usize,
) -> Plan {
    let read_keys: BTreeSet<Key> = keys.iter().copied().collect();
    let mut n = want.min(fresh.len());
    loop {
        let first_left = fresh.get(n).map_or(i64::MAX, |&i| records[i].occurred);
        let horizon = old.horizon.max(limit.min(first_left));
        let now_delivered: BTreeSet<usize> = fresh[..n].iter().copied().collect();
        let mut kept: BTreeSet<Key> = records
            .iter()
            .zip(keys)
            .enumerate()
            .filter(|(i, (a, k))| {
                a.occurred >= horizon && (now_delivered.contains(i) || old.keys.contains(*k))
            })
            .map(|(_, (_, k))| *k)
            .collect();
        if !read_all {
            // Delivered records beyond what this call read are still ahead of the horizon.
            kept.extend(old.keys.iter().filter(|k| !read_keys.contains(*k)));
        }
        if kept.len() <= MAX_KEYS || n == 0 {
            return Plan {
                delivered: fresh[..n].to_vec(),
                cursor: Cursor {
                    horizon,
                    keys: kept,
                    span: old.span,
                },
            };
        }
        n -= 1;
    }
}

#[async_trait]
impl EventFeed for AuditFeed {
    fn metadata(&self) -> EventFeedMetadata {
        EventFeedMetadata::new(
            LEGACY_FEED_ID,
            [
                EventType::Usage,
                EventType::ResourceChange,
                EventType::CreateGrant,
                EventType::CreateRevoke,
            ],
        )
    }

    async fn list_events(&self, request: &EventsRequest) -> Result<EventPage, Error> {
        let now = now_ms();
        let oldest = now - RETENTION_MS + RETENTION_MARGIN_MS;
        let mut cursor = if request.cursor.is_empty() {
            let start = request
                .start_at
                .as_ref()
                .map(|t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
                .unwrap_or(oldest);
            Cursor::at(start)
        } else {
            Cursor::parse(&request.cursor)?
        };
        if cursor.horizon < oldest {
            if !request.cursor.is_empty() {
                tracing::warn!(
                    cursor_ms = cursor.horizon,
                    "the event feed's cursor is older than Descope's 30 days of audit: the records in between are no longer available"
                );
            }
            cursor = Cursor::at(oldest);
        }
        let want = match request.page_size {
            0 => DEFAULT_PAGE,
            n => n as usize,
        };
        let read = self
            .read(cursor.horizon, now, cursor.span, want, &cursor.keys)
            .await?;
        let keys = keys_of(&read.records);
        let fresh: Vec<usize> = (0..read.records.len())
            .filter(|&i| !cursor.keys.contains(&keys[i]))
            .collect();
        // Settled (older than the look-back) and read: the horizon may pass these.
        let settled = now.saturating_sub(self.lookback_ms);
        let limit = settled.min(read.read_to).saturating_add(1);
        let read_all = read.read_to >= now;
        let mut plan = plan(&read.records, &keys, &fresh, &cursor, limit, read_all, want);
        plan.cursor.span = read.span;
        let delivered: Vec<&Audit> = plan.delivered.iter().map(|&i| &read.records[i]).collect();
        let own = self.own_roles(&delivered).await?;
        let mut events = Vec::new();
        for &i in &plan.delivered {
            let record = &read.records[i];
            events.extend(events_of(record, &event_id(record, &keys[i]), &own));
        }
        // More now: records left because of the page size, or time not read yet. Records held
        // back by the cursor's key budget come once they are older than the look-back.
        let stopped_by_page_size = plan.delivered.len() == want && fresh.len() > want;
        let has_more = stopped_by_page_size || !read_all;
        Ok(EventPage::new(events, plan.cursor.encode(), has_more))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(id: &str, occurred: i64) -> Audit {
        let mut a = Audit::default();
        a.id = id.to_owned();
        a.occurred = occurred;
        a
    }

    #[test]
    fn the_horizon_never_passes_a_record_not_delivered() {
        let records: Vec<Audit> = (0..10).map(|i| audit(&format!("A{i}"), 100 + i)).collect();
        let keys = keys_of(&records);
        let fresh: Vec<usize> = (0..10).collect();
        let old = Cursor::at(100);
        // Three delivered of ten, all settled: the horizon stops at the fourth.
        let p = plan(&records, &keys, &fresh, &old, 1_000, true, 3);
        assert_eq!(p.delivered, [0, 1, 2]);
        assert_eq!(p.cursor.horizon, 103);
        assert!(p.cursor.keys.is_empty());
        // All delivered, settled up to 105: keys only for those at or after 105.
        let p = plan(&records, &keys, &fresh, &old, 105, true, 100);
        assert_eq!(p.delivered.len(), 10);
        assert_eq!(p.cursor.horizon, 105);
        assert_eq!(p.cursor.keys.len(), 5);
    }

    #[test]
    fn the_key_budget_holds_back_the_newest_unsettled_records() {
        let n = MAX_KEYS + 40;
        let records: Vec<Audit> = (0..n)
            .map(|i| audit(&format!("A{i}"), 1_000 + i as i64))
            .collect();
        let keys = keys_of(&records);
        let fresh: Vec<usize> = (0..n).collect();
        // None settled: every delivered record needs a key.
        let p = plan(&records, &keys, &fresh, &Cursor::at(0), 0, true, n);
        assert_eq!(p.delivered.len(), MAX_KEYS);
        assert_eq!(p.cursor.keys.len(), MAX_KEYS);
        assert!(p.cursor.encode().len() <= c1_connector_sdk::connector::MAX_CURSOR_BYTES);
        // Once settled, they need none.
        let p = plan(&records, &keys, &fresh, &Cursor::at(0), i64::MAX, true, n);
        assert_eq!(p.delivered.len(), n);
        assert!(p.cursor.keys.is_empty());
    }
}
