//! Tenant endpoints: `client.tenants()`.

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{
    CreateTenantRequest, DeleteTenantBody, IdEnvelope, SearchTenantsRequest, Tenant,
    TenantsEnvelope, UpdateTenantRequest,
};
use crate::transport::Auth;

/// Tenant endpoints.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// for tenant in client.tenants().all().await? {
///     println!("{} {}", tenant.id, tenant.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Tenants {
    client: Client,
}

impl Client {
    /// Tenant endpoints.
    pub fn tenants(&self) -> Tenants {
        Tenants::new(self.clone())
    }
}

impl Tenants {
    pub(crate) fn new(client: Client) -> Self {
        Tenants { client }
    }

    /// `GET /v1/mgmt/tenant/all` (not paginated).
    pub async fn all(&self) -> Result<Vec<Tenant>, Error> {
        Ok(self
            .client
            .call::<TenantsEnvelope>(Call::get("/v1/mgmt/tenant/all"))
            .await?
            .tenants)
    }

    /// `POST /v1/mgmt/tenant/search`.
    pub async fn search(&self, req: &SearchTenantsRequest) -> Result<Vec<Tenant>, Error> {
        let call = Call::post("/v1/mgmt/tenant/search", req)?.idempotent(true);
        Ok(self.client.call::<TenantsEnvelope>(call).await?.tenants)
    }

    /// `GET /v1/mgmt/tenant?id=` (the tenant comes flat at the root, not wrapped). An answer
    /// without a tenant id, or with another tenant's, is an error naming the base URL.
    pub async fn load(&self, id: &str) -> Result<Tenant, Error> {
        let tenant: Tenant = self
            .client
            .call(Call::get("/v1/mgmt/tenant").query("id", id))
            .await?;
        self.client
            .expect_one(Some(tenant), "GET /v1/mgmt/tenant", Some(id))
    }

    /// `POST /v1/mgmt/tenant/create`; returns the tenant id. Not retried after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let id = client.tenants().create(&descope_mgmt::CreateTenantRequest::new("Acme")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, req: &CreateTenantRequest) -> Result<String, Error> {
        let call = Call::post("/v1/mgmt/tenant/create", req)?;
        let body = self.client.execute(call, Auth::Management).await?;
        // Tolerate an empty answer when the caller chose the id.
        let id = if body.iter().all(u8::is_ascii_whitespace) {
            String::new()
        } else {
            self.client.decode::<IdEnvelope>(&body)?.id
        };
        Ok(if id.is_empty() {
            req.id.clone().unwrap_or_default()
        } else {
            id
        })
    }

    /// `POST /v1/mgmt/tenant/update` (a full override).
    pub async fn update(&self, req: &UpdateTenantRequest) -> Result<(), Error> {
        let call = Call::post("/v1/mgmt/tenant/update", req)?.idempotent(true);
        self.client.call_unit(call).await
    }

    /// `POST /v1/mgmt/tenant/delete`; `cascade` also deletes users that belong only to it.
    pub async fn delete(&self, id: &str, cascade: bool) -> Result<(), Error> {
        let call = Call::post("/v1/mgmt/tenant/delete", &DeleteTenantBody { id, cascade })?
            .idempotent(true);
        self.client.call_unit(call).await
    }
}
