//! Groups: the SCIM and SSO (JIT) groups of each tenant, read-only.
//!
//! Each group is a `group` resource, a child of its tenant, with a `member` entitlement whose
//! grants are the group's members (`POST /v1/mgmt/group/all`, one call per tenant asked,
//! members inline). Descope has no call that lists groups across tenants, so the connector
//! asks only the tenants that can hold them by the tenant listing's `authType` (see
//! [`may_hold_groups`]), or every tenant when configured to, fetching them
//! [`GROUP_FETCHES_IN_FLIGHT`] at a time. Groups come from the tenant's identity provider, so grants and revokes are refused
//! with a message saying where to change them. Which Descope roles a group maps to lives in the
//! tenant's SSO configuration, which this connector does not read.
//!
//! A member is granted by its Descope user id. Members without one, and members that are not
//! among the sync's users (test users when they are skipped), get no grant; both are counted in
//! the sync's summary and logged, never dropped silently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    Entitlement, EntitlementImmutable, Grant, GrantImmutable, Resource, ResourceId, ResourceType,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::{Group, Tenant};
use futures::StreamExt;
use serde_json::{Map, json};

use crate::catalog::Catalog;
use crate::context::SyncContext;
use crate::error::from_descope;
use crate::ids::{decode_component, encode_component, tenant_resource_id};
use crate::kinds::{
    GROUP_TYPE, MEMBER, TENANT_TYPE, USER_TYPE, for_grants, group_type, reference, user_type,
};
use crate::provisioner::DescopeProvisioner;

/// The resource id of group `group_id` of tenant `tenant_id`: `<tenant>/<group>`.
pub(crate) fn group_resource_id(tenant_id: &str, group_id: &str) -> String {
    format!(
        "{}/{}",
        encode_component(tenant_id),
        encode_component(group_id)
    )
}

pub(crate) fn parse_group_id(id: &str) -> Result<(String, String), Error> {
    let bad = || {
        Error::invalid_argument(format!(
            "'{id}' is not a Descope group id (<tenant>/<group>)"
        ))
    };
    let (tenant, group) = id.split_once('/').ok_or_else(bad)?;
    Ok((
        decode_component(tenant).map_err(|_| bad())?,
        decode_component(group).map_err(|_| bad())?,
    ))
}

/// A `group` resource.
pub(crate) fn group_resource(tenant_id: &str, group: &Group) -> Resource {
    let mut profile = Map::new();
    profile.insert("groupId".into(), json!(group.id));
    profile.insert("tenantId".into(), json!(tenant_id));
    if !group.source.is_empty() {
        profile.insert("source".into(), json!(group.source));
    }
    if !group.sso_id.is_empty() {
        profile.insert("ssoId".into(), json!(group.sso_id));
    }
    profile.insert("members".into(), json!(group.members.len()));
    let name = if group.display.is_empty() {
        &group.id
    } else {
        &group.display
    };
    Resource::new(
        GROUP_TYPE,
        group_resource_id(tenant_id, &group.id),
        name.clone(),
    )
    .with_profile(profile)
    .with_parent(ResourceId::new(TENANT_TYPE, tenant_resource_id(tenant_id)))
    .with_group_trait(c1_connector_sdk::model::GroupTrait::default())
}

/// `group:<T>/<G>:member`, read-only.
pub(crate) fn group_member_entitlement(group: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(group), MEMBER)
        .with_display_name(format!("{} member", group.display_name))
        .with_description(format!(
            "Member of the group '{}' (from the tenant's identity provider; read-only)",
            group.display_name
        ))
        .with_grantable_to(&[user_type()])
        .with_annotation(&EntitlementImmutable::default())
}

/// Tenants whose groups are fetched at once by a sync's first group listing (the client's
/// concurrency cap and rate limiter still apply).
pub(crate) const GROUP_FETCHES_IN_FLIGHT: usize = 16;

/// The summary's count of tenants the sync did not ask for groups.
const NOT_ASKED: &str = "tenants not asked for groups (authType none)";

/// Whether a tenant is asked for its groups by default: unless the tenant listing says its
/// `authType` is `none` (no SSO configured). A missing, empty or unknown `authType` cannot tell,
/// so such a tenant is asked. See [`crate::config::DescopeConfig::with_groups_of_every_tenant`].
pub(crate) fn may_hold_groups(tenant: &Tenant) -> bool {
    tenant.auth_type != "none"
}

/// What the batch fetch got for each tenant.
type Fetched = HashMap<String, Result<Vec<Group>, Error>>;

