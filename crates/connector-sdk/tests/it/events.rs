//! Event feeds through the dispatch helpers and the fake connector's cursor paging.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{
    Connector, EventFeed, EventPage, EventProvider, EventsRequest, ResourceSyncer,
};
use c1_connector_sdk::error::{Code, Error};
use c1_connector_sdk::model::{
    Annotations, Capability, ConnectorMetadata, Entitlement, Event, EventFeedMetadata, EventType,
    ListEventFeedsRequest, ListEventsRequest, Resource, ResourceId,
};
use c1_connector_sdk::ops::{connector_capabilities, list_event_feeds, list_events};
use c1_connector_sdk::testing::{FAKE_FEED_ID, FakeConnector};

use super::org;

/// Seven events, one a minute, of every kind.
fn history() -> Vec<Event> {
    let user = Resource::new("user", "u1", "User 1");
    let app = Resource::new("app", "a1", "App");
    let group = Resource::new("group", "g1", "Group 1");
    let member = Entitlement::assignment(&group, "member");
    (0..7)
        .map(|i| {
            let id = format!("e{i}");
            let t = 1_700_000_000 + 60 * i64::from(i);
            match i % 4 {
                0 => Event::usage(id, t, app.clone(), user.clone()),
                1 => Event::resource_change(id, t, ResourceId::new("user", "u1"), None),
                2 => Event::create_grant(id, t, member.clone(), user.clone()),
                _ => Event::create_revoke(id, t, member.clone(), user.clone()),
            }
        })
        .collect()
}

fn req(cursor: &str, page_size: u32) -> ListEventsRequest {
    ListEventsRequest {
        cursor: cursor.into(),
        page_size,
        event_feed_id: FAKE_FEED_ID.into(),
        ..Default::default()
    }
}

/// Pages from `cursor` to the end; returns the ids seen and the final cursor.
async fn drain(fake: &FakeConnector, mut request: ListEventsRequest) -> (Vec<String>, String) {
    let mut ids = Vec::new();
    loop {
        let page = list_events(fake, &request).await.unwrap();
        assert!(page.events.len() <= request.page_size.max(2) as usize);
        ids.extend(page.events.into_iter().map(|e| e.id));
        request.cursor = page.cursor;
        if !page.has_more {
            return (ids, request.cursor);
        }
    }
}

fn all_ids() -> Vec<String> {
    (0..7).map(|i| format!("e{i}")).collect()
}

#[tokio::test]
async fn paging_to_the_end_gives_every_event_once() {
    let fake = org().events(history()).build();
    for size in 1..=8 {
        let (ids, _) = drain(&fake, req("", size)).await;
        assert_eq!(ids, all_ids(), "page size {size}");
    }
    // 0 is the feed's choice (the fake's page size, 2).
    let first = list_events(&fake, &req("", 0)).await.unwrap();
    assert_eq!(first.events.len(), 2);
    assert!(first.has_more);
}

#[tokio::test]
async fn resuming_from_a_cursor_continues_exactly() {
    let fake = org().events(history()).build();
    let first = list_events(&fake, &req("", 3)).await.unwrap();
    let head: Vec<String> = first.events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(head, ["e0", "e1", "e2"]);
    // Resume later, with another page size: no duplicate, no gap.
    let (tail, end) = drain(&fake, req(&first.cursor, 2)).await;
    assert_eq!(tail, ["e3", "e4", "e5", "e6"]);

    // The final cursor is where the next poll continues once the feed grows.
    let (none, same) = drain(&fake, req(&end, 5)).await;
    assert!(none.is_empty());
    assert_eq!(same, end);
    fake.push_event(Event::resource_change(
        "e7",
        1_700_001_000,
        ResourceId::new("user", "u2"),
        None,
    ));
    let (new, _) = drain(&fake, req(&end, 5)).await;
    assert_eq!(new, ["e7"]);
}

