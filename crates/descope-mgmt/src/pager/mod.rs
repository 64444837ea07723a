//! [`UserPager`]: every user matching a search, fetched concurrently, handed over in order, and
//! robust against servers that page differently than documented.

mod fetch;
mod plan;
mod seen;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures::{Stream, StreamExt, TryStreamExt, stream};
use tokio::sync::Mutex;

use self::fetch::Pipeline;
use self::plan::{Step, next_step};
use self::seen::Seen;
use crate::error::Error;
use crate::models::{SearchUsersRequest, User};
use crate::users::Users;

/// Default page size (Descope's default `limit`).
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 100;
/// Default number of page requests outstanding at once.
const DEFAULT_MAX_IN_FLIGHT: usize = 16;

/// Settings of a [`UserPager`].
///
/// ```
/// let options = descope_mgmt::PagerOptions::default().page_size(200).max_in_flight(8);
/// assert_eq!(options.page_size, 200);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PagerOptions {
    /// Users asked for per page (`limit`), 100 by default. The server may return fewer; the
    /// pager then adapts to its size.
    pub page_size: u32,
    /// Page requests outstanding at once (fetched or queued for hand-over), 16 by default. The
    /// client's concurrency limit and rate limiter still apply.
    pub max_in_flight: usize,
}

impl Default for PagerOptions {
    fn default() -> Self {
        PagerOptions {
            page_size: DEFAULT_PAGE_SIZE,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

impl PagerOptions {
    /// Sets `page_size` (at least 1).
    #[must_use]
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// Sets `max_in_flight` (at least 1).
    #[must_use]
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }
}

/// One page of a listing, in order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserBatch {
    /// The users of this page not handed over before (see [`UserPager`] on duplicates).
    pub users: Vec<User>,
    /// Where this page starts.
    pub offset: u64,
    /// Where the next page starts, or `None` when this was the last page. Pass it to
    /// [`UserPager::page`] to continue (or to resume in another process).
    pub next_offset: Option<u64>,
    /// The total this page reported.
    pub total: u64,
}

/// What a listing saw so far ([`UserPager::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PagerStats {
    /// Users the latest page said match the search (`total`).
    pub announced: u64,
    /// Users handed over in this listing.
    pub yielded: u64,
    /// Users dropped because they were handed over already (shifted between pages).
    pub duplicates: u64,
    /// Search requests this pager sent over its life (all listings, discarded prefetches
    /// included; client retries not counted).
    pub requests: u64,
    /// The page size in use (smaller than asked when the server caps it).
    pub page_size: u32,
}

impl PagerStats {
    /// Announced users that were not handed over: more than zero after a complete listing means
    /// the project shrank during the listing, or the server's count and pages disagree; report
    /// it.
    pub fn shortfall(&self) -> u64 {
        self.announced.saturating_sub(self.yielded)
    }
}

/// Why a listing stopped ([`PagingError::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingErrorKind {
    /// A page came back empty although the total it reported says there are users at its
    /// offset. Retrying the page may succeed ([`Error::is_retryable`]).
    EmptyPageBeforeTotal,
    /// A full page held only users already handed over: the server ignores both `page` and
    /// `offset`, or the project changed by more than a page during the listing.
    NoNewUsers,
    /// The listing reached an offset beyond the latest reported total (or the users seen, if
    /// more) plus one page.
    PastTotal,
}

/// A listing the pager stopped instead of completing wrongly; see [`PagingErrorKind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
#[non_exhaustive]
pub struct PagingError {
    /// What went wrong.
    pub kind: PagingErrorKind,
    /// The offset of the page concerned.
    pub offset: u64,
    /// The latest total the server reported.
    pub total: u64,
    /// The base URL the search went to.
    pub base_url: String,
}

impl PagingError {
    fn describe(&self) -> String {
        let (offset, total, base) = (self.offset, self.total, &self.base_url);
        match self.kind {
            PagingErrorKind::EmptyPageBeforeTotal => format!(
                "Descope returned no users at offset {offset} although it reports {total}; the \
                 page should be requested again"
            ),
            PagingErrorKind::NoNewUsers => format!(
                "the user search page at offset {offset} holds only users listed already: the \
                 server at {base} seems to ignore both `page` and `offset` (check the base URL \
                 and any proxy in between), or the project changed by more than a page during \
                 the listing; the listing stopped instead of repeating pages"
            ),
            PagingErrorKind::PastTotal => format!(
                "the user search reached offset {offset}, more than a page past the {total} \
                 users the server at {base} reports and the users it returned; the listing \
                 stopped instead of paging on"
            ),
        }
    }

