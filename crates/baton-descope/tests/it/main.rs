//! End-to-end tests: the Descope connector, the SDK's engine and `.c1z` store, and the Descope
//! client, run together against the emulator on 127.0.0.1.

mod apps;
mod changes;
mod cli;
mod common;
mod conformance;
mod events;
mod events_lag;
mod faults;
mod foreign;
mod keys;
mod knobs;
mod last_login;
mod lifecycle;
mod official_sdk;
mod program;
mod provisioning_faults;
mod races;
mod resume;
mod secrets;
mod service;
mod sync;
mod targets;
mod tenants;
