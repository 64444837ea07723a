//! The program against servers that are not Descope (a wrong base URL, a proxy, a file server)
//! and against no server at all: a change is never reported that Descope did not confirm, and
//! the message names the base URL and the variable that set it, without blaming the credentials.

use std::time::{Duration, Instant};

use descope_c1::testing::TestResult;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::cli::command;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Answers every request the same way.
async fn server(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

fn answers() -> Vec<(&'static str, ResponseTemplate)> {
    vec![
        (
            "404 with an HTML page",
            ResponseTemplate::new(404)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body><h1>Not Found</h1></body></html>"),
        ),
        ("404 with an empty body", ResponseTemplate::new(404)),
        (
            "200 with an HTML page",
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<!doctype html><html><body>Welcome</body></html>"),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_against_a_server_that_is_not_descope_fail_and_name_the_url() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sync.c1z");
    let out = command()?.args(["--demo", "-f"]).arg(&file).output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let contents = descope_c1::testing::read(&file)?;
    let grant = contents
        .grants
        .iter()
        .find(|g| g.starts_with("role:project/"))
        .ok_or("a project role grant")?
        .clone();
    let (entitlement, principal) = grant.split_once(":user:").ok_or("a grant to a user")?;

    for (what, answer) in answers() {
        let server = server(answer).await;
        let changes: [Vec<&str>; 2] = [
            vec!["--revoke-grant", &grant],
            vec![
                "--grant-entitlement",
                entitlement,
                "--grant-principal",
                principal,
                "--grant-principal-type",
                "user",
            ],
        ];
        for change in changes {
            let out = command()?
                .arg("-f")
                .arg(&file)
                .arg("--provisioning")
                .args(&change)
                .env("DESCOPE_PROJECT_ID", "P2abc")
                .env("DESCOPE_MANAGEMENT_KEY", "K2secret")
                .env("DESCOPE_BASE_URL", server.uri())
                .output()?;
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{what} {change:?}: {stderr}");
            for claim in ["revoked", "granted", "already", "nothing changed"] {
                assert!(
                    !stderr.to_lowercase().contains(&format!("{claim} '"))
                        && !stderr.contains("nothing changed"),
                    "{what}: claims {claim}: {stderr}"
                );
            }
            assert!(
                stderr.contains(&server.uri()),
                "{what}: names the base URL: {stderr}"
            );
            assert!(!stderr.contains("K2secret"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_against_a_server_that_is_not_descope_fails_without_blaming_the_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (what, answer) in answers() {
        let server = server(answer).await;
        let file = dir.path().join("never.c1z");
        let out = command()?
            .arg("-f")
            .arg(&file)
            .env("DESCOPE_PROJECT_ID", "P2abc")
            .env("DESCOPE_MANAGEMENT_KEY", "K2secret")
            .env("DESCOPE_BASE_URL", server.uri())
            .output()?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains(&server.uri()), "{what}: {stderr}");
        assert!(stderr.contains("DESCOPE_BASE_URL"), "{what}: {stderr}");
        assert!(
            !stderr.contains("rejected the management key"),
            "{what}: {stderr}"
        );
        assert!(!file.exists());
    }
    Ok(())
}

#[test]
fn an_unreachable_base_url_fails_quickly_and_names_it() -> TestResult {
    // Nothing listens on port 9 of the loopback interface.
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let out = command()?
        .arg("-f")
        .arg(dir.path().join("never.c1z"))
        .env("DESCOPE_PROJECT_ID", "P2abc")
        .env("DESCOPE_MANAGEMENT_KEY", "K2secret")
        .env("DESCOPE_BASE_URL", "http://127.0.0.1:9")
        .output()?;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("http://127.0.0.1:9"), "{stderr}");
    assert!(stderr.contains("DESCOPE_BASE_URL"), "{stderr}");
    assert!(!stderr.contains("rejected the management key"), "{stderr}");
    // The client's connect budget bounds the whole attempt (no engine retries on top): a
    // generous guard against the retry loops that took over a minute.
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}
