//! Account lifecycle through the program's one-shot flags: create a user, disable it, delete
//! it. (The same through the SDK's request handlers, for users and access keys, is the
//! library-level tests' `tests/it/lifecycle.rs`.)

use descope_c1::testing::{TestResult, enc, lifecycle_project};
use descope_emulator::Emulator;
use serde_json::json;

use crate::cli::command;

/// The same lifecycle through the program's one-shot flags.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_creates_disables_and_deletes_users() -> TestResult {
    let emu = Emulator::builder()
        .dataset(lifecycle_project())
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sync.c1z");
    let run = |args: &[&str]| -> TestResult<(bool, String, String)> {
        let out = command()?
            .arg("-f")
            .arg(&file)
            .env("DESCOPE_BASE_URL", emu.base_url())
            .env("DESCOPE_PROJECT_ID", emu.project_id())
            .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
            .args(args)
            .output()?;
        Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };

    // Without --provisioning nothing is created.
    let (ok, _, stderr) = run(&["--create-account-email", "cy@acme.io"])?;
    assert!(!ok, "{stderr}");
    assert!(!emu.dataset().users.iter().any(|u| u.email == "cy@acme.io"));

    let (ok, stdout, stderr) = run(&["--provisioning", "--create-account-email", "cy@acme.io"])?;
    assert!(ok, "{stderr}");
    let user = emu
        .dataset()
        .users
        .into_iter()
        .find(|u| u.email == "cy@acme.io")
        .ok_or("created")?;
    let id = enc(&user.user_id);
    assert!(
        format!("{stdout}{stderr}").contains(&id),
        "names the new user: {stdout}{stderr}"
    );

    let args = json!({"resource_id": {"resource_type_id": "user", "resource_id": id}}).to_string();
    let (ok, _, stderr) = run(&[
        "--provisioning",
        "--invoke-action",
        "disable_user",
        "--invoke-action-resource-type",
        "user",
        "--invoke-action-args",
        &args,
    ])?;
    assert!(ok, "{stderr}");
    let now = emu
        .dataset()
        .users
        .into_iter()
        .find(|u| u.user_id == user.user_id)
        .ok_or("still there")?;
    assert_eq!(now.status, descope_emulator::UserStatus::Disabled);

    let (ok, _, stderr) = run(&[
        "--provisioning",
        "--delete-resource",
        &id,
        "--delete-resource-type",
        "user",
    ])?;
    assert!(ok, "{stderr}");
    assert!(
        !emu.dataset()
            .users
            .iter()
            .any(|u| u.user_id == user.user_id)
    );
    Ok(())
}
