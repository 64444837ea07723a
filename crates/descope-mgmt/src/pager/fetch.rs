//! Fetching pages: one search request with both paging fields, and the prefetching task that
//! keeps up to `max_in_flight` pages outstanding and hands them over in order.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::plan::{scheduled_end, scheduled_end_stride};
use super::{Raw, Shared};
use crate::error::{Error, PagingError, PagingErrorKind};
use crate::models::SearchUsersRequest;

impl Shared {
    fn request(
        &self,
        offset: u64,
        limit: u64,
        page_only: bool,
    ) -> Result<SearchUsersRequest, Error> {
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
    pub(super) async fn fetch(&self, offset: u64, limit: u64) -> Result<Raw, Error> {
        let page_only = self.page_only.load(Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = self
            .users
            .search(&self.request(offset, limit, page_only)?)
            .await;
        let page = match result {
            Ok(page) => page,
            // An older backend that does not know `offset` rejects it as an unknown field. Try
            // `page` alone; only if that works is the mode switched for the rest of the pager
            // (a 400 about something else fails both ways, and is returned).
            Err(err) if !page_only && err.status() == Some(400) => {
                self.requests.fetch_add(1, Ordering::Relaxed);
                let page = self
                    .users
                    .search(&self.request(offset, limit, true)?)
                    .await?;
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

    /// Fetches pages of `limit` users at `start`, `start + stride`, ..., in order, keeping at most
    /// `max_in_flight` outstanding (in flight or queued for hand-over), and stops after a short
    /// page or an error. `stride` is `limit` unless pages overlap.
    async fn run(
        self: Arc<Self>,
        start: u64,
        (limit, stride): (u64, u64),
        total: u64,
        tx: mpsc::Sender<Result<Raw, Error>>,
    ) {
        let overlapping = stride < limit;
        let scheduled = |total: u64| {
            if overlapping {
                scheduled_end_stride(start, total, limit, stride)
            } else {
                scheduled_end(total, limit)
            }
        };
        let mut end = scheduled(total).max(start.saturating_add(stride));
        let mut next = start;
        let mut in_flight = FuturesOrdered::new();
        loop {
            while in_flight.len() + (self.max_in_flight - tx.capacity()) < self.max_in_flight
                && next < end
            {
                let shared = self.clone();
                let offset = next;
                in_flight.push_back(async move { shared.fetch(offset, limit).await });
                next = next.saturating_add(stride);
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
            end = end.max(scheduled(raw.total));
            if got >= limit && raw.offset.saturating_add(stride) >= end {
                end = raw.offset.saturating_add(stride.saturating_mul(2));
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
pub(super) struct Pipeline {
    pub(super) rx: mpsc::Receiver<Result<Raw, Error>>,
    task: JoinHandle<()>,
}

impl Pipeline {
    pub(super) fn start(
        shared: Arc<Shared>,
        start: u64,
        (limit, stride): (u64, u64),
        total: u64,
    ) -> Self {
        let (tx, rx) = mpsc::channel(shared.max_in_flight);
        let task = tokio::spawn(shared.run(start, (limit, stride), total, tx));
        Pipeline { rx, task }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.task.abort();
    }
}
