//! Integration tests of the emulator, over HTTP on 127.0.0.1.

mod common;
mod contract;
mod dataset;
mod faults;
mod http_basics;
mod knobs;
mod ratelimit;
mod request_log;
mod sdk_bodies;
mod sdk_nulls;
mod search;
mod state_changes;
