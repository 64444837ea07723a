//! [`DescopeConnector`]: the connector, and its implementations of the SDK's connector traits
//! (`Connector`, `EventProvider`) in one place.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Connector, EventFeed, EventProvider, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Annotations, ConnectorMetadata};
use c1_connector_sdk::session::{SessionStore, SyncCounters, SyncSession};
use descope_mgmt::{Client, SearchUsersRequest};

use crate::access_key::syncer::AccessKeySyncer;
use crate::app::AppSyncer;
use crate::config::DescopeConfig;
use crate::context::{PagerConfig, SyncContext};
use crate::error::{self, ConfigError};
use crate::events::AuditFeed;
use crate::group::GroupSyncer;
use crate::kinds::{ACCESS_KEY_TYPE, APP_TYPE};
use crate::outbound_app::OutboundAppSyncer;
use crate::permission::PermissionSyncer;
use crate::provisioner::DescopeProvisioner;
use crate::role::RoleSyncer;
use crate::targeted;
use crate::tenant::TenantSyncer;
use crate::third_party_app::ThirdPartyAppSyncer;
use crate::user::syncer::UserSyncer;
use crate::{resume, user};

/// The Descope connector.
///
/// Each sync gets fresh per-sync state (the catalog and the assignment index) from
/// [`Connector::begin_sync`], so one connector can run many syncs. The assignment index's records
/// are kept in the sync's session, so a resumed sync rebuilds the index without listing users
/// again (see the crate README, "Resume"). [`Connector::syncers`] serves uses outside a sync
/// (capabilities, provisioning): it builds the same syncers with state that fetches nothing until
/// used and a session in memory.
///
/// Every change the connector makes (grants, revokes, account creation, enable, disable,
/// delete) goes through one per-principal lock shared by the connector and its clones: changes
/// to one user or access key run one at a time in this process, from the load they are decided
/// on to the read that confirms them; changes to different principals run in parallel (see the
/// crate README, "Concurrent changes").
#[derive(Debug, Clone)]
pub struct DescopeConnector {
    client: Client,
    /// Shared by every syncer this connector hands out: the per-principal locks and the cache
    /// of listed roles, tenants and applications.
    provisioner: DescopeProvisioner,
    pager: PagerConfig,
    /// How far back the event feed reads the audit log again (see [`DEFAULT_EVENT_LOOKBACK`]).
    event_lookback: std::time::Duration,
    /// Ask every tenant for its groups, not only those with SSO ([`DescopeConfig::with_groups_of_every_tenant`]).
    groups_of_every_tenant: bool,
    demo: bool,
    /// Where the base URL was set (a variable or flag), for messages.
    base_url_source: Option<String>,
}

impl DescopeConnector {
    /// Says what a failed credential check means, blaming the credentials only when Descope
    /// itself refused them, and naming the base URL (and where it was set) otherwise.
    fn validation_error(&self, err: descope_mgmt::Error) -> Error {
        let project = self.client.project_id().to_owned();
        let url = self.client.base_url().to_string();
        let source = match &self.base_url_source {
            Some(source) => format!("set by {source}"),
            None => "derived from the project id".to_owned(),
        };
        let from_descope = err.is_from_descope();
        let cause = err.to_string();
        let mapped = error::from_descope("validating the credentials", err);
        let message = match mapped.code() {
            c1_connector_sdk::error::Code::Unauthenticated if from_descope => {
                return Error::unauthenticated(format!(
                    "Descope rejected the management key for project '{project}': the key is wrong, revoked, \
                     or belongs to another project. Check DESCOPE_PROJECT_ID and DESCOPE_MANAGEMENT_KEY"
                ))
                .with_retryable(false);
            }
            c1_connector_sdk::error::Code::PermissionDenied if from_descope => {
                return Error::permission_denied(format!(
                    "the management key cannot search users of project '{project}': give it read access to users, \
                     tenants, roles and permissions (a project-scoped key with the project admin role covers these)"
                ))
                .with_retryable(false);
            }
            c1_connector_sdk::error::Code::NotFound
            | c1_connector_sdk::error::Code::InvalidArgument
                if from_descope =>
            {
                return Error::invalid_argument(format!(
                    "Descope did not accept requests for project '{project}': check the project id and the \
                     base URL {url} ({source})"
                ))
                .with_retryable(false);
            }
            c1_connector_sdk::error::Code::Unavailable
            | c1_connector_sdk::error::Code::DeadlineExceeded
            | c1_connector_sdk::error::Code::Unknown
            | c1_connector_sdk::error::Code::Internal
            | c1_connector_sdk::error::Code::Unauthenticated
            | c1_connector_sdk::error::Code::PermissionDenied
            | c1_connector_sdk::error::Code::NotFound
            | c1_connector_sdk::error::Code::InvalidArgument => {
                format!(
                    "could not check the credentials with Descope: {cause} (the base URL {url} was {source}); \
                     the credentials were not checked"
                )
            }
            _ => return mapped,
        };
        let retryable = mapped.is_retryable();
        Error::new(c1_connector_sdk::error::Code::Unavailable, message).with_retryable(retryable)
    }

