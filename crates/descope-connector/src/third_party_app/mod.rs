//! Third-party (inbound) applications and the consents users and tenants gave them.
//!
//! Each application registered in Descope for another party to sign users in with OAuth is a
//! `third_party_app` resource. Its entitlements:
//!
//! - `consent`: "has consented to this application", one grant per principal (a user, or a
//!   tenant for a tenant-level consent), whatever the scopes; the grant's `GrantMetadata`
//!   carries the consent ids, every scope, who granted it, the tenant and the times;
//! - `scope/<scope>`: one per scope, the application's declared permission and attribute scopes
//!   and any other scope a consent names; a grant per principal holding the scope in one of
//!   its consents.
//!
//! So a reviewer sees both "who consented to Analytics Bot" and "who gave Analytics Bot the
//! `admin` scope" (see the crate README's model table for the cost).
//!
//! Consents are searched once per sync (`consents/search`, paged, 100 a page) and read from
//! memory for every application. Grants are never made: Descope records a consent when the user
//! (or a tenant administrator) approves the application in its OAuth flow, and the Management
//! API has no call that creates one. A revoke deletes whole consents by id and is reported done
//! only when a fresh search no longer finds them ([`revoke`]); a scope that shares its consent
//! with other scopes is never revoked (Descope cannot remove one scope of a consent).

mod revoke;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    Annotations, AppTrait, Entitlement, Grant, GrantMetadata, Resource, ResourceId, ResourceType,
    Trait,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::{Consent, SearchConsentsRequest, ThirdPartyApp};
use serde_json::{Map, Value, json};
use tokio::sync::OnceCell;

use crate::context::SyncContext;
use crate::error::from_descope;
use crate::ids::{decode_component, encode_component, tenant_resource_id, user_resource_id};
use crate::kinds::{
    TENANT_TYPE, THIRD_PARTY_APP_TYPE, USER_TYPE, for_grants, reference, tenant_type, user_type,
};
use crate::principal_lock::PrincipalKey;
use crate::provisioner::DescopeProvisioner;

/// Slug of a third-party application's "has consented" entitlement.
pub const CONSENT: &str = "consent";
/// Prefix of the slug of a third-party application's scope entitlements (`scope/<scope>`).
pub const SCOPE_PREFIX: &str = "scope/";

/// The `third_party_app` resource type.
pub(crate) fn third_party_app_type() -> ResourceType {
    ResourceType::new(THIRD_PARTY_APP_TYPE, "Third-party application")
        .with_trait(Trait::App)
        .with_description(
            "An application other parties sign users in to through Descope (OAuth); its 'consent' \
             entitlement is held by the users (and tenants) that consented to it, and each \
             'scope/<scope>' entitlement by those whose consent grants that scope",
        )
}

/// What one sync read: the applications and every consent, once.
#[derive(Debug, Default)]
pub(crate) struct ThirdPartyData {
    apps: Vec<ThirdPartyApp>,
    /// Consents by application id.
    consents: BTreeMap<String, Vec<Consent>>,
}

/// Third-party applications and their consents (`GET /v1/mgmt/thirdparty/apps/load`,
/// `POST /v1/mgmt/thirdparty/consents/search`).
#[derive(Debug)]
pub(crate) struct ThirdPartyAppSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    pub(crate) provisioner: DescopeProvisioner,
    data: OnceCell<Arc<ThirdPartyData>>,
}

impl ThirdPartyAppSyncer {
    pub(crate) fn new(ctx: Arc<SyncContext>, provisioner: DescopeProvisioner) -> Self {
        ThirdPartyAppSyncer {
            ctx,
            provisioner,
            data: OnceCell::new(),
        }
    }

