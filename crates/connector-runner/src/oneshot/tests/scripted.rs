//! A connector scripted to answer what the fake never does: account results other than
//! "created" and "already exists", credential options a command line cannot give, and global
//! actions that fail or end in an unknown state.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use c1_connector_sdk::connector::{
    AccountCreated, AccountManager, ActionOutcome, ActionProvider, Connector,
    LocalCredentialOptions, ResourceSyncer,
};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    AccountInfo, Annotations, BatonActionSchema, BatonActionStatus,
    CapabilityDetailCredentialOption as Opt, ConnectorMetadata,
    CredentialDetailsAccountProvisioning, Entitlement, Grant, Resource, ResourceId, ResourceType,
    Trait,
};
use c1_connector_sdk::page::Page;

/// What the scripted account manager answers.
#[derive(Clone)]
pub(super) struct Script {
    pub(super) result: AccountCreated,
    pub(super) supported: Vec<Opt>,
    pub(super) preferred: Opt,
}

#[derive(Clone)]
pub(super) struct Scripted {
    script: Arc<Script>,
    pub(super) created: Arc<AtomicUsize>,
    pub(super) seen: Arc<Mutex<Vec<Option<LocalCredentialOptions>>>>,
}

impl Scripted {
    pub(super) fn new(script: Script) -> Self {
        Scripted {
            script: Arc::new(script),
            created: Arc::new(AtomicUsize::new(0)),
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Answers `result` and supports only no-password.
    pub(super) fn answering(result: AccountCreated) -> Self {
        Self::new(Script {
            result,
            supported: vec![Opt::NoPassword],
            preferred: Opt::NoPassword,
        })
    }
}

#[async_trait]
impl Connector for Scripted {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("Scripted", "test"))
    }
    async fn validate(&self) -> Result<Annotations, Error> {
        Ok(Annotations::new())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        vec![Arc::new(self.clone())]
    }
    fn action_provider(&self) -> Option<&dyn ActionProvider> {
        Some(self)
    }
}

#[async_trait]
impl ResourceSyncer for Scripted {
    fn resource_type(&self) -> ResourceType {
        ResourceType::new("user", "User").with_trait(Trait::User)
    }
    async fn list(&self, _: Option<&ResourceId>, _: Option<&str>) -> Result<Page<Resource>, Error> {
        Ok(Page::empty())
    }
    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::empty())
    }
    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        Ok(Page::empty())
    }
    fn account_manager(&self) -> Option<&dyn AccountManager> {
        Some(self)
    }
}

#[async_trait]
impl AccountManager for Scripted {
    async fn create_account(
        &self,
        _: &AccountInfo,
        credentials: Option<&LocalCredentialOptions>,
    ) -> Result<AccountCreated, Error> {
        self.created.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(credentials.cloned());
        }
        Ok(self.script.result.clone())
    }
    fn capability_details(&self) -> CredentialDetailsAccountProvisioning {
        CredentialDetailsAccountProvisioning::new(
            self.script.supported.iter().copied(),
            self.script.preferred,
        )
    }
}

#[async_trait]
impl ActionProvider for Scripted {
    fn action_schemas(&self) -> Vec<BatonActionSchema> {
        ["refused", "vague"]
            .into_iter()
            .map(|n| BatonActionSchema::new(n, n))
            .collect()
    }
    async fn invoke_action(
        &self,
        name: &str,
        _: &prost_types::Struct,
    ) -> Result<ActionOutcome, Error> {
        Ok(match name {
            "refused" => ActionOutcome::failed("a-1", "the directory refused the change"),
            _ => ActionOutcome::new("a-2", BatonActionStatus::Unknown),
        })
    }
}
