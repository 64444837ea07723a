//! Access key endpoints: `client.access_keys()`.

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{
    AccessKey, AccessKeyEnvelope, AccessKeysEnvelope, CreateAccessKeyRequest, CreatedAccessKey,
    CreatedAccessKeyEnvelope, IdBody, IdsBody, SearchAccessKeysRequest, UpdateAccessKeyRequest,
};

/// Access key endpoints (`/v1/mgmt/accesskey/...`).
///
/// Retried after a server error (harmless to repeat): load, search, update (it writes the
/// same values again), activate, deactivate and delete, single and batch (a repeated delete may
/// answer "not found" when the first attempt went through). **Not** retried: create (a repeat
/// would make a second key) and rotate (a repeat would replace the secret the first attempt may
/// already have issued). A 429 is retried for every call, since it was not processed.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// use descope_mgmt::SearchAccessKeysRequest;
/// for key in client.access_keys().search(&SearchAccessKeysRequest::new()).await? {
///     println!("{} {} {}", key.id, key.name, key.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AccessKeys {
    client: Client,
}

/// Refuses an empty id before anything is sent (Descope would answer "The id field is
/// required", or a GET with `?id=` would address nothing).
fn require_id(id: &str, what: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "access key {what}: the key id is empty"
        )));
    }
    Ok(())
}

fn require_ids(ids: &[String], what: &str) -> Result<(), Error> {
    if ids.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "access key {what}: no key ids given"
        )));
    }
    if ids.iter().any(String::is_empty) {
        return Err(Error::InvalidArgument(format!(
            "access key {what}: one of the key ids is empty"
        )));
    }
    Ok(())
}

impl Client {
    /// Access key endpoints.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let key = client.access_keys().load("K2abc").await?;
    /// # Ok(()) }
    /// ```
    pub fn access_keys(&self) -> AccessKeys {
        AccessKeys::new(self.clone())
    }
}

impl AccessKeys {
    pub(crate) fn new(client: Client) -> Self {
        AccessKeys { client }
    }

    /// `POST /v1/mgmt/accesskey/search`: every key matching `req` (no paging: one call returns
    /// all of them; an empty request returns every key of the project).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::SearchAccessKeysRequest;
    /// let keys = client.access_keys().search(&SearchAccessKeysRequest::new().tenant_ids(["T1"])).await?;
    /// # Ok(()) }
    /// ```
    pub async fn search(&self, req: &SearchAccessKeysRequest) -> Result<Vec<AccessKey>, Error> {
        let call = Call::post("/v1/mgmt/accesskey/search", req)?.idempotent(true);
        Ok(self.client.call::<AccessKeysEnvelope>(call).await?.keys)
    }

    /// `GET /v1/mgmt/accesskey?id=`: one key.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let key = client.access_keys().load("K2abc").await?;
    /// println!("{} expires at {}", key.name, key.expire_time);
    /// # Ok(()) }
    /// ```
    pub async fn load(&self, id: &str) -> Result<AccessKey, Error> {
        require_id(id, "load")?;
        let call = Call::get("/v1/mgmt/accesskey").query("id", id);
        let envelope: AccessKeyEnvelope = self.client.call(call).await?;
        self.client
            .expect_one(envelope.key, "GET /v1/mgmt/accesskey", Some(id))
    }