    /// A connector for the project a configuration describes.
    ///
    /// ```
    /// use descope_connector::{DescopeConfig, DescopeConnector};
    ///
    /// let config = DescopeConfig::from_credentials("P2abc:K2secret")?
    ///     .with_base_url("http://127.0.0.1:8080");
    /// let connector = DescopeConnector::new(config)?;
    /// assert_eq!(connector.client().project_id(), "P2abc");
    /// # Ok::<(), descope_connector::ConfigError>(())
    /// ```
    pub fn new(config: DescopeConfig) -> Result<Self, ConfigError> {
        let client = config.build_client()?;
        Ok(Self::with_client(client, &config))
    }

    /// A connector that uses an existing client (its base URL, limits and credentials), with the
    /// paging settings of `config`.
    pub fn with_client(client: Client, config: &DescopeConfig) -> Self {
        DescopeConnector {
            provisioner: DescopeProvisioner::new(client.clone()),
            client,
            pager: PagerConfig {
                page_size: config.user_page_size(),
                max_parallel: config.max_parallel_fetches(),
                overlap: config.user_page_overlap(),
                include_test_users: config.include_test_users(),
                last_login: config.sync_last_login(),
                outbound_connections: config.sync_outbound_connections(),
            },
            event_lookback: config.event_lookback(),
            groups_of_every_tenant: config.groups_of_every_tenant(),
            demo: config.demo(),
            base_url_source: config.base_url_source().map(str::to_owned),
        }
    }

    /// The Descope client the connector uses (for its metrics, for example).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

#[async_trait]
impl Connector for DescopeConnector {
    /// The connector's name and description; a demo (see [`DescopeConfig::with_demo`]) says
    /// so in both, and in its profile (`"demo": true`), so a demo `.c1z` cannot pass for a real
    /// project's.
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        let description = "Users, access keys, tenants, groups, roles, permissions, SSO applications, third-party \
             application consents and outbound application connections of a Descope project; grants and revokes role \
             assignments, tenant memberships and SSO application access; revokes consents and connections; creates, enables, \
             disables and deletes users, signs them out, resets their MFA and updates their profiles; enables, disables, \
             rotates and deletes access keys; the audit log as an event feed";
        if !self.demo {
            let mut metadata = ConnectorMetadata::new("Descope", description);
            metadata.account_creation_schema = Some(user::lifecycle::account_creation_schema());
            return Ok(metadata);
        }
        let mut profile = serde_json::Map::new();
        profile.insert("demo".into(), serde_json::Value::Bool(true));
        profile.insert(
            "projectId".into(),
            serde_json::Value::String(self.client.project_id().to_owned()),
        );
        let mut metadata = ConnectorMetadata::new(
            "Descope (demo)",
            format!(
                "DEMO DATA from an embedded Descope emulator, not a real Descope project. {description}"
            ),
        );
        metadata.profile = Some(c1_connector_sdk::model::json_object_to_struct(profile));
        metadata.account_creation_schema = Some(user::lifecycle::account_creation_schema());
        Ok(metadata)
    }

    /// Checks the credentials with one cheap call (a one-user search) and says what is wrong.
    async fn validate(&self) -> Result<Annotations, Error> {
        let mut probe = SearchUsersRequest::default();
        probe.limit = Some(1);
        match self.client.users().search(&probe).await {
            Ok(_) => Ok(Annotations::default()),
            Err(err) => Err(self.validation_error(err)),
        }
    }

