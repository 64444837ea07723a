//! User endpoints: `client.users()`.

use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{
    CreateUserRequest, LoginIdBody, PatchUserRequest, RolesBody, SearchUsersRequest, StatusBody,
    TenantBody, UpdateUserRequest, User, UserEnvelope, UserIdsBody, UserPage, UserStatus,
    UsersEnvelope,
};
use crate::transport::EndpointClass;

/// Page size `search_all` uses when the request sets none (the server default).
const DEFAULT_PAGE_SIZE: u32 = 100;

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

impl Users {
    pub(crate) fn new(client: Client) -> Self {
        Users { client }
    }

    /// The client, for the lifecycle endpoints in `users_lifecycle.rs`.
    pub(crate) fn client(&self) -> &Client {
        &self.client
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

    /// Every user matching `req`, one page after another (`page` 0, 1, ... or, when `offset`
    /// is set, advancing `offset` by the rows received). Stops at an empty page, once `total`
    /// users have been yielded, or, when the response has no `total`, at a short page. Use a
    /// stable `sort` (e.g. `createdTime`) if users change during the walk.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use futures::TryStreamExt;
    /// use descope_mgmt::{SearchUsersRequest, SortField};
    /// let req = SearchUsersRequest::new().limit(200).sort(vec![SortField::asc("createdTime")]);
    /// let users: Vec<_> = client.users().search_all(req).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn search_all(
        &self,
        req: SearchUsersRequest,
    ) -> impl Stream<Item = Result<User, Error>> + Send + use<> {
        struct State {
            users: Users,
            req: SearchUsersRequest,
            seen: u64,
            done: bool,
        }
        let mut req = req;
        let limit = req.limit.filter(|l| *l > 0).unwrap_or(DEFAULT_PAGE_SIZE);
        req.limit = Some(limit);
        if req.offset.is_none() && req.page.is_none() {
            req.page = Some(0);
        }
        let state = State {
            users: self.clone(),
            req,
            seen: 0,
            done: false,
        };
        stream::try_unfold(state, move |mut st| async move {
            if st.done {
                return Ok::<_, Error>(None);
            }
            let page = st.users.search(&st.req).await?;
            let n = u64::try_from(page.users.len()).unwrap_or(u64::MAX);
            st.seen = st.seen.saturating_add(n);
            // With a `total`, trust it over the page size: the server may cap `limit` below
            // what was asked (the maximum is undocumented), so a short page is not proof of the
            // end. Without one (old backends), a short page is the end.
            st.done = n == 0
                || if page.total > 0 {
                    st.seen >= page.total
                } else {
                    n < u64::from(limit)
                };
            // Checked: a server that never ends (a huge `total`, full pages forever) stops the
            // walk at the end of the counter instead of overflowing it.
            if let Some(offset) = st.req.offset.as_mut() {
                match offset.checked_add(n) {
                    Some(next) => *offset = next,
                    None => st.done = true,
                }
            } else if let Some(p) = st.req.page.as_mut() {
                match p.checked_add(1) {
                    Some(next) => *p = next,
                    None => st.done = true,
                }
            }
            Ok(Some((page.users, st)))
        })
        .map_ok(|users| stream::iter(users.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// `GET /v1/mgmt/user?loginId=`: loads one user by login id (a user id works too).
    pub async fn load(&self, login_id_or_user_id: &str) -> Result<User, Error> {
        let call = Call::get("/v1/mgmt/user").query("loginId", login_id_or_user_id);
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
    }

    /// `GET /v1/mgmt/user?userId=`: loads one user by user id.
    pub async fn load_by_user_id(&self, user_id: &str) -> Result<User, Error> {
        let call = Call::get("/v1/mgmt/user").query("userId", user_id);
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
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
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
    }

    /// `POST /v1/mgmt/user/update`: replaces all the user's fields with `req`'s.
    pub async fn update(&self, req: &UpdateUserRequest) -> Result<User, Error> {
        let call = Call::post("/v1/mgmt/user/update", req)?
            .idempotent(true)
            .class(EndpointClass::UserSearchUpdate);
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
    }

    /// `PATCH /v1/mgmt/user/patch`: changes only the fields set in `req`.
    pub async fn patch(&self, req: &PatchUserRequest) -> Result<User, Error> {
        let call = Call::patch("/v1/mgmt/user/patch", req)?.idempotent(true);
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
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

    /// `POST /v1/mgmt/user/update/status`: enables or disables the user.
    pub async fn update_status(
        &self,
        login_id_or_user_id: &str,
        status: UserStatus,
    ) -> Result<User, Error> {
        let body = StatusBody {
            login_id: login_id_or_user_id,
            status: status.as_str(),
        };
        let call = Call::post("/v1/mgmt/user/update/status", &body)?.idempotent(true);
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
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
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
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
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
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
        Ok(self.client.call::<UserEnvelope>(call).await?.user)
    }
}
