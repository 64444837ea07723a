//! Access keys: Descope's non-human identities, with project roles and tenant roles of their own.
//!
//! # Listing every key
//!
//! `POST /v1/mgmt/accesskey/search` has no paging and no total: one answer is meant to hold
//! every key. Whether Descope caps that answer is unverified, and a silent cap would drop keys
//! from the sync with nothing to show for it. So the full search is checked against searches by
//! tenant ([`crate::tenant_search`]: 1,000 tenants a request, fewer if Descope refuses as
//! many): a key that a tenant search returns but the full search left out is either new
//! (created between the two searches: the full search is repeated once to tell) or proof of a
//! cap. A search by tenant that returns as many keys as the full search could be cut at the
//! same cap itself, so its tenants are searched again in halves until each answer is smaller
//! (or a single tenant's). A cap fails the sync with a message saying so,
//! rather than sync part of the keys: the keys that belong to no tenant could not be listed
//! completely by any search.
//!
//! # Resume
//!
//! The keys are fetched once per sync and kept in the sync's session (`descope/access-keys`),
//! so a resumed sync grants from the same keys it listed before it was interrupted.

use std::collections::BTreeSet;
use std::time::SystemTime;

use c1_connector_sdk::model::{
    SecretTrait, SkipEntitlementsAndGrants, resource::Status, resource::StatusValue,
    secret_trait::CredentialType,
};
use c1_connector_sdk::{Error, Resource, ResourceId, ResourceType, SessionStore, Trait};
use descope_mgmt::{AccessKey, Client, SearchAccessKeysRequest};
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::error::from_descope;
use crate::ids::{tenant_resource_id, user_resource_id};
use crate::index::Assignments;
use crate::tenant_search::{halving, search_by_tenants};
use crate::{ACCESS_KEY_TYPE, USER_TYPE};

/// The session key of the sync's access keys.
pub(crate) const KEYS_SESSION_KEY: &str = "descope/access-keys";

/// The `credential_detail` of a key's secret trait.
pub(crate) const CREDENTIAL_DETAIL: &str = "descope_access_key";

impl Assignments for AccessKey {
    fn user_id(&self) -> &str {
        &self.id
    }
    fn display_name(&self) -> &str {
        key_display_name(self)
    }
    fn role_names(&self) -> &[String] {
        &self.role_names
    }
    fn tenants(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.key_tenants
            .iter()
            .map(|t| (t.tenant_id.as_str(), t.role_names.as_slice()))
    }
    fn tenant_name(&self, tenant_id: &str) -> Option<&str> {
        self.key_tenants
            .iter()
            .find(|t| t.tenant_id == tenant_id && !t.tenant_name.is_empty())
            .map(|t| t.tenant_name.as_str())
    }
}

/// A key's display name: its name (names are not unique), else its id.
pub(crate) fn key_display_name(key: &AccessKey) -> &str {
    if key.name.is_empty() {
        &key.id
    } else {
        &key.name
    }
}

/// The `access_key` resource type. Keys have no entitlements of their own: they hold roles and
/// tenant memberships, which are grants on the role and tenant entitlements.
pub(crate) fn access_key_type() -> ResourceType {
    ResourceType::new(ACCESS_KEY_TYPE, "Access key")
        .with_trait(Trait::Secret)
        .with_description(
            "A Descope access key: a non-human identity with project roles and tenant roles of its own",
        )
        .with_annotation(&SkipEntitlementsAndGrants {})
}

/// What a key's status means for baton: `(status, details)`.
pub(crate) fn key_status(key: &AccessKey, now: SystemTime) -> (StatusValue, &'static str) {
    match key.status.as_str() {
        // Whether Descope reports an expired key as `expired` or by its stored status is
        // unverified: both read the same here.
        "inactive" => (StatusValue::Disabled, "inactive"),
        "expired" => (StatusValue::Disabled, "expired"),
        _ if key.is_expired(now) => (StatusValue::Disabled, "expired"),
        "active" => (StatusValue::Enabled, ""),
        _ => (StatusValue::Unspecified, "unknown"),
    }
}

