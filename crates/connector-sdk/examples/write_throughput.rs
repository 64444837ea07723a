//! Measures how fast the engine and the `.c1z` writer take grants.
//!
//! `cargo run --release -p c1-connector-sdk --example write_throughput -- 1000000`
//!
//! A synthetic connector serves N users (with `SkipEntitlementsAndGrants`, like a large user
//! type), 100 roles with one `member` entitlement each, and N grants (user i is a member of role
//! i % 100), in pages of 1000.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use c1_connector_sdk::prelude::*;

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
    let mut store = C1zWriter::create(&path)?;
    let stats = syncer.run(&mut store).await?;
    let secs = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path)?.len();
    println!(
        "{} resources, {} grants in {secs:.2} s ({:.0} grants/s), c1z {:.1} MiB",
        stats.resources(),
        stats.grants,
        stats.grants as f64 / secs,
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}
