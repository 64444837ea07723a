//! The project's access keys, listed once per sync (they hold roles and tenants, so the
//! assignment index needs them), and what the index reads of a key.
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

use c1_connector_sdk::error::Error;
use c1_connector_sdk::session::SessionStore;
use descope_mgmt::{AccessKey, Client, SearchAccessKeysRequest};

use crate::catalog::Catalog;
use crate::error::from_descope;
use crate::index::Assignments;
use crate::tenant_search::{halving, search_by_tenants};

/// The session key of the sync's access keys.
pub(crate) const KEYS_SESSION_KEY: &str = "descope/access-keys";

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

/// The keys of this sync: from the session when an interrupted run kept them, otherwise from
/// Descope (then kept in the session when it is durable).
pub(crate) async fn sync_keys(
    client: &Client,
    catalog: &Catalog,
    session: &SessionStore,
    counters: &c1_connector_sdk::session::SyncCounters,
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
    counters: &c1_connector_sdk::session::SyncCounters,
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
                c1_connector_sdk::error::Code::Unknown,
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
