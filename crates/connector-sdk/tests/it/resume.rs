//! Checkpoint and resume of an interrupted sync (`C1zWriter::open_or_resume`).

use std::path::Path;
use std::sync::Arc;

use c1_connector_sdk::engine::{Phase, SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::store::{C1zReader, C1zWriter};
use c1_connector_sdk::testing::{FakeConnector, FakeOp, Fault};
use prost::Message;
use tokio_util::sync::CancellationToken;

use super::org;

/// Every object of the selected sync, encoded and sorted: equal sets mean equal output.
pub(crate) fn objects(path: &Path) -> Vec<Vec<u8>> {
    let r = C1zReader::open(path).unwrap();
    let mut all: Vec<Vec<u8>> = Vec::new();
    all.extend(
        r.resource_types()
            .unwrap()
            .iter()
            .map(Message::encode_to_vec),
    );
    all.extend(r.resources().unwrap().iter().map(Message::encode_to_vec));
    all.extend(r.entitlements().unwrap().iter().map(Message::encode_to_vec));
    all.extend(r.grants().unwrap().iter().map(Message::encode_to_vec));
    all.sort();
    all
}

pub(crate) async fn reference(dir: &Path, fake: FakeConnector) -> Vec<Vec<u8>> {
    let path = dir.join("reference.c1z");
    let mut w = C1zWriter::create(&path).unwrap();
    Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    objects(&path)
}

/// Cancels the sync once `stop` says so, from the progress callback.
fn cancelling(stop: impl Fn(Phase, u64, u64) -> bool + Send + Sync + 'static) -> SyncOptions {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    SyncOptions::default()
        .with_concurrency(2)
        .with_cancel(cancel)
        .with_progress(move |p| {
            if stop(p.phase, p.resources, p.grants) {
                c.cancel();
            }
        })
}

async fn interrupt_then_resume(stop: impl Fn(Phase, u64, u64) -> bool + Send + Sync + 'static) {
    let dir = tempfile::tempdir().unwrap();
    let want = reference(dir.path(), org().page_size(1).build()).await;
    let full_calls = {
        let fake = org().page_size(1).build();
        let mut w = C1zWriter::create(dir.path().join("count.c1z")).unwrap();
        Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
            .run(&mut w)
            .await
            .unwrap();
        fake.calls()
    };

    let path = dir.path().join("sync.c1z");
    let first = org().page_size(1).build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert!(w.resumed_sync_id().is_none());
    let err = Syncer::new(Arc::new(first.clone()), cancelling(stop))
        .run(&mut w)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Cancelled);
    drop(w);

    // The target now holds the unfinished sync and its checkpoint.
    let r = C1zReader::open(&path).unwrap();
    let syncs = r.syncs().unwrap();
    assert_eq!(syncs.len(), 1);
    assert!(syncs[0].ended_at.is_none());
    assert!(
        syncs[0].sync_token.contains("c1-connector-sdk"),
        "{}",
        syncs[0].sync_token
    );
    let unfinished_id = syncs[0].id.clone();

    let second = org().page_size(1).build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert_eq!(w.resumed_sync_id(), Some(unfinished_id.as_str()));
    let stats = Syncer::new(Arc::new(second.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    assert_eq!(stats.sync_id, unfinished_id);
    assert_eq!(stats.resources(), 10);
    assert_eq!(stats.entitlements, 2);
    assert!(
        second.calls() < full_calls,
        "resumed run redid everything: {} of {full_calls}",
        second.calls()
    );
    assert!(first.calls() + second.calls() >= full_calls);

    let r = C1zReader::open(&path).unwrap();
    let syncs = r.syncs().unwrap();
    assert_eq!(syncs.len(), 1);
    assert!(syncs[0].is_finished());
    assert_eq!(objects(&path), want);
}

#[tokio::test(start_paused = true)]
async fn resume_after_interrupt_in_resources() {
    interrupt_then_resume(|phase, resources, _| phase == Phase::Resources && resources >= 4).await;
}

#[tokio::test(start_paused = true)]
async fn resume_after_interrupt_in_entitlements() {
    interrupt_then_resume(|phase, _, _| phase == Phase::Entitlements).await;
}

#[tokio::test(start_paused = true)]
async fn resume_after_interrupt_in_grants() {
    interrupt_then_resume(|phase, _, grants| phase == Phase::Grants && grants >= 3).await;
}

#[tokio::test(start_paused = true)]
async fn failed_sync_is_saved_and_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let want = reference(dir.path(), org().build()).await;
    let failing = org()
        .fault(Fault::new(FakeOp::Grants, Code::Unavailable).times(1000))
        .build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    Syncer::new(
        Arc::new(failing),
        SyncOptions::default().with_max_retries(1),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    drop(w);
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert!(w.resumed_sync_id().is_some());
    let fake = org().build();
    Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    // Resources and entitlements were done: only grants are listed again.
    assert!(
        fake.call_log()
            .iter()
            .all(|l| l.starts_with("grants") || l == "validate")
    );
    assert_eq!(objects(&path), want);
}

#[tokio::test]
async fn keeps_the_previous_finished_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut ids = Vec::new();
    for _ in 0..3 {
        let mut w = C1zWriter::open_or_resume(&path).unwrap();
        assert!(w.resumed_sync_id().is_none());
        let stats = Syncer::new(Arc::new(org().build()), SyncOptions::default())
            .run(&mut w)
            .await
            .unwrap();
        ids.push(stats.sync_id);
    }
    let r = C1zReader::open(&path).unwrap();
    let kept: Vec<String> = r.syncs().unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(kept, ids[1..].to_vec());
    assert_eq!(r.selected_sync().map(|s| s.id.clone()), ids.last().cloned());
    assert_eq!(r.resources().unwrap().len(), 10);
}

#[tokio::test]
async fn a_plain_create_never_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::create(&path).unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    Syncer::new(
        Arc::new(org().build()),
        SyncOptions::default().with_cancel(cancel),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    drop(w);
    assert!(!path.exists());
}

#[tokio::test(start_paused = true)]
async fn a_resume_must_select_the_same_resource_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let stop = cancelling(|phase, _, _| phase == Phase::Entitlements)
        .with_sync_resource_types(["group", "user"]);
    Syncer::new(Arc::new(org().build()), stop)
        .run(&mut w)
        .await
        .unwrap_err();
    drop(w);
    let before = C1zReader::open(&path).unwrap().syncs().unwrap();

    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let err = Syncer::new(Arc::new(org().build()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert!(err.message().contains("group, user"), "{err}");
    drop(w);
    // The unfinished sync and its checkpoint are untouched.
    assert_eq!(C1zReader::open(&path).unwrap().syncs().unwrap(), before);

    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let stats = Syncer::new(
        Arc::new(org().build()),
        SyncOptions::default().with_sync_resource_types(["user", "group"]),
    )
    .run(&mut w)
    .await
    .unwrap();
    assert_eq!(stats.sync_id, before[0].id);
    assert_eq!(stats.resources(), 7);
}

/// An unfinished sync of another source is refused before anything is listed or stored, with a
/// typed cause the caller can act on; the same source resumes.
#[tokio::test]
async fn an_unfinished_sync_of_another_source_is_not_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let err = Syncer::new(
        Arc::new(org().page_size(1).build()),
        cancelling(|_, resources, _| resources >= 2).with_source("project A"),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::Cancelled);
    drop(w);

    let before = std::fs::read(&path).unwrap();
    let other = org().page_size(1).build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let err = Syncer::new(
        Arc::new(other.clone()),
        SyncOptions::default().with_source("project B"),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    drop(w);
    assert_eq!(err.code(), Code::FailedPrecondition);
    let mismatch = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<c1_connector_sdk::engine::SourceMismatch>())
        .expect("a SourceMismatch cause");
    assert_eq!(mismatch.stored, "project A");
    assert_eq!(mismatch.expected, "project B");
    assert!(
        !other.call_log().iter().any(|c| c.starts_with("list")),
        "nothing listed: {:?}",
        other.call_log()
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );

    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert!(w.resumed_sync_id().is_some());
    Syncer::new(
        Arc::new(org().page_size(1).build()),
        SyncOptions::default().with_source("project A"),
    )
    .run(&mut w)
    .await
    .unwrap();
    drop(w);
    assert_eq!(
        objects(&path),
        reference(dir.path(), org().page_size(1).build()).await
    );
}

/// With a minimum save interval, a short sync is not saved at its phase boundaries (only at
/// the end), while without one the first phase boundary already saves the unfinished sync.
#[tokio::test]
async fn a_minimum_save_interval_skips_saves_of_short_syncs() {
    for (interval, saved_half_way) in [
        (std::time::Duration::ZERO, true),
        (std::time::Duration::from_secs(3600), false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.c1z");
        let seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, s) = (path.clone(), seen.clone());
        let options = SyncOptions::default().with_progress(move |progress| {
            if progress.phase == Phase::Grants && p.exists() {
                s.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        });
        let mut w = C1zWriter::open_or_resume(&path)
            .unwrap()
            .with_save_spacing(0)
            .with_min_save_interval(interval);
        // Each call takes a little while, so a save queued at a phase boundary lands well before
        // the grants phase ends.
        let fake = org()
            .page_size(1)
            .delay(std::time::Duration::from_millis(10))
            .build();
        Syncer::new(Arc::new(fake), options)
            .run(&mut w)
            .await
            .unwrap();
        drop(w);
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::SeqCst),
            saved_half_way,
            "{interval:?}"
        );
        assert!(C1zReader::open(&path).unwrap().syncs().unwrap()[0].is_finished());
    }
}

