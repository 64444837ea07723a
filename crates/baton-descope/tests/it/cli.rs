//! The `baton-descope` binary as a user runs it: the demo, bad configuration, provisioning
//! guards and ids missing from the file.

use std::process::Command;

use descope_c1::testing::{TestResult, read};

pub(crate) fn command() -> TestResult<Command> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton-descope"));
    for (key, _) in std::env::vars() {
        if key.starts_with("DESCOPE_") || key.starts_with("BATON_") {
            cmd.env_remove(key);
        }
    }
    Ok(cmd)
}

#[test]
fn demo_run_writes_a_readable_c1z() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.c1z");
    let out = command()?.arg("--demo").arg("-f").arg(&path).output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    assert!(
        stderr.contains("embedded Descope emulator"),
        "says it used the emulator: {stderr}"
    );
    assert!(
        stderr.contains("grants"),
        "prints a summary on standard error: {stderr}"
    );
    assert!(
        stdout.is_empty(),
        "a .c1z sync writes nothing to standard output: {stdout}"
    );
    let metadata = c1_connector_sdk::store::C1zReader::open(&path)?
        .connector_metadata()?
        .ok_or("the connector's metadata is in the file")?;
    assert!(metadata.display_name.contains("demo"), "{metadata:?}");
    assert!(
        metadata.description.starts_with("DEMO DATA"),
        "{metadata:?}"
    );
    let contents = read(&path)?;
    assert_eq!(contents.resource_types.len(), 9);
    assert!(
        contents
            .resources
            .iter()
            .any(|r| r.starts_with("access_key:"))
    );
    assert!(contents.resources.iter().any(|r| r.starts_with("user:")));
    assert!(!contents.grants.is_empty());
    // Nothing but the target is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    assert_eq!(names, vec![std::ffi::OsString::from("demo.c1z")]);
    Ok(())
}

#[test]
fn bad_configuration_exits_2_and_writes_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("never.c1z");
    let cases: [&[(&str, &str)]; 4] = [
        &[("DESCOPE_PROJECT_ID", "P2abc")],
        &[("BATON_DESCOPE_CREDENTIALS", "no-colon-here")],
        &[
            ("DESCOPE_PROJECT_ID", "not/a-project"),
            ("DESCOPE_MANAGEMENT_KEY", "K2xyz"),
        ],
        &[
            ("DESCOPE_PROJECT_ID", "P2abc"),
            ("DESCOPE_MANAGEMENT_KEY", "K2xyz"),
            ("DESCOPE_BASE_URL", "http://example.com"),
        ],
    ];
    for env in cases {
        let mut cmd = command()?;
        cmd.arg("-f").arg(&path).envs(env.iter().copied());
        let out = cmd.output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(!stderr.contains("K2xyz"), "the key never shows: {stderr}");
        assert!(!path.exists());
    }
    Ok(())
}

#[test]
fn changes_need_provisioning_enabled() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let out = command()?
        .arg("-f")
        .arg(&path)
        .arg("--revoke-grant")
        .arg("tenant:x:member:user:y")
        .output()?;
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--provisioning"));
    Ok(())
}

#[test]
fn ids_missing_from_the_file_exit_4_and_change_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.c1z");
    let out = command()?.arg("--demo").arg("-f").arg(&path).output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = std::fs::read(&path)?;
    let entitlement = read(&path)?
        .entitlements
        .into_iter()
        .find(|e| e.starts_with("tenant:"))
        .ok_or("a tenant entitlement")?;
    let attempts: [&[&str]; 3] = [
        // A principal that is not in the file.
        &[
            "--grant-entitlement",
            &entitlement,
            "--grant-principal",
            "U2NoSuchUser",
            "--grant-principal-type",
            "user",
        ],
        // An entitlement that is not in the file.
        &[
            "--grant-entitlement",
            "tenant:nope:member",
            "--grant-principal",
            "U2NoSuchUser",
            "--grant-principal-type",
            "user",
        ],
        // A grant that is not in the file.
        &["--revoke-grant", "tenant:nope:member:user:U2NoSuchUser"],
    ];
    for args in attempts {
        let out = command()?
            .arg("-f")
            .arg(&path)
            .arg("--demo")
            .arg("--provisioning")
            .args(args)
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {stderr}");
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("error: ") && l.contains("sync again")),
            "one error line that says what to do: {stderr}"
        );
    }
    assert_eq!(std::fs::read(&path)?, before, "the file is unchanged");
    Ok(())
}
