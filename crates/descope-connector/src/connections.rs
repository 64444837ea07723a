//! The outbound connections of one sync (`--sync-outbound-connections`): which outbound
//! applications each user holds a token for, looked up by the user pages' background walk and,
//! for users the walk did not cover, when the grants are read. The resources, grants and revokes
//! are in the `outbound_app` kind module. No token is ever fetched.
//!
//! # Tokens tied to a tenant
//!
//! A user can hold a token for an application within a tenant (the official SDKs' uploads take
//! an optional `tenantId` "to associate different keys for the same user in different
//! tenants"). Whether `GET /v1/mgmt/outbound/apps-with-user-token?userId=` without `tenantId`
//! lists those is unverified; with `tenantId` it "scopes the lookup to tokens associated with
//! that tenant". So each user is looked up in every [`Scope`]: once without a tenant and once
//! within each tenant the user is a member of, and an application listed by any of the answers
//! is a connection. Under either reading every token tied to no tenant or to one of the user's
//! tenants is found, at **1 + (the user's tenants)** requests per user.
//!
//! No cheaper plan is correct under both readings: an application in the answer without a
//! tenant may come from a token tied to no tenant, so no answer proves that the lookup counts
//! tenants' tokens, and the per-tenant lookups cannot be skipped on its evidence (they could be
//! only for a user the answer already shows connected to every application, which is rare).
//! Asking only within tenants would miss the tokens tied to none under the other reading.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use c1_connector_sdk::error::Error;
use descope_mgmt::{Client, User};
use futures::StreamExt;

use crate::context::{Connections, Holders, SyncContext};
use crate::error::from_descope;
use crate::ids::decode_component;
use crate::index::PrincipalKind;

/// `apps-with-user-token` lookups of one user page in flight at once (the client's concurrency
/// limit and rate limiter bound the total).
const LOOKUPS_IN_FLIGHT: usize = 16;

/// Where one `apps-with-user-token` lookup looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Without `tenantId`: the tokens tied to no tenant (and, under one reading, all of them).
    Untenanted,
    /// With `tenantId`: the tokens tied to this tenant.
    Tenant(String),
}

impl Scope {
    /// The lookups that find every connection of a user who is a member of `tenants`: without a
    /// tenant first, then each distinct tenant once.
    pub(crate) fn all_of<'a>(tenants: impl IntoIterator<Item = &'a str>) -> Vec<Scope> {
        let mut seen = BTreeSet::new();
        std::iter::once(Scope::Untenanted)
            .chain(
                tenants
                    .into_iter()
                    .filter(|t| !t.is_empty() && seen.insert(*t))
                    .map(|t| Scope::Tenant(t.to_owned())),
            )
            .collect()
    }

    fn tenant_id(&self) -> Option<&str> {
        match self {
            Scope::Untenanted => None,
            Scope::Tenant(t) => Some(t),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Untenanted => f.write_str("without a tenant"),
            Scope::Tenant(t) => write!(f, "within tenant '{t}'"),
        }
    }
}

impl Connections {
    fn store(&self, user_id: String, apps: Vec<String>) {
        self.by_user
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(user_id, apps);
    }

    fn has(&self, user_id: &str) -> bool {
        self.by_user
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains_key(user_id)
    }
}

/// The applications `user_id` holds a token for in `scope`; none for a user (or tenant)
/// Descope no longer knows.
pub(crate) async fn lookup(
    client: &Client,
    user_id: &str,
    scope: &Scope,
) -> Result<Vec<String>, descope_mgmt::Error> {
    match client
        .outbound_apps()
        .apps_with_user_token(user_id, scope.tenant_id())
        .await
    {
        Ok(apps) => Ok(apps),
        // Deleted since it was listed: it holds nothing.
        Err(err) if err.is_not_found() => Ok(Vec::new()),
        Err(err) => Err(err),
    }
}

/// The first of `scopes` in which Descope lists `app_id` for `user_id`; `None` when none does.
/// Every scope is asked (16 at a time), so a revoke's cost does not depend on which answers
/// first: one request per scope.
pub(crate) async fn listed_in(
    client: &Client,
    user_id: &str,
    app_id: &str,
    scopes: &[Scope],
) -> Result<Option<Scope>, descope_mgmt::Error> {
    let answers: Vec<(Scope, Result<Vec<String>, descope_mgmt::Error>)> =
        futures::stream::iter(scopes.to_vec())
            .map(|scope| {
                let (client, user_id) = (client.clone(), user_id.to_owned());
                async move {
                    let apps = lookup(&client, &user_id, &scope).await;
                    (scope, apps)
                }
            })
            .buffered(LOOKUPS_IN_FLIGHT)
            .collect()
            .await;
    for (scope, apps) in answers {
        if apps?.iter().any(|a| a == app_id) {
            return Ok(Some(scope));
        }
    }
    Ok(None)
}

