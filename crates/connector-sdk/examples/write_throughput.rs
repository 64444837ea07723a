//! Measures how fast the engine and the `.c1z` writer take grants.
//!
//! `cargo run --release -p c1-connector-sdk --example write_throughput -- 1000000`
//!
//! `... -- 1000000 resumable [CHECKPOINT_MS [SPACING]]` writes through
//! `C1zWriter::open_or_resume` instead, which saves the unfinished sync at checkpoints (every
//! CHECKPOINT_MS, default 10000, spaced by SPACING times the last save's duration, default 4):
//! comparing it with the plain run gives the cost of those periodic saves.
//!
//! A synthetic connector serves N users (with `SkipEntitlementsAndGrants`, like a large user
//! type), 100 roles with one `member` entitlement each, and N grants (user i is a member of role
//! i % 100), in pages of 1000.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use c1_connector_sdk::prelude::*;
use c1_connector_sdk::store::{ResumePoint, SyncType};

const ROLES: usize = 100;
const PAGE: usize = 1000;

struct Users(usize);
struct Roles(usize);

fn offset(token: Option<&str>) -> Result<usize, Error> {
    token
        .unwrap_or("0")
        .parse()
        .map_err(|_| Error::invalid_argument("bad token"))
}

fn page<T>(items: Vec<T>, end: usize, total: usize) -> Page<T> {
    if end < total {
        Page::next(items, end.to_string())
    } else {
        Page::last(items)
    }
}

fn role(i: usize) -> Resource {
    Resource::new("role", format!("r{i}"), format!("Role {i}"))
        .with_role_trait(RoleTrait::default())
}

#[async_trait]
impl ResourceSyncer for Users {
    fn resource_type(&self) -> ResourceType {
        ResourceType::new("user", "User")
            .with_trait(Trait::User)
            .with_annotation(&SkipEntitlementsAndGrants {})
    }
    async fn list(&self, _: Option<&ResourceId>, t: Option<&str>) -> Result<Page<Resource>, Error> {
        let start = offset(t)?;
        let end = (start + PAGE).min(self.0);
        let items = (start..end)
            .map(|i| {
                Resource::new("user", format!("u{i}"), format!("User {i}")).with_user_trait(
                    UserTrait::new().with_email(format!("user{i}@example.com"), true),
                )
            })
            .collect();
        Ok(page(items, end, self.0))
    }
    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::empty())
    }
    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        Ok(Page::empty())
    }
}

#[async_trait]
impl ResourceSyncer for Roles {
    fn resource_type(&self) -> ResourceType {
        ResourceType::new("role", "Role").with_trait(Trait::Role)
    }
    async fn list(&self, _: Option<&ResourceId>, _: Option<&str>) -> Result<Page<Resource>, Error> {
        Ok(Page::last((0..ROLES).map(role).collect()))
    }
    async fn entitlements(
        &self,
        r: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![Entitlement::assignment(r, "member")]))
    }
    async fn grants(&self, r: &Resource, t: Option<&str>) -> Result<Page<Grant>, Error> {
        let idx: usize = r.resource_id().resource[1..].parse().unwrap_or(0);
        let member = Entitlement::assignment(r, "member");
        let mut start = offset(t)?;
        let mut items = Vec::with_capacity(PAGE);
        // Users idx, idx + ROLES, idx + 2*ROLES, ...; the token counts users of this role.
        let total = self.0.saturating_sub(idx).div_ceil(ROLES);
        while items.len() < PAGE && start < total {
            let u = ResourceId::new("user", format!("u{}", idx + start * ROLES));
            items.push(Grant::new(&member, u));
            start += 1;
        }
        Ok(page(items, start, total))
    }
}

struct Synthetic(usize);

#[async_trait]
impl Connector for Synthetic {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("Synthetic", "Throughput test"))
    }
    async fn validate(&self) -> Result<Annotations, Error> {
        Ok(Annotations::new())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        vec![Arc::new(Users(self.0)), Arc::new(Roles(self.0))]
    }
}