#[tokio::test]
async fn start_at_picks_the_first_page() {
    let fake = org().events(history()).build();
    let mut r = req("", 10);
    r.start_at = Some(prost_types::Timestamp {
        seconds: 1_700_000_000 + 60 * 4,
        nanos: 0,
    });
    let (ids, _) = drain(&fake, r).await;
    assert_eq!(ids, ["e4", "e5", "e6"]);
}

#[tokio::test]
async fn feeds_are_listed_and_requests_checked() {
    let fake = org().events(history()).build();
    let feeds = list_event_feeds(&fake, &ListEventFeedsRequest::default()).unwrap();
    assert_eq!(feeds.list.len(), 1);
    assert_eq!(feeds.list[0].id, FAKE_FEED_ID);
    assert!(
        connector_capabilities(&fake)
            .unwrap()
            .has(Capability::EventFeedV2)
    );

    let e = list_events(&fake, &req("nonsense", 2)).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let e = list_events(&fake, &req("", 1001)).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let e = list_events(&fake, &req(&"9".repeat(4097), 2))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let mut unnamed = req("", 2);
    unnamed.event_feed_id.clear();
    let e = list_events(&fake, &unnamed).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    assert!(e.message().contains("baton_feed_event"), "{e}");
    assert!(e.message().contains(FAKE_FEED_ID), "{e}");

    let none = org().build();
    let e = list_events(&none, &req("", 2)).await.unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    assert!(
        list_event_feeds(&none, &ListEventFeedsRequest::default())
            .unwrap()
            .list
            .is_empty()
    );
}

/// A feed that answers a fixed page, to check what the SDK accepts.
struct Fixed(EventPage, &'static str);

#[async_trait]
impl EventFeed for Fixed {
    fn metadata(&self) -> EventFeedMetadata {
        EventFeedMetadata::new(self.1, [EventType::Usage])
    }
    async fn list_events(&self, _: &EventsRequest) -> Result<EventPage, Error> {
        Ok(self.0.clone())
    }
}

struct Feeds(Vec<Arc<dyn EventFeed>>);

impl EventProvider for Feeds {
    fn event_feeds(&self) -> Vec<Arc<dyn EventFeed>> {
        self.0.clone()
    }
}

#[async_trait]
impl Connector for Feeds {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("Feeds", "Only feeds"))
    }
    async fn validate(&self) -> Result<Annotations, Error> {
        Ok(Annotations::new())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        Vec::new()
    }
    fn event_provider(&self) -> Option<&dyn EventProvider> {
        Some(self)
    }
}

#[tokio::test]
async fn a_feed_that_would_loop_is_an_error() {
    let request = ListEventsRequest {
        cursor: "c1".into(),
        event_feed_id: "f".into(),
        ..Default::default()
    };
    for (page, needle) in [
        (EventPage::new(Vec::new(), "", true), "no cursor"),
        (
            EventPage::new(Vec::new(), "c1", true),
            "cursor it was given",
        ),
        (EventPage::new(Vec::new(), "x".repeat(4097), false), "4097"),
    ] {
        let c = Feeds(vec![Arc::new(Fixed(page, "f"))]);
        let e = list_events(&c, &request).await.unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert!(e.message().contains(needle), "{e}");
    }
    // The same cursor with has_more = false is fine: nothing new yet.
    let c = Feeds(vec![Arc::new(Fixed(
        EventPage::new(Vec::new(), "c1", false),
        "f",
    ))]);
    assert!(!list_events(&c, &request).await.unwrap().has_more);

    // Feed ids must be unique and non-empty.
    let dup = Feeds(vec![
        Arc::new(Fixed(EventPage::default(), "f")),
        Arc::new(Fixed(EventPage::default(), "f")),
    ]);
    let e = list_event_feeds(&dup, &ListEventFeedsRequest::default()).unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let empty = Feeds(vec![Arc::new(Fixed(EventPage::default(), ""))]);
    assert!(connector_capabilities(&empty).is_err());
}
