//! A writer killed mid-sync (no suspend, no cleanup): the periodic saves of
//! `C1zWriter::open_or_resume` are what the next run resumes from.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::error::{Code, Error};
use c1_connector_sdk::ids;
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceType, UserTrait};
use c1_connector_sdk::session::SessionStore;
use c1_connector_sdk::store::{C1zReader, C1zWriter, ResumePoint, SyncStore, SyncType};

use super::fixture::fixture;
use super::org;
use super::resume::{objects, reference};

/// Forwards to a writer until `pages` pages went through, then plays dead: the pages after
/// that fail, and neither the engine's last checkpoint nor its `suspend` reaches the writer,
/// as when the process is killed.
struct Killed<'a> {
    inner: &'a mut C1zWriter,
    pages: usize,
    dead: bool,
    /// The last checkpoint the writer received.
    last_checkpoint: Option<String>,
}

impl<'a> Killed<'a> {
    fn after(pages: usize, inner: &'a mut C1zWriter) -> Self {
        Self {
            inner,
            pages,
            dead: false,
            last_checkpoint: None,
        }
    }

    fn page(&mut self) -> Result<(), Error> {
        if self.pages == 0 {
            self.dead = true;
        }
        if self.dead {
            return Err(Error::internal("killed"));
        }
        self.pages -= 1;
        Ok(())
    }
}

#[async_trait]
impl SyncStore for Killed<'_> {
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
        self.page()?;
        self.inner.put_resources(items).await
    }
    async fn put_entitlements(&mut self, items: Vec<Entitlement>) -> Result<(), Error> {
        self.page()?;
        self.inner.put_entitlements(items).await
    }
    async fn put_grants(&mut self, items: Vec<Grant>) -> Result<(), Error> {
        self.page()?;
        self.inner.put_grants(items).await
    }
    async fn checkpoint(&mut self, state: String) -> Result<(), Error> {
        if self.dead {
            return Ok(());
        }
        self.last_checkpoint = Some(state.clone());
        self.inner.checkpoint(state).await
    }
    async fn resume(&mut self) -> Result<Option<ResumePoint>, Error> {
        self.inner.resume().await
    }
    async fn suspend(&mut self) -> Result<(), Error> {
        Ok(())
    }
    async fn finish(&mut self) -> Result<(), Error> {
        self.inner.finish().await
    }
}

/// A checkpoint after every page, and a save at every checkpoint.
fn every_page() -> SyncOptions {
    SyncOptions::default()
        .with_concurrency(2)
        .with_checkpoint_interval(Duration::ZERO)
}

fn writer(path: &Path) -> C1zWriter {
    C1zWriter::open_or_resume(path)
        .unwrap()
        .with_save_spacing(0)
}

/// The killed writer's thread finishes its queue on its own; wait until the target holds the
/// last checkpoint it was sent (each rename is atomic, so every read sees a whole file).
fn wait_for_save(path: &Path, token: &str) {
    for _ in 0..1000 {
        if path.exists()
            && let Ok(r) = C1zReader::open(path)
            && r.syncs()
                .unwrap()
                .iter()
                .any(|s| !s.is_finished() && s.sync_token == token)
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the last checkpoint never reached {}", path.display());
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect()
}

/// `sqlite_master`'s statements, sorted.
fn schema(path: &Path) -> Vec<String> {
    let r = C1zReader::open(path).unwrap();
    let mut st = r
        .connection()
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        .unwrap();
    let mut sql: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|s| s.unwrap() + ";\n")
        .collect();
    sql.sort();
    sql
}

fn batons_schema() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("baton-schema.sql")).unwrap();
    let mut want: Vec<String> = text.split_inclusive(";\n").map(str::to_owned).collect();
    want.sort();
    want
}

/// The ids of every object the file's selected sync holds: resource keys, entitlement and grant
/// ids.
fn stored_ids(path: &Path) -> Vec<String> {
    let r = C1zReader::open(path).unwrap();
    let mut ids: Vec<String> = r
        .resources()
        .unwrap()
        .iter()
        .map(|x| ids::resource_key(&x.resource_id()))
        .collect();
    ids.extend(r.entitlements().unwrap().into_iter().map(|e| e.id));
    ids.extend(r.grants().unwrap().into_iter().map(|g| g.id));
    ids
}

