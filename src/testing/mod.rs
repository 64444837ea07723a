//! Helpers of the end-to-end tests (feature `test-util`), shared by the library-level tests in
//! the workspace's `tests/` and the program's tests in `crates/baton-descope/tests/`: a connector
//! and a client for an emulator, a sync into a `.c1z`, the file read back, and what it must
//! hold computed from the emulator's dataset alone.
//!
//! ```no_run
//! use descope_c1::testing::{TestResult, connector_for, expected, read, sync_to};
//! use descope_emulator::{Dataset, Emulator};
//!
//! # async fn run() -> TestResult {
//! let data = Dataset::demo();
//! let emu = Emulator::builder().dataset(data.clone()).start().await?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("sync.c1z");
//! sync_to(connector_for(&emu)?, &path).await?;
//! assert_eq!(read(&path)?, expected(&data, false));
//! # Ok(()) }
//! ```

mod contents;

use std::path::Path;
use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, SyncStats, Syncer};
use c1_connector_sdk::ops::ProvisioningRunner;
use c1_connector_sdk::store::C1zWriter;
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_emulator::{Dataset, Emulator, GenSpec};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;

pub use self::contents::{
    Contents, Snapshot, assert_exact_under_change, enc, expected, expected_with, read,
};

/// What the tests return: any error, with its message, fails the test.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A client of `emu`: no client-side rate limit (the emulator's own limits are what a test
/// exercises), fast retries (8 attempts, from 5 ms).
pub fn client_for(emu: &Emulator) -> TestResult<Client> {
    Ok(Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .rate_limit(RateLimitConfig::disabled())
        .retry(
            RetryConfig::default()
                .max_attempts(8)
                .base_delay(std::time::Duration::from_millis(5)),
        )
        .build()?)
}

/// A connector of `emu` with the default settings, on [`client_for`]'s client.
pub fn connector_for(emu: &Emulator) -> TestResult<Arc<DescopeConnector>> {
    connector_with(emu, |config| config)
}

/// A connector of `emu` with the settings `configure` makes, on [`client_for`]'s client.
pub fn connector_with(
    emu: &Emulator,
    configure: impl FnOnce(DescopeConfig) -> DescopeConfig,
) -> TestResult<Arc<DescopeConnector>> {
    let config = DescopeConfig::new(
        emu.project_id(),
        SecretString::from(emu.management_key().to_owned()),
    )?
    .with_base_url(emu.base_url())
    .with_rate_limit(RateLimitConfig::disabled());
    Ok(Arc::new(DescopeConnector::with_client(
        client_for(emu)?,
        &configure(config),
    )))
}

/// A provisioning runner for `connector` that looks ids up in the `.c1z` at `path`.
pub fn runner(connector: &Arc<DescopeConnector>, path: &Path) -> ProvisioningRunner {
    let connector: Arc<dyn c1_connector_sdk::connector::Connector> = connector.clone();
    ProvisioningRunner::new(connector, path)
}

/// Runs a full sync into `path`.
pub async fn sync_to(connector: Arc<DescopeConnector>, path: &Path) -> TestResult<SyncStats> {
    let mut store = C1zWriter::create(path)?;
    let stats = Syncer::new(connector, SyncOptions::default())
        .run(&mut store)
        .await?;
    Ok(stats)
}

/// The project of the tests of a project that changes while it is synced: `users` users, 12
/// tenants, 6 project roles, 10 roles per tenant, 8 permissions, 6 test users, 10 access keys,
/// 3 SSO applications.
pub fn changing_project(users: usize) -> GenSpec {
    GenSpec {
        users,
        tenants: 12,
        project_roles: 6,
        tenant_roles: 10,
        permissions: 8,
        test_users: 6,
        access_keys: 10,
        sso_apps: 3,
        seed: 20,
        ..GenSpec::default()
    }
}

/// The project of the account lifecycle tests: 30 users, 3 tenants, 6 access keys.
pub fn lifecycle_project() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 30,
        tenants: 3,
        project_roles: 2,
        tenant_roles: 2,
        permissions: 2,
        access_keys: 6,
        seed: 3,
        ..GenSpec::default()
    })
}
