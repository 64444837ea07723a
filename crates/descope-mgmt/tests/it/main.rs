//! Integration tests of descope-mgmt against wiremock servers on 127.0.0.1.

mod access_keys;
mod answers;
mod audit;
mod decode_props;
mod decoders;
mod errors;
mod foreign;
mod groups;
mod layers;
mod outbound;
mod pager;
mod pager_shifts;
mod permissions;
mod proxy;
mod ratelimit;
mod retry;
mod roles;
mod scim;
mod secrets;
mod sso_apps;
mod tenants;
mod third_party;
mod users;
mod users_lifecycle;
mod users_mfa;

use descope_mgmt::{Client, ClientBuilder, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request};

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(crate) const PROJECT_ID: &str = "P2testproject";
pub(crate) const MANAGEMENT_KEY: &str = "K2mgmtSECRETkey0123456789";
pub(crate) const AUTH: &str = "Bearer P2testproject:K2mgmtSECRETkey0123456789";

/// A builder pointed at `server`, with no handshake, no limiter and no retries, so each test
/// switches on only what it exercises.
pub(crate) fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .project_id(PROJECT_ID)
        .management_key(SecretString::from(MANAGEMENT_KEY))
        .base_url(server.uri())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
}

pub(crate) fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

/// A management-call mock: method, path, and the exact Authorization header.
pub(crate) fn mgmt(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p))
        .and(header("authorization", AUTH))
}

pub(crate) fn fixture(name: &str) -> Value {
    let text = match name {
        "user" => include_str!("../fixtures/user.json"),
        "tenant" => include_str!("../fixtures/tenant.json"),
        _ => panic!("no fixture {name}"),
    };
    serde_json::from_str(text).unwrap()
}

/// Matches requests that do NOT carry header `name`.
pub(crate) fn no_header(name: &'static str) -> impl Fn(&Request) -> bool + Send + Sync + 'static {
    move |req: &Request| !req.headers.contains_key(name)
}
