//! Starting a sync: what a resumed sync already holds, the connector's `begin_sync`, its
//! metadata and its resource types.

use std::sync::Arc;

use super::super::checkpoint::Checkpoint;
use super::super::resume::SourceMismatch;
use super::super::stats::Phase;
use super::{Run, TypeInfo};
use crate::connector::ResourceSyncer;
use crate::error::Error;
use crate::model::{AnnotationsExt, SkipEntitlements, SkipEntitlementsAndGrants, SkipGrants};
use crate::session::{SOURCE_KEY, STARTED_KEY, SyncSession};
use crate::store::{ResumePoint, SyncStore};

impl Run<'_> {
    /// Starts the sync with the connector: reads what a resumed sync already holds and its
    /// checkpoint (`None` for a checkpoint this engine cannot read: the sync is redone), checks
    /// the source, and asks the connector for this sync's syncers (`begin_sync`).
    pub(super) async fn begin<S: SyncStore + ?Sized>(
        &mut self,
        store: &mut S,
    ) -> Result<
        (
            Option<Checkpoint>,
            Option<ResumePoint>,
            Vec<Arc<dyn ResourceSyncer>>,
        ),
        Error,
    > {
        // What a resumed sync already holds, and its checkpoint.
        let mut resume = None;
        let mut point = None;
        if let Some(p) = store.resume().await? {
            let ck = Checkpoint::parse(&p.state);
            self.check_targeted_resume(ck.as_ref(), Some(&p))?;
            if let Some(ck) = &ck {
                self.check_same_selection(ck)?;
            }
            resume = ck;
            point = Some(p);
        }
        let session = store.session().await?;
        if point.is_some() && resume.is_none() {
            // A checkpoint this engine cannot read (baton's, or none): the sync is redone from
            // the start, and a fresh sync's session is empty.
            session.clear().await?;
        }
        if let Some(source) = &self.options.source {
            if point.is_some()
                && let Some(stored) = session.get(SOURCE_KEY).await?
                && stored != source.as_bytes()
            {
                let mismatch = SourceMismatch {
                    stored: String::from_utf8_lossy(&stored).into_owned(),
                    expected: source.clone(),
                };
                return Err(Error::failed_precondition(mismatch.to_string()).with_source(mismatch));
            }
            session.put(SOURCE_KEY, source.as_bytes().to_vec()).await?;
        }
        if session.get(STARTED_KEY).await?.is_none() {
            // A fresh sync (or one redone from the start): when it began. A resumed sync keeps
            // the first start, since it may hold what it listed before that.
            let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
            session
                .put(STARTED_KEY, now.to_string().into_bytes())
                .await?;
        }
        let session = SyncSession::new(self.stats.sync_id.clone(), session)
            .with_resumed(resume.is_some())
            .with_counters(self.counters.clone())
            .with_resource_types(self.options.sync_resource_types.clone())
            .with_targeted(self.options.targeted_resources.clone())
            .with_previous(self.previous());
        let syncers = {
            let connector = self.connector.clone();
            self.options
                .retry
                .run(&self.options.cancel, &self.retries, || {
                    let c = connector.clone();
                    let session = session.clone();
                    async move { c.begin_sync(session).await }
                })
                .await
                .map_err(|e| e.context("begin sync"))?
        };
        Ok((resume, point, syncers))
    }

    /// Stores the connector's metadata (a demo says it is one) and the resource types: always
    /// (re)stored, as they are upserts. Registers each syncer by its type.
    pub(super) async fn store_types<S: SyncStore + ?Sized>(
        &mut self,
        syncers: Vec<Arc<dyn ResourceSyncer>>,
        store: &mut S,
    ) -> Result<(), Error> {
        let metadata = {
            let connector = self.connector.clone();
            self.options
                .retry
                .run(&self.options.cancel, &self.retries, || {
                    let c = connector.clone();
                    async move { c.metadata().await }
                })
                .await
                .map_err(|e| e.context("connector metadata"))?
        };
        store.put_connector_metadata(metadata).await?;

        self.phase = Phase::ResourceTypes;
        let mut types = Vec::new();
        for syncer in syncers {
            let rt = syncer.resource_type();
            if rt.id.is_empty() {
                return Err(Error::invalid_argument(
                    "a syncer returned an empty resource type id",
                ));
            }
            if self.types.contains_key(&rt.id) {
                return Err(Error::invalid_argument(format!(
                    "two syncers for resource type {}",
                    rt.id
                )));
            }
            let skip_all = self.options.skip_entitlements_and_grants
                || rt
                    .annotations
                    .contains_annotation::<SkipEntitlementsAndGrants>();
            let selected =
                self.selected_types.is_empty() || self.selected_types.binary_search(&rt.id).is_ok();
            if selected {
                self.type_order.push(rt.id.clone());
            }
            self.types.insert(
                rt.id.clone(),
                TypeInfo {
                    syncer,
                    resource_type: rt.clone(),
                    selected,
                    skip_entitlements: skip_all
                        || rt.annotations.contains_annotation::<SkipEntitlements>(),
                    skip_grants: skip_all || rt.annotations.contains_annotation::<SkipGrants>(),
                },
            );
            if selected {
                types.push(rt);
            }
        }
        self.check_selection()?;
        self.stats.resource_types = types.len() as u64;
        store.put_resource_types(types).await?;
        self.report();
        Ok(())
    }
}

impl Run<'_> {
    /// The previous sync handed to the connector: none when it was taken from another source
    /// than this sync's (another project, another base URL), which is noted in the summary.
    fn previous(&self) -> Option<Arc<dyn crate::previous::PreviousSync>> {
        let previous = self.options.previous.clone()?;
        if let (Some(theirs), Some(ours)) = (previous.source(), &self.options.source)
            && theirs != ours
        {
            let why = format!("the previous sync was taken from {theirs}, not {ours}");
            tracing::warn!(reason = %why, "incremental sync not possible");
            self.counters.note("sync", format!("full: {why}"));
            return None;
        }
        Some(previous)
    }
}