    /// The applications and consents, fetched on first use, pinned for a resumed sync.
    async fn data(&self) -> Result<Arc<ThirdPartyData>, Error> {
        self.data
            .get_or_try_init(|| async {
                let client = &self.ctx.client;
                let counters = &self.ctx.counters;
                let hint =
                    "(to sync without them, leave 'third_party_app' out of --sync-resource-types)";
                let apps = client.third_party_apps().all().await.map_err(|e| {
                    from_descope(&format!("loading the third-party applications {hint}"), e)
                })?;
                counters.add("third-party application requests", 1);
                let consents = client
                    .third_party_apps()
                    .search_all_consents(SearchConsentsRequest::new())
                    .await
                    .map_err(|e| {
                        from_descope(&format!("searching third-party consents {hint}"), e)
                    })?;
                let mut seen = BTreeSet::new();
                let apps: Vec<ThirdPartyApp> = apps
                    .into_iter()
                    .filter(|a| !a.id.is_empty() && seen.insert(a.id.clone()))
                    .collect();
                let mut by_app: BTreeMap<String, Vec<Consent>> = BTreeMap::new();
                for c in consents.into_iter().filter(|c| !c.app_id.is_empty()) {
                    by_app.entry(c.app_id.clone()).or_default().push(c);
                }
                counters.set("third-party applications synced", apps.len() as u64);
                counters.set(
                    "third-party consents synced",
                    by_app.values().map(|v| v.len() as u64).sum(),
                );
                crate::resume::pin(
                    &self.ctx.session,
                    "third-party applications",
                    &crate::resume::digest(&apps),
                )
                .await?;
                let ids: Vec<(&str, &[String])> = by_app
                    .values()
                    .flatten()
                    .map(|c| (c.id.as_str(), c.scopes.as_slice()))
                    .collect();
                crate::resume::pin(
                    &self.ctx.session,
                    "third-party consents",
                    &crate::resume::digest(&ids),
                )
                .await?;
                Ok(Arc::new(ThirdPartyData {
                    apps,
                    consents: by_app,
                }))
            })
            .await
            .cloned()
            .map_err(Error::in_shared_state)
    }
}

/// A `third_party_app` resource; `listed` is false for an application known only from
/// consents (deleted since, or missing from the listing).
fn app_resource(id: &str, app: Option<&ThirdPartyApp>) -> Resource {
    let mut profile = Map::new();
    profile.insert("appId".into(), json!(id));
    let mut name = id.to_owned();
    let mut description = String::new();
    match app {
        Some(app) => {
            if !app.name.is_empty() {
                name.clone_from(&app.name);
            }
            description.clone_from(&app.description);
            if !app.client_id.is_empty() {
                profile.insert("clientId".into(), json!(app.client_id));
            }
            if !app.login_page_url.is_empty() {
                profile.insert("loginPageUrl".into(), json!(app.login_page_url));
            }
            if !app.approved_callback_urls.is_empty() {
                profile.insert(
                    "approvedCallbackUrls".into(),
                    json!(app.approved_callback_urls),
                );
            }
            let scopes: Vec<&str> = app.scopes().map(|s| s.name.as_str()).collect();
            profile.insert("scopes".into(), json!(scopes));
        }
        None => {
            profile.insert("listed".into(), json!(false));
            description = "Named by consents, but not returned by Descope's application listing \
                           (deleted since?)"
                .to_owned();
        }
    }
    if !description.is_empty() {
        profile.insert("description".into(), json!(description));
    }
    let mut resource = Resource::new(THIRD_PARTY_APP_TYPE, user_resource_id(id), name)
        .with_profile(profile)
        .with_app_trait(AppTrait::new());
    if !description.is_empty() {
        resource = resource.with_description(description);
    }
    resource
}

/// `third_party_app:<id>:consent`.
fn consent_entitlement(app: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(app), CONSENT)
        .with_display_name(format!("{} consent", app.display_name))
        .with_description(format!(
            "Consented to the third-party application '{}' (any scope; the grant lists them). \
             Revoking deletes the consent",
            app.display_name
        ))
        .with_grantable_to(&[user_type(), tenant_type()])
}

/// `third_party_app:<id>:scope/<scope>`.
fn scope_entitlement(app: &Resource, scope: &str, description: &str) -> Entitlement {
    let mut text = format!(
        "Granted the scope '{scope}' to the third-party application '{}'. Revoking deletes the \
         consent, and is refused when the consent holds other scopes too",
        app.display_name
    );
    if !description.is_empty() {
        text = format!("{description}. {text}");
    }
    Entitlement::assignment(
        &reference(app),
        &format!("{SCOPE_PREFIX}{}", encode_component(scope)),
    )
    .with_display_name(format!("{} scope {scope}", app.display_name))
    .with_description(text)
    .with_grantable_to(&[user_type(), tenant_type()])
}

