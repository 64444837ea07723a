//! baton's event-feed messages (`proto/c1/connector/v2/event_feed.proto`): [`Event`] and its
//! kinds, feed metadata, and the requests and responses of `EventService`.

use super::annotations::packable;
use super::messages::{Entitlement, Grant, Resource, ResourceId};

/// `c1.connector.v2.Event`: something that happened in the source system.
///
/// ```
/// use c1_connector_sdk::model::{Event, Resource, ResourceId};
/// let login = Event::usage("e1", 1_700_000_000, Resource::new("app", "a1", "App"), Resource::new("user", "u1", "Ann"));
/// let changed = Event::resource_change("e2", 1_700_000_060, ResourceId::new("user", "u1"), None);
/// assert!(login.occurred_at.is_some() && changed.event.is_some());
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    /// Unique id.
    #[prost(string, tag = "1")]
    pub id: String,
    /// When it happened.
    #[prost(message, optional, tag = "2")]
    pub occurred_at: Option<prost_types::Timestamp>,
    /// Resources for targets, actors or other items the event refers to.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
    /// What happened.
    #[prost(oneof = "event::Kind", tags = "100, 101, 102, 103, 104, 105")]
    pub event: Option<event::Kind>,
}

impl Event {
    fn at(id: impl Into<String>, unix_seconds: i64, kind: event::Kind) -> Self {
        Self {
            id: id.into(),
            occurred_at: Some(prost_types::Timestamp {
                seconds: unix_seconds,
                nanos: 0,
            }),
            annotations: Vec::new(),
            event: Some(kind),
        }
    }

    /// A usage event: `actor` used `target`.
    pub fn usage(
        id: impl Into<String>,
        unix_seconds: i64,
        target: Resource,
        actor: Resource,
    ) -> Self {
        Self::at(
            id,
            unix_seconds,
            event::Kind::UsageEvent(UsageEvent {
                target_resource: Some(target),
                actor_resource: Some(actor),
            }),
        )
    }

    /// A resource changed (ConductorOne re-fetches it).
    pub fn resource_change(
        id: impl Into<String>,
        unix_seconds: i64,
        resource_id: ResourceId,
        parent: Option<ResourceId>,
    ) -> Self {
        Self::at(
            id,
            unix_seconds,
            event::Kind::ResourceChangeEvent(ResourceChangeEvent {
                resource_id: Some(resource_id),
                parent_resource_id: parent,
            }),
        )
    }

    /// A grant was created in the source system.
    pub fn create_grant(
        id: impl Into<String>,
        unix_seconds: i64,
        entitlement: Entitlement,
        principal: Resource,
    ) -> Self {
        Self::at(
            id,
            unix_seconds,
            event::Kind::CreateGrantEvent(CreateGrantEvent {
                entitlement: Some(entitlement),
                principal: Some(principal),
                annotations: Vec::new(),
            }),
        )
    }

    /// A grant was revoked in the source system.
    pub fn create_revoke(
        id: impl Into<String>,
        unix_seconds: i64,
        entitlement: Entitlement,
        principal: Resource,
    ) -> Self {
        Self::at(
            id,
            unix_seconds,
            event::Kind::CreateRevokeEvent(CreateRevokeEvent {
                entitlement: Some(entitlement),
                principal: Some(principal),
                annotations: Vec::new(),
            }),
        )
    }

    /// The [`EventType`] of this event's kind (`None` when no kind is set, or for the legacy
    /// grant/revoke kinds, which have no event type).
    pub fn event_type(&self) -> Option<EventType> {
        match self.event.as_ref()? {
            event::Kind::UsageEvent(_) => Some(EventType::Usage),
            event::Kind::ResourceChangeEvent(_) => Some(EventType::ResourceChange),
            event::Kind::CreateGrantEvent(_) => Some(EventType::CreateGrant),
            event::Kind::CreateRevokeEvent(_) => Some(EventType::CreateRevoke),
            event::Kind::GrantEvent(_) | event::Kind::RevokeEvent(_) => None,
        }
    }
}

