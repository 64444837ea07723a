//! protojson rendering of the model: what baton prints with `-o json`, in its event feed and for
//! actions, and what the JSON Lines store writes.
//!
//! protojson's rules, as Go's `protojson.Marshal` applies them: lowerCamelCase field names, enum
//! values by name (by number when this crate does not know the value), int64 as strings,
//! timestamps in RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, default values left out.
//! Objects are `serde_json::Value`s, so their keys print sorted. An annotation of a type this
//! crate does not model renders as `@type` plus its bytes in base64 under `value` (Go would
//! expand its fields).
//!
//! ```
//! use c1_connector_sdk::model::{Resource, ResourceType, Trait};
//! use c1_connector_sdk::protojson;
//!
//! let user = ResourceType::new("user", "User").with_trait(Trait::User);
//! assert_eq!(
//!     protojson::resource_type(&user).to_string(),
//!     r#"{"displayName":"User","id":"user","traits":["TRAIT_USER"]}"#
//! );
//! let alice = Resource::new("user", "alice", "Alice");
//! assert_eq!(protojson::resource(&alice)["id"]["resource"], "alice");
//! ```
//!
//! (The `capabilities` document, whose fields keep protojson's order, is written by
//! `ops::capabilities_json`.)

mod actions;
mod events;
mod resources;
mod values;

pub use actions::{action_schema, action_status_response, invoke_action_response};
pub use events::event;
pub use resources::{any, entitlement, grant, resource, resource_id, resource_type};
pub(crate) use values::base64;
pub use values::timestamp;
