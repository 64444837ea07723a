//! A resumed sync costs only what was left (issue 12): counted in requests to the emulator.
//!
//! The user listing fills the assignment index that the grants phase reads. Its records are kept
//! in the sync's session (saved in the partial `.c1z` with the engine's checkpoints), so a sync
//! interrupted in the grants phase and resumed sends no user search at all, and one interrupted
//! part-way through the users lists only the pages after its checkpoint. Either way the finished
//! file equals an uninterrupted sync's.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::engine::{Phase, SyncOptions, Syncer};
use c1_connector_sdk::error::{Code, Error};
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceType};
use c1_connector_sdk::store::{C1zReader, C1zWriter, ResumePoint, SyncStore, SyncType};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_emulator::{Dataset, Emulator, GenSpec};
use descope_mgmt::{Client, RateLimitConfig, SecretString};
use tokio_util::sync::CancellationToken;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const SEARCH: &str = "POST /v2/mgmt/user/search";
const PAGE: u32 = 20;

/// 250 users (248 listed: the 2 test users are left out), so 13 pages of 20, the last short.
///
/// Each run gets its own emulator with the same data, so that its counters hold its own requests
/// only: an interrupted run's prefetches may still reach a server after the run returned.
async fn emulator() -> TestResult<Emulator> {
    let data = Dataset::generate(&GenSpec {
        users: 250,
        tenants: 6,
        ..GenSpec::default()
    });
    Ok(Emulator::builder().dataset(data).start().await?)
}

/// A fresh connector, as a new process would build it.
fn connector(emu: &Emulator) -> TestResult<Arc<DescopeConnector>> {
    let key = SecretString::from(emu.management_key().to_owned());
    let client = Client::builder()
        .project_id(emu.project_id())
        .management_key(key.clone())
        .base_url(emu.base_url())
        .rate_limit(RateLimitConfig::disabled())
        .build()?;
    let config = DescopeConfig::new(emu.project_id(), key)?
        .with_user_page_size(PAGE)
        .with_max_parallel_fetches(2);
    Ok(Arc::new(DescopeConnector::with_client(client, &config)))
}

/// No `validate` call: its one-user search would blur the count of listing requests.
fn options() -> SyncOptions {
    SyncOptions::default()
        .with_validate(false)
        .with_concurrency(2)
}

/// Cancels the sync from the progress callback once `stop` says so.
fn stopping(stop: impl Fn(Phase, u64, u64) -> bool + Send + Sync + 'static) -> SyncOptions {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    options().with_cancel(cancel).with_progress(move |p| {
        if stop(p.phase, p.resources, p.grants) {
            c.cancel();
        }
    })
}

/// Every id of the file's selected sync.
fn contents(path: &Path) -> TestResult<BTreeSet<String>> {
    let r = C1zReader::open(path)?;
    let mut all = BTreeSet::new();
    all.extend(r.resources()?.iter().map(|x| {
        let id = x.resource_id();
        format!("resource {}:{}", id.resource_type, id.resource)
    }));
    all.extend(
        r.entitlements()?
            .into_iter()
            .map(|e| format!("entitlement {}", e.id)),
    );
    let grants = r.grants()?;
    assert!(!grants.is_empty());
    all.extend(grants.into_iter().map(|g| format!("grant {}", g.id)));
    Ok(all)
}

/// An uninterrupted sync: its contents and how many user searches it sent.
async fn reference(dir: &Path) -> TestResult<(BTreeSet<String>, u64)> {
    let emu = emulator().await?;
    let path = dir.join("reference.c1z");
    Syncer::new(connector(&emu)?, options())
        .run(&mut C1zWriter::create(&path)?)
        .await?;
    Ok((contents(&path)?, emu.counters().endpoint(SEARCH)))
}

/// Interrupts a sync into `path` where `stop` says; returns the saved checkpoint.
async fn interrupt(
    path: &Path,
    stop: impl Fn(Phase, u64, u64) -> bool + Send + Sync + 'static,
) -> TestResult<serde_json::Value> {
    let emu = emulator().await?;
    let mut w = C1zWriter::open_or_resume(path)?;
    let err = Syncer::new(connector(&emu)?, stopping(stop))
        .run(&mut w)
        .await
        .expect_err("interrupted");
    assert_eq!(err.code(), Code::Cancelled, "{err}");
    drop(w);
    let syncs = C1zReader::open(path)?.syncs()?;
    assert_eq!(syncs.len(), 1);
    assert!(!syncs[0].is_finished());
    Ok(serde_json::from_str(&syncs[0].sync_token)?)
}

