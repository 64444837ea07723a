//! The run loop of one sync.
//!
//! Progress is kept as plain data (the phase, a queue of [`Job`]s each with its page token,
//! the id sets) rather than in futures' stack frames, so it can be checkpointed and resumed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;

use super::stats::{Phase, Progress, SyncStats};
use super::{RetryPolicy, SyncOptions};
use crate::connector::{Connector, ResourceSyncer};
use crate::error::{Code, Error};
use crate::ids;
use crate::model::{
    AnnotationsExt, ChildResourceType, Entitlement, Grant, Resource, ResourceId, ResourceType,
    SkipEntitlements, SkipEntitlementsAndGrants, SkipGrants, Trait,
};
use crate::page::Page;
use crate::store::SyncStore;

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

/// One paginated listing, and where it is.
#[derive(Debug, Clone)]
struct Job {
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

type JobFuture = BoxFuture<'static, (Job, Result<Output, Error>)>;

struct TypeInfo {
    syncer: Arc<dyn ResourceSyncer>,
    resource_type: ResourceType,
    skip_entitlements: bool,
    skip_grants: bool,
}

pub(super) struct Run<'a> {
    connector: Arc<dyn Connector>,
    options: &'a SyncOptions,
    types: HashMap<String, TypeInfo>,
    type_order: Vec<String>,
    /// Every resource of this sync, for dedup and the grants' principal check.
    resource_keys: HashSet<ResourceId>,
    /// (child type, parent) pairs already queued.
    child_jobs: HashSet<(String, ResourceId)>,
    entitlement_ids: HashSet<String>,
    /// Resources whose entitlements / grants are listed in the later phases.
    entitlement_jobs: Vec<Arc<Resource>>,
    grant_jobs: Vec<Arc<Resource>>,
    problems: Vec<String>,
    problem_count: u64,
    stats: SyncStats,
    phase: Phase,
    jobs_done: u64,
    jobs_total: u64,
    retries: Arc<AtomicU64>,
    calls: Arc<AtomicU64>,
}

impl<'a> Run<'a> {
    pub(super) fn new(connector: Arc<dyn Connector>, options: &'a SyncOptions) -> Self {
        Self {
            connector,
            options,
            types: HashMap::new(),
            type_order: Vec::new(),
            resource_keys: HashSet::new(),
            child_jobs: HashSet::new(),
            entitlement_ids: HashSet::new(),
            entitlement_jobs: Vec::new(),
            grant_jobs: Vec::new(),
            problems: Vec::new(),
            problem_count: 0,
            stats: SyncStats::default(),
            phase: Phase::Validate,
            jobs_done: 0,
            jobs_total: 0,
            retries: Arc::new(AtomicU64::new(0)),
            calls: Arc::new(AtomicU64::new(0)),
        }
    }

    pub(super) async fn execute<S: SyncStore + ?Sized>(
        mut self,
        store: &mut S,
    ) -> Result<SyncStats, Error> {
        let started = Instant::now();
        let cancel = self.options.cancel.clone();
        if self.options.validate {
            let connector = self.connector.clone();
            let calls = self.calls.clone();
            self.options
                .retry
                .run(&cancel, &self.retries, || {
                    calls.fetch_add(1, Ordering::Relaxed);
                    let c = connector.clone();
                    async move { c.validate().await }
                })
                .await
                .map_err(|e| e.context("validate"))?;
        }

        self.stats.sync_id = store.start_sync().await?;

        // Resource types.
        self.phase = Phase::ResourceTypes;
        let mut types = Vec::new();
        for syncer in self.connector.syncers() {
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
            let skip_all = rt
                .annotations
                .contains_annotation::<SkipEntitlementsAndGrants>();
            self.type_order.push(rt.id.clone());
            self.types.insert(
                rt.id.clone(),
                TypeInfo {
                    syncer,
                    resource_type: rt.clone(),
                    skip_entitlements: skip_all
                        || rt.annotations.contains_annotation::<SkipEntitlements>(),
                    skip_grants: skip_all || rt.annotations.contains_annotation::<SkipGrants>(),
                },
            );
            types.push(rt);
        }
        self.stats.resource_types = types.len() as u64;
        store.put_resource_types(types).await?;
        self.report();

        // Resources: one job per type with no parent, like baton; children are queued as
        // their parents arrive.
        let queue = self
            .type_order
            .iter()
            .map(|t| Job {
                op: Op::Resources {
                    resource_type: t.clone(),
                    parent: None,
                },
                token: None,
            })
            .collect();
        self.run_phase(Phase::Resources, queue, store).await?;
        self.check_problems()?;

        let queue = std::mem::take(&mut self.entitlement_jobs)
            .into_iter()
            .map(|r| Job {
                op: Op::Entitlements(r),
                token: None,
            })
            .collect();
        self.run_phase(Phase::Entitlements, queue, store).await?;
        self.check_problems()?;

        let queue = std::mem::take(&mut self.grant_jobs)
            .into_iter()
            .map(|r| Job {
                op: Op::Grants(r),
                token: None,
            })
            .collect();
        self.run_phase(Phase::Grants, queue, store).await?;
        self.check_problems()?;

        self.phase = Phase::Finishing;
        self.report();
        if cancel.is_cancelled() {
            return Err(Error::cancelled("sync cancelled"));
        }
        store.finish().await?;
        self.stats.elapsed = started.elapsed();
        self.stats.retries = self.retries.load(Ordering::Relaxed);
        self.stats.connector_calls = self.calls.load(Ordering::Relaxed);
        Ok(self.stats)
    }

