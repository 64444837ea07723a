//! Grants only of what Descope lists: a role, tenant or SSO application that the project does
//! not have is `NotFound` before anything is written.
//!
//! Whether Descope's role, tenant and SSO app add endpoints (and the access key update) refuse a
//! name the project does not have is unverified (the reference is silent; the emulator refuses an
//! unknown role). If one stores any name it is given, a typo in a one-shot grant, or a stale
//! entitlement of a role deleted since the last sync, becomes a phantom assignment reported as
//! granted. So before a grant, the target is looked up:
//!
//! | target | lookup (cached) |
//! | --- | --- |
//! | project role | `GET /v1/mgmt/role/all` |
//! | tenant role | the tenant (`GET /v1/mgmt/tenant?id=`), then `role/all`, else `POST /v1/mgmt/role/search` for that tenant |
//! | project role within a tenant | the tenant, `role/all`, and the tenant's own roles (a tenant role of the same name would be assigned instead) |
//! | tenant membership | the tenant |
//! | SSO application | `GET /v1/mgmt/sso/idp/apps/load` |
//!
//! Each answer is kept per process for [`KNOWN_TTL`] (30 s): a burst of grants (an access
//! review) costs one lookup, not one per grant, and a role deleted in Descope stops being
//! grantable within 30 s. A target missing from an answer older than [`MISS_REFRESH`] (2 s) is
//! looked up again before the grant is refused, so a role created a moment ago is not refused
//! from an old answer. Concurrent grants share one lookup. Cost: at most one request per lookup
//! kind per 30 s (tenants and tenant roles per tenant), plus one per refused grant; Descope
//! allows 100 such requests per 60 s, so a steady stream of grants spends at most a few percent
//! of it.
//!
//! Revokes are not checked: removing an assignment of a role Descope no longer lists is exactly
//! how such a stale assignment is cleaned up, and refusing it would leave it in place for good.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use c1_connector_sdk::error::Error;
use descope_mgmt::{Client, SearchRolesRequest};
use tokio::sync::Mutex as AsyncMutex;

use crate::error::from_descope;
use crate::ids::RoleRef;
use crate::target::Target;

/// How long a lookup's answer is used for deciding that a target exists.
pub(crate) const KNOWN_TTL: Duration = Duration::from_secs(30);
/// A target missing from an answer older than this is looked up again before it is refused.
pub(crate) const MISS_REFRESH: Duration = Duration::from_secs(2);

/// One kind of lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Lookup {
    /// `role/all`: project role names, and `tenant\0name` for tenant roles it lists.
    Roles,
    /// `role/search` by one tenant: the tenant's own role names.
    TenantRoles(String),
    /// `tenant?id=`: the tenant id when it exists, nothing when Descope says it does not.
    Tenant(String),
    /// `sso/idp/apps/load`: application ids.
    Apps,
}

type Names = Arc<HashSet<String>>;

/// One lookup's latest answer and when it was read; the async mutex makes concurrent callers
/// share one request.
type Slot = Arc<AsyncMutex<Option<(Instant, Names)>>>;

/// The per-process cache of lookups (shared by a connector's clones).
#[derive(Debug, Default)]
pub(crate) struct KnownTargets {
    slots: Mutex<HashMap<Lookup, Slot>>,
}

fn tenant_role(tenant: &str, name: &str) -> String {
    format!("{tenant}\0{name}")
}

impl KnownTargets {
    /// `Ok` when Descope lists `target`, `NotFound` (nothing sent) when it does not.
    pub(crate) async fn ensure_listed(
        &self,
        client: &Client,
        target: &Target,
    ) -> Result<(), Error> {
        let missing = match target {
            Target::Role(role) => self.role_missing(client, role).await?,
            Target::TenantMember(tenant) => self.tenant_missing(client, tenant).await?,
            Target::App(app) => (!self.contains(client, Lookup::Apps, app).await?).then(|| {
                "Descope lists no such SSO application (GET /v1/mgmt/sso/idp/apps/load)".to_owned()
            }),
        };
        match missing {
            None => Ok(()),
            Some(why) => Err(Error::not_found(format!(
                "cannot grant the {}: {why}. Nothing was changed. Check the entitlement (a typo, or \
                 something deleted in Descope since the last sync), re-sync, and retry",
                target.describe()
            ))
            .with_retryable(false)),
        }
    }

    async fn tenant_missing(&self, client: &Client, tenant: &str) -> Result<Option<String>, Error> {
        Ok((!self
            .contains(client, Lookup::Tenant(tenant.to_owned()), tenant)
            .await?)
            .then(|| format!("Descope has no tenant '{tenant}' (GET /v1/mgmt/tenant)")))
    }