impl SyncContext {
    /// Looks up the outbound connections of `users` (1 + their tenants requests each), when
    /// the sync asks for them; called by the user pages' background walk.
    pub(crate) async fn fetch_connections(&self, users: &[User]) -> Result<(), Error> {
        if !self.pager_config.outbound_connections {
            return Ok(());
        }
        let wanted: Vec<(String, Vec<Scope>)> = users
            .iter()
            .filter(|u| !u.user_id.is_empty())
            .map(|u| {
                let tenants = u.user_tenants.iter().map(|t| t.tenant_id.as_str());
                (u.user_id.clone(), Scope::all_of(tenants))
            })
            .collect();
        self.lookup_connections(wanted).await
    }

    /// Looks each user up in each of its scopes, and stores the applications listed by any
    /// (each once) when every lookup of the batch has answered.
    async fn lookup_connections(&self, users: Vec<(String, Vec<Scope>)>) -> Result<(), Error> {
        let mut found: Vec<BTreeSet<String>> = vec![BTreeSet::new(); users.len()];
        {
            // Owned, so the walk's future stays `Send` (borrowed items trip the compiler's
            // higher-ranked lifetime check inside `tokio::spawn`).
            let requests: Vec<(usize, String, Scope)> = users
                .iter()
                .enumerate()
                .flat_map(|(i, (id, scopes))| {
                    scopes.iter().map(move |s| (i, id.clone(), s.clone()))
                })
                .collect();
            let mut lookups = futures::stream::iter(requests)
                .map(|(i, id, scope)| {
                    let client = self.client.clone();
                    async move {
                        let result = lookup(&client, &id, &scope).await;
                        (i, id, scope, result)
                    }
                })
                .buffer_unordered(LOOKUPS_IN_FLIGHT);
            while let Some((i, id, scope, result)) = lookups.next().await {
                self.counters.add("outbound connection requests", 1);
                let apps = result.map_err(|e| {
                    from_descope(
                        &format!(
                            "looking up the outbound applications user '{id}' is connected to                              {scope}, for --sync-outbound-connections (turn it off to sync                              without them)"
                        ),
                        e,
                    )
                })?;
                found[i].extend(apps);
            }
        }
        for ((id, _), apps) in users.into_iter().zip(found) {
            self.outbound.store(id, apps.into_iter().collect());
        }
        Ok(())
    }

    /// The holders of each outbound application: every user of the (complete) index, with the
    /// users the walk did not cover looked up now.
    pub(crate) async fn connection_holders(&self) -> Result<Arc<Holders>, Error> {
        self.outbound
            .holders
            .get_or_try_init(|| async {
                self.ensure_index().await?;
                let (users, missing) = {
                    let index = self.index();
                    let users: Vec<(u32, String, String, String)> = (0u32..)
                        .map_while(|n| index.user(n).map(|e| (n, e)))
                        .filter(|(_, e)| e.kind == PrincipalKind::User)
                        .filter_map(|(n, e)| {
                            let id = decode_component(e.resource_id).ok()?;
                            Some((n, id, e.resource_id.to_owned(), e.display_name.to_owned()))
                        })
                        .collect();
                    let mut missing = Vec::new();
                    let mut memberships = None;
                    for (n, id, _, _) in &users {
                        if self.outbound.has(id) {
                            continue;
                        }
                        // The tenants the user records gave, as the listing's lookups use.
                        let tenants = memberships.get_or_insert_with(|| index.memberships());
                        let of_user = tenants.get(n).map(Vec::as_slice).unwrap_or_default();
                        missing.push((id.clone(), Scope::all_of(of_user.iter().copied())));
                    }
                    (users, missing)
                };
                if !missing.is_empty() {
                    tracing::info!(
                        users = missing.len(),
                        "looking up the outbound connections of users listed by another process (resumed sync)"
                    );
                    self.lookup_connections(missing).await?;
                }
                let by_user = self
                    .outbound
                    .by_user
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut holders = Holders::new();
                for (_, id, resource_id, name) in users {
                    for app in by_user.get(&id).into_iter().flatten() {
                        holders
                            .entry(app.clone())
                            .or_default()
                            .push((resource_id.clone(), name.clone()));
                    }
                }
                Ok(Arc::new(holders))
            })
            .await
            .cloned()
            .map_err(Error::in_shared_state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_looked_up_without_a_tenant_then_once_in_each_of_its_tenants() {
        assert_eq!(Scope::all_of([]), [Scope::Untenanted]);
        assert_eq!(
            Scope::all_of(["T1", "", "T2", "T1"]),
            [
                Scope::Untenanted,
                Scope::Tenant("T1".into()),
                Scope::Tenant("T2".into())
            ]
        );
        assert_eq!(Scope::Untenanted.to_string(), "without a tenant");
        assert_eq!(Scope::Tenant("T1".into()).to_string(), "within tenant 'T1'");
    }
}
