//! Granting and revoking role assignments, tenant memberships and SSO application access.
//!
//! Every change is decided from the principal's current state, read just before, while this
//! process holds the principal (see [`crate::principal_lock`]): granting what the user already
//! holds succeeds with `GrantAlreadyExists`, revoking what they lack succeeds with
//! `GrantAlreadyRevoked`, whatever Descope itself would answer for a duplicate. A grant of a role,
//! tenant or application Descope does not list is `NotFound` before anything is written (see
//! [`crate::known_targets`]). When a write fails (a 5xx, a dropped connection) or its answer does
//! not show the change, the user is read again and the result is reported from what Descope holds
//! then: "done" only when the change is really there. Changes decided from a whole list (an access
//! key's roles, a user's SSO applications) are always confirmed by a fresh read.

use std::sync::Arc;

use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked};
use c1_connector_sdk::{Annotations, Code, Entitlement, Error, Grant, Resource, ResourceId};
use descope_mgmt::{Client, User};

use crate::error::from_descope;
use crate::ids::{RoleRef, decode_component};
use crate::known_targets::KnownTargets;
use crate::principal_lock::{PrincipalGuard, PrincipalKey, PrincipalLocks};
use crate::{ACCESS_KEY_TYPE, ASSIGNED, MEMBER, USER_TYPE};

/// What a grant or revoke request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Role(RoleRef),
    TenantMember(String),
    /// Access to an SSO application (by app id).
    App(String),
}

