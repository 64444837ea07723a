//! Fixtures for end-to-end tests of service mode: a small fake connector (users `u1`..`u3`, a
//! role `admin` whose `member` entitlement `u1` holds), a running service that can be stopped,
//! and a configuration pointed at a [`FakeConductorOne`].
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use c1_connector_runner::service::testing::fixtures::{WAIT, config, connector_builder, member, start, user};
//! use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
//!
//! let c1 = FakeConductorOne::start().await?;
//! let temp = tempfile::tempdir()?;
//! let grant = tasks::task_id(1);
//! c1.push_task(tasks::grant(&grant, &member(), &user("u2")));
//! let running = start(connector_builder().provisioning(true).build(), config(&c1, temp.path()));
//! c1.wait_until(WAIT, |r| !r.finished_for(&grant).is_empty()).await?;
//! running.stop().await?;
//! # Ok(()) }
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::model::{
    Entitlement, Grant, Resource, ResourceType, RoleTrait, Trait, UserTrait,
};
use c1_connector_sdk::testing::{FakeConnector, FakeConnectorBuilder};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::FakeConductorOne;
use crate::service::{self, ServiceConfig, ServiceError};

/// What a test returns.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How long any condition may take; generous for a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(60);

/// The role `admin`.
pub fn role() -> Resource {
    Resource::new("role", "admin", "Admin").with_role_trait(RoleTrait::default())
}

/// The user `id`.
pub fn user(id: &str) -> Resource {
    Resource::new("user", id, id).with_user_trait(UserTrait::new())
}

/// The `member` entitlement of the role `admin`.
pub fn member() -> Entitlement {
    Entitlement::assignment(&role(), "member")
}

/// Two types, three users, one role with a member entitlement and one grant (to `u1`).
pub fn connector_builder() -> FakeConnectorBuilder {
    FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
        .resource_type(ResourceType::new("role", "Role").with_trait(Trait::Role))
        .resources([user("u1"), user("u2"), user("u3"), role()])
        .entitlement(member())
        .grant(Grant::new(&member(), user("u1")))
}

/// A running service.
#[derive(Debug)]
pub struct Running {
    /// Stops the service when cancelled.
    pub shutdown: CancellationToken,
    /// The service's task: what [`service::run`] returned.
    pub handle: JoinHandle<Result<(), ServiceError>>,
}

impl Running {
    /// Stops the service and waits (at most [`WAIT`]) for it to end; its error, a panic or a
    /// service that does not stop in time is an error.
    pub async fn stop(self) -> TestResult {
        self.shutdown.cancel();
        let ended = tokio::time::timeout(WAIT, self.handle)
            .await
            .map_err(|_| format!("the service did not stop within {WAIT:?}"))?;
        Ok(ended??)
    }
}

/// Starts the service over a fake connector.
pub fn start(connector: FakeConnector, config: ServiceConfig) -> Running {
    start_any(Arc::new(connector), config)
}

/// Starts the service over any connector.
pub fn start_any(connector: Arc<dyn Connector>, config: ServiceConfig) -> Running {
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(service::run(connector, config, shutdown.clone()));
    Running { shutdown, handle }
}

/// `c1`'s service configuration, with `temp` as the temporary directory and provisioning on.
pub fn config(c1: &FakeConductorOne, temp: &Path) -> ServiceConfig {
    c1.service_config()
        .with_temp_dir(temp)
        .with_provisioning(true)
}

/// The names of the files left in `dir`.
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