/// Resumes the sync in `path` with a fresh connector; returns the user searches it sent.
async fn resume(path: &Path) -> TestResult<u64> {
    let emu = emulator().await?;
    let mut w = C1zWriter::open_or_resume(path)?;
    assert!(w.resumed_sync_id().is_some());
    Syncer::new(connector(&emu)?, options()).run(&mut w).await?;
    Ok(emu.counters().endpoint(SEARCH))
}

#[tokio::test]
async fn interrupted_in_grants_a_resumed_sync_sends_no_user_search() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (want, full_searches) = reference(dir.path()).await?;
    assert_eq!(full_searches, 13);

    let path = dir.path().join("sync.c1z");
    let ck = interrupt(&path, |phase, _, grants| {
        phase == Phase::Grants && grants >= 1
    })
    .await?;
    assert_eq!(ck["phase"], "grants", "{ck}");

    assert_eq!(resume(&path).await?, 0, "the index came from the session");
    assert_eq!(contents(&path)?, want);
    Ok(())
}

#[tokio::test]
async fn interrupted_in_the_users_a_resumed_sync_lists_only_the_pages_after_its_checkpoint()
-> TestResult {
    let dir = tempfile::tempdir()?;
    let (want, full_searches) = reference(dir.path()).await?;

    let path = dir.path().join("sync.c1z");
    let ck = interrupt(&path, |phase, resources, _| {
        phase == Phase::Resources && resources >= 80
    })
    .await?;
    assert_eq!(ck["phase"], "resources", "{ck}");
    let user_job = ck["resource_jobs"]
        .as_array()
        .and_then(|jobs| {
            jobs.iter()
                .find(|j| j["resource_type"] == "user" && j.get("parent").is_none())
        })
        .unwrap_or_else(|| panic!("the user listing is still pending in {ck}"));
    let offset: u64 = user_job["token"].as_str().map_or(Ok(0), str::parse)?;
    assert!(offset > 0, "interrupted after some user pages: {ck}");
    assert_eq!(offset % u64::from(PAGE), 0);

    let searches = resume(&path).await?;
    assert_eq!(
        searches,
        full_searches - offset / u64::from(PAGE),
        "only the pages from offset {offset} on are listed again"
    );
    assert_eq!(contents(&path)?, want);
    Ok(())
}

/// A resumable store whose session is not durable (the SDK's in-memory default).
struct NoDurableSession(C1zWriter);

#[async_trait]
impl SyncStore for NoDurableSession {
    fn set_sync_type(&mut self, t: SyncType) {
        self.0.set_sync_type(t);
    }
    async fn start_sync(&mut self) -> Result<String, Error> {
        self.0.start_sync().await
    }
    async fn put_resource_types(&mut self, items: Vec<ResourceType>) -> Result<(), Error> {
        self.0.put_resource_types(items).await
    }
    async fn put_resources(&mut self, items: Vec<Resource>) -> Result<(), Error> {
        self.0.put_resources(items).await
    }
    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error> {
        self.0.put_entitlements(items).await
    }
    async fn put_grants(&mut self, items: Vec<Grant>) -> Result<(), Error> {
        self.0.put_grants(items).await
    }
    async fn checkpoint(&mut self, state: String) -> Result<(), Error> {
        self.0.checkpoint(state).await
    }
    async fn resume(&mut self) -> Result<Option<ResumePoint>, Error> {
        self.0.resume().await
    }
    async fn suspend(&mut self) -> Result<(), Error> {
        self.0.suspend().await
    }
    async fn finish(&mut self) -> Result<(), Error> {
        self.0.finish().await
    }
}

#[tokio::test]
async fn without_a_durable_session_a_resumed_sync_lists_every_user_again() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (want, full_searches) = reference(dir.path()).await?;
    let path = dir.path().join("sync.c1z");
    interrupt(&path, |phase, _, grants| {
        phase == Phase::Grants && grants >= 1
    })
    .await?;

    let emu = emulator().await?;
    let mut w = NoDurableSession(C1zWriter::open_or_resume(&path)?);
    Syncer::new(connector(&emu)?, options()).run(&mut w).await?;
    // Grants are never short: the index is rebuilt from a full listing.
    assert_eq!(emu.counters().endpoint(SEARCH), full_searches);
    assert_eq!(contents(&path)?, want);
    Ok(())
}
