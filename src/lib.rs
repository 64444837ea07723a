//! The workspace's own package: the examples (`examples/`), the library-level end-to-end tests
//! (`tests/`) and, behind the feature `test-util`, the helpers those tests and the program's tests
//! (`crates/baton-descope/tests/`) share (`testing`).
//!
//! This package is never published. The installable program is `baton-descope`
//! (`crates/baton-descope`).

#[cfg(feature = "test-util")]
pub mod testing;
