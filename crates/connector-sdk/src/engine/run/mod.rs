//! The run loop of one sync.
//!
//! Progress is kept as plain data (the phase, a queue of [`Job`]s each with its page token,
//! the id sets) rather than in futures' stack frames, so it can be checkpointed (see
//! [`super::checkpoint`]) and resumed.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::checkpoint::CkPhase;
use super::options::SyncOptions;
use super::retry::RetryPolicy;
use super::stats::{Phase, Progress, SyncStats};
use crate::connector::{Connector, ResourceSyncer};
use crate::error::{Code, Error};
use crate::ids;
use crate::model::{Entitlement, Grant, Resource, ResourceId, ResourceType};
use crate::page::Page;
use crate::store::{SyncStore, SyncType};

/// The engine's id sets hold every resource key and entitlement id of a sync and are probed
/// once per object (per grant, twice): a fast non-cryptographic hasher, seeded per process,
/// instead of SipHash. The keys come from the connector, not from an attacker on the wire.
type FastSet<T> = foldhash::HashSet<T>;

/// What a job lists.
#[derive(Debug, Clone)]
enum Op {
    Resources {
        resource_type: String,
        parent: Option<ResourceId>,
    },
    Entitlements(Arc<Resource>),
    Grants(Arc<Resource>),
}

/// One paginated listing, and where it is. In the entitlements and grants phases `id` is the
/// index of the resource in store order, which is what checkpoints record.
#[derive(Debug, Clone)]
struct Job {
    id: u64,
    op: Op,
    token: Option<String>,
}

impl Job {
    fn describe(&self) -> String {
        match &self.op {
            Op::Resources {
                resource_type,
                parent: None,
            } => format!("list {resource_type}"),
            Op::Resources {
                resource_type,
                parent: Some(p),
            } => format!("list {resource_type} under {}", ids::resource_key(p)),
            Op::Entitlements(r) => {
                format!("entitlements of {}", ids::resource_key(&r.resource_id()))
            }
            Op::Grants(r) => format!("grants of {}", ids::resource_key(&r.resource_id())),
        }
    }
}

enum Output {
    Resources(Page<Resource>),
    Entitlements(Page<Entitlement>),
    Grants(Page<Grant>),
}

impl Output {
    fn next_token(&self) -> Option<&str> {
        match self {
            Output::Resources(p) => p.next_token(),
            Output::Entitlements(p) => p.next_token(),
            Output::Grants(p) => p.next_token(),
        }
    }
}

mod begin;
mod keys;
mod pages;
mod progress;
mod targeted;

type JobFuture = BoxFuture<'static, (Job, Result<Output, Error>)>;

struct TypeInfo {
    syncer: Arc<dyn ResourceSyncer>,
    resource_type: ResourceType,
    /// Listed in this sync ([`SyncOptions::sync_resource_types`]).
    selected: bool,
    skip_entitlements: bool,
    skip_grants: bool,
}

pub(super) struct Run<'a> {
    connector: Arc<dyn Connector>,
    options: &'a SyncOptions,
    types: HashMap<String, TypeInfo>,
    type_order: Vec<String>,
    /// Every resource of this sync, for dedup and the grants' principal check.
    resource_keys: keys::ResourceKeys,
    /// (child type, parent) pairs already queued.
    child_jobs: FastSet<(String, ResourceId)>,
    entitlement_ids: FastSet<String>,
    /// Resources whose entitlements / grants are listed in the later phases, in store order.
    entitlement_list: Vec<Arc<Resource>>,
    grant_list: Vec<Arc<Resource>>,
    problems: Vec<String>,
    problem_count: u64,
    stats: SyncStats,
    phase: Phase,
    /// Jobs waiting to start, and jobs in flight (by id): the resumable part of the state.
    queue: VecDeque<Job>,
    running: HashMap<u64, Job>,
    next_job_id: u64,
    /// Entitlement / grant phases: every job below `watermark` is done, as is `done_beyond`.
    watermark: u64,
    done_beyond: BTreeSet<u64>,
    jobs_done: u64,
    jobs_total: u64,
    last_checkpoint: Instant,
    /// The first phase started: from here on an interruption is checkpointed. Before it, the
    /// run has stored nothing a checkpoint in the store does not already account for, and its
    /// own (empty) progress must not replace that checkpoint.
    in_phases: bool,
    /// The selected resource type ids, sorted (empty: every type).
    selected_types: Vec<String>,
    retries: Arc<AtomicU64>,
    /// What the connector reports about the sync (see [`crate::session::SyncCounters`]).
    counters: crate::session::SyncCounters,
    calls: Arc<AtomicU64>,
}

