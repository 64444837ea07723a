//! Granting and revoking roles and tenant memberships of access keys.
//!
//! Descope has no add or remove for a key's roles: `POST /v1/mgmt/accesskey/update` replaces
//! `roleNames` and `keyTenants` whole. So every change is a read-modify-write from the key as it
//! is loaded just before: the request carries everything the key holds (name, description,
//! permitted IPs, custom claims and attributes, every other role and tenant) and differs in the
//! one assignment changed.
//!
//! Refused before any call, because Descope would refuse or ignore them and a half-applied
//! change is worse than none:
//! - any role or tenant grant on a key bound to a user (it acts with the user's authorization);
//! - a project role on a key that has tenants, and a tenant or tenant role on a key that has
//!   project roles (Descope's SDKs treat the two as exclusive on one key);
//! - a tenant role on a key that is not a member of the tenant (grant the membership first).
//!
//! Every change is confirmed by loading the key again, never from the update's answer (which
//! could echo the lists sent). The reload shows the new assignments (done), the old ones (not
//! applied: an error), or neither: another writer changed the key between the load and the
//! reload, and since Descope has no compare-and-set the change is reported as a retryable
//! `Aborted` error with what Descope holds, never as done. Within one process the caller holds the
//! key for the whole change (see [`crate::principal_lock`]), so only another process (or the
//! console, or another API client) can be that writer.
//!
//! Revoking a key's last project role or last tenant sends an empty list. Whether Descope
//! clears the list or keeps it when given `[]` is unverified; the reload shows which, and a
//! revoke that did not take effect is an error saying so, never a success.

use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Annotations, GrantAlreadyExists, GrantAlreadyRevoked};
use descope_mgmt::{AccessKey, AssociatedTenant, Client, UpdateAccessKeyRequest};

use crate::access_key::syncer::load_key;
use crate::error::from_descope;
use crate::ids::tenant_entitlement_id;
use crate::provisioner::changed_concurrently;
use crate::target::Target;

impl Target {
    /// Whether an access key holds this target.
    pub(crate) fn held_by_key(&self, key: &AccessKey) -> bool {
        match self {
            Target::Role(role) => match role.tenant_id() {
                None => key.role_names.iter().any(|r| r == role.name()),
                Some(tenant) => key.key_tenants.iter().any(|t| {
                    t.tenant_id == tenant && t.role_names.iter().any(|r| r == role.name())
                }),
            },
            Target::TenantMember(tenant) => key.key_tenants.iter().any(|t| &t.tenant_id == tenant),
            Target::App(_) => false,
        }
    }
}

fn annotated<T: c1_connector_sdk::model::AnnotationMessage>(marker: T) -> Annotations {
    let mut annotations = Annotations::default();
    annotations.push(&marker);
    annotations
}

/// Why Descope's rules would refuse granting `target` to `key`, if they would.
fn refusal(key: &AccessKey, target: &Target) -> Option<String> {
    let id = &key.id;
    if !key.bound_user_id.is_empty() {
        return Some(format!(
            "access key '{id}' is bound to user '{}' and acts with that user's roles: Descope does not \
             give bound keys roles or tenants of their own. Grant the {} to the user instead",
            key.bound_user_id,
            target.describe()
        ));
    }
    match target {
        Target::App(_) => Some(no_apps(id)),
        Target::Role(role) if role.tenant_id().is_none() && !key.key_tenants.is_empty() => {
            Some(format!(
                "access key '{id}' has tenant roles, and Descope keys hold either project roles or \
                 tenant roles, not both: grant the role within one of the key's tenants instead, or \
                 revoke the key's tenants first"
            ))
        }
        Target::Role(role) => {
            let tenant = role.tenant_id()?;
            if !key.role_names.is_empty() {
                return Some(tenant_and_project(id));
            }
            if !Target::TenantMember(tenant.to_owned()).held_by_key(key) {
                return Some(format!(
                    "access key '{id}' is not a member of tenant '{tenant}': grant the entitlement \
                     '{}' first, then the {role}",
                    tenant_entitlement_id(tenant)
                ));
            }
            None
        }
        Target::TenantMember(_) if !key.role_names.is_empty() => Some(tenant_and_project(id)),
        Target::TenantMember(_) => None,
    }
}

