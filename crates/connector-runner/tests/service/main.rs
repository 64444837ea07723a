//! End-to-end tests of service mode against `FakeConductorOne` (TLS on 127.0.0.1 with a
//! throwaway CA) with the SDK's `FakeConnector`.

mod accounts;
mod actions;
mod answers;
mod events;
mod faults;
mod flows;
mod proxy;
mod transient;