impl<'a> Run<'a> {
    pub(super) fn new(connector: Arc<dyn Connector>, options: &'a SyncOptions) -> Self {
        Self {
            connector,
            options,
            types: HashMap::new(),
            type_order: Vec::new(),
            resource_keys: keys::ResourceKeys::default(),
            child_jobs: FastSet::default(),
            entitlement_ids: FastSet::default(),
            entitlement_list: Vec::new(),
            grant_list: Vec::new(),
            problems: Vec::new(),
            problem_count: 0,
            stats: SyncStats::default(),
            phase: Phase::Validate,
            queue: VecDeque::new(),
            running: HashMap::new(),
            next_job_id: 0,
            watermark: 0,
            done_beyond: BTreeSet::new(),
            jobs_done: 0,
            jobs_total: 0,
            last_checkpoint: Instant::now(),
            in_phases: false,
            selected_types: {
                let mut t = options.sync_resource_types.clone();
                t.sort();
                t.dedup();
                t
            },
            retries: Arc::new(AtomicU64::new(0)),
            counters: crate::session::SyncCounters::default(),
            calls: Arc::new(AtomicU64::new(0)),
        }
    }

    pub(super) async fn execute<S: SyncStore + ?Sized>(
        mut self,
        store: &mut S,
    ) -> Result<SyncStats, Error> {
        let started = Instant::now();
        if self.options.validate {
            let connector = self.connector.clone();
            let calls = self.calls.clone();
            self.options
                .retry
                .run(&self.options.cancel, &self.retries, || {
                    calls.fetch_add(1, Ordering::Relaxed);
                    let c = connector.clone();
                    async move { c.validate().await }
                })
                .await
                .map_err(|e| e.context("validate"))?;
        }
        if self.options.skip_grants && !self.is_targeted() {
            return Err(Error::invalid_argument(
                "skipping grants (--skip-grants) is allowed only in a targeted sync (--sync-resources), as in baton",
            ));
        }
        store.set_sync_type(if self.is_targeted() {
            SyncType::Partial
        } else if self.options.skip_entitlements_and_grants {
            SyncType::ResourcesOnly
        } else {
            SyncType::Full
        });
        self.stats.sync_id = store.start_sync().await?;
        match self.phases(store).await {
            Ok(()) => {}
            Err(e) => {
                // Save progress so a resumable store can continue later, unless the sync is
                // known to be inconsistent (a resumed run would not see the problems again) or
                // never got to a phase.
                if self.in_phases
                    && e.code() != Code::FailedPrecondition
                    && self.problem_count == 0
                    && !self.is_targeted()
                {
                    let state = self.checkpoint().to_json();
                    if store.checkpoint(state).await.is_ok()
                        && let Err(se) = store.suspend().await
                    {
                        tracing::warn!(error = %se, "could not save the unfinished sync");
                    }
                }
                return Err(e);
            }
        }
        self.stats.elapsed = started.elapsed();
        self.stats.retries = self.retries.load(Ordering::Relaxed);
        self.stats.connector_calls = self.calls.load(Ordering::Relaxed);
        self.stats.connector_counters = self.counters.snapshot();
        self.stats.connector_notes = self.counters.notes();
        Ok(self.stats)
    }

