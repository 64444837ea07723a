//! Integration tests of the emulator, over HTTP on 127.0.0.1.

mod access_keys;
mod audit_changes;
mod audit_search;
mod changes;
mod common;
mod contract;
mod contract_activity;
mod contract_grants;
mod contract_scim;
mod dataset;
mod dataset_activity;
mod dataset_keys;
mod faults;
mod history;
mod http_basics;
mod knobs;
mod lifecycle;
mod ratelimit;
mod request_log;
mod scim;
mod scim_auth;
mod sdk_bodies;
mod sdk_nulls;
mod search;
mod sso_apps;
mod state_changes;
