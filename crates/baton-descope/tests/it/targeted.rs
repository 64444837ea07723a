//! Targeted syncs from the command line: `--sync-resources` (baton's ids or `<type>:<id>`),
//! `--skip-grants` and their usage errors.

use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::TestResult;

use crate::cli::command;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn sync_resources_writes_a_partial_sync_of_the_targets() -> TestResult {
    let dir = tempfile::tempdir()?;
    let full = dir.path().join("full.c1z");
    let out = command()?.args(["--demo", "-f"]).arg(&full).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reader = C1zReader::open(&full)?;
    let resources = reader.resources()?;
    let pick = |t: &str| {
        resources
            .iter()
            .map(|r| r.resource_id())
            .find(|id| id.resource_type == t)
            .map(|id| id.resource)
            .ok_or(format!("a {t} in the demo"))
    };
    let (user, tenant) = (pick("user")?, pick("tenant")?);

    let path = dir.path().join("targeted.c1z");
    let out = command()?
        .args(["--demo", "--sync-resources"])
        .arg(format!("user:{user},bid:r:tenant/{tenant}"))
        .arg("-f")
        .arg(&path)
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reader = C1zReader::open(&path)?;
    assert_eq!(
        reader.selected_sync().map(|s| s.sync_type.as_str()),
        Some("partial")
    );
    let got: Vec<String> = reader
        .resources()?
        .iter()
        .map(|r| r.resource_id())
        .filter(|id| id.resource_type == "user" || id.resource_type == "tenant")
        .map(|id| format!("{}:{}", id.resource_type, id.resource))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    let tenant_grants = reader
        .grants()?
        .iter()
        .filter(|g| g.entitlement_id().starts_with(&format!("tenant:{tenant}:")))
        .count();
    let full_grants = C1zReader::open(&full)?
        .grants()?
        .iter()
        .filter(|g| g.entitlement_id().starts_with(&format!("tenant:{tenant}:")))
        .count();
    assert_eq!(tenant_grants, full_grants);
    assert!(full_grants > 0);

    // A targeted sync never replaces a full sync's file; it does replace its own.
    let out = command()?
        .args(["--demo", "--sync-resources"])
        .arg(format!("user:{user}"))
        .arg("-f")
        .arg(&full)
        .output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another file"), "{stderr}");
    assert_eq!(
        C1zReader::open(&full)?
            .selected_sync()
            .map(|s| s.sync_type.clone()),
        Some("full".into())
    );
    let out = command()?
        .args(["--demo", "--sync-resources"])
        .arg(format!("user:{user}"))
        .arg("-f")
        .arg(&path)
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(C1zReader::open(&path)?.resources()?.len(), 1);

    // Nor the progress of a full sync waiting in the partial file.
    let fresh = dir.path().join("fresh.c1z");
    let mut partial = fresh.clone().into_os_string();
    partial.push(".partial");
    std::fs::copy(&full, &partial)?;
    let out = command()?
        .args(["--demo", "--sync-resources"])
        .arg(format!("user:{user}"))
        .arg("-f")
        .arg(&fresh)
        .output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".partial"), "{stderr}");
    assert!(!fresh.exists() && std::path::Path::new(&partial).exists());

    // --skip-grants: the same targets, no grant.
    let path = dir.path().join("no-grants.c1z");
    let out = command()?
        .args(["--demo", "--skip-grants", "--sync-resources"])
        .arg(format!("tenant:{tenant}"))
        .arg("-f")
        .arg(&path)
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reader = C1zReader::open(&path)?;
    assert!(reader.grants()?.is_empty());
    assert!(!reader.entitlements()?.is_empty());
    Ok(())
}

#[test]
fn targeted_sync_usage_errors_write_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("never.c1z");
    for (args, says) in [
        (vec!["--skip-grants"], "--sync-resources"),
        (vec!["--sync-resources", "user"], "<type>:<id>"),
        (vec!["--sync-resources", "widget:1"], "widget"),
    ] {
        let out = command()?
            .arg("--demo")
            .args(&args)
            .arg("-f")
            .arg(&path)
            .output()?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!path.exists());
    }
    Ok(())
}
