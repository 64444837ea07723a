//! The program's command line as a new user meets it (issue: "baton-descope as an installable
//! program"): demo only when asked, baton's flag rules, subcommands, streams and files.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

use descope_c1::testing::TestResult;

use crate::cli::command;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn files_in(dir: &Path) -> TestResult<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    Ok(names)
}

fn demo_sync(dir: &Path) -> TestResult<std::path::PathBuf> {
    let path = dir.join("sync.c1z");
    let out = command()?.args(["--demo", "-f"]).arg(&path).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Ok(path)
}

/// Every one-shot command against the demo keeps the embedded emulator running until it ends
/// (the runner once dropped the program's guard right after connecting, so each command's
/// first request found nothing listening).
#[test]
fn one_shot_commands_reach_the_demo_project() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = demo_sync(dir.path())?;
    let user = "U20E7bsXxWVELus44RKLpeK8c8X5";
    let run = |args: &[&str]| -> TestResult<Output> {
        Ok(command()?
            .args(["--demo", "--provisioning", "-f"])
            .arg(&path)
            .args(args)
            .output()?)
    };
    let out = run(&[
        "--grant-entitlement",
        "role:project/Viewer:assigned",
        "--grant-principal-type",
        "user",
        "--grant-principal",
        user,
    ])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("granted"),
        "{}",
        text(&out.stderr)
    );
    let grant = format!("third_party_app:TPA2DemoPartnerPortal0000000:consent:user:{user}");
    let out = run(&["--revoke-grant", &grant])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("revoked"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--delete-resource", user, "--delete-resource-type", "user"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Ok(())
}

#[test]
fn without_credentials_nothing_runs_unless_demo_is_asked_for() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = command()?.current_dir(dir.path()).output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    for needed in ["DESCOPE_PROJECT_ID", "DESCOPE_MANAGEMENT_KEY", "--demo"] {
        assert!(stderr.contains(needed), "names {needed}: {stderr}");
    }
    assert!(files_in(dir.path())?.is_empty(), "nothing written");

    // No grant or revoke is attempted either.
    let file = demo_sync(dir.path())?;
    let before = std::fs::read(&file)?;
    let grant_id = descope_c1::testing::read(&file)?
        .grants
        .into_iter()
        .find(|g| g.starts_with("tenant:"))
        .ok_or("a tenant grant")?;
    let out = command()?
        .arg("-f")
        .arg(&file)
        .args(["--provisioning", "--revoke-grant", &grant_id])
        .output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--demo"), "{stderr}");
    assert!(!stderr.contains("revoked"), "{stderr}");
    assert_eq!(std::fs::read(&file)?, before);
    Ok(())
}

#[test]
fn log_levels_and_booleans_follow_baton() -> TestResult {
    let dir = tempfile::tempdir()?;
    for bad in [
        vec!["--log-level", "verbose"],
        vec!["--log-level", "INFO2"],
        vec!["--provisioning=yes"],
        vec!["--include-test-users=on"],
    ] {
        let out = command()?.current_dir(dir.path()).args(&bad).output()?;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
    }
    let out = command()?
        .current_dir(dir.path())
        .env("BATON_PROVISIONING", "garbage")
        .output()?;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    // What baton accepts for booleans in the environment: provisioning is then on, and the
    // revoke of an id missing from the file fails with "not found" (4), not "not enabled" (5).
    let file = demo_sync(dir.path())?;
    for on in ["1", "true", "TRUE", "True", "t"] {
        let out = command()?
            .arg("-f")
            .arg(&file)
            .args(["--demo", "--revoke-grant", "tenant:nope:member:user:nobody"])
            .env("BATON_PROVISIONING", on)
            .output()?;
        assert_eq!(out.status.code(), Some(4), "{on}: {}", text(&out.stderr));
    }
    for off in ["0", "false", "FALSE", "f"] {
        let out = command()?
            .arg("-f")
            .arg(&file)
            .args(["--demo", "--revoke-grant", "tenant:nope:member:user:nobody"])
            .env("BATON_PROVISIONING", off)
            .output()?;
        assert_eq!(out.status.code(), Some(5), "{off}: {}", text(&out.stderr));
    }
    assert_eq!(files_in(dir.path())?, ["sync.c1z"]);
    Ok(())
}

