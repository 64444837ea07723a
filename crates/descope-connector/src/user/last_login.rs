//! `--sync-last-login`: each user's last sign-in, from `POST /v1/mgmt/user/history`.
//!
//! The history is fetched for each user page (100 ids a request, halved for the rest of the
//! sync when Descope refuses as many), so the user listing needs no second pass. Fetched in line
//! with each page, one history round trip per page would add up (200 pages at 20 ms: 4 s), so a
//! background task walks the user pages ahead of the engine, [`PAGES_AHEAD`] at most, and
//! fetches their histories concurrently; the engine's next page is usually ready when asked for.
//! A page asked for out of order (a retry after an error, a resumed sync) restarts the walk there.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use c1_connector_sdk::error::Error;
use descope_mgmt::User;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::context::{PageWithLogins, Prefetch, SyncContext};
use crate::error::from_descope;

/// User pages whose histories are fetched ahead of the engine.
pub(crate) const PAGES_AHEAD: usize = 8;

impl SyncContext {
    /// The page of users at `offset` with their last sign-ins (none when the sync does not ask
    /// for them).
    pub(crate) async fn user_page_with_logins(
        self: &Arc<Self>,
        offset: u64,
    ) -> Result<PageWithLogins, Error> {
        if !self.pager_config.last_login && !self.pager_config.outbound_connections {
            return Ok((self.user_page(offset).await?, HashMap::new()));
        }
        let mut prefetch = self.prefetch.lock().await;
        let mut walk = match prefetch.take() {
            Some(walk) if walk.next == offset => walk,
            _ => self.start_walk(offset),
        };
        match walk.pages.recv().await {
            Some(Ok(page)) => {
                if let Some(next) = page.0.next_offset {
                    walk.next = next;
                    *prefetch = Some(walk);
                }
                Ok(page)
            }
            Some(Err(err)) => Err(err),
            None => Err(Error::unavailable(
                "the user listing's background walk stopped before this page; retry",
            )),
        }
    }

    /// Walks the user pages from `offset` in the background, fetching histories concurrently.
    ///
    /// The walk holds the context weakly (strongly only while a request is in flight): the
    /// context owns the walk, and a sync that ends or is cancelled drops both.
    fn start_walk(self: &Arc<Self>, offset: u64) -> Prefetch {
        let (tx, rx) = mpsc::channel(PAGES_AHEAD);
        let weak = Arc::downgrade(self);
        let gone = || Error::cancelled("the sync ended");
        let task = tokio::spawn(async move {
            let pages = futures::stream::unfold(Some(offset), {
                let weak = weak.clone();
                move |at| {
                    let weak = weak.clone();
                    async move {
                        let at = at?;
                        let Some(ctx) = weak.upgrade() else {
                            return Some((Err(gone()), None));
                        };
                        match ctx.user_page(at).await {
                            Ok(batch) => {
                                let next = batch.next_offset;
                                Some((Ok(batch), next))
                            }
                            Err(err) => Some((Err(err), None)),
                        }
                    }
                }
            });
            let with_logins = pages
                .map(|page| {
                    let weak = weak.clone();
                    async move {
                        let batch = page?;
                        let ctx = weak.upgrade().ok_or_else(gone)?;
                        // With --sync-outbound-connections, the page's connection lookups
                        // run beside its history (see `crate::outbound`).
                        let (logins, ()) = futures::try_join!(
                            async {
                                if ctx.pager_config.last_login {
                                    ctx.last_logins(&batch.users).await
                                } else {
                                    Ok(HashMap::new())
                                }
                            },
                            ctx.fetch_connections(&batch.users)
                        )?;
                        Ok((batch, logins))
                    }
                })
                .buffered(PAGES_AHEAD);
            let mut with_logins = std::pin::pin!(with_logins);
            while let Some(item) = with_logins.next().await {
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        Prefetch {
            next: offset,
            pages: rx,
            task,
        }
    }

    /// The last sign-in of each of `users` (epoch seconds): one `POST /v1/mgmt/user/history`
    /// request per 100 users, through the client's rate limiter.
    pub(crate) async fn last_logins(&self, users: &[User]) -> Result<HashMap<String, i64>, Error> {
        let mut out = HashMap::new();
        let ids: Vec<String> = users
            .iter()
            .filter(|u| !u.user_id.is_empty())
            .map(|u| u.user_id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let started = std::time::Instant::now();
        let mut history = Vec::new();
        let mut rest: &[String] = &ids;
        while !rest.is_empty() {
            let size = self
                .history_chunk
                .load(Ordering::Relaxed)
                .clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(size);
            self.counters.add("last-login requests", 1);
            match self.client.users().history(chunk).await {
                Ok(records) => {
                    history.extend(records);
                    rest = tail;
                }
                // A server that takes fewer ids a request answers 400: halve the batch (kept
                // for the rest of the sync) and ask again.
                Err(err) if err.status() == Some(400) && size > 1 => {
                    tracing::info!(
                        ids = size,
                        "Descope refused this many user ids in one history request; asking for half as many"
                    );
                    self.history_chunk.fetch_min(size / 2, Ordering::Relaxed);
                }
                Err(err) => {
                    return Err(from_descope(
                        "loading users' sign-in history for --sync-last-login (turn it off to sync without it)",
                        err,
                    ));
                }
            }
        }
        self.counters.add(
            "last-login request ms",
            started.elapsed().as_millis() as u64,
        );
        for record in history {
            if record.login_time <= 0 || record.user_id.is_empty() {
                continue;
            }
            let latest = out.entry(record.user_id).or_insert(record.login_time);
            *latest = (*latest).max(record.login_time);
        }
        Ok(out)
    }
}
