//! `baton-descope --client-id ... --client-secret ...` against a fake ConductorOne (the runner's
//! `FakeConductorOne`: token endpoint and BatonService over TLS with a throwaway CA) and the
//! Descope emulator: a full sync is uploaded and readable, a grant and a revoke reach the
//! emulator's state, a Hello task is answered, SIGTERM ends the service with exit code 0, and no
//! secret appears in the output at trace level. A token endpoint failing at start-up is waited
//! for; refused credentials end the program at once.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_sdk::model::Grant;
use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::{TestResult, enc};
use descope_emulator::{Dataset, Emulator};
use secrecy::ExposeSecret;

const WAIT: Duration = Duration::from_secs(60);

/// `baton-descope --provisioning --log-level trace` in service mode against `c1` and `emu`,
/// its stderr in `log`.
fn spawn(
    c1: &FakeConductorOne,
    emu: &Emulator,
    dir: &Path,
    log: &Path,
) -> TestResult<tokio::process::Child> {
    let mut cmd = crate::cli::command()?;
    cmd.args(["--provisioning", "--log-level", "trace"])
        .arg("--c1z-temp-dir")
        .arg(dir)
        .env("BATON_CLIENT_ID", c1.client_id())
        .env("BATON_CLIENT_SECRET", c1.client_secret().expose_secret())
        .env("BATON_C1_API_HOST", c1.api_host())
        .env(
            "BATON_HOST_ID",
            c1_connector_runner::service::testing::HOST_ID,
        )
        .env("SSL_CERT_FILE", c1.ca_file())
        .env("DESCOPE_PROJECT_ID", emu.project_id())
        .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
        .env("DESCOPE_BASE_URL", emu.base_url())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log)?);
    Ok(tokio::process::Command::from(cmd).spawn()?)
}