/// Groups of each tenant; their members are kept for the grants phase.
#[derive(Debug)]
pub(crate) struct GroupSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    /// Ask every tenant, not only those that may hold groups.
    every_tenant: bool,
    /// The groups of every tenant the sync asks, fetched [`GROUP_FETCHES_IN_FLIGHT`] at a time
    /// by the first group listing (the others wait for it), so the per-tenant round trips
    /// overlap instead of taking one engine slot each. Each listing takes its tenant's answer.
    batch: tokio::sync::OnceCell<Mutex<Fetched>>,
    /// Member user ids by group resource id, filled as tenants' groups are listed.
    members: Mutex<HashMap<String, Vec<String>>>,
    /// Answers grants and revokes (with a refusal saying where groups are changed).
    pub(crate) provisioner: DescopeProvisioner,
}

impl GroupSyncer {
    pub(crate) fn new(
        ctx: Arc<SyncContext>,
        provisioner: DescopeProvisioner,
        every_tenant: bool,
    ) -> Self {
        GroupSyncer {
            ctx,
            every_tenant,
            batch: tokio::sync::OnceCell::new(),
            members: Mutex::new(HashMap::new()),
            provisioner,
        }
    }

    /// Whether this sync asks the tenant (`None`: a tenant the listing did not return, whose
    /// `authType` is unknown) for its groups.
    fn asks(&self, tenant: Option<&Tenant>) -> bool {
        self.every_tenant || tenant.is_none_or(may_hold_groups)
    }

    /// The groups of one tenant: from the batch when it has them, else asked now (a tenant
    /// outside the batch, or one whose batch request failed, so the engine's retry asks again).
    async fn groups_of(&self, tenant_id: &str, catalog: &Catalog) -> Result<Vec<Group>, Error> {
        let batch = self
            .batch
            .get_or_init(|| self.fetch_all(catalog))
            .await
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(tenant_id);
        let groups = match batch {
            Some(Ok(groups)) => groups,
            Some(Err(_)) | None => fetch(&self.ctx.client, &self.ctx.counters, tenant_id).await?,
        };
        self.remember(tenant_id, &groups);
        Ok(groups)
    }

    /// Fetches the groups of every tenant of the catalog this sync asks, concurrently. A failed
    /// request is kept as that tenant's answer (its listing asks again).
    async fn fetch_all(&self, catalog: &Catalog) -> Mutex<Fetched> {
        let asked: Vec<String> = catalog
            .tenants
            .iter()
            .filter(|t| self.asks(Some(t)))
            .map(|t| t.id.clone())
            .collect();
        self.ctx
            .counters
            .set(NOT_ASKED, (catalog.tenants.len() - asked.len()) as u64);
        if asked.len() < catalog.tenants.len() {
            tracing::info!(
                asked = asked.len(),
                not_asked = catalog.tenants.len() - asked.len(),
                "groups asked of the tenants with SSO (authType saml or oidc, or not reported); \
                 tenants whose authType is none are not asked (--groups-of-every-tenant asks them)"
            );
        }
        // Owned inputs: the futures of a buffered stream must not borrow from this function
        // (a borrow there makes the syncer's future not `Send` for every lifetime).
        let fetched: Fetched = futures::stream::iter(asked)
            .map(|tenant_id| {
                let client = self.ctx.client.clone();
                let counters = self.ctx.counters.clone();
                async move {
                    let groups = fetch(&client, &counters, &tenant_id).await;
                    (tenant_id, groups)
                }
            })
            .buffer_unordered(GROUP_FETCHES_IN_FLIGHT)
            .collect()
            .await;
        Mutex::new(fetched)
    }

    /// Keeps the member ids of a tenant's groups for the grants phase.
    fn remember(&self, tenant_id: &str, groups: &[Group]) {
        let mut members = self
            .members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for group in groups {
            let mut ids = Vec::with_capacity(group.members.len());
            let mut without_id = 0u64;
            for m in &group.members {
                if m.user_id.is_empty() {
                    without_id += 1;
                } else {
                    ids.push(m.user_id.clone());
                }
            }
            if without_id > 0 {
                self.ctx
                    .counters
                    .add("group members without a user id", without_id);
                tracing::warn!(
                    tenant = %tenant_id,
                    group = %group.id,
                    members = without_id,
                    "group members without a Descope user id get no grant"
                );
            }
            members.insert(group_resource_id(tenant_id, &group.id), ids);
        }
    }

    /// The members of the groups of `tenant_id` as listed, kept in the sync's session, so a
    /// resumed sync grants from the groups it listed (not from what the tenant holds when it
    /// resumes).
    async fn keep(&self, tenant_id: &str) -> Result<(), Error> {
        let session = &self.ctx.session;
        if !session.is_durable() {
            return Ok(());
        }
        // `<tenant>/`: the ids of this tenant's groups start so.
        let prefix = group_resource_id(tenant_id, "");
        let kept: HashMap<String, Vec<String>> = self
            .members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .filter(|(id, _)| id.starts_with(&prefix))
            .map(|(id, m)| (id.clone(), m.clone()))
            .collect();
        let bytes = serde_json::to_vec(&kept)
            .map_err(|e| Error::internal("encoding a tenant's groups").with_source(e))?;
        session
            .put(groups_key(tenant_id), bytes)
            .await
            .map_err(|e| e.context("saving a tenant's groups in the sync's session"))
    }

