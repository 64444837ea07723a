//! Writing `.c1z` files: round trip, schema, sync row, atomicity.

use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::model::{Resource, ResourceType, Trait};
use c1_connector_sdk::store::{C1zReader, C1zWriter, JsonlWriter, SyncStore, SyncType};
use c1_connector_sdk::testing::FakeConnector;

use super::fixture::fixture;
use super::org;

async fn synced(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("sync.c1z");
    let mut w = C1zWriter::create(&path).unwrap();
    Syncer::new(Arc::new(org().build()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    path
}

#[tokio::test]
async fn round_trip_gives_the_same_objects() {
    let dir = tempfile::tempdir().unwrap();
    let path = synced(dir.path()).await;
    let r = C1zReader::open(&path).unwrap();

    // What the connector serves, collected without the engine's ordering.
    let fake = org().build();
    let mut expected = JsonlWriter::new(Vec::new());
    Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_concurrency(1),
    )
    .run(&mut expected)
    .await
    .unwrap();

    let mut got_rs: Vec<Resource> = r.resources().unwrap();
    got_rs.sort_by_key(|r| r.resource_id());
    assert_eq!(got_rs.len(), 10);
    let mut grants = r.grants().unwrap();
    grants.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want = fake.current_grants();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(grants, want);
    assert_eq!(r.resource_types().unwrap().len(), 3);
    assert_eq!(r.entitlements().unwrap().len(), 2);
    // The team children carry their parent, in the blob and in the side columns.
    let t1 = r.get_resource("team", "t1").unwrap().unwrap();
    assert_eq!(t1.parent_resource_id.unwrap().resource, "g1");
    let n: i64 = r
        .connection()
        .query_row(
            "SELECT count(*) FROM v1_resources WHERE parent_resource_type_id = 'group' AND parent_resource_id = 'g1'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(n, 3);
}

#[tokio::test]
async fn schema_equals_batons() {
    let dir = tempfile::tempdir().unwrap();
    let path = synced(dir.path()).await;
    let ours = C1zReader::open(&path).unwrap();
    let theirs = C1zReader::open(fixture("baton-sample.c1z")).unwrap();
    assert_eq!(ours.schema().unwrap(), theirs.schema().unwrap());

    // And the `.schema` text is exactly the fixture's SQL file.
    let mut st = ours
        .connection()
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
        .unwrap();
    let mut ours: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|s| s.unwrap() + ";\n")
        .collect();
    // VACUUM lists tables before indexes in sqlite_master, so compare statements, not order.
    let want = std::fs::read_to_string(fixture("baton-schema.sql")).unwrap();
    let mut want: Vec<String> = want.split_inclusive(";\n").map(str::to_owned).collect();
    ours.sort();
    want.sort();
    assert_eq!(want.len(), 22);
    assert_eq!(ours, want);
}

#[tokio::test]
async fn file_layout_and_sync_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = synced(dir.path()).await;
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..5], b"C1ZF\0");
    // A single zstd frame whose window fits baton's 128 MiB decoder limit.
    let db = zstd::stream::decode_all(&bytes[5..]).unwrap();
    assert_eq!(&db[..16], b"SQLite format 3\0");
    // File format bytes 18/19 are 2 for WAL; must be 1 (rollback journal).
    assert_eq!((db[18], db[19]), (1, 1));

    let r = C1zReader::open(&path).unwrap();
    let syncs = r.syncs().unwrap();
    assert_eq!(syncs.len(), 1);
    let s = &syncs[0];
    assert_eq!(s.id.len(), 27, "KSUID");
    assert!(s.id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(s.sync_type, "full");
    assert_eq!(s.sync_token, r#"{"version":1}"#);
    let ended = s.ended_at.clone().unwrap();
    for t in [&s.started_at, &ended] {
        assert_eq!(t.len(), 29, "{t}");
        assert_eq!(&t[4..5], "-");
        assert_eq!(&t[10..11], " ");
        assert_eq!(&t[19..20], ".");
    }
    assert!(ended >= s.started_at);
    let mode: String = r
        .connection()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

#[tokio::test]
async fn no_leftovers_and_old_file_kept_when_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    std::fs::write(&path, b"old contents").unwrap();

    // Dropped mid-sync.
    {
        let mut w = C1zWriter::create(&path).unwrap();
        w.start_sync().await.unwrap();
        w.put_resource_types(vec![ResourceType::new("user", "User")])
            .await
            .unwrap();
        w.put_resources(vec![Resource::new("user", "u1", "U1")])
            .await
            .unwrap();
    }
    // A sync that fails its integrity check.
    {
        let mut w = C1zWriter::create(&path).unwrap();
        let bad = FakeConnector::builder()
            .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
            .resource(Resource::new("user", "x", "No user trait"))
            .build();
        Syncer::new(Arc::new(bad), SyncOptions::default())
            .run(&mut w)
            .await
            .unwrap_err();
    }
    // Give the writer threads a moment to notice the closed channels and clean up.
    for _ in 0..50 {
        if std::fs::read_dir(dir.path()).unwrap().count() == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"old contents");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["sync.c1z".to_owned()]);

    // A finished sync replaces it atomically.
    let path2 = synced(dir.path()).await;
    assert_eq!(path2, path);
    assert_eq!(&std::fs::read(&path).unwrap()[..5], b"C1ZF\0");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn upserts_duplicates_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.c1z");
    let mut w = C1zWriter::create(&path).unwrap();
    w.start_sync().await.unwrap();
    w.put_resource_types(vec![ResourceType::new("user", "User")])
        .await
        .unwrap();
    w.put_resources(vec![Resource::new("user", "u1", "First")])
        .await
        .unwrap();
    w.put_resources(vec![Resource::new("user", "u1", "Second")])
        .await
        .unwrap();
    w.finish().await.unwrap();
    let r = C1zReader::open(&path).unwrap();
    let rs = r.resources().unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].display_name, "Second");
}

