//! [`UserPager`]: every user matching a search, fetched concurrently, handed over in order, and
//! robust against servers that page differently than documented.

mod fetch;
mod plan;
mod seen;
mod types;
mod verify;
mod walk;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures::{Stream, StreamExt, TryStreamExt, stream};
use tokio::sync::Mutex;

use self::fetch::Pipeline;
use self::plan::effective_overlap;
use self::seen::Seen;
pub use self::types::{PageBoundary, PagerOptions, PagerStats, UserBatch};
use crate::error::Error;
use crate::models::{SearchUsersRequest, User};
use crate::users::Users;

/// Default page size (Descope's default `limit`).
const DEFAULT_PAGE_SIZE: u32 = 100;
/// Default number of page requests outstanding at once.
const DEFAULT_MAX_IN_FLIGHT: usize = 16;

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
/// # Pages that overlap
///
/// With [`PagerOptions::overlap`] set to `k`, each page asks for `page_size + k` users and the
/// next one starts `page_size` further on, so neighbouring pages share `k` users. Offset paging
/// over a project that changes has one silent failure: users deleted in front of a page between
/// two requests shift every later user forward, and the users that slide across the page
/// boundary are in no page (the total drops by as many, so no count shows it). Overlapping
/// pages make the shift visible: a page that shares no user id with the page before it (more
/// than `k - 1` users vanished in front of it in between) is not accepted. The pager then fetches
/// the page before it again (and, if that one shares nothing with what it replaced either,
/// pages further back, doubling the step, down to the first page), walks forward again from there
/// checking each page against the one before, and only then hands over the page asked for, with
/// the users the gap hid. Users handed over before may come again then (callers compare ids).
///
/// The guarantee, given that Descope lists users in a fixed order (a user keeps its place
/// relative to the others, whatever else is created or deleted): **every user present from the
/// first request of the listing to its last is handed over**. Two pages that share a user cover
/// everything between them, whenever each was fetched: a user present at both requests that
/// sorts before the shared user was in the earlier page, one that sorts after it in the later
/// page. A chain of pages that each share a user with the next, from the first page to a short
/// last one, covers every such user. Users created or deleted during the listing may or may not
/// be handed over. Users created in front of a page only make pages share more.
///
/// Cost: no extra request on a project that holds still when the server honours
/// `page_size + k` (each page moves on by `page_size`); `k / (cap - k)` more requests when the
/// server caps pages at `cap` users (4 of 96, 4.2%, for `k = 4` and a cap of 100). A shift costs
/// the prefetched pages that are dropped (at most [`PagerOptions::max_in_flight`]), one request to
/// fetch the page before again, and one per page walked back. A server that pages by page number
/// only (one that rejected `offset`) cannot overlap pages: there, and for pages without user ids,
/// the boundaries are counted as unverified in [`PagerStats::unverified`] and logged.
///
/// [`UserPager::page_after`] carries the check across a resumed listing: the
/// [`UserBatch::boundary`] of the last page handed over is the page the resumed listing's first
/// page must share a user with.
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
///
/// [`PagingErrorKind::EmptyPageBeforeTotal`]: crate::PagingErrorKind::EmptyPageBeforeTotal
/// [`PagingErrorKind::NoNewUsers`]: crate::PagingErrorKind::NoNewUsers
/// [`PagingErrorKind::PastTotal`]: crate::PagingErrorKind::PastTotal
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
    /// Users each page repeats of the page before ([`PagerOptions::overlap`]).
    overlap: u64,
    /// Set once Descope rejected the `offset` field: `page` alone from then on.
    page_only: AtomicBool,
    requests: AtomicU64,
    base_url: String,
}

impl Shared {
    /// The overlap pages are asked with at this page size (none once paging by page number).
    fn overlap_at(&self, limit: u64) -> u64 {
        if self.page_only.load(Ordering::Relaxed) {
            0
        } else {
            effective_overlap(limit, self.overlap)
        }
    }
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
    /// The last page taken (its offset and user ids), which the next page is checked against
    /// when pages overlap.
    prev: Option<verify::Window>,
    /// The furthest offset taken in this listing (pages fetched again to close a gap lie
    /// behind it).
    furthest: Option<u64>,
    /// Full pages in a row that held no user not handed over before.
    pages_without_new: u32,
    /// Users taken by a batch that failed before it was handed over (see `fetch_next`).
    carried: Vec<User>,
    announced: u64,
    yielded: u64,
    duplicates: u64,
    shifts: u64,
    refetches: u64,
    unverified: u64,
}

/// One search response, as fetched.
#[derive(Debug)]
struct Raw {
    offset: u64,
    limit: u64,
    users: Vec<User>,
    total: u64,
}

/// A page after its checks: what it adds to the batch and where the listing goes next.
#[derive(Debug)]
struct Taken {
    offset: u64,
    users: Vec<User>,
    next: Option<u64>,
    total: u64,
}