    /// True for [`PagingErrorKind::EmptyPageBeforeTotal`] only.
    pub fn is_retryable(&self) -> bool {
        self.kind == PagingErrorKind::EmptyPageBeforeTotal
    }
}

/// Lists every user matching a search, fetched concurrently and handed over in order. Built by
/// [`Users::pager`] (and used by [`Users::search_all`]).
///
/// # How it pages
///
/// Every request carries the page **both ways**: `page` and `offset` together, always consistent
/// (`offset = page × limit`). The official SDKs page by `page`/`limit` and never send `offset`;
/// Descope's docs say a positive `offset` takes precedence. Whichever the backend honours, the
/// same users come back. If Descope rejects the `offset` field with a 400 (an older backend), the
/// pager continues with `page` alone.
///
/// The first page gives `total`; the following pages are then fetched concurrently (at most
/// [`PagerOptions::max_in_flight`] requests outstanding) and handed over in order.
///
/// # When it stops
///
/// A `total` that lies, in either direction, never makes the listing silently short:
/// - an empty page ends the listing, unless it is below the reported total: then the page is an
///   error that is worth retrying ([`PagingErrorKind::EmptyPageBeforeTotal`]);
/// - a short page ends it when it reaches the reported total exactly. A short page *before* the
///   total means the server caps the page size (Descope's maximum `limit` is undocumented): the
///   pager continues with the size the server returns. A short page that goes *past* the total
///   proves the total wrong: one more page is asked to confirm the end;
/// - a full page where the total said the end was extends the listing; when the total is an exact
///   multiple of the page size one more page is fetched (concurrently with the last ones) to
///   confirm it is empty.
///
/// It never loops: a full page that adds no new user (a server that ignores both `page` and
/// `offset` and answers the first page every time) stops the listing with
/// [`PagingErrorKind::NoNewUsers`], and so does an offset beyond the latest reported total (or
/// the users seen, if more) plus one page ([`PagingErrorKind::PastTotal`]). Both are errors, not
/// a quiet end: the listing is incomplete and the caller must know.
///
/// # Page size caps
///
/// A cap is detected on the first page (fewer users than asked, before the total): from then on
/// the pager asks for the server's size, so pages stay aligned (`offset = page × limit`) and the
/// listing costs `ceil(total / cap)` requests plus at most two. A cap that appears mid-way (a
/// server whose limit changes during the listing) costs more: the requests already in flight at
/// the old size are discarded (at most `max_in_flight`), and the next page is realigned to the
/// new size, which may re-fetch up to `cap - 1` users of the page just handed over (dropped as
/// duplicates).
///
/// # Duplicates and memory
///
/// While the project changes during a listing, a user can shift from one page to the next and
/// come back twice. The pager drops a user whose exact id is on the page it handed over just
/// before (or earlier on the same page), which covers that shift. For the "no new user" check it
/// also keeps a 64-bit keyed fingerprint of every id it has handed over: about 19 MB for a
/// million users, instead of the ids themselves. A user is never dropped on a fingerprint alone,
/// so a fingerprint collision cannot lose a user; the price is that a user who moved by more
/// than a page during the listing may be handed over twice. Callers that need strict uniqueness
/// across the whole listing (the ConductorOne connector's index does) compare ids themselves.
/// Users with an empty id are passed through as they come.
///
/// # Use
///
/// Methods take `&self` (calls are serialised inside), so one pager can be shared. Dropping it
/// stops its prefetching.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// use descope_mgmt::{PagerOptions, SearchUsersRequest};
/// let pager = client.users().pager(SearchUsersRequest::new(), PagerOptions::default());
/// while let Some(batch) = pager.next_page().await? {
///    for user in &batch.users {
///        println!("{}", user.user_id);
///    }
/// }
/// let stats = pager.stats().await;
/// if stats.shortfall() > 0 {
///    eprintln!("{} users announced but not listed", stats.shortfall());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct UserPager {
    shared: Arc<Shared>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct Shared {
    users: Users,
    /// The search: its filters; paging fields are set per request.
    search: SearchUsersRequest,
    max_in_flight: usize,
    /// Set once Descope rejected the `offset` field: `page` alone from then on.
    page_only: AtomicBool,
    requests: AtomicU64,
    base_url: String,
}

