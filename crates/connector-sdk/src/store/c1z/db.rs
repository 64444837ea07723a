//! The SQLite side of the `.c1z` writer: opening the working database and applying commands
//! to it.

use std::path::Path;
use std::time::Duration;

use prost::Message;
use rusqlite::{Connection, OptionalExtension, params};

use super::cmd::{Cmd, SessionScan};
use super::schema::SCHEMA_SQL;
use super::timefmt;
use crate::error::Error;
use crate::session::SessionPage;

/// The page size of a new working database, in bytes.
const PAGE_SIZE: u32 = 65_536;

/// Opens (creating the schema if needed) the working database.
///
/// With `defer_indexes`, the non-unique indexes are left out and returned: building them once
/// from the loaded rows at the end is much faster than maintaining them row by row, and gives
/// compact indexes. So are the unique indexes on grants and resources ([`DEFERRED_UNIQUE`]):
/// their rows then go in with a plain `INSERT`, and the rare duplicate is merged as an upsert
/// would have merged it when the index is built (see [`create_deferred_index`]). The other unique
/// indexes stay, because their upserts need them while rows stream in, and so do the partial
/// indexes on grants (`WHERE expansion IS NOT NULL`, `WHERE needs_expansion =
/// 1`): no row this writer stores matches them, so keeping them costs one test per row, while
/// building them at the end would cost a full scan of the grants table each. The deferred
/// statements are baton's exact text, so the final schema is the same.
pub(crate) fn open_db(
    path: &Path,
    defer_indexes: bool,
) -> Result<(Connection, Vec<&'static str>), Error> {
    let conn = Connection::open(path)?;
    // Takes effect only on a new, empty database (before the first table is created). SQLite's
    // largest page: rows stream in appended, and each CREATE INDEX at the end scans the whole
    // grants table, so large pages mean an eighth of the system calls of 8 KiB ones and fewer
    // B-tree levels (W4's four grant indexes built in about two thirds of the time; see
    // docs/BENCHMARKS.md). Every SQLite reads any page size the header names.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    // The database is scratch space until it is compressed; durability and atomicity come from
    // fsyncing and renaming the compressed file, so SQLite need neither sync nor keep a rollback
    // journal while rows stream in (a failed write discards the whole scratch file). Before the
    // file is saved, the journal mode is set back to DELETE (see `prepare_for_save`); neither
    // mode is recorded in the file, which never uses WAL.
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    // One writer, no readers: skip file locking and keep hot index pages in memory
    // (a negative cache_size is in KiB).
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Deleted content is zeroed: freed pages (a finished sync's session rows, replaced rows)
    // then compress to almost nothing without a VACUUM of the whole file.
    conn.pragma_update(None, "secure_delete", true)?;
    // Let the sorter of the deferred CREATE INDEX statements use a second thread.
    conn.pragma_update(None, "threads", 2)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let has_tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'v1_sync_runs'",
        [],
        |r| r.get(0),
    )?;
    let mut deferred = Vec::new();
    if has_tables == 0 {
        for stmt in SCHEMA_SQL.split_inclusive(";\n") {
            if defer_indexes && is_deferrable(stmt) {
                deferred.push(stmt);
            } else {
                conn.execute_batch(stmt)?;
            }
        }
    } else {
        // A file saved with an unfinished sync lacks the non-unique indexes (they are built
        // only for a finished file): rebuild whichever are missing, from baton's exact text.
        for stmt in SCHEMA_SQL
            .split_inclusive(";\n")
            .filter(|s| s.starts_with("CREATE INDEX ") || s.starts_with("CREATE UNIQUE INDEX "))
        {
            let name = index_name(stmt);
            let present: i64 = conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                params![name],
                |r| r.get(0),
            )?;
            if present > 0 {
                continue;
            }
            if defer_indexes && is_deferrable(stmt) {
                deferred.push(stmt);
            } else {
                conn.execute_batch(stmt)?;
            }
        }
    }
    // The unique indexes first: merging duplicates, if any, then touches no other index.
    deferred.sort_by_key(|s| deferred_unique_table(s).is_none());
    Ok((conn, deferred))
}

/// baton's unique `(external_id, sync_id)` indexes that a new database builds at the end, with
/// their tables (baton names the one on resources `idx_resources_parent_resource_id_v1`).
const DEFERRED_UNIQUE: [(&str, &str); 2] = [
    ("idx_grants_external_sync_v1", "v1_grants"),
    ("idx_resources_parent_resource_id_v1", "v1_resources"),
];

/// The table whose unique index `stmt` creates, when it is one of [`DEFERRED_UNIQUE`].
fn deferred_unique_table(stmt: &str) -> Option<&'static str> {
    let name = index_name(stmt);
    DEFERRED_UNIQUE
        .iter()
        .find(|(index, _)| *index == name)
        .map(|(_, table)| *table)
}

