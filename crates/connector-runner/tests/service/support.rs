//! Shared fixtures.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use c1_connector_runner::service::testing::FakeConductorOne;
use c1_connector_runner::service::{self, ServiceConfig, ServiceError};
use c1_connector_sdk::model::{
    Entitlement, Grant, Resource, ResourceType, RoleTrait, Trait, UserTrait,
};
use c1_connector_sdk::testing::{FakeConnector, FakeConnectorBuilder};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How long any condition may take; generous for a loaded 2-core machine.
pub(crate) const WAIT: Duration = Duration::from_secs(60);

pub(crate) fn role() -> Resource {
    Resource::new("role", "admin", "Admin").with_role_trait(RoleTrait::default())
}

pub(crate) fn user(id: &str) -> Resource {
    Resource::new("user", id, id).with_user_trait(UserTrait::new())
}

pub(crate) fn member() -> Entitlement {
    Entitlement::assignment(&role(), "member")
}

/// Two types, three users, one role with a member entitlement and one grant.
pub(crate) fn connector_builder() -> FakeConnectorBuilder {
    FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
        .resource_type(ResourceType::new("role", "Role").with_trait(Trait::Role))
        .resources([user("u1"), user("u2"), user("u3"), role()])
        .entitlement(member())
        .grant(Grant::new(&member(), user("u1")))
}

/// A running service.
pub(crate) struct Running {
    pub(crate) shutdown: CancellationToken,
    pub(crate) handle: JoinHandle<Result<(), ServiceError>>,
}

impl Running {
    pub(crate) async fn stop(self) -> Result<(), ServiceError> {
        self.shutdown.cancel();
        tokio::time::timeout(WAIT, self.handle)
            .await
            .expect("the service stops within the bound")
            .expect("the service task does not panic")
    }
}

pub(crate) fn start(connector: FakeConnector, config: ServiceConfig) -> Running {
    start_any(Arc::new(connector), config)
}

/// Starts the service over any connector.
pub(crate) fn start_any(
    connector: Arc<dyn c1_connector_sdk::Connector>,
    config: ServiceConfig,
) -> Running {
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(service::run(connector, config, shutdown.clone()));
    Running { shutdown, handle }
}

pub(crate) fn config(c1: &FakeConductorOne, temp: &Path) -> ServiceConfig {
    c1.service_config()
        .with_temp_dir(temp)
        .with_provisioning(true)
}

/// Files left in `dir`.
pub(crate) fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