    async fn run_phase<S: SyncStore + ?Sized>(
        &mut self,
        phase: Phase,
        mut queue: VecDeque<Job>,
        store: &mut S,
    ) -> Result<(), Error> {
        self.phase = phase;
        self.jobs_done = 0;
        self.jobs_total = queue.len() as u64;
        self.report();
        let cancel = self.options.cancel.clone();
        let mut in_flight: FuturesUnordered<JobFuture> = FuturesUnordered::new();
        loop {
            while in_flight.len() < self.options.concurrency.max(1) {
                let Some(job) = queue.pop_front() else { break };
                in_flight.push(self.start(job));
            }
            if in_flight.is_empty() {
                return Ok(());
            }
            let (job, result) = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(Error::cancelled("sync cancelled")),
                Some(done) = in_flight.next() => done,
            };
            let output = match result {
                Ok(o) => o,
                Err(e)
                    if e.code() == Code::NotFound
                        && matches!(job.op, Op::Entitlements(_) | Op::Grants(_)) =>
                {
                    // baton treats a vanished resource as a warning, not a failed sync.
                    tracing::warn!(job = %job.describe(), error = %e, "skipped");
                    self.stats.warnings += 1;
                    self.jobs_done += 1;
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
            self.store_page(&job, output, &mut queue, store).await?;
            match next {
                Some(token) => queue.push_front(Job {
                    op: job.op,
                    token: Some(token),
                }),
                None => self.jobs_done += 1,
            }
            self.report();
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

    async fn store_page<S: SyncStore + ?Sized>(
        &mut self,
        job: &Job,
        output: Output,
        queue: &mut VecDeque<Job>,
        store: &mut S,
    ) -> Result<(), Error> {
        match output {
            Output::Resources(page) => {
                let mut keep = Vec::with_capacity(page.items.len());
                for mut r in page.items {
                    let Some(id) = r.id.clone() else {
                        self.problem(format!("{}: a resource has no id", job.describe()));
                        continue;
                    };
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
                    let Some(info) = self.types.get(&id.resource_type) else {
                        self.problem(format!(
                            "resource {} has type {:?}, which no syncer declares",
                            ids::resource_key(&id),
                            id.resource_type
                        ));
                        continue;
                    };
                    let missing: Vec<&str> = info
                        .resource_type
                        .trait_values()
                        .filter(|t| *t != Trait::Unspecified && !r.has_trait(*t))
                        .map(|t| t.proto_name())
                        .collect();
                    if !missing.is_empty() {
                        let msg = format!(
                            "resource {} lacks the trait annotation for {} declared by its type",
                            ids::resource_key(&id),
                            missing.join(", ")
                        );
                        self.problem(msg);
                        continue;
                    }
                    if !self.resource_keys.insert(id.clone()) {
                        // Listed twice in one sync: one object, counted once.
                        continue;
                    }
                    let skip_all = r
                        .annotations
                        .contains_annotation::<SkipEntitlementsAndGrants>();
                    let skip_ent = info.skip_entitlements
                        || skip_all
                        || r.annotations.contains_annotation::<SkipEntitlements>();
                    let skip_grants = info.skip_grants
                        || skip_all
                        || r.annotations.contains_annotation::<SkipGrants>();
                    for child in r.annotations.iter().filter_map(|a| {
                        (crate::model::any_type_name(a) == "ChildResourceType")
                            .then(|| prost::Message::decode(a.value.as_slice()).ok())
                            .flatten()
                    }) {
                        let child: ChildResourceType = child;
                        if !self.types.contains_key(&child.resource_type_id) {
                            self.problem(format!(
                                "resource {} names child type {:?}, which no syncer declares",
                                ids::resource_key(&id),
                                child.resource_type_id
                            ));
                            continue;
                        }
                        if self
                            .child_jobs
                            .insert((child.resource_type_id.clone(), id.clone()))
                        {
                            self.jobs_total += 1;
                            queue.push_back(Job {
                                op: Op::Resources {
                                    resource_type: child.resource_type_id,
                                    parent: Some(id.clone()),
                                },
                                token: None,
                            });
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
                            self.entitlement_jobs.push(shared.clone());
                        }
                        if !skip_grants {
                            self.grant_jobs.push(shared);
                        }
                    }
                    keep.push(r);
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
                    let rid = e.resource_id();
                    if !self.resource_keys.contains(&rid) {
                        self.problem(format!(
                            "entitlement {} belongs to resource {}, which is not in this sync",
                            e.id,
                            ids::resource_key(&rid)
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
            Output::Grants(page) => {
                let mut keep = Vec::with_capacity(page.items.len());
                for g in page.items {
                    if g.id.is_empty() {
                        self.problem(format!("{}: a grant has no id", job.describe()));
                        continue;
                    }
                    if !self.entitlement_ids.contains(g.entitlement_id()) {
                        self.problem(format!(
                            "grant {} is on entitlement {:?}, which is not in this sync",
                            g.id,
                            g.entitlement_id()
                        ));
                        continue;
                    }
                    let p = g.principal_id();
                    if !self.resource_keys.contains(&p) {
                        self.problem(format!(
                            "grant {} has principal {}, which is not in this sync",
                            g.id,
                            ids::resource_key(&p)
                        ));
                        continue;
                    }
                    self.stats.grants += 1;
                    keep.push(g);
                }
                if !keep.is_empty() {
                    store.put_grants(keep).await?;
                }
            }
        }
        Ok(())
    }

    fn problem(&mut self, msg: String) {
        self.problem_count += 1;
        if self.problems.len() < self.options.max_reported_problems.max(1) {
            self.problems.push(msg);
        }
    }

    fn check_problems(&mut self) -> Result<(), Error> {
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
