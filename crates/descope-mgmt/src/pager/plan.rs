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

/// The overlap actually used with pages of `limit` users when `overlap` is asked: at most half a
/// page less one user, so every page still moves the listing forward by more than it repeats
/// (a server that caps pages at 1 or 2 users gets none).
pub(super) fn effective_overlap(limit: u64, overlap: u64) -> u64 {
    overlap.min(limit.saturating_sub(1) / 2)
}

/// [`next_step`] for a listing whose pages overlap by `overlap` users: the same decisions, but
/// the next page starts `overlap` users before where this one ended (on the page of the size
/// the listing continues with), not at the next multiple of the page size.
pub(super) fn next_step_overlapping(
    offset: u64,
    got: u64,
    limit: u64,
    total: u64,
    first: bool,
    probe_end: Option<u64>,
    overlap: u64,
) -> Step {
    match next_step(offset, got, limit, total, first, probe_end) {
        Step::End => Step::End,
        Step::Next {
            limit: next_limit,
            realigned,
            ..
        } => {
            let k = effective_overlap(next_limit, overlap);
            // A full page moves on by the size asked; a short or over-full one by what it held.
            let end = if realigned {
                offset.saturating_add(got)
            } else {
                offset.saturating_add(limit)
            };
            Step::Next {
                offset: end.saturating_sub(k).max(offset.saturating_add(1)),
                limit: next_limit,
                realigned,
            }
        }
    }
}

/// The offset up to which the pages `start`, `start + stride`, ... of `limit` users are
/// scheduled for a reported `total`: up to and including the first page that cannot be full.
pub(super) fn scheduled_end_stride(start: u64, total: u64, limit: u64, stride: u64) -> u64 {
    let stride = stride.max(1);
    let last = if start.saturating_add(limit) > total {
        start
    } else {
        let steps = (total - limit - start) / stride + 1;
        start.saturating_add(steps.saturating_mul(stride))
    };
    last.saturating_add(1)
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
    fn overlapping_pages_start_before_the_previous_end() {
        let step = |offset, got, limit, total, first| {
            next_step_overlapping(offset, got, limit, total, first, None, 4)
        };
        // A full page of 104: the next starts 100 on, repeating 4 users.
        assert_eq!(
            step(0, 104, 104, 1_000, true),
            Step::Next {
                offset: 100,
                limit: 104,
                realigned: false
            }
        );
        // A page capped at 100 before the total: pages of 100, 4 users repeated.
        assert_eq!(
            step(0, 100, 104, 1_000, true),
            Step::Next {
                offset: 96,
                limit: 100,
                realigned: true
            }
        );
        // The end is the end.
        assert_eq!(step(900, 100, 104, 1_000, false), Step::End);
        // A cap of 2: no overlap is possible, and the listing still moves on.
        assert_eq!(effective_overlap(2, 4), 0);
        assert_eq!(effective_overlap(9, 4), 4);
        assert_eq!(effective_overlap(8, 4), 3);
        assert_eq!(
            next_step_overlapping(10, 2, 104, 1_000, false, None, 4),
            Step::Next {
                offset: 12,
                limit: 2,
                realigned: true
            }
        );
    }

    #[test]
    fn overlapping_schedules_stop_at_the_first_page_that_cannot_be_full() {
        // 1,000 users, pages of 104 every 100: the page at 900 holds the last 100.
        assert_eq!(scheduled_end_stride(100, 1_000, 104, 100), 901);
        // 1,234 users: the last page starts at 1,200.
        assert_eq!(scheduled_end_stride(100, 1_234, 104, 100), 1_201);
        // Nothing past the start: the start only.
        assert_eq!(scheduled_end_stride(500, 100, 104, 100), 501);
        // No overlap, the same pages as `scheduled_end`.
        for total in [0u64, 1, 99, 100, 101, 1_000, 1_050] {
            let a = scheduled_end_stride(0, total, 100, 100);
            let b = scheduled_end(total, 100);
            let pages = |end: u64| (0..end).step_by(100).count();
            assert_eq!(pages(a), pages(b), "{total}");
        }
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
