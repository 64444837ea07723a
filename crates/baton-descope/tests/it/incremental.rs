//! `--incremental-from` on the command line: a sync from the previous file (which may be the
//! output file itself) equals a full one and says it was incremental; bad input is a usage
//! error that writes nothing.

use descope_c1::testing::{Snapshot, TestResult};

use crate::cli::command;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn an_incremental_sync_from_the_output_file_itself_equals_the_full_sync() -> TestResult {
    let dir = tempfile::tempdir()?;
    let full = dir.path().join("full.c1z");
    let out = command()?.args(["--demo", "-f"]).arg(&full).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = Snapshot::read(&full)?;

    // The usual schedule: the same file, read as the previous sync and replaced.
    let path = dir.path().join("sync.c1z");
    std::fs::copy(&full, &path)?;
    let out = command()?
        .args(["--demo", "-f"])
        .arg(&path)
        .arg("--incremental-from")
        .arg(&path)
        .output()?;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("incremental: 0 users changed, 0 deleted"),
        "{stderr}"
    );
    Snapshot::read(&path)?.assert_same(&before, "incremental from itself vs full");

    // With an option whose data change without the users, a full sync that says why.
    let out = command()?
        .args(["--demo", "--sync-last-login", "-f"])
        .arg(&path)
        .arg("--incremental-from")
        .arg(&full)
        .output()?;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("full: --sync-last-login"), "{stderr}");
    Ok(())
}

#[test]
fn incremental_usage_errors_write_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("never.c1z");
    let not_c1z = dir.path().join("notes.txt");
    std::fs::write(&not_c1z, "not a sync")?;
    let missing = dir.path().join("missing.c1z");
    for (args, says) in [
        (
            vec!["--incremental-from".into(), missing.display().to_string()],
            "no such file",
        ),
        (
            vec!["--incremental-from".into(), not_c1z.display().to_string()],
            "--incremental-from",
        ),
        (
            vec![
                "--incremental-from".into(),
                not_c1z.display().to_string(),
                "--sync-resources".into(),
                "user:U1".into(),
            ],
            "targeted sync",
        ),
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