    /// One feed: Descope's audit log as usage and resource-change events (see the crate README).
    fn event_provider(&self) -> Option<&dyn c1_connector_sdk::connector::EventProvider> {
        Some(self)
    }

    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        self.syncers_with(SessionStore::memory(), SyncCounters::default(), true)
    }

    /// The syncers of one sync. A fresh sync records the session format and the options that
    /// change its contents; a resumed one must match them, or the resume is refused (with
    /// [`NotResumable`](c1_connector_sdk::engine::NotResumable): the runner sets the file aside
    /// and starts over).
    async fn begin_sync(
        &self,
        session: SyncSession,
    ) -> Result<Vec<Arc<dyn ResourceSyncer>>, Error> {
        let identity = resume::Identity {
            format: resume::SESSION_FORMAT,
            include_test_users: self.pager.include_test_users,
            sync_last_login: self.pager.last_login,
            sync_outbound_connections: self.pager.outbound_connections,
            incremental: session.previous().is_some(),
        };
        resume::check_identity(session.store(), &identity, session.is_resumed()).await?;
        if !session.targeted().is_empty() {
            // A targeted sync (--sync-resources): see `targeted`.
            let ctx = self.sync_context(
                session.store().clone(),
                session.counters().clone(),
                session.includes(ACCESS_KEY_TYPE),
            );
            return Ok(targeted::wrap(
                self.syncers_of(ctx.clone()),
                ctx,
                session.targeted(),
                self.groups_of_every_tenant,
            ));
        }
        let ctx = SyncContext::new(
            self.client.clone(),
            self.pager.clone(),
            session.store().clone(),
            session.counters().clone(),
            session.includes(ACCESS_KEY_TYPE),
        )
        .with_previous(session.previous().cloned(), session.includes(APP_TYPE));
        Ok(self.syncers_of(Arc::new(ctx)))
    }
}

impl DescopeConnector {
    /// The syncers of one sync, sharing one context that keeps its records in `session`.
    fn syncers_with(
        &self,
        session: SessionStore,
        counters: SyncCounters,
        include_keys: bool,
    ) -> Vec<Arc<dyn ResourceSyncer>> {
        self.syncers_of(self.sync_context(session, counters, include_keys))
    }

    /// The state the syncers of one sync share.
    fn sync_context(
        &self,
        session: SessionStore,
        counters: SyncCounters,
        include_keys: bool,
    ) -> Arc<SyncContext> {
        Arc::new(SyncContext::new(
            self.client.clone(),
            self.pager.clone(),
            session,
            counters,
            include_keys,
        ))
    }

    /// The syncers over one shared context.
    fn syncers_of(&self, ctx: Arc<SyncContext>) -> Vec<Arc<dyn ResourceSyncer>> {
        let provisioner = self.provisioner.clone();
        vec![
            Arc::new(UserSyncer {
                ctx: ctx.clone(),
                provisioner: provisioner.clone(),
                increment: tokio::sync::OnceCell::new(),
            }),
            Arc::new(AccessKeySyncer {
                ctx: ctx.clone(),
                provisioner: provisioner.clone(),
            }),
            Arc::new(TenantSyncer {
                ctx: ctx.clone(),
                provisioner: provisioner.clone(),
            }),
            Arc::new(RoleSyncer {
                ctx: ctx.clone(),
                provisioner: provisioner.clone(),
            }),
            Arc::new(GroupSyncer::new(
                ctx.clone(),
                provisioner.clone(),
                self.groups_of_every_tenant,
            )),
            Arc::new(PermissionSyncer {
                ctx: ctx.clone(),
                provisioner: provisioner.clone(),
            }),
            Arc::new(AppSyncer {
                ctx: ctx.clone(),
                provisioner: provisioner.clone(),
            }),
            Arc::new(ThirdPartyAppSyncer::new(ctx.clone(), provisioner.clone())),
            Arc::new(OutboundAppSyncer::new(ctx, provisioner)),
        ]
    }
}

impl EventProvider for DescopeConnector {
    fn event_feeds(&self) -> Vec<Arc<dyn EventFeed>> {
        vec![Arc::new(AuditFeed::new(
            self.client().clone(),
            self.event_lookback,
        ))]
    }
}
