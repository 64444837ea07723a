//! A finished `.c1z` as the previous sync of an incremental sync.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::reader::C1zReader;
use crate::error::{Code, Error};
use crate::model::Resource;
use crate::page::Page;
use crate::previous::{KeptPage, PreviousSync, check_kept_prefix};

/// The newest finished sync of a `.c1z` file, read a page at a time on tokio's blocking pool
/// (the file is decompressed once, into a temporary file, by [`PreviousC1z::open`]).
///
/// ```no_run
/// use c1_connector_sdk::engine::SyncOptions;
/// use c1_connector_sdk::store::PreviousC1z;
/// let previous = PreviousC1z::open("yesterday.c1z")?;
/// let options = SyncOptions::default().with_previous(std::sync::Arc::new(previous));
/// # Ok::<(), c1_connector_sdk::error::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PreviousC1z {
    reader: Arc<Mutex<C1zReader>>,
    started_at_ms: i64,
    source: Option<String>,
}

impl PreviousC1z {
    /// Opens `path` and checks that it holds a finished sync that recorded its start (this SDK
    /// records it; a file from baton or an older version does not, and is refused with
    /// `FailedPrecondition`). Blocking: it decompresses the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let reader = C1zReader::open(path).map_err(|e| {
            Error::new(
                e.code(),
                format!(
                    "reading the previous sync {}: {} (sync without --incremental-from to start from nothing)",
                    path.display(),
                    e.message()
                ),
            )
        })?;
        let refuse = |why: &str| {
            Error::new(
                Code::FailedPrecondition,
                format!(
                    "{} cannot be the previous sync of an incremental sync: {why}",
                    path.display()
                ),
            )
        };
        match reader.selected_sync() {
            Some(sync) if sync.is_finished() => {}
            Some(_) => return Err(refuse("its sync never finished")),
            None => return Err(refuse("it holds no sync")),
        }
        let Some(started_at_ms) = reader.sync_started_at_ms()? else {
            return Err(refuse(
                "it does not record when its sync started (written by baton or an older version)",
            ));
        };
        let source = reader.sync_source()?;
        Ok(Self {
            reader: Arc::new(Mutex::new(reader)),
            started_at_ms,
            source,
        })
    }

    async fn with_reader<T: Send + 'static>(
        &self,
        f: impl FnOnce(&C1zReader) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            // A panic in another read leaves the read-only reader as it was.
            let reader = reader.lock().unwrap_or_else(|p| p.into_inner());
            f(&reader)
        })
        .await
        .map_err(|e| Error::internal(format!("reading the previous sync failed: {e}")))?
    }
}

#[async_trait]
impl PreviousSync for PreviousC1z {
    fn started_at_ms(&self) -> i64 {
        self.started_at_ms
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    async fn resources_page(
        &self,
        resource_type: &str,
        token: Option<&str>,
        limit: usize,
    ) -> Result<Page<Resource>, Error> {
        let after: i64 = match token {
            None | Some("") => 0,
            Some(t) => t.parse().map_err(|_| {
                Error::invalid_argument(format!(
                    "'{t}' is not a page token of a previous sync's resources"
                ))
            })?,
        };
        let resource_type = resource_type.to_owned();
        let (items, next) = self
            .with_reader(move |r| r.resources_page(&resource_type, after, limit))
            .await?;
        Ok(match next {
            Some(row) => Page::next(items, row.to_string()),
            None => Page::last(items),
        })
    }

    async fn kept_page(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<KeptPage, Error> {
        check_kept_prefix(prefix)?;
        let prefix = prefix.to_owned();
        let after = after.map(str::to_owned);
        let (entries, more) = self
            .with_reader(move |r| r.session_page(&prefix, after.as_deref(), limit))
            .await?;
        Ok(KeptPage::new(entries, more))
    }
}
