//! The `.c1z` v1 writer: SQLite with baton's schema on a dedicated thread, then zstd, then an
//! atomic rename into place.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use prost::Message;
use rusqlite::{Connection, params};
use tokio::sync::{mpsc, oneshot};

use super::schema::SCHEMA_SQL;
use super::{C1Z_V1_MAGIC, SyncStore, timefmt};
use crate::error::Error;
use crate::ids;
use crate::model::{Entitlement, Grant, Resource, ResourceType};

/// Pages buffered between the engine and the SQLite thread: enough to keep the thread busy,
/// small enough that memory stays bounded when the disk is slower than the connector.
const CHANNEL_CAPACITY: usize = 64;
/// Rows per SQLite transaction, at most. Large transactions are what make SQLite fast.
const MAX_ROWS_PER_TX: usize = 50_000;
/// zstd level: fast, and its window stays far below baton's 128 MiB decoder limit.
const ZSTD_LEVEL: i32 = 3;

/// The `sync_token` of a finished sync.
const FINISHED_SYNC_TOKEN: &str = r#"{"version":1}"#;

enum Cmd {
    Start { sync_id: String, started_at: String },
    ResourceTypes(Vec<ResourceType>),
    Resources(Vec<Resource>),
    Entitlements(Vec<Entitlement>),
    Grants(Vec<Grant>),
    Checkpoint(String),
    Finish(oneshot::Sender<Result<(), Error>>),
}

impl Cmd {
    fn rows(&self) -> usize {
        match self {
            Cmd::ResourceTypes(v) => v.len(),
            Cmd::Resources(v) => v.len(),
            Cmd::Entitlements(v) => v.len(),
            Cmd::Grants(v) => v.len(),
            _ => 1,
        }
    }
}

/// Writes one sync into a new v1 `.c1z` file.
///
/// Records go to a SQLite database in a temporary directory, written on a dedicated thread in
/// batched transactions. [`SyncStore::finish`] marks the sync finished, VACUUMs, compresses
/// into `<target>.tmp-<random>` next to the target, fsyncs and renames it over the target.
/// Until then the target path is untouched; dropping the writer unfinished removes every
/// temporary file.
///
/// ```
/// use c1_connector_sdk::model::{Resource, ResourceType, Trait, UserTrait};
/// use c1_connector_sdk::store::{C1zReader, C1zWriter, SyncStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), c1_connector_sdk::Error> {
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
    sync_id: Option<String>,
    finished: bool,
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cmd")
    }
}

