//! The pager's public types: its options, the pages it hands over, its statistics and errors.

use super::{DEFAULT_MAX_IN_FLIGHT, DEFAULT_PAGE_SIZE};
use crate::models::User;

/// Settings of a [`UserPager`](super::UserPager).
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
    /// Users each page shares with the next, 0 by default (pages side by side, as the official
    /// SDKs page). With `overlap` > 0, each page asks for `page_size + overlap` users and the
    /// next page starts `page_size` further on, so neighbouring pages repeat `overlap` users;
    /// the pager checks that they do, and a page that shares no user with the page before it
    /// (the project shrank by `overlap` users or more in front of it between the two requests)
    /// makes the pager fetch the shifted range again. See "Pages that overlap" on
    /// [`UserPager`](super::UserPager).
    pub overlap: u32,
}

impl Default for PagerOptions {
    fn default() -> Self {
        PagerOptions {
            page_size: DEFAULT_PAGE_SIZE,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            overlap: 0,
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

    /// Sets `overlap` (0 turns the checks off).
    ///
    /// ```
    /// let options = descope_mgmt::PagerOptions::default().page_size(100).overlap(4);
    /// assert_eq!((options.page_size, options.overlap), (100, 4));
    /// ```
    #[must_use]
    pub fn overlap(mut self, n: u32) -> Self {
        self.overlap = n;
        self
    }
}

/// Where a page of an overlapping listing ended, so that a listing resumed after it (in another
/// process, days later) can check that the project did not shift in between: the page's offset
/// and the ids of its last users. Pass it to [`UserPager::page_after`](super::UserPager::page_after).
///
/// ```
/// let b = descope_mgmt::PageBoundary::new(96, vec!["U1".into(), "U2".into()]);
/// assert_eq!(b.offset, 96);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PageBoundary {
    /// Where the page started.
    pub offset: u64,
    /// The ids of its last users (up to twice the overlap), in order.
    pub tail: Vec<String>,
}

impl PageBoundary {
    /// A boundary: the page at `offset` ended with the users `tail`.
    pub fn new(offset: u64, tail: Vec<String>) -> Self {
        PageBoundary { offset, tail }
    }

    /// A boundary nothing is known of (no ids): a listing resumed after it cannot rule out a
    /// shift, and lists again from the first page.
    ///
    /// ```
    /// assert!(descope_mgmt::PageBoundary::unknown().is_unknown());
    /// ```
    pub fn unknown() -> Self {
        PageBoundary::default()
    }

    /// Whether this boundary names no user (see [`PageBoundary::unknown`]).
    pub fn is_unknown(&self) -> bool {
        self.tail.iter().all(String::is_empty)
    }
}

/// One page of a listing, in order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserBatch {
    /// The users of this page not handed over before (see [`UserPager`](super::UserPager) on duplicates).
    pub users: Vec<User>,
    /// Where this page starts.
    pub offset: u64,
    /// Where the next page starts, or `None` when this was the last page. Pass it to
    /// [`UserPager::page`](super::UserPager::page) to continue (or to resume in another process).
    pub next_offset: Option<u64>,
    /// The total this page reported.
    pub total: u64,
    /// With [`PagerOptions::overlap`]: where the last page fetched for this batch ended, for a
    /// listing resumed at `next_offset` ([`UserPager::page_after`](super::UserPager::page_after)).
    pub boundary: Option<PageBoundary>,
}

/// What a listing saw so far ([`UserPager::stats`](super::UserPager::stats)).
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
    /// Times a page shared no user with the page before it (with
    /// [`PagerOptions::overlap`]): the project shifted, and the range was fetched again.
    pub shifts: u64,
    /// Search requests sent to fetch shifted ranges again (included in `requests`).
    pub refetches: u64,
    /// Page boundaries that could not be checked: pages without user ids, a server that pages
    /// by page number only (pages cannot overlap there), or a page size too small to overlap.
    pub unverified: u64,
}

impl PagerStats {
    /// Announced users that were not handed over: more than zero after a complete listing means
    /// the project shrank during the listing, or the server's count and pages disagree; report
    /// it.
    pub fn shortfall(&self) -> u64 {
        self.announced.saturating_sub(self.yielded)
    }
}