    /// The members of group `id` that an interrupted run of this sync listed, if it did.
    async fn kept_members(&self, tenant_id: &str, id: &str) -> Result<Option<Vec<String>>, Error> {
        let session = &self.ctx.session;
        if !session.is_durable() {
            return Ok(None);
        }
        let Some(bytes) = session.get(&groups_key(tenant_id)).await? else {
            return Ok(None);
        };
        let kept: HashMap<String, Vec<String>> = serde_json::from_slice(&bytes).map_err(|e| {
            Error::internal("the tenant's groups kept in the sync's session are unreadable")
                .with_source(e)
        })?;
        Ok(Some(kept.get(id).cloned().unwrap_or_default()))
    }
}

/// The session key of a tenant's groups as listed.
fn groups_key(tenant_id: &str) -> String {
    format!("descope/groups/{}", encode_component(tenant_id))
}

/// `POST /v1/mgmt/group/all` for one tenant.
async fn fetch(
    client: &descope_mgmt::Client,
    counters: &c1_connector_sdk::session::SyncCounters,
    tenant_id: &str,
) -> Result<Vec<Group>, Error> {
    counters.add("group requests", 1);
    client.groups().all(tenant_id).await.map_err(|e| {
        from_descope(
            &format!(
                "loading the groups of tenant '{tenant_id}' (to sync without groups, \
                 leave 'group' out of --sync-resource-types)"
            ),
            e,
        )
    })
}

#[async_trait]
impl ResourceSyncer for GroupSyncer {
    fn resource_type(&self) -> ResourceType {
        group_type()
    }

    /// The groups of the tenant `parent` (there are no top-level groups).
    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        let Some(parent) = parent.filter(|p| p.resource_type == TENANT_TYPE) else {
            return Ok(Page::last(Vec::new()));
        };
        let tenant_id = decode_component(&parent.resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let catalog = self.ctx.catalog().await?;
        if !self.asks(catalog.tenant(&tenant_id)) {
            return Ok(Page::last(Vec::new()));
        }
        let groups = self.groups_of(&tenant_id, &catalog).await?;
        // Kept before the page is returned: the checkpoint covering this page comes after it.
        self.keep(&tenant_id).await?;
        Ok(Page::last(
            groups
                .iter()
                .filter(|g| !g.id.is_empty())
                .map(|g| group_resource(&tenant_id, g))
                .collect(),
        ))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![group_member_entitlement(resource)]))
    }

    async fn grants(&self, resource: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        let id = resource.resource_id().resource;
        let cached = self
            .members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&id)
            .cloned();
        let member_ids = match cached {
            Some(ids) => ids,
            None => {
                // A resumed sync that listed this tenant's groups in another process: the
                // members as listed then, kept in the session (loaded again only when the
                // session is not durable, which a resumed sync's always is).
                let (tenant_id, _) = parse_group_id(&id)?;
                match self.kept_members(&tenant_id, &id).await? {
                    Some(ids) => ids,
                    None => {
                        let groups =
                            fetch(&self.ctx.client, &self.ctx.counters, &tenant_id).await?;
                        self.remember(&tenant_id, &groups);
                        self.members
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .get(&id)
                            .cloned()
                            .unwrap_or_default()
                    }
                }
            }
        };
        self.ctx.ensure_index().await?;
        let entitlement = for_grants(&group_member_entitlement(resource));
        let index = self.ctx.index();
        let mut grants = Vec::with_capacity(member_ids.len());
        let mut unknown = 0u64;
        for user_id in member_ids {
            let Some(principal) = index.user_entry(&user_id) else {
                unknown += 1;
                continue;
            };
            grants.push(
                Grant {
                    id: format!("{}:{USER_TYPE}:{}", entitlement.id, principal.resource_id),
                    principal: Some(Resource::new(
                        USER_TYPE,
                        principal.resource_id,
                        principal.display_name,
                    )),
                    ..Grant::default()
                }
                .with_annotation(&GrantImmutable::default()),
            );
        }
        if unknown > 0 {
            self.ctx
                .counters
                .add("group members not among synced users", unknown);
            tracing::info!(
                group = %id,
                members = unknown,
                "group members that are not among the synced users (test users, or users created since) get no grant"
            );
        }
        Ok(Page::of_entitlement(entitlement, grants, None))
    }

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}
