//! The `.c1z` writer's thread: batched transactions into the working database, periodic saves
//! of an unfinished sync, and the final save.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use prost::Message;
use rusqlite::{Connection, params};
use tokio::sync::mpsc;

use super::cmd::{Cmd, SavePolicy};
use super::db::{Upserts, apply, create_deferred_index, free_pages, prepare_for_save};
use super::file::compress_into_place;
use super::timefmt;
use crate::error::Error;
use crate::model::Resource;
use crate::store::ResumePoint;

/// Rows per SQLite transaction, at most. Large transactions are what make SQLite fast.
const MAX_ROWS_PER_TX: usize = 50_000;

/// The `sync_token` of a finished sync.
const FINISHED_SYNC_TOKEN: &str = r#"{"version":1}"#;

pub(super) struct Worker {
    pub(super) conn: Option<Connection>,
    pub(super) _tmp: tempfile::TempDir,
    pub(super) db_path: PathBuf,
    pub(super) target: PathBuf,
    pub(super) sync_id: String,
    /// Keep the newest finished sync besides this one (baton keeps two).
    pub(super) keep_previous: bool,
    /// Index DDL to run before saving (see [`open_db`]).
    pub(super) deferred_indexes: Vec<&'static str>,
    /// Saves the unfinished sync at checkpoints, by this policy (resumable writers, once the
    /// sync started).
    pub(super) save_policy: Option<SavePolicy>,
    /// When this writer started or resumed the sync (the first save waits the policy's minimum
    /// interval from here).
    pub(super) saving_since: Option<Instant>,
    /// Something changed since the target was last written (or read).
    pub(super) unsaved: bool,
    /// When the last periodic save ended, and how long it took.
    pub(super) last_save: Option<(Instant, Duration)>,
    pub(super) rx: mpsc::Receiver<Cmd>,
}

impl Worker {
    fn conn(&self) -> Result<&Connection, Error> {
        self.conn
            .as_ref()
            .ok_or_else(|| Error::internal("c1z database closed"))
    }

    pub(super) fn run(mut self) -> Result<(), Error> {
        let mut next: Option<Cmd> = None;
        loop {
            let cmd = match next.take() {
                Some(c) => c,
                None => match self.rx.blocking_recv() {
                    Some(c) => c,
                    // Channel closed without Finish: the writer was dropped. TempDir cleans up.
                    None => return Ok(()),
                },
            };
            match cmd {
                Cmd::Start {
                    sync_id,
                    started_at,
                    sync_type,
                    save,
                } => {
                    self.conn()?.execute(
                        "INSERT INTO v1_sync_runs (sync_id, started_at, sync_token, sync_type, parent_sync_id, linked_sync_id) VALUES (?1, ?2, '', ?3, '', '')",
                        params![sync_id, started_at, sync_type.as_str()],
                    )?;
                    self.sync_id = sync_id;
                    self.start_saving(save);
                    self.unsaved = true;
                }
                Cmd::Resume(sync_id, save) => {
                    self.sync_id = sync_id;
                    self.start_saving(save);
                }
                Cmd::Snapshot(reply) => {
                    let _ = reply.send(self.snapshot());
                }
                Cmd::Suspend(reply) => {
                    // The last checkpoint is committed (it came first): save it, unless the
                    // target already holds exactly this state.
                    let result = if self.unsaved {
                        self.save_unfinished()
                    } else {
                        Ok(())
                    };
                    let _ = reply.send(result);
                    return Ok(());
                }
                Cmd::Finish(reply) => {
                    let _ = reply.send(self.close_and_save());
                    return Ok(());
                }
                first => {
                    // Batch everything already queued into one transaction.
                    let conn = self
                        .conn
                        .as_ref()
                        .ok_or_else(|| Error::internal("c1z database closed"))?;
                    let tx = conn.unchecked_transaction()?;
                    let mut rows = first.rows();
                    // A checkpoint ends the transaction, so that a save right after it holds
                    // exactly the rows the checkpoint accounts for.
                    let mut checkpointed = matches!(first, Cmd::Checkpoint(_));
                    let upserts = Upserts::without(&self.deferred_indexes);
                    apply(&tx, &self.sync_id, upserts, first)?;
                    // The transaction stays open while the channel is momentarily empty: a
                    // commit costs SQLite a pass over its whole page cache, and committing
                    // whenever the writer caught up meant one commit per small page (thousands
                    // of one-row entitlement pages). Nothing needs the rows committed before a
                    // checkpoint or a control command, and the database is scratch until saved.
                    while rows < MAX_ROWS_PER_TX && !checkpointed {
                        let c = match self.rx.try_recv() {
                            Ok(c) => c,
                            Err(mpsc::error::TryRecvError::Empty) => {
                                match self.rx.blocking_recv() {
                                    Some(c) => c,
                                    None => break,
                                }
                            }
                            Err(mpsc::error::TryRecvError::Disconnected) => break,
                        };
                        if c.is_control() {
                            next = Some(c);
                            break;
                        }
                        rows += c.rows();
                        checkpointed = matches!(c, Cmd::Checkpoint(_));
                        apply(&tx, &self.sync_id, upserts, c)?;
                    }
                    tx.commit()?;
                    self.unsaved = true;
                    if checkpointed {
                        self.periodic_save();
                    }
                }
            }
        }
    }

