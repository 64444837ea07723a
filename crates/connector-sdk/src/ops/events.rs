//! `ListEventFeeds` and `ListEvents`: the connector's feeds, checked as baton checks them at
//! registration, and pages checked so that a caller cannot loop forever.

use std::collections::HashSet;
use std::sync::Arc;

use crate::connector::{
    Connector, EventFeed, EventsRequest, LEGACY_FEED_ID, MAX_CURSOR_BYTES, MAX_PAGE_SIZE,
};
use crate::error::Error;
use crate::model::{
    EventFeedMetadata, EventType, ListEventFeedsRequest, ListEventFeedsResponse, ListEventsRequest,
    ListEventsResponse,
};

fn check_metadata(m: &EventFeedMetadata) -> Result<(), Error> {
    if m.id.is_empty() || m.id.len() > 1024 {
        return Err(Error::invalid_argument(format!(
            "event feed id {:?} must be 1 to 1024 bytes",
            m.id
        )));
    }
    let mut seen = HashSet::new();
    for t in &m.supported_event_types {
        if EventType::try_from(*t).is_err() {
            return Err(Error::invalid_argument(format!(
                "event feed {} declares an unknown event type {t}",
                m.id
            )));
        }
        if !seen.insert(*t) {
            return Err(Error::invalid_argument(format!(
                "event feed {} declares event type {t} twice",
                m.id
            )));
        }
    }
    Ok(())
}

/// A feed with the metadata it declared.
pub type RegisteredFeed = (EventFeedMetadata, Arc<dyn EventFeed>);

/// Every feed of a connector with its metadata, checked (ids 1..=1024 bytes and unique, event
/// types known and unique, as baton validates at registration). Empty when the connector has no
/// event provider.
pub fn event_feeds(connector: &dyn Connector) -> Result<Vec<RegisteredFeed>, Error> {
    let Some(provider) = connector.event_provider() else {
        return Ok(Vec::new());
    };
    let mut ids = HashSet::new();
    let mut out = Vec::new();
    for feed in provider.event_feeds() {
        let m = feed.metadata();
        check_metadata(&m)?;
        if !ids.insert(m.id.clone()) {
            return Err(Error::invalid_argument(format!(
                "two event feeds have the id {}",
                m.id
            )));
        }
        out.push((m, feed));
    }
    Ok(out)
}

/// The feed `feed_id` (empty: [`LEGACY_FEED_ID`], as baton).
///
/// Errors: `Unimplemented` when the connector has no event feeds; `NotFound` naming the feeds
/// there are.
pub fn event_feed(connector: &dyn Connector, feed_id: &str) -> Result<Arc<dyn EventFeed>, Error> {
    let feeds = event_feeds(connector)?;
    if feeds.is_empty() {
        return Err(Error::unimplemented("this connector has no event feeds"));
    }
    let id = if feed_id.is_empty() {
        LEGACY_FEED_ID
    } else {
        feed_id
    };
    let ids: Vec<&str> = feeds.iter().map(|(m, _)| m.id.as_str()).collect();
    let names = ids.join(", ");
    feeds
        .iter()
        .find(|(m, _)| m.id == id)
        .map(|(_, f)| f.clone())
        .ok_or_else(|| Error::not_found(format!("event feed {id:?} not found; feeds: {names}")))
}

/// Serves `ListEventFeeds`.
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::list_event_feeds;
/// use c1_connector_sdk::model::ListEventFeedsRequest;
/// for feed in list_event_feeds(connector, &ListEventFeedsRequest::default())?.list {
///     println!("{}", feed.id);
/// }
/// # Ok(()) }
/// ```
pub fn list_event_feeds(
    connector: &dyn Connector,
    _request: &ListEventFeedsRequest,
) -> Result<ListEventFeedsResponse, Error> {
    Ok(ListEventFeedsResponse {
        list: event_feeds(connector)?
            .into_iter()
            .map(|(m, _)| m)
            .collect(),
        annotations: Vec::new(),
    })
}

/// Serves `ListEvents`: checks the request (cursor at most 4096 bytes, page size at most 1000),
/// lists from the feed, and checks its answer.
///
/// A page with `has_more` but no cursor, or with the request's non-empty cursor unchanged, would
/// make a caller loop forever: it is an `Internal` error, as baton treats an unchanged page
/// token. So is a cursor longer than 4096 bytes.
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # async fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::list_events;
/// use c1_connector_sdk::model::ListEventsRequest;
/// let mut request = ListEventsRequest { event_feed_id: "audit".into(), page_size: 100, ..Default::default() };
/// loop {
///     let page = list_events(connector, &request).await?;
///     // ... handle page.events ...
///     request.cursor = page.cursor;
///     if !page.has_more { break; }
/// }
/// # Ok(()) }
/// ```
pub async fn list_events(
    connector: &dyn Connector,
    request: &ListEventsRequest,
) -> Result<ListEventsResponse, Error> {
    if request.cursor.len() > MAX_CURSOR_BYTES {
        return Err(Error::invalid_argument(format!(
            "event cursor is {} bytes; at most {MAX_CURSOR_BYTES}",
            request.cursor.len()
        )));
    }
    if request.page_size > MAX_PAGE_SIZE {
        return Err(Error::invalid_argument(format!(
            "event page size {} is above {MAX_PAGE_SIZE}",
            request.page_size
        )));
    }
    let feed = event_feed(connector, &request.event_feed_id)?;
    let page = feed
        .list_events(&EventsRequest {
            start_at: request.start_at,
            cursor: request.cursor.clone(),
            page_size: request.page_size,
        })
        .await?;
    let id = feed.metadata().id;
    if page.cursor.len() > MAX_CURSOR_BYTES {
        return Err(Error::internal(format!(
            "event feed {id} returned a cursor of {} bytes; at most {MAX_CURSOR_BYTES}",
            page.cursor.len()
        )));
    }
    if page.has_more && page.cursor.is_empty() {
        return Err(Error::internal(format!(
            "event feed {id} says it has more events but returned no cursor"
        )));
    }
    if page.has_more && !request.cursor.is_empty() && page.cursor == request.cursor {
        return Err(Error::internal(format!(
            "event feed {id} says it has more events but returned the cursor it was given (likely a connector bug)"
        )));
    }
    Ok(ListEventsResponse {
        events: page.events,
        cursor: page.cursor,
        has_more: page.has_more,
        annotations: page.annotations.into_inner(),
    })
}
