//! A stateful, in-memory emulator of the Descope Management API, for examples, tests and
//! benchmarks.
//!
//! It serves Descope's paths, request and response shapes and error bodies (as
//! the workspace's Descope API reference documents them) on 127.0.0.1, checks
//! `Authorization: Bearer <ProjectID>:<ManagementKey>`, rejects unknown request fields like
//! Descope's gateway (while reading `null` as "unset", as the official SDKs need), and keeps
//! every change in memory so the next search sees it. Realism knobs (latency, Descope's rate
//! limits, fault injection, the duplicate-assignment mode, role-listing and search-paging
//! variants) are all off by default and deterministic given a seed; an opt-in request log
//! keeps what clients sent.
//!
//! It also serves access keys (`/v1/mgmt/accesskey/*`), SSO applications and users' access to
//! them, users' sign-in history, an audit trail with a record for every change made through
//! the API (`/v1/mgmt/audit/search`) and, for a tenant's `Tenant Admin` access key, that
//! tenant's SCIM 2.0 API (`/scim/v2`) over the same users and groups. It serves third-party
//! applications and users' consents, outbound applications and who holds a token for them (never
//! a token), second-factor removal, logouts ([`Emulator::logouts`]) and the access key exchange
//! that tells whether a key's secret authenticates, with knobs for the readings the official
//! SDKs leave open.
//!
//! ```no_run
//! use descope_emulator::{Dataset, Emulator, GenSpec, RateLimits};
//!
//! # async fn run() -> std::io::Result<()> {
//! let emu = Emulator::builder()
//!     .dataset(Dataset::generate(&GenSpec { users: 5_000, ..GenSpec::default() }))
//!     .rate_limits(RateLimits::descope().scaled(10.0))
//!     .start()
//!     .await?;
//! let url = format!("{}/v2/mgmt/user/search", emu.base_url());
//! let auth = format!("Bearer {}:{}", emu.project_id(), emu.management_key());
//! // POST `{"limit":100}` to `url` with `auth` as the Authorization header ...
//! # let _ = (url, auth);
//! println!("{} requests so far", emu.counters().requests);
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

mod activity_records;
mod app_records;
mod builder;
mod changes;
mod counters;
mod dataset;
mod emulator;
mod error;
mod generate;
mod grant_knobs;
mod grant_records;
mod http;
mod key_records;
mod knobs;
mod modified_knobs;
mod ratelimit;
mod records;
mod requests;
mod state;

pub use activity_records::{AuditRecord, LoginRecord};
pub use app_records::{
    AttributeMappingRecord, GroupsMappingRecord, MappedRoleRecord, OidcSettingsRecord,
    SamlSettingsRecord, SsoAppRecord,
};
pub use builder::{DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID, EmulatorBuilder};
pub use changes::{AuditTotal, Churned, UserChurn};
pub use counters::Counters;
pub use dataset::{Dataset, DatasetError};
pub use emulator::Emulator;
pub use generate::{DEMO_SCIM_ACCESS_KEY, GenSpec};
pub use grant_records::{
    ConsentRecord, LogoutRecord, OutboundAppRecord, OutboundTokenRecord, ScopeRecord,
    ThirdPartyAppRecord,
};
pub use key_records::{AccessKeyRecord, AccessKeyStatus, KeyTenantRecord};
pub use knobs::{
    ConcurrentKeyWriter, DuplicateMode, ExpiredKeyStatus, Faults, HistoryShape, RateLimit,
    RateLimits,
};
pub use records::UserFamilyRecord;
pub use records::{
    GroupMemberRecord, GroupRecord, PermissionRecord, RoleRecord, TenantRecord, UserRecord,
    UserStatus, UserTenantRecord,
};
pub use requests::{RecordedBody, RecordedRequest};

/// The README's examples, compiled as doc tests so they stay correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