#[derive(Debug)]
struct State {
    /// Where the next in-order page starts.
    expected: u64,
    /// Where this listing started.
    start: u64,
    /// The page size asked for.
    limit: u64,
    /// The listing ended; `next_page` answers `None`.
    done: bool,
    /// The next page is the first of a listing (a server page size larger than asked is only
    /// adopted there).
    first: bool,
    /// After a short page past the total: the offset where that page ended. A second short page
    /// ending there confirms the end.
    probe_end: Option<u64>,
    pipeline: Option<Pipeline>,
    seen: Seen,
    announced: u64,
    yielded: u64,
    duplicates: u64,
}

/// One search response, as fetched.
#[derive(Debug)]
struct Raw {
    offset: u64,
    limit: u64,
    users: Vec<User>,
    total: u64,
}

impl Users {
    /// A pager over every user matching `search` (its own `page`, `limit` and `offset` are
    /// ignored: the pager sets them), starting at the first page. See [`UserPager`].
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::{PagerOptions, SearchUsersRequest};
    /// let search = SearchUsersRequest::new().tenant_ids(["T1"]);
    /// let pager = client.users().pager(search, PagerOptions::default().max_in_flight(4));
    /// let first = pager.next_page().await?;
    /// # Ok(()) }
    /// ```
    pub fn pager(&self, search: SearchUsersRequest, options: PagerOptions) -> UserPager {
        UserPager::new(self.clone(), search, options, 0)
    }
}

impl UserPager {
    pub(crate) fn new(
        users: Users,
        mut search: SearchUsersRequest,
        options: PagerOptions,
        start: u64,
    ) -> Self {
        search.page = None;
        search.limit = None;
        search.offset = None;
        let limit = u64::from(options.page_size.max(1));
        let base_url = users.client().base_url().as_str().to_owned();
        UserPager {
            shared: Arc::new(Shared {
                users,
                search,
                max_in_flight: options.max_in_flight.max(1),
                page_only: AtomicBool::new(false),
                requests: AtomicU64::new(0),
                base_url,
            }),
            state: Mutex::new(State {
                expected: start - start % limit,
                start: start - start % limit,
                limit,
                done: false,
                first: true,
                probe_end: None,
                pipeline: None,
                seen: Seen::default(),
                announced: 0,
                yielded: 0,
                duplicates: 0,
            }),
        }
    }

    /// The next page in order, or `None` once the listing is complete.
    ///
    /// After an error, calling it again retries the same page (and keeps what the listing has
    /// seen, so nothing is handed over twice).
    pub async fn next_page(&self) -> Result<Option<UserBatch>, Error> {
        let mut st = self.state.lock().await;
        if st.done {
            return Ok(None);
        }
        let offset = st.expected;
        self.fetch_next(&mut st, offset).await.map(Some)
    }

    /// The page that starts at `offset`.
    ///
    /// The offset the previous page named as `next_offset` continues the listing (this is how
    /// a caller walks it with page tokens). Any other offset starts a new listing there (a
    /// resumed sync, or a caller starting over at 0): what the pager has seen is forgotten. An
    /// offset that is not a multiple of the page size starts at the page containing it, so a
    /// few users before `offset` may come back.
    ///
    /// ```no_run
    /// # async fn run(pager: descope_mgmt::UserPager, saved_token: Option<u64>) -> Result<(), descope_mgmt::Error> {
    /// // Walk the listing with page tokens, e.g. to resume where a previous run stopped.
    /// let mut token = saved_token.unwrap_or(0);
    /// loop {
    ///     let batch = pager.page(token).await?;
    ///     // ... store batch.users, then save batch.next_offset as the token ...
    ///     match batch.next_offset {
    ///         Some(next) => token = next,
    ///         None => break,
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn page(&self, offset: u64) -> Result<UserBatch, Error> {
        let mut st = self.state.lock().await;
        if st.done || offset != st.expected {
            st.restart(offset);
        }
        let offset = st.expected;
        self.fetch_next(&mut st, offset).await
    }

    /// What the listing saw so far: the latest total, the users handed over, duplicates dropped,
    /// requests sent and the page size in use.
    pub async fn stats(&self) -> PagerStats {
        let st = self.state.lock().await;
        PagerStats {
            announced: st.announced,
            yielded: st.yielded,
            duplicates: st.duplicates,
            requests: self.shared.requests.load(Ordering::Relaxed),
            page_size: u32::try_from(st.limit).unwrap_or(u32::MAX),
        }
    }

    /// The pages, in order, as a stream that ends after the last page or the first error.
    pub fn into_pages(self) -> impl Stream<Item = Result<UserBatch, Error>> + Send + Unpin {
        stream::try_unfold(self, |pager| async move {
            Ok(pager.next_page().await?.map(|batch| (batch, pager)))
        })
        .boxed()
    }

