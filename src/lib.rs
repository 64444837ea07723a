//! Examples of the Descope ConductorOne connector workspace.
//!
//! This package is never published; see the `examples/` folder. The installable program is
//! `baton-descope` (`crates/baton-descope`), whose tests are the end-to-end tests.