pub(crate) fn no_apps(id: &str) -> String {
    format!(
        "access key '{id}' cannot be given SSO application access: Descope grants SSO applications to users only"
    )
}

fn tenant_and_project(id: &str) -> String {
    format!(
        "access key '{id}' has project roles, and Descope keys hold either project roles or tenant \
         roles, not both: revoke the key's project roles first, or create a separate key for the tenant"
    )
}

/// The key's assignments with `target` added (`held`) or removed: `(roleNames, keyTenants)`.
fn changed(key: &AccessKey, target: &Target, held: bool) -> (Vec<String>, Vec<AssociatedTenant>) {
    let mut roles = key.role_names.clone();
    let mut tenants: Vec<AssociatedTenant> = key
        .key_tenants
        .iter()
        .map(|t| AssociatedTenant::new(t.tenant_id.clone(), t.role_names.clone()))
        .collect();
    match (target, held) {
        (Target::Role(role), _) if role.tenant_id().is_none() => {
            roles.retain(|r| r != role.name());
            if held {
                roles.push(role.name().to_owned());
            }
        }
        (Target::Role(role), _) => {
            let tenant = role.tenant_id().unwrap_or_default();
            for t in tenants.iter_mut().filter(|t| t.tenant_id == tenant) {
                t.role_names.retain(|r| r != role.name());
                if held {
                    t.role_names.push(role.name().to_owned());
                }
            }
        }
        (Target::TenantMember(tenant), true) => {
            tenants.push(AssociatedTenant::new(tenant.clone(), Vec::<String>::new()));
        }
        (Target::TenantMember(tenant), false) => tenants.retain(|t| &t.tenant_id != tenant),
        (Target::App(_), _) => {}
    }
    (roles, tenants)
}

/// Assignments in a comparable form: roles sorted, tenants sorted with their roles sorted.
type Normalized = (Vec<String>, Vec<(String, Vec<String>)>);

fn normalized<'a>(
    roles: &[String],
    tenants: impl Iterator<Item = (&'a String, &'a Vec<String>)>,
) -> Normalized {
    let mut roles = roles.to_vec();
    roles.sort();
    let mut tenants: Vec<(String, Vec<String>)> = tenants
        .map(|(t, r)| {
            let mut r = r.clone();
            r.sort();
            (t.clone(), r)
        })
        .collect();
    tenants.sort();
    (roles, tenants)
}

/// The assignments a key holds, to compare with what an update asked for.
fn assignments(key: &AccessKey) -> Normalized {
    normalized(
        &key.role_names,
        key.key_tenants
            .iter()
            .map(|t| (&t.tenant_id, &t.role_names)),
    )
}

/// The assignments an update sends.
fn expected(roles: &[String], tenants: &[AssociatedTenant]) -> Normalized {
    normalized(roles, tenants.iter().map(|t| (&t.tenant_id, &t.role_names)))
}

/// Grants `target` to access key `key_id`.
pub(crate) async fn grant(
    client: &Client,
    key_id: &str,
    target: &Target,
) -> Result<Annotations, Error> {
    let key = load_key(client, key_id).await?.ok_or_else(|| {
        Error::not_found(format!(
            "access key '{key_id}' does not exist in Descope; re-sync and retry"
        ))
    })?;
    if target.held_by_key(&key) {
        return Ok(annotated(GrantAlreadyExists {}));
    }
    if let Some(reason) = refusal(&key, target) {
        return Err(Error::failed_precondition(reason).with_retryable(false));
    }
    write(client, &key, target, true)
        .await
        .map(|()| Annotations::default())
}

