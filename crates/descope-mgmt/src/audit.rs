//! Audit search: `client.audit()`.

use std::collections::HashSet;
use std::time::SystemTime;

use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{Audit, AuditPage, MAX_AUDIT_PAGE_SIZE, SearchAuditRequest, epoch_millis};
use crate::transport::EndpointClass;

/// Audit search. Descope keeps 30 days of audit and allows **10 audit searches per minute**;
/// the client's rate limiter has a window of its own for them
/// ([`crate::RateLimitConfig::audit_search`]), so use large pages (up to 1000) and few calls.
/// Searches are reads, so they are retried after a server error.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// use descope_mgmt::SearchAuditRequest;
/// let page = client.audit().search(&SearchAuditRequest::new().actions(["LoginSucceed"]).size(100)).await?;
/// for a in &page.audits {
///     println!("{} {} {:?}", a.action, a.user_id, a.occurred_at());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Audits {
    client: Client,
}

fn check_size(req: &SearchAuditRequest) -> Result<(), Error> {
    match req.size {
        Some(size) if size > MAX_AUDIT_PAGE_SIZE => Err(Error::InvalidArgument(format!(
            "audit search: size {size} is above Descope's maximum of {MAX_AUDIT_PAGE_SIZE}"
        ))),
        _ => Ok(()),
    }
}

/// What identifies a record across pages: its id, or (for backends that send none) its whole
/// content.
fn record_key(a: &Audit) -> String {
    if a.id.is_empty() {
        serde_json::to_string(a).unwrap_or_default()
    } else {
        a.id.clone()
    }
}

impl Client {
    /// Audit search (its own rate-limit window: Descope allows 10 searches per minute).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let page = client.audit().search(&descope_mgmt::SearchAuditRequest::new()).await?;
    /// # Ok(()) }
    /// ```
    pub fn audit(&self) -> Audits {
        Audits::new(self.clone())
    }
}

impl Audits {
    pub(crate) fn new(client: Client) -> Self {
        Audits { client }
    }

    /// `POST /v1/mgmt/audit/search`: one page of records matching `req`, with the total count.
    /// A `size` above 1000 is refused before sending ([`Error::InvalidArgument`]).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use std::time::{Duration, SystemTime};
    /// use descope_mgmt::SearchAuditRequest;
    /// let since = SystemTime::now() - Duration::from_secs(24 * 3600);
    /// let page = client.audit().search(&SearchAuditRequest::new().since(since).size(1000)).await?;
    /// println!("{} of {}", page.audits.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn search(&self, req: &SearchAuditRequest) -> Result<AuditPage, Error> {
        check_size(req)?;
        let call = Call::post("/v1/mgmt/audit/search", req)?
            .idempotent(true)
            .class(EndpointClass::AuditSearch);
        self.client.call(call).await
    }

    /// Every record matching `req`, page after page.
    ///
    /// - The window is pinned: when `req.to` is unset it is set to now, so records written
    ///   during the walk do not shift the pages.
    /// - Pages have `size` records (1000 when unset, the maximum), from `page` (0 when unset).
    /// - The walk stops at an empty page; once `total` records have come when the server sends
    ///   a total (a short page alone does not end it then, since the server may serve fewer
    ///   than asked); or, without a total, at a short page.
    /// - A record already seen on the previous page is not yielded twice, and a non-empty page
    ///   with nothing new ends the stream with an error instead of looping: the server is not
    ///   honouring `page`.
    ///
    /// Mind the 10-per-minute limit: 10,000 records a minute at most.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use futures::TryStreamExt;
    /// use descope_mgmt::SearchAuditRequest;
    /// let logins: Vec<_> = client.audit()
    ///     .search_all(SearchAuditRequest::new().actions(["LoginSucceed"]))
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn search_all(
        &self,
        req: SearchAuditRequest,
    ) -> impl Stream<Item = Result<Audit, Error>> + Send + use<> {
        struct State {
            audits: Audits,
            req: SearchAuditRequest,
            size: u32,
            seen: u64,
            previous: HashSet<String>,
            done: bool,
        }
        let mut req = req;
        let size = req.size.filter(|s| *s > 0).unwrap_or(MAX_AUDIT_PAGE_SIZE);
        req.size = Some(size);
        let first_page = *req.page.get_or_insert(0);
        if req.to.is_none() {
            req.to = Some(epoch_millis(SystemTime::now()));
        }
        let state = State {
            audits: self.clone(),
            req,
            size,
            // Records before the first page count towards `total` too.
            seen: u64::from(first_page).saturating_mul(u64::from(size)),
            previous: HashSet::new(),
            done: false,
        };
        stream::try_unfold(state, move |mut st| async move {
            if st.done {
                return Ok::<_, Error>(None);
            }
            let page = st.audits.search(&st.req).await?;
            let received = page.audits.len();
            let keys: Vec<String> = page.audits.iter().map(record_key).collect();
            let fresh: Vec<Audit> = page
                .audits
                .into_iter()
                .zip(&keys)
                .filter(|(_, k)| !st.previous.contains(*k))
                .map(|(a, _)| a)
                .collect();
            let page_no = st.req.page.unwrap_or(0);
            if received > 0 && fresh.is_empty() {
                return Err(Error::Decode {
                    issue: crate::error::DecodeIssue::Shape,
                    path: "audits".into(),
                    message: format!(
                        "audit search page {page_no} repeats the previous page (no new record): \
                         the server does not seem to honour `page`; narrow the window \
                         (`from`/`to`) so that one page of up to {MAX_AUDIT_PAGE_SIZE} holds it"
                    ),
                });
            }
            let n = u64::try_from(fresh.len()).unwrap_or(u64::MAX);
            st.seen = st.seen.saturating_add(n);
            st.previous = keys.into_iter().collect();
            st.done = received == 0
                || if page.total > 0 {
                    st.seen >= page.total
                } else {
                    received < usize::try_from(st.size).unwrap_or(usize::MAX)
                };
            match page_no.checked_add(1) {
                Some(next) => st.req.page = Some(next),
                None => st.done = true,
            }
            Ok(Some((fresh, st)))
        })
        .map_ok(|audits| stream::iter(audits.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }
}
