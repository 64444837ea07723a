//! Where a listing goes after each page: the pure decisions of the pager, unit-tested.

/// Where the listing goes after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
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
/// ended (see [`super::UserPager`], "When it stops").
pub(super) fn next_step(
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
pub(super) fn scheduled_end(total: u64, limit: u64) -> u64 {
    let covered = total.div_ceil(limit).saturating_mul(limit);
    if total.is_multiple_of(limit) {
        covered.saturating_add(limit)
    } else {
        covered
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
        assert_eq!(
            realign(40, 40),
            Step::Next {
                offset: 40,
                limit: 40,
                realigned: true
            }
        );
        // A cap that appears mid-way: realigned to a multiple of the new size.
        assert_eq!(
            next_step(500, 99, 100, 5_000, false, None),
            Step::Next {
                offset: 594,
                limit: 99,
                realigned: true
            }
        );
        // A short page past the total: one more page confirms the end...
        assert_eq!(
            next_step(500, 30, 100, 0, false, None),
            Step::Next {
                offset: 510,
                limit: 30,
                realigned: true
            }
        );
        // ... and a short page ending at the same place is the end.
        assert_eq!(next_step(510, 20, 30, 0, false, Some(530)), Step::End);
        // More than asked on the first page: the server's size.
        assert_eq!(
            next_step(0, 150, 100, 1_000, true, None),
            Step::Next {
                offset: 150,
                limit: 150,
                realigned: true
            }
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
}