/// Rows of `v1_connector_sessions` of the connector (the engine's own records, under
/// `c1-connector-sdk/`, left out), every sync.
pub(crate) fn session_rows(path: &Path) -> i64 {
    C1zReader::open(path)
        .unwrap()
        .connection()
        .query_row(
            "SELECT count(*) FROM v1_connector_sessions WHERE key NOT LIKE 'c1-connector-sdk/%'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Runs a sync killed after `pages` pages into `path`; `None` if it finished first.
async fn kill_after(path: &Path, pages: usize) -> Option<String> {
    let mut w = writer(path);
    let mut killed = Killed::after(pages, &mut w);
    let result = Syncer::new(
        Arc::new(org().page_size(1).session_pages(true).build()),
        every_page(),
    )
    .run(&mut killed)
    .await;
    let last = killed.last_checkpoint.take();
    drop(w);
    match result {
        Ok(_) => None,
        Err(e) => {
            assert_eq!(e.code(), Code::Internal, "{e}");
            let last = last.expect("a checkpoint before the first page");
            wait_for_save(path, &last);
            Some(last)
        }
    }
}

#[tokio::test]
async fn killed_at_every_page_resumes_to_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let want = reference(dir.path(), org().page_size(1).build()).await;
    let full_calls = {
        let fake = org().page_size(1).build();
        let mut w = C1zWriter::create(dir.path().join("count.c1z")).unwrap();
        Syncer::new(Arc::new(fake.clone()), every_page())
            .run(&mut w)
            .await
            .unwrap();
        fake.calls()
    };
    let mut kills = 0;
    let mut sessions_recorded = 0;
    for pages in 0.. {
        let path = dir.path().join(format!("killed-{pages}.c1z"));
        if kill_after(&path, pages).await.is_none() {
            break;
        }
        kills += 1;
        let unfinished = C1zReader::open(&path).unwrap().syncs().unwrap();
        assert_eq!(unfinished.len(), 1);
        assert!(!unfinished[0].is_finished());
        // An unfinished save leaves out the non-unique indexes.
        assert!(schema(&path).len() < batons_schema().len());

        let stored = stored_ids(&path);
        let mut w = writer(&path);
        assert_eq!(w.resumed_sync_id(), Some(unfinished[0].id.as_str()));
        let fake = org().page_size(1).session_pages(true).build();
        let stats = Syncer::new(Arc::new(fake.clone()), every_page())
            .run(&mut w)
            .await
            .unwrap();
        assert_eq!(stats.sync_id, unfinished[0].id);
        // The resumed connector sees a session record for every page the checkpoint accounts
        // for: each object the unfinished file holds was on a page whose record was written
        // before the page was returned.
        let seen = fake.sessions_seen();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].resumed && seen[0].durable);
        let recorded: BTreeSet<String> = seen[0]
            .entries
            .iter()
            .flat_map(|(_, v)| {
                String::from_utf8(v.clone())
                    .unwrap()
                    .lines()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        let missing: Vec<&String> = stored.iter().filter(|id| !recorded.contains(*id)).collect();
        assert!(
            missing.is_empty(),
            "killed after {pages} pages: no session record for {missing:?}"
        );
        sessions_recorded += stored.len();
        if pages > 0 {
            assert!(
                fake.calls() < full_calls,
                "killed after {pages} pages: the resumed run redid everything"
            );
        }
        let syncs = C1zReader::open(&path).unwrap().syncs().unwrap();
        assert_eq!(syncs.len(), 1);
        assert!(syncs[0].is_finished());
        assert_eq!(objects(&path), want, "killed after {pages} pages");
        assert_eq!(schema(&path), batons_schema(), "killed after {pages} pages");
        assert_eq!(
            session_rows(&path),
            0,
            "a finished file keeps no session rows"
        );
    }
    assert!(kills >= 20, "only {kills} kill points");
    assert!(sessions_recorded > 0);
    assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn a_killed_sync_keeps_the_previous_finished_one_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    // The previous sync saw one more user.
    let gone = Resource::new("user", "u9", "User 9").with_user_trait(UserTrait::new());
    let before = org().page_size(1).resource(gone).build();
    let previous = Syncer::new(Arc::new(before), SyncOptions::default())
        .run(&mut C1zWriter::open_or_resume(&path).unwrap())
        .await
        .unwrap()
        .sync_id;
    let previous_objects = objects(&path);
    assert_ne!(previous_objects, reference(dir.path(), org().build()).await);

    kill_after(&path, 12).await.expect("killed");
    let r = C1zReader::open(&path).unwrap();
    let syncs = r.syncs().unwrap();
    assert_eq!(syncs.len(), 2);
    assert!(syncs[0].is_finished() && !syncs[1].is_finished());
    // Readers still see the previous finished sync.
    assert_eq!(
        r.selected_sync().map(|s| s.id.as_str()),
        Some(previous.as_str())
    );
    assert_eq!(objects(&path), previous_objects);

    let mut w = writer(&path);
    let resumed = w.resumed_sync_id().map(str::to_owned);
    assert_eq!(resumed.as_deref(), Some(syncs[1].id.as_str()));
    Syncer::new(Arc::new(org().page_size(1).build()), every_page())
        .run(&mut w)
        .await
        .unwrap();
    let r = C1zReader::open(&path).unwrap();
    let ids: Vec<String> = r.syncs().unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![previous, syncs[1].id.clone()]);
    assert_eq!(r.selected_sync().map(|s| &s.id), resumed.as_ref());
    assert_eq!(schema(&path), batons_schema());
}

