//! The session of a `.c1z` sync: `v1_connector_sessions` rows written by the writer's SQLite
//! thread, through the same queue as the sync's pages and checkpoints.
//!
//! That shared queue is the whole durability argument: a connector's `put` has entered the queue
//! when it returns, the engine sends a checkpoint only after it received the page the connector
//! returned after that `put`, and the thread applies the queue in order and saves the file only
//! right after a checkpoint's transaction. So a saved checkpoint is always saved with every
//! session write made before the pages it accounts for. Reads go through the queue too, so they
//! see every write queued before them.

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::cmd::{Cmd, SessionScan};
use crate::error::Error;
use crate::session::{SessionBackend, SessionPage};

/// A handle on the writer's queue. It holds the queue weakly: a dropped writer stops its thread
/// even while a connector still holds the session, whose calls then fail.
#[derive(Debug)]
pub(super) struct C1zSession {
    pub(super) tx: mpsc::WeakSender<Cmd>,
    pub(super) durable: bool,
}

fn closed() -> Error {
    Error::failed_precondition(
        "the sync's .c1z writer is closed (the sync finished or stopped): the session can no longer be used",
    )
}

impl C1zSession {
    async fn send(&self, cmd: Cmd) -> Result<(), Error> {
        let tx = self.tx.upgrade().ok_or_else(closed)?;
        tx.send(cmd).await.map_err(|_| closed())
    }

    async fn ask<T>(
        &self,
        cmd: impl FnOnce(oneshot::Sender<Result<T, Error>>) -> Cmd,
    ) -> Result<T, Error> {
        let (reply, answer) = oneshot::channel();
        self.send(cmd(reply)).await?;
        answer.await.map_err(|_| closed())?
    }
}

#[async_trait]
impl SessionBackend for C1zSession {
    async fn put(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.send(Cmd::SessionPut(key, value)).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let key = key.to_owned();
        self.ask(|reply| Cmd::SessionGet(key, reply)).await
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        self.send(Cmd::SessionDelete(key.to_owned())).await
    }

    async fn clear(&self) -> Result<(), Error> {
        self.send(Cmd::SessionClear).await
    }

    async fn scan(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
        max_bytes: usize,
    ) -> Result<SessionPage, Error> {
        let scan = SessionScan {
            prefix: prefix.to_owned(),
            after: after.map(str::to_owned),
            limit,
            max_bytes,
        };
        self.ask(|reply| Cmd::SessionScan(scan, reply)).await
    }

    fn is_durable(&self) -> bool {
        self.durable
    }

    fn keeps_kept_keys(&self) -> bool {
        // Every finished file keeps them, resumable or not.
        true
    }
}
