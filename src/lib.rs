//! Examples and end-to-end tests of the Descope ConductorOne connector workspace.
//!
//! This package is never published; see the `examples/` and `tests/` folders.
