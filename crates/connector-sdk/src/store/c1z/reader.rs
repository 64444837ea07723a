//! The `.c1z` v1 reader.

use std::path::Path;

use prost::Message;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::file::decompress_into;
use crate::error::Error;
use crate::ids;
use crate::model::{Entitlement, Grant, Resource, ResourceId, ResourceType};

/// One row of `v1_sync_runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncRun {
    /// The KSUID of the sync.
    pub id: String,
    /// Start time, in baton's text layout.
    pub started_at: String,
    /// End time; `None` for an unfinished sync.
    pub ended_at: Option<String>,
    /// The engine checkpoint (or a near-empty token for a finished sync).
    pub sync_token: String,
    /// `full`, `partial`, ...
    pub sync_type: String,
    /// The parent sync of a partial sync, or empty.
    pub parent_sync_id: String,
}

impl SyncRun {
    /// Whether the sync finished.
    pub fn is_finished(&self) -> bool {
        self.ended_at.is_some()
    }
}

/// Reads a v1 `.c1z` file written by baton-sdk or by [`C1zWriter`](super::C1zWriter).
///
/// Listings and lookups apply to one sync: by default the newest finished `full` sync (then the
/// newest finished sync of any type, then the newest unfinished one), like baton's reader;
/// [`C1zReader::select_sync`] picks another.
///
/// ```no_run
/// use c1_connector_sdk::store::C1zReader;
/// let reader = C1zReader::open("sync.c1z")?;
/// for grant in reader.grants()? {
///     println!("{}", grant.id);
/// }
/// # Ok::<(), c1_connector_sdk::error::Error>(())
/// ```
#[derive(Debug)]
pub struct C1zReader {
    conn: Connection,
    _db: tempfile::NamedTempFile,
    sync: Option<SyncRun>,
    /// The `SELECT` of `v1_sync_runs`, adapted to the columns this file has.
    sync_select: String,
}

impl C1zReader {
    /// Opens a `.c1z`: checks the magic, decompresses into a temporary file, opens it read-only.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let mut db = tempfile::Builder::new().prefix("c1z-read-").tempfile()?;
        decompress_into(path.as_ref(), db.as_file_mut())?;
        let conn = Connection::open_with_flags(
            db.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let sync_select = sync_select(&conn)?;
        let mut reader = Self {
            conn,
            _db: db,
            sync: None,
            sync_select,
        };
        reader.sync = reader.default_sync()?;
        Ok(reader)
    }

