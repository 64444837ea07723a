//! descope-emulator (work in progress).
