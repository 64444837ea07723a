//! [`UserPager`]: every user matching a search, fetched concurrently, handed over in order, and
//! robust against servers that page differently than documented.
//!
//! # How it pages
//!
//! Every request carries the page **both ways**: `page` and `offset` together, always consistent
//! (`offset = page × limit`). The official SDKs page by `page`/`limit` and never send `offset`;
//! Descope's docs say a positive `offset` takes precedence. Whichever the backend honours, the
//! same users come back. If Descope rejects the `offset` field with a 400 (an older backend), the
//! pager continues with `page` alone.
//!
//! The first page gives `total`; the following pages are then fetched concurrently (at most
//! [`PagerOptions::max_in_flight`] requests outstanding) and handed over in order.
//!
//! # When it stops
//!
//! A `total` that lies, in either direction, never makes the listing silently short:
//! - an empty page ends the listing, unless it is below the reported total: then the page is an
//!   error that is worth retrying ([`PagingErrorKind::EmptyPageBeforeTotal`]);
//! - a short page ends it when it reaches the reported total exactly. A short page *before* the
//!   total means the server caps the page size (Descope's maximum `limit` is undocumented): the
//!   pager continues with the size the server returns. A short page that goes *past* the total
//!   proves the total wrong: one more page is asked to confirm the end;
//! - a full page where the total said the end was extends the listing; when the total is an exact
//!   multiple of the page size one more page is fetched (concurrently with the last ones) to
//!   confirm it is empty.
//!
//! It never loops: a full page that adds no new user (a server that ignores both `page` and
//! `offset` and answers the first page every time) stops the listing with
//! [`PagingErrorKind::NoNewUsers`], and so does an offset beyond the latest reported total (or
//! the users seen, if more) plus one page ([`PagingErrorKind::PastTotal`]). Both are errors, not
//! a quiet end: the listing is incomplete and the caller must know.
//!
//! # Page size caps
//!
//! A cap is detected on the first page (fewer users than asked, before the total): from then on
//! the pager asks for the server's size, so pages stay aligned (`offset = page × limit`) and the
//! listing costs `ceil(total / cap)` requests plus at most two. A cap that appears mid-way (a
//! server whose limit changes during the listing) costs more: the requests already in flight at
//! the old size are discarded (at most `max_in_flight`), and the next page is realigned to the
//! new size, which may re-fetch up to `cap - 1` users of the page just handed over (dropped as
//! duplicates).
//!
//! # Duplicates and memory
//!
//! While the project changes during a listing, a user can shift from one page to the next and
//! come back twice. The pager drops a user whose exact id is on the page it handed over just
//! before (or earlier on the same page), which covers that shift. For the "no new user" check it
//! also keeps a 64-bit keyed fingerprint of every id it has handed over: about 19 MB for a
//! million users, instead of the ids themselves. A user is never dropped on a fingerprint alone,
//! so a fingerprint collision cannot lose a user; the price is that a user who moved by more
//! than a page during the listing may be handed over twice. Callers that need strict uniqueness
//! across the whole listing (the ConductorOne connector's index does) compare ids themselves.
//! Users with an empty id are passed through as they come.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures::stream::FuturesOrdered;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

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
    /// The users of this page not handed over before (see the module docs on duplicates).
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

/// Lists every user matching a search; see the [module docs](self) for how it pages, when it
/// stops, and what it deduplicates. Built by [`Users::pager`].
///
/// Methods take `&self` (calls are serialised inside), so one pager can be shared. Dropping it
/// stops its prefetching.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// use descope_mgmt::{PagerOptions, SearchUsersRequest};
/// let pager = client.users().pager(SearchUsersRequest::new(), PagerOptions::default());
/// while let Some(batch) = pager.next_page().await? {
///     for user in &batch.users {
///         println!("{}", user.user_id);
///     }
/// }
/// let stats = pager.stats().await;
/// if stats.shortfall() > 0 {
///     eprintln!("{} users announced but not listed", stats.shortfall());
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
        if offset > total.max(st.seen.distinct()).saturating_add(limit) {
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
                    st.pipeline = Some(Pipeline::start(self.shared.clone(), next, next_limit, total));
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
        self.done = false;
        self.first = true;
        self.probe_end = None;
        self.seen = Seen::default();
        self.announced = 0;
        self.yielded = 0;
        self.duplicates = 0;
    }
}

