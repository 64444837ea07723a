//! The incident actions through the program's one-shot flags (`--list-action-schemas`,
//! `--invoke-action`), and `--sync-outbound-connections` with its `BATON_` variable. (The
//! same actions through the SDK and service mode: the library-level `tests/it/incident.rs`.)

use descope_c1::testing::{TestResult, read};
use descope_emulator::{Dataset, Emulator};
use serde_json::json;

use crate::cli::command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_lists_and_runs_the_incident_actions() -> TestResult {
    let data = Dataset::demo();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sync.c1z");
    let run = |args: &[&str], env: &[(&str, &str)]| -> TestResult<(bool, String, String)> {
        let out = command()?
            .arg("-f")
            .arg(&file)
            .env("DESCOPE_BASE_URL", emu.base_url())
            .env("DESCOPE_PROJECT_ID", emu.project_id())
            .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
            .envs(env.iter().copied())
            .args(args)
            .output()?;
        Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };

    let (ok, stdout, stderr) = run(&["--list-action-schemas"], &[])?;
    assert!(ok, "{stderr}");
    for name in ["sign_out_user", "reset_user_mfa", "update_user_profile"] {
        assert!(stdout.contains(name), "{name} listed: {stdout}");
    }

    let target = data
        .users
        .iter()
        .find(|u| !u.test && (u.totp || u.webauthn))
        .ok_or("a user with a second factor")?;
    let id = &target.user_id;
    let user_arg = json!({"resource_type_id": "user", "resource_id": id});
    for (name, args) in [
        ("sign_out_user", json!({"resource_id": user_arg})),
        ("reset_user_mfa", json!({"resource_id": user_arg})),
        (
            "update_user_profile",
            json!({"resource_id": user_arg, "display_name": "Contained User"}),
        ),
    ] {
        let args = args.to_string();
        let (ok, _, stderr) = run(
            &[
                "--provisioning",
                "--invoke-action",
                name,
                "--invoke-action-resource-type",
                "user",
                "--invoke-action-args",
                &args,
            ],
            &[],
        )?;
        assert!(ok, "{name}: {stderr}");
    }
    let now = emu.dataset();
    let user = now
        .users
        .iter()
        .find(|u| &u.user_id == id)
        .ok_or("still there")?;
    assert!(!user.totp && !user.webauthn);
    assert_eq!(user.name, "Contained User");
    assert!(emu.logouts().iter().any(|l| &l.user_id == id));

    // An unknown field is refused with a non-zero exit and nothing changed.
    let args = json!({"resource_id": user_arg, "nickname": "x"}).to_string();
    let (ok, _, stderr) = run(
        &[
            "--provisioning",
            "--invoke-action",
            "update_user_profile",
            "--invoke-action-resource-type",
            "user",
            "--invoke-action-args",
            &args,
        ],
        &[],
    )?;
    assert!(!ok && stderr.contains("nickname"), "{stderr}");

    // --sync-outbound-connections, and its variable, sync the connections.
    let (ok, _, stderr) = run(&[], &[])?;
    assert!(ok, "{stderr}");
    assert!(
        !read(&file)?
            .grants
            .iter()
            .any(|g| g.starts_with("outbound_app:"))
    );
    let (ok, _, stderr) = run(&["--sync-outbound-connections"], &[])?;
    assert!(ok, "{stderr}");
    assert!(
        read(&file)?
            .grants
            .iter()
            .any(|g| g.starts_with("outbound_app:"))
    );
    let (ok, _, stderr) = run(&[], &[("BATON_SYNC_OUTBOUND_CONNECTIONS", "true")])?;
    assert!(ok, "{stderr}");
    assert!(
        read(&file)?
            .grants
            .iter()
            .any(|g| g.starts_with("outbound_app:"))
    );
    Ok(())
}

/// `--rotate-credentials` rotates an access key's secret under the same id and discards the
/// new secret unread (baton's one-shot behaviour); never printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_rotates_an_access_key_and_discards_the_secret() -> TestResult {
    let mut data = Dataset::demo();
    data.access_keys.clear();
    let emu = Emulator::builder().dataset(data).start().await?;
    let client = descope_c1::testing::client_for(&emu)?;
    let created = client
        .access_keys()
        .create(&descope_mgmt::CreateAccessKeyRequest::new("ci"))
        .await?;
    let id = created.key.id.clone();
    let hash = |emu: &Emulator| {
        emu.dataset()
            .access_keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.secret_hash.clone())
    };
    let before = hash(&emu).ok_or("the key")?;
    let dir = tempfile::tempdir()?;
    let out = command()?
        .arg("-f")
        .arg(dir.path().join("sync.c1z"))
        .env("DESCOPE_BASE_URL", emu.base_url())
        .env("DESCOPE_PROJECT_ID", emu.project_id())
        .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
        .args([
            "--provisioning",
            "--rotate-credentials",
            &id,
            "--rotate-credentials-type",
            "access_key",
            "--log-level",
            "debug",
        ])
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("discarded unread"), "{stderr}");
    let after = hash(&emu).ok_or("the same key id")?;
    assert_ne!(after, before, "a new secret");
    assert_eq!(
        emu.dataset().access_keys.len(),
        1,
        "rotated, not re-created"
    );
    Ok(())
}