#[test]
fn subcommands_describe_the_connector_without_credentials() -> TestResult {
    let out = command()?.arg("capabilities").output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let caps: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let types: Vec<&str> = caps["resourceTypeCapabilities"]
        .as_array()
        .ok_or("resourceTypeCapabilities")?
        .iter()
        .filter_map(|c| c["resourceType"]["id"].as_str())
        .collect();
    for t in ["user", "access_key", "tenant", "role", "permission"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    let of = |id: &str| -> Vec<String> {
        caps["resourceTypeCapabilities"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["resourceType"]["id"] == id)
            .flat_map(|c| c["capabilities"].as_array().cloned().unwrap_or_default())
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect()
    };
    for (id, cap) in [
        ("user", "CAPABILITY_ACCOUNT_PROVISIONING"),
        ("user", "CAPABILITY_RESOURCE_DELETE"),
        ("access_key", "CAPABILITY_RESOURCE_DELETE"),
        ("role", "CAPABILITY_PROVISION"),
        ("tenant", "CAPABILITY_PROVISION"),
        ("user", "CAPABILITY_TARGETED_SYNC"),
        ("access_key", "CAPABILITY_TARGETED_SYNC"),
        ("tenant", "CAPABILITY_TARGETED_SYNC"),
        ("role", "CAPABILITY_TARGETED_SYNC"),
        ("app", "CAPABILITY_TARGETED_SYNC"),
        ("group", "CAPABILITY_TARGETED_SYNC"),
        ("permission", "CAPABILITY_TARGETED_SYNC"),
        ("third_party_app", "CAPABILITY_PROVISION"),
        ("outbound_app", "CAPABILITY_PROVISION"),
    ] {
        assert!(
            of(id).iter().any(|c| c == cap),
            "{id}: {cap} in {:?}",
            of(id)
        );
    }
    let connector_caps = caps["connectorCapabilities"].to_string();
    assert!(
        connector_caps.contains("CAPABILITY_ACTIONS"),
        "{connector_caps}"
    );
    assert!(
        connector_caps.contains("CAPABILITY_TARGETED_SYNC")
            && connector_caps.contains("CAPABILITY_SERVICE_MODE_TARGETED_SYNC"),
        "{connector_caps}"
    );
    assert_eq!(
        caps["credentialDetails"]["capabilityAccountProvisioning"]["preferredCredentialOption"],
        "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"
    );

    // The actions: enable and disable for users and access keys.
    let out = command()?.arg("--list-action-schemas").output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    for action in [
        "enable_user",
        "disable_user",
        "enable_access_key",
        "disable_access_key",
    ] {
        assert!(listed.contains(action), "{action} in {listed}");
    }

    let out = command()?.arg("config").output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let fields = schema["fields"].as_array().ok_or("fields")?;
    let field = |name: &str| fields.iter().find(|f| f["name"] == name);
    let key = field("descope-management-key").ok_or("the key field")?;
    assert_eq!(key["isSecret"], true);
    let page = field("user-page-size").ok_or("the page size field")?;
    assert_eq!(page["intField"]["defaultValue"], "100");
    assert!(field("demo").is_some_and(|f| f["boolField"].is_object()));

    let out = command()?.args(["completion", "bash"]).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("baton-descope"));

    let out = command()?.arg("--version").output()?;
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("baton-descope {}", env!("CARGO_PKG_VERSION"))
    );
    Ok(())
}

#[test]
fn standard_output_carries_only_json_lines() -> TestResult {
    let dir = tempfile::tempdir()?;
    // A .c1z is never written to a file named `-`.
    let out = command()?
        .current_dir(dir.path())
        .args(["--demo", "-f", "-"])
        .output()?;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--output jsonl"));
    assert!(files_in(dir.path())?.is_empty());

    let out = command()?
        .current_dir(dir.path())
        .args(["--demo", "--output", "jsonl", "-f", "-"])
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().count() > 10);
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        assert!(v.is_object(), "{line}");
    }
    assert!(
        text(&out.stderr).contains("grants"),
        "the summary is on stderr"
    );
    assert!(files_in(dir.path())?.is_empty());
    Ok(())
}

#[test]
fn json_lines_go_to_their_own_private_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = command()?
        .current_dir(dir.path())
        .args(["--demo", "--output", "jsonl"])
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(files_in(dir.path())?, ["sync.jsonl"], "never sync.c1z");
    let first = std::fs::read_to_string(dir.path().join("sync.jsonl"))?;
    assert!(first.starts_with('{'));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("sync.jsonl"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    Ok(())
}

