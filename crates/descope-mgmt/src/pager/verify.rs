//! Overlapping pages: checking each page against the one before, and fetching the range again
//! when the project shifted in between (see "Pages that overlap" on [`UserPager`]).

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use super::plan::effective_overlap;
use super::{PageBoundary, Raw, State, UserPager};
use crate::error::Error;
use crate::models::User;

/// A page taken: where it started and the ids of its users, in order.
#[derive(Debug, Clone)]
pub(super) struct Window {
    offset: u64,
    ids: Vec<String>,
    /// A resumed listing's boundary that names no user: no page can be shown to follow it.
    unknown: bool,
}

impl Window {
    pub(super) fn of(offset: u64, users: &[User]) -> Self {
        Window {
            offset,
            ids: users
                .iter()
                .filter(|u| !u.user_id.is_empty())
                .map(|u| u.user_id.clone())
                .collect(),
            unknown: false,
        }
    }

    pub(super) fn from_boundary(b: &PageBoundary) -> Self {
        Window {
            offset: b.offset,
            ids: b.tail.iter().filter(|i| !i.is_empty()).cloned().collect(),
            unknown: b.is_unknown(),
        }
    }

    /// The boundary a resumed listing checks its first page against: the last `n` ids.
    pub(super) fn boundary(&self, n: u64) -> PageBoundary {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let from = self.ids.len().saturating_sub(n);
        PageBoundary::new(self.offset, self.ids[from..].to_vec())
    }

    /// Whether `users` holds one of this page's users.
    fn shares(&self, users: &[User]) -> bool {
        let ids: HashSet<&str> = self.ids.iter().map(String::as_str).collect();
        users.iter().any(|u| ids.contains(u.user_id.as_str()))
    }
}

impl UserPager {
    /// Whether `raw`, a full page asked at another offset than the page before, holds exactly
    /// that page's users: a server that ignores `offset` (and pages by `page`, which overlapping
    /// pages do not keep consistent with it) answers so.
    pub(super) fn ignores_offset(&self, st: &State, raw: &Raw) -> bool {
        if self.shared.overlap == 0 || self.shared.page_only.load(Ordering::Relaxed) {
            return false;
        }
        let Some(prev) = &st.prev else {
            return false;
        };
        raw.offset != prev.offset
            && !prev.ids.is_empty()
            && raw.users.len() == prev.ids.len()
            && raw
                .users
                .iter()
                .zip(&prev.ids)
                .all(|(u, id)| &u.user_id == id)
    }

    /// Whether `raw` shows that the project shifted since the page before was fetched: pages
    /// overlap, and it shares no user with that page. Boundaries that cannot be checked are
    /// counted (and pass).
    pub(super) fn shifted(&self, st: &mut State, raw: &Raw) -> bool {
        if self.shared.overlap == 0 {
            return false;
        }
        let Some(prev) = &st.prev else {
            return false;
        };
        if prev.unknown {
            return true;
        }
        // An empty page that its own total contradicts is not a shift: the page is an error
        // worth retrying (see `take`).
        if raw.users.is_empty() && raw.offset < raw.total {
            return false;
        }
        let page_only = self.shared.page_only.load(Ordering::Relaxed);
        let unverifiable = page_only
            || prev.ids.is_empty()
            || effective_overlap(raw.limit, self.shared.overlap) == 0
            || (!raw.users.is_empty() && raw.users.iter().all(|u| u.user_id.is_empty()));
        if unverifiable {
            st.unverified += 1;
            if st.unverified == 1 {
                tracing::warn!(
                    offset = raw.offset,
                    page_only,
                    "a user page boundary cannot be checked for shifts (paging by page number only, users without ids, or pages too small to overlap): users deleted during the listing could hide others there"
                );
            }
            return false;
        }
        !prev.shares(&raw.users)
    }

    /// After `bad` shared no user with the page before it: fetches that page's range again, and
    /// further back (doubling the step) until a page shares a user with it, or down to the
    /// first page. Returns that page; the listing walks forward from it.
    pub(super) async fn back_up(&self, st: &mut State, bad: &Raw) -> Result<Raw, Error> {
        st.pipeline = None;
        st.shifts += 1;
        let Some(prev) = st.prev.clone() else {
            // Unreachable: a shift is only seen against a page before.
            return self.shared.fetch(0, st.limit).await;
        };
        tracing::warn!(
            offset = bad.offset,
            previous = prev.offset,
            total = bad.total,
            "the user page shares no user with the page before it: users were deleted in front of it while the listing ran; fetching that range again so no user is skipped"
        );
        let stride = st
            .limit
            .saturating_sub(self.shared.overlap_at(st.limit))
            .max(1);
        // Nothing known of the page before: from the first page.
        let mut at = if prev.unknown { 0 } else { prev.offset };
        let mut step = stride;
        loop {
            st.refetches += 1;
            let raw = self.shared.fetch(at, st.limit).await?;
            if at == 0 || prev.shares(&raw.users) {
                if at < prev.offset {
                    tracing::info!(
                        from = at,
                        "the user listing walks forward again from an earlier page"
                    );
                }
                return Ok(raw);
            }
            at = at.saturating_sub(step);
            step = step.saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(ids: &[&str]) -> Vec<User> {
        ids.iter()
            .map(|id| User {
                user_id: (*id).to_owned(),
                ..User::default()
            })
            .collect()
    }

    #[test]
    fn a_window_shares_by_id_and_keeps_its_tail() {
        let w = Window::of(96, &users(&["a", "", "b", "c"]));
        assert!(w.shares(&users(&["x", "c"])));
        assert!(!w.shares(&users(&["x", ""])));
        assert_eq!(
            w.boundary(2),
            PageBoundary::new(96, vec!["b".into(), "c".into()])
        );
        let back = Window::from_boundary(&w.boundary(8));
        assert!(back.shares(&users(&["a"])));
    }
}
