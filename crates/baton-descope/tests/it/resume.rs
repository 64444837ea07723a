//! The main job killed mid-sync (SIGTERM, then SIGKILL twice) and rerun: the reruns resume the
//! unfinished sync, and the finished file holds exactly what an uninterrupted run writes.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::TestResult;
use descope_emulator::{Dataset, Emulator, GenSpec};
use prost::Message;

/// How a run ends.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// Runs to the end.
    Never,
    /// `kill -TERM` once the sync saved its first checkpoint: a graceful stop.
    Term,
    /// SIGKILL after this long: no chance to clean up.
    Kill(Duration),
    /// SIGKILL as soon as the file holds a checkpoint in this phase.
    KillInPhase(&'static str),
}

/// Runs the main job into `path` against `emu`; returns its exit status and standard error.
async fn run(emu: &Emulator, path: &Path, stop: Stop) -> TestResult<(ExitStatus, String)> {
    let log = path.with_extension(format!("{}.log", rand_suffix()));
    let mut cmd = crate::cli::command()?;
    cmd.arg("-f")
        .arg(path)
        .arg("--no-rate-limit")
        // Small pages, one at a time: long enough a run to be killed in several places.
        .args(["--user-page-size", "20", "--max-parallel-fetches", "1"])
        .env("DESCOPE_PROJECT_ID", emu.project_id())
        .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
        .env("DESCOPE_BASE_URL", emu.base_url())
        .env("BATON_CHECKPOINT_INTERVAL_MS", "100")
        .env("BATON_CHECKPOINT_SAVE_SPACING", "0")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
    let mut child = tokio::process::Command::from(cmd).spawn()?;
    match stop {
        Stop::Never => {}
        Stop::Term => {
            wait_for_checkpoint(&mut child, path, "resources").await?;
            let pid = child.id().ok_or("the child already exited")?.to_string();
            let sent = tokio::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .await?;
            assert!(sent.success(), "kill -TERM {pid}");
        }
        Stop::Kill(after) => {
            tokio::time::sleep(after).await;
            child.start_kill()?;
        }
        Stop::KillInPhase(phase) => {
            wait_for_checkpoint(&mut child, path, phase).await?;
            child.start_kill()?;
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait()).await??;
    let stderr = std::fs::read_to_string(&log)?;
    std::fs::remove_file(&log)?;
    Ok((status, stderr))
}

/// Waits until `path` holds a checkpoint in `phase` (the writer saves one at each checkpoint).
async fn wait_for_checkpoint(
    child: &mut tokio::process::Child,
    path: &Path,
    phase: &str,
) -> TestResult {
    let needle = format!(r#""phase":"{phase}""#);
    loop {
        if child.try_wait()?.is_some() {
            return Err(format!("the run ended before a checkpoint in {phase}").into());
        }
        if let Ok((_, token)) = unfinished(&partial(path))
            && token.contains(&needle)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Where the main job keeps an unfinished sync: `<file>.partial`, renamed over the file once the
/// sync is finished.
fn partial(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    name.into()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// Every object of the file's selected sync, encoded and sorted.
fn objects(path: &Path) -> TestResult<Vec<Vec<u8>>> {
    let r = C1zReader::open(path)?;
    let mut all: Vec<Vec<u8>> = Vec::new();
    all.extend(r.resource_types()?.iter().map(Message::encode_to_vec));
    all.extend(r.resources()?.iter().map(Message::encode_to_vec));
    all.extend(r.entitlements()?.iter().map(Message::encode_to_vec));
    all.extend(r.grants()?.iter().map(Message::encode_to_vec));
    all.sort();
    Ok(all)
}

/// The file holds exactly one sync, unfinished; returns its id and checkpoint.
fn unfinished(path: &Path) -> TestResult<(String, String)> {
    let syncs = C1zReader::open(path)?.syncs()?;
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    assert!(!syncs[0].is_finished());
    Ok((syncs[0].id.clone(), syncs[0].sync_token.clone()))
}

fn temp_files(dir: &Path) -> TestResult<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.contains(".tmp-") {
            names.push(name);
        }
    }
    Ok(names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_to_the_uninterrupted_result() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 6_000,
        ..GenSpec::default()
    });
    let emu = Emulator::builder()
        .dataset(data)
        .latency(Duration::from_millis(5), Duration::ZERO)
        .start()
        .await?;
    let dir = tempfile::tempdir()?;

    let reference = dir.path().join("reference.c1z");
    let started = Instant::now();
    let (status, stderr) = run(&emu, &reference, Stop::Never).await?;
    let full = started.elapsed();
    assert!(status.success(), "{status}\n{stderr}");
    let want = objects(&reference)?;

    let path = dir.path().join("sync.c1z");
    // SIGTERM: a graceful stop saves the unfinished sync and exits 130.
    let (status, stderr) = run(&emu, &path, Stop::Term).await?;
    assert_eq!(status.code(), Some(130), "{stderr}");

    let (id, first_token) = unfinished(&partial(&path))?;
    // The target itself holds only complete results: nothing yet, for a first sync.
    assert!(
        !path.exists(),
        "an unfinished sync never replaces the target"
    );
    assert!(first_token.contains("c1-connector-sdk"), "{first_token}");

    // SIGKILL twice: after a while (listing users), and once the grants are being listed.
    // Only the periodic saves survive.
    let mut token = first_token;
    for stop in [Stop::Kill(full / 3), Stop::KillInPhase("grants")] {
        let (status, stderr) = run(&emu, &path, stop).await?;
        assert_eq!(status.code(), None, "killed by a signal: {stderr}");
        assert!(stderr.contains(&format!("resuming sync {id}")), "{stderr}");
        let (still, now) = unfinished(&partial(&path))?;
        assert_eq!(still, id);
        assert_ne!(now, token, "the killed run saved no progress:\n{stderr}");
        token = now;
    }

    let (status, stderr) = run(&emu, &path, Stop::Never).await?;
    assert!(status.success(), "{status}\n{stderr}");
    assert!(stderr.contains(&format!("resuming sync {id}")), "{stderr}");
    let syncs = C1zReader::open(&path)?.syncs()?;
    assert_eq!(syncs.len(), 1);
    assert_eq!(syncs[0].id, id);
    assert!(syncs[0].is_finished());
    assert!(objects(&path)? == want, "the resumed sync differs");
    assert_eq!(temp_files(dir.path())?, Vec::<String>::new());
    assert!(
        !partial(&path).exists(),
        "the finished partial file was moved into place"
    );

    // The next sync starts afresh beside the complete file, which stays until it is replaced.
    let (status, stderr) = run(&emu, &path, Stop::Term).await?;
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        objects(&path)? == want,
        "an interrupted sync leaves the previous result in place"
    );
    Ok(())
}