/// An `access_key` resource. The creator (`createdBy`) stays in the profile only: its format is
/// undocumented (a user id, a login id or a key), so it is not linked as a resource.
pub(crate) fn access_key_resource(key: &AccessKey, now: SystemTime) -> Resource {
    let (status, details) = key_status(key, now);
    let mut profile = Map::new();
    profile.insert("keyId".into(), json!(key.id));
    profile.insert("name".into(), json!(key.name));
    put_str(&mut profile, "description", &key.description);
    profile.insert("status".into(), json!(key.status.as_str()));
    profile.insert("expired".into(), json!(key.is_expired(now)));
    if key.created_time > 0 {
        profile.insert("createdTime".into(), json!(key.created_time));
    }
    profile.insert("expireTime".into(), json!(key.expire_time));
    put_str(&mut profile, "createdBy", &key.created_by);
    put_str(&mut profile, "clientId", &key.client_id);
    put_str(&mut profile, "boundUserId", &key.bound_user_id);
    profile.insert("roleNames".into(), json!(key.role_names));
    profile.insert(
        "keyTenants".into(),
        Value::Array(
            key.key_tenants
                .iter()
                .map(|t| {
                    json!({
                        "tenantId": t.tenant_id,
                        "tenantName": t.tenant_name,
                        "roleNames": t.role_names,
                    })
                })
                .collect(),
        ),
    );
    profile.insert("permittedIps".into(), json!(key.permitted_ips));
    if !key.custom_attributes.is_empty() {
        profile.insert(
            "customAttributes".into(),
            Value::Object(key.custom_attributes.clone()),
        );
    }

    let mut description = key.description.clone();
    if !key.bound_user_id.is_empty() {
        let note = format!(
            "Bound to user {}: it acts with that user's authorization, and Descope ignores roles of its own.",
            key.bound_user_id
        );
        description = if description.is_empty() {
            note
        } else {
            format!("{description} ({note})")
        };
    }

    let mut secret =
        SecretTrait::new().with_credential_type(CredentialType::StaticSecret, CREDENTIAL_DETAIL);
    if key.expire_time > 0 {
        secret = secret.with_expires_at(key.expire_time);
    }
    if !key.bound_user_id.is_empty() {
        secret = secret.with_identity(ResourceId::new(
            USER_TYPE,
            user_resource_id(&key.bound_user_id),
        ));
    }

    let mut resource = Resource::new(
        ACCESS_KEY_TYPE,
        user_resource_id(&key.id),
        key_display_name(key),
    )
    .with_description(description)
    .with_profile(profile);
    resource.status = Some(Status {
        status: status as i32,
        details: details.to_owned(),
    });
    if key.created_time > 0 {
        resource = resource.with_created_at(key.created_time);
    }
    resource.with_secret_trait(secret)
}

fn put_str(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}

/// The keys of this sync: from the session when an interrupted run kept them, otherwise from
/// Descope (then kept in the session when it is durable).
pub(crate) async fn sync_keys(
    client: &Client,
    catalog: &Catalog,
    session: &SessionStore,
    counters: &c1_connector_sdk::SyncCounters,
) -> Result<Vec<AccessKey>, Error> {
    if session.is_durable()
        && let Some(bytes) = session.get(KEYS_SESSION_KEY).await?
    {
        match serde_json::from_slice::<Vec<AccessKey>>(&bytes) {
            Ok(keys) => {
                tracing::info!(
                    keys = keys.len(),
                    "access keys reloaded from the sync's session (resumed sync)"
                );
                return Ok(keys);
            }
            Err(err) => tracing::warn!(
                error = %err,
                "the access keys kept in the sync's session are unreadable: listing them again"
            ),
        }
    }
    let keys = load_all(client, catalog, counters).await?;
    if session.is_durable() {
        let bytes = serde_json::to_vec(&keys)
            .map_err(|e| Error::internal("encoding the access keys").with_source(e))?;
        session
            .put(KEYS_SESSION_KEY, bytes)
            .await
            .map_err(|e| e.context("saving the access keys in the sync's session"))?;
    }
    Ok(keys)
}

