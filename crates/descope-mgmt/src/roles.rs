//! Role endpoints: `client.roles()`.

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{
    CreateRoleRequest, DeleteRoleBody, Role, RolesEnvelope, SearchRolesRequest, UpdateRoleRequest,
};

/// Role endpoints. Role names are unique per scope (the project, or one tenant), so update and
/// delete take the tenant id of tenant roles.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// let roles = client.roles().all().await?;
/// let project_roles = roles.iter().filter(|r| !r.is_tenant_role()).count();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Roles {
    client: Client,
}

impl Client {
    /// Role endpoints.
    pub fn roles(&self) -> Roles {
        Roles::new(self.clone())
    }
}

impl Roles {
    pub(crate) fn new(client: Client) -> Self {
        Roles { client }
    }

    /// `GET /v1/mgmt/role/all` (not paginated).
    pub async fn all(&self) -> Result<Vec<Role>, Error> {
        Ok(self
            .client
            .call::<RolesEnvelope>(Call::get("/v1/mgmt/role/all"))
            .await?
            .roles)
    }

    /// `POST /v1/mgmt/role/search`.
    pub async fn search(&self, req: &SearchRolesRequest) -> Result<Vec<Role>, Error> {
        let call = Call::post("/v1/mgmt/role/search", req)?.idempotent(true);
        Ok(self.client.call::<RolesEnvelope>(call).await?.roles)
    }

    /// `POST /v1/mgmt/role/create`. Not retried after a server error.
    pub async fn create(&self, req: &CreateRoleRequest) -> Result<(), Error> {
        self.client
            .call_unit(Call::post("/v1/mgmt/role/create", req)?)
            .await
    }

    /// `POST /v1/mgmt/role/update` (a full override). Retried after a server error only when
    /// the name does not change.
    pub async fn update(&self, req: &UpdateRoleRequest) -> Result<(), Error> {
        let call = Call::post("/v1/mgmt/role/update", req)?.idempotent(req.name == req.new_name);
        self.client.call_unit(call).await
    }

    /// `POST /v1/mgmt/role/delete`; `tenant_id` for a tenant role.
    pub async fn delete(&self, name: &str, tenant_id: Option<&str>) -> Result<(), Error> {
        let call = Call::post("/v1/mgmt/role/delete", &DeleteRoleBody { name, tenant_id })?
            .idempotent(true);
        self.client.call_unit(call).await
    }
}