/// The scopes of an application's entitlements: those it declares (with their descriptions),
/// then any other that a consent names, sorted.
fn scopes_of<'a>(
    app: Option<&'a ThirdPartyApp>,
    consents: &'a [Consent],
) -> Vec<(&'a str, &'a str)> {
    let mut out: BTreeMap<&str, &str> = BTreeMap::new();
    if let Some(app) = app {
        for s in app.scopes().filter(|s| !s.name.is_empty()) {
            out.entry(s.name.as_str()).or_insert(s.description.as_str());
        }
    }
    for s in consents.iter().flat_map(|c| &c.scopes) {
        if !s.is_empty() {
            out.entry(s.as_str()).or_insert("");
        }
    }
    out.into_iter().collect()
}

/// Who a consent belongs to: a user, or a tenant for a tenant-level consent (no user).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Holder {
    User(String),
    Tenant(String),
}

pub(crate) fn holder(c: &Consent) -> Option<Holder> {
    if !c.user_id.is_empty() {
        Some(Holder::User(c.user_id.clone()))
    } else if !c.tenant_id.is_empty() {
        Some(Holder::Tenant(c.tenant_id.clone()))
    } else {
        None
    }
}

/// The grant metadata of the consents a grant stands for.
fn consents_metadata(consents: &[&Consent]) -> prost_types::Any {
    let list: Vec<Value> = consents
        .iter()
        .map(|c| {
            let mut m = Map::new();
            m.insert("consentId".into(), json!(c.id));
            m.insert("scopes".into(), json!(c.scopes));
            if !c.granted_by.is_empty() {
                m.insert("grantedBy".into(), json!(c.granted_by));
            }
            if !c.tenant_id.is_empty() {
                m.insert("tenantId".into(), json!(c.tenant_id));
            }
            if c.created_time != 0 {
                m.insert("createdTime".into(), json!(c.created_time));
            }
            if c.expire_time != 0 {
                m.insert("expireTime".into(), json!(c.expire_time));
            }
            Value::Object(m)
        })
        .collect();
    let mut metadata = Map::new();
    metadata.insert("consents".into(), Value::Array(list));
    c1_connector_sdk::model::pack(&GrantMetadata {
        metadata: Some(c1_connector_sdk::model::json_object_to_struct(metadata)),
    })
}

fn annotated(mut grant: Grant, any: prost_types::Any) -> Grant {
    grant.annotations.push(any);
    grant
}