#[test]
fn a_closed_standard_output_ends_quietly() -> TestResult {
    let mut child = command()?
        .args(["--demo", "--output", "jsonl", "-f", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("stdout")?;
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first)?;
    // The reader goes away after one line, like `| head -1`.
    let out: Output = child.wait_with_output()?;
    let stderr = text(&out.stderr);
    assert!(first.starts_with('{'), "{first}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    Ok(())
}

#[test]
fn output_path_problems_are_found_first_and_named() -> TestResult {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("no-such-dir").join("sync.c1z");
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (missing, "no-such-dir"),
        (dir.path().to_path_buf(), "is a directory"),
    ];
    for (target, needle) in cases {
        // Credentials that point nowhere: a problem found later would be a connection error.
        let out = command()?
            .arg("-f")
            .arg(&target)
            .env("DESCOPE_PROJECT_ID", "P2abc")
            .env("DESCOPE_MANAGEMENT_KEY", "K2xyz")
            .env("DESCOPE_BASE_URL", "http://127.0.0.1:9")
            .output()?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target:?}: {stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }

    // A directory that cannot be written to.
    let ro = dir.path().join("read-only");
    std::fs::create_dir(&ro)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555))?;
    }
    // Root writes to 0555 directories: use a directory no one can create files in instead.
    let ro = if std::fs::File::create(ro.join("probe")).is_ok() {
        std::path::PathBuf::from("/sys")
    } else {
        ro
    };
    if std::fs::File::create(ro.join("probe")).is_ok() {
        eprintln!("no read-only directory on this machine: case skipped");
        return Ok(());
    }
    let out = command()?
        .arg("-f")
        .arg(ro.join("sync.c1z"))
        .env("DESCOPE_PROJECT_ID", "P2abc")
        .env("DESCOPE_MANAGEMENT_KEY", "K2xyz")
        .env("DESCOPE_BASE_URL", "http://127.0.0.1:9")
        .output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not writable"), "{stderr}");
    assert!(stderr.contains(&ro.display().to_string()), "{stderr}");
    Ok(())
}

