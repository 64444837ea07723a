//! `list_event_feeds` and `list_events` tasks: a feed paged to its end through successive
//! tasks, and its errors.

use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_sdk::error::Code as SdkCode;
use c1_connector_sdk::model::{
    Capability, Event, EventType, ListEventFeedsResponse, ListEventsResponse, ResourceId,
};
use c1_connector_sdk::testing::{FAKE_FEED_ID, FakeOp, Fault};

use crate::answers::{failure, response, success};
use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, start,
};

fn event(i: i64) -> Event {
    Event::resource_change(
        format!("e{i}"),
        1_000 + i,
        ResourceId::new("user", format!("u{i}")),
        None,
    )
}

fn start_at(seconds: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds, nanos: 0 })
}

#[tokio::test]
async fn a_feed_is_listed_and_read_page_by_page() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let fake = connector_builder()
        .events((0..5).map(event))
        .fault(Fault::new(FakeOp::Events, SdkCode::Unavailable))
        .build();
    let id = tasks::task_id;
    let running = start(
        fake.clone(),
        config(&c1, temp.path()).with_task_concurrency(1),
    );
    // The first call meets the injected outage: retryable.
    c1.push_task(tasks::list_events(&id(1), FAKE_FEED_ID, "", start_at(0), 2));
    c1.push_task(tasks::list_event_feeds(&id(2)));
    let mut cursor = String::new();
    let mut seen = Vec::new();
    let mut n = 10;
    loop {
        c1.push_task(tasks::list_events(
            &id(n),
            FAKE_FEED_ID,
            &cursor,
            start_at(0),
            2,
        ));
        let records = c1
            .wait_until(WAIT, |r| r.finished_for(&id(n)).len() == 1)
            .await?;
        let page: ListEventsResponse = response(&records, &id(n));
        assert!(success(&records, &id(n)).annotations.is_empty());
        seen.extend(page.events.iter().map(|e| e.id.clone()));
        cursor = page.cursor;
        n += 1;
        if !page.has_more {
            break;
        }
        assert!(n < 20, "the feed never ended");
    }
    assert_eq!(seen, ["e0", "e1", "e2", "e3", "e4"]);
    assert_eq!(cursor, "5");
    // The start time applies without a cursor.
    c1.push_task(tasks::list_events(
        &id(30),
        FAKE_FEED_ID,
        "",
        start_at(1_003),
        0,
    ));
    c1.push_task(tasks::list_events(&id(31), FAKE_FEED_ID, "bogus", None, 0));
    c1.push_task(tasks::list_events(&id(32), "audit", "", None, 0));
    c1.push_task(tasks::list_events(&id(33), FAKE_FEED_ID, "", None, 5000));
    let records = c1
        .wait_until(WAIT, |r| r.finished_for(&id(33)).len() == 1)
        .await?;
    running.stop().await?;
    assert_eq!(records.rejections(), Vec::<String>::new());
    let caps = records.hellos()[0]
        .connector_metadata
        .as_ref()
        .and_then(|m| m.capabilities.clone())
        .expect("capabilities");
    assert!(
        caps.connector_capabilities
            .contains(&(Capability::EventFeedV2 as i32))
    );

    let f = failure(&records, &id(1));
    assert_eq!((f.code, f.non_retryable), (14, false), "{f:?}");
    let feeds: ListEventFeedsResponse = response(&records, &id(2));
    assert_eq!(feeds.list.len(), 1);
    assert_eq!(feeds.list[0].id, FAKE_FEED_ID);
    assert!(
        feeds.list[0]
            .supported_event_types
            .contains(&(EventType::ResourceChange as i32))
    );
    let late: ListEventsResponse = response(&records, &id(30));
    let ids: Vec<&str> = late.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e3", "e4"]);
    let f = failure(&records, &id(31));
    assert_eq!((f.code, f.non_retryable), (3, true), "{f:?}");
    assert!(f.message.contains("bad event cursor"), "{f:?}");
    let f = failure(&records, &id(32));
    assert_eq!((f.code, f.non_retryable), (5, true), "{f:?}");
    assert!(f.message.contains("feeds: fake_feed"), "{f:?}");
    let f = failure(&records, &id(33));
    assert_eq!((f.code, f.non_retryable), (3, true), "{f:?}");
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_connector_without_feeds_says_so() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let id = tasks::task_id(1);
    let other = tasks::task_id(2);
    c1.push_task(tasks::list_event_feeds(&id));
    c1.push_task(tasks::list_events(&other, "", "", None, 0));
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| r.finished_for(&other).len() == 1)
        .await?;
    running.stop().await?;
    let feeds: ListEventFeedsResponse = response(&records, &id);
    assert!(feeds.list.is_empty());
    let f = failure(&records, &other);
    assert_eq!((f.code, f.non_retryable), (12, true), "{f:?}");
    assert!(
        f.message.contains("this connector has no event feeds"),
        "{f:?}"
    );
    c1.stop().await;
    Ok(())
}