/// Nested types of [`Event`].
pub mod event {
    use super::{
        CreateGrantEvent, CreateRevokeEvent, GrantEvent, ResourceChangeEvent, RevokeEvent,
        UsageEvent,
    };

    /// `Event.event`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Kind {
        /// Usage.
        #[prost(message, tag = "100")]
        UsageEvent(UsageEvent),
        /// A grant (legacy).
        #[prost(message, tag = "101")]
        GrantEvent(GrantEvent),
        /// A revoke (legacy).
        #[prost(message, tag = "102")]
        RevokeEvent(RevokeEvent),
        /// A resource changed.
        #[prost(message, tag = "103")]
        ResourceChangeEvent(ResourceChangeEvent),
        /// A grant was created.
        #[prost(message, tag = "104")]
        CreateGrantEvent(CreateGrantEvent),
        /// A grant was revoked.
        #[prost(message, tag = "105")]
        CreateRevokeEvent(CreateRevokeEvent),
    }
}

/// `c1.connector.v2.UsageEvent`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UsageEvent {
    /// What was used.
    #[prost(message, optional, tag = "1")]
    pub target_resource: Option<Resource>,
    /// Who used it.
    #[prost(message, optional, tag = "2")]
    pub actor_resource: Option<Resource>,
}

/// `c1.connector.v2.GrantEvent`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantEvent {
    /// The grant.
    #[prost(message, optional, tag = "1")]
    pub grant: Option<Grant>,
}

/// `c1.connector.v2.RevokeEvent`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RevokeEvent {
    /// The entitlement.
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// The principal.
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
}

/// `c1.connector.v2.CreateGrantEvent`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateGrantEvent {
    /// The entitlement (required).
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// The principal (required).
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.CreateRevokeEvent`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateRevokeEvent {
    /// The entitlement (required).
    #[prost(message, optional, tag = "1")]
    pub entitlement: Option<Entitlement>,
    /// The principal (required).
    #[prost(message, optional, tag = "2")]
    pub principal: Option<Resource>,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.ResourceChangeEvent`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceChangeEvent {
    /// The resource (required).
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// Its parent.
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
}

/// `c1.connector.v2.EventType` (2 and 3 are reserved in baton's proto).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum EventType {
    /// Not set (the legacy feed's single type).
    Unspecified = 0,
    /// Usage.
    Usage = 1,
    /// Resource change.
    ResourceChange = 4,
    /// Grant created.
    CreateGrant = 5,
    /// Grant revoked.
    CreateRevoke = 6,
}

impl EventType {
    /// baton's protojson name, e.g. `EVENT_TYPE_USAGE`.
    pub fn proto_name(self) -> &'static str {
        match self {
            Self::Unspecified => "EVENT_TYPE_UNSPECIFIED",
            Self::Usage => "EVENT_TYPE_USAGE",
            Self::ResourceChange => "EVENT_TYPE_RESOURCE_CHANGE",
            Self::CreateGrant => "EVENT_TYPE_CREATE_GRANT",
            Self::CreateRevoke => "EVENT_TYPE_CREATE_REVOKE",
        }
    }
}

/// `c1.connector.v2.EventFeedMetadata`: a feed's id and the event types it produces.
///
/// ```
/// use c1_connector_sdk::model::{EventFeedMetadata, EventType};
/// let m = EventFeedMetadata::new("audit", [EventType::Usage, EventType::ResourceChange]);
/// assert_eq!(m.supported_event_types.len(), 2);
/// ```
#[derive(Clone, PartialEq, prost::Message)]
pub struct EventFeedMetadata {
    /// Unique id (1..=1024 bytes).
    #[prost(string, tag = "1")]
    pub id: String,
    /// Supported types (values of [`EventType`], unique).
    #[prost(enumeration = "EventType", repeated, tag = "2")]
    pub supported_event_types: Vec<i32>,
}

