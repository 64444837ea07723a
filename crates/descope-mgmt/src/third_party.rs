//! Third-party (inbound) applications and user consents: `client.third_party_apps()`.
//!
//! The endpoints verified against the official SDKs, and what stays unverified, are listed
//! on the handler's own docs.

use std::collections::HashSet;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::third_party::{
    ConsentIdsBody, MaybeWrappedThirdPartyApp, PageBody, ThirdPartyAppsEnvelope,
};
use crate::models::{Consent, ConsentPage, SearchConsentsRequest, ThirdPartyApp};

/// Consents asked for per page by [`ThirdPartyApps::search_all_consents`] when the request
/// sets no `limit`. Descope's default and maximum are unverified; a server that caps pages
/// lower costs more requests, never consents.
pub const DEFAULT_CONSENT_PAGE: u32 = 100;

/// Applications asked for per page when the application listing must be paged.
const APP_PAGE: u32 = 100;

/// Third-party (inbound) application endpoints (`/v1/mgmt/thirdparty/...`).
///
/// Reads and the consent delete are retried after a server error (a repeated delete of the
/// same consent ids converges). The application secret endpoints are deliberately absent.
///
/// # What was verified, and where
///
/// Read from the official SDKs (go-sdk at commit `1eb70cb`, python-sdk 2.16.1 as installed
/// from PyPI, node-sdk at commit `892af50`):
///
/// | endpoint | what | source |
/// | --- | --- | --- |
/// | `GET /v1/mgmt/thirdparty/apps/load` | every application, `{"apps":[...]}` | python `third_party_application.py:225-238`; node `inboundapplication.ts:50-54`, `paths.ts:113` |
/// | `POST /v1/mgmt/thirdparty/apps/load` `{"page","limit"}` | one page, `{"apps":[...],"total":n}` | go `third_party_application.go:102-128, 320-330`, `api/client.go:294` |
/// | `GET /v1/mgmt/thirdparty/app/load?id=` | one application, flat at the root | go `third_party_application.go:88-100, 311-318`; python `:206-223` |
/// | `POST /v1/mgmt/thirdparty/consents/search` `{"appId","userId","consentId","tenantId","page","limit"}` | `{"consents":[...],"total":n}`; pages start at 0 | go `third_party_application.go:274-292, 332-341`, `types.go:1832-1846`; python `:318-358` |
/// | `POST /v1/mgmt/thirdparty/consents/delete` `{"consentIds","appId","userIds","tenantId"}` | deletes consents; empty answer | go `third_party_application.go:239-255`, `types.go:1809-1820`; python `:276-304` |
/// | consent fields | `id, appId, userId, scopes[], grantedBy, createdTime, tenantId, expireTime, modifiedTime` | go `types.go:1788-1807`; node `types.ts:1120-1127` |
/// | application fields | `id, name, description, logo, loginPageUrl, clientId, approvedCallbackUrls, permissionsScopes[{name,description,values}], attributesScopes, scopeClaimMapping, customAttributes, forcePkce, defaultAudience` | go `types.go:1649-1669, 1744-1759`; python `:213-218`; node `types.ts:1078-1105` |
///
/// # Unverified, and how this client behaves under either reading
///
/// - **Load-all method and paging.** Python and Node send `GET` with no paging; Go sends
///   `POST` with `page` and `limit` and reads a `total`. [`ThirdPartyApps::all`] sends `GET`
///   and, when the answer reports a `total` above the applications it holds, pages through the
///   `POST` form; a listing that still falls short is an [`Error::Incomplete`], never a short
///   list.
/// - **Consent search's default and maximum `limit`, and whether `total` is always sent.**
///   [`ThirdPartyApps::search_all_consents`] asks for [`DEFAULT_CONSENT_PAGE`] per page and
///   reads pages until one is empty or the consents seen reach the reported total, so a silent
///   cap on the page size loses nothing; without a total it costs one more (empty) page.
/// - **What a delete with several filters means** (`appId` and `userIds` together: both, or
///   either?). [`ThirdPartyApps::delete_consents`] therefore sends **consent ids only**, the one
///   unambiguous form: it never deletes a consent it was not given.
/// - **Tenant-level consents.** Go's doc says consent delete "will not delete tenant level
///   consents" (`sdk/mgmt.go:1274-1276`), which have their own endpoint
///   (`consents/delete/tenant`). Whether a consent id of such a consent is deleted by
///   `consents/delete` is unverified: a 2xx never proves a deletion, so confirm with a fresh
///   [`search_consents`](ThirdPartyApps::search_consents) by consent id.
/// - **The unit of `createdTime` / `expireTime`** (Go's comment says milliseconds, its type and
///   `GetCreatedTime` say seconds): kept as sent.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// use descope_mgmt::SearchConsentsRequest;
/// for app in client.third_party_apps().all().await? {
///     let consents = client
///         .third_party_apps()
///         .search_all_consents(SearchConsentsRequest::new().app_id(&app.id))
///         .await?;
///     for c in consents {
///         println!("{} granted {:?} to {}", c.user_id, c.scopes, app.name);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ThirdPartyApps {
    client: Client,
}

