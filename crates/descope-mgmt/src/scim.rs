//! Descope's SCIM 2.0 API (`/scim/v2`), authenticated with a tenant's access key.
//!
//! No official Descope SDK covers it. Each access key is tied to one tenant, so one
//! [`ScimClient`] speaks for one tenant.

use std::sync::Arc;

use futures::{Stream, StreamExt, TryStreamExt, stream};
use secrecy::SecretString;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{
    MaybeWrappedUser, ResourceTypes, ScimGroup, ScimListQuery, ScimListResponse, ScimPatchRequest,
    ScimResourceType, ScimServiceProviderConfig, ScimUser,
};
use crate::transport::{Auth, EndpointClass};

/// The SCIM 2.0 API of one tenant. Shares the parent client's transport, rate limiter and
/// metrics; the access key is sent as `Bearer <ProjectID>:<AccessKey>` and never logged.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// use secrecy::SecretString;
/// let scim = client.scim(SecretString::from("K2tenant-access-key"));
/// let page = scim.list_users(&descope_mgmt::ScimListQuery::new().count(100)).await?;
/// println!("{} SCIM users", page.total_results);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ScimClient {
    client: Client,
    key: Arc<SecretString>,
}

impl std::fmt::Debug for ScimClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimClient")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes a path segment (ids are opaque; keep them from changing the path).
fn segment(id: &str) -> Result<String, Error> {
    // An empty id would address the collection (`DELETE /scim/v2/Users/`), and `.`/`..` (also
    // percent-encoded: URL parsers treat `%2E%2E` as `..`) would climb out of it.
    if matches!(id, "" | "." | "..") {
        return Err(Error::InvalidArgument(
            "a SCIM resource id must not be empty, `.` or `..`".into(),
        ));
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

impl Client {
    /// The SCIM 2.0 API of one tenant, authenticated with that tenant's access key
    /// (`Bearer <ProjectID>:<AccessKey>`). Shares this client's transport and limits.
    pub fn scim(&self, access_key: SecretString) -> ScimClient {
        ScimClient::new(self.clone(), access_key)
    }
}

impl ScimClient {
    pub(crate) fn new(client: Client, key: SecretString) -> Self {
        ScimClient {
            client,
            key: Arc::new(key),
        }
    }

    async fn send(&self, call: Call) -> Result<Vec<u8>, Error> {
        self.client
            .execute(
                call.class(EndpointClass::Scim),
                Auth::Scim(self.key.clone()),
            )
            .await
    }

    async fn call<T: serde::de::DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        self.client.decode(&self.send(call).await?)
    }

    /// `GET /scim/v2/Users` with `filter`, `startIndex`, `count`.
    pub async fn list_users(
        &self,
        query: &ScimListQuery,
    ) -> Result<ScimListResponse<ScimUser>, Error> {
        self.call(Call::get("/scim/v2/Users").queries(query.to_pairs()))
            .await
    }

    /// Every user matching `query`, paging with `startIndex` (1-based) until `totalResults`
    /// users have been seen or a page is empty.
    pub fn list_all_users(
        &self,
        query: ScimListQuery,
    ) -> impl Stream<Item = Result<ScimUser, Error>> + Send + use<> {
        let scim = self.clone();
        let mut query = query;
        if query.start_index.is_none() {
            query.start_index = Some(1);
        }
        stream::try_unfold((scim, query, false), |(scim, mut q, done)| async move {
            if done {
                return Ok::<_, Error>(None);
            }
            let page = scim.list_users(&q).await?;
            let n = u64::try_from(page.resources.len()).unwrap_or(u64::MAX);
            let start = q.start_index.unwrap_or(1);
            // Checked: a caller's huge `startIndex` or a server's endless pages end the walk
            // instead of overflowing.
            let next = start.checked_add(n);
            let done = n == 0 || next.is_none_or(|next| next > page.total_results);
            q.start_index = Some(next.unwrap_or(u64::MAX));
            Ok(Some((page.resources, (scim, q, done))))
        })
        .map_ok(|users| stream::iter(users.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// `GET /scim/v2/Users/{id}`.
    pub async fn get_user(&self, id: &str) -> Result<ScimUser, Error> {
        let wrapped: MaybeWrappedUser = self
            .call(Call::get(format!("/scim/v2/Users/{}", segment(id)?)))
            .await?;
        Ok(wrapped.into_user())
    }

    /// `POST /scim/v2/Users`. Not retried after a server error.
    pub async fn create_user(&self, user: &ScimUser) -> Result<ScimUser, Error> {
        let wrapped: MaybeWrappedUser = self.call(Call::post("/scim/v2/Users", user)?).await?;
        Ok(wrapped.into_user())
    }

    /// `PUT /scim/v2/Users/{id}`: replaces the user.
    pub async fn replace_user(&self, id: &str, user: &ScimUser) -> Result<ScimUser, Error> {
        let call = Call::put(format!("/scim/v2/Users/{}", segment(id)?), user)?.idempotent(true);
        let wrapped: MaybeWrappedUser = self.call(call).await?;
        Ok(wrapped.into_user())
    }

    /// `DELETE /scim/v2/Users/{id}`.
    pub async fn delete_user(&self, id: &str) -> Result<(), Error> {
        let body = self
            .send(Call::delete(format!("/scim/v2/Users/{}", segment(id)?)))
            .await?;
        self.client.confirm(&body)
    }

    /// `GET /scim/v2/Groups` with `filter`, `startIndex`, `count`, `excludedAttributes`.
    pub async fn list_groups(
        &self,
        query: &ScimListQuery,
    ) -> Result<ScimListResponse<ScimGroup>, Error> {
        self.call(Call::get("/scim/v2/Groups").queries(query.to_pairs()))
            .await
    }

    /// `GET /scim/v2/Groups/{id}`.
    pub async fn get_group(&self, id: &str) -> Result<ScimGroup, Error> {
        self.call(Call::get(format!("/scim/v2/Groups/{}", segment(id)?)))
            .await
    }

    /// `POST /scim/v2/Groups`. Not retried after a server error.
    pub async fn create_group(&self, group: &ScimGroup) -> Result<ScimGroup, Error> {
        self.call(Call::post("/scim/v2/Groups", group)?).await
    }

    /// `PUT /scim/v2/Groups/{id}`: replaces name and members.
    pub async fn replace_group(&self, id: &str, group: &ScimGroup) -> Result<ScimGroup, Error> {
        let call = Call::put(format!("/scim/v2/Groups/{}", segment(id)?), group)?.idempotent(true);
        self.call(call).await
    }

    /// `PATCH /scim/v2/Groups/{id}` with a standard `PatchOp`. Returns the group when Descope
    /// sends one back (`None` for an empty body, e.g. 204). Not retried after a server error.
    pub async fn patch_group(
        &self,
        id: &str,
        patch: &ScimPatchRequest,
    ) -> Result<Option<ScimGroup>, Error> {
        let body = self
            .send(Call::patch(
                format!("/scim/v2/Groups/{}", segment(id)?),
                patch,
            )?)
            .await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.client.decode(&body).map(Some)
    }

    /// `DELETE /scim/v2/Groups/{id}`.
    pub async fn delete_group(&self, id: &str) -> Result<(), Error> {
        let body = self
            .send(Call::delete(format!("/scim/v2/Groups/{}", segment(id)?)))
            .await?;
        self.client.confirm(&body)
    }

    /// `GET /scim/v2/ServiceProviderConfig`.
    pub async fn service_provider_config(&self) -> Result<ScimServiceProviderConfig, Error> {
        self.call(Call::get("/scim/v2/ServiceProviderConfig")).await
    }

    /// `GET /scim/v2/ResourceTypes` (a list response or a bare array).
    pub async fn resource_types(&self) -> Result<Vec<ScimResourceType>, Error> {
        self.call::<ResourceTypes>(Call::get("/scim/v2/ResourceTypes"))
            .await
            .map(ResourceTypes::into_vec)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn segment_encodes_reserved() {
        assert_eq!(super::segment("U2a/b c").unwrap(), "U2a%2Fb%20c");
        assert_eq!(super::segment("a..b").unwrap(), "a..b");
        for bad in ["", ".", ".."] {
            assert!(matches!(
                super::segment(bad),
                Err(crate::Error::InvalidArgument(_))
            ));
        }
    }
}
