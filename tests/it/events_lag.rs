//! The event feed while the audit log lags and misbehaves (issue 20): records that become
//! searchable up to 4 s after they occur, read every second, each delivered once; answers
//! without `total` or with a capped one; records without ids; more records within the
//! look-back than the cursor can remember; grant and revoke events for role, tenant and SSO
//! application changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use c1_connector_sdk::connector::{Connector, EventFeed, EventsRequest, MAX_CURSOR_BYTES};
use c1_connector_sdk::model::{Event, event::Kind};
use c1_connector_sdk::ops::event_feed;
use descope_c1::testing::{TestResult, client_for, connector_with, enc};
use descope_connector::DescopeConnector;
use descope_emulator::{AuditRecord, AuditTotal, Dataset, Emulator, EmulatorBuilder, GenSpec};
use descope_mgmt::{CreateRoleRequest, CreateTenantRequest, CreateUserRequest};

fn connector(emu: &Emulator, lookback: Duration) -> TestResult<Arc<DescopeConnector>> {
    connector_with(emu, |config| config.with_event_lookback(lookback))
}

fn feed(c: &Arc<DescopeConnector>) -> TestResult<Arc<dyn EventFeed>> {
    let c: &dyn Connector = c.as_ref();
    Ok(event_feed(c, "")?)
}

fn now() -> prost_types::Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    prost_types::Timestamp {
        seconds: i64::try_from(d.as_secs()).unwrap_or_default(),
        nanos: 0,
    }
}

/// Reads the feed from `cursor` until it has nothing more now; returns the events and the
/// cursor after them.
async fn drain(
    feed: &Arc<dyn EventFeed>,
    mut request: EventsRequest,
) -> TestResult<(Vec<Event>, String)> {
    let mut events = Vec::new();
    for _ in 0..1_000 {
        let page = feed.list_events(&request).await?;
        assert!(
            page.cursor.len() <= MAX_CURSOR_BYTES,
            "{}",
            page.cursor.len()
        );
        events.extend(page.events);
        request = EventsRequest::from_cursor(page.cursor.clone(), request.page_size);
        if !page.has_more {
            return Ok((events, page.cursor));
        }
    }
    Err("the feed never ended".into())
}

/// What an event is about: its kind and object.
fn what(e: &Event) -> String {
    match &e.event {
        Some(Kind::UsageEvent(u)) => {
            let a = u
                .actor_resource
                .as_ref()
                .map(|r| r.resource_id())
                .unwrap_or_default();
            format!("usage by {}:{}", a.resource_type, a.resource)
        }
        Some(Kind::ResourceChangeEvent(c)) => {
            let r = c.resource_id.clone().unwrap_or_default();
            format!("{}:{}", r.resource_type, r.resource)
        }
        Some(Kind::CreateGrantEvent(g)) => format!(
            "grant {} to {}",
            g.entitlement.as_ref().map(|e| e.id.as_str()).unwrap_or(""),
            g.principal
                .as_ref()
                .map(|p| p.resource_id().resource)
                .unwrap_or_default()
        ),
        Some(Kind::CreateRevokeEvent(r)) => format!(
            "revoke {} from {}",
            r.entitlement.as_ref().map(|e| e.id.as_str()).unwrap_or(""),
            r.principal
                .as_ref()
                .map(|p| p.resource_id().resource)
                .unwrap_or_default()
        ),
        other => format!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_changes_searchable_up_to_4s_late_and_read_every_second_come_once() -> TestResult {
    let emu = Emulator::builder()
        .audit_ingestion_delay(Duration::from_secs(4))
        .start()
        .await?;
    let c = connector(&emu, descope_connector::DEFAULT_EVENT_LOOKBACK)?;
    let feed = feed(&c)?;
    let api = client_for(&emu)?;
    let started = Instant::now();
    let mut request = EventsRequest::from_cursor(String::new(), 100);
    request.start_at = Some(now());

    // Five changes half a second apart, while the feed is read every second, until every record
    // has had its 4 s to become searchable.
    let mut changes = tokio::spawn(async move {
        let mut made = Vec::new();
        for i in 0..5 {
            let id = format!("lagging-{i}");
            api.tenants()
                .create(&CreateTenantRequest::new(format!("Lagging {i}")).id(id.clone()))
                .await?;
            made.push(format!("tenant:{}", enc(&id)));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok::<_, descope_mgmt::Error>((made, Instant::now()))
    });
    let mut got: Vec<Event> = Vec::new();
    let mut calls = Vec::new();
    let mut read_at = Vec::new();
    let mut done: Option<Instant> = None;
    let mut made = Vec::new();
    while done.is_none_or(|d| d.elapsed() < Duration::from_millis(4_500)) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the changes take too long"
        );
        read_at.push(Instant::now());
        let (events, cursor) = drain(&feed, request.clone()).await?;
        calls.push(events.iter().map(what).collect::<Vec<_>>());
        got.extend(events);
        request = EventsRequest::from_cursor(cursor, 100);
        tokio::time::sleep(Duration::from_secs(1)).await;
        if done.is_none() && changes.is_finished() {
            let (m, at) = (&mut changes).await??;
            made = m;
            done = Some(at);
        }
    }
    let (events, _) = drain(&feed, request.clone()).await?;
    calls.push(events.iter().map(what).collect::<Vec<_>>());
    got.extend(events);
    let ids: BTreeSet<&String> = got.iter().map(|e| &e.id).collect();
    assert_eq!(ids.len(), got.len(), "no event twice: {calls:?}");
    let tenants: Vec<String> = got
        .iter()
        .map(what)
        .filter(|w| w.starts_with("tenant:"))
        .collect();
    let mut sorted = tenants.clone();
    sorted.sort();
    assert_eq!(sorted, made, "every change once: {calls:?}");
    // With reads every second as planned, the lag reorders them: a later change is delivered
    // before an earlier one (which shows that late records are still delivered; a feed without
    // a look-back delivers one of the five here). A machine too busy to read every second may
    // not show it, and then this is not asserted.
    let regular = read_at
        .windows(2)
        .all(|w| w[1] - w[0] < Duration::from_millis(1_800));
    if regular {
        assert_ne!(
            tenants, made,
            "delivery order equals change order: {calls:?}"
        );
    }
    Ok(())
}

/// A dataset whose audit trail spans several audit pages.
fn busy() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 1_500,
        tenants: 3,
        project_roles: 2,
        tenant_roles: 1,
        permissions: 2,
        logins_per_user: 3,
        seed: 12,
        ..GenSpec::default()
    })
}

