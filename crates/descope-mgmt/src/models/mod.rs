//! Wire models: IO-free types for requests and responses, re-exported at the crate root.
//!
//! Responses decode tolerantly (unknown fields ignored, missing or `null` fields defaulted,
//! int64 as number or string). Requests encode strictly: a field that is unset or empty is not
//! sent at all, because Descope's gateway rejects fields an endpoint does not define.

mod access_key;
mod audit;
pub(crate) mod de;
mod group;
pub(crate) mod list;
pub(crate) mod outbound;
mod permission;
mod role;
mod scim;
mod sso_app;
mod tenant;
pub(crate) mod third_party;
mod user;
mod user_lifecycle;
pub(crate) mod user_mfa;
mod user_requests;
mod user_search;

pub use access_key::*;
pub use audit::*;
pub use group::*;
pub use outbound::OutboundApp;
pub use permission::*;
pub use role::*;
pub use scim::*;
pub use sso_app::*;
pub use tenant::*;
pub use third_party::{
    AppScope, Consent, ConsentPage, ScopeClaimMapping, SearchConsentsRequest, ThirdPartyApp,
};
pub use user::*;
pub use user_lifecycle::*;
pub use user_mfa::Passkey;
pub use user_requests::*;
pub use user_search::*;

/// Generates consuming setters for request structs.
///
/// `opt` takes the value itself, `opt_str` anything `Into<String>`, `val` sets a plain field, and
/// `list` takes any iterator of `Into<String>`.
macro_rules! setters {
    ($ty:ty { $( $kind:ident $name:ident : $t:ty ),* $(,)? }) => {
        impl $ty { $( setters!(@one $kind $name : $t); )* }
    };
    (@one opt $name:ident : $t:ty) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        #[must_use]
        pub fn $name(mut self, value: $t) -> Self {
            self.$name = Some(value);
            self
        }
    };
    (@one opt_str $name:ident : $t:ty) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        #[must_use]
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.$name = Some(value.into());
            self
        }
    };
    (@one val $name:ident : $t:ty) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        #[must_use]
        pub fn $name(mut self, value: impl Into<$t>) -> Self {
            self.$name = value.into();
            self
        }
    };
    (@one list $name:ident : $t:ty) => {
        #[doc = concat!("Sets `", stringify!($name), "`.")]
        #[must_use]
        pub fn $name<I, S>(mut self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<$t>,
        {
            self.$name = values.into_iter().map(Into::into).collect();
            self
        }
    };
}
pub(crate) use setters;

/// `skip_serializing_if` helper for maps.
pub(crate) fn map_is_empty(m: &serde_json::Map<String, serde_json::Value>) -> bool {
    m.is_empty()
}