/// Each grant's principal: its id and display name, in the file's order.
fn principals(r: &C1zReader) -> Vec<(String, String)> {
    r.grants()
        .unwrap()
        .into_iter()
        .map(|g| {
            let p = g.principal.unwrap();
            (p.id.unwrap().resource, p.display_name)
        })
        .collect()
}

/// Grants go in without an upsert (their unique index is built at the end): a grant written
/// twice still ends as one row, first in place, with the data written last, and the unique
/// index is there.
#[tokio::test]
async fn duplicate_grants_are_merged_as_upserts() {
    use c1_connector_sdk::model::{Entitlement, Grant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.c1z");
    let role = Resource::new("role", "r", "R");
    let ent = Entitlement::assignment(&role, "member");
    let grant = |user: &str, name: &str| Grant::new(&ent, Resource::new("user", user, name));
    let mut w = C1zWriter::create(&path).unwrap();
    w.start_sync().await.unwrap();
    w.put_grants(vec![grant("u1", "First"), grant("u2", "Other")])
        .await
        .unwrap();
    w.put_grants(vec![grant("u1", "Second"), grant("u1", "Third")])
        .await
        .unwrap();
    w.finish().await.unwrap();
    let r = C1zReader::open(&path).unwrap();
    let names = principals(&r);
    assert_eq!(
        names,
        [("u1".into(), "Third".into()), ("u2".into(), "Other".into())]
    );
    let unique: i64 = r
        .connection()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'idx_grants_external_sync_v1'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(unique, 1);
}

/// An unfinished file is saved without the unique index on grants; the sync resumed from it
/// merges a grant written again after the resume.
#[tokio::test]
async fn duplicate_grants_across_a_resume_are_merged() {
    use c1_connector_sdk::model::{Entitlement, Grant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.c1z");
    let role = Resource::new("role", "r", "R");
    let ent = Entitlement::assignment(&role, "member");
    let grant = |user: &str, name: &str| Grant::new(&ent, Resource::new("user", user, name));
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    w.start_sync().await.unwrap();
    w.put_grants(vec![grant("u1", "Before"), grant("u2", "Kept")])
        .await
        .unwrap();
    w.checkpoint("{}".into()).await.unwrap();
    w.suspend().await.unwrap();
    drop(w);

    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert!(w.resumed_sync_id().is_some());
    w.start_sync().await.unwrap();
    w.put_grants(vec![grant("u1", "After"), grant("u3", "New")])
        .await
        .unwrap();
    w.finish().await.unwrap();
    let r = C1zReader::open(&path).unwrap();
    let mut names = principals(&r);
    names.sort();
    assert_eq!(
        names,
        [
            ("u1".into(), "After".into()),
            ("u2".into(), "Kept".into()),
            ("u3".into(), "New".into())
        ]
    );
}

#[tokio::test]
async fn many_grants_stream_through() {
    use c1_connector_sdk::model::{Entitlement, Grant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.c1z");
    let role = Resource::new("role", "r", "R");
    let ent = Entitlement::assignment(&role, "member");
    let users: Vec<Resource> = (0..2000)
        .map(|i| Resource::new("user", i.to_string(), "U"))
        .collect();
    let grants: Vec<Grant> = users.iter().map(|u| Grant::new(&ent, u)).collect();
    let fake = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .resource_type(ResourceType::new("role", "Role"))
        .resources(users)
        .resource(role)
        .entitlement(ent)
        .grants(grants)
        .page_size(100)
        .build();
    let mut w = C1zWriter::create(&path).unwrap();
    let stats = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    assert_eq!(stats.grants, 2000);
    let r = C1zReader::open(&path).unwrap();
    assert_eq!(r.counts().unwrap(), (2, 2001, 1, 2000));
    let mut n = 0;
    r.for_each_grant(|_| {
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 2000);
}

#[tokio::test]
async fn a_resources_only_sync_is_labelled_so_and_resumes_only_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    // An unfinished full sync in the file.
    let cancel = tokio_util::sync::CancellationToken::new();
    let c = cancel.clone();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let options = SyncOptions::default()
        .with_cancel(cancel)
        .with_progress(move |p| {
            if p.phase == c1_connector_sdk::engine::Phase::Entitlements {
                c.cancel();
            }
        });
    Syncer::new(Arc::new(org().build()), options)
        .run(&mut w)
        .await
        .unwrap_err();
    drop(w);
    let full = C1zReader::open(&path).unwrap().syncs().unwrap();
    assert_eq!((full.len(), full[0].sync_type.as_str()), (1, "full"));
    assert!(!full[0].is_finished());

    // A resources-only run does not continue it: it is another kind of sync.
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert_eq!(w.resumed_sync_id(), Some(full[0].id.as_str()));
    w.set_sync_type(SyncType::ResourcesOnly);
    assert_eq!(w.resumed_sync_id(), None);
    let fake = org().build();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_skip_entitlements_and_grants(true),
    )
    .run(&mut w)
    .await
    .unwrap();
    assert_ne!(stats.sync_id, full[0].id);
    let r = C1zReader::open(&path).unwrap();
    let syncs = r.syncs().unwrap();
    // The unfinished full sync is dropped when this one finishes.
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    assert_eq!(syncs[0].sync_type, "resources_only");
    assert!(syncs[0].is_finished());
    assert_eq!(r.counts().unwrap(), (3, 10, 0, 0));
}

/// The working database lives in a private scratch directory under the directory asked for,
/// and nothing is left there once the writer is finished or dropped.
#[cfg(unix)]
#[tokio::test]
async fn scratch_directories_are_private_and_removed() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let listing = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&scratch)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    };
    for resumable in [false, true] {
        let target = dir.path().join(format!("out-{resumable}.c1z"));
        let writer = if resumable {
            C1zWriter::open_or_resume_in(&target, &scratch).unwrap()
        } else {
            C1zWriter::create_in(&target, &scratch).unwrap()
        };
        let made = listing();
        assert_eq!(made.len(), 1, "{made:?}");
        let mode = std::fs::metadata(&made[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(writer);
        assert!(listing().is_empty(), "removed when dropped");
    }
}

/// The connector's metadata is kept with the sync, and read back.
#[tokio::test]
async fn connector_metadata_is_kept_with_the_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.c1z");
    let mut w = C1zWriter::create(&path).unwrap();
    Syncer::new(Arc::new(org().build()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    drop(w);
    let metadata = C1zReader::open(&path)
        .unwrap()
        .connector_metadata()
        .unwrap()
        .expect("metadata");
    assert_eq!(metadata.display_name, "Fake");
}

/// A `.c1z` cut short or corrupted after its magic is refused with `DataLoss` (the decompression
/// loop reports a broken zstd stream, whichever way it breaks).
#[tokio::test]
async fn a_truncated_or_corrupt_file_is_data_loss() {
    use c1_connector_sdk::error::Code;
    let dir = tempfile::tempdir().unwrap();
    let path = synced(dir.path()).await;
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.c1z");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let garbled = dir.path().join("garbled.c1z");
    let mut g = bytes.clone();
    for b in &mut g[40..140] {
        *b ^= 0x5a;
    }
    std::fs::write(&garbled, &g).unwrap();
    for file in [&cut, &garbled] {
        let Err(err) = C1zReader::open(file) else {
            panic!("{} was read", file.display());
        };
        assert_eq!(err.code(), Code::DataLoss, "{}: {err}", file.display());
    }
}

/// Resources also go in without an upsert while their unique index is deferred: a resumed
/// sync reads each one back once (first place, last data), and a resource written again after
/// the resume ends as one row.
#[tokio::test]
async fn duplicate_resources_across_a_resume_are_merged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.c1z");
    let user = |id: &str, name: &str| Resource::new("user", id, name);
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    w.start_sync().await.unwrap();
    w.put_resource_types(vec![ResourceType::new("user", "User")])
        .await
        .unwrap();
    w.put_resources(vec![user("u1", "A"), user("u2", "B")])
        .await
        .unwrap();
    w.put_resources(vec![user("u1", "A2")]).await.unwrap();
    w.checkpoint("{}".into()).await.unwrap();
    w.suspend().await.unwrap();
    drop(w);

    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    w.start_sync().await.unwrap();
    let point = w.resume().await.unwrap().expect("an unfinished sync");
    let names: Vec<&str> = point
        .resources
        .iter()
        .map(|r| r.display_name.as_str())
        .collect();
    assert_eq!(names, ["A2", "B"]);
    w.put_resources(vec![user("u1", "A3"), user("u3", "C")])
        .await
        .unwrap();
    w.finish().await.unwrap();
    let r = C1zReader::open(&path).unwrap();
    let names: Vec<String> = r
        .resources()
        .unwrap()
        .into_iter()
        .map(|r| r.display_name)
        .collect();
    assert_eq!(names, ["A3", "B", "C"]);
}