/// Every access key of the project, checked against searches by tenant (see the module docs).
pub(crate) async fn load_all(
    client: &Client,
    catalog: &Catalog,
    counters: &c1_connector_sdk::SyncCounters,
) -> Result<Vec<AccessKey>, Error> {
    let keys = client.access_keys();
    let search_all = || async {
        counters.add("access key searches", 1);
        keys.search(&SearchAccessKeysRequest::new())
            .await
            .map_err(|e| from_descope("searching access keys", e))
    };
    let mut all = dedup(search_all().await?)?;
    let tenant_ids: Vec<String> = catalog
        .tenants
        .iter()
        .filter(|t| !t.id.is_empty())
        .map(|t| t.id.clone())
        .collect();
    const WHAT: &str = "searching access keys by tenant";
    let search = |chunk: Vec<String>| {
        let client = client.clone();
        let counters = counters.clone();
        async move {
            counters.add("access key searches", 1);
            client
                .access_keys()
                .search(&SearchAccessKeysRequest::new().tenant_ids(chunk))
                .await
        }
    };
    let mut answers = search_by_tenants(&tenant_ids, WHAT, search).await?;
    let mut by_tenant: Vec<Vec<AccessKey>> = Vec::with_capacity(answers.len());
    while let Some((chunk, found)) = answers.pop() {
        if chunk.len() > 1 && !found.is_empty() && found.len() >= all.len() {
            // As many keys as the full search: possibly cut at the same cap. Ask the halves.
            let mut first = chunk;
            let second = first.split_off(first.len() / 2);
            for half in [first, second] {
                answers.extend(halving(half, WHAT, search).await?);
            }
        } else {
            by_tenant.push(found);
        }
    }
    let mut missing = missing_from(&all, by_tenant.iter().flatten());
    if !missing.is_empty() {
        // Keys created between the two searches, or a capped answer: ask again to tell.
        tracing::info!(
            missing = missing.len(),
            "searches by tenant returned access keys the full search did not; searching again"
        );
        all = dedup(search_all().await?)?;
        missing = missing_from(&all, by_tenant.iter().flatten());
        if !missing.is_empty() {
            return Err(Error::failed_precondition(format!(
                "Descope's access key search returned {} keys and left out {} that searches by tenant \
                 returned (for example '{}'): the search caps its answer, so the project's access \
                 keys cannot all be listed. Sync without access keys (--sync-resource-types \
                 user,tenant,role,permission) and report this to the connector's maintainers",
                all.len(),
                missing.len(),
                missing.iter().next().map(String::as_str).unwrap_or_default()
            ))
            .with_retryable(false));
        }
    }
    counters.set("access keys synced", all.len() as u64);
    Ok(all)
}

/// Ids of `found` keys that are not in `all`.
fn missing_from<'a>(
    all: &[AccessKey],
    found: impl Iterator<Item = &'a AccessKey>,
) -> BTreeSet<String> {
    let have: BTreeSet<&str> = all.iter().map(|k| k.id.as_str()).collect();
    found
        .filter(|k| !have.contains(k.id.as_str()))
        .map(|k| k.id.clone())
        .collect()
}

/// The keys with repeats removed (first one kept); a key without an id is an error, since it
/// could be neither a resource nor a principal.
fn dedup(keys: Vec<AccessKey>) -> Result<Vec<AccessKey>, Error> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        if key.id.is_empty() {
            return Err(Error::new(
                c1_connector_sdk::Code::Unknown,
                format!(
                    "Descope's access key search returned a key without an id (named '{}'); \
                 the connector cannot sync it",
                    key.name
                ),
            )
            .with_retryable(false));
        }
        if seen.insert(key.id.clone()) {
            out.push(key);
        }
    }
    Ok(out)
}

/// The tenant resource id of a key's tenant (for messages).
pub(crate) fn tenant_entitlement_id(tenant_id: &str) -> String {
    format!("tenant:{}:member", tenant_resource_id(tenant_id))
}
