//! descope-connector (work in progress).