/// Revokes `target` from access key `key_id`.
pub(crate) async fn revoke(
    client: &Client,
    key_id: &str,
    target: &Target,
) -> Result<Annotations, Error> {
    // A key that no longer exists holds nothing.
    let Some(key) = load_key(client, key_id).await? else {
        return Ok(annotated(GrantAlreadyRevoked {}));
    };
    if !target.held_by_key(&key) {
        return Ok(annotated(GrantAlreadyRevoked {}));
    }
    write(client, &key, target, false)
        .await
        .map(|()| Annotations::default())
}

/// Sends the read-modify-write update and confirms it with a fresh read.
///
/// The update's answer is not trusted: it could be an echo of the lists sent (a proxy, a server
/// that answers before applying), and it says nothing about a writer that comes right after. The
/// key is loaded again and compared with both the key the update was decided from (`key`) and
/// the assignments it wrote: the new ones mean done; the old ones mean the update did not take
/// effect; anything else means another writer changed the key in between, and the change is not
/// reported done ([`changed_concurrently`], retryable).
async fn write(client: &Client, key: &AccessKey, target: &Target, held: bool) -> Result<(), Error> {
    let verb = if held { "granting" } else { "revoking" };
    let (roles, tenants) = changed(key, target, held);
    let want = expected(&roles, &tenants);
    let before = assignments(key);
    let mut request = UpdateAccessKeyRequest::from_key(key);
    // Only the list that changes is sent; the other is left unset, which keeps it.
    let sent_empty = match target {
        Target::Role(role) if role.tenant_id().is_none() => {
            let empty = roles.is_empty();
            request.role_names = Some(roles);
            empty
        }
        _ => {
            let empty = tenants.is_empty();
            request.key_tenants = Some(tenants);
            empty
        }
    };
    let write_error = client.access_keys().update(&request).await.err();
    let key_id = &key.id;
    let change = || format!("{verb} the {} on access key '{key_id}'", target.describe());
    match load_key(client, key_id).await {
        Ok(Some(now)) if assignments(&now) == want => Ok(()),
        // A key deleted meanwhile holds nothing.
        Ok(None) if !held => Ok(()),
        Ok(None) => Err(Error::not_found(format!(
            "access key '{key_id}' was deleted while {verb} the {}",
            target.describe()
        ))),
        Ok(Some(now)) if assignments(&now) == before => Err(match write_error {
            Some(err) => from_descope(
                &format!("{} (Descope still holds {})", change(), describe(&now)),
                err,
            ),
            None if !held && sent_empty => Error::failed_precondition(format!(
                "Descope accepted revoking the {} from access key '{key_id}', but the key still holds it \
                 ({}). When the revoke removes a key's last project role or last tenant, the update sends an \
                 empty list, and this Descope project keeps the list unchanged when given one: remove the \
                 assignment in the Descope console, or delete the key",
                target.describe(),
                describe(&now)
            ))
            .with_retryable(false),
            None => Error::unavailable(format!(
                "Descope accepted {verb} the {} on access key '{key_id}', but the key does not show the \
                 change yet (Descope holds {}); retry",
                target.describe(),
                describe(&now)
            )),
        }),
        Ok(Some(now)) => Err(changed_concurrently(&change(), &describe(&now))),
        Err(load_err) => Err(match write_error {
            Some(err) => from_descope(&change(), err),
            None => load_err.context(format!(
                "{} was sent, but the key could not be read back to confirm it",
                change()
            )),
        }),
    }
}

/// What a key holds, for messages: its project roles and its tenants with their roles.
fn describe(key: &AccessKey) -> String {
    let (roles, tenants) = assignments(key);
    let tenants: Vec<String> = tenants.iter().map(|(t, r)| format!("{t} {r:?}")).collect();
    format!(
        "roleNames {roles:?} and keyTenants [{}]",
        tenants.join(", ")
    )
}