/// The events a record must give (its kind and object), for the actions the dataset holds.
fn expected_of(a: &AuditRecord) -> Option<String> {
    let s = |k: &str| {
        a.data
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    Some(match a.action.as_str() {
        "LoginSucceed" => format!("usage by user:{}", enc(&a.user_id)),
        "UserCreated" | "UserModified" | "UserDeleted" => format!("user:{}", enc(&a.user_id)),
        "TenantCreated" | "TenantModified" | "TenantDeleted" => {
            format!("tenant:{}", enc(&s("tenantId")))
        }
        _ => return None,
    })
}

async fn whole_feed_is_exact(builder: EmulatorBuilder, ids: bool) -> TestResult {
    let emu = builder.dataset(busy()).start().await?;
    let audit = emu.dataset().audit;
    assert!(audit.len() > 2_000, "several audit pages: {}", audit.len());
    let searches_before = emu.counters().endpoint("POST /v1/mgmt/audit/search");
    let c = connector(&emu, descope_connector::DEFAULT_EVENT_LOOKBACK)?;
    let (events, _) = drain(&feed(&c)?, EventsRequest::from_cursor(String::new(), 700)).await?;
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for a in &audit {
        if let Some(w) = expected_of(a) {
            *want.entry(w).or_default() += 1;
        }
    }
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        *got.entry(what(e)).or_default() += 1;
    }
    assert_eq!(got, want, "every record once");
    let unique: BTreeSet<&String> = events.iter().map(|e| &e.id).collect();
    assert_eq!(unique.len(), events.len(), "event ids are unique");
    let searches = emu.counters().endpoint("POST /v1/mgmt/audit/search") - searches_before;
    assert!(
        searches < 40,
        "{searches} audit searches for {} records",
        audit.len()
    );
    if ids {
        let record_ids: BTreeSet<&String> = audit.iter().map(|a| &a.id).collect();
        assert!(events.iter().all(|e| record_ids.contains(&e.id)));
    } else {
        assert!(events.iter().all(|e| e.id.starts_with('k')), "content keys");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_without_total_are_read_whole() -> TestResult {
    whole_feed_is_exact(Emulator::builder().audit_total(AuditTotal::Absent), true).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_with_a_capped_total_are_read_whole() -> TestResult {
    whole_feed_is_exact(
        Emulator::builder().audit_total(AuditTotal::Capped(1_000)),
        true,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_without_ids_are_delivered_once_by_content() -> TestResult {
    whole_feed_is_exact(Emulator::builder().audit_records_without_ids(true), false).await?;
    // A cursor resumes by content keys too: read again from a cursor, nothing repeats.
    let emu = Emulator::builder()
        .audit_records_without_ids(true)
        .start()
        .await?;
    let c = connector(&emu, descope_connector::DEFAULT_EVENT_LOOKBACK)?;
    let feed = feed(&c)?;
    let (first, cursor) = drain(&feed, EventsRequest::from_cursor(String::new(), 50)).await?;
    assert!(!first.is_empty());
    client_for(&emu)?
        .users()
        .create(&CreateUserRequest::new("after@acme.io"))
        .await?;
    let (second, _) = drain(&feed, EventsRequest::from_cursor(cursor, 50)).await?;
    assert_eq!(
        second.len(),
        1,
        "{:?}",
        second.iter().map(what).collect::<Vec<_>>()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_records_within_the_look_back_than_a_cursor_holds_wait_and_come_once() -> TestResult {
    let emu = Emulator::builder().start().await?;
    let lookback = Duration::from_secs(2);
    let c = connector(&emu, lookback)?;
    let feed = feed(&c)?;
    let mut request = EventsRequest::from_cursor(String::new(), 1_000);
    request.start_at = Some(now());
    let api = client_for(&emu)?;
    for i in 0..400 {
        api.tenants()
            .create(&CreateTenantRequest::new(format!("Busy {i}")).id(format!("busy-{i}")))
            .await?;
    }
    let (first, cursor) = drain(&feed, request).await?;
    assert!(
        first.len() < 400,
        "the cursor cannot remember 400 records: {}",
        first.len()
    );
    assert!(first.len() >= 300, "{}", first.len());
    assert!(
        cursor.len() <= MAX_CURSOR_BYTES && cursor.len() > 3_000,
        "{}",
        cursor.len()
    );
    tokio::time::sleep(lookback + Duration::from_millis(500)).await;
    let (rest, _) = drain(&feed, EventsRequest::from_cursor(cursor, 1_000)).await?;
    let all: BTreeSet<String> = first.iter().chain(&rest).map(what).collect();
    assert_eq!(first.len() + rest.len(), 400);
    assert_eq!(all.len(), 400, "each once");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_tenant_and_app_changes_are_grant_and_revoke_events() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 20,
        tenants: 2,
        sso_apps: 3,
        seed: 4,
        ..GenSpec::default()
    });
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let c = connector(&emu, descope_connector::DEFAULT_EVENT_LOOKBACK)?;
    let feed = feed(&c)?;
    let api = client_for(&emu)?;
    let mut request = EventsRequest::from_cursor(String::new(), 100);
    request.start_at = Some(now());

    let user = api
        .users()
        .create(&CreateUserRequest::new("granted@acme.io"))
        .await?
        .user_id;
    let tenant = api
        .tenants()
        .create(&CreateTenantRequest::new("Granted").id("granted-tenant"))
        .await?;
    api.roles()
        .create(&CreateRoleRequest::new("ProjectRole"))
        .await?;
    api.roles()
        .create(&CreateRoleRequest::new("OwnRole").tenant_id(tenant.clone()))
        .await?;
    let apps: Vec<String> = data.sso_apps.iter().map(|a| a.id.clone()).take(2).collect();
    assert_eq!(apps.len(), 2);
    let roles = |r: &str| vec![r.to_owned()];
    api.users()
        .add_roles(&user, &roles("ProjectRole"), None)
        .await?;
    api.users().add_tenant(&user, &tenant).await?;
    api.users()
        .add_roles(&user, &roles("OwnRole"), Some(&tenant))
        .await?;
    api.users()
        .add_roles(&user, &roles("ProjectRole"), Some(&tenant))
        .await?;
    api.users().add_sso_apps(&user, &apps).await?;
    api.users().remove_sso_apps(&user, &apps[..1]).await?;
    api.users()
        .remove_roles(&user, &roles("OwnRole"), Some(&tenant))
        .await?;
    api.users()
        .remove_roles(&user, &roles("ProjectRole"), None)
        .await?;
    api.users().remove_tenant(&user, &tenant).await?;

    let (events, _) = drain(&feed, request).await?;
    // Records of one millisecond come in no particular order: compared as sets.
    let got: BTreeSet<String> = events
        .iter()
        .map(what)
        .filter(|w| w.starts_with("grant ") || w.starts_with("revoke "))
        .collect();
    let (u, t) = (enc(&user), enc(&tenant));
    let want: BTreeSet<String> = [
        format!("grant role:project/ProjectRole:assigned to {u}"),
        format!("grant tenant:{t}:member to {u}"),
        format!("grant role:tenant/{t}/OwnRole:assigned to {u}"),
        format!("grant role:tenant/{t}/project/ProjectRole:assigned to {u}"),
        format!("grant app:{}:access to {u}", enc(&apps[0])),
        format!("grant app:{}:access to {u}", enc(&apps[1])),
        format!("revoke app:{}:access from {u}", enc(&apps[0])),
        format!("revoke role:tenant/{t}/OwnRole:assigned from {u}"),
        format!("revoke role:project/ProjectRole:assigned from {u}"),
        format!("revoke tenant:{t}:member from {u}"),
    ]
    .into();
    assert_eq!(got, want);
    Ok(())
}
