//! connector-sdk (work in progress).
