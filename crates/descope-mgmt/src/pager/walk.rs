//! Taking pages in order: each checked, the shifted range fetched again first when the project
//! moved under the listing, and the batch handed over (see [`UserPager`]).

use std::sync::atomic::Ordering;

use super::fetch::Pipeline;
use super::plan::{Step, next_step, next_step_overlapping};
use super::{
    MAX_PAGES_WITHOUT_NEW, MAX_SHIFTS_PER_PAGE, Raw, State, Taken, UserBatch, UserPager, verify,
};
use crate::error::{Error, PagingError, PagingErrorKind};
use crate::models::User;

impl UserPager {
    /// The page at `offset`: from the prefetching pipeline when it is there, else fetched now.
    async fn next_raw(&self, st: &mut State, offset: u64) -> Result<Raw, Error> {
        if let Some(pipeline) = st.pipeline.as_mut() {
            match pipeline.rx.recv().await {
                Some(Ok(page)) if page.offset == offset && page.limit == st.limit => {
                    return Ok(page);
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
        self.shared.fetch(offset, st.limit).await
    }

    /// The batch at `offset`: its page, checked against the page before; when the project
    /// shifted in between, the shifted range fetched again first (see "Pages that overlap").
    pub(super) async fn fetch_next(&self, st: &mut State, offset: u64) -> Result<UserBatch, Error> {
        // Users taken by an attempt that then failed part-way through closing a gap: handed
        // over with this batch (they are in the listing's memory already, so fetching them
        // again would drop them as duplicates).
        let mut users = std::mem::take(&mut st.carried);
        match self.walk(st, offset, &mut users).await {
            Ok((next, total)) => {
                if let (Some(next), None) = (next, &st.pipeline) {
                    let stride = st.limit - self.shared.overlap_at(st.limit);
                    st.pipeline = Some(Pipeline::start(
                        self.shared.clone(),
                        next,
                        (st.limit, stride),
                        total,
                    ));
                }
                let boundary = st
                    .prev
                    .as_ref()
                    .filter(|_| self.shared.overlap > 0)
                    .map(|w| w.boundary(2 * self.shared.overlap));
                Ok(UserBatch {
                    users,
                    offset,
                    next_offset: next,
                    total,
                    boundary,
                })
            }
            Err(err) => {
                // A retry asks for this batch again: it continues from the last page taken
                // (the gap, if any, is closed from there) and hands over what was taken.
                if !st.done {
                    st.expected = offset;
                }
                st.pipeline = None;
                st.carried = users;
                Err(err)
            }
        }
    }

    /// Takes pages until the one at `offset` (or the end): the page there, or, when the project
    /// shifted since the page before, the shifted range again first. Returns where the listing
    /// goes next and the latest total.
    async fn walk(
        &self,
        st: &mut State,
        offset: u64,
        users: &mut Vec<User>,
    ) -> Result<(Option<u64>, u64), Error> {
        let mut raw = self.next_raw(st, offset).await?;
        let mut shifts = 0u32;
        loop {
            if self.ignores_offset(st, &raw) {
                // The same users at another offset: the server pages by `page` alone (and
                // ignores `offset` without rejecting it). Pages cannot overlap there: go on
                // with the page after the one it answered, by page number.
                self.shared.page_only.store(true, Ordering::Relaxed);
                st.pipeline = None;
                st.unverified += 1;
                tracing::warn!(
                    offset = raw.offset,
                    "the user search answered the same users for another offset: the server ignores `offset`; paging by page number, without overlapping pages (a shift between pages cannot be seen there)"
                );
                let next = (raw.offset / raw.limit).saturating_add(1) * raw.limit;
                raw = self.shared.fetch(next, st.limit).await?;
                continue;
            }
            if self.shifted(st, &raw) {
                shifts += 1;
                if shifts > MAX_SHIFTS_PER_PAGE {
                    st.pipeline = None;
                    return Err(self.paging_error(
                        PagingErrorKind::TooManyShifts,
                        offset,
                        raw.total,
                    ));
                }
                raw = self.back_up(st, &raw).await?;
            }
            let taken = self.take(st, raw)?;
            users.extend(taken.users);
            match taken.next {
                // A page fetched again behind the one asked for: walk on to it.
                Some(next) if taken.offset < offset => {
                    st.refetches += 1;
                    raw = self.shared.fetch(next, st.limit).await?;
                }
                next => return Ok((next, taken.total)),
            }
        }
    }

    fn paging_error(&self, kind: PagingErrorKind, offset: u64, total: u64) -> Error {
        Error::Paging(PagingError {
            kind,
            offset,
            total,
            base_url: self.shared.base_url.clone(),
        })
    }

    /// Checks a page, drops duplicates and decides where the listing goes next.
    fn take(&self, st: &mut State, raw: Raw) -> Result<Taken, Error> {
        let Raw {
            offset,
            limit,
            users,
            total,
        } = raw;
        st.announced = total;
        let got = u64::try_from(users.len()).unwrap_or(u64::MAX);
        if got == 0 && offset < total {
            st.pipeline = None;
            return Err(self.paging_error(PagingErrorKind::EmptyPageBeforeTotal, offset, total));
        }
        // Rows the listing has shown to exist: those before where it started (a resumed
        // listing) plus the distinct users it saw. An empty page past them is simply the end.
        let shown = st.start.saturating_add(st.seen.distinct());
        if got > 0 && offset > total.max(shown).saturating_add(limit) {
            st.pipeline = None;
            return Err(self.paging_error(PagingErrorKind::PastTotal, offset, total));
        }
        // A page fetched again behind the furthest one taken repeats users by design.
        let behind = st.furthest.is_some_and(|f| offset <= f);
        st.furthest = Some(st.furthest.map_or(offset, |f| f.max(offset)));
        let window = verify::Window::of(offset, &users);
        let admitted = st.seen.admit(users);
        let nothing_new = got >= limit && admitted.new == 0 && admitted.with_id > 0;
        st.pages_without_new = if nothing_new && !behind {
            st.pages_without_new + 1
        } else {
            0
        };
        // Side by side, one full page with nothing new means the server ignores the paging
        // fields. Overlapping, users created in front of the listing can fill a few pages with
        // users handed over already; a run of such pages is that server.
        let allowed = if self.shared.overlap > 0 {
            MAX_PAGES_WITHOUT_NEW
        } else {
            1
        };
        if st.pages_without_new >= allowed {
            st.pipeline = None;
            return Err(self.paging_error(PagingErrorKind::NoNewUsers, offset, total));
        }
        st.prev = Some(window);
        st.duplicates += admitted.duplicates;
        st.yielded += if behind {
            u64::try_from(admitted.new).unwrap_or(u64::MAX)
        } else {
            u64::try_from(admitted.users.len()).unwrap_or(u64::MAX)
        };

        let next = self.advance(st, offset, got, limit, total);
        Ok(Taken {
            offset,
            users: admitted.users,
            next,
            total,
        })
    }

    /// Where the listing goes after the page at `offset` (`got` users of `limit` asked, `total`
    /// announced): its next offset and page size, or the end (`None`).
    fn advance(
        &self,
        st: &mut State,
        offset: u64,
        got: u64,
        limit: u64,
        total: u64,
    ) -> Option<u64> {
        let overlapping = self.shared.overlap > 0 && !self.shared.page_only.load(Ordering::Relaxed);
        let step = if overlapping {
            next_step_overlapping(
                offset,
                got,
                limit,
                total,
                st.first,
                st.probe_end,
                self.shared.overlap,
            )
        } else {
            next_step(offset, got, limit, total, st.first, st.probe_end)
        };
        st.first = false;
        match step {
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
                Some(next)
            }
        }
    }
}
