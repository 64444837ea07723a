//! The outbound connections of one sync (`--sync-outbound-connections`): which outbound
//! applications each user holds a token for, looked up by the user pages' background walk (one
//! `GET /v1/mgmt/outbound/apps-with-user-token` per user) and, for users the walk did not cover,
//! when the grants are read. The resources, grants and revokes are in the `outbound_app` kind
//! module. No token is ever fetched.

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

/// The applications `user_id` holds a token for; none for a user Descope no longer knows.
pub(crate) async fn lookup(
    client: &Client,
    user_id: &str,
) -> Result<Vec<String>, descope_mgmt::Error> {
    match client
        .outbound_apps()
        .apps_with_user_token(user_id, None)
        .await
    {
        Ok(apps) => Ok(apps),
        // Deleted since it was listed: it holds nothing.
        Err(err) if err.is_not_found() => Ok(Vec::new()),
        Err(err) => Err(err),
    }
}

impl SyncContext {
    /// Looks up the outbound connections of `users` (one request each), when the sync asks for
    /// them; called by the user pages' background walk.
    pub(crate) async fn fetch_connections(&self, users: &[User]) -> Result<(), Error> {
        if !self.pager_config.outbound_connections {
            return Ok(());
        }
        let ids: Vec<String> = users
            .iter()
            .filter(|u| !u.user_id.is_empty())
            .map(|u| u.user_id.clone())
            .collect();
        self.lookup_connections(ids).await
    }

    async fn lookup_connections(&self, ids: Vec<String>) -> Result<(), Error> {
        let mut lookups = futures::stream::iter(ids)
            .map(|id| {
                let client = self.client.clone();
                async move {
                    let result = lookup(&client, &id).await;
                    (id, result)
                }
            })
            .buffer_unordered(LOOKUPS_IN_FLIGHT);
        while let Some((id, result)) = lookups.next().await {
            self.counters.add("outbound connection requests", 1);
            let apps = result.map_err(|e| {
                from_descope(
                    &format!(
                        "looking up the outbound applications user '{id}' is connected to, for \
                         --sync-outbound-connections (turn it off to sync without them)"
                    ),
                    e,
                )
            })?;
            self.outbound.store(id, apps);
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
                let users: Vec<(String, String, String)> = {
                    let index = self.index();
                    (0u32..)
                        .map_while(|n| index.user(n))
                        .filter(|e| e.kind == PrincipalKind::User)
                        .filter_map(|e| {
                            let id = decode_component(e.resource_id).ok()?;
                            Some((id, e.resource_id.to_owned(), e.display_name.to_owned()))
                        })
                        .collect()
                };
                let missing: Vec<String> = users
                    .iter()
                    .map(|(id, _, _)| id)
                    .filter(|id| !self.outbound.has(id))
                    .cloned()
                    .collect();
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
                for (id, resource_id, name) in users {
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
