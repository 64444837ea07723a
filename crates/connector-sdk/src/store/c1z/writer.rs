//! The `.c1z` v1 writer: SQLite with baton's schema on a dedicated thread, then zstd, then an
//! atomic rename into place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot};

use super::cmd::{Cmd, SavePolicy};
use super::db::open_db;
use super::file::{check_dir, decompress_into};
use super::rows::Rows;
use super::session::C1zSession;
use super::worker::Worker;
use super::{stale, timefmt};
use crate::error::Error;
use crate::model::{ConnectorMetadata, Entitlement, Grant, Resource, ResourceType};
use crate::session::SessionStore;
use crate::store::{
    CONNECTOR_METADATA_ASSET, CONNECTOR_METADATA_CONTENT_TYPE, RESUME_MAX_AGE, ResumePoint,
    SyncStore, SyncType, new_sync_id,
};

/// Pages buffered between the engine and the SQLite thread: enough to keep the thread busy,
/// small enough that memory stays bounded when the disk is slower than the connector.
const CHANNEL_CAPACITY: usize = 64;

/// Rows of small pages collected before they are sent to the SQLite thread together.
const PENDING_ROWS: usize = 256;
/// Pages with fewer rows than this are collected; larger ones are sent as they are.
const SMALL_PAGE_ROWS: usize = 64;

/// Default spacing of periodic saves, as a multiple of the last save's duration (see
/// [`C1zWriter::with_save_spacing`]): at most a fifth of the writer's time goes to saves.
const DEFAULT_SAVE_SPACING: u32 = 4;

/// Writes one sync into a v1 `.c1z` file.
///
/// Records go to a SQLite database in a temporary directory, written on a dedicated thread in
/// batched transactions. [`SyncStore::finish`] marks the sync finished, VACUUMs, compresses
/// into `<target>.tmp-<random>` next to the target, fsyncs and renames it over the target.
/// A writer from [`C1zWriter::create`] leaves the target untouched until then; one from
/// [`C1zWriter::open_or_resume`] also saves the unfinished sync there at checkpoints (see
/// there). Dropping the writer unfinished removes every temporary file.
///
/// ```
/// use c1_connector_sdk::model::{Resource, ResourceType, Trait, UserTrait};
/// use c1_connector_sdk::store::{C1zReader, C1zWriter, SyncStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), c1_connector_sdk::error::Error> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("sync.c1z");
/// let mut w = C1zWriter::create(&path)?;
/// w.start_sync().await?;
/// w.put_resource_types(vec![ResourceType::new("user", "User").with_trait(Trait::User)]).await?;
/// w.put_resources(vec![Resource::new("user", "u1", "Ann").with_user_trait(UserTrait::new())]).await?;
/// w.finish().await?;
/// assert_eq!(C1zReader::open(&path)?.resources()?.len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct C1zWriter {
    target: PathBuf,
    tx: Option<mpsc::Sender<Cmd>>,
    done: Option<oneshot::Receiver<Result<(), Error>>>,
    /// The SQLite thread, joined on drop so its scratch directory is gone before the writer
    /// is (a process that exits right after dropping a writer leaves nothing behind).
    thread: Option<std::thread::JoinHandle<()>>,
    sync_id: Option<String>,
    finished: bool,
    /// Created by [`C1zWriter::open_or_resume`]: keeps older syncs and saves on suspend.
    resumable: bool,
    /// The unfinished syncs [`C1zWriter::open_or_resume`] found, newest of each type.
    resumable_syncs: Vec<(SyncType, String)>,
    /// What the next `start_sync` starts (see [`SyncStore::set_sync_type`]).
    sync_type: SyncType,
    /// `start_sync` continued an unfinished sync.
    resuming: bool,
    /// See [`C1zWriter::with_save_spacing`].
    save_spacing: u32,
    /// See [`C1zWriter::with_min_save_interval`].
    min_save_interval: std::time::Duration,
    /// Rows not yet sent to the SQLite thread (see [`C1zWriter::send_rows`]).
    pending: Option<Cmd>,
}

