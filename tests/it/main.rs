//! End-to-end tests at library level, as a service embedding the crates would use them: the
//! Descope client (`descope-mgmt`), the emulator, the connector, the SDK's engine and `.c1z`
//! store, and the runner's service mode against a fake ConductorOne, all together on
//! 127.0.0.1. The program's command line is tested with the program, in
//! `crates/baton-descope/tests/`. Shared helpers: `descope_c1::testing` (feature `test-util`).

mod apps;
mod changes;
mod conformance;
mod consents;
mod events;
mod events_lag;
mod faults;
mod incident;
mod incremental;
mod incremental_service;
mod key_rotation;
mod keys;
mod knobs;
mod last_login;
mod lifecycle;
mod official_sdk;
mod outbound_tenants;
mod provisioning_faults;
mod races;
mod sync;
mod targeted;
mod targets;
mod tenants;
