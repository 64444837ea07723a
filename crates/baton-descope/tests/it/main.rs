//! The program's tests: the real `baton-descope` binary (`CARGO_BIN_EXE_baton-descope`) as a
//! user and as ConductorOne run it, against the emulator on 127.0.0.1: flags and variables,
//! streams and files, exit codes, signals and resume, service mode, and no secret in any output.
//! The library-level end-to-end tests are the workspace's `tests/`; the helpers both share are
//! `descope_c1::testing` (feature `test-util` of the root package).

mod changes;
mod cli;
mod foreign;
mod incident;
mod incremental;
mod lifecycle;
mod program;
mod resume;
mod secrets;
mod service;
mod targeted;
