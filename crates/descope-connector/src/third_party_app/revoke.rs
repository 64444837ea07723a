//! Revoking a third-party consent grant (see [`crate::consents`]): the whole consent, never a
//! scope widened to it. The grant names the application, the holder (a user, or a tenant for a
//! tenant-level consent) and either the `consent` entitlement or one `scope/<scope>`; a fresh
//! search finds the holder's consents, the ones the grant stands for are deleted by id, and the
//! revoke is reported only when a second fresh search no longer finds them.

use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::GrantAlreadyRevoked;
use c1_connector_sdk::model::{Annotations, Grant};
use descope_mgmt::{Client, Consent, SearchConsentsRequest};

use super::{CONSENT, Holder, SCOPE_PREFIX, holder};
use crate::error::from_descope;
use crate::ids::{decode_component, encode_component};
use crate::kinds::{TENANT_TYPE, THIRD_PARTY_APP_TYPE, USER_TYPE};

/// What a revoke names: the application, the holder, and the whole consent or one scope.
#[derive(Debug)]
pub(crate) struct RevokeRequest {
    app_id: String,
    pub(crate) holder: Holder,
    /// `None`: the `consent` entitlement (every consent of the holder to the app).
    scope: Option<String>,
    entitlement_id: String,
}

impl RevokeRequest {
    pub(crate) fn from_grant(grant: &Grant) -> Result<Self, Error> {
        let entitlement = grant
            .entitlement
            .as_ref()
            .ok_or_else(|| Error::invalid_argument("the grant has no entitlement"))?;
        let app = entitlement
            .resource
            .as_ref()
            .and_then(|r| r.id.as_ref())
            .ok_or_else(|| Error::invalid_argument("the grant's entitlement has no resource"))?;
        if app.resource_type != THIRD_PARTY_APP_TYPE {
            return Err(Error::invalid_argument(format!(
                "'{}' is not an entitlement of a third-party application",
                entitlement.id
            )));
        }
        let app_id =
            decode_component(&app.resource).map_err(|e| Error::invalid_argument(e.to_string()))?;
        let prefix = format!("{THIRD_PARTY_APP_TYPE}:{}:", app.resource);
        let slug = entitlement
            .id
            .strip_prefix(&prefix)
            .unwrap_or(entitlement.slug.as_str());
        let scope = if slug == CONSENT {
            None
        } else if let Some(encoded) = slug.strip_prefix(SCOPE_PREFIX) {
            Some(decode_component(encoded).map_err(|e| Error::invalid_argument(e.to_string()))?)
        } else {
            return Err(Error::invalid_argument(format!(
                "unknown third-party application entitlement '{}': expected '{prefix}{CONSENT}' \
                 or '{prefix}{SCOPE_PREFIX}<scope>'",
                entitlement.id
            )));
        };
        let principal = grant
            .principal
            .as_ref()
            .and_then(|p| p.id.as_ref())
            .ok_or_else(|| Error::invalid_argument("the grant has no principal"))?;
        let raw = decode_component(&principal.resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let holder = match principal.resource_type.as_str() {
            USER_TYPE => Holder::User(raw),
            TENANT_TYPE => Holder::Tenant(raw),
            other => {
                return Err(Error::invalid_argument(format!(
                    "a consent belongs to a user or a tenant, not a '{other}'"
                )));
            }
        };
        Ok(RevokeRequest {
            app_id,
            holder,
            scope,
            entitlement_id: entitlement.id.clone(),
        })
    }

    fn describe_holder(&self) -> String {
        match &self.holder {
            Holder::User(u) => format!("user '{u}'"),
            Holder::Tenant(t) => format!("tenant '{t}' (a tenant-level consent)"),
        }
    }

    /// The search that finds the holder's consents to the application.
    fn search(&self) -> SearchConsentsRequest {
        let req = SearchConsentsRequest::new().app_id(&self.app_id);
        match &self.holder {
            Holder::User(u) => req.user_id(u),
            Holder::Tenant(t) => req.tenant_id(t),
        }
    }

    /// Whether `c` is one of the holder's consents to the application.
    fn owns(&self, c: &Consent) -> bool {
        c.app_id == self.app_id && holder(c).as_ref() == Some(&self.holder)
    }
}

/// The holder's consents to the application, from a fresh search.
async fn current(client: &Client, request: &RevokeRequest) -> Result<Vec<Consent>, Error> {
    let found = client
        .third_party_apps()
        .search_all_consents(request.search())
        .await
        .map_err(|e| {
            from_descope(
                &format!(
                    "searching the consents of {} to third-party application '{}'",
                    request.describe_holder(),
                    request.app_id
                ),
                e,
            )
        })?;
    Ok(found.into_iter().filter(|c| request.owns(c)).collect())
}

/// Deletes the consents the grant stands for, and reports it only when a fresh search no longer
/// finds them. A scope shared with other scopes in one consent is refused, never widened to the
/// whole consent.
pub(crate) async fn revoke(client: &Client, request: &RevokeRequest) -> Result<Annotations, Error> {
    let consents = current(client, request).await?;
    let targets: Vec<&Consent> = match &request.scope {
        None => consents.iter().collect(),
        Some(scope) => consents
            .iter()
            .filter(|c| c.scopes.iter().any(|s| s == scope))
            .collect(),
    };
    if targets.is_empty() {
        let mut annotations = Annotations::default();
        annotations.push(&GrantAlreadyRevoked {});
        return Ok(annotations);
    }
    if let Some(scope) = &request.scope
        && let Some(shared) = targets.iter().find(|c| c.scopes.iter().any(|s| s != scope))
    {
        let others: Vec<&str> = shared
            .scopes
            .iter()
            .filter(|s| *s != scope)
            .map(String::as_str)
            .collect();
        return Err(Error::failed_precondition(format!(
            "revoking only the scope '{scope}' of {}'s consent '{}' to third-party application \
             '{}' is not possible: Descope deletes whole consents, and this one also grants \
             {others:?}. Nothing was changed. To remove the consent with all its scopes, revoke \
             '{THIRD_PARTY_APP_TYPE}:{}:{CONSENT}' for the same principal; the user can then \
             consent again to the scopes it should keep",
            request.describe_holder(),
            shared.id,
            request.app_id,
            encode_component(&request.app_id),
        ))
        .with_retryable(false));
    }
    let ids: Vec<String> = targets.iter().map(|c| c.id.clone()).collect();
    tracing::info!(
        app = %request.app_id,
        principal = %request.describe_holder(),
        entitlement = %request.entitlement_id,
        consents = ?ids,
        "deleting third-party consents"
    );
    let apps = client.third_party_apps();
    let written = match request.holder {
        Holder::User(_) => apps.delete_consents(&ids).await,
        Holder::Tenant(_) => apps.delete_tenant_consents(&ids).await,
    };
    // Always a fresh search: a 2xx does not prove the deletion.
    let left: Vec<String> = match current(client, request).await {
        Ok(now) => now
            .into_iter()
            .filter(|c| ids.contains(&c.id))
            .map(|c| c.id)
            .collect(),
        Err(err) => {
            return Err(match written {
                Err(write) => from_descope(
                    &format!("deleting consents {ids:?} of {}", request.describe_holder()),
                    write,
                ),
                Ok(()) => err.context(format!(
                    "Descope accepted deleting consents {ids:?} of {}, but they could not be \
                     searched again to confirm it",
                    request.describe_holder()
                )),
            });
        }
    };
    if left.is_empty() {
        tracing::info!(
            app = %request.app_id,
            principal = %request.describe_holder(),
            consents = ?ids,
            "third-party consents deleted (confirmed by a fresh search)"
        );
        return Ok(Annotations::default());
    }
    Err(match written {
        Err(write) => from_descope(
            &format!(
                "deleting consents {left:?} of {} to third-party application '{}'",
                request.describe_holder(),
                request.app_id
            ),
            write,
        ),
        Ok(()) => Error::unavailable(format!(
            "Descope accepted deleting consents {left:?} of {} to third-party application '{}', \
             but a fresh search still finds them: the consent was NOT revoked. Retry; if it \
             persists, delete the consent in the Descope console",
            request.describe_holder(),
            request.app_id
        )),
    })
}
