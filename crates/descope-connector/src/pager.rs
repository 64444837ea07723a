//! Paging through `POST /v2/mgmt/user/search` with request-body `offset`/`limit`.
//!
//! The first page gives the `total`; the remaining pages are then fetched concurrently, never more
//! than `max_parallel_fetches` in flight, and handed to the engine in order. The page token the
//! engine sees is the offset of the next page, so a retried or resumed call simply restarts the
//! pipeline at that offset.
//!
//! Termination does not trust `total` blindly ([`next_offset`]):
//! - an empty page ends the listing;
//! - a short page ends it only when it reaches the reported total; a short page before the total
//!   means the server capped the page size (Descope's maximum `limit` is undocumented), and the
//!   pager carries on from there with the size the server actually returns;
//! - a full page where the total said the end was makes the pager keep going, and when the total
//!   is an exact multiple of the page size one more page is fetched (concurrently with the last
//!   ones, so it costs no extra round trip) to confirm it is empty.
//!
//! A `total` that lies, in either direction, can therefore never make the sync silently short, and
//! a user that shifts between pages while the project changes is deduplicated by the index.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use c1_connector_sdk::Error;
use descope_mgmt::{Client, SearchUsersRequest, User};
use futures::StreamExt;
use futures::stream::FuturesOrdered;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use crate::error::from_descope;

/// One page of users and where the next one starts.
#[derive(Debug)]
pub(crate) struct UserBatch {
    pub(crate) users: Vec<User>,
    /// The offset of the next page, or `None` when this was the last page.
    pub(crate) next_offset: Option<u64>,
}

/// Settings of the pager.
#[derive(Debug, Clone)]
pub(crate) struct PagerConfig {
    pub(crate) page_size: u32,
    pub(crate) max_parallel: usize,
    pub(crate) include_test_users: bool,
}

/// Fetches user pages, prefetching ahead of the engine.
#[derive(Debug)]
pub(crate) struct UserPager {
    client: Client,
    config: PagerConfig,
    /// The page size the server really returns (the configured one until it caps it).
    limit: Arc<AtomicU64>,
    /// Set once Descope rejects the `offset` field (an older backend): page numbers are used instead.
    page_numbers: Arc<AtomicBool>,
    pipeline: Mutex<Option<Pipeline>>,
}

