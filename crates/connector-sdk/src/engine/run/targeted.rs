//! A targeted sync (baton's `targeted-resource-sync` actions): the targets fetched with their
//! types' getters, the child resources under them listed, then the targets' own entitlements
//! and grants. Nothing else is listed.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use futures::StreamExt;

use super::super::checkpoint::Checkpoint;
use super::super::resume::NotResumable;
use super::super::stats::Phase;
use super::{Op, Run};
use crate::error::{Code, Error};
use crate::ids;
use crate::model::Resource;
use crate::store::{ResumePoint, SyncStore};
use crate::targeted::TargetedResource;

impl Run<'_> {
    /// Whether this run is a targeted sync.
    pub(super) fn is_targeted(&self) -> bool {
        !self.options.targeted_resources.is_empty()
    }

    /// A targeted sync is never resumed (baton starts a new partial sync every time), and a
    /// sync of every resource never resumes a targeted one.
    pub(super) fn check_targeted_resume(
        &self,
        ck: Option<&Checkpoint>,
        point: Option<&ResumePoint>,
    ) -> Result<(), Error> {
        let was_targeted = ck.is_some_and(|c| c.targeted);
        if self.is_targeted() && point.is_some() {
            return Err(NotResumable::new(format!(
                "a targeted sync (--sync-resources) is never resumed, and the file holds the unfinished sync {}",
                self.stats.sync_id
            ))
            .into_error());
        }
        if was_targeted {
            return Err(NotResumable::new(format!(
                "the unfinished sync {} was a targeted sync (--sync-resources), which is never resumed",
                self.stats.sync_id
            ))
            .into_error());
        }
        Ok(())
    }

    /// The targets this sync fetches: those of a selected type, each once. A type no syncer
    /// declares, or whose syncer cannot get one resource, is an `InvalidArgument` naming it.
    fn targets(&self) -> Result<Vec<TargetedResource>, Error> {
        let mut seen = BTreeSet::new();
        let mut targets = Vec::new();
        for t in &self.options.targeted_resources {
            let Some(info) = self.types.get(&t.id.resource_type) else {
                let mut known: Vec<&str> = self.types.keys().map(String::as_str).collect();
                known.sort_unstable();
                return Err(Error::invalid_argument(format!(
                    "targeted resource {t} has type {:?}, which this connector does not sync: it syncs {}",
                    t.id.resource_type,
                    known.join(", ")
                )));
            };
            if info.syncer.resource_getter().is_none() {
                return Err(Error::invalid_argument(format!(
                    "targeted resource {t}: this connector cannot fetch one resource of type {:?} \
                     (no targeted sync for it); sync the type with --sync-resource-types instead",
                    t.id.resource_type
                )));
            }
            if !info.selected {
                tracing::info!(target = %t, "left out of the targeted sync: its type is not in --sync-resource-types");
                continue;
            }
            if seen.insert(t.clone()) {
                targets.push(t.clone());
            }
        }
        Ok(targets)
    }

    /// Fetches one target, with the retry policy. `None` when the connector did not find it.
    async fn fetch_target(&self, t: TargetedResource) -> Result<Option<Resource>, Error> {
        let syncer = self
            .types
            .get(&t.id.resource_type)
            .map(|info| info.syncer.clone())
            .ok_or_else(|| Error::internal("no syncer for a targeted resource"))?;
        let calls = self.calls.clone();
        let result = self
            .options
            .retry
            .run(&self.options.cancel, &self.retries, || {
                calls.fetch_add(1, Ordering::Relaxed);
                let syncer = syncer.clone();
                let t = t.clone();
                async move {
                    let getter = syncer
                        .resource_getter()
                        .ok_or_else(|| Error::internal("the syncer's resource getter went away"))?;
                    getter.get(&t.id, t.parent.as_ref()).await
                }
            })
            .await;
        match result {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.code() == Code::NotFound && !e.is_in_shared_state() => {
                // baton's getResourceFromConnector: a target that is not there is skipped.
                tracing::warn!(target = %t, error = %e, "targeted resource not found: skipped");
                Ok(None)
            }
            Err(e) => Err(e.context(format!("get {t}"))),
        }
    }

    /// The targeted sync, after the resource types are stored.
    pub(super) async fn targeted_phases<S: SyncStore + ?Sized>(
        &mut self,
        store: &mut S,
    ) -> Result<(), Error> {
        let targets = self.targets()?;
        self.phase = Phase::Resources;
        self.in_phases = true;
        self.save_checkpoint(store).await?;
        let concurrency = self.options.concurrency.max(1);
        let fetched: Vec<(TargetedResource, Result<Option<Resource>, Error>)> = {
            let this = &*self;
            futures::stream::iter(targets)
                .map(|t| async move { (t.clone(), this.fetch_target(t).await) })
                .buffered(concurrency)
                .collect()
                .await
        };
        let mut keep = Vec::new();
        for (t, result) in fetched {
            let Some(mut r) = result? else {
                self.stats.warnings += 1;
                continue;
            };
            if r.id.as_ref() != Some(&t.id) {
                self.problem(format!(
                    "asked for resource {}, the connector answered with {}",
                    ids::resource_key(&t.id),
                    r.id.as_ref()
                        .map_or_else(|| "a resource with no id".to_owned(), ids::resource_key)
                ));
                continue;
            }
            if r.parent_resource_id.is_none() {
                r.parent_resource_id = t.parent.clone();
            }
            if let Some(r) = self.register(r, true) {
                keep.push(r);
            }
        }
        self.check_problems()?;
        if !keep.is_empty() {
            store.put_resources(keep).await?;
        }
        // Only the targets' own entitlements and grants are listed: children are stored as
        // resources (baton's targeted sync lists them, and no more).
        let entitlement_list = std::mem::take(&mut self.entitlement_list);
        let grant_list = std::mem::take(&mut self.grant_list);
        let children = std::mem::take(&mut self.queue);
        self.run_phase(Phase::Resources, children, store).await?;
        self.check_problems()?;
        self.entitlement_list.clear();
        self.grant_list.clear();
        if self.options.skip_entitlements_and_grants {
            return self.finish(store).await;
        }
        let queue = self.indexed_jobs(entitlement_list, None, Op::Entitlements);
        self.run_phase(Phase::Entitlements, queue, store).await?;
        self.check_problems()?;
        if !self.options.skip_grants {
            let queue = self.indexed_jobs(grant_list, None, Op::Grants);
            self.run_phase(Phase::Grants, queue, store).await?;
            self.check_problems()?;
        }
        self.finish(store).await
    }
}
