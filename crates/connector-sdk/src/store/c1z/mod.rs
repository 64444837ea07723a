//! v1 `.c1z` files (feature `c1z`, on by default): a writer ([`C1zWriter`]) and a reader
//! ([`C1zReader`]).
//!
//! The files are layered so that no file depends on one above it:
//!
//! 1. `schema`, `timefmt`, `rows`, `file`: baton's DDL, its timestamp layout, pages encoded as
//!    rows, and the file framing (`C1ZF\0` + zstd, written beside the target and renamed).
//! 2. `stale`: clean-up of what killed writers left (uses `file`).
//! 3. `cmd`: what the writer sends its SQLite thread (uses `rows`).
//! 4. `db`: the working SQLite database and how each command applies to it.
//! 5. `worker`: the SQLite thread (uses `db`, `file`).
//! 6. `session`: a sync's `v1_connector_sessions` rows, through the worker's queue (uses `cmd`).
//! 7. `writer`, `reader`: the public types.

mod cmd;
mod db;
mod file;
mod previous;
mod reader;
mod rows;
mod schema;
mod session;
mod stale;
mod timefmt;
mod worker;
mod writer;

pub use previous::PreviousC1z;
pub use reader::{C1zReader, SyncRun};
pub use writer::C1zWriter;