#[derive(Debug)]
struct Pipeline {
    /// The offset of the page the receiver yields next.
    next_offset: u64,
    rx: mpsc::Receiver<Result<UserBatch, Error>>,
    task: JoinHandle<()>,
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl UserPager {
    pub(crate) fn new(client: Client, config: PagerConfig) -> Self {
        UserPager {
            client,
            limit: Arc::new(AtomicU64::new(u64::from(config.page_size.max(1)))),
            config,
            page_numbers: Arc::new(AtomicBool::new(false)),
            pipeline: Mutex::new(None),
        }
    }

    /// The page that starts at `offset`.
    pub(crate) async fn page(&self, offset: u64) -> Result<UserBatch, Error> {
        let mut slot = self.pipeline.lock().await;
        if let Some(pipeline) = slot.as_mut().filter(|p| p.next_offset == offset) {
            match pipeline.rx.recv().await {
                Some(Ok(batch)) => {
                    match batch.next_offset {
                        Some(next) => pipeline.next_offset = next,
                        None => *slot = None,
                    }
                    return Ok(batch);
                }
                // An error: drop the pipeline; the engine retries this offset, which starts a
                // fresh pipeline below.
                Some(Err(err)) => {
                    *slot = None;
                    return Err(err);
                }
                // The pipeline stopped (the server capped the page size): fetch directly below.
                None => *slot = None,
            }
        }
        // No pipeline at this offset (the first page, a retry, a resumed sync, or a page size
        // to adapt): fetch this page directly, and start prefetching the rest from what it says.
        *slot = None;
        let mut fetcher = Fetcher {
            client: self.client.clone(),
            config: self.config.clone(),
            limit: self.limit.load(Ordering::Relaxed),
            page_numbers: self.page_numbers.clone(),
        };
        let (users, total) = fetcher.fetch(offset).await?;
        let got = users.len() as u64;
        let Some(next) = next_offset(offset, got, fetcher.limit, total) else {
            return Ok(UserBatch {
                users,
                next_offset: None,
            });
        };
        if got < fetcher.limit {
            tracing::info!(
                requested = fetcher.limit,
                returned = got,
                "Descope returned fewer users than requested before the total: paging with its page size"
            );
            fetcher.limit = got;
            self.limit.store(got, Ordering::Relaxed);
        }
        let (tx, rx) = mpsc::channel(self.config.max_parallel.max(1));
        let task = tokio::spawn(fetcher.run(next, total, tx));
        *slot = Some(Pipeline {
            next_offset: next,
            rx,
            task,
        });
        Ok(UserBatch {
            users,
            next_offset: Some(next),
        })
    }
}

/// Where the page after one of `got` users at `offset` starts, or `None` when the listing ends.
///
/// `limit` is the page size asked for and `total` the count the server reported.
pub(crate) fn next_offset(offset: u64, got: u64, limit: u64, total: u64) -> Option<u64> {
    let next = offset.saturating_add(got);
    if got == 0 || (got < limit && next >= total) {
        None
    } else {
        Some(next)
    }
}

/// Refuses a page that contradicts itself: no users at an offset below the total it reports.
///
/// A project that loses users during the sync reports a smaller total with its empty page; an
/// empty page that still claims users beyond it (a proxy's or backend's fault, `"users": null`)
/// would otherwise end the listing early. It is reported as Unavailable, which the engine
/// retries, so the sync either gets the page or fails loudly: it is never silently short.
fn consistent(offset: u64, users: Vec<User>, total: u64) -> Result<(Vec<User>, u64), Error> {
    if users.is_empty() && offset < total {
        return Err(Error::unavailable(format!(
            "Descope returned no users at offset {offset} although it reports {total}; the page will be requested again"
        )));
    }
    Ok((users, total))
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

#[derive(Debug, Clone)]
struct Fetcher {
    client: Client,
    config: PagerConfig,
    /// The page size asked for.
    limit: u64,
    page_numbers: Arc<AtomicBool>,
}

impl Fetcher {
    /// One search request; returns the page and the total Descope reported.
    async fn fetch(&self, offset: u64) -> Result<(Vec<User>, u64), Error> {
        let use_pages = self.page_numbers.load(Ordering::Relaxed);
        match self
            .client
            .users()
            .search(&self.request(offset, use_pages))
            .await
        {
            Ok(page) => consistent(offset, page.users, page.total),
            // An older backend that rejects `offset`: page numbers address the same rows when
            // the offset is a multiple of the page size, which it is unless the server capped it.
            Err(err)
                if !use_pages
                    && offset > 0
                    && offset.is_multiple_of(self.limit)
                    && err.status() == Some(400) =>
            {
                tracing::warn!(
                    "Descope rejected the search `offset` field; paging by page number instead"
                );
                self.page_numbers.store(true, Ordering::Relaxed);
                let page = self
                    .client
                    .users()
                    .search(&self.request(offset, true))
                    .await
                    .map_err(|e| from_descope("searching users", e))?;
                consistent(offset, page.users, page.total)
            }
            Err(err) => Err(from_descope("searching users", err)),
        }
    }

    fn request(&self, offset: u64, use_pages: bool) -> SearchUsersRequest {
        let limit = u32::try_from(self.limit).unwrap_or(u32::MAX);
        let mut req = SearchUsersRequest::default();
        req.limit = Some(limit);
        if offset > 0 {
            if use_pages {
                req.page = u32::try_from(offset / self.limit).ok();
            } else {
                req.offset = Some(offset);
            }
        }
        if self.config.include_test_users {
            req.with_test_user = Some(true);
        }
        req
    }

    /// Fetches pages from `start` on, in order, at most `max_parallel` at a time.
    async fn run(self, start: u64, total: u64, tx: mpsc::Sender<Result<UserBatch, Error>>) {
        let limit = self.limit;
        let mut end = scheduled_end(total, limit).max(start + limit);
        let mut next = start;
        let mut in_flight = FuturesOrdered::new();
        loop {
            while in_flight.len() < self.config.max_parallel.max(1) && next < end {
                let fetcher = self.clone();
                let offset = next;
                in_flight.push_back(async move { (offset, fetcher.fetch(offset).await) });
                next += limit;
            }
            let Some((offset, result)) = in_flight.next().await else {
                return;
            };
            let (users, total) = match result {
                Ok(page) => page,
                Err(err) => {
                    let _ = tx.send(Err(err)).await;
                    return;
                }
            };
            let got = users.len() as u64;
            let following = next_offset(offset, got, limit, total);
            // A grown total, or a full page where the total said the end was, extends the run.
            end = end.max(scheduled_end(total, limit));
            if got == limit && offset + limit >= end {
                end = offset + 2 * limit;
            }
            // A short page that is not the end: the server capped the page size, so the
            // offsets scheduled after it are wrong. Stop here; the pager refetches from
            // `following` directly and adapts.
            let stop = following.is_none() || got < limit;
            if tx
                .send(Ok(UserBatch {
                    users,
                    next_offset: following,
                }))
                .await
                .is_err()
                || stop
            {
                // Later pages already in flight are beyond the end (or misaligned): discarded.
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{next_offset, scheduled_end};

    #[test]
    fn probes_one_page_past_an_exact_multiple_only() {
        assert_eq!(scheduled_end(1_050, 100), 1_100);
        assert_eq!(scheduled_end(1_000, 100), 1_100);
        assert_eq!(scheduled_end(0, 100), 100);
        assert_eq!(scheduled_end(u64::MAX, 100), u64::MAX);
    }

    #[test]
    fn where_the_listing_goes_next() {
        // A full page: on, whatever the total says.
        assert_eq!(next_offset(0, 100, 100, 50), Some(100));
        // A short page at the total: the end.
        assert_eq!(next_offset(200, 30, 100, 230), None);
        // A short page before the total: the server capped the page size.
        assert_eq!(next_offset(0, 50, 100, 230), Some(50));
        // An empty page: the end, even if the total says otherwise.
        assert_eq!(next_offset(300, 0, 100, 1_000), None);
    }
}
