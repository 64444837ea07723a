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
//!
//! This is the one place grants and revokes are dispatched: by principal (a user's change here,
//! an access key's in [`crate::access_key::provision`]) and, for the syncers whose entitlements
//! change (tenant, role, app; group and permission refuse), as their `Provisioner`.

use async_trait::async_trait;
use c1_connector_sdk::connector::Provisioner;
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    Annotations, Entitlement, Grant, GrantAlreadyExists, GrantAlreadyRevoked, Resource,
};
use descope_mgmt::User;

use crate::error::from_descope;
use crate::principal_lock::PrincipalKey;
use crate::provisioner::{DescopeProvisioner, load_user};
use crate::target::{Principal, Target};

impl DescopeProvisioner {
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
                Error::failed_precondition(crate::access_key::provision::no_apps(key_id))
                    .with_retryable(false),
            );
        }
        self.known.ensure_listed(&self.client, &target).await?;
        let user_id = match principal {
            Principal::User(id) => id,
            Principal::AccessKey(key_id) => {
                let _held = self.lock(PrincipalKey::AccessKey(key_id.clone())).await;
                return crate::access_key::provision::grant(&self.client, &key_id, &target).await;
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
                crate::ids::tenant_entitlement_id(tenant)
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
                return crate::access_key::provision::revoke(&self.client, &key_id, &target).await;
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
                return crate::app::revoke::revoke_app(&self.client, &user, app)
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

macro_rules! provisioner_via {
    ($($ty:ty),*) => {$(
        #[async_trait]
        impl Provisioner for $ty {
            async fn grant(&self, principal: &Resource, entitlement: &Entitlement) -> Result<Annotations, Error> {
                self.provisioner.grant(principal, entitlement).await
            }

            async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
                self.provisioner.revoke(grant).await
            }
        }
    )*};
}

// Groups are read-only: their provisioner refuses with a message saying where they change.
provisioner_via!(
    crate::tenant::TenantSyncer,
    crate::role::RoleSyncer,
    crate::permission::PermissionSyncer,
    crate::app::AppSyncer,
    crate::group::GroupSyncer
);
