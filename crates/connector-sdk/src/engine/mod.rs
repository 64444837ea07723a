//! The sync engine: a full sync of a [`Connector`] into a [`SyncStore`].
//!
//! Phases run in baton's order: resource types, resources (child types listed per parent),
//! entitlements, grants. Within a phase, jobs (one per type and parent, or per resource) run
//! concurrently up to [`SyncOptions::concurrency`]; the pages of one job are sequential. Every
//! page goes to the store as it arrives, so memory does not grow with the number of grants; the
//! integrity checks need only the sets of resource keys and entitlement ids.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::connector::Connector;
use crate::error::Error;
use crate::store::SyncStore;

mod checkpoint;
mod options;
mod resume;
mod retry;
mod run;
mod stats;

pub use crate::targeted::TargetedResource;
pub use options::{ProgressFn, SyncOptions};
pub use resume::{NotResumable, SourceMismatch, resume_refusal};
pub use retry::RetryPolicy;
pub use stats::{Phase, Progress, SyncStats};

/// Runs full syncs of one connector.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use c1_connector_sdk::prelude::*;
/// # async fn f(connector: Arc<dyn Connector>) -> Result<(), Error> {
/// let mut store = C1zWriter::create("sync.c1z")?;
/// let options = SyncOptions::default()
///     .with_concurrency(4)
///     .with_progress(|p| eprintln!("{:?}: {} grants", p.phase, p.grants));
/// let stats = Syncer::new(connector, options).run(&mut store).await?;
/// println!("{} resources, {} grants in {:?}", stats.resources(), stats.grants, stats.elapsed);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Syncer {
    connector: Arc<dyn Connector>,
    options: SyncOptions,
}

impl fmt::Debug for Syncer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Syncer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Syncer {
    /// A syncer for `connector`.
    pub fn new(connector: Arc<dyn Connector>, options: SyncOptions) -> Self {
        Self { connector, options }
    }

    /// The options.
    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    /// Runs one full sync into `store` and finishes the store when every phase and check passed.
    /// On error or cancellation the store is not finished (a `.c1z` target stays untouched).
    pub async fn run<S: SyncStore + ?Sized>(&self, store: &mut S) -> Result<SyncStats, Error> {
        run::Run::new(self.connector.clone(), &self.options)
            .execute(store)
            .await
    }
}

/// A shortcut for a sync with a retry policy that waits at most `max_delay` between attempts.
pub fn retry_policy(max_retries: u32, max_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        max_delay,
        ..RetryPolicy::default()
    }
}
