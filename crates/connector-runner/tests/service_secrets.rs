//! Secrets never reach a log line (at trace level, every crate, hyper and h2 included), an
//! error or a file.
//!
//! Its own test binary: a thread-local subscriber sees every event only when no other test
//! runs in the process (tracing caches each call site's interest process-wide).

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use secrecy::ExposeSecret;
use tracing_subscriber::fmt::MakeWriter;

use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, member, start, user,
};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The parts of the secret that must never appear: the whole, its JWK, and the JWK's private
/// `d` value.
fn secret_parts(secret: &str) -> Vec<String> {
    let jwk_b64 = secret.rsplit(':').next().unwrap().to_owned();
    let jwk = String::from_utf8(URL_SAFE_NO_PAD.decode(&jwk_b64).unwrap()).unwrap();
    let d = jwk
        .split("\"d\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(d.len(), 43, "a 32-byte seed in base64url");
    vec![secret.to_owned(), jwk_b64, jwk, d]
}

// One thread, so the thread-local subscriber sees every task the service spawns.
#[tokio::test(flavor = "current_thread")]
async fn no_secret_or_token_in_any_log_line_error_or_file() -> TestResult {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let c1 = FakeConductorOne::start().await?;
    // A short first token, so a refresh is likely during the run, after a token endpoint
    // failure at start-up (retried and logged).
    c1.script_token_lifetimes([11], 3600);
    c1.fail_tokens([503]);
    let temp = tempfile::tempdir()?;
    let (sync, grant) = (tasks::task_id(1), tasks::task_id(2));
    c1.push_task(tasks::sync_full(&sync));
    c1.push_task(tasks::grant(&grant, &member(), &user("u3")));
    let connector = connector_builder()
        .provisioning(true)
        .delay(std::time::Duration::from_millis(300))
        .build();
    let running = start(connector, config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| {
            !r.finished_for(&sync).is_empty() && !r.finished_for(&grant).is_empty()
        })
        .await?;
    running.stop().await?;

    // A failing start too: its error must not hold the secret either.
    c1.refuse_tokens(Some(401));
    let failing = start(connector_builder().build(), config(&c1, temp.path()));
    let err = failing.handle.await?.expect_err("refused");
    let error_texts = [err.to_string(), format!("{err:?}")];

    let logs = String::from_utf8(capture.0.lock().unwrap().clone())?;
    assert!(logs.contains("TRACE"), "trace level was captured");
    assert!(logs.contains("task finished"), "task lines were captured");
    // h2 logged the request headers, with the authorization value masked.
    assert!(logs.contains("h2"), "h2's logs were captured");

    let secret = c1.client_secret();
    let mut forbidden = secret_parts(secret.expose_secret());
    let tokens = c1.issued_tokens();
    assert!(!tokens.is_empty());
    forbidden.extend(tokens.iter().cloned());
    // Files: whatever the service left in its temp dir, and what it uploaded.
    let mut files: Vec<Vec<u8>> = records.uploads().into_iter().map(|u| u.data).collect();
    for entry in std::fs::read_dir(temp.path())? {
        files.push(std::fs::read(entry?.path())?);
    }
    for needle in &forbidden {
        assert!(
            !logs.contains(needle.as_str()),
            "a secret or token appears in the logs"
        );
        for text in &error_texts {
            assert!(
                !text.contains(needle.as_str()),
                "a secret or token appears in an error"
            );
        }
        for f in &files {
            assert!(
                !f.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "a secret or token appears in a file"
            );
        }
    }
    c1.stop().await;
    Ok(())
}