#[test]
fn phase_flags_select_what_is_synced() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("some.c1z");
    let out = command()?
        .args(["--demo", "--sync-resource-types", "user,tenant", "-f"])
        .arg(&path)
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let contents = descope_c1::testing::read(&path)?;
    assert_eq!(
        contents.resource_types.iter().collect::<Vec<_>>(),
        ["tenant", "user"]
    );
    assert!(
        contents
            .resources
            .iter()
            .all(|r| r.starts_with("user:") || r.starts_with("tenant:"))
    );
    assert!(contents.grants.iter().all(|g| g.starts_with("tenant:")));
    assert!(!contents.grants.is_empty());

    let out = command()?
        .args(["--demo", "--sync-resource-types", "user,widget", "-f"])
        .arg(dir.path().join("never.c1z"))
        .output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("widget") && stderr.contains("permission"),
        "{stderr}"
    );
    assert!(!dir.path().join("never.c1z").exists());

    let path = dir.path().join("resources.c1z");
    let out = command()?
        .args(["--demo", "--skip-entitlements-and-grants", "-f"])
        .arg(&path)
        .output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let contents = descope_c1::testing::read(&path)?;
    assert!(contents.resources.len() > 10);
    assert!(contents.entitlements.is_empty() && contents.grants.is_empty());
    let syncs = c1_connector_sdk::store::C1zReader::open(&path)?.syncs()?;
    assert_eq!(syncs[0].sync_type, "resources_only");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_file_of_another_project_is_set_aside() -> TestResult {
    use c1_connector_sdk::engine::{SyncOptions, Syncer};
    use c1_connector_sdk::store::C1zWriter;

    let emu = descope_emulator::Emulator::builder().start().await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sync.c1z");
    let partial = dir.path().join("sync.c1z.partial");

    // An unfinished sync of another project in the partial file.
    let connector = descope_c1::testing::connector_for(&emu)?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let stop = cancel.clone();
    let options = SyncOptions::default()
        .with_cancel(cancel)
        .with_source("descope project P2SomeOtherProject at https://api.descope.com")
        .with_progress(move |p| {
            if p.resources > 0 {
                stop.cancel();
            }
        });
    let mut store = C1zWriter::open_or_resume(&partial)?;
    let err = Syncer::new(connector, options)
        .run(&mut store)
        .await
        .unwrap_err();
    assert_eq!(err.code(), c1_connector_sdk::error::Code::Cancelled);
    drop(store);
    assert!(partial.exists());

    let out = crate::cli::command()?
        .arg("-f")
        .arg(&file)
        .env("DESCOPE_PROJECT_ID", emu.project_id())
        .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
        .env("DESCOPE_BASE_URL", emu.base_url())
        .output()?;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("was not resumed"),
        "one line says so: {stderr}"
    );
    assert!(stderr.contains("P2SomeOtherProject"), "{stderr}");
    assert_eq!(
        files_in(dir.path())?,
        ["sync.c1z", "sync.c1z.partial.set-aside-1"]
    );
    assert!(!descope_c1::testing::read(&file)?.grants.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scratch_directories_go_to_the_temp_dir_and_are_removed() -> TestResult {
    let emu = descope_emulator::Emulator::builder().start().await?;
    let dir = tempfile::tempdir()?;
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch)?;
    let run = |key: &str, file: &str| -> TestResult<Output> {
        Ok(command()?
            .arg("-f")
            .arg(dir.path().join(file))
            .arg("--c1z-temp-dir")
            .arg(&scratch)
            .env("DESCOPE_PROJECT_ID", emu.project_id())
            .env("DESCOPE_MANAGEMENT_KEY", key)
            .env("DESCOPE_BASE_URL", emu.base_url())
            .output()?)
    };
    // A finished sync, then a failed one (the key refused): nothing left either way.
    let out = run(emu.management_key(), "ok.c1z")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(files_in(&scratch)?.is_empty());
    let out = run("K2WrongKey", "refused.c1z")?;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(files_in(&scratch)?.is_empty());
    assert!(!dir.path().join("refused.c1z").exists());

    // A temp dir that does not exist is a usage error found before anything runs.
    let out = command()?
        .args(["--demo", "--c1z-temp-dir"])
        .arg(dir.path().join("missing"))
        .arg("-f")
        .arg(dir.path().join("never.c1z"))
        .output()?;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--c1z-temp-dir"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_credential_form_the_library_reads_the_program_reads() -> TestResult {
    let emu = descope_emulator::Emulator::builder().start().await?;
    let dir = tempfile::tempdir()?;
    let combined = format!("{}:{}", emu.project_id(), emu.management_key());
    let forms: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("DESCOPE_PROJECT_ID", emu.project_id()),
            ("DESCOPE_MANAGEMENT_KEY", emu.management_key()),
        ],
        // The combined form in DESCOPE_MANAGEMENT_KEY, as `Client::from_env` reads it.
        vec![("DESCOPE_MANAGEMENT_KEY", &combined)],
        vec![("BATON_DESCOPE_CREDENTIALS", &combined)],
        vec![
            ("BATON_DESCOPE_PROJECT_ID", emu.project_id()),
            ("BATON_DESCOPE_MANAGEMENT_KEY", emu.management_key()),
        ],
    ];
    for (i, env) in forms.iter().enumerate() {
        let file = dir.path().join(format!("form-{i}.c1z"));
        let out = command()?
            .arg("-f")
            .arg(&file)
            .env("DESCOPE_BASE_URL", emu.base_url())
            .envs(env.iter().copied())
            .output()?;
        assert!(out.status.success(), "{env:?}: {}", text(&out.stderr));
    }
    // And the same mistakes are refused the same way (exit 2, the key never shown).
    for env in [
        vec![
            ("DESCOPE_PROJECT_ID", "P2Other"),
            ("DESCOPE_MANAGEMENT_KEY", combined.as_str()),
        ],
        vec![("DESCOPE_MANAGEMENT_KEY", "P2abc:K2x:y")],
    ] {
        let out = command()?
            .arg("-f")
            .arg(dir.path().join("never.c1z"))
            .envs(env.iter().copied())
            .output()?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {stderr}");
        assert!(!stderr.contains(emu.management_key()), "{stderr}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_rank_before_the_sdk_variables_and_empty_values_are_unset() -> TestResult {
    let emu = descope_emulator::Emulator::builder().start().await?;
    let dir = tempfile::tempdir()?;
    let nowhere = "http://127.0.0.1:9";
    type Case<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case<'_>> = vec![
        // The flag's base URL wins over DESCOPE_BASE_URL; BATON_* wins over DESCOPE_*.
        (
            "flag before variable",
            vec!["--descope-base-url", emu.base_url()],
            vec![
                ("DESCOPE_BASE_URL", nowhere),
                ("BATON_DESCOPE_PROJECT_ID", emu.project_id()),
                ("DESCOPE_PROJECT_ID", "P2NotThisOne"),
                ("DESCOPE_MANAGEMENT_KEY", emu.management_key()),
            ],
        ),
        // DESCOPE_BASE_URI when DESCOPE_BASE_URL is not set.
        (
            "DESCOPE_BASE_URI",
            vec![],
            vec![
                ("DESCOPE_BASE_URI", emu.base_url()),
                ("DESCOPE_PROJECT_ID", emu.project_id()),
                ("DESCOPE_MANAGEMENT_KEY", emu.management_key()),
            ],
        ),
        // An empty BATON_* value is unset: the SDK variable behind it is read.
        (
            "empty BATON_*",
            vec![],
            vec![
                ("BATON_DESCOPE_PROJECT_ID", ""),
                ("BATON_DESCOPE_BASE_URL", " "),
                ("DESCOPE_BASE_URL", emu.base_url()),
                ("DESCOPE_PROJECT_ID", emu.project_id()),
                ("DESCOPE_MANAGEMENT_KEY", emu.management_key()),
            ],
        ),
    ];
    for (i, (label, flags, env)) in cases.into_iter().enumerate() {
        let out = command()?
            .arg("-f")
            .arg(dir.path().join(format!("case-{i}.c1z")))
            .args(flags)
            .envs(env)
            .output()?;
        assert!(out.status.success(), "{label}: {}", text(&out.stderr));
    }
    Ok(())
}
