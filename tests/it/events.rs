//! The audit event feed, paged to the end with a cursor while new audit records arrive between
//! pages, resumed from a saved cursor, and compared with events computed from the emulator's
//! audit records: each exactly once, oldest first.

use std::collections::BTreeSet;

use c1_connector_sdk::connector::{Connector, EventsRequest};
use c1_connector_sdk::model::event::Kind;
use c1_connector_sdk::ops::event_feed;
use descope_c1::testing::{TestResult, connector_for, enc};
use descope_emulator::{AuditRecord, Dataset, Emulator, GenSpec};
use descope_mgmt::CreateUserRequest;

fn data(users: usize) -> Dataset {
    Dataset::generate(&GenSpec {
        users,
        tenants: 3,
        project_roles: 2,
        tenant_roles: 1,
        permissions: 2,
        logins_per_user: 3,
        seed: 12,
        ..GenSpec::default()
    })
}

/// `(event id, what it is about)` of the events an audit record gives, written from the
/// feed's documented mapping.
fn expected_of(a: &AuditRecord) -> Vec<(String, String)> {
    let s = |k: &str| {
        a.data
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    match a.action.as_str() {
        "LoginSucceed" => vec![(a.id.clone(), format!("usage by user:{}", enc(&a.user_id)))],
        "UserCreated" | "UserModified" | "UserDeleted" => {
            vec![(a.id.clone(), format!("user:{}", enc(&a.user_id)))]
        }
        "TenantCreated" | "TenantModified" | "TenantDeleted" => {
            vec![(a.id.clone(), format!("tenant:{}", enc(&s("tenantId"))))]
        }
        "RoleCreated" | "RoleModified" | "RoleDeleted" => {
            let t = s("tenantId");
            let id = if t.is_empty() {
                format!("role:project/{}", enc(&s("roleName")))
            } else {
                format!("role:tenant/{}/{}", enc(&t), enc(&s("roleName")))
            };
            vec![(a.id.clone(), id)]
        }
        _ => Vec::new(),
    }
}

fn got_of(e: &c1_connector_sdk::model::Event) -> (String, String) {
    let what = match &e.event {
        Some(Kind::UsageEvent(u)) => {
            let actor = u
                .actor_resource
                .as_ref()
                .map(|r| r.resource_id())
                .unwrap_or_default();
            format!("usage by {}:{}", actor.resource_type, actor.resource)
        }
        Some(Kind::ResourceChangeEvent(c)) => {
            let r = c.resource_id.clone().unwrap_or_default();
            format!("{}:{}", r.resource_type, r.resource)
        }
        other => format!("{other:?}"),
    };
    (e.id.clone(), what)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_pages_resumes_and_sees_new_records_exactly_once() -> TestResult {
    // A window that fits one audit page, and one of several pages.
    for users in [120, 700] {
        feed_is_exact(users).await?;
    }
    Ok(())
}

async fn feed_is_exact(users: usize) -> TestResult {
    let emu = Emulator::builder().dataset(data(users)).start().await?;
    let connector = connector_for(&emu)?;
    let c: &dyn Connector = connector.as_ref();
    let feed = event_feed(c, "")?;
    let client = connector.client().clone();

    let mut cursor = String::new();
    let mut got = Vec::new();
    let mut saved = None;
    let mut pages = 0;
    loop {
        let page = feed
            .list_events(&EventsRequest::from_cursor(
                cursor.clone(),
                (users / 3) as u32,
            ))
            .await?;
        pages += 1;
        got.extend(page.events.iter().map(got_of));
        cursor = page.cursor.clone();
        if pages == 2 {
            // New records arrive while the feed is read.
            client
                .users()
                .create(&CreateUserRequest::new("late@acme.io").email("late@acme.io"))
                .await?;
            saved = Some((cursor.clone(), got.len()));
        }
        if !page.has_more {
            break;
        }
        assert!(pages < 1000, "the feed ends");
    }
    assert!(pages >= 2, "{pages} pages");
    if users > 500 {
        assert!(emu.dataset().audit.len() > 1000, "more than one audit page");
    }

    // Every mapped record, once, oldest first.
    let mut audit = emu.dataset().audit;
    audit.sort_by(|a, b| (a.occurred, &a.id).cmp(&(b.occurred, &b.id)));
    let want: Vec<(String, String)> = audit.iter().flat_map(expected_of).collect();
    assert!(want.iter().any(|(_, w)| w.starts_with("usage")));
    assert!(
        want.iter().any(|(_, w)| w.starts_with("user:")),
        "the late user's UserCreated"
    );
    let ids: BTreeSet<&String> = got.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), got.len(), "no event twice");
    assert_eq!(got, want);

    // Resumed from the cursor of page 2: exactly the rest.
    let (from, seen) = saved.ok_or("a saved cursor")?;
    let mut rest = Vec::new();
    let mut cursor = from;
    loop {
        let page = feed
            .list_events(&EventsRequest::from_cursor(cursor.clone(), 500))
            .await?;
        rest.extend(page.events.iter().map(got_of));
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(rest, want[seen..].to_vec());

    // Nothing new: an empty page, the same position.
    let page = feed
        .list_events(&EventsRequest::from_cursor(cursor.clone(), 10))
        .await?;
    assert!(page.events.is_empty() && !page.has_more);
    let err = feed
        .list_events(&EventsRequest::from_cursor("not a cursor", 10))
        .await
        .expect_err("a foreign cursor");
    assert_eq!(err.code(), c1_connector_sdk::error::Code::InvalidArgument);
    Ok(())
}
