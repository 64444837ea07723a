//! Account lifecycle endpoints of `client.users()`: invitations, test users, delete by user id
//! and in batches, logout, SSO application assignment and auth history.
//!
//! Retried after a server error (harmless to repeat): deletes, logouts, SSO app add / set /
//! remove (they converge on the same state) and history (a read). **Not** retried: invite (a
//! repeat would send a second invitation) and test-user create. A 429 is retried for every
//! call, since it was not processed.

use crate::client::Call;
use crate::error::Error;
use crate::models::{
    AuthHistoryList, CreateUserRequest, InviteOptions, LoginIdBody, SsoAppsBody, TestUserBody,
    User, UserAuthHistory, UserIdBody, UserIdsBody,
};
use crate::users::Users;

/// How many user ids [`Users::history_batched`] sends per call by default. Descope documents no
/// maximum (unverified); 100 is deliberately conservative.
pub const DEFAULT_HISTORY_CHUNK: usize = 100;

fn require(value: &str, what: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} is empty")));
    }
    Ok(())
}

impl Users {
    /// `POST /v1/mgmt/user/create` with `"invite": true`: creates the user (when `req.login_id`
    /// is a login id that does not exist yet) and sends an invitation. When `req.login_id` is
    /// the user id of an existing user, the invitation is sent again. `options` are laid over
    /// the request's own invitation fields (a field set in `options` wins).
    ///
    /// The invitation URL must be configured in the console or given as
    /// [`InviteOptions::invite_url`]. Not retried after a server error (a repeat would send a
    /// second invitation).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::{AssociatedTenant, CreateUserRequest, InviteOptions};
    /// let user = client.users().invite(
    ///     &CreateUserRequest::new("jane@acme.io")
    ///         .email("jane@acme.io")
    ///         .user_tenants(vec![AssociatedTenant::new("T1", ["viewer"])]),
    ///     &InviteOptions::new().invite_url("https://app.acme.io/accept").send_mail(true),
    /// ).await?;
    /// # Ok(()) }
    /// ```
    pub async fn invite(
        &self,
        req: &CreateUserRequest,
        options: &InviteOptions,
    ) -> Result<User, Error> {
        require(&req.login_id, "invite: the login id")?;
        let call = Call::post("/v1/mgmt/user/create", &options.apply(req))?;
        self.one(call, "/v1/mgmt/user/create (invite)", None).await
    }

    /// `POST /v1/mgmt/user/create/test`: creates a test user (sent with `"test": true`, as the
    /// official SDKs do). Not retried after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let user = client.users()
    ///     .create_test_user(&descope_mgmt::CreateUserRequest::new("test-1@acme.io"))
    ///     .await?;
    /// assert!(user.test);
    /// # Ok(()) }
    /// ```
    pub async fn create_test_user(&self, req: &CreateUserRequest) -> Result<User, Error> {
        require(&req.login_id, "create test user: the login id")?;
        let body = TestUserBody {
            user: req,
            test: true,
        };
        let call = Call::post("/v1/mgmt/user/create/test", &body)?;
        self.one(call, "/v1/mgmt/user/create/test", None).await
    }