    async fn phases<S: SyncStore + ?Sized>(&mut self, store: &mut S) -> Result<(), Error> {
        let (resume, point, syncers) = self.begin(store).await?;
        self.store_types(syncers, store).await?;
        if self.is_targeted() {
            // `begin` refused any resume already.
            return self.targeted_phases(store).await;
        }

        if let (Some(point), Some(_)) = (point, &resume) {
            // Rebuild what the integrity checks and later phases need from the store.
            for r in point.resources {
                self.register(r, false);
            }
            self.stats.entitlements = point.entitlement_ids.len() as u64;
            self.entitlement_ids.extend(point.entitlement_ids);
            self.stats.grants = point.grants;
            tracing::info!(sync_id = %self.stats.sync_id, "resuming an unfinished sync");
        }
        let start = resume.as_ref().map_or(CkPhase::Resources, |c| c.phase);

        if start == CkPhase::Resources {
            let queue = match &resume {
                Some(ck) => ck
                    .resource_jobs
                    .iter()
                    .map(|j| {
                        self.list_job(
                            j.resource_type.clone(),
                            j.parent.clone().map(|(t, id)| ResourceId::new(t, id)),
                            j.token.clone(),
                        )
                    })
                    .collect(),
                None => self
                    .type_order
                    .clone()
                    .into_iter()
                    .map(|t| self.list_job(t, None, None))
                    .collect(),
            };
            self.run_phase(Phase::Resources, queue, store).await?;
            self.check_problems()?;
        }
        if self.options.skip_entitlements_and_grants {
            return self.finish(store).await;
        }
        if start <= CkPhase::Entitlements {
            let list = std::mem::take(&mut self.entitlement_list);
            let ck = resume.as_ref().filter(|c| c.phase == CkPhase::Entitlements);
            let queue = self.indexed_jobs(list, ck, Op::Entitlements);
            self.run_phase(Phase::Entitlements, queue, store).await?;
            self.check_problems()?;
        }
        let list = std::mem::take(&mut self.grant_list);
        let ck = resume.as_ref().filter(|c| c.phase == CkPhase::Grants);
        let queue = self.indexed_jobs(list, ck, Op::Grants);
        self.run_phase(Phase::Grants, queue, store).await?;
        self.check_problems()?;
        self.finish(store).await
    }

    async fn finish<S: SyncStore + ?Sized>(&mut self, store: &mut S) -> Result<(), Error> {
        self.phase = Phase::Finishing;
        self.report();
        if self.options.cancel.is_cancelled() {
            return Err(Error::cancelled("sync cancelled"));
        }
        store.finish().await
    }

    /// Every selected type must be declared by a syncer.
    fn check_selection(&self) -> Result<(), Error> {
        let unknown: Vec<&str> = self
            .selected_types
            .iter()
            .filter(|t| !self.types.contains_key(*t))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let mut known: Vec<&str> = self.types.keys().map(String::as_str).collect();
        known.sort_unstable();
        Err(Error::invalid_argument(format!(
            "unknown resource type(s) {} in the sync selection: this connector syncs {}",
            unknown.join(", "),
            known.join(", ")
        )))
    }

    fn list_job(
        &mut self,
        resource_type: String,
        parent: Option<ResourceId>,
        token: Option<String>,
    ) -> Job {
        self.next_job_id += 1;
        Job {
            id: self.next_job_id,
            op: Op::Resources {
                resource_type,
                parent,
            },
            token,
        }
    }

    async fn run_phase<S: SyncStore + ?Sized>(
        &mut self,
        phase: Phase,
        queue: VecDeque<Job>,
        store: &mut S,
    ) -> Result<(), Error> {
        self.phase = phase;
        self.in_phases = true;
        self.queue = queue;
        self.running.clear();
        self.jobs_done = 0;
        self.jobs_total = self.queue.len() as u64;
        if phase == Phase::Resources {
            self.watermark = 0;
            self.done_beyond.clear();
        }
        // A phase boundary is always checkpointed.
        self.save_checkpoint(store).await?;
        self.report();
        // The connector's work runs as tasks on the runtime's worker threads, beside the
        // engine's own (checking and encoding the pages it stores) and the store's: on one
        // thread, the engine did both and was a large sync's bottleneck. Pages of one listing
        // stay in order (the next is asked for once this one is stored).
        let mut in_flight = JoinSet::new();
        let result = self.run_jobs(&mut in_flight, store).await;
        if result.is_err() {
            // Stop the connector's work, and wait until it has, before the caller saves or
            // drops the store: an abandoned call must not outlive the run.
            in_flight.shutdown().await;
        }
        result
    }