async fn sigterm(child: &tokio::process::Child) -> TestResult {
    let pid = child.id().ok_or("the service already exited")?.to_string();
    let sent = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await?;
    assert!(sent.success());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_serves_conductorone_tasks() -> TestResult {
    let data = Dataset::demo();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let c1 = FakeConductorOne::start().await?;
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("service.log");

    let mut child = spawn(&c1, &emu, dir.path(), &log)?;

    // A full sync: uploaded, checksummed, readable, with the project's users.
    let sync_id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&sync_id));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&sync_id).is_empty())
        .await?;
    let finish = &records.finished_for(&sync_id)[0];
    assert!(
        matches!(finish.final_state, Some(FinalState::Success(_))),
        "{finish:?}"
    );
    let upload = records
        .uploads()
        .into_iter()
        .find(|u| u.task_id == sync_id && u.complete)
        .ok_or("a complete upload")?;
    let file = dir.path().join("uploaded.c1z");
    std::fs::write(&file, &upload.data)?;
    let reader = C1zReader::open(&file)?;
    let users = reader
        .resources()?
        .into_iter()
        .filter(|r| r.resource_id().resource_type == "user")
        .count();
    assert_eq!(users, data.users.iter().filter(|u| !u.test).count());

    // A grant of a project role the user lacks, then its revoke, both in Descope.
    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .ok_or("a project role")?;
    let user = data
        .users
        .iter()
        .find(|u| !u.test && !u.role_names.contains(&role.name))
        .ok_or("a user without the role")?;
    let entitlement = reader
        .get_entitlement(&format!("role:project/{}:assigned", enc(&role.name)))?
        .ok_or("the role's entitlement")?;
    let principal = reader
        .get_resource("user", &enc(&user.user_id))?
        .ok_or("the user")?;
    let holds = |emu: &Emulator| {
        emu.dataset()
            .users
            .iter()
            .any(|u| u.user_id == user.user_id && u.role_names.contains(&role.name))
    };

    let grant_id = tasks::task_id(2);
    c1.push_task(tasks::grant(&grant_id, &entitlement, &principal));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&grant_id).is_empty())
        .await?;
    assert!(
        matches!(
            records.finished_for(&grant_id)[0].final_state,
            Some(FinalState::Success(_))
        ),
        "{:?}",
        records.finished_for(&grant_id)
    );
    assert!(holds(&emu), "the grant reached Descope");

    let revoke_id = tasks::task_id(3);
    c1.push_task(tasks::revoke(
        &revoke_id,
        &Grant::new(&entitlement, &principal),
    ));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&revoke_id).is_empty())
        .await?;
    assert!(
        matches!(
            records.finished_for(&revoke_id)[0].final_state,
            Some(FinalState::Success(_))
        ),
        "{:?}",
        records.finished_for(&revoke_id)
    );
    assert!(!holds(&emu), "the revoke reached Descope");

    // A Hello task is answered by a Hello carrying its id.
    let hello_id = tasks::task_id(4);
    c1.push_task(tasks::hello(&hello_id));
    c1.wait_until(WAIT, |r| r.hellos().iter().any(|h| h.task_id == hello_id))
        .await?;

    // SIGTERM: the service stops and exits 0.
    sigterm(&child).await?;
    let status = tokio::time::timeout(WAIT, child.wait()).await??;
    let stderr = std::fs::read_to_string(&log)?;
    assert!(status.success(), "{status:?}\n{stderr}");

    // No secret in the trace-level output, and no temporary file left behind.
    let secret = c1.client_secret();
    let mut secrets = vec![
        secret.expose_secret().to_owned(),
        emu.management_key().to_owned(),
    ];
    secrets.extend(c1.issued_tokens());
    for s in &secrets {
        assert!(!stderr.contains(s.as_str()), "a secret leaked into the log");
    }
    let mut left: Vec<String> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    left.sort();
    assert_eq!(left, ["service.log", "uploaded.c1z"]);
    c1.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_answering_503_at_start_up_is_retried_not_fatal() -> TestResult {
    let emu = Emulator::builder().dataset(Dataset::demo()).start().await?;
    let c1 = FakeConductorOne::start().await?;
    c1.fail_tokens([503, 503]);
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("service.log");
    let mut child = spawn(&c1, &emu, dir.path(), &log)?;

    let sync_id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&sync_id));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&sync_id).is_empty())
        .await?;
    assert!(
        matches!(
            records.finished_for(&sync_id)[0].final_state,
            Some(FinalState::Success(_))
        ),
        "{:?}",
        records.finished_for(&sync_id)
    );
    sigterm(&child).await?;
    let status = tokio::time::timeout(WAIT, child.wait()).await??;
    let stderr = std::fs::read_to_string(&log)?;
    assert!(status.success(), "{status:?}\n{stderr}");
    // Each wait is logged with its attempt, its delay and the cause.
    let retries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("startup Hello failed; retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{stderr}");
    for (i, line) in retries.iter().enumerate() {
        assert!(line.contains(" WARN "), "{line}");
        assert!(line.contains(&format!("attempt={}", i + 1)), "{line}");
        assert!(line.contains("wait="), "{line}");
        assert!(
            line.contains("failed to get token: 503 Service Unavailable"),
            "{line}"
        );
    }
    assert!(!stderr.contains(c1.client_secret().expose_secret()));
    c1.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_end_the_program_at_once() -> TestResult {
    let emu = Emulator::builder().dataset(Dataset::demo()).start().await?;
    let c1 = FakeConductorOne::start().await?;
    c1.refuse_tokens(Some(401));
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("service.log");
    let mut child = spawn(&c1, &emu, dir.path(), &log)?;
    let status = tokio::time::timeout(WAIT, child.wait()).await??;
    let stderr = std::fs::read_to_string(&log)?;
    // 3: the credentials were refused (the exit code table of docs/OPERATIONS.md).
    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(
            "error: runner: startup Hello failed: Unauthenticated: failed to get token: 401 Unauthorized"
        ),
        "{stderr}"
    );
    assert_eq!(c1.records().hellos().len(), 0);
    c1.stop().await;
    Ok(())
}
