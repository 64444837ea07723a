//! Paging through `POST /v2/mgmt/user/search` with request-body `offset`/`limit`.
//!
//! The first page gives the `total`; the remaining pages are then fetched concurrently, never more
//! than `max_parallel_fetches` in flight, and handed to the engine in order. The page token the
//! engine sees is the offset of the next page, so a retried or resumed call simply restarts the
//! pipeline at that offset.
//!
//! Termination does not trust `total` blindly: a short or empty page ends the listing, a full page
//! where the total said the end was makes the pager keep going, and when the total is an exact
//! multiple of the page size one more page is fetched (concurrently with the last ones, so it costs
//! no extra round trip) to confirm it is empty. A `total` that lies, in either direction, can
//! therefore never make the sync silently short.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
                // An error, or a pipeline that died: drop it; the engine retries this offset,
                // which starts a fresh pipeline below.
                Some(Err(err)) => {
                    *slot = None;
                    return Err(err);
                }
                None => *slot = None,
            }
        }
        // No pipeline at this offset (the first page, a retry, or a resumed sync): fetch this page
        // directly, and start prefetching the rest from what it says.
        *slot = None;
        let fetcher = Fetcher {
            client: self.client.clone(),
            config: self.config.clone(),
            page_numbers: self.page_numbers.clone(),
        };
        let (users, total) = fetcher.fetch(offset).await?;
        let limit = u64::from(self.config.page_size);
        if (users.len() as u64) < limit {
            return Ok(UserBatch {
                users,
                next_offset: None,
            });
        }
        let next = offset + limit;
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

#[derive(Debug, Clone)]
struct Fetcher {
    client: Client,
    config: PagerConfig,
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
            Ok(page) => Ok((page.users, page.total)),
            // An older backend that rejects `offset`: page numbers address the same rows, since
            // every offset this pager asks for is a multiple of the page size.
            Err(err) if !use_pages && offset > 0 && err.status() == Some(400) => {
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
                Ok((page.users, page.total))
            }
            Err(err) => Err(from_descope("searching users", err)),
        }
    }

    fn request(&self, offset: u64, use_pages: bool) -> SearchUsersRequest {
        let limit = self.config.page_size;
        let mut req = SearchUsersRequest::default();
        req.limit = Some(limit);
        if offset > 0 {
            if use_pages {
                req.page = u32::try_from(offset / u64::from(limit)).ok();
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
        let limit = u64::from(self.config.page_size);
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
            let batch = match result {
                Err(err) => {
                    let _ = tx.send(Err(err)).await;
                    return;
                }
                Ok((users, total)) => {
                    let short = (users.len() as u64) < limit;
                    // A grown total, or a full page where the total said the end was, extends the run.
                    end = end.max(scheduled_end(total, limit));
                    if !short && offset + limit >= end {
                        end = offset + 2 * limit;
                    }
                    UserBatch {
                        users,
                        next_offset: (!short).then_some(offset + limit),
                    }
                }
            };
            let last = batch.next_offset.is_none();
            if tx.send(Ok(batch)).await.is_err() || last {
                // The pager was dropped, or the listing ended: later pages (already in flight)
                // are beyond the end and are discarded.
                return;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::scheduled_end;

    #[test]
    fn probes_one_page_past_an_exact_multiple_only() {
        assert_eq!(scheduled_end(1_050, 100), 1_100);
        assert_eq!(scheduled_end(1_000, 100), 1_100);
        assert_eq!(scheduled_end(0, 100), 100);
        assert_eq!(scheduled_end(u64::MAX, 100), u64::MAX);
    }
}
