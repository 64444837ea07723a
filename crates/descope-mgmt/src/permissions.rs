//! Permission endpoints: `client.permissions()`.

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{Permission, PermissionBody, PermissionsEnvelope};

/// Permission endpoints.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// client.permissions().create("read", "Read things").await?;
/// let all = client.permissions().all().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Permissions {
    client: Client,
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

impl Client {
    /// Permission endpoints.
    pub fn permissions(&self) -> Permissions {
        Permissions::new(self.clone())
    }
}

impl Permissions {
    pub(crate) fn new(client: Client) -> Self {
        Permissions { client }
    }

    /// `GET /v1/mgmt/permission/all`.
    pub async fn all(&self) -> Result<Vec<Permission>, Error> {
        Ok(self
            .client
            .call::<PermissionsEnvelope>(Call::get("/v1/mgmt/permission/all"))
            .await?
            .permissions)
    }

    /// `POST /v1/mgmt/permission/create` (an empty description is not sent). Not retried after
    /// a server error.
    pub async fn create(&self, name: &str, description: &str) -> Result<(), Error> {
        let body = PermissionBody {
            name,
            new_name: None,
            description: non_empty(description),
        };
        self.client
            .call_unit(Call::post("/v1/mgmt/permission/create", &body)?)
            .await
    }

    /// `POST /v1/mgmt/permission/update` (a full override: the description is replaced).
    /// Retried after a server error only when the name does not change.
    pub async fn update(&self, name: &str, new_name: &str, description: &str) -> Result<(), Error> {
        let body = PermissionBody {
            name,
            new_name: Some(new_name),
            description: non_empty(description),
        };
        let call = Call::post("/v1/mgmt/permission/update", &body)?.idempotent(name == new_name);
        self.client.call_unit(call).await
    }

    /// `POST /v1/mgmt/permission/delete`.
    pub async fn delete(&self, name: &str) -> Result<(), Error> {
        let body = PermissionBody {
            name,
            new_name: None,
            description: None,
        };
        let call = Call::post("/v1/mgmt/permission/delete", &body)?.idempotent(true);
        self.client.call_unit(call).await
    }
}