    fn start_saving(&mut self, policy: SavePolicy) {
        if self.keep_previous {
            self.save_policy = Some(policy);
            self.saving_since = Some(Instant::now());
        }
    }

    /// At a checkpoint: saves the unfinished sync unless the last save was too recent for its
    /// cost. A failed save is logged, not fatal: the sync can still finish, and the next
    /// checkpoint tries again.
    fn periodic_save(&mut self) {
        let Some(policy) = self.save_policy else {
            return;
        };
        if let Some((ended, took)) = self.last_save
            && ended.elapsed() < took.saturating_mul(policy.spacing)
        {
            return;
        }
        // A short sync is not saved at every phase boundary: the first save waits the minimum
        // interval from the start, later ones from the last save (Ctrl-C and SIGTERM still save
        // through `Suspend`).
        let since = self.last_save.map(|(ended, _)| ended).or(self.saving_since);
        if since.is_some_and(|t| t.elapsed() < policy.min_interval) {
            return;
        }
        if let Err(e) = self.save_unfinished() {
            tracing::warn!(error = %e, "could not save the unfinished sync; retrying at the next checkpoint");
        }
    }

    /// Writes the working database, as it stands between transactions, to the target. It is
    /// consistent there: every transaction is committed to the file, and there is no journal.
    /// The non-unique indexes stay deferred (see [`C1zWriter::open_or_resume`]).
    fn save_unfinished(&mut self) -> Result<(), Error> {
        let started = Instant::now();
        // Read through a second file handle while SQLite keeps its own open. Closing that
        // handle drops the process's POSIX locks on the file, which only matters to other
        // processes, and none opens this private scratch database.
        compress_into_place(&self.db_path, &self.target)?;
        let took = started.elapsed();
        self.last_save = Some((Instant::now(), took));
        self.unsaved = false;
        tracing::debug!(?took, sync_id = %self.sync_id, "unfinished sync saved");
        Ok(())
    }