#[tokio::test]
async fn a_plain_create_never_saves_an_unfinished_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::create(&path).unwrap().with_save_spacing(0);
    let mut killed = Killed::after(12, &mut w);
    Syncer::new(Arc::new(org().page_size(1).build()), every_page())
        .run(&mut killed)
        .await
        .unwrap_err();
    assert!(killed.last_checkpoint.is_some());
    drop(w);
    assert!(!path.exists());
}

#[tokio::test]
async fn opening_removes_temporary_files_of_a_killed_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let stale = dir.path().join("sync.c1z.tmp-AbC123");
    let other = dir.path().join("other.c1z.tmp-AbC123");
    std::fs::write(&stale, b"half a file").unwrap();
    std::fs::write(&other, b"someone else's").unwrap();
    let w = C1zWriter::open_or_resume(&path).unwrap();
    assert!(!stale.exists());
    assert!(other.exists(), "only this target's temporary files go");
    drop(w);
    std::fs::write(&stale, b"half a file").unwrap();
    drop(C1zWriter::create(&path).unwrap());
    assert!(!stale.exists());
}

#[cfg(target_os = "linux")]
#[test]
fn opening_removes_scratch_directories_of_dead_writers() {
    // A process id that is not running, in this pid namespace.
    let dead = (2..u32::MAX)
        .rev()
        .step_by(7919)
        .find(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        .unwrap();
    let ns = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let make = |owner: String| {
        let d = tempfile::Builder::new()
            .prefix("c1z-db-")
            .tempdir()
            .unwrap()
            .keep();
        std::fs::write(d.join("db.sqlite"), b"x").unwrap();
        std::fs::write(d.join("owner.pid"), owner).unwrap();
        d
    };
    let dead_dir = make(format!("{dead} {}", ns.display()));
    let foreign_ns = make(format!("{dead} pid:[1]"));
    let alive = make(format!("{} {}", std::process::id(), ns.display()));

    let dir = tempfile::tempdir().unwrap();
    drop(C1zWriter::create(dir.path().join("sync.c1z")).unwrap());
    assert!(!dead_dir.exists());
    assert!(
        foreign_ns.exists(),
        "another namespace's process ids mean nothing here"
    );
    assert!(alive.exists());
    std::fs::remove_dir_all(foreign_ns).unwrap();
    std::fs::remove_dir_all(alive).unwrap();
}