/// Shifts one page may meet (each closed by fetching the shifted range again) before the
/// listing stops with [`PagingErrorKind::TooManyShifts`](crate::PagingErrorKind::TooManyShifts).
const MAX_SHIFTS_PER_PAGE: u32 = 16;

/// Full pages in a row without a new user that an overlapping listing accepts (users created in
/// front of it) before it concludes the server ignores the paging fields.
const MAX_PAGES_WITHOUT_NEW: u32 = 16;

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

    /// Every user matching `req`, as a stream, through a [`crate::UserPager`]: pages fetched
    /// concurrently (16 requests at most), handed over in order, robust against a `total` that
    /// lies, a capped page size, servers that honour only `page` or only `offset`, and users
    /// shifting between pages (see the pager for exactly what it guarantees).
    ///
    /// The page size is `req.limit` (100 when unset); the listing starts at `req.offset`, or at
    /// `req.page × limit`, or at the first page. Use a stable `sort` (e.g. `createdTime`) if
    /// users change during the walk. For the statistics of the listing (a shortfall against the
    /// total), use [`Users::pager`] instead.
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
    ) -> impl Stream<Item = Result<User, Error>> + Send + Unpin + use<> {
        let page_size = req.limit.filter(|l| *l > 0).unwrap_or(DEFAULT_PAGE_SIZE);
        let start = req.offset.unwrap_or_else(|| {
            u64::from(req.page.unwrap_or(0)).saturating_mul(u64::from(page_size))
        });
        let options = PagerOptions::default().page_size(page_size);
        UserPager::new(self.clone(), req, options, start).into_stream()
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
        let overlap = u64::from(options.overlap);
        // Overlapping pages ask for `overlap` more users than a page moves on by.
        let limit = u64::from(options.page_size.max(1)).saturating_add(overlap);
        let base_url = users.client().base_url().as_str().to_owned();
        let start = if overlap > 0 {
            start
        } else {
            start - start % limit
        };
        UserPager {
            shared: Arc::new(Shared {
                users,
                search,
                max_in_flight: options.max_in_flight.max(1),
                overlap,
                page_only: AtomicBool::new(false),
                requests: AtomicU64::new(0),
                base_url,
            }),
            state: Mutex::new(State {
                expected: start,
                start,
                limit,
                done: false,
                first: true,
                probe_end: None,
                pipeline: None,
                seen: Seen::default(),
                prev: None,
                furthest: None,
                pages_without_new: 0,
                carried: Vec::new(),
                announced: 0,
                yielded: 0,
                duplicates: 0,
                shifts: 0,
                refetches: 0,
                unverified: 0,
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
    /// few users before `offset` may come back (pages that overlap start exactly at `offset`).
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
        self.page_after(offset, None).await
    }

    /// Like [`UserPager::page`], for a listing resumed after `boundary` (the
    /// [`UserBatch::boundary`] of the page handed over before `offset`, kept by the caller):
    /// when pages overlap, the page at `offset` must share a user with it, or the range is
    /// fetched again (see "Pages that overlap"). The boundary is only used when `offset` starts a
    /// new listing; a listing that continues has the page before in memory.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client, token: u64, saved: descope_mgmt::PageBoundary) -> Result<(), descope_mgmt::Error> {
    /// use descope_mgmt::{PagerOptions, SearchUsersRequest};
    /// let pager = client.users().pager(SearchUsersRequest::new(), PagerOptions::default().overlap(4));
    /// let batch = pager.page_after(token, Some(&saved)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn page_after(
        &self,
        offset: u64,
        boundary: Option<&PageBoundary>,
    ) -> Result<UserBatch, Error> {
        let mut st = self.state.lock().await;
        if st.done || offset != st.expected {
            let align = self.shared.overlap == 0 || self.shared.page_only.load(Ordering::Relaxed);
            st.restart(offset, align);
            if let Some(b) = boundary
                .filter(|b| self.shared.overlap > 0 && (b.offset < offset || b.is_unknown()))
            {
                st.prev = Some(verify::Window::from_boundary(b));
            }
        }
        let offset = st.expected;
        self.fetch_next(&mut st, offset).await
    }

    /// Whether [`UserPager::page`] at `offset` continues the listing under way (rather than
    /// starting a new one there).
    pub async fn continues(&self, offset: u64) -> bool {
        let st = self.state.lock().await;
        !st.done && offset == st.expected
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
            shifts: st.shifts,
            refetches: st.refetches,
            unverified: st.unverified,
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
}

impl State {
    /// Starts a new listing at `offset` (aligned down to the page size when `align`).
    fn restart(&mut self, offset: u64, align: bool) {
        self.pipeline = None;
        self.expected = if align {
            offset - offset % self.limit
        } else {
            offset
        };
        self.start = self.expected;
        self.done = false;
        self.first = true;
        self.probe_end = None;
        self.seen = Seen::default();
        self.prev = None;
        self.furthest = None;
        self.pages_without_new = 0;
        self.carried = Vec::new();
        self.announced = 0;
        self.yielded = 0;
        self.duplicates = 0;
    }
}
