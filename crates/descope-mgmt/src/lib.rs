//! descope-mgmt (work in progress).