/// Which tables take upserts while rows stream in: those whose unique index exists. The others
/// take plain inserts, and their duplicates are merged when the index is built.
#[derive(Debug, Clone, Copy)]
pub(super) struct Upserts {
    pub(super) resources: bool,
    pub(super) grants: bool,
}

impl Upserts {
    /// Upserts for every table but those whose unique index is among `deferred`.
    pub(super) fn without(deferred: &[&str]) -> Self {
        let has = |table| {
            deferred
                .iter()
                .any(|s| deferred_unique_table(s) == Some(table))
        };
        Self {
            resources: !has("v1_resources"),
            grants: !has("v1_grants"),
        }
    }
}

/// The name in a `CREATE [UNIQUE] INDEX <name> on ...` statement.
fn index_name(stmt: &str) -> &str {
    stmt.split_whitespace()
        .skip_while(|w| *w != "INDEX")
        .nth(1)
        .unwrap_or_default()
}

/// A non-unique, non-partial index, or a unique index of [`DEFERRED_UNIQUE`]: cheaper to build
/// once at the end than to maintain. Each of the 6,000,000 grant rows of a large sync would
/// otherwise be inserted at a random place of a unique index ten times larger than SQLite's page
/// cache (and each of its 1,000,000 users into one three times larger).
fn is_deferrable(stmt: &str) -> bool {
    (stmt.starts_with("CREATE INDEX ") && !stmt.contains(" where "))
        || deferred_unique_table(stmt).is_some()
}

/// Runs one deferred `CREATE INDEX` statement. A unique index of [`DEFERRED_UNIQUE`] may meet
/// the duplicates that plain inserts let in (a connector that returned one object twice): they
/// are merged as the upsert would have merged them, then the index is built again.
pub(super) fn create_deferred_index(conn: &Connection, stmt: &str) -> Result<(), Error> {
    match (conn.execute_batch(stmt), deferred_unique_table(stmt)) {
        (Err(rusqlite::Error::SqliteFailure(e, _)), Some(table))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let merged = merge_duplicates(conn, table)?;
            tracing::debug!(merged, table, "duplicate rows merged before indexing");
            conn.execute_batch(stmt)?;
            Ok(())
        }
        (other, _) => Ok(other?),
    }
}

/// Leaves one row per `(external_id, sync_id)` of `table`, as `INSERT ... ON CONFLICT DO UPDATE
/// SET data = EXCLUDED.data` would have: the first row written stays, with the data of the last.
/// Returns the rows removed.
fn merge_duplicates(conn: &Connection, table: &str) -> Result<usize, Error> {
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE c1z_duplicates AS \
           SELECT min(id) AS first, max(id) AS last FROM {table} \
           GROUP BY external_id, sync_id HAVING count(*) > 1; \
         UPDATE {table} SET data = ( \
           SELECT t.data FROM c1z_duplicates d JOIN {table} t ON t.id = d.last \
           WHERE d.first = {table}.id) \
         WHERE id IN (SELECT first FROM c1z_duplicates);"
    ))?;
    let removed = conn.execute(
        &format!(
            "DELETE FROM {table} WHERE id NOT IN \
             (SELECT min(id) FROM {table} GROUP BY external_id, sync_id)"
        ),
        [],
    )?;
    conn.execute_batch("DROP TABLE c1z_duplicates")?;
    Ok(removed)
}

/// Readies a scratch database for saving: the rollback journal back on (`DELETE`, never WAL),
/// and VACUUM when asked (after deletions of whole syncs), since a freshly written database has
/// no free pages and rewriting it would only cost time.
pub(crate) fn prepare_for_save(conn: &Connection, vacuum: bool) -> Result<(), Error> {
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    if vacuum {
        conn.execute_batch("VACUUM")?;
    }
    Ok(())
}

/// Pages on the free list.
pub(crate) fn free_pages(conn: &Connection) -> Result<i64, Error> {
    Ok(conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?)
}

