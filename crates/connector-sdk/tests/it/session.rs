//! The per-sync session store: through a `.c1z` writer (durable or not), through JSON Lines
//! (in memory), across an interruption and a resume, and what a finished file keeps.

use std::sync::Arc;

use c1_connector_sdk::engine::{Phase, SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::session::{MAX_VALUE_BYTES, SCAN_PAGE_BYTES, SessionStore};
use c1_connector_sdk::store::{C1zReader, C1zWriter, JsonlWriter, SyncStore};
use futures::TryStreamExt;
use tokio_util::sync::CancellationToken;

use super::crash::session_rows;
use super::org;

async fn all(s: &SessionStore, prefix: &str) -> Vec<(String, Vec<u8>)> {
    s.scan(prefix).try_collect().await.unwrap()
}

#[tokio::test]
async fn a_c1z_session_puts_gets_deletes_and_scans_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = C1zWriter::create(dir.path().join("sync.c1z")).unwrap();
    let e = w.session().await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    w.start_sync().await.unwrap();
    let s = w.session().await.unwrap();
    assert!(!s.is_durable(), "a plain create never resumes");

    // 250 keys written out of order, plus neighbours of the prefix on both sides.
    for i in (0..250u32).rev() {
        s.put(format!("users/{i:08}"), i.to_be_bytes().to_vec())
            .await
            .unwrap();
    }
    s.put("users", b"no slash".to_vec()).await.unwrap();
    s.put("users0", b"after".to_vec()).await.unwrap();
    s.put("usera/1", b"other".to_vec()).await.unwrap();
    // Reads see earlier writes, and a put replaces.
    assert_eq!(
        s.get("users/00000007").await.unwrap(),
        Some(7u32.to_be_bytes().to_vec())
    );
    s.put("users/00000007", b"again".to_vec()).await.unwrap();
    assert_eq!(
        s.get("users/00000007").await.unwrap(),
        Some(b"again".to_vec())
    );
    s.delete("users/00000008").await.unwrap();
    s.delete("never-set").await.unwrap();
    assert_eq!(s.get("users/00000008").await.unwrap(), None);

    let page = s.scan_page("users/", None, 100).await.unwrap();
    assert_eq!(page.entries.len(), 100);
    assert!(page.more);
    let scanned = all(&s, "users/").await;
    let keys: Vec<&str> = scanned.iter().map(|(k, _)| k.as_str()).collect();
    let want: Vec<String> = (0..250u32)
        .filter(|i| *i != 8)
        .map(|i| format!("users/{i:08}"))
        .collect();
    assert_eq!(keys, want);
    assert_eq!(all(&s, "").await.len(), 249 + 3);
    assert_eq!(all(&s, "nothing/").await, Vec::new());

    s.clear().await.unwrap();
    assert_eq!(all(&s, "").await, Vec::new());
    w.finish().await.unwrap();
    // The writer is gone: the session says so instead of hanging.
    let e = s.get("users").await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition, "{e}");
}

#[tokio::test]
async fn large_values_round_trip_and_scans_page_by_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    w.start_sync().await.unwrap();
    let s = w.session().await.unwrap();
    assert!(s.is_durable());
    let big: Vec<u8> = (0..MAX_VALUE_BYTES).map(|i| (i % 251) as u8).collect();
    s.put("big", big.clone()).await.unwrap();
    assert_eq!(s.get("big").await.unwrap().as_deref(), Some(big.as_slice()));
    drop(big);
    let e = s
        .put("bigger", vec![0; MAX_VALUE_BYTES + 1])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    // Three values of 3 MiB: a page stops once it holds SCAN_PAGE_BYTES.
    for k in ["m/1", "m/2", "m/3"] {
        s.put(k, vec![7; 3 << 20]).await.unwrap();
    }
    let page = s.scan_page("m/", None, 100).await.unwrap();
    assert_eq!(page.entries.len(), 2);
    assert!(page.entries.iter().map(|e| e.1.len()).sum::<usize>() >= SCAN_PAGE_BYTES);
    assert!(page.more);
    assert_eq!(all(&s, "m/").await.len(), 3);
    // Saved with a checkpoint: the file holds the rows while the sync is unfinished.
    w.checkpoint(String::new()).await.unwrap();
    w.suspend().await.unwrap();
    drop(w);
    assert_eq!(session_rows(&path), 4);

    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    w.start_sync().await.unwrap();
    let s = w.session().await.unwrap();
    assert_eq!(
        s.get("big").await.unwrap().map(|v| v.len()),
        Some(MAX_VALUE_BYTES)
    );
}

/// Cancels once a grant was stored.
fn cancel_in_grants() -> SyncOptions {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    SyncOptions::default()
        .with_concurrency(2)
        .with_cancel(cancel)
        .with_progress(move |p| {
            if p.phase == Phase::Grants && p.grants >= 2 {
                c.cancel();
            }
        })
}

#[tokio::test(start_paused = true)]
async fn a_resumed_sync_sees_its_session_and_a_fresh_one_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let first = org().page_size(1).session_pages(true).build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    Syncer::new(Arc::new(first.clone()), cancel_in_grants())
        .run(&mut w)
        .await
        .unwrap_err();
    drop(w);
    let seen = first.sessions_seen();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].resumed && seen[0].entries.is_empty());
    assert!(session_rows(&path) > 0);

    let second = org().page_size(1).session_pages(true).build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    Syncer::new(Arc::new(second.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let seen = second.sessions_seen();
    assert!(seen[0].resumed && seen[0].durable);
    assert_eq!(
        seen[0].sync_id,
        C1zReader::open(&path).unwrap().syncs().unwrap()[0].id
    );
    // Every user page of the first run (resources came before the interruption) is there.
    for i in 0..5 {
        let token = if i == 0 {
            "-".to_owned()
        } else {
            i.to_string()
        };
        let key = format!("page/list/user/-/{token}");
        assert!(
            seen[0].entries.iter().any(|(k, _)| *k == key),
            "{key} missing from {:?}",
            seen[0].entries.iter().map(|e| &e.0).collect::<Vec<_>>()
        );
    }
    assert_eq!(
        session_rows(&path),
        0,
        "a finished file keeps no session rows"
    );

    // The next sync into the same file is fresh: its session starts empty.
    let third = org().session_pages(true).build();
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    Syncer::new(Arc::new(third.clone()), SyncOptions::default())
        .run(&mut w)
        .await
        .unwrap();
    let seen = third.sessions_seen();
    assert!(!seen[0].resumed && seen[0].entries.is_empty());
}

#[tokio::test(start_paused = true)]
async fn json_lines_get_an_in_memory_session() {
    let fake = org().session_pages(true).build();
    Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut JsonlWriter::new(Vec::new()))
        .await
        .unwrap();
    let seen = fake.sessions_seen();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].resumed && !seen[0].durable);
}

#[tokio::test]
async fn a_finished_file_is_small_however_large_its_session_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    let mut w = C1zWriter::open_or_resume(&path).unwrap();
    w.start_sync().await.unwrap();
    let s = w.session().await.unwrap();
    // 10 MiB that zstd cannot shrink.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..10 {
        let value: Vec<u8> = (0..1 << 20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        s.put(format!("blob/{i}"), value).await.unwrap();
    }
    w.finish().await.unwrap();
    assert_eq!(session_rows(&path), 0);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(
        size < 256 << 10,
        "{size} bytes: the freed session pages were kept"
    );
}