impl EventFeedMetadata {
    /// Metadata with an id and event types.
    pub fn new(id: impl Into<String>, types: impl IntoIterator<Item = EventType>) -> Self {
        Self {
            id: id.into(),
            supported_event_types: types.into_iter().map(|t| t as i32).collect(),
        }
    }
}

/// `c1.connector.v2.ListEventsRequest` (service mode's `ListEventsTask` carries the same
/// values under other field numbers).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventsRequest {
    /// Where to resume (empty: from `start_at`). At most 4096 bytes.
    #[prost(string, tag = "1")]
    pub cursor: String,
    /// The earliest event wanted.
    #[prost(message, optional, tag = "2")]
    pub start_at: Option<prost_types::Timestamp>,
    /// Page size (0: the feed's choice; at most 1000).
    #[prost(uint32, tag = "3")]
    pub page_size: u32,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<prost_types::Any>,
    /// The feed (empty: baton's legacy feed id `baton_feed_event`).
    #[prost(string, tag = "5")]
    pub event_feed_id: String,
}

/// `c1.connector.v2.ListEventsResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventsResponse {
    /// The events.
    #[prost(message, repeated, tag = "1")]
    pub events: Vec<Event>,
    /// Where the next call resumes.
    #[prost(string, tag = "2")]
    pub cursor: String,
    /// Whether more events are available now.
    #[prost(bool, tag = "3")]
    pub has_more: bool,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.ListEventFeedsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventFeedsRequest {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.ListEventFeedsResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListEventFeedsResponse {
    /// The feeds.
    #[prost(message, repeated, tag = "1")]
    pub list: Vec<EventFeedMetadata>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<prost_types::Any>,
}

packable!(ListEventsResponse, ListEventFeedsResponse);

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn event_bytes() {
        let e = Event::resource_change("e", 3, ResourceId::new("u", "1"), None);
        // id, occurred_at {seconds 3}, resource_change_event (103 → 0xba 0x06).
        let want = [
            0x0a, 1, b'e', 0x12, 2, 0x08, 3, 0xba, 0x06, 8, 0x0a, 6, 0x0a, 1, b'u', 0x12, 1, b'1',
        ];
        assert_eq!(e.encode_to_vec(), want);
        assert_eq!(Event::decode(want.as_slice()).unwrap(), e);
        assert_eq!(e.event_type(), Some(EventType::ResourceChange));

        let u = Event::usage("", 0, Resource::default(), Resource::default());
        // occurred_at {} (seconds 0), usage (100 → 0xa2 0x06) with two empty resources.
        assert_eq!(
            u.encode_to_vec(),
            [0x12, 0, 0xa2, 0x06, 4, 0x0a, 0, 0x12, 0]
        );
    }

    #[test]
    fn feed_and_list_bytes() {
        let m = EventFeedMetadata::new("f", [EventType::Usage, EventType::CreateRevoke]);
        assert_eq!(m.encode_to_vec(), [0x0a, 1, b'f', 0x12, 2, 1, 6]);
        let req = ListEventsRequest {
            cursor: "c".into(),
            start_at: Some(prost_types::Timestamp {
                seconds: 1,
                nanos: 0,
            }),
            page_size: 10,
            annotations: Vec::new(),
            event_feed_id: "f".into(),
        };
        assert_eq!(
            req.encode_to_vec(),
            [0x0a, 1, b'c', 0x12, 2, 0x08, 1, 0x18, 10, 0x2a, 1, b'f']
        );
        let resp = ListEventsResponse {
            events: Vec::new(),
            cursor: "n".into(),
            has_more: true,
            annotations: Vec::new(),
        };
        assert_eq!(resp.encode_to_vec(), [0x12, 1, b'n', 0x18, 1]);
    }
}