/// The statement that inserts a resource row.
macro_rules! insert_resource {
    () => {
        "INSERT INTO v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    };
}

/// The statement that inserts a grant row: entitlement and principal inside `data`, with
/// GrantExpandable left in `data` and `expansion` NULL (every baton version reads that).
macro_rules! insert_grant {
    () => {
        "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, discovered_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, 0, ?7, ?8, ?9)"
    };
}

/// What turns an insert into baton's upsert: a row written again keeps its place and takes the
/// new data.
macro_rules! upsert_data {
    () => {
        " ON CONFLICT (external_id, sync_id) DO UPDATE SET data = EXCLUDED.data"
    };
}

/// The statement that inserts an entitlement row.
macro_rules! insert_entitlement {
    () => {
        "INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    };
}

/// Applies one command. Resources and grants go in with a plain `INSERT` when `upserts` says so
/// (their unique index deferred); duplicates are merged when the index is built.
pub(super) fn apply(
    tx: &rusqlite::Transaction<'_>,
    sync_id: &str,
    upserts: Upserts,
    cmd: Cmd,
) -> Result<(), Error> {
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
        Cmd::Resources(rows) => {
            let sql = if upserts.resources {
                concat!(insert_resource!(), upsert_data!())
            } else {
                insert_resource!()
            };
            put_rows(tx, sql, &rows, sync_id, &now)?;
        }
        // Always by upsert: their unique index is kept while rows stream in.
        Cmd::Entitlements(rows) => put_rows(
            tx,
            concat!(insert_entitlement!(), upsert_data!()),
            &rows,
            sync_id,
            &now,
        )?,
        Cmd::Grants(rows) => {
            let sql = if upserts.grants {
                concat!(insert_grant!(), upsert_data!())
            } else {
                insert_grant!()
            };
            put_rows(tx, sql, &rows, sync_id, &now)?;
        }
        Cmd::Checkpoint(state) => {
            tx.execute(
                "UPDATE v1_sync_runs SET sync_token = ?1 WHERE sync_id = ?2",
                params![state, sync_id],
            )?;
        }
        Cmd::Asset(external_id, content_type, data) => {
            tx.prepare_cached(
                "INSERT INTO v1_assets (external_id, content_type, data, sync_id, discovered_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (external_id, sync_id) DO UPDATE SET data = EXCLUDED.data, content_type = EXCLUDED.content_type",
            )?
            .execute(params![external_id, content_type, data, sync_id, now])?;
        }
        Cmd::SessionPut(key, value) => {
            tx.prepare_cached(
                "INSERT INTO v1_connector_sessions (sync_id, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (sync_id, key) DO UPDATE SET value = EXCLUDED.value",
            )?
            .execute(params![sync_id, key, value])?;
        }
        Cmd::SessionDelete(key) => {
            tx.prepare_cached("DELETE FROM v1_connector_sessions WHERE sync_id = ?1 AND key = ?2")?
                .execute(params![sync_id, key])?;
        }
        Cmd::SessionClear => {
            tx.execute(
                "DELETE FROM v1_connector_sessions WHERE sync_id = ?1",
                params![sync_id],
            )?;
        }
        // A failed read is the reader's error, not the writer's: it is answered, and the
        // thread carries on.
        Cmd::SessionGet(key, reply) => {
            let value = tx
                .prepare_cached(
                    "SELECT value FROM v1_connector_sessions WHERE sync_id = ?1 AND key = ?2",
                )
                .and_then(|mut st| st.query_row(params![sync_id, key], |r| r.get(0)).optional())
                .map_err(Error::from);
            let _ = reply.send(value);
        }
        Cmd::SessionScan(scan, reply) => {
            let _ = reply.send(scan_session(tx, sync_id, &scan));
        }
        Cmd::Start { .. }
        | Cmd::Resume(..)
        | Cmd::Snapshot(_)
        | Cmd::Suspend(_)
        | Cmd::Finish(_) => {}
    }
    Ok(())
}

/// Stores `rows` with `sql`, whose parameters are the rows' cells, then the sync id, then the
/// time (bound once for the whole batch: SQLite keeps bindings across executions).
fn put_rows(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    rows: &super::rows::Rows,
    sync_id: &str,
    now: &str,
) -> Result<(), Error> {
    let mut st = tx.prepare_cached(sql)?;
    st.raw_bind_parameter(rows.width() + 1, sync_id)?;
    st.raw_bind_parameter(rows.width() + 2, now)?;
    for i in 0..rows.len() {
        rows.bind_row(&mut st, i)?;
        st.raw_execute()?;
    }
    Ok(())
}

/// Runs a prefix scan of `sync_id`'s session. The range starts at the prefix (or after `after`)
/// and uses the unique `(sync_id, key)` index; it stops at the first key without the prefix,
/// since keys compare as bytes (SQLite's BINARY collation, UTF-8 order).
pub(super) fn scan_session(
    conn: &Connection,
    sync_id: &str,
    scan: &SessionScan,
) -> Result<SessionPage, Error> {
    let (start, op) = match &scan.after {
        Some(a) if a.as_str() >= scan.prefix.as_str() => (a.as_str(), ">"),
        _ => (scan.prefix.as_str(), ">="),
    };
    let limit = scan.limit.max(1);
    let mut st = conn.prepare_cached(&format!(
        "SELECT key, value FROM v1_connector_sessions WHERE sync_id = ?1 AND key {op} ?2 ORDER BY key LIMIT ?3"
    ))?;
    let mut rows = st.query(params![
        sync_id,
        start,
        i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX)
    ])?;
    let mut page = SessionPage::default();
    let mut bytes = 0usize;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        if !key.starts_with(&scan.prefix) {
            break;
        }
        if page.entries.len() >= limit || (bytes >= scan.max_bytes && !page.entries.is_empty()) {
            page.more = true;
            break;
        }
        let value: Vec<u8> = row.get(1)?;
        bytes += value.len();
        page.entries.push((key, value));
    }
    Ok(page)
}
