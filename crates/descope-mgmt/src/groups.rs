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

impl Groups {
    pub(crate) fn new(client: Client) -> Self {
        Groups { client }
    }

    async fn post(
        &self,
        path: &'static str,
        body: &impl serde::Serialize,
    ) -> Result<Vec<Group>, Error> {
        let call = Call::post(path, body)?.idempotent(true);
        Ok(self.client.call::<GroupList>(call).await?.0)
    }

    /// `POST /v1/mgmt/group/all`: every group of the tenant.
    pub async fn all(&self, tenant_id: &str) -> Result<Vec<Group>, Error> {
        self.post(
            "/v1/mgmt/group/all",
            &GroupsBody {
                tenant_id,
                sso_id: None,
            },
        )
        .await
    }

    /// `POST /v1/mgmt/group/all` for one SSO configuration of the tenant.
    pub async fn all_for_sso(&self, tenant_id: &str, sso_id: &str) -> Result<Vec<Group>, Error> {
        self.post(
            "/v1/mgmt/group/all",
            &GroupsBody {
                tenant_id,
                sso_id: Some(sso_id),
            },
        )
        .await
    }

    /// `POST /v1/mgmt/group/member/all`: the groups the given users belong to.
    pub async fn for_members(
        &self,
        tenant_id: &str,
        login_ids: &[String],
        user_ids: &[String],
    ) -> Result<Vec<Group>, Error> {
        self.post(
            "/v1/mgmt/group/member/all",
            &GroupsForMembersBody {
                tenant_id,
                login_ids,
                user_ids,
            },
        )
        .await
    }

    /// `POST /v1/mgmt/group/members`: one group with its members.
    pub async fn members(&self, tenant_id: &str, group_id: &str) -> Result<Vec<Group>, Error> {
        self.post(
            "/v1/mgmt/group/members",
            &GroupMembersBody {
                tenant_id,
                group_id,
            },
        )
        .await
    }
}