    /// `POST /v1/mgmt/accesskey/create`: creates a key and returns it with its secret, which
    /// Descope shows only this once. Not retried after a server error (a repeat would create a
    /// second key): on such an error, search for the key by name before creating it again.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::{AssociatedTenant, CreateAccessKeyRequest};
    /// use secrecy::ExposeSecret;
    /// let created = client.access_keys().create(
    ///     &CreateAccessKeyRequest::new("ci").key_tenants(vec![AssociatedTenant::new("T1", ["deployer"])]),
    /// ).await?;
    /// let _store_this_now = created.cleartext.expose_secret();
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, req: &CreateAccessKeyRequest) -> Result<CreatedAccessKey, Error> {
        if req.name.is_empty() {
            return Err(Error::InvalidArgument(
                "access key create: the name is required".into(),
            ));
        }
        let call = Call::post("/v1/mgmt/accesskey/create", req)?;
        self.created(call, "create").await
    }

    /// `POST /v1/mgmt/accesskey/update`.
    ///
    /// **Every optional field that is set REPLACES the stored value entirely** (roles, tenants,
    /// custom claims, permitted IPs, custom attributes, description); unset fields keep theirs.
    /// There is no add or remove: to change one role you must send every other role back, or
    /// the key loses them. Build the request with [`UpdateAccessKeyRequest::from_key`] from a
    /// freshly loaded key and change only what you mean to. `id` and `name` are required every
    /// time (the name is always replaced).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::UpdateAccessKeyRequest;
    /// let key = client.access_keys().load("K2abc").await?;
    /// let mut req = UpdateAccessKeyRequest::from_key(&key);
    /// let mut roles = key.role_names.clone();
    /// roles.retain(|r| r != "admin"); // remove one role, keep every other one
    /// req.role_names = Some(roles);
    /// let updated = client.access_keys().update(&req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(&self, req: &UpdateAccessKeyRequest) -> Result<AccessKey, Error> {
        require_id(&req.id, "update")?;
        if req.name.is_empty() {
            return Err(Error::InvalidArgument(
                "access key update: the name is required every time (it is always replaced); \
                 send the current name to keep it"
                    .into(),
            ));
        }
        let call = Call::post("/v1/mgmt/accesskey/update", req)?.idempotent(true);
        let envelope: AccessKeyEnvelope = self.client.call(call).await?;
        self.client
            .expect_one(envelope.key, "/v1/mgmt/accesskey/update", Some(&req.id))
    }

    async fn by_id(&self, path: &'static str, id: &str, what: &str) -> Result<(), Error> {
        require_id(id, what)?;
        let call = Call::post(path, &IdBody { id })?.idempotent(true);
        self.client.call_unit(call).await
    }

    async fn by_ids(&self, path: &'static str, ids: &[String], what: &str) -> Result<(), Error> {
        require_ids(ids, what)?;
        let call = Call::post(path, &IdsBody { ids })?.idempotent(true);
        self.client.call_unit(call).await
    }

    /// `POST /v1/mgmt/accesskey/activate`: lets a deactivated key authenticate again.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.access_keys().activate("K2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn activate(&self, id: &str) -> Result<(), Error> {
        self.by_id("/v1/mgmt/accesskey/activate", id, "activate")
            .await
    }

    /// `POST /v1/mgmt/accesskey/deactivate`: stops the key from authenticating; it is kept and
    /// can be activated again.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.access_keys().deactivate("K2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn deactivate(&self, id: &str) -> Result<(), Error> {
        self.by_id("/v1/mgmt/accesskey/deactivate", id, "deactivate")
            .await
    }

    /// `POST /v1/mgmt/accesskey/delete`: deletes the key for good.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.access_keys().delete("K2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.by_id("/v1/mgmt/accesskey/delete", id, "delete").await
    }

    /// `POST /v1/mgmt/accesskey/activate/batch` (newer backends).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.access_keys().activate_batch(&["K2a".into(), "K2b".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn activate_batch(&self, ids: &[String]) -> Result<(), Error> {
        self.by_ids("/v1/mgmt/accesskey/activate/batch", ids, "activate batch")
            .await
    }

    /// `POST /v1/mgmt/accesskey/deactivate/batch` (newer backends).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.access_keys().deactivate_batch(&["K2a".into(), "K2b".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn deactivate_batch(&self, ids: &[String]) -> Result<(), Error> {
        self.by_ids(
            "/v1/mgmt/accesskey/deactivate/batch",
            ids,
            "deactivate batch",
        )
        .await
    }

    /// `POST /v1/mgmt/accesskey/delete/batch` (newer backends).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.access_keys().delete_batch(&["K2a".into(), "K2b".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_batch(&self, ids: &[String]) -> Result<(), Error> {
        self.by_ids("/v1/mgmt/accesskey/delete/batch", ids, "delete batch")
            .await
    }

    /// `POST /v1/mgmt/accesskey/rotate` (newer backends): issues a new secret under the same
    /// id, keeping everything else; the old secret stops working at once. Only active,
    /// unexpired keys can be rotated. Not retried after a server error: load the key and
    /// decide, since the first attempt may have replaced the secret.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let rotated = client.access_keys().rotate("K2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn rotate(&self, id: &str) -> Result<CreatedAccessKey, Error> {
        require_id(id, "rotate")?;
        let call = Call::post("/v1/mgmt/accesskey/rotate", &IdBody { id })?;
        self.created(call, "rotate").await
    }

    /// Sends a create or rotate and insists on both the key and its secret: a 2xx without
    /// them means the secret is lost, which the caller must hear about.
    async fn created(&self, call: Call, what: &str) -> Result<CreatedAccessKey, Error> {
        let env: CreatedAccessKeyEnvelope = self.client.call(call).await.map_err(|e| match e {
            Error::Decode {
                path,
                message,
                issue,
            } => Error::Decode {
                path,
                issue,
                message: format!(
                    "{message}; the access key {what} was probably applied, but its answer \
                         (with the secret) could not be read: search for the key and delete or \
                         rotate it"
                ),
            },
            other => other,
        })?;
        let key = env.key.filter(|k| !k.id.is_empty());
        let cleartext = env
            .cleartext
            .filter(|c| !secrecy::ExposeSecret::expose_secret(c).is_empty());
        let what_next = |key: &Option<AccessKey>| match key {
            Some(k) => format!("rotate or delete key {}", k.id),
            None => "search for the key, then rotate or delete it".to_owned(),
        };
        match (key, cleartext) {
            (Some(key), Some(cleartext)) => Ok(CreatedAccessKey { key, cleartext }),
            (key, None) => Err(Error::Decode {
                issue: crate::error::DecodeIssue::Shape,
                path: "cleartext".into(),
                message: format!(
                    "the access key {what} succeeded (HTTP 2xx) but the answer holds no secret, so the secret is lost: {}",
                    what_next(&key)
                ),
            }),
            (None, Some(_)) => Err(Error::Decode {
                issue: crate::error::DecodeIssue::Shape,
                path: "key".into(),
                message: format!(
                    "the access key {what} succeeded (HTTP 2xx) but the answer names no key: {}",
                    what_next(&None)
                ),
            }),
        }
    }
}
