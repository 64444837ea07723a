//! The one-shot commands driven as `dispatch` drives them (flags parsed by clap, the command
//! picked by `OneShot::from_args`, failures mapped to exit codes and printed as `run` does),
//! against the SDK's `FakeConnector` and a small scripted connector for outcomes the fake
//! never produces.

mod accounts;
mod actions;
mod events;
mod provision;
mod scripted;
mod support;