    fn snapshot(&self) -> Result<ResumePoint, Error> {
        let conn = self.conn()?;
        let state: String = conn.query_row(
            "SELECT sync_token FROM v1_sync_runs WHERE sync_id = ?1",
            params![self.sync_id],
            |r| r.get(0),
        )?;
        let mut point = ResumePoint::new(state);
        // Each resource once, where it was first written, with the data written last: what the
        // upsert gives, also while the unique index is deferred and duplicates sit in the table.
        let mut st = conn.prepare(
            "SELECT r.data FROM (SELECT min(id) AS first, max(id) AS last FROM v1_resources \
             WHERE sync_id = ?1 GROUP BY external_id) d JOIN v1_resources r ON r.id = d.last \
             ORDER BY d.first",
        )?;
        let mut rows = st.query(params![self.sync_id])?;
        while let Some(row) = rows.next()? {
            let data: Vec<u8> = row.get(0)?;
            point.resources.push(Resource::decode(data.as_slice())?);
        }
        let mut st =
            conn.prepare("SELECT external_id FROM v1_entitlements WHERE sync_id = ?1 ORDER BY id")?;
        point.entitlement_ids = st
            .query_map(params![self.sync_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let grants: i64 = conn.query_row(
            "SELECT count(*) FROM v1_grants WHERE sync_id = ?1",
            params![self.sync_id],
            |r| r.get(0),
        )?;
        point.grants = u64::try_from(grants).unwrap_or_default();
        Ok(point)
    }

    /// Ends the sync, drops old syncs, builds the deferred indexes, VACUUMs if needed and
    /// writes the `.c1z`.
    fn close_and_save(&mut self) -> Result<(), Error> {
        let conn = self
            .conn
            .take()
            .ok_or_else(|| Error::internal("c1z database closed"))?;
        conn.execute(
            "UPDATE v1_sync_runs SET ended_at = ?1, sync_token = ?2 WHERE sync_id = ?3",
            params![timefmt::now(), FINISHED_SYNC_TOKEN, self.sync_id],
        )?;
        if self.keep_previous {
            // Keep this sync and the newest other finished one, like baton's cleanup.
            let keep = "SELECT sync_id FROM v1_sync_runs WHERE ended_at IS NOT NULL \
                        ORDER BY ended_at DESC, sync_id DESC LIMIT 2";
            for table in [
                "v1_resource_types",
                "v1_resources",
                "v1_entitlements",
                "v1_grants",
                "v1_assets",
                "v1_connector_sessions",
                "v1_sync_runs",
            ] {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE sync_id NOT IN ({keep})"),
                    [],
                )?;
            }
        }
        // Dropped syncs (or replaced rows) left free pages: compact the file before saving.
        let vacuum = free_pages(&conn)? > 0;
        // Only an unfinished sync needs its connector session: a finished file keeps none but
        // the engine's records of the sync's source (so a finished file can be checked before it
        // replaces another) and of its first start (what a later sync may ask changes since),
        // and the connector's kept keys (`previous::KEPT_PREFIX`, for a later incremental sync). Its pages are zeroed as they are freed (`secure_delete`, set when
        // the database was opened), so they cost next to nothing compressed, and the index build
        // below reuses them: no VACUUM, which would rewrite the whole database, just for them.
        conn.execute(
            "DELETE FROM v1_connector_sessions WHERE sync_id = ?1 AND key NOT IN (?2, ?3) \
             AND substr(key, 1, length(?4)) != ?4",
            params![
                self.sync_id,
                crate::session::SOURCE_KEY,
                crate::session::STARTED_KEY,
                crate::previous::KEPT_PREFIX
            ],
        )?;
        let t = Instant::now();
        // Sorting a million grant rows for each index in memory would cost more memory than
        // the whole sync: let the index sorter spill to temporary files instead.
        if !self.deferred_indexes.is_empty() {
            conn.pragma_update(None, "temp_store", "FILE")?;
        }
        for stmt in self.deferred_indexes.drain(..) {
            let started = Instant::now();
            create_deferred_index(&conn, stmt)?;
            tracing::debug!(took = ?started.elapsed(), stmt, "c1z index built");
        }
        prepare_for_save(&conn, vacuum)?;
        conn.close().map_err(|(_, e)| Error::from(e))?;
        let indexed_and_vacuumed = t.elapsed();
        compress_into_place(&self.db_path, &self.target)?;
        tracing::debug!(
            ?indexed_and_vacuumed,
            compressed = ?(t.elapsed() - indexed_and_vacuumed),
            "c1z written"
        );
        Ok(())
    }
}