impl Target {
    /// Reads the target from an entitlement of a `role` or `tenant` resource.
    pub(crate) fn from_entitlement(entitlement: &Entitlement) -> Result<Target, Error> {
        let resource_id = entitlement
            .resource
            .as_ref()
            .and_then(|r| r.id.as_ref())
            .ok_or_else(|| Error::invalid_argument("the entitlement has no resource"))?;
        match (
            resource_id.resource_type.as_str(),
            entitlement.slug.as_str(),
        ) {
            ("role", ASSIGNED) => {
                let role = RoleRef::parse(&resource_id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                Ok(Target::Role(role))
            }
            ("tenant", MEMBER) => {
                let tenant = decode_component(&resource_id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                Ok(Target::TenantMember(tenant))
            }
            (crate::APP_TYPE, crate::ACCESS) => {
                let app = decode_component(&resource_id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                Ok(Target::App(app))
            }
            (crate::GROUP_TYPE, _) => Err(Error::failed_precondition(format!(
                "group memberships are read-only: Descope groups come from the tenant's identity provider (SCIM or SSO); \
                 change '{}' there",
                resource_id.resource
            ))),
            ("permission", _) => Err(Error::failed_precondition(format!(
                "permission grants are read-only: to change which roles confer '{}', edit the roles in the Descope console",
                resource_id.resource
            ))),
            (ty, slug) => Err(Error::invalid_argument(format!(
                "entitlement '{}' ({ty}/{slug}) is not provisionable by the Descope connector: only role 'assigned' and tenant 'member' entitlements are",
                entitlement.id
            ))),
        }
    }

    pub(crate) fn held_by(&self, user: &User) -> bool {
        match self {
            Target::Role(role) => match role.tenant_id() {
                None => user.role_names.iter().any(|r| r == role.name()),
                Some(tenant) => user.user_tenants.iter().any(|t| {
                    t.tenant_id == tenant && t.role_names.iter().any(|r| r == role.name())
                }),
            },
            Target::TenantMember(tenant) => {
                user.user_tenants.iter().any(|t| &t.tenant_id == tenant)
            }
            // An empty list is every app.
            Target::App(app) => {
                user.sso_app_ids.is_empty() || user.sso_app_ids.iter().any(|a| a == app)
            }
        }
    }

    /// What `user` holds of the kind this target is, for messages.
    pub(crate) fn holdings(&self, user: &User) -> String {
        match self {
            Target::Role(role) => match role.tenant_id() {
                None => format!("roleNames {:?}", user.role_names),
                Some(tenant) => match user.user_tenants.iter().find(|t| t.tenant_id == tenant) {
                    Some(t) => format!("roleNames {:?} in tenant '{tenant}'", t.role_names),
                    None => format!("no membership of tenant '{tenant}'"),
                },
            },
            Target::TenantMember(_) => format!(
                "userTenants {:?}",
                user.user_tenants
                    .iter()
                    .map(|t| t.tenant_id.as_str())
                    .collect::<Vec<_>>()
            ),
            Target::App(_) => format!("ssoAppIds {:?}", user.sso_app_ids),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Target::Role(role) => role.to_string(),
            Target::TenantMember(tenant) => format!("membership of tenant '{tenant}'"),
            Target::App(app) => format!("access to SSO application '{app}'"),
        }
    }
}

/// A principal of a grant: a Descope user or an access key, by its Descope id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    User(String),
    AccessKey(String),
}

impl Principal {
    /// Reads a principal from a `user` or `access_key` resource id.
    pub(crate) fn from_id(principal: &ResourceId) -> Result<Principal, Error> {
        let id = || {
            decode_component(&principal.resource)
                .map_err(|e| Error::invalid_argument(e.to_string()))
        };
        match principal.resource_type.as_str() {
            USER_TYPE => Ok(Principal::User(id()?)),
            ACCESS_KEY_TYPE => Ok(Principal::AccessKey(id()?)),
            other => Err(Error::invalid_argument(format!(
                "only users and access keys can be granted Descope roles and tenant memberships, not '{other}' resources"
            ))),
        }
    }
}

/// Applies grants and revokes through the Descope client, one change per principal at a time.
///
/// One value is made per connector and cloned into every syncer, so all of them share the
/// per-principal locks and the cache of listed roles, tenants and applications.
#[derive(Debug, Clone)]
pub(crate) struct DescopeProvisioner {
    client: Client,
    locks: PrincipalLocks,
    known: Arc<KnownTargets>,
}

impl DescopeProvisioner {
    pub(crate) fn new(client: Client) -> Self {
        DescopeProvisioner {
            client,
            locks: PrincipalLocks::default(),
            known: Arc::default(),
        }
    }

    /// The Descope client.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Holds `principal` against every other change made by this process (see
    /// [`crate::principal_lock`]).
    pub(crate) async fn lock(&self, principal: PrincipalKey) -> PrincipalGuard {
        self.locks.lock(principal).await
    }

    /// Grants `entitlement` to `principal`.
    pub(crate) async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<Annotations, Error> {
        let target = Target::from_entitlement(entitlement)?;
        let principal_id = principal
            .id
            .as_ref()
            .ok_or_else(|| Error::invalid_argument("the principal has no id"))?;
        let principal = Principal::from_id(principal_id)?;
        if let (Principal::AccessKey(key_id), Target::App(_)) = (&principal, &target) {
            // Refused for what a key is, before any lookup.
            return Err(
                Error::failed_precondition(crate::key_provision::no_apps(key_id))
                    .with_retryable(false),
            );
        }
        self.known.ensure_listed(&self.client, &target).await?;
        let user_id = match principal {
            Principal::User(id) => id,
            Principal::AccessKey(key_id) => {
                let _held = self.lock(PrincipalKey::AccessKey(key_id.clone())).await;
                return crate::key_provision::grant(&self.client, &key_id, &target).await;
            }
        };
        let _held = self.lock(PrincipalKey::User(user_id.clone())).await;
        let user = self.load(&user_id).await?.ok_or_else(|| {
            Error::not_found(format!(
                "user '{user_id}' does not exist in Descope; re-sync and retry"
            ))
        })?;
        if target.held_by(&user) {
            let mut annotations = Annotations::default();
            annotations.push(&GrantAlreadyExists {});
            return Ok(annotations);
        }
        if let Target::Role(role) = &target
            && let Some(tenant) = role.tenant_id()
            && !Target::TenantMember(tenant.to_owned()).held_by(&user)
        {
            return Err(Error::failed_precondition(format!(
                "user '{user_id}' is not a member of tenant '{tenant}': grant the entitlement \
                 '{}' first, then the {role}",
                crate::access_keys::tenant_entitlement_id(tenant)
            )));
        }
        let users = self.client.users();
        let result = match &target {
            Target::Role(role) => {
                users
                    .add_roles_v1(&user_id, &[role.name().to_owned()], role.tenant_id())
                    .await
            }
            Target::TenantMember(tenant) => users.add_tenant(&user_id, tenant).await,
            Target::App(app) => {
                users
                    .add_sso_apps(&user_id, std::slice::from_ref(app))
                    .await
            }
        };
        self.confirm(&user_id, &target, result, true)
            .await
            .map(|()| Annotations::default())
    }

    /// Revokes `grant`.
    pub(crate) async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
        let entitlement = grant
            .entitlement
            .as_ref()
            .ok_or_else(|| Error::invalid_argument("the grant has no entitlement"))?;
        let target = Target::from_entitlement(entitlement)?;
        let principal_id = grant
            .principal
            .as_ref()
            .and_then(|p| p.id.as_ref())
            .ok_or_else(|| Error::invalid_argument("the grant has no principal"))?;
        // Not checked against what Descope lists: revoking an assignment of a role deleted
        // since is how such a stale assignment is removed (see `crate::known_targets`).
        let user_id = match Principal::from_id(principal_id)? {
            Principal::User(id) => id,
            Principal::AccessKey(key_id) => {
                let _held = self.lock(PrincipalKey::AccessKey(key_id.clone())).await;
                return crate::key_provision::revoke(&self.client, &key_id, &target).await;
            }
        };
        let revoked = || {
            let mut annotations = Annotations::default();
            annotations.push(&GrantAlreadyRevoked {});
            annotations
        };
        let _held = self.lock(PrincipalKey::User(user_id.clone())).await;
        // A user that no longer exists holds nothing.
        let Some(user) = self.load(&user_id).await? else {
            return Ok(revoked());
        };
        if !target.held_by(&user) {
            return Ok(revoked());
        }
        if let Target::TenantMember(tenant) = &target
            && let Some(roles) = user
                .user_tenants
                .iter()
                .find(|t| &t.tenant_id == tenant)
                .map(|t| &t.role_names)
            && !roles.is_empty()
        {
            // Leaving a tenant takes its roles with it: say so, since those are grants too.
            tracing::warn!(
                user = %user_id,
                tenant = %tenant,
                roles = ?roles,
                "revoking the tenant membership also removes the user's roles in that tenant"
            );
        }
        let users = self.client.users();
        let result = match &target {
            Target::Role(role) => {
                users
                    .remove_roles(&user_id, &[role.name().to_owned()], role.tenant_id())
                    .await
            }
            Target::TenantMember(tenant) => users.remove_tenant(&user_id, tenant).await,
            Target::App(app) => {
                return crate::app_revoke::revoke_app(&self.client, &user, app)
                    .await
                    .map(|()| Annotations::default());
            }
        };
        self.confirm(&user_id, &target, result, false)
            .await
            .map(|()| Annotations::default())
    }

    /// Checks that a write had the effect wanted (`held` after it), re-reading the user when the
    /// write failed or its answer does not show the change.
    async fn confirm(
        &self,
        user_id: &str,
        target: &Target,
        result: Result<User, descope_mgmt::Error>,
        held: bool,
    ) -> Result<(), Error> {
        let verb = if held { "granting" } else { "revoking" };
        let write_error = match result {
            Ok(user) if target.held_by(&user) == held => return Ok(()),
            Ok(_) => None,
            Err(err) => Some(err),
        };
        // Descope may answer before the change is visible, or the answer may have been lost:
        // read the user again and report what is true now.
        match self.load(user_id).await {
            Ok(Some(user)) if target.held_by(&user) == held => Ok(()),
            Ok(None) if !held => Ok(()),
            Ok(now) => {
                let holds = match &now {
                    Some(user) => target.holdings(user),
                    None => "no such user".to_owned(),
                };
                Err(match write_error {
                    Some(err) => from_descope(
                        &format!(
                            "{verb} the {} for user '{user_id}' (Descope holds {holds})",
                            target.describe()
                        ),
                        err,
                    ),
                    None => Error::unavailable(format!(
                        "Descope accepted {verb} the {} for user '{user_id}', but the user does not \
                         show the change yet (Descope holds {holds}); retry",
                        target.describe()
                    )),
                })
            }
            Err(load_err) => Err(match write_error {
                Some(err) => from_descope(
                    &format!("{verb} the {} for user '{user_id}'", target.describe()),
                    err,
                ),
                None => load_err.context(format!(
                    "{verb} the {} for user '{user_id}' was sent, but the user could not be read \
                     back to confirm it",
                    target.describe()
                )),
            }),
        }
    }

    async fn load(&self, user_id: &str) -> Result<Option<User>, Error> {
        load_user(&self.client, user_id).await
    }
}

/// The error of a read-modify-write whose confirming read shows neither the state it was
/// decided from nor the state it wrote: another writer changed `what` in between (Descope has
/// no compare-and-set). Never a success; `Aborted` and retryable, since the next attempt decides
/// again from what Descope holds then. `holds` says what that is.
pub(crate) fn changed_concurrently(what: &str, holds: &str) -> Error {
    Error::new(
        Code::Aborted,
        format!(
            "{what}: another writer (another connector process, the Descope console, an API \
             client) changed it between this change's load and its confirming read, and Descope \
             has no compare-and-set, so this change is not reported as done. Descope now holds \
             {holds}. Retry: the change is decided again from what Descope holds"
        ),
    )
    .with_retryable(true)
}

/// Loads a user by user id; `None` only when Descope says it does not exist.
pub(crate) async fn load_user(client: &Client, user_id: &str) -> Result<Option<User>, Error> {
    crate::error::found(
        client.users().load_by_user_id(user_id).await,
        &format!("loading user '{user_id}'"),
    )
}

/// The Descope id in a resource id of type `resource_type` (an error for any other type).
pub(crate) fn component_of(id: &ResourceId, resource_type: &str) -> Result<String, Error> {
    if id.resource_type != resource_type {
        return Err(Error::invalid_argument(format!(
            "expected a {resource_type} resource, got a '{}' resource",
            id.resource_type
        )));
    }
    decode_component(&id.resource).map_err(|e| Error::invalid_argument(e.to_string()))
}