/// Where the listing goes after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    End,
    Next {
        offset: u64,
        limit: u64,
        /// The page size or alignment changed: pages scheduled before are wrong.
        realigned: bool,
    },
}

/// The decision after a page of `got` users at `offset`, asked with `limit`, reporting `total`.
/// `first`: the first page of a listing; `probe_end`: where a previous short page past the total
/// ended (see the module docs).
fn next_step(
    offset: u64,
    got: u64,
    limit: u64,
    total: u64,
    first: bool,
    probe_end: Option<u64>,
) -> Step {
    let end = offset.saturating_add(got);
    if got == 0 {
        return Step::End;
    }
    if got < limit {
        // A short page at the total is the end; so is a second short page ending where a
        // previous one past the total ended (nothing came after it).
        if end == total || (end > total && probe_end == Some(end)) {
            return Step::End;
        }
        // Before the total: the server caps the page size. Past it: the total is wrong, and one
        // more page (at the short page's size) confirms the end. Either way, continue with the
        // server's size, aligned so that `offset = page × limit` holds.
        return realign(end, got);
    }
    if got > limit && first {
        // The server returns more than asked: page with its size.
        return realign(end, got);
    }
    // A full page (or an over-full one later on: advancing by the size asked never skips a
    // user; any overlap is dropped as duplicates).
    Step::Next {
        offset: offset.saturating_add(limit),
        limit,
        realigned: false,
    }
}

/// Continue at `end` with pages of `size`: from the page of that size containing `end`, so the
/// offset stays a multiple of the page size. Re-fetches at most `size - 1` users of the page
/// just seen (they are dropped as duplicates).
fn realign(end: u64, size: u64) -> Step {
    Step::Next {
        offset: end - end % size,
        limit: size,
        realigned: true,
    }
}

/// The offset up to which pages are scheduled for a reported `total`: every page the total
/// covers, plus one more when the total is an exact multiple of the page size. Only then is the
/// last page full whether or not the total is honest; otherwise a full last page already shows
/// that the total was too low (and extends the run).
fn scheduled_end(total: u64, limit: u64) -> u64 {
    let covered = total.div_ceil(limit).saturating_mul(limit);
    if total.is_multiple_of(limit) {
        covered.saturating_add(limit)
    } else {
        covered
    }
}

impl Shared {
    fn request(&self, offset: u64, limit: u64, page_only: bool) -> Result<SearchUsersRequest, Error> {
        let page = u32::try_from(offset / limit).map_err(|_| {
            Error::Paging(PagingError {
                kind: PagingErrorKind::PastTotal,
                offset,
                total: 0,
                base_url: self.base_url.clone(),
            })
        })?;
        let mut req = self.search.clone();
        req.limit = Some(u32::try_from(limit).unwrap_or(u32::MAX));
        req.page = Some(page);
        if !page_only {
            req.offset = Some(offset);
        }
        Ok(req)
    }

