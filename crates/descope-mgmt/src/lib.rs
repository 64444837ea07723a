//! A typed async client for the [Descope](https://www.descope.com) Management API and Descope's
//! SCIM 2.0 API.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use descope_mgmt::{Client, SearchUsersRequest};
//!
//! # async fn run() -> Result<(), descope_mgmt::Error> {
//! // DESCOPE_PROJECT_ID and DESCOPE_MANAGEMENT_KEY (or the combined "ProjectID:ManagementKey").
//! let client = Client::from_env()?;
//! let mut users = client.users().search_all(SearchUsersRequest::new().limit(200));
//! while let Some(user) = users.try_next().await? {
//!     println!("{} {}", user.user_id, user.email);
//! }
//! println!("{:?}", client.metrics());
//! # Ok(()) }
//! ```
//!
//! # What you get
//!
//! - Handlers by resource: [`Client::users`], [`Client::tenants`], [`Client::roles`],
//!   [`Client::permissions`], [`Client::groups`] and [`Client::scim`].
//! - Access keys ([`Client::access_keys`]), SSO applications ([`Client::sso_apps`]) and audit
//!   search ([`Client::audit`]).
//! - Third-party applications and users' consents ([`Client::third_party_apps`]), outbound
//!   applications and which users are connected to them ([`Client::outbound_apps`]; never the
//!   tokens), and a user's second factors (`remove_totp_seed`, `remove_all_passkeys`,
//!   `list_passkeys`, ... on [`Users`]). Each handler's module docs list the SDK source lines
//!   its endpoints were verified against, and what stays unverified.
//! - Typed models ([`models`], re-exported here) that decode tolerantly and encode strictly:
//!   Descope rejects fields an endpoint does not define, so unset fields are never sent.
//! - One [`Error`] type with [`Error::is_not_found`] (only when Descope itself said so),
//!   [`Error::is_from_descope`], [`Error::is_rate_limited`], [`Error::is_retryable`] and
//!   [`Error::attempts`]; API errors carry status, `errorCode`, description, message and
//!   `Retry-After`, and an answer that did not come from Descope names the base URL.
//! - [`UserPager`]: every user of a search, pages fetched concurrently and handed over in
//!   order, robust against lying totals, capped page sizes and servers that honour only `page`
//!   or only `offset`.
//! - A tower stack around reqwest: concurrency limit, retry ([`RetryConfig`]: which writes are
//!   repeated, and the retry budget, are documented there), a client-side rate limiter
//!   modelling Descope's 60-second windows ([`RateLimitConfig`]), per-attempt timeouts, and
//!   your own layers on standard `http` types ([`layer`], [`ClientBuilder::with_layer`]).
//!
//! # Features
//!
//! - `rustls` (default): TLS with rustls and the Mozilla root certificates (`webpki-roots`).
//! - `native-tls`: TLS with the platform's library (OpenSSL on Linux, Secure Transport on
//!   macOS, SChannel on Windows) and its certificate store. With both, rustls is used.
//! - `test-util`: the `testing` module, the response decoders callable without a server, for
//!   property tests of hostile bodies.
//! - `tracing` spans per attempt (`descope.request`: method, path, attempt, status, elapsed).
//!   Keys and request bodies are never logged.

mod access_keys;
mod answer;
mod audit;
mod builder;
mod client;
mod config;
mod credentials;
mod error;
mod excerpt;
mod groups;
pub mod layer;
pub mod models;
mod outbound;
mod pager;
mod permissions;
mod roles;
mod scim;
mod sso_apps;
mod tenants;
#[cfg(feature = "test-util")]
pub mod testing;
mod third_party;
mod transport;
mod users;
mod users_lifecycle;
mod users_mfa;

pub use access_keys::AccessKeys;
pub use audit::Audits;
pub use builder::{ClientBuilder, base_url_for_project};
pub use client::{Client, ClientMetrics, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES};
pub use config::{RateLimitConfig, RateWindow, RetryConfig};
pub use credentials::Credentials;
pub use error::{ApiError, DecodeIssue, Error, PagingError, PagingErrorKind};
pub use groups::Groups;
pub use models::*;
pub use outbound::OutboundApps;
pub use pager::{PageBoundary, PagerOptions, PagerStats, UserBatch, UserPager};
pub use permissions::Permissions;
pub use roles::Roles;
pub use scim::ScimClient;
pub use sso_apps::SsoApps;
pub use tenants::Tenants;
pub use third_party::{DEFAULT_CONSENT_PAGE, ThirdPartyApps};
pub use users::Users;
pub use users_lifecycle::DEFAULT_HISTORY_CHUNK;

/// Re-exported so callers need not add `secrecy` to build a client.
pub use secrecy::SecretString;

/// The README's examples, compiled as doc tests so they stay correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
