//! The management key never appears in anything the main job prints or writes, even at the
//! most verbose log level, through a sync, a grant, a revoke and several failures.

use std::path::Path;
use std::process::{Command, Output};

use descope_c1::testing::{TestResult, enc};
use descope_emulator::{Dataset, Emulator, GenSpec};

use crate::cli::command;

const KEY: &str = "K2CanaryKey-7f3a9c1e5b2d4f60";
const WRONG_KEY: &str = "K2WrongCanary-88e1d0c4a7b5";

async fn run(mut cmd: Command) -> TestResult<Output> {
    Ok(tokio::task::spawn_blocking(move || cmd.output()).await??)
}

fn assert_clean(label: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for secret in [KEY, WRONG_KEY] {
            assert!(
                !text.contains(secret),
                "{label}: the key appears in {stream}:\n{text}"
            );
        }
    }
}

/// Every file under `dir`, with `.c1z` files decompressed (a compressed secret is still a secret).
fn assert_files_clean(dir: &Path) -> TestResult {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let mut bytes = std::fs::read(&path)?;
        if bytes.starts_with(b"C1ZF\0") {
            bytes = zstd::decode_all(&bytes[5..])?;
        }
        for secret in [KEY, WRONG_KEY] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the key appears in {}",
                path.display()
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_leaks() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 150,
        tenants: 3,
        project_roles: 3,
        tenant_roles: 3,
        seed: 4,
        ..GenSpec::default()
    });
    let emu = Emulator::builder()
        .dataset(data.clone())
        .management_key(KEY)
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sync.c1z");
    let base = |key: &str| -> TestResult<Command> {
        let mut cmd = command()?;
        cmd.arg("--log-level").arg("trace").arg("-f").arg(&file);
        cmd.env("DESCOPE_PROJECT_ID", emu.project_id())
            .env("DESCOPE_MANAGEMENT_KEY", key)
            .env("DESCOPE_BASE_URL", emu.base_url());
        Ok(cmd)
    };

    let out = run(base(KEY)?).await?;
    assert!(
        out.status.success(),
        "sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("sync", &out);

    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .expect("a project role");
    let user = data
        .users
        .iter()
        .find(|u| !u.test && !u.role_names.contains(&role.name))
        .expect("a user");
    let entitlement = format!("role:project/{}:assigned", enc(&role.name));
    let mut grant = base(KEY)?;
    grant.args([
        "--provisioning",
        "--grant-entitlement",
        &entitlement,
        "--grant-principal",
        &enc(&user.user_id),
        "--grant-principal-type",
        "user",
    ]);
    let out = run(grant).await?;
    assert!(
        out.status.success(),
        "grant: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("grant", &out);

    // Re-sync so the new grant is in the file, then revoke it.
    let out = run(base(KEY)?).await?;
    assert!(
        out.status.success(),
        "re-sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("re-sync", &out);
    let grant_id = format!("{entitlement}:user:{}", enc(&user.user_id));
    let mut revoke = base(KEY)?;
    revoke.args(["--provisioning", "--revoke-grant", &grant_id]);
    let out = run(revoke).await?;
    assert!(
        out.status.success(),
        "revoke: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("revoke", &out);

    // Failures: a wrong key, an unknown entitlement, a change without --provisioning, and
    // the key given as a flag with a malformed combined credential.
    let out = run(base(WRONG_KEY)?).await?;
    assert_eq!(
        out.status.code(),
        Some(3),
        "a rejected key exits 3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("wrong key", &out);
    let mut unknown = base(KEY)?;
    unknown.args([
        "--provisioning",
        "--grant-entitlement",
        "role:project/Nope:assigned",
        "--grant-principal",
        "x",
        "--grant-principal-type",
        "user",
    ]);
    let out = run(unknown).await?;
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("unknown entitlement", &out);
    let mut unprovisioned = base(KEY)?;
    unprovisioned.args(["--revoke-grant", &grant_id]);
    let out = run(unprovisioned).await?;
    assert_eq!(out.status.code(), Some(5));
    assert_clean("no provisioning", &out);
    let mut malformed = command()?;
    malformed
        .arg("-f")
        .arg(&file)
        .arg("--log-level")
        .arg("trace")
        .arg("--descope-credentials")
        .arg(KEY);
    let out = run(malformed).await?;
    assert_eq!(out.status.code(), Some(2));
    assert_clean("malformed credential", &out);

    assert_files_clean(dir.path())?;
    Ok(())
}
