//! SSO/SCIM group endpoints: `client.groups()` (read-only).

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{Group, GroupList, GroupMembersBody, GroupsBody, GroupsForMembersBody};

/// The SSO and SCIM groups of a tenant (`source` is `scim` or `jit`).
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// for group in client.groups().all("T1").await? {
///     println!("{} has {} members", group.display, group.members.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Groups {
    client: Client,
}

impl Client {
    /// SSO/SCIM group endpoints (read-only).
    pub fn groups(&self) -> Groups {
        Groups::new(self.clone())
    }
}

impl Groups {
    pub(crate) fn new(client: Client) -> Self {
        Groups { client }
    }

    /// Reads only, so retried after server errors. The answer may be a bare array or
    /// `{"groups": [...]}`; both are accepted.
    async fn post(
        &self,
        path: &'static str,
        tenant_id: &str,
        body: &impl serde::Serialize,
    ) -> Result<Vec<Group>, Error> {
        // Descope requires the tenant; an empty one is a caller bug, refused before sending.
        if tenant_id.is_empty() {
            return Err(Error::InvalidArgument(
                "a tenant id is required to read groups".into(),
            ));
        }
        let call = Call::post(path, body)?.idempotent(true);
        Ok(self.client.call::<GroupList>(call).await?.0)
    }

    /// `POST /v1/mgmt/group/all`: every group of the tenant.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let groups = client.groups().all("T1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn all(&self, tenant_id: &str) -> Result<Vec<Group>, Error> {
        let body = GroupsBody {
            tenant_id,
            sso_id: None,
        };
        self.post("/v1/mgmt/group/all", tenant_id, &body).await
    }

    /// `POST /v1/mgmt/group/all` for one SSO configuration of the tenant (`default_ssoid` is
    /// the tenant's default configuration). An empty `sso_id` is not sent, so it reads every
    /// group like [`Groups::all`]: older backends reject the `ssoId` field altogether.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let groups = client.groups().all_for_sso("T1", "default_ssoid").await?;
    /// # Ok(()) }
    /// ```
    pub async fn all_for_sso(&self, tenant_id: &str, sso_id: &str) -> Result<Vec<Group>, Error> {
        let body = GroupsBody {
            tenant_id,
            sso_id: (!sso_id.is_empty()).then_some(sso_id),
        };
        self.post("/v1/mgmt/group/all", tenant_id, &body).await
    }

    /// `POST /v1/mgmt/group/member/all`: the groups the given users belong to. At least one
    /// login id or user id is required ([`Error::InvalidArgument`] otherwise, nothing sent).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let groups = client.groups().for_members("T1", &[], &["U1".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn for_members(
        &self,
        tenant_id: &str,
        login_ids: &[String],
        user_ids: &[String],
    ) -> Result<Vec<Group>, Error> {
        if login_ids.is_empty() && user_ids.is_empty() {
            return Err(Error::InvalidArgument(
                "groups for members: give at least one login id or user id".into(),
            ));
        }
        self.post(
            "/v1/mgmt/group/member/all",
            tenant_id,
            &GroupsForMembersBody {
                tenant_id,
                login_ids,
                user_ids,
            },
        )
        .await
    }

    /// `POST /v1/mgmt/group/members`: one group with its members.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// for group in client.groups().members("T1", "G1").await? {
    ///     for m in &group.members {
    ///         println!("{} {}", m.user_id, m.login_id);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn members(&self, tenant_id: &str, group_id: &str) -> Result<Vec<Group>, Error> {
        self.post(
            "/v1/mgmt/group/members",
            tenant_id,
            &GroupMembersBody {
                tenant_id,
                group_id,
            },
        )
        .await
    }
}