#[async_trait]
impl ResourceSyncer for ThirdPartyAppSyncer {
    fn resource_type(&self) -> ResourceType {
        third_party_app_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let data = self.data().await?;
        let mut out: Vec<Resource> = data
            .apps
            .iter()
            .map(|a| app_resource(&a.id, Some(a)))
            .collect();
        // Every access shows up: an application that only consents name is synced too.
        for id in data.consents.keys() {
            if !data.apps.iter().any(|a| &a.id == id) {
                out.push(app_resource(id, None));
            }
        }
        Ok(Page::last(out))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        let data = self.data().await?;
        let id = decode_component(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let app = data.apps.iter().find(|a| a.id == id);
        let consents = data.consents.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let mut out = vec![consent_entitlement(resource)];
        out.extend(
            scopes_of(app, consents)
                .into_iter()
                .map(|(s, d)| scope_entitlement(resource, s, d)),
        );
        Ok(Page::last(out))
    }

    async fn grants(&self, resource: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        let data = self.data().await?;
        let id = decode_component(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let Some(consents) = data.consents.get(&id) else {
            return Ok(Page::last(Vec::new()));
        };
        self.ctx.ensure_index().await?;
        let catalog = self.ctx.catalog().await?;
        let app = data.apps.iter().find(|a| a.id == id);
        // Consents by holder, holders only when synced (a user of the index, a listed tenant).
        let mut by_holder: BTreeMap<Holder, Vec<&Consent>> = BTreeMap::new();
        let mut skipped = 0u64;
        for c in consents {
            match holder(c) {
                Some(h) => by_holder.entry(h).or_default().push(c),
                None => skipped += 1,
            }
        }
        let mut principals: Vec<(Holder, Resource, Vec<&Consent>)> = Vec::new();
        {
            let index = self.ctx.index();
            for (h, cs) in by_holder {
                let principal = match &h {
                    Holder::User(u) => index.user_entry(u).map(|e| {
                        Resource::new(
                            USER_TYPE,
                            e.resource_id.to_owned(),
                            e.display_name.to_owned(),
                        )
                    }),
                    Holder::Tenant(t) => catalog.tenant(t).map(|tenant| {
                        let name = if tenant.name.is_empty() {
                            t
                        } else {
                            &tenant.name
                        };
                        Resource::new(TENANT_TYPE, tenant_resource_id(t), name.clone())
                    }),
                };
                match principal {
                    Some(p) => principals.push((h, p, cs)),
                    None => skipped += cs.len() as u64,
                }
            }
        }
        if skipped > 0 {
            // A consent of a deleted user, a test user left out, or a tenant no listing returned.
            self.ctx
                .counters
                .add("consents of principals not synced", skipped);
        }
        let consent = for_grants(&consent_entitlement(resource));
        let scopes = scopes_of(app, consents);
        let scope_entitlements: Vec<(&str, Entitlement)> = scopes
            .iter()
            .map(|(s, d)| (*s, for_grants(&scope_entitlement(resource, s, d))))
            .collect();
        let mut grants = Vec::new();
        for (_, principal, cs) in &principals {
            grants.push(annotated(
                Grant::new(&consent, principal),
                consents_metadata(cs),
            ));
            for (scope, entitlement) in &scope_entitlements {
                let holding: Vec<&Consent> = cs
                    .iter()
                    .copied()
                    .filter(|c| c.scopes.iter().any(|s| s == scope))
                    .collect();
                if !holding.is_empty() {
                    grants.push(annotated(
                        Grant::new(entitlement, principal),
                        consents_metadata(&holding),
                    ));
                }
            }
        }
        Ok(Page::last(grants))
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}

#[async_trait]
impl Provisioner for ThirdPartyAppSyncer {
    /// Refused: Descope records a consent only when the user (or a tenant administrator)
    /// approves the application in its OAuth flow.
    async fn grant(&self, _: &Resource, entitlement: &Entitlement) -> Result<Annotations, Error> {
        Err(Error::failed_precondition(format!(
            "'{}' cannot be granted: Descope records a consent to a third-party application only \
             when the user (or a tenant administrator) approves the application in its OAuth \
             sign-in flow, and the Management API has no call that creates one. Ask the user to \
             sign in to the application",
            entitlement.id
        ))
        .with_retryable(false))
    }

    async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
        let request = revoke::RevokeRequest::from_grant(grant)?;
        let _held = match &request.holder {
            Holder::User(u) => Some(self.provisioner.lock(PrincipalKey::User(u.clone())).await),
            Holder::Tenant(_) => None,
        };
        revoke::revoke(self.provisioner.client(), &request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(id: &str, user: &str, tenant: &str, scopes: &[&str]) -> Consent {
        serde_json::from_value(json!({
            "id": id, "appId": "TPA1", "userId": user, "tenantId": tenant,
            "scopes": scopes,
        }))
        .expect("a consent")
    }

    #[test]
    fn scopes_are_declared_then_found_on_consents() {
        let consents = [
            consent("C1", "U1", "", &["read", "extra"]),
            consent("C2", "", "T1", &["read"]),
        ];
        let scopes: Vec<&str> = scopes_of(None, &consents)
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(scopes, ["extra", "read"]);
        assert_eq!(holder(&consents[1]), Some(Holder::Tenant("T1".into())));
        assert_eq!(holder(&consent("C3", "", "", &[])), None);
    }
}
