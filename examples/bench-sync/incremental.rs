//! W5: what an incremental sync costs next to a full one, on the same project at the same
//! moment, and whether they are equal.
//!
//! One emulator process serves the whole run: a full sync (the previous file), then changes
//! through Descope's API (users renamed, users deleted one by one and in a batch), then an
//! incremental sync from the previous file and a fresh full sync, each measured like any run
//! (wall time, requests, peak RSS). The two files are compared by an order-independent digest
//! of every resource, entitlement and grant (their encoded bytes), streamed from each file.

use std::ffi::OsString;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use anyhow::{Context, Result, bail};
use c1_connector_sdk::store::C1zReader;
use descope_mgmt::{Client, PatchUserRequest, RateLimitConfig};
use futures::StreamExt;
use prost::Message;
use secrecy::SecretString;

use super::{Args, EmulatorProcess, HEADER, Run, row, run_with, spawn_emulator};

/// Counts and a digest of a sync's contents: equal files give equal digests.
#[derive(Debug, PartialEq, Eq)]
struct Digest {
    resources: u64,
    entitlements: u64,
    grants: u64,
    sum: u64,
}

fn digest(path: &Path) -> Result<Digest> {
    let reader = C1zReader::open(path)?;
    let mut sum = 0u64;
    let mut add = |kind: u8, id: &str, bytes: &[u8]| {
        let mut h = DefaultHasher::new();
        (kind, id, bytes).hash(&mut h);
        sum = sum.wrapping_add(h.finish());
    };
    let mut resources = 0;
    for ty in reader.resource_types()? {
        let mut after = 0;
        loop {
            let (page, next) = reader.resources_page(&ty.id, after, 10_000)?;
            for r in &page {
                let id = r.resource_id();
                add(
                    0,
                    &format!("{}:{}", id.resource_type, id.resource),
                    &r.encode_to_vec(),
                );
            }
            resources += page.len() as u64;
            match next {
                Some(row) => after = row,
                None => break,
            }
        }
    }
    let entitlements = reader.entitlements()?;
    for e in &entitlements {
        add(1, &e.id, &e.encode_to_vec());
    }
    let mut grants = 0;
    reader.for_each_grant(|g| {
        add(2, &g.id, &g.encode_to_vec());
        grants += 1;
        Ok(())
    })?;
    Ok(Digest {
        resources,
        entitlements: entitlements.len() as u64,
        grants,
        sum,
    })
}

/// Renames `changed` users and deletes `deleted` others (half one by one, half in one batch),
/// picked from the previous file's users.
async fn change(
    emu: &EmulatorProcess,
    previous: &Path,
    changed: usize,
    deleted: usize,
) -> Result<()> {
    let client = Client::builder()
        .project_id(&emu.project_id)
        .management_key(SecretString::from(emu.key.clone()))
        .base_url(&emu.base_url)
        .rate_limit(RateLimitConfig::disabled())
        .build()?;
    let reader = C1zReader::open(previous)?;
    let (users, _) = reader.resources_page("user", 0, changed + deleted)?;
    if users.len() < changed + deleted {
        bail!(
            "the project has {} users, fewer than the changes asked",
            users.len()
        );
    }
    let ids: Vec<String> = users
        .iter()
        .map(|u| descope_connector::ids::decode_component(&u.resource_id().resource))
        .collect::<Result<_, _>>()?;
    let (renamed, gone) = ids.split_at(changed);
    let results: Vec<_> = futures::stream::iter(renamed.iter().enumerate().map(|(i, id)| {
        let client = client.clone();
        async move {
            let mut req = PatchUserRequest::new(id.clone());
            req.display_name = Some(format!("Renamed for W5 {i}"));
            client.users().patch(&req).await
        }
    }))
    .buffer_unordered(16)
    .collect()
    .await;
    for r in results {
        r.context("renaming a user")?;
    }
    let (one_by_one, batch) = gone.split_at(gone.len() / 2);
    for id in one_by_one {
        client.users().delete_by_user_id(id).await?;
    }
    client.users().delete_batch(batch).await?;
    Ok(())
}

/// Runs W5 (or `--incremental <changed>,<deleted>` on any project) and prints its rows.
pub(super) async fn bench(args: &Args) -> Result<()> {
    let [changed, deleted] = args.incremental.as_deref().unwrap_or(&[1_000, 100]) else {
        bail!("--incremental takes two numbers: users changed, users deleted");
    };
    let emu = spawn_emulator(args)?;
    let dir = tempfile::tempdir()?;
    let (previous, incremental, full) = (
        dir.path().join("previous.c1z"),
        dir.path().join("incremental.c1z"),
        dir.path().join("full.c1z"),
    );
    let label = args.label.clone().unwrap_or_else(|| "W5".into());
    println!("{HEADER}");
    println!("|{}", "---|".repeat(HEADER.matches('|').count() - 1));
    let first = run_with(args, args.parallel_fetches, &emu, &previous, &[]).await?;
    row(
        &format!("{label} previous (full)"),
        args,
        args.parallel_fetches,
        &first,
        None,
        None,
    );
    change(&emu, &previous, *changed, *deleted).await?;
    let from: Vec<OsString> = vec!["--incremental-from".into(), previous.clone().into()];
    let inc: Run = run_with(args, args.parallel_fetches, &emu, &incremental, &from).await?;
    row(
        &format!("{label} incremental"),
        args,
        args.parallel_fetches,
        &inc,
        None,
        None,
    );
    let fresh = run_with(args, args.parallel_fetches, &emu, &full, &[]).await?;
    row(
        &format!("{label} full"),
        args,
        args.parallel_fetches,
        &fresh,
        None,
        None,
    );
    println!();
    println!("incremental: {}", inc.note);
    println!(
        "incremental vs full: {} vs {} requests ({:.2}%), {:.2} s vs {:.2} s wall ({:.1}%), peak RSS {:.0} vs {:.0} MB",
        inc.requests,
        fresh.requests,
        100.0 * inc.requests as f64 / fresh.requests.max(1) as f64,
        inc.wall.as_secs_f64(),
        fresh.wall.as_secs_f64(),
        100.0 * inc.wall.as_secs_f64() / fresh.wall.as_secs_f64(),
        inc.peak_rss_mb,
        fresh.peak_rss_mb,
    );
    let (a, b) = (digest(&incremental)?, digest(&full)?);
    println!(
        "files: {} ({} resources, {} entitlements, {} grants)",
        if a == b { "equal" } else { "DIFFERENT" },
        b.resources,
        b.entitlements,
        b.grants
    );
    if a != b {
        bail!("the incremental sync's file differs from the full sync's: {a:?} vs {b:?}");
    }
    if let Some(keep) = &args.keep {
        std::fs::copy(&incremental, keep)?;
    }
    Ok(())
}