impl C1zWriter {
    /// Prepares a writer for `path`. Nothing is written at `path` until the sync finishes, and
    /// the new file holds only this sync.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::create_in(path, std::env::temp_dir())
    }

    /// Like [`C1zWriter::create`], with the working database in a scratch directory under
    /// `scratch_dir` (baton's `--c1z-temp-dir`) instead of the system's temporary directory.
    /// The scratch directory is private to the process (mode 0700 on Unix) and removed when the
    /// writer finishes or is dropped; one left by a killed process is removed by the next
    /// writer that uses the same `scratch_dir`.
    ///
    /// ```no_run
    /// use c1_connector_sdk::store::C1zWriter;
    /// let writer = C1zWriter::create_in("sync.c1z", "/var/tmp/baton")?;
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn create_in(path: impl AsRef<Path>, scratch_dir: impl AsRef<Path>) -> Result<Self, Error> {
        let target = path.as_ref().to_path_buf();
        check_dir(&target)?;
        let (tmp, db_path) = scratch(&target, scratch_dir.as_ref())?;
        let (conn, deferred) = open_db(&db_path, true)?;
        Self::spawn(target, tmp, db_path, (conn, deferred), false, Vec::new())
    }

    /// Opens `path` to add a sync to it, resuming its newest unfinished `full` sync if one
    /// started less than 7 days ago (baton's rule), and keeping its newest finished sync.
    ///
    /// While the sync runs, every [`SyncStore::checkpoint`] (the engine sends one at least every
    /// [`SyncOptions::checkpoint_interval`](crate::engine::SyncOptions::checkpoint_interval)
    /// and at each phase boundary) also saves the unfinished sync, with that checkpoint, at
    /// `path`: compressed to `<path>.tmp-<random>`, fsynced and renamed into place, so even a
    /// SIGKILL loses only the work since the last save. Saves are spaced out when they are
    /// slow (see [`C1zWriter::with_save_spacing`]). If the sync is cancelled or fails,
    /// [`SyncStore::suspend`] saves it once more. The next `open_or_resume` continues it;
    /// readers keep showing the newest *finished* sync meanwhile. An unfinished save leaves
    /// out baton's non-unique indexes (rebuilding them every few seconds would cost more than
    /// the save); baton re-creates missing indexes when it opens a file, and so does this
    /// writer on resume, so every finished file has baton's exact schema.
    ///
    /// Opening also removes `<path>.tmp-*` files left by a writer killed mid-save.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use c1_connector_sdk::prelude::*;
    /// # async fn f(connector: Arc<dyn Connector>) -> Result<(), Error> {
    /// let mut store = C1zWriter::open_or_resume("sync.c1z")?;
    /// if let Some(id) = store.resumed_sync_id() {
    ///     eprintln!("resuming sync {id}");
    /// }
    /// Syncer::new(connector, SyncOptions::default()).run(&mut store).await?;
    /// # Ok(()) }
    /// ```
    pub fn open_or_resume(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_or_resume_in(path, std::env::temp_dir())
    }

    /// Like [`C1zWriter::open_or_resume`], with the working database under `scratch_dir` (see
    /// [`C1zWriter::create_in`]).
    pub fn open_or_resume_in(
        path: impl AsRef<Path>,
        scratch_dir: impl AsRef<Path>,
    ) -> Result<Self, Error> {
        let target = path.as_ref().to_path_buf();
        check_dir(&target)?;
        let (tmp, db_path) = scratch(&target, scratch_dir.as_ref())?;
        if target.exists() {
            let mut f = std::fs::File::create(&db_path)?;
            decompress_into(&target, &mut f)?;
        }
        let (conn, deferred) = open_db(&db_path, true)?;
        let cutoff = timefmt::format(
            time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc())
                - RESUME_MAX_AGE,
        );
        // The newest unfinished sync of each type this writer can resume.
        let mut resumable_syncs = Vec::new();
        for sync_type in [SyncType::Full, SyncType::ResourcesOnly] {
            let found: Option<String> = conn
                .query_row(
                    "SELECT sync_id FROM v1_sync_runs WHERE ended_at IS NULL AND sync_type = ?2 \
                     AND started_at >= ?1 ORDER BY started_at DESC, sync_id DESC LIMIT 1",
                    params![cutoff, sync_type.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = found {
                resumable_syncs.push((sync_type, id));
            }
        }
        Self::spawn(
            target,
            tmp,
            db_path,
            (conn, deferred),
            true,
            resumable_syncs,
        )
    }

    fn spawn(
        target: PathBuf,
        tmp: tempfile::TempDir,
        db_path: PathBuf,
        (conn, deferred_indexes): (Connection, Vec<&'static str>),
        resumable: bool,
        resumable_syncs: Vec<(SyncType, String)>,
    ) -> Result<Self, Error> {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let (done_tx, done_rx) = oneshot::channel();
        let worker = Worker {
            conn: Some(conn),
            _tmp: tmp,
            db_path,
            target: target.clone(),
            sync_id: String::new(),
            keep_previous: resumable,
            deferred_indexes,
            save_policy: None,
            saving_since: None,
            unsaved: false,
            last_save: None,
            rx,
        };
        let thread = std::thread::Builder::new()
            .name("c1z-writer".into())
            .spawn(move || {
                let result = worker.run();
                // The receiver is gone only if the writer was dropped; nothing to report then.
                let _ = done_tx.send(result);
            })?;
        Ok(Self {
            target,
            tx: Some(tx),
            done: Some(done_rx),
            thread: Some(thread),
            sync_id: None,
            finished: false,
            resumable,
            resumable_syncs,
            sync_type: SyncType::Full,
            resuming: false,
            save_spacing: DEFAULT_SAVE_SPACING,
            min_save_interval: std::time::Duration::ZERO,
            pending: None,
        })
    }

    /// Sets how far apart periodic saves of an unfinished sync are, as a multiple of how long
    /// the last save took (default 4): after a save that took `d`, checkpoints within
    /// `spacing × d` update the working database only. This bounds the share of the writer's
    /// time spent saving (to a fifth by default) however large the file grows; `0` saves at
    /// every checkpoint. Only [`C1zWriter::open_or_resume`] writers save periodically. Takes
    /// effect when the sync starts.
    #[must_use]
    pub fn with_save_spacing(mut self, spacing: u32) -> Self {
        self.save_spacing = spacing;
        self
    }

    /// Sets the shortest time between saves of an unfinished sync, and between the start of the
    /// sync and its first save (default zero: every checkpoint may save, by
    /// [`C1zWriter::with_save_spacing`]). A program that checkpoints every 10 s and at phase
    /// boundaries sets 10 s here, so a sync that takes a second is never saved half-way (it
    /// costs a compression of the working database each time) while a long one is saved at
    /// least every 10 s; cancellation and failure still save ([`SyncStore::suspend`]). Takes
    /// effect when the sync starts.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use c1_connector_sdk::store::C1zWriter;
    /// let writer = C1zWriter::open_or_resume("sync.c1z.partial")?
    ///     .with_min_save_interval(Duration::from_secs(10));
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    #[must_use]
    pub fn with_min_save_interval(mut self, interval: std::time::Duration) -> Self {
        self.min_save_interval = interval;
        self
    }

    /// The id of the unfinished sync this writer resumes, if any: the newest unfinished sync of
    /// the type set with [`SyncStore::set_sync_type`] (full unless set) that started less than 7
    /// days ago. An unfinished sync of another type is left alone, and dropped when this one
    /// finishes.
    pub fn resumed_sync_id(&self) -> Option<&str> {
        self.resumable_syncs
            .iter()
            .find(|(t, _)| *t == self.sync_type)
            .map(|(_, id)| id.as_str())
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// The id of the current sync, once started.
    pub fn sync_id(&self) -> Option<&str> {
        self.sync_id.as_deref()
    }

    /// Queues a page of rows: consecutive small pages of one table go to the SQLite thread
    /// together (a role's entitlement is a page of one row), which saves a channel hand-off and
    /// often a thread wake-up per page. Every other command sends what is pending first (see
    /// [`C1zWriter::send`]), so a checkpoint still follows every row it accounts for.
    async fn send_rows(&mut self, cmd: Cmd) -> Result<(), Error> {
        if cmd.rows() >= SMALL_PAGE_ROWS {
            // Large enough on its own: merging would only copy it and delay the thread.
            return self.send(cmd).await;
        }
        let merged = match (self.pending.take(), cmd) {
            (Some(Cmd::Resources(mut a)), Cmd::Resources(b)) => {
                a.append(&b);
                Cmd::Resources(a)
            }
            (Some(Cmd::Entitlements(mut a)), Cmd::Entitlements(b)) => {
                a.append(&b);
                Cmd::Entitlements(a)
            }
            (Some(Cmd::Grants(mut a)), Cmd::Grants(b)) => {
                a.append(&b);
                Cmd::Grants(a)
            }
            (Some(p), c) => {
                self.send_now(p).await?;
                c
            }
            (None, c) => c,
        };
        if merged.rows() >= PENDING_ROWS {
            self.send_now(merged).await
        } else {
            self.pending = Some(merged);
            Ok(())
        }
    }

    /// Sends a command, after any pending rows.
    async fn send(&mut self, cmd: Cmd) -> Result<(), Error> {
        if let Some(p) = self.pending.take() {
            self.send_now(p).await?;
        }
        self.send_now(cmd).await
    }

    async fn send_now(&mut self, cmd: Cmd) -> Result<(), Error> {
        let Some(tx) = &self.tx else {
            return Err(Error::failed_precondition("c1z writer already finished"));
        };
        if tx.send(cmd).await.is_err() {
            // The thread stopped: report why.
            self.tx = None;
            return Err(self.thread_error().await);
        }
        Ok(())
    }

    async fn thread_error(&mut self) -> Error {
        match self.done.take() {
            Some(done) => match done.await {
                Ok(Err(e)) => e,
                Ok(Ok(())) => Error::internal("c1z writer thread stopped early"),
                Err(_) => Error::internal("c1z writer thread panicked"),
            },
            None => Error::internal("c1z writer thread stopped"),
        }
    }
}

#[async_trait]
impl SyncStore for C1zWriter {
    fn set_sync_type(&mut self, sync_type: SyncType) {
        if self.sync_id.is_none() {
            self.sync_type = sync_type;
        }
    }

    async fn start_sync(&mut self) -> Result<String, Error> {
        if let Some(id) = &self.sync_id {
            return Ok(id.clone());
        }
        let save = SavePolicy {
            spacing: self.save_spacing,
            min_interval: self.min_save_interval,
        };
        if let Some(id) = self.resumed_sync_id().map(str::to_owned) {
            self.send(Cmd::Resume(id.clone(), save)).await?;
            self.sync_id = Some(id.clone());
            self.resuming = true;
            return Ok(id);
        }
        let sync_id = new_sync_id();
        self.send(Cmd::Start {
            sync_id: sync_id.clone(),
            started_at: timefmt::now(),
            sync_type: self.sync_type,
            save,
        })
        .await?;
        self.sync_id = Some(sync_id.clone());
        Ok(sync_id)
    }

    async fn put_resource_types(&mut self, items: Vec<ResourceType>) -> Result<(), Error> {
        self.send(Cmd::ResourceTypes(items)).await
    }

    // Pages are encoded here, on the caller's thread (see `rows`).
    async fn put_resources(&mut self, items: Vec<Resource>) -> Result<(), Error> {
        let rows = Rows::resources(&items);
        drop(items);
        self.send_rows(Cmd::Resources(rows)).await
    }

    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error> {
        let rows = Rows::entitlements(&items);
        drop(items);
        self.send_rows(Cmd::Entitlements(rows)).await
    }

    async fn put_grants(&mut self, mut items: Vec<Grant>) -> Result<(), Error> {
        let rows = Rows::grants(&mut items);
        drop(items);
        self.send_rows(Cmd::Grants(rows)).await
    }

    async fn put_grants_of(
        &mut self,
        entitlement: Entitlement,
        items: Vec<Grant>,
    ) -> Result<(), Error> {
        let rows = Rows::grants_of(&entitlement, &items);
        drop(items);
        self.send_rows(Cmd::Grants(rows)).await
    }

    async fn checkpoint(&mut self, state: String) -> Result<(), Error> {
        self.send(Cmd::Checkpoint(state)).await
    }

    async fn put_connector_metadata(&mut self, metadata: ConnectorMetadata) -> Result<(), Error> {
        self.send(Cmd::Asset(
            CONNECTOR_METADATA_ASSET.to_owned(),
            CONNECTOR_METADATA_CONTENT_TYPE.to_owned(),
            metadata.encode_to_vec(),
        ))
        .await
    }

    async fn resume(&mut self) -> Result<Option<ResumePoint>, Error> {
        if !self.resuming {
            return Ok(None);
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        self.send(Cmd::Snapshot(reply_tx)).await?;
        match reply_rx.await {
            Ok(r) => r.map(Some),
            Err(_) => Err(self.thread_error().await),
        }
    }

    /// A session kept in the sync's `v1_connector_sessions` rows, written by the SQLite thread
    /// in queue order with the pages (see [`crate::session`] for the guarantees). It is durable
    /// for a writer from [`C1zWriter::open_or_resume`]: saved with each checkpoint, and offered
    /// to the run that resumes the sync. A writer from [`C1zWriter::create`] keeps it in its
    /// scratch database (on disk, not in memory) for this process only. A finished file keeps
    /// no session rows. `FailedPrecondition` before [`SyncStore::start_sync`].
    async fn session(&mut self) -> Result<SessionStore, Error> {
        let Some(tx) = &self.tx else {
            return Err(Error::failed_precondition("c1z writer already finished"));
        };
        if self.sync_id.is_none() {
            return Err(Error::failed_precondition(
                "the session of a c1z sync exists once the sync started: call start_sync first",
            ));
        }
        Ok(SessionStore::from_backend(Arc::new(C1zSession {
            tx: tx.downgrade(),
            durable: self.resumable,
        })))
    }

    async fn suspend(&mut self) -> Result<(), Error> {
        if !self.resumable || self.finished || self.sync_id.is_none() || self.tx.is_none() {
            return Ok(());
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        self.send(Cmd::Suspend(reply_tx)).await?;
        self.tx = None;
        match reply_rx.await {
            Ok(r) => r,
            Err(_) => Err(self.thread_error().await),
        }
    }

    async fn finish(&mut self) -> Result<(), Error> {
        if self.finished {
            return Ok(());
        }
        if self.sync_id.is_none() {
            self.start_sync().await?;
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        self.send(Cmd::Finish(reply_tx)).await?;
        self.tx = None;
        let result = match reply_rx.await {
            Ok(r) => r,
            Err(_) => Err(self.thread_error().await),
        };
        if result.is_ok() {
            self.finished = true;
        }
        result
    }
}

/// A scratch directory for the working database, owned by this process; first removes what
/// killed writers left behind.
fn scratch(target: &Path, dir: &Path) -> Result<(tempfile::TempDir, PathBuf), Error> {
    stale::remove_temp_files(target);
    stale::remove_dead_scratch_dirs(dir);
    // Private to this user (0700 on Unix, whatever the umask): the working database lists
    // identities.
    let mut builder = tempfile::Builder::new();
    builder.prefix(stale::SCRATCH_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let tmp = builder.tempdir_in(dir)?;
    stale::mark_owner(tmp.path());
    let db_path = tmp.path().join("db.sqlite");
    Ok((tmp, db_path))
}

impl Drop for C1zWriter {
    /// Closes the queue and waits for the SQLite thread, which then removes the scratch
    /// directory. Unfinished work is dropped (a resumable writer's last save stays on disk).
    fn drop(&mut self) {
        self.pending = None;
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