struct Discard;

#[async_trait]
impl SyncStore for Discard {
    async fn start_sync(&mut self) -> Result<String, Error> {
        Ok(String::new())
    }
    async fn put_resource_types(&mut self, _: Vec<ResourceType>) -> Result<(), Error> {
        Ok(())
    }
    async fn put_resources(&mut self, _: Vec<Resource>) -> Result<(), Error> {
        Ok(())
    }
    async fn put_entitlements(&mut self, _: Vec<Entitlement>) -> Result<(), Error> {
        Ok(())
    }
    async fn put_grants(&mut self, _: Vec<Grant>) -> Result<(), Error> {
        Ok(())
    }
    async fn finish(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// Counts the checkpoints that reach the store.
struct Counting<S> {
    inner: S,
    checkpoints: u64,
}

#[async_trait]
impl<S: SyncStore> SyncStore for Counting<S> {
    fn set_sync_type(&mut self, sync_type: SyncType) {
        self.inner.set_sync_type(sync_type);
    }
    async fn start_sync(&mut self) -> Result<String, Error> {
        self.inner.start_sync().await
    }
    async fn session(&mut self) -> Result<SessionStore, Error> {
        self.inner.session().await
    }
    async fn put_resource_types(&mut self, items: Vec<ResourceType>) -> Result<(), Error> {
        self.inner.put_resource_types(items).await
    }
    async fn put_resources(&mut self, items: Vec<Resource>) -> Result<(), Error> {
        self.inner.put_resources(items).await
    }
    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error> {
        self.inner.put_entitlements(items).await
    }
    async fn put_grants(&mut self, items: Vec<Grant>) -> Result<(), Error> {
        self.inner.put_grants(items).await
    }
    async fn checkpoint(&mut self, state: String) -> Result<(), Error> {
        self.checkpoints += 1;
        self.inner.checkpoint(state).await
    }
    async fn resume(&mut self) -> Result<Option<ResumePoint>, Error> {
        self.inner.resume().await
    }
    async fn suspend(&mut self) -> Result<(), Error> {
        self.inner.suspend().await
    }
    async fn finish(&mut self) -> Result<(), Error> {
        self.inner.finish().await
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.c1z");
    let started = Instant::now();
    let syncer = Syncer::new(Arc::new(Synthetic(n)), SyncOptions::default());
    if std::env::args().nth(2).as_deref() == Some("engine-only") {
        // The engine alone, into a store that drops everything.
        let stats = syncer.run(&mut Discard).await?;
        println!(
            "engine only: {} grants in {:.2} s",
            stats.grants,
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let resumable = std::env::args().nth(2).as_deref() == Some("resumable");
    let arg = |i: usize, default: u64| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (stats, checkpoints) = if resumable {
        let every = Duration::from_millis(arg(3, 10_000));
        let spacing = u32::try_from(arg(4, 4)).unwrap_or(4);
        let syncer = Syncer::new(
            Arc::new(Synthetic(n)),
            SyncOptions::default().with_checkpoint_interval(every),
        );
        let mut store = Counting {
            inner: C1zWriter::open_or_resume(&path)?.with_save_spacing(spacing),
            checkpoints: 0,
        };
        (syncer.run(&mut store).await?, store.checkpoints)
    } else {
        (syncer.run(&mut C1zWriter::create(&path)?).await?, 0)
    };
    let secs = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path)?.len();
    println!(
        "{} resources, {} grants in {secs:.2} s ({:.0} grants/s), c1z {:.1} MiB{}",
        stats.resources(),
        stats.grants,
        stats.grants as f64 / secs,
        size as f64 / (1024.0 * 1024.0),
        if resumable {
            format!(", {checkpoints} checkpoints")
        } else {
            String::new()
        }
    );
    Ok(())
}