    async fn run_jobs<S: SyncStore + ?Sized>(
        &mut self,
        in_flight: &mut JoinSet<(Job, Result<Output, Error>)>,
        store: &mut S,
    ) -> Result<(), Error> {
        let cancel = self.options.cancel.clone();
        loop {
            while in_flight.len() < self.options.concurrency.max(1) {
                let Some(job) = self.queue.pop_front() else {
                    break;
                };
                self.running.insert(job.id, job.clone());
                in_flight.spawn(self.start(job));
            }
            if in_flight.is_empty() {
                return Ok(());
            }
            let done = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(Error::cancelled("sync cancelled")),
                Some(done) = in_flight.join_next() => done,
            };
            let (job, result) = match done {
                Ok(done) => done,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => return Err(Error::internal(format!("a connector call stopped: {e}"))),
            };
            let output = match result {
                Ok(o) => o,
                Err(e)
                    if e.code() == Code::NotFound
                        && !e.is_in_shared_state()
                        && matches!(job.op, Op::Entitlements(_) | Op::Grants(_)) =>
                {
                    // baton treats a vanished resource as a warning, not a failed sync. Never a
                    // failure of the connector's shared state (an index, a catalog): that one
                    // would skip every resource alike and lose their grants silently.
                    tracing::warn!(job = %job.describe(), error = %e, "skipped");
                    self.stats.warnings += 1;
                    self.running.remove(&job.id);
                    self.job_done(job.id);
                    continue;
                }
                Err(e) => return Err(e.context(job.describe())),
            };
            let next = output.next_token().map(str::to_owned);
            if next.is_some() && next == job.token {
                return Err(Error::internal(format!(
                    "{}: next page token unchanged - likely a connector bug",
                    job.describe()
                )));
            }
            self.store_page(&job, output, store).await?;
            self.running.remove(&job.id);
            match next {
                Some(token) => self.queue.push_front(Job {
                    id: job.id,
                    op: job.op,
                    token: Some(token),
                }),
                None => self.job_done(job.id),
            }
            if self.last_checkpoint.elapsed() >= self.options.checkpoint_interval {
                self.save_checkpoint(store).await?;
            }
            self.report();
        }
    }

    fn job_done(&mut self, id: u64) {
        self.jobs_done += 1;
        if self.phase == Phase::Resources {
            return;
        }
        if id == self.watermark {
            self.watermark += 1;
            while self.done_beyond.remove(&self.watermark) {
                self.watermark += 1;
            }
        } else {
            self.done_beyond.insert(id);
        }
    }

    fn start(&self, job: Job) -> JobFuture {
        let policy: RetryPolicy = self.options.retry;
        let cancel = self.options.cancel.clone();
        let retries = self.retries.clone();
        let calls = self.calls.clone();
        let syncer = match &job.op {
            Op::Resources { resource_type, .. } => self.types.get(resource_type),
            Op::Entitlements(r) | Op::Grants(r) => {
                r.id.as_ref()
                    .and_then(|id| self.types.get(&id.resource_type))
            }
        }
        .map(|t| t.syncer.clone());
        Box::pin(async move {
            let Some(syncer) = syncer else {
                return (job, Err(Error::internal("no syncer for job")));
            };
            let result = policy
                .run(&cancel, &retries, || {
                    calls.fetch_add(1, Ordering::Relaxed);
                    let syncer = syncer.clone();
                    let job = job.clone();
                    async move {
                        let token = job.token.as_deref();
                        match &job.op {
                            Op::Resources { parent, .. } => syncer
                                .list(parent.as_ref(), token)
                                .await
                                .map(Output::Resources),
                            Op::Entitlements(r) => syncer
                                .entitlements(r, token)
                                .await
                                .map(Output::Entitlements),
                            Op::Grants(r) => syncer.grants(r, token).await.map(Output::Grants),
                        }
                    }
                })
                .await;
            (job, result)
        })
    }

    fn report(&self) {
        if let Some(f) = &self.options.progress {
            f(&Progress {
                phase: self.phase,
                resource_types: self.stats.resource_types,
                resources: self.stats.resources(),
                entitlements: self.stats.entitlements,
                grants: self.stats.grants,
                jobs_done: self.jobs_done,
                jobs_total: self.jobs_total,
                retries: self.retries.load(Ordering::Relaxed),
            });
        }
    }
}