impl C1zWriter {
    /// Prepares a writer for `path`. Nothing is written at `path` until the sync finishes.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, Error> {
        let target = path.as_ref().to_path_buf();
        let dir = parent_dir(&target);
        if !dir.is_dir() {
            return Err(Error::not_found(format!(
                "directory {} does not exist",
                dir.display()
            )));
        }
        let tmp = tempfile::Builder::new().prefix("c1z-db-").tempdir()?;
        let db_path = tmp.path().join("db.sqlite");
        let conn = open_db(&db_path)?;
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let (done_tx, done_rx) = oneshot::channel();
        let worker = Worker {
            conn: Some(conn),
            _tmp: tmp,
            db_path,
            target: target.clone(),
            sync_id: String::new(),
            rx,
        };
        std::thread::Builder::new()
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
            sync_id: None,
            finished: false,
        })
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// The id of the current sync, once started.
    pub fn sync_id(&self) -> Option<&str> {
        self.sync_id.as_deref()
    }

    async fn send(&mut self, cmd: Cmd) -> Result<(), Error> {
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
    async fn start_sync(&mut self) -> Result<String, Error> {
        if let Some(id) = &self.sync_id {
            return Ok(id.clone());
        }
        let sync_id = new_sync_id();
        self.send(Cmd::Start {
            sync_id: sync_id.clone(),
            started_at: timefmt::now(),
        })
        .await?;
        self.sync_id = Some(sync_id.clone());
        Ok(sync_id)
    }

    async fn put_resource_types(&mut self, items: Vec<ResourceType>) -> Result<(), Error> {
        self.send(Cmd::ResourceTypes(items)).await
    }

    async fn put_resources(&mut self, items: Vec<Resource>) -> Result<(), Error> {
        self.send(Cmd::Resources(items)).await
    }

    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error> {
        self.send(Cmd::Entitlements(items)).await
    }

    async fn put_grants(&mut self, items: Vec<Grant>) -> Result<(), Error> {
        self.send(Cmd::Grants(items)).await
    }

    async fn checkpoint(&mut self, state: String) -> Result<(), Error> {
        self.send(Cmd::Checkpoint(state)).await
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

/// A new KSUID, baton's sync id format.
pub(crate) fn new_sync_id() -> String {
    use svix_ksuid::KsuidLike;
    svix_ksuid::Ksuid::new(None::<time::OffsetDateTime>, None).to_string()
}

fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(crate) fn open_db(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open(path)?;
    // The database is scratch space until it is compressed; durability comes from fsyncing
    // the compressed file, so SQLite need not sync. DELETE (not WAL) keeps the file self-contained.
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let has_tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'v1_sync_runs'",
        [],
        |r| r.get(0),
    )?;
    if has_tables == 0 {
        conn.execute_batch(SCHEMA_SQL)?;
    }
    Ok(conn)
}

struct Worker {
    conn: Option<Connection>,
    _tmp: tempfile::TempDir,
    db_path: PathBuf,
    target: PathBuf,
    sync_id: String,
    rx: mpsc::Receiver<Cmd>,
}

impl Worker {
    fn run(mut self) -> Result<(), Error> {
        while let Some(cmd) = self.rx.blocking_recv() {
            let conn = self
                .conn
                .as_ref()
                .ok_or_else(|| Error::internal("c1z database closed"))?;
            match cmd {
                Cmd::Start {
                    sync_id,
                    started_at,
                } => {
                    conn.execute(
                        "INSERT INTO v1_sync_runs (sync_id, started_at, sync_token, sync_type, parent_sync_id, linked_sync_id) VALUES (?1, ?2, '', 'full', '', '')",
                        params![sync_id, started_at],
                    )?;
                    self.sync_id = sync_id;
                }
                Cmd::Finish(reply) => {
                    let result = self.finish();
                    let _ = reply.send(result);
                    return Ok(());
                }
                first => {
                    // Batch everything already queued into one transaction.
                    let tx = conn.unchecked_transaction()?;
                    let mut rows = first.rows();
                    let mut pending = Some(first);
                    let mut after = None;
                    while let Some(cmd) = pending.take() {
                        apply(&tx, &self.sync_id, cmd)?;
                        if rows >= MAX_ROWS_PER_TX {
                            break;
                        }
                        match self.rx.try_recv() {
                            Ok(next @ (Cmd::Start { .. } | Cmd::Finish(_))) => after = Some(next),
                            Ok(next) => {
                                rows += next.rows();
                                pending = Some(next);
                            }
                            Err(_) => {}
                        }
                    }
                    tx.commit()?;
                    if let Some(Cmd::Finish(reply)) = after {
                        let result = self.finish();
                        let _ = reply.send(result);
                        return Ok(());
                    } else if let Some(Cmd::Start { .. }) = after {
                        return Err(Error::internal("sync started twice"));
                    }
                }
            }
        }
        // Channel closed without Finish: the writer was dropped. The TempDir cleans up.
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        let conn = self
            .conn
            .take()
            .ok_or_else(|| Error::internal("c1z database closed"))?;
        conn.execute(
            "UPDATE v1_sync_runs SET ended_at = ?1, sync_token = ?2 WHERE sync_id = ?3",
            params![timefmt::now(), FINISHED_SYNC_TOKEN, self.sync_id],
        )?;
        conn.execute_batch("VACUUM")?;
        conn.close().map_err(|(_, e)| Error::from(e))?;
        compress_into_place(&self.db_path, &self.target)
    }
}

fn apply(tx: &rusqlite::Transaction<'_>, sync_id: &str, cmd: Cmd) -> Result<(), Error> {
    let now = timefmt::now();
    match cmd {
        Cmd::ResourceTypes(items) => {
            let mut st = tx.prepare_cached(
                "INSERT INTO v1_resource_types (external_id, data, sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (external_id, sync_id) DO UPDATE SET data = EXCLUDED.data",
            )?;
            for rt in items {
                st.execute(params![rt.id, rt.encode_to_vec(), sync_id, now])?;
            }
        }
        Cmd::Resources(items) => {
            let mut st = tx.prepare_cached(
                "INSERT INTO v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (external_id, sync_id) DO UPDATE SET data = EXCLUDED.data",
            )?;
            for r in items {
                let id = r.resource_id();
                let parent = r.parent_resource_id.as_ref();
                st.execute(params![
                    id.resource_type,
                    ids::resource_key(&id),
                    parent.map(|p| p.resource_type.as_str()),
                    parent.map(|p| p.resource.as_str()),
                    r.encode_to_vec(),
                    sync_id,
                    now
                ])?;
            }
        }
        Cmd::Entitlements(items) => {
            let mut st = tx.prepare_cached(
                "INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (external_id, sync_id) DO UPDATE SET data = EXCLUDED.data",
            )?;
            for e in items {
                let rid = e.resource_id();
                st.execute(params![
                    rid.resource_type,
                    rid.resource,
                    e.id,
                    e.encode_to_vec(),
                    sync_id,
                    now
                ])?;
            }
        }
        Cmd::Grants(items) => {
            // Full grant rows (entitlement and principal inside `data`), with GrantExpandable
            // left in `data` and `expansion` NULL: every baton version reads that.
            let mut st = tx.prepare_cached(
                "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, discovered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, 0, ?7, ?8, ?9) \
                 ON CONFLICT (external_id, sync_id) DO UPDATE SET data = EXCLUDED.data",
            )?;
            for g in items {
                let ent_rid = g
                    .entitlement
                    .as_ref()
                    .map(Entitlement::resource_id)
                    .unwrap_or_default();
                let p = g.principal_id();
                st.execute(params![
                    ent_rid.resource_type,
                    ent_rid.resource,
                    g.entitlement_id(),
                    p.resource_type,
                    p.resource,
                    g.id,
                    g.encode_to_vec(),
                    sync_id,
                    now
                ])?;
            }
        }
        Cmd::Checkpoint(state) => {
            tx.execute(
                "UPDATE v1_sync_runs SET sync_token = ?1 WHERE sync_id = ?2",
                params![state, sync_id],
            )?;
        }
        Cmd::Start { .. } | Cmd::Finish(_) => {}
    }
    Ok(())
}

/// Compresses `db` into `<target>.tmp-<random>` beside the target, fsyncs, renames into place.
/// The temporary file is removed on any error (it is a `NamedTempFile` until persisted).
pub(crate) fn compress_into_place(db: &Path, target: &Path) -> Result<(), Error> {
    let dir = parent_dir(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sync.c1z".to_owned());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{name}.tmp-"))
        .tempfile_in(&dir)?;
    {
        let mut input = std::fs::File::open(db)?;
        let size = input.metadata()?.len();
        let out = std::io::BufWriter::new(tmp.as_file_mut());
        let mut out = out;
        out.write_all(C1Z_V1_MAGIC)?;
        let mut enc = zstd::stream::Encoder::new(out, ZSTD_LEVEL)?;
        enc.include_checksum(true)?;
        enc.set_pledged_src_size(Some(size))?;
        std::io::copy(&mut input, &mut enc)?;
        let mut out = enc.finish()?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| Error::from(e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
