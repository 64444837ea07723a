//! Storing a page: the per-object integrity checks, dedup, and the bookkeeping that feeds
//! the later phases.

use std::sync::Arc;

use super::{Job, Op, Output, Run};
use crate::error::Error;
use crate::ids;
use crate::model::{
    AnnotationsExt, ChildResourceType, Resource, SkipEntitlements, SkipEntitlementsAndGrants,
    SkipGrants, Trait, any_type_name,
};
use crate::store::SyncStore;

impl Run<'_> {
    /// Checks a listed resource and records it: key, count, child listings (queued when
    /// `queue_children`), and entitlement / grant jobs. Returns it if it is new and valid.
    pub(super) fn register(&mut self, r: Resource, queue_children: bool) -> Option<Resource> {
        let Some(id) = r.id.clone() else {
            self.problem("a resource has no id".to_owned());
            return None;
        };
        let Some(info) = self.types.get(&id.resource_type) else {
            self.problem(format!(
                "resource {} has type {:?}, which no syncer declares",
                ids::resource_key(&id),
                id.resource_type
            ));
            return None;
        };
        let missing: Vec<&str> = info
            .resource_type
            .trait_values()
            .filter(|t| *t != Trait::Unspecified && !r.has_trait(*t))
            .map(|t| t.proto_name())
            .collect();
        let skip_all = r
            .annotations
            .contains_annotation::<SkipEntitlementsAndGrants>();
        let skip_ent = info.skip_entitlements
            || skip_all
            || r.annotations.contains_annotation::<SkipEntitlements>();
        let skip_grants =
            info.skip_grants || skip_all || r.annotations.contains_annotation::<SkipGrants>();
        if !info.selected {
            // A resource of a type this sync does not select, listed by another type's syncer
            // (`--sync-resource-types`): left out, like the type's own listings.
            return None;
        }
        if !missing.is_empty() {
            self.problem(format!(
                "resource {} lacks the trait annotation for {} declared by its type",
                ids::resource_key(&id),
                missing.join(", ")
            ));
            return None;
        }
        if !self.resource_keys.insert(&id) {
            // Listed twice in one sync: one object, counted once.
            return None;
        }
        let children: Vec<ChildResourceType> = r
            .annotations
            .iter()
            .filter(|a| any_type_name(a) == "ChildResourceType")
            .filter_map(|a| prost::Message::decode(a.value.as_slice()).ok())
            .collect();
        for child in children {
            if !self.types.contains_key(&child.resource_type_id) {
                self.problem(format!(
                    "resource {} names child type {:?}, which no syncer declares",
                    ids::resource_key(&id),
                    child.resource_type_id
                ));
                continue;
            }
            if !self.types[&child.resource_type_id].selected {
                // Not selected: not listed at all, under any parent.
                continue;
            }
            let fresh = self
                .child_jobs
                .insert((child.resource_type_id.clone(), id.clone()));
            if fresh && queue_children {
                self.jobs_total += 1;
                let job = self.list_job(child.resource_type_id, Some(id.clone()), None);
                self.queue.push_back(job);
            }
        }
        *self
            .stats
            .resources_by_type
            .entry(id.resource_type.clone())
            .or_default() += 1;
        if !skip_ent || !skip_grants {
            let shared = Arc::new(r.clone());
            if !skip_ent {
                self.entitlement_list.push(shared.clone());
            }
            if !skip_grants {
                self.grant_list.push(shared);
            }
        }
        Some(r)
    }

    pub(super) async fn store_page<S: SyncStore + ?Sized>(
        &mut self,
        job: &Job,
        output: Output,
        store: &mut S,
    ) -> Result<(), Error> {
        match output {
            Output::Resources(page) => {
                let mut keep = Vec::with_capacity(page.items.len());
                for mut r in page.items {
                    if let Op::Resources {
                        parent: Some(p), ..
                    } = &job.op
                    {
                        // A child listed under a parent belongs to it even if the connector
                        // forgot to say so.
                        if r.parent_resource_id.is_none() {
                            r.parent_resource_id = Some(p.clone());
                        }
                    }
                    if let Some(r) = self.register(r, true) {
                        keep.push(r);
                    }
                }
                if !keep.is_empty() {
                    store.put_resources(keep).await?;
                }
            }
            Output::Entitlements(page) => {
                let mut keep = Vec::with_capacity(page.items.len());
                for e in page.items {
                    if e.id.is_empty() {
                        self.problem(format!("{}: an entitlement has no id", job.describe()));
                        continue;
                    }
                    let known = e
                        .resource
                        .as_ref()
                        .and_then(|r| r.id.as_ref())
                        .is_some_and(|r| self.resource_keys.contains(r));
                    if !known {
                        self.problem(format!(
                            "entitlement {} belongs to resource {}, which is not in this sync",
                            e.id,
                            ids::resource_key(&e.resource_id())
                        ));
                        continue;
                    }
                    if self.entitlement_ids.insert(e.id.clone()) {
                        self.stats.entitlements += 1;
                        keep.push(e);
                    }
                }
                if !keep.is_empty() {
                    store.put_entitlements(keep).await?;
                }
            }
            Output::Grants(mut page) => {
                let shared = page.take_shared_entitlement();
                let shared_known = shared
                    .as_ref()
                    .map(|e| self.entitlement_ids.contains(&e.id));
                let mut keep = Vec::with_capacity(page.items.len());
                for g in page.items {
                    if g.id.is_empty() {
                        self.problem(format!("{}: a grant has no id", job.describe()));
                        continue;
                    }
                    let entitlement_id = shared.as_ref().map_or(g.entitlement_id(), |e| &e.id);
                    let known = match shared_known {
                        Some(known) => known,
                        None => self.entitlement_ids.contains(entitlement_id),
                    };
                    if !known {
                        self.problem(format!(
                            "grant {} is on entitlement {entitlement_id:?}, which is not in this sync",
                            g.id,
                        ));
                        continue;
                    }
                    // A principal of a type this sync does not list cannot be checked, nor
                    // can one in a targeted sync (baton's partial syncs hold the grants of
                    // the targets, not every principal).
                    let targeted = self.is_targeted();
                    let known = g
                        .principal
                        .as_ref()
                        .and_then(|p| p.id.as_ref())
                        .is_some_and(|p| {
                            targeted
                                || self.resource_keys.contains(p)
                                || self
                                    .types
                                    .get(&p.resource_type)
                                    .is_some_and(|t| !t.selected)
                        });
                    if !known {
                        self.problem(format!(
                            "grant {} has principal {}, which is not in this sync",
                            g.id,
                            ids::resource_key(&g.principal_id())
                        ));
                        continue;
                    }
                    self.stats.grants += 1;
                    keep.push(g);
                }
                if !keep.is_empty() {
                    match shared {
                        Some(e) => store.put_grants_of(e, keep).await?,
                        None => store.put_grants(keep).await?,
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn problem(&mut self, msg: String) {
        self.problem_count += 1;
        if self.problems.len() < self.options.max_reported_problems.max(1) {
            self.problems.push(msg);
        }
    }

    pub(super) fn check_problems(&mut self) -> Result<(), Error> {
        if self.problem_count == 0 {
            return Ok(());
        }
        let shown = self.problems.len() as u64;
        let more = if self.problem_count > shown {
            format!(" (and {} more)", self.problem_count - shown)
        } else {
            String::new()
        };
        Err(Error::failed_precondition(format!(
            "integrity check failed with {} problem(s): {}{more}",
            self.problem_count,
            self.problems.join("; ")
        )))
    }
}
