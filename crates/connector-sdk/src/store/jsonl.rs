//! A JSON Lines store: one protojson object per line, for piping a sync into other tools.

use std::io::{BufWriter, Write};
use std::path::Path;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::SyncStore;
use crate::error::Error;
use crate::model::{Entitlement, Grant, Resource, ResourceType};
use crate::protojson;

/// Writes each object as one line: `{"resourceType":{...}}`, `{"resource":{...}}`,
/// `{"entitlement":{...}}`, `{"grant":{...}}`, with the protojson names baton's `-o json` uses.
///
/// ```
/// use c1_connector_sdk::model::ResourceType;
/// use c1_connector_sdk::store::{JsonlWriter, SyncStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), c1_connector_sdk::error::Error> {
/// let mut out = JsonlWriter::new(Vec::new());
/// out.start_sync().await?;
/// out.put_resource_types(vec![ResourceType::new("user", "User")]).await?;
/// out.finish().await?;
/// let text = String::from_utf8(out.into_inner()?).unwrap_or_default();
/// let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap_or_default();
/// assert_eq!(line, serde_json::json!({"resourceType": {"id": "user", "displayName": "User"}}));
/// # Ok(()) }
/// ```
pub struct JsonlWriter<W: Write + Send = Box<dyn Write + Send>> {
    out: BufWriter<W>,
}

impl<W: Write + Send> std::fmt::Debug for JsonlWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonlWriter").finish_non_exhaustive()
    }
}

impl JsonlWriter<Box<dyn Write + Send>> {
    /// Writes to a new file at `path` (truncating it).
    pub fn create(path: impl AsRef<Path>) -> Result<Self, Error> {
        let f = std::fs::File::create(path)?;
        Ok(Self::new(Box::new(f)))
    }

    /// Writes to standard output.
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }
}

impl<W: Write + Send> JsonlWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out: BufWriter::new(out),
        }
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(self) -> Result<W, Error> {
        self.out
            .into_inner()
            .map_err(|e| Error::from(e.into_error()))
    }

    fn line(&mut self, key: &str, v: Value) -> Result<(), Error> {
        serde_json::to_writer(&mut self.out, &json!({ key: v })).map_err(|e| {
            // A failed write (a closed pipe, a full disk) stays an I/O error, so callers can
            // tell it from an encoding problem.
            if e.io_error_kind().is_some() {
                Error::from(std::io::Error::from(e))
            } else {
                Error::internal("json encoding failed").with_source(e)
            }
        })?;
        self.out.write_all(b"\n")?;
        Ok(())
    }
}

#[async_trait]
impl<W: Write + Send> SyncStore for JsonlWriter<W> {
    async fn start_sync(&mut self) -> Result<String, Error> {
        Ok(super::new_sync_id())
    }

    async fn put_resource_types(&mut self, items: Vec<ResourceType>) -> Result<(), Error> {
        for i in &items {
            self.line("resourceType", protojson::resource_type(i))?;
        }
        Ok(())
    }

    async fn put_resources(&mut self, items: Vec<Resource>) -> Result<(), Error> {
        for i in &items {
            self.line("resource", protojson::resource(i))?;
        }
        Ok(())
    }

    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error> {
        for i in &items {
            self.line("entitlement", protojson::entitlement(i))?;
        }
        Ok(())
    }

    async fn put_grants(&mut self, items: Vec<Grant>) -> Result<(), Error> {
        for i in &items {
            self.line("grant", protojson::grant(i))?;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), Error> {
        self.out.flush()?;
        Ok(())
    }
}
