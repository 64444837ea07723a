//! The program around a ConductorOne connector built on [`c1_connector_sdk`]: the counterpart of
//! baton-sdk's `pkg/cli` and `pkg/connectorrunner`.
//!
//! It owns what every connector binary shares: baton's flags and `BATON_*` environment, the
//! `.c1z` file lifecycle with checkpoints and resume, signals, exit codes, logging, one-shot
//! provisioning and, behind the default `service` feature, service mode (the connector takes its
//! work from ConductorOne).

#[cfg(feature = "service")]
pub mod service;