/// A finished file keeps the source its sync read (and no other session row), so a finished
/// partial file can be checked before it replaces another file.
#[tokio::test]
async fn a_finished_file_names_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    Syncer::new(
        Arc::new(org().build()),
        SyncOptions::default().with_source("project A"),
    )
    .run(&mut w)
    .await
    .unwrap();
    drop(w);
    let r = C1zReader::open(&path).unwrap();
    assert_eq!(r.sync_source().unwrap().as_deref(), Some("project A"));
    let rows: i64 = r
        .connection()
        .query_row("SELECT count(*) FROM v1_connector_sessions", [], |r| {
            r.get(0)
        })
        .unwrap();
    // The source and the sync's first start.
    assert_eq!(rows, 2);
    // Without a source, none is kept (and none is claimed).
    let plain = dir.path().join("plain.c1z");
    let mut w = C1zWriter::open_or_resume(&plain).unwrap();
    Syncer::new(Arc::new(org().build()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    drop(w);
    assert_eq!(
        C1zReader::open(&plain).unwrap().sync_source().unwrap(),
        None
    );
}

/// A resume that selects other resource types is refused as not resumable, with both
/// selections in the reason, so the caller sets the file aside and starts over.
#[tokio::test]
async fn another_resource_type_selection_is_not_resumable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let err = Syncer::new(
        Arc::new(org().page_size(1).build()),
        cancelling(|_, resources, _| resources >= 2),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::Cancelled);
    drop(w);
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    let err = Syncer::new(
        Arc::new(org().page_size(1).build()),
        SyncOptions::default().with_sync_resource_types(["user"]),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let why = c1_connector_sdk::engine::resume_refusal(&err).expect("a refusal");
    assert!(
        why.contains("every resource type") && why.contains("resource types user"),
        "{why}"
    );
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// A finished file keeps when its sync first started (UTC milliseconds), and a resumed sync
/// keeps the first run's start: what the source changed after it is in no earlier file.
#[tokio::test]
async fn a_finished_file_keeps_the_first_start_of_its_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let before = now_ms();
    let failing = org()
        .fault(Fault::new(FakeOp::Grants, Code::Unavailable).times(1000))
        .build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    Syncer::new(
        Arc::new(failing),
        SyncOptions::default().with_max_retries(0),
    )
    .run(&mut w)
    .await
    .unwrap_err();
    drop(w);
    let first_run_ended = now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    assert!(w.resumed_sync_id().is_some());
    Syncer::new(Arc::new(org().build()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let started = C1zReader::open(&path)
        .unwrap()
        .sync_started_at_ms()
        .unwrap()
        .expect("recorded");
    assert!(
        (before..=first_run_ended).contains(&started),
        "{before} <= {started} <= {first_run_ended}"
    );

    // A fresh sync records its own start.
    let fresh = dir.path().join("fresh.c1z");
    let before = now_ms();
    let mut w = C1zWriter::create(&fresh).unwrap();
    Syncer::new(Arc::new(org().build()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let started = C1zReader::open(&fresh)
        .unwrap()
        .sync_started_at_ms()
        .unwrap()
        .expect("recorded");
    assert!((before..=now_ms()).contains(&started));
}