    /// One search request.
    async fn fetch(&self, offset: u64, limit: u64) -> Result<Raw, Error> {
        let page_only = self.page_only.load(Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = self.users.search(&self.request(offset, limit, page_only)?).await;
        let page = match result {
            Ok(page) => page,
            // An older backend that does not know `offset` rejects it as an unknown field. Try
            // `page` alone; only if that works is the mode switched for the rest of the pager
            // (a 400 about something else fails both ways, and is returned).
            Err(err) if !page_only && err.status() == Some(400) => {
                self.requests.fetch_add(1, Ordering::Relaxed);
                let page = self.users.search(&self.request(offset, limit, true)?).await?;
                if !self.page_only.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "Descope rejected the search `offset` field; paging by page number instead"
                    );
                }
                page
            }
            Err(err) => return Err(err),
        };
        Ok(Raw {
            offset,
            limit,
            users: page.users,
            total: page.total,
        })
    }

    /// Fetches pages from `start` on, in order, keeping at most `max_in_flight` outstanding
    /// (in flight or queued for hand-over), and stops after a short page or an error.
    async fn run(
        self: Arc<Self>,
        start: u64,
        limit: u64,
        total: u64,
        tx: mpsc::Sender<Result<Raw, Error>>,
    ) {
        let mut end = scheduled_end(total, limit).max(start.saturating_add(limit));
        let mut next = start;
        let mut in_flight = FuturesOrdered::new();
        loop {
            while in_flight.len() + (self.max_in_flight - tx.capacity()) < self.max_in_flight
                && next < end
            {
                let shared = self.clone();
                let offset = next;
                in_flight.push_back(async move { shared.fetch(offset, limit).await });
                next = next.saturating_add(limit);
            }
            let Some(result) = in_flight.next().await else {
                return;
            };
            let raw = match result {
                Ok(raw) => raw,
                Err(err) => {
                    let _ = tx.send(Err(err)).await;
                    return;
                }
            };
            let got = u64::try_from(raw.users.len()).unwrap_or(u64::MAX);
            // A grown total, or a full page where the total said the end was, extends the run.
            end = end.max(scheduled_end(raw.total, limit));
            if got >= limit && raw.offset.saturating_add(limit) >= end {
                end = raw.offset.saturating_add(limit.saturating_mul(2));
            }
            // A short page is the end or a page size to adapt to: the consumer decides, and
            // pages scheduled after it would be wrong.
            let stop = got < limit;
            if tx.send(Ok(raw)).await.is_err() || stop {
                return;
            }
        }
    }
}

/// The prefetching task and the channel it hands pages over through.
#[derive(Debug)]
struct Pipeline {
    rx: mpsc::Receiver<Result<Raw, Error>>,
    task: JoinHandle<()>,
}

impl Pipeline {
    fn start(shared: Arc<Shared>, start: u64, limit: u64, total: u64) -> Self {
        let (tx, rx) = mpsc::channel(shared.max_in_flight);
        let task = tokio::spawn(shared.run(start, limit, total, tx));
        Pipeline { rx, task }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a listing has handed over: fingerprints of every id, and the exact ids of the last page.
#[derive(Debug, Default)]
struct Seen {
    fingerprints: HashSet<u64, BuildHasherDefault<Identity>>,
    /// Random keys per listing: fingerprints cannot be made to collide on purpose.
    keys: RandomState,
    previous: HashSet<String>,
}

/// A page after deduplication.
#[derive(Debug)]
struct Admitted {
    users: Vec<User>,
    /// Users whose fingerprint was not seen before.
    new: usize,
    /// Users with a non-empty id.
    with_id: usize,
    duplicates: u64,
}

impl Seen {
    fn distinct(&self) -> u64 {
        u64::try_from(self.fingerprints.len()).unwrap_or(u64::MAX)
    }

    fn admit(&mut self, users: Vec<User>) -> Admitted {
        let mut current = HashSet::with_capacity(users.len());
        let mut out = Vec::with_capacity(users.len());
        let (mut new, mut with_id, mut duplicates) = (0, 0, 0);
        for user in users {
            if user.user_id.is_empty() {
                out.push(user);
                continue;
            }
            with_id += 1;
            if current.contains(&user.user_id) || self.previous.contains(&user.user_id) {
                duplicates += 1;
                continue;
            }
            if self.fingerprints.insert(self.keys.hash_one(&user.user_id)) {
                new += 1;
            }
            current.insert(user.user_id.clone());
            out.push(user);
        }
        self.previous = current;
        Admitted {
            users: out,
            new,
            with_id,
            duplicates,
        }
    }
}

/// The fingerprints are already uniformly distributed hashes: hashing them again is wasted work.
#[derive(Debug, Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in so the hasher stays correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_one_page_past_an_exact_multiple_only() {
        assert_eq!(scheduled_end(1_050, 100), 1_100);
        assert_eq!(scheduled_end(1_000, 100), 1_100);
        assert_eq!(scheduled_end(0, 100), 100);
        assert_eq!(scheduled_end(u64::MAX, 100), u64::MAX);
    }