    async fn role_missing(&self, client: &Client, role: &RoleRef) -> Result<Option<String>, Error> {
        let name = role.name();
        if let Some(tenant) = role.tenant_id()
            && let Some(why) = self.tenant_missing(client, tenant).await?
        {
            return Ok(Some(why));
        }
        match role {
            RoleRef::Project { .. } => Ok((!self.contains(client, Lookup::Roles, name).await?)
                .then(|| format!("Descope lists no project role '{name}' (GET /v1/mgmt/role/all)"))),
            RoleRef::TenantScoped { tenant_id, .. } => {
                Ok((!self.tenant_defines(client, tenant_id, name).await?).then(|| {
                    format!(
                        "tenant '{tenant_id}' has no role '{name}' (GET /v1/mgmt/role/all and POST /v1/mgmt/role/search)"
                    )
                }))
            }
            RoleRef::ProjectInTenant { tenant_id, .. } => {
                if !self.contains(client, Lookup::Roles, name).await? {
                    return Ok(Some(format!(
                        "Descope lists no project role '{name}' (GET /v1/mgmt/role/all)"
                    )));
                }
                Ok(self
                    .tenant_defines(client, tenant_id, name)
                    .await?
                    .then(|| {
                        format!(
                            "tenant '{tenant_id}' defines its own role '{name}', which Descope would assign \
                             instead of the project role: grant 'tenant/{tenant_id}/{name}' if that is meant"
                        )
                    }))
            }
        }
    }

    /// Whether `tenant` defines its own role `name` (in `role/all`, or its `role/search`: which
    /// of the two lists tenant roles is unverified).
    async fn tenant_defines(
        &self,
        client: &Client,
        tenant: &str,
        name: &str,
    ) -> Result<bool, Error> {
        if self
            .contains(client, Lookup::Roles, &tenant_role(tenant, name))
            .await?
        {
            return Ok(true);
        }
        self.contains(client, Lookup::TenantRoles(tenant.to_owned()), name)
            .await
    }

    /// Whether the answer of `lookup` holds `item`, from an answer younger than [`KNOWN_TTL`],
    /// confirmed by one younger than [`MISS_REFRESH`] when it does not.
    async fn contains(&self, client: &Client, lookup: Lookup, item: &str) -> Result<bool, Error> {
        let (names, read_at) = self.get(client, &lookup, KNOWN_TTL).await?;
        if names.contains(item) || read_at.elapsed() < MISS_REFRESH {
            return Ok(names.contains(item));
        }
        let (names, _) = self.get(client, &lookup, MISS_REFRESH).await?;
        Ok(names.contains(item))
    }

    /// The answer of `lookup`, read again when the one kept is older than `max_age`.
    async fn get(
        &self,
        client: &Client,
        lookup: &Lookup,
        max_age: Duration,
    ) -> Result<(Names, Instant), Error> {
        let slot = {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Answers past their time are dropped, so the cache holds only the lookups of the
            // last 30 s (a few per tenant granted in), however long the process runs.
            slots.retain(|_, slot| {
                slot.try_lock().map_or(true, |kept| {
                    kept.as_ref()
                        .is_some_and(|(at, _)| at.elapsed() < KNOWN_TTL)
                })
            });
            slots.entry(lookup.clone()).or_default().clone()
        };
        let mut kept = slot.lock().await;
        if let Some((at, names)) = kept.as_ref()
            && at.elapsed() < max_age
        {
            return Ok((names.clone(), *at));
        }
        let names = Arc::new(fetch(client, lookup).await?);
        let now = Instant::now();
        *kept = Some((now, names.clone()));
        Ok((names, now))
    }
}

async fn fetch(client: &Client, lookup: &Lookup) -> Result<HashSet<String>, Error> {
    match lookup {
        Lookup::Roles => {
            let roles = client
                .roles()
                .all()
                .await
                .map_err(|e| from_descope("loading the roles to check the grant", e))?;
            Ok(roles
                .into_iter()
                .filter(|r| !r.name.is_empty())
                .map(|r| {
                    if r.tenant_id.is_empty() {
                        r.name
                    } else {
                        tenant_role(&r.tenant_id, &r.name)
                    }
                })
                .collect())
        }
        Lookup::TenantRoles(tenant) => {
            let req = SearchRolesRequest::new().tenant_ids([tenant.clone()]);
            let roles = client.roles().search(&req).await.map_err(|e| {
                from_descope(
                    &format!("searching the roles of tenant '{tenant}' to check the grant"),
                    e,
                )
            })?;
            Ok(roles
                .into_iter()
                .filter(|r| &r.tenant_id == tenant && !r.name.is_empty())
                .map(|r| r.name)
                .collect())
        }
        Lookup::Tenant(tenant) => {
            let found = crate::error::found(
                client.tenants().load(tenant).await,
                &format!("loading tenant '{tenant}' to check the grant"),
            )?;
            Ok(found.map(|t| t.id).into_iter().collect())
        }
        Lookup::Apps => {
            let apps =
                client.sso_apps().all().await.map_err(|e| {
                    from_descope("loading the SSO applications to check the grant", e)
                })?;
            Ok(apps
                .into_iter()
                .map(|a| a.id)
                .filter(|id| !id.is_empty())
                .collect())
        }
    }
}