    /// The users, in order, as a stream that ends after the last user or the first error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// use futures::TryStreamExt;
    /// use descope_mgmt::{PagerOptions, SearchUsersRequest};
    /// let mut users = client.users().pager(SearchUsersRequest::new(), PagerOptions::default()).into_stream();
    /// while let Some(user) = users.try_next().await? {
    ///     println!("{}", user.user_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn into_stream(self) -> impl Stream<Item = Result<User, Error>> + Send + Unpin {
        self.into_pages()
            .map_ok(|batch| stream::iter(batch.users.into_iter().map(Ok)))
            .try_flatten()
    }

    async fn fetch_next(&self, st: &mut State, offset: u64) -> Result<UserBatch, Error> {
        let mut raw = None;
        if let Some(pipeline) = st.pipeline.as_mut() {
            match pipeline.rx.recv().await {
                Some(Ok(page)) if page.offset == offset && page.limit == st.limit => {
                    raw = Some(page);
                }
                // An error ends the pipeline; the next call retries this offset directly.
                Some(Err(err)) => {
                    st.pipeline = None;
                    return Err(err);
                }
                // The pipeline ended, or (defensively) is not where the listing is.
                _ => st.pipeline = None,
            }
        }
        let raw = match raw {
            Some(raw) => raw,
            None => self.shared.fetch(offset, st.limit).await?,
        };
        self.accept(st, raw)
    }

    /// Checks a page, drops duplicates, decides where the listing goes next, and keeps the
    /// prefetching going.
    fn accept(&self, st: &mut State, raw: Raw) -> Result<UserBatch, Error> {
        let Raw {
            offset,
            limit,
            users,
            total,
        } = raw;
        st.announced = total;
        let got = u64::try_from(users.len()).unwrap_or(u64::MAX);
        let fail = |kind| {
            Error::Paging(PagingError {
                kind,
                offset,
                total,
                base_url: self.shared.base_url.clone(),
            })
        };
        if got == 0 && offset < total {
            st.pipeline = None;
            return Err(fail(PagingErrorKind::EmptyPageBeforeTotal));
        }
        // Rows the listing has shown to exist: those before where it started (a resumed
        // listing) plus the distinct users it saw. An empty page past them is simply the end.
        let shown = st.start.saturating_add(st.seen.distinct());
        if got > 0 && offset > total.max(shown).saturating_add(limit) {
            st.pipeline = None;
            return Err(fail(PagingErrorKind::PastTotal));
        }
        let admitted = st.seen.admit(users);
        if got >= limit && admitted.new == 0 && admitted.with_id > 0 {
            st.pipeline = None;
            return Err(fail(PagingErrorKind::NoNewUsers));
        }
        st.duplicates += admitted.duplicates;
        st.yielded += u64::try_from(admitted.users.len()).unwrap_or(u64::MAX);

        let step = next_step(offset, got, limit, total, st.first, st.probe_end);
        st.first = false;
        let next_offset = match step {
            Step::End => {
                st.pipeline = None;
                st.done = true;
                st.expected = offset.saturating_add(got);
                None
            }
            Step::Next {
                offset: next,
                limit: next_limit,
                realigned,
            } => {
                if realigned {
                    if next_limit < st.limit {
                        tracing::info!(
                            requested = st.limit,
                            returned = got,
                            "Descope returned fewer users than requested before the total: paging with its page size"
                        );
                    }
                    st.pipeline = None;
                    st.probe_end = (offset.saturating_add(got) > total && got < limit)
                        .then(|| offset.saturating_add(got));
                } else {
                    st.probe_end = None;
                }
                st.limit = next_limit;
                st.expected = next;
                if st.pipeline.is_none() {
                    st.pipeline = Some(Pipeline::start(
                        self.shared.clone(),
                        next,
                        next_limit,
                        total,
                    ));
                }
                Some(next)
            }
        };
        Ok(UserBatch {
            users: admitted.users,
            offset,
            next_offset,
            total,
        })
    }
}

impl State {
    /// Starts a new listing at `offset` (aligned down to the page size).
    fn restart(&mut self, offset: u64) {
        self.pipeline = None;
        self.expected = offset - offset % self.limit;
        self.start = self.expected;
        self.done = false;
        self.first = true;
        self.probe_end = None;
        self.seen = Seen::default();
        self.announced = 0;
        self.yielded = 0;
        self.duplicates = 0;
    }
}
