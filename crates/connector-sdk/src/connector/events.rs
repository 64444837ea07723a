//! Event feeds (baton's `EventProviderV2` / `EventFeed`): the traits a connector offers.
//!
//! Events are a connector-level capability: a [`Connector`] returns an [`EventProvider`] from
//! [`Connector::event_provider`], which hands out one [`EventFeed`] per feed. A feed lists its
//! events from a cursor: an empty cursor starts at `start_at`; the cursor a page returns resumes
//! right after it, also later when the feed has grown (the cursor of a page with
//! `has_more = false` is where the next poll continues).

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Error;
use crate::model::{Annotations, Event, EventFeedMetadata};

/// The feed id baton uses when a request names none (its legacy single feed).
pub const LEGACY_FEED_ID: &str = "baton_feed_event";

/// The largest cursor baton accepts, in bytes.
pub const MAX_CURSOR_BYTES: usize = 4096;

/// The largest page size baton accepts.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Hands out a connector's event feeds.
pub trait EventProvider: Send + Sync {
    /// The feeds; their ids must be unique.
    fn event_feeds(&self) -> Vec<Arc<dyn EventFeed>>;
}

/// What to list from a feed (baton's `StreamToken` plus the start time).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EventsRequest {
    /// The earliest event wanted (applies when `cursor` is empty).
    pub start_at: Option<prost_types::Timestamp>,
    /// Where to resume; empty for "from `start_at`".
    pub cursor: String,
    /// Page size; 0 means the feed's choice.
    pub page_size: u32,
}

impl EventsRequest {
    /// A request resuming from `cursor`.
    pub fn from_cursor(cursor: impl Into<String>, page_size: u32) -> Self {
        Self {
            cursor: cursor.into(),
            page_size,
            start_at: None,
        }
    }
}

/// One page of events (baton's events plus `StreamState`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EventPage {
    /// The events, oldest first.
    pub events: Vec<Event>,
    /// Where the next call resumes (never empty when `has_more`).
    pub cursor: String,
    /// Whether more events are available now.
    pub has_more: bool,
    /// Annotations.
    pub annotations: Annotations,
}

impl EventPage {
    /// A page.
    pub fn new(events: Vec<Event>, cursor: impl Into<String>, has_more: bool) -> Self {
        Self {
            events,
            cursor: cursor.into(),
            has_more,
            annotations: Annotations::new(),
        }
    }
}

/// One stream of events.
///
/// ```
/// use async_trait::async_trait;
/// use c1_connector_sdk::connector::{EventFeed, EventPage, EventsRequest};
/// use c1_connector_sdk::model::{EventFeedMetadata, EventType};
/// use c1_connector_sdk::error::Error;
///
/// struct Audit;
///
/// #[async_trait]
/// impl EventFeed for Audit {
///     fn metadata(&self) -> EventFeedMetadata {
///         EventFeedMetadata::new("audit", [EventType::Usage])
///     }
///     async fn list_events(&self, request: &EventsRequest) -> Result<EventPage, Error> {
///         // ... fetch the audit log after `request.cursor` ...
///         Ok(EventPage::new(Vec::new(), request.cursor.clone(), false))
///     }
/// }
/// ```
#[async_trait]
pub trait EventFeed: Send + Sync {
    /// The feed's id and event types.
    fn metadata(&self) -> EventFeedMetadata;

    /// Lists events after `request.cursor` (or from `request.start_at` when the cursor is
    /// empty). A cursor the feed cannot read is `InvalidArgument`.
    async fn list_events(&self, request: &EventsRequest) -> Result<EventPage, Error>;
}
