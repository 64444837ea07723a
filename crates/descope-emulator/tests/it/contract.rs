//! Contract tests: filled in below.
