//! The run's progress as a checkpoint, and back: what an interrupted sync saves and how a
//! resumed one restores its queues.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use tokio::time::Instant;

use super::super::checkpoint::{Checkpoint, CkListJob, CkPhase};
use super::super::stats::Phase;
use super::{Job, Op, Run};
use crate::error::Error;
use crate::model::Resource;
use crate::store::SyncStore;

impl Run<'_> {
    /// A resumed sync must list the types the interrupted run listed.
    pub(super) fn check_same_selection(&self, ck: &Checkpoint) -> Result<(), Error> {
        if ck.selected_types == self.selected_types {
            return Ok(());
        }
        let started = if ck.selected_types.is_empty() {
            "every resource type".to_owned()
        } else {
            format!("resource types {}", ck.selected_types.join(", "))
        };
        let now = if self.selected_types.is_empty() {
            "every resource type".to_owned()
        } else {
            format!("resource types {}", self.selected_types.join(", "))
        };
        Err(super::super::resume::NotResumable::new(format!(
            "the unfinished sync {} was started for {started}, and this run syncs {now} (--sync-resource-types)",
            self.stats.sync_id
        ))
        .into_error())
    }
    /// Jobs over `list` in store order; on resume, skips the done ones and restores tokens.
    pub(super) fn indexed_jobs(
        &mut self,
        list: Vec<Arc<Resource>>,
        ck: Option<&Checkpoint>,
        op: fn(Arc<Resource>) -> Op,
    ) -> VecDeque<Job> {
        let (watermark, done, tokens): (u64, BTreeSet<u64>, HashMap<u64, String>) = match ck {
            Some(c) => (
                c.watermark,
                c.done_beyond.iter().copied().collect(),
                c.in_progress.iter().cloned().collect(),
            ),
            None => Default::default(),
        };
        self.watermark = watermark;
        self.done_beyond = done;
        list.into_iter()
            .enumerate()
            .map(|(i, r)| (i as u64, r))
            .filter(|(i, _)| *i >= self.watermark && !self.done_beyond.contains(i))
            .map(|(i, r)| Job {
                id: i,
                op: op(r),
                token: tokens.get(&i).cloned(),
            })
            .collect()
    }
    /// The current progress as a checkpoint. Jobs in flight are recorded with the token they
    /// were started with: their page has not been stored yet.
    pub(super) fn checkpoint(&self) -> Checkpoint {
        let jobs = self.running.values().chain(self.queue.iter());
        match self.phase {
            Phase::Entitlements | Phase::Grants => {
                let mut ck = Checkpoint::new(if self.phase == Phase::Grants {
                    CkPhase::Grants
                } else {
                    CkPhase::Entitlements
                });
                ck.selected_types = self.selected_types.clone();
                ck.targeted = self.is_targeted();
                ck.watermark = self.watermark;
                ck.done_beyond = self.done_beyond.iter().copied().collect();
                ck.in_progress = jobs
                    .filter_map(|j| j.token.clone().map(|t| (j.id, t)))
                    .collect();
                ck.in_progress.sort();
                ck
            }
            _ => {
                let mut ck = Checkpoint::new(CkPhase::Resources);
                ck.selected_types = self.selected_types.clone();
                ck.targeted = self.is_targeted();
                let mut jobs: Vec<&Job> = jobs.collect();
                jobs.sort_by_key(|j| j.id);
                ck.resource_jobs = jobs
                    .into_iter()
                    .filter_map(|j| match &j.op {
                        Op::Resources {
                            resource_type,
                            parent,
                        } => Some(CkListJob {
                            resource_type: resource_type.clone(),
                            parent: parent
                                .as_ref()
                                .map(|p| (p.resource_type.clone(), p.resource.clone())),
                            token: j.token.clone(),
                        }),
                        _ => None,
                    })
                    .collect();
                ck
            }
        }
    }
    pub(super) async fn save_checkpoint<S: SyncStore + ?Sized>(
        &mut self,
        store: &mut S,
    ) -> Result<(), Error> {
        self.last_checkpoint = Instant::now();
        store.checkpoint(self.checkpoint().to_json()).await
    }
}
