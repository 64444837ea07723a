//! User endpoints: `client.users()`.

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{
    CreateUserRequest, LoginIdBody, PatchUserRequest, RolesBody, SearchUsersRequest, StatusBody,
    TenantBody, UpdateUserRequest, User, UserEnvelope, UserIdsBody, UserPage, UserStatusUpdate,
    UsersEnvelope,
};
use crate::transport::EndpointClass;

/// User endpoints. Every method that names a user takes a login id or a user id: Descope
/// accepts either in the `loginId` field.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// let user = client.users().load("jane@acme.io").await?;
/// client.users().add_roles(&user.user_id, &["viewer".into()], Some("T1")).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Users {
    client: Client,
}

impl Client {
    /// User endpoints.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }
}

impl Users {
    pub(crate) fn new(client: Client) -> Self {
        Users { client }
    }

    /// The client, for the lifecycle endpoints in `users_lifecycle.rs` and the pager.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Sends a call answered with `{"user": {...}}` and returns that user: present, with a user
    /// id, and (with `asked`) the user asked for by login id or user id. Anything else is an
    /// error naming the base URL (see `answer.rs`).
    pub(crate) async fn one(
        &self,
        call: Call,
        endpoint: &str,
        asked: Option<&str>,
    ) -> Result<User, Error> {
        let envelope: UserEnvelope = self.client.call(call).await?;
        self.client.expect_one(envelope.user, endpoint, asked)
    }

