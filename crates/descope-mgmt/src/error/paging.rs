//! [`PagingError`]: a listing the pager stopped instead of completing it wrongly.

/// Why a listing stopped ([`PagingError::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingErrorKind {
    /// A page came back empty although the total it reported says there are users at its
    /// offset. Retrying the page may succeed ([`Error::is_retryable`](crate::Error::is_retryable)).
    EmptyPageBeforeTotal,
    /// A full page held only users already handed over: the server ignores both `page` and
    /// `offset`, or the project changed by more than a page during the listing.
    NoNewUsers,
    /// The listing reached an offset beyond the latest reported total (or the users seen, if
    /// more) plus one page.
    PastTotal,
    /// The project kept shifting under the listing: pages fetched again to close one gap kept
    /// showing new shifts. Retrying later may succeed ([`Error::is_retryable`](crate::Error::is_retryable)).
    TooManyShifts,
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
            PagingErrorKind::TooManyShifts => format!(
                "the user search at offset {offset} kept shifting: users were deleted in front \
                 of it faster than the pages could be fetched again (the server at {base} now \
                 reports {total}); the listing stopped rather than skip users, and can be retried"
            ),
            PagingErrorKind::PastTotal => format!(
                "the user search reached offset {offset}, more than a page past the {total} \
                 users the server at {base} reports and the users it returned; the listing \
                 stopped instead of paging on"
            ),
        }
    }

    /// True for [`PagingErrorKind::EmptyPageBeforeTotal`] and
    /// [`PagingErrorKind::TooManyShifts`].
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            PagingErrorKind::EmptyPageBeforeTotal | PagingErrorKind::TooManyShifts
        )
    }
}