    /// `POST /v1/mgmt/user/delete` with `{"userId": ...}`. Retried after server errors, so a
    /// repeat may answer "not found" when the first attempt went through.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().delete_by_user_id("U2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_by_user_id(&self, user_id: &str) -> Result<(), Error> {
        require(user_id, "delete: the user id")?;
        let call = Call::post("/v1/mgmt/user/delete", &UserIdBody { user_id })?.idempotent(true);
        self.client().call_unit(call).await
    }

    /// `POST /v1/mgmt/user/delete/batch` with `{"userIds": [...]}`. Retried after server
    /// errors.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().delete_batch(&["U2a".into(), "U2b".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_batch(&self, user_ids: &[String]) -> Result<(), Error> {
        if user_ids.is_empty() {
            return Err(Error::InvalidArgument(
                "delete batch: no user ids given".into(),
            ));
        }
        if user_ids.iter().any(String::is_empty) {
            return Err(Error::InvalidArgument(
                "delete batch: one of the user ids is empty".into(),
            ));
        }
        let call =
            Call::post("/v1/mgmt/user/delete/batch", &UserIdsBody { user_ids })?.idempotent(true);
        self.client().call_unit(call).await
    }

    /// `DELETE /v1/mgmt/user/test/delete/all`: deletes every test user of the project.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().delete_all_test_users().await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_all_test_users(&self) -> Result<(), Error> {
        let call = Call::delete("/v1/mgmt/user/test/delete/all");
        self.client().call_unit(call).await
    }

    /// `POST /v1/mgmt/user/logout` with `{"loginId": ...}`: signs the user out of every
    /// session.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().logout("jane@acme.io").await?;
    /// # Ok(()) }
    /// ```
    pub async fn logout(&self, login_id: &str) -> Result<(), Error> {
        require(login_id, "logout: the login id")?;
        let call = Call::post("/v1/mgmt/user/logout", &LoginIdBody { login_id })?.idempotent(true);
        self.client().call_unit(call).await
    }

    /// `POST /v1/mgmt/user/logout` with `{"userId": ...}`: signs the user out of every session.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().logout_by_user_id("U2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn logout_by_user_id(&self, user_id: &str) -> Result<(), Error> {
        require(user_id, "logout: the user id")?;
        let call = Call::post("/v1/mgmt/user/logout", &UserIdBody { user_id })?.idempotent(true);
        self.client().call_unit(call).await
    }

    async fn sso_apps(
        &self,
        path: &'static str,
        login_id_or_user_id: &str,
        sso_app_ids: &[String],
    ) -> Result<User, Error> {
        require(login_id_or_user_id, "SSO apps: the login id or user id")?;
        let body = SsoAppsBody {
            login_id: login_id_or_user_id,
            sso_app_ids,
        };
        let call = Call::post(path, &body)?.idempotent(true);
        self.one(call, path, Some(login_id_or_user_id)).await
    }

    /// `POST /v1/mgmt/user/update/ssoapp/add`: gives the user these SSO applications (added to
    /// the ones it has).
    ///
    /// Descope reads an **empty** `ssoAppIds` on a user as "every application": a user with no
    /// applications listed can use all of them.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let user = client.users().add_sso_apps("jane@acme.io", &["SA2wiki".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_sso_apps(
        &self,
        login_id_or_user_id: &str,
        sso_app_ids: &[String],
    ) -> Result<User, Error> {
        self.sso_apps(
            "/v1/mgmt/user/update/ssoapp/add",
            login_id_or_user_id,
            sso_app_ids,
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/ssoapp/set`: REPLACES the user's SSO applications.
    ///
    /// **An empty list means every application** to Descope: setting `[]` does not take
    /// access away, it grants all applications.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let user = client.users().set_sso_apps("U2abc", &["SA2wiki".into(), "SA2crm".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_sso_apps(
        &self,
        login_id_or_user_id: &str,
        sso_app_ids: &[String],
    ) -> Result<User, Error> {
        self.sso_apps(
            "/v1/mgmt/user/update/ssoapp/set",
            login_id_or_user_id,
            sso_app_ids,
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/ssoapp/remove`: takes these SSO applications from the user.
    ///
    /// **Removing the user's last application leaves an empty list, which Descope reads as
    /// every application.** Check the returned user's `sso_app_ids`.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let user = client.users().remove_sso_apps("U2abc", &["SA2crm".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_sso_apps(
        &self,
        login_id_or_user_id: &str,
        sso_app_ids: &[String],
    ) -> Result<User, Error> {
        self.sso_apps(
            "/v1/mgmt/user/update/ssoapp/remove",
            login_id_or_user_id,
            sso_app_ids,
        )
        .await
    }

    /// `POST /v1/mgmt/user/history`: the sign-in records of these users (the body is a bare
    /// JSON array of user ids; the answer a bare array or `{"usersAuthHistory": [...]}`).
    /// An empty list returns nothing without calling Descope. Descope documents no maximum
    /// number of ids per call; for long lists use [`Users::history_batched`].
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// for h in client.users().history(&["U2abc".into()]).await? {
    ///     println!("{} signed in at {:?} from {}", h.user_id, h.login_at(), h.ip);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn history(&self, user_ids: &[String]) -> Result<Vec<UserAuthHistory>, Error> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let call = Call::post("/v1/mgmt/user/history", &user_ids)?.idempotent(true);
        Ok(self
            .client()
            .call::<AuthHistoryList>(call)
            .await?
            .into_vec())
    }

    /// [`Users::history`] for any number of ids: one call per `chunk_size` ids (0 means
    /// [`DEFAULT_HISTORY_CHUNK`]; the real maximum is unverified), one after another, each
    /// through the client's rate limiter and retry policy. Stops at the first error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client, ids: Vec<String>) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::DEFAULT_HISTORY_CHUNK;
    /// let history = client.users().history_batched(&ids, DEFAULT_HISTORY_CHUNK).await?;
    /// # Ok(()) }
    /// ```
    pub async fn history_batched(
        &self,
        user_ids: &[String],
        chunk_size: usize,
    ) -> Result<Vec<UserAuthHistory>, Error> {
        let chunk_size = if chunk_size == 0 {
            DEFAULT_HISTORY_CHUNK
        } else {
            chunk_size
        };
        let mut out = Vec::new();
        for chunk in user_ids.chunks(chunk_size) {
            out.extend(self.history(chunk).await?);
        }
        Ok(out)
    }
}