impl Client {
    /// Third-party (inbound) applications and the consents users gave them.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let apps = client.third_party_apps().all().await?;
    /// # Ok(()) }
    /// ```
    pub fn third_party_apps(&self) -> ThirdPartyApps {
        ThirdPartyApps::new(self.clone())
    }
}

impl ThirdPartyApps {
    pub(crate) fn new(client: Client) -> Self {
        ThirdPartyApps { client }
    }

    /// Every third-party application of the project (`GET /v1/mgmt/thirdparty/apps/load`;
    /// paged through `POST` when the answer reports more than it holds; see the module docs).
    /// Applications are deduplicated by id.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// for app in client.third_party_apps().all().await? {
    ///     let scopes: Vec<_> = app.scopes().map(|s| s.name.as_str()).collect();
    ///     println!("{} ({}) offers {scopes:?}", app.name, app.client_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn all(&self) -> Result<Vec<ThirdPartyApp>, Error> {
        let env: ThirdPartyAppsEnvelope = self
            .client
            .call(Call::get("/v1/mgmt/thirdparty/apps/load"))
            .await?;
        let mut seen = HashSet::new();
        let mut apps: Vec<ThirdPartyApp> = env
            .apps
            .into_iter()
            .filter(|a| seen.insert(a.id.clone()))
            .collect();
        match env.total {
            Some(total) if total > apps.len() as u64 => {
                // The answer is one page of a larger listing: page through the POST form.
                apps.clear();
                seen.clear();
                self.paged(total, &mut apps, &mut seen).await?;
                Ok(apps)
            }
            _ => Ok(apps),
        }
    }

    /// `POST /v1/mgmt/thirdparty/apps/load` with `page` and `limit` (the Go SDK's form): one
    /// page of applications and the total, when the server sends one.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let (apps, total) = client.third_party_apps().page(0, 50).await?;
    /// println!("{} of {total:?}", apps.len());
    /// # Ok(()) }
    /// ```
    pub async fn page(
        &self,
        page: u32,
        limit: u32,
    ) -> Result<(Vec<ThirdPartyApp>, Option<u64>), Error> {
        let call = Call::post("/v1/mgmt/thirdparty/apps/load", &PageBody { page, limit })?
            .idempotent(true);
        let env: ThirdPartyAppsEnvelope = self.client.call(call).await?;
        Ok((env.apps, env.total))
    }

    async fn paged(
        &self,
        total: u64,
        apps: &mut Vec<ThirdPartyApp>,
        seen: &mut HashSet<String>,
    ) -> Result<(), Error> {
        let base = self.client.base_url().to_string();
        for page in 0.. {
            let (batch, _) = self.page(page, APP_PAGE).await?;
            if batch.is_empty() {
                break;
            }
            let before = apps.len();
            apps.extend(batch.into_iter().filter(|a| seen.insert(a.id.clone())));
            if apps.len() == before {
                return Err(Error::Incomplete {
                    message: format!(
                        "third-party application page {page} (POST /v1/mgmt/thirdparty/apps/load \
                         at {base}) holds only applications listed already, so the server \
                         ignores `page`; {total} were reported, {before} listed"
                    ),
                    retryable: false,
                });
            }
            if apps.len() as u64 >= total {
                return Ok(());
            }
        }
        Err(Error::Incomplete {
            message: format!(
                "Descope at {base} reports {total} third-party applications but its pages hold \
                 only {}; list them again, and check the base URL if it persists",
                apps.len()
            ),
            retryable: true,
        })
    }

    /// `GET /v1/mgmt/thirdparty/app/load?id=`: one application. An answer without it, or with
    /// another one, is an error naming the base URL.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let app = client.third_party_apps().load("TPA2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn load(&self, id: &str) -> Result<ThirdPartyApp, Error> {
        if id.is_empty() {
            return Err(Error::InvalidArgument(
                "third-party application load: the application id is empty".into(),
            ));
        }
        let call = Call::get("/v1/mgmt/thirdparty/app/load").query("id", id);
        let answer: MaybeWrappedThirdPartyApp = self.client.call(call).await?;
        self.client.expect_one(
            answer.into_app(),
            "GET /v1/mgmt/thirdparty/app/load",
            Some(id),
        )
    }

    /// `POST /v1/mgmt/thirdparty/consents/search`: one page of consents matching every filter
    /// set in `req`, and the total when the server reports one.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::SearchConsentsRequest;
    /// let page = client.third_party_apps()
    ///     .search_consents(&SearchConsentsRequest::new().user_id("U2abc").page(0).limit(50))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn search_consents(&self, req: &SearchConsentsRequest) -> Result<ConsentPage, Error> {
        let call = Call::post("/v1/mgmt/thirdparty/consents/search", req)?.idempotent(true);
        self.client.call(call).await
    }

    /// Every consent matching `req`'s filters, page after page from page 0 (`req.page` is
    /// ignored; `req.limit` defaults to [`DEFAULT_CONSENT_PAGE`]), deduplicated by consent id.
    ///
    /// Reads until a page comes back empty or the consents seen reach the reported total, so a
    /// server that silently serves smaller pages loses nothing. Returns nothing partial: an
    /// [`Error::Incomplete`] when a page repeats only consents seen (the server ignores
    /// `page`), when a page is empty before the total is reached, or when the reported total
    /// changed during the listing (consents were given or revoked meanwhile: list again).
    ///
    /// Cost: `ceil(n / page size)` searches, plus one when the server reports no total.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::SearchConsentsRequest;
    /// let all = client.third_party_apps().search_all_consents(SearchConsentsRequest::new()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn search_all_consents(
        &self,
        req: SearchConsentsRequest,
    ) -> Result<Vec<Consent>, Error> {
        let limit = req.limit.filter(|l| *l > 0).unwrap_or(DEFAULT_CONSENT_PAGE);
        let base = self.client.base_url().to_string();
        let mut seen = HashSet::new();
        let mut out: Vec<Consent> = Vec::new();
        let mut first_total = None;
        let mut last_total = None;
        for page in 0u32.. {
            let answer = self
                .search_consents(&req.clone().page(page).limit(limit))
                .await?;
            if page == 0 {
                first_total = answer.total;
            }
            if answer.total.is_some() {
                last_total = answer.total;
            }
            if answer.consents.is_empty() {
                if let Some(total) = last_total
                    && (out.len() as u64) < total
                {
                    return Err(Error::Incomplete {
                        message: format!(
                            "consent search page {page} at {base} came back empty although \
                             {total} consents are reported and {} were listed; list again",
                            out.len()
                        ),
                        retryable: true,
                    });
                }
                break;
            }
            let before = out.len();
            out.extend(
                answer
                    .consents
                    .into_iter()
                    .filter(|c| seen.insert(c.id.clone())),
            );
            if out.len() == before {
                return Err(Error::Incomplete {
                    message: format!(
                        "consent search page {page} at {base} holds only consents listed \
                         already: the server ignores `page` (check the base URL and any proxy); \
                         the listing stopped instead of repeating pages"
                    ),
                    retryable: false,
                });
            }
            if let Some(total) = answer.total
                && out.len() as u64 >= total
            {
                break;
            }
        }
        if let (Some(first), Some(last)) = (first_total, last_total)
            && first != last
        {
            return Err(Error::Incomplete {
                message: format!(
                    "the consents changed during the listing at {base} (the total went from \
                     {first} to {last}), so a consent may have moved past the pages read; list \
                     again"
                ),
                retryable: true,
            });
        }
        Ok(out)
    }

    /// `POST /v1/mgmt/thirdparty/consents/delete` with `{"consentIds": [...]}`: deletes these
    /// consents (and only these: the filters by application, user or tenant are never sent,
    /// since what they mean together is unverified).
    ///
    /// **A 2xx does not prove the deletion** (tenant-level consents are documented as not
    /// deleted by this endpoint): confirm with [`search_consents`](Self::search_consents) by
    /// consent id. Retried after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::SearchConsentsRequest;
    /// let apps = client.third_party_apps();
    /// apps.delete_consents(&["C2abc".into()]).await?;
    /// let left = apps.search_consents(&SearchConsentsRequest::new().consent_id("C2abc")).await?;
    /// assert!(left.consents.iter().all(|c| c.id != "C2abc"), "Descope kept the consent");
    /// # Ok(()) }
    /// ```
    pub async fn delete_consents(&self, consent_ids: &[String]) -> Result<(), Error> {
        if consent_ids.is_empty() {
            return Err(Error::InvalidArgument(
                "consent delete: no consent ids given (deleting by application or user is not \
                 offered: it could remove consents that were not asked for)"
                    .into(),
            ));
        }
        if consent_ids.iter().any(String::is_empty) {
            return Err(Error::InvalidArgument(
                "consent delete: one of the consent ids is empty".into(),
            ));
        }
        let call = Call::post(
            "/v1/mgmt/thirdparty/consents/delete",
            &ConsentIdsBody { consent_ids },
        )?
        .idempotent(true);
        self.client.call_unit(call).await
    }

    /// `POST /v1/mgmt/thirdparty/consents/delete/tenant` with `{"consentIds": [...]}`: deletes
    /// these **tenant-level** consents (those with no user), which
    /// [`delete_consents`](Self::delete_consents) is documented not to delete (go-sdk
    /// `sdk/mgmt.go:1274-1276`; the request `{consentIds, appId, tenantId}` as java-sdk's
    /// `InboundAppTenantConsentDeleteOptions` and the emulator read it). Only ids are sent, for
    /// the same reason as there.
    ///
    /// **A 2xx does not prove the deletion**: confirm with
    /// [`search_consents`](Self::search_consents) by consent id. Retried after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.third_party_apps().delete_tenant_consents(&["C2tenant".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_tenant_consents(&self, consent_ids: &[String]) -> Result<(), Error> {
        if consent_ids.is_empty() || consent_ids.iter().any(String::is_empty) {
            return Err(Error::InvalidArgument(
                "tenant consent delete: give one or more non-empty consent ids (deleting by \
                 application or tenant is not offered)"
                    .into(),
            ));
        }
        let call = Call::post(
            "/v1/mgmt/thirdparty/consents/delete/tenant",
            &ConsentIdsBody { consent_ids },
        )?
        .idempotent(true);
        self.client.call_unit(call).await
    }
}