    /// Every sync in the file, oldest first.
    pub fn syncs(&self) -> Result<Vec<SyncRun>, Error> {
        let mut st = self
            .conn
            .prepare(&format!("{} ORDER BY id", self.sync_select))?;
        let rows = st.query_map([], sync_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn default_sync(&self) -> Result<Option<SyncRun>, Error> {
        let cols = &self.sync_select;
        let full_filter = if self.sync_select.contains("coalesce(sync_type") {
            "WHERE ended_at IS NOT NULL AND sync_type = 'full' ORDER BY ended_at DESC, sync_id DESC"
        } else {
            "WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, sync_id DESC"
        };
        for filter in [
            full_filter,
            "WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, sync_id DESC",
            "ORDER BY started_at DESC, sync_id DESC",
        ] {
            let found = self
                .conn
                .query_row(&format!("{cols} {filter} LIMIT 1"), [], sync_row)
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// The sync that listings and lookups read.
    pub fn selected_sync(&self) -> Option<&SyncRun> {
        self.sync.as_ref()
    }

    /// Reads sync `sync_id` from now on.
    pub fn select_sync(&mut self, sync_id: &str) -> Result<&SyncRun, Error> {
        let found = self
            .syncs()?
            .into_iter()
            .find(|s| s.id == sync_id)
            .ok_or_else(|| Error::not_found(format!("sync {sync_id} not in file")))?;
        Ok(self.sync.insert(found))
    }

    /// What the selected sync read, as its run named it
    /// ([`SyncOptions::with_source`](crate::engine::SyncOptions::with_source)); `None` when the
    /// run named none (or the file comes from baton or an older version of this SDK).
    ///
    /// ```no_run
    /// use c1_connector_sdk::store::C1zReader;
    /// let reader = C1zReader::open("sync.c1z")?;
    /// if reader.sync_source()?.as_deref() != Some("descope project P2abc") {
    ///     eprintln!("another project's file");
    /// }
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn sync_source(&self) -> Result<Option<String>, Error> {
        Ok(self
            .session_value(crate::session::SOURCE_KEY)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// When the selected sync first started, in milliseconds since the Unix epoch (UTC): kept
    /// across resumes, so everything the source changed after it is in a later sync; `None` for
    /// a file from baton or an older version of this SDK.
    ///
    /// ```no_run
    /// use c1_connector_sdk::store::C1zReader;
    /// let reader = C1zReader::open("sync.c1z")?;
    /// if let Some(ms) = reader.sync_started_at_ms()? {
    ///     println!("changes since {ms} ms after the epoch are not in this file");
    /// }
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn sync_started_at_ms(&self) -> Result<Option<i64>, Error> {
        let Some(v) = self.session_value(crate::session::STARTED_KEY)? else {
            return Ok(None);
        };
        String::from_utf8_lossy(&v)
            .parse()
            .map(Some)
            .map_err(|_| Error::internal("the sync's recorded start time in the file is not a number: the file was written by something else"))
    }

    /// One value of the selected sync's connector session.
    fn session_value(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let Some(sync) = &self.sync else {
            return Ok(None);
        };
        if !self.has_sessions()? {
            return Ok(None);
        }
        let value: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT value FROM v1_connector_sessions WHERE sync_id = ?1 AND key = ?2",
                rusqlite::params![sync.id, key],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value)
    }

    fn sync_id(&self) -> Result<&str, Error> {
        self.sync
            .as_ref()
            .map(|s| s.id.as_str())
            .ok_or_else(|| Error::not_found("the c1z file holds no sync"))
    }

    fn list<M: Message + Default>(&self, table: &str) -> Result<Vec<M>, Error> {
        let sync_id = self.sync_id()?;
        let mut st = self.conn.prepare(&format!(
            "SELECT data FROM {table} WHERE sync_id = ?1 ORDER BY id"
        ))?;
        let mut rows = st.query(params![sync_id])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let data: Vec<u8> = row.get(0)?;
            out.push(M::decode(data.as_slice())?);
        }
        Ok(out)
    }

    fn get<M: Message + Default>(
        &self,
        table: &str,
        external_id: &str,
    ) -> Result<Option<M>, Error> {
        let sync_id = self.sync_id()?;
        let data: Option<Vec<u8>> = self
            .conn
            .query_row(
                &format!("SELECT data FROM {table} WHERE external_id = ?1 AND sync_id = ?2"),
                params![external_id, sync_id],
                |r| r.get(0),
            )
            .optional()?;
        data.map(|d| M::decode(d.as_slice()).map_err(Error::from))
            .transpose()
    }

    /// Up to `limit` resources of `resource_type` of the selected sync whose row comes after
    /// `after_row` (0 for the first page), in insertion order, with the row of the last one
    /// (`None` when no resource follows): for reading a large file a page at a time.
    ///
    /// ```no_run
    /// use c1_connector_sdk::store::C1zReader;
    /// let reader = C1zReader::open("sync.c1z")?;
    /// let mut after = 0;
    /// loop {
    ///     let (users, next) = reader.resources_page("user", after, 1000)?;
    ///     println!("{} users", users.len());
    ///     match next {
    ///         Some(row) => after = row,
    ///         None => break,
    ///     }
    /// }
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn resources_page(
        &self,
        resource_type: &str,
        after_row: i64,
        limit: usize,
    ) -> Result<(Vec<Resource>, Option<i64>), Error> {
        let sync_id = self.sync_id()?;
        let limit = limit.max(1);
        let mut st = self.conn.prepare_cached(
            "SELECT id, data FROM v1_resources WHERE sync_id = ?1 AND resource_type_id = ?2 \
             AND id > ?3 ORDER BY id LIMIT ?4",
        )?;
        let mut rows = st.query(params![
            sync_id,
            resource_type,
            after_row,
            i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)
        ])?;
        let mut out = Vec::with_capacity(limit.min(4096));
        let mut last = after_row;
        let mut more = false;
        while let Some(row) = rows.next()? {
            if out.len() == limit {
                more = true;
                break;
            }
            last = row.get(0)?;
            let data: Vec<u8> = row.get(1)?;
            out.push(Resource::decode(data.as_slice())?);
        }
        Ok((out, more.then_some(last)))
    }

    /// Up to `limit` entries of the selected sync's connector session whose key starts with
    /// `prefix`, in key order, after the key `after`; and whether more follow. A finished file
    /// keeps only the engine's records and the keys under
    /// [`KEPT_PREFIX`](crate::previous::KEPT_PREFIX).
    ///
    /// ```no_run
    /// use c1_connector_sdk::store::C1zReader;
    /// let reader = C1zReader::open("sync.c1z")?;
    /// let (entries, more) = reader.session_page("kept/", None, 100)?;
    /// println!("{} kept entries{}", entries.len(), if more { " and more" } else { "" });
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn session_page(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Vec<u8>)>, bool), Error> {
        let Some(sync) = &self.sync else {
            return Ok((Vec::new(), false));
        };
        if !self.has_sessions()? {
            return Ok((Vec::new(), false));
        }
        let limit = limit.max(1);
        // Keys compare as text (SQLite's BINARY collation, byte order): the prefix's range
        // is [prefix, prefix + U+10FFFF).
        let upper = format!("{prefix}\u{10FFFF}");
        let mut st = self.conn.prepare_cached(
            "SELECT key, value FROM v1_connector_sessions WHERE sync_id = ?1 AND key >= ?2 \
             AND key < ?3 AND key > ?4 ORDER BY key LIMIT ?5",
        )?;
        let mut rows = st.query(params![
            sync.id,
            prefix,
            upper,
            after.unwrap_or(""),
            i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)
        ])?;
        let mut out = Vec::new();
        let mut more = false;
        while let Some(row) = rows.next()? {
            if out.len() == limit {
                more = true;
                break;
            }
            out.push((row.get(0)?, row.get(1)?));
        }
        Ok((out, more))
    }

    fn has_sessions(&self) -> Result<bool, Error> {
        Ok(self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'v1_connector_sessions'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The connector's metadata recorded with the selected sync
    /// ([`SyncStore::put_connector_metadata`](crate::store::SyncStore::put_connector_metadata)),
    /// if the writer kept it (baton's writers do not).
    pub fn connector_metadata(&self) -> Result<Option<crate::model::ConnectorMetadata>, Error> {
        self.get("v1_assets", crate::store::CONNECTOR_METADATA_ASSET)
    }

    /// Resource types of the selected sync, in insertion order.
    pub fn resource_types(&self) -> Result<Vec<ResourceType>, Error> {
        self.list("v1_resource_types")
    }

    /// Resources of the selected sync, in insertion order.
    pub fn resources(&self) -> Result<Vec<Resource>, Error> {
        self.list("v1_resources")
    }

    /// Entitlements of the selected sync, in insertion order.
    pub fn entitlements(&self) -> Result<Vec<Entitlement>, Error> {
        self.list("v1_entitlements")
    }

    /// Grants of the selected sync, in insertion order. For very large files prefer
    /// [`C1zReader::for_each_grant`], which does not hold them all.
    pub fn grants(&self) -> Result<Vec<Grant>, Error> {
        self.list("v1_grants")
    }

    /// Calls `f` for each grant of the selected sync, one row at a time.
    pub fn for_each_grant(
        &self,
        mut f: impl FnMut(Grant) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let sync_id = self.sync_id()?;
        let mut st = self
            .conn
            .prepare("SELECT data FROM v1_grants WHERE sync_id = ?1 ORDER BY id")?;
        let mut rows = st.query(params![sync_id])?;
        while let Some(row) = rows.next()? {
            let data: Vec<u8> = row.get(0)?;
            f(Grant::decode(data.as_slice())?)?;
        }
        Ok(())
    }

    /// Grants of one entitlement in the selected sync.
    pub fn grants_for_entitlement(&self, entitlement_id: &str) -> Result<Vec<Grant>, Error> {
        let sync_id = self.sync_id()?;
        let mut st = self.conn.prepare(
            "SELECT data FROM v1_grants WHERE entitlement_id = ?1 AND sync_id = ?2 ORDER BY id",
        )?;
        let mut rows = st.query(params![entitlement_id, sync_id])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let data: Vec<u8> = row.get(0)?;
            out.push(Grant::decode(data.as_slice())?);
        }
        Ok(out)
    }

    /// One resource type by id.
    pub fn get_resource_type(&self, id: &str) -> Result<Option<ResourceType>, Error> {
        self.get("v1_resource_types", id)
    }

    /// One resource by type and id.
    pub fn get_resource(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<Resource>, Error> {
        let key = ids::resource_key(&ResourceId::new(resource_type, resource_id));
        self.get("v1_resources", &key)
    }

    /// One entitlement by id.
    pub fn get_entitlement(&self, id: &str) -> Result<Option<Entitlement>, Error> {
        self.get("v1_entitlements", id)
    }

    /// One grant by id.
    pub fn get_grant(&self, id: &str) -> Result<Option<Grant>, Error> {
        self.get("v1_grants", id)
    }

    /// Row counts of the selected sync: (resource types, resources, entitlements, grants).
    pub fn counts(&self) -> Result<(u64, u64, u64, u64), Error> {
        let sync_id = self.sync_id()?;
        let count = |table: &str| -> Result<u64, Error> {
            let n: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE sync_id = ?1"),
                params![sync_id],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or_default())
        };
        Ok((
            count("v1_resource_types")?,
            count("v1_resources")?,
            count("v1_entitlements")?,
            count("v1_grants")?,
        ))
    }

    /// The schema (`sql` of every table and index in `sqlite_master`), sorted by name.
    pub fn schema(&self) -> Result<Vec<(String, String)>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The underlying read-only SQLite connection, for queries this API does not cover.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Files from old SDKs (before v0.2.x added them) lack `sync_type` and `parent_sync_id`;
/// baton's own migrations treat them as `full` and empty, and so do we.
fn sync_select(conn: &Connection) -> Result<String, Error> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info('v1_sync_runs')")?;
    let cols: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if cols.is_empty() {
        return Err(Error::new(
            crate::error::Code::DataLoss,
            "not a v1 c1z database (no v1_sync_runs table)",
        ));
    }
    let col = |name: &str, default: &str| {
        if cols.iter().any(|c| c == name) {
            format!("coalesce({name}, {default})")
        } else {
            default.to_owned()
        }
    };
    Ok(format!(
        "SELECT sync_id, started_at, ended_at, {}, {}, {} FROM v1_sync_runs",
        col("sync_token", "''"),
        col("sync_type", "'full'"),
        col("parent_sync_id", "''"),
    ))
}

fn sync_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncRun> {
    Ok(SyncRun {
        id: r.get(0)?,
        started_at: r.get(1)?,
        ended_at: r.get(2)?,
        sync_token: r.get(3)?,
        sync_type: r.get(4)?,
        parent_sync_id: r.get(5)?,
    })
}