    fn next(offset: u64, limit: u64) -> Step {
        Step::Next {
            offset,
            limit,
            realigned: false,
        }
    }

    #[test]
    fn where_the_listing_goes_next() {
        // A full page: on, whatever the total says.
        assert_eq!(next_step(0, 100, 100, 50, true, None), next(100, 100));
        // A short page at the total: the end.
        assert_eq!(next_step(200, 30, 100, 230, false, None), Step::End);
        // An empty page: the end (the caller checks it against the total first).
        assert_eq!(next_step(300, 0, 100, 1_000, false, None), Step::End);
        // A short first page before the total: the server's size, aligned.
        assert_eq!(next_step(0, 40, 100, 230, true, None), realign(40, 40));
        assert_eq!(realign(40, 40), Step::Next { offset: 40, limit: 40, realigned: true });
        // A cap that appears mid-way: realigned to a multiple of the new size.
        assert_eq!(
            next_step(500, 99, 100, 5_000, false, None),
            Step::Next { offset: 594, limit: 99, realigned: true }
        );
        // A short page past the total: one more page confirms the end...
        assert_eq!(
            next_step(500, 30, 100, 0, false, None),
            Step::Next { offset: 510, limit: 30, realigned: true }
        );
        // ... and a short page ending at the same place is the end.
        assert_eq!(next_step(510, 20, 30, 0, false, Some(530)), Step::End);
        // More than asked on the first page: the server's size.
        assert_eq!(
            next_step(0, 150, 100, 1_000, true, None),
            Step::Next { offset: 150, limit: 150, realigned: true }
        );
        // More than asked later: advance by the size asked (overlap is deduplicated).
        assert_eq!(next_step(100, 101, 100, 1_000, false, None), next(200, 100));
    }

    #[test]
    fn realigned_offsets_are_multiples_and_never_go_back() {
        for end in 1..500u64 {
            for size in 1..=end.min(120) {
                let Step::Next { offset, limit, .. } = realign(end, size) else {
                    panic!("realign always continues")
                };
                assert_eq!(offset % limit, 0);
                assert!(offset <= end && offset + size > end, "{end} {size}");
            }
        }
    }

    fn user(id: &str) -> User {
        let mut u = User::default();
        u.user_id = id.to_owned();
        u
    }

    #[test]
    fn duplicates_of_the_previous_page_are_dropped_and_fingerprints_count_new_users() {
        let mut seen = Seen::default();
        let a = seen.admit(vec![user("U1"), user("U2"), user("U2"), user("")]);
        assert_eq!(a.users.len(), 3);
        assert_eq!((a.new, a.with_id, a.duplicates), (2, 3, 1));
        let b = seen.admit(vec![user("U2"), user("U3")]);
        assert_eq!(b.users.iter().map(|u| u.user_id.as_str()).collect::<Vec<_>>(), ["U3"]);
        assert_eq!((b.new, b.duplicates), (1, 1));
        // U1 is two pages back: not dropped on its fingerprint alone, but not new either.
        let c = seen.admit(vec![user("U1")]);
        assert_eq!((c.users.len(), c.new, c.duplicates), (1, 0, 0));
        assert_eq!(seen.distinct(), 3);
    }
}