    /// `POST /v2/mgmt/user/search`: one page of users matching `req`, with the total count.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::SearchUsersRequest;
    /// let page = client.users().search(&SearchUsersRequest::new().tenant_ids(["T1"]).limit(100)).await?;
    /// println!("{} of {}", page.users.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn search(&self, req: &SearchUsersRequest) -> Result<UserPage, Error> {
        let call = Call::post("/v2/mgmt/user/search", req)?
            .idempotent(true)
            .class(EndpointClass::UserSearchUpdate);
        self.client.call(call).await
    }

    /// `POST /v2/mgmt/user/search/test`: like [`Users::search`], for test users only.
    pub async fn search_test_users(&self, req: &SearchUsersRequest) -> Result<UserPage, Error> {
        let mut req = req.clone();
        req.with_test_user = Some(true);
        req.test_users_only = Some(true);
        let call = Call::post("/v2/mgmt/user/search/test", &req)?
            .idempotent(true)
            .class(EndpointClass::UserSearchUpdate);
        self.client.call(call).await
    }

    /// `GET /v1/mgmt/user?loginId=`: loads one user by login id (a user id works too).
    pub async fn load(&self, login_id_or_user_id: &str) -> Result<User, Error> {
        let call = Call::get("/v1/mgmt/user").query("loginId", login_id_or_user_id);
        self.one(call, "GET /v1/mgmt/user", Some(login_id_or_user_id))
            .await
    }

    /// `GET /v1/mgmt/user?userId=`: loads one user by user id.
    pub async fn load_by_user_id(&self, user_id: &str) -> Result<User, Error> {
        let call = Call::get("/v1/mgmt/user").query("userId", user_id);
        self.one(call, "GET /v1/mgmt/user", Some(user_id)).await
    }

    /// `POST /v1/mgmt/users/load`: loads several users by user id.
    pub async fn load_many(&self, user_ids: &[String]) -> Result<Vec<User>, Error> {
        let call = Call::post("/v1/mgmt/users/load", &UserIdsBody { user_ids })?.idempotent(true);
        Ok(self.client.call::<UsersEnvelope>(call).await?.users)
    }

    /// `POST /v1/mgmt/user/create`. Not retried after a server error (it may have been applied).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::{AssociatedTenant, CreateUserRequest};
    /// let user = client.users().create(
    ///     &CreateUserRequest::new("jane@acme.io")
    ///         .email("jane@acme.io")
    ///         .user_tenants(vec![AssociatedTenant::new("T1", ["viewer"])]),
    /// ).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, req: &CreateUserRequest) -> Result<User, Error> {
        let call = Call::post("/v1/mgmt/user/create", req)?;
        self.one(call, "/v1/mgmt/user/create", None).await
    }

    /// `POST /v1/mgmt/user/update`: replaces all the user's fields with `req`'s. To change a
    /// few fields of a loaded user without clearing the others, start from
    /// [`UpdateUserRequest::from_user`], or use [`Users::patch`].
    pub async fn update(&self, req: &UpdateUserRequest) -> Result<User, Error> {
        let call = Call::post("/v1/mgmt/user/update", req)?
            .idempotent(true)
            .class(EndpointClass::UserSearchUpdate);
        self.one(call, "/v1/mgmt/user/update", Some(&req.login_id))
            .await
    }

    /// `PATCH /v1/mgmt/user/patch`: changes only the fields set in `req`.
    pub async fn patch(&self, req: &PatchUserRequest) -> Result<User, Error> {
        let call = Call::patch("/v1/mgmt/user/patch", req)?.idempotent(true);
        self.one(call, "/v1/mgmt/user/patch", Some(&req.login_id))
            .await
    }

    /// `POST /v1/mgmt/user/delete`. Retried after server errors, so a repeat may answer 404
    /// when the first attempt went through.
    pub async fn delete(&self, login_id_or_user_id: &str) -> Result<(), Error> {
        let call = Call::post(
            "/v1/mgmt/user/delete",
            &LoginIdBody {
                login_id: login_id_or_user_id,
            },
        )?
        .idempotent(true);
        self.client.call_unit(call).await
    }

    /// `POST /v1/mgmt/user/update/status`: enables or disables the user. Only `enabled` and
    /// `disabled` can be set (the other statuses follow from invitations), so the status is a
    /// [`UserStatusUpdate`].
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::UserStatusUpdate;
    /// let user = client.users().update_status("jane@acme.io", UserStatusUpdate::Disabled).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_status(
        &self,
        login_id_or_user_id: &str,
        status: UserStatusUpdate,
    ) -> Result<User, Error> {
        let body = StatusBody {
            login_id: login_id_or_user_id,
            status: status.as_str(),
        };
        let call = Call::post("/v1/mgmt/user/update/status", &body)?.idempotent(true);
        self.one(
            call,
            "/v1/mgmt/user/update/status",
            Some(login_id_or_user_id),
        )
        .await
    }

    async fn roles(
        &self,
        path: &'static str,
        login_id_or_user_id: &str,
        role_names: &[String],
        tenant_id: Option<&str>,
    ) -> Result<User, Error> {
        let body = RolesBody {
            login_id: login_id_or_user_id,
            role_names,
            tenant_id,
        };
        let call = Call::post(path, &body)?.idempotent(true);
        self.one(call, path, Some(login_id_or_user_id)).await
    }

    /// `POST /v2/mgmt/user/update/role/add`: adds roles (project roles when `tenant_id` is
    /// `None`); with a tenant, also adds the tenant membership if it is missing.
    pub async fn add_roles(
        &self,
        login_id_or_user_id: &str,
        role_names: &[String],
        tenant_id: Option<&str>,
    ) -> Result<User, Error> {
        self.roles(
            "/v2/mgmt/user/update/role/add",
            login_id_or_user_id,
            role_names,
            tenant_id,
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/role/add`: like [`Users::add_roles`], but the user must
    /// already be a member of `tenant_id`.
    pub async fn add_roles_v1(
        &self,
        login_id_or_user_id: &str,
        role_names: &[String],
        tenant_id: Option<&str>,
    ) -> Result<User, Error> {
        self.roles(
            "/v1/mgmt/user/update/role/add",
            login_id_or_user_id,
            role_names,
            tenant_id,
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/role/remove`.
    pub async fn remove_roles(
        &self,
        login_id_or_user_id: &str,
        role_names: &[String],
        tenant_id: Option<&str>,
    ) -> Result<User, Error> {
        self.roles(
            "/v1/mgmt/user/update/role/remove",
            login_id_or_user_id,
            role_names,
            tenant_id,
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/role/set`: replaces the roles (of the project, or of
    /// `tenant_id`).
    pub async fn set_roles(
        &self,
        login_id_or_user_id: &str,
        role_names: &[String],
        tenant_id: Option<&str>,
    ) -> Result<User, Error> {
        self.roles(
            "/v1/mgmt/user/update/role/set",
            login_id_or_user_id,
            role_names,
            tenant_id,
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/tenant/add`.
    pub async fn add_tenant(
        &self,
        login_id_or_user_id: &str,
        tenant_id: &str,
    ) -> Result<User, Error> {
        let body = TenantBody {
            login_id: login_id_or_user_id,
            tenant_id,
        };
        let call = Call::post("/v1/mgmt/user/update/tenant/add", &body)?.idempotent(true);
        self.one(
            call,
            "/v1/mgmt/user/update/tenant/add",
            Some(login_id_or_user_id),
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/tenant/remove`.
    pub async fn remove_tenant(
        &self,
        login_id_or_user_id: &str,
        tenant_id: &str,
    ) -> Result<User, Error> {
        let body = TenantBody {
            login_id: login_id_or_user_id,
            tenant_id,
        };
        let call = Call::post("/v1/mgmt/user/update/tenant/remove", &body)?.idempotent(true);
        self.one(
            call,
            "/v1/mgmt/user/update/tenant/remove",
            Some(login_id_or_user_id),
        )
        .await
    }
}
