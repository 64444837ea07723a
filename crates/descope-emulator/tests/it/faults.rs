//! Fault injection and latency.

use std::time::Duration;

use descope_emulator::{Emulator, Faults};
use serde_json::json;

use crate::common::{Api, TestResult};

#[tokio::test]
async fn server_errors_are_500_or_503_with_descope_bodies() -> TestResult {
    let f = Faults {
        server_error: 1.0,
        ..Faults::default()
    };
    let api = Api::start(Emulator::builder().faults(f).seed(3)).await;
    let mut seen = Vec::new();
    for _ in 0..20 {
        let (status, v) = api.get("/v1/mgmt/tenant/all").await;
        assert!(status == 500 || status == 503, "{status}");
        assert!(v["errorCode"].as_str().is_some());
        seen.push(status);
    }
    assert!(seen.contains(&500) && seen.contains(&503));
    assert_eq!(api.emu.counters().faults, 20);
    Ok(())
}

#[tokio::test]
async fn injected_rate_limits_carry_retry_after() -> TestResult {
    let f = Faults {
        rate_limit: 1.0,
        ..Faults::default()
    };
    let api = Api::start(Emulator::builder().faults(f)).await;
    let resp = api
        .http
        .get(api.url("/v1/mgmt/role/all"))
        .header("Authorization", &api.auth)
        .send()
        .await?;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    let c = api.emu.counters();
    assert_eq!((c.rate_limited, c.faults), (1, 1));
    Ok(())
}

#[tokio::test]
async fn dropped_connections_give_no_response() -> TestResult {
    let f = Faults {
        drop_connection: 1.0,
        ..Faults::default()
    };
    let api = Api::start(Emulator::builder().faults(f)).await;
    let result = api
        .http
        .post(api.url("/v2/mgmt/user/search"))
        .header("Authorization", &api.auth)
        .json(&json!({}))
        .send()
        .await;
    // Either no response at all, or (if the head slipped out) a body that fails.
    match result {
        Err(_) => {}
        Ok(resp) => assert!(resp.bytes().await.is_err()),
    }
    Ok(())
}

#[tokio::test]
async fn truncated_bodies_are_half_of_valid_json() -> TestResult {
    let plain = Api::demo().await;
    let full = plain
        .http
        .get(plain.url("/v1/mgmt/role/all"))
        .header("Authorization", &plain.auth)
        .send()
        .await?
        .bytes()
        .await?;
    let f = Faults {
        truncate_body: 1.0,
        ..Faults::default()
    };
    let api = Api::start(Emulator::builder().faults(f)).await;
    let resp = api
        .http
        .get(api.url("/v1/mgmt/role/all"))
        .header("Authorization", &api.auth)
        .send()
        .await?;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let cut = resp.bytes().await?;
    assert_eq!(cut.len(), full.len() / 2);
    assert_eq!(&full[..cut.len()], &cut[..]);
    assert!(serde_json::from_slice::<serde_json::Value>(&cut).is_err());
    Ok(())
}

#[tokio::test]
async fn faults_are_deterministic_given_a_seed() -> TestResult {
    let f = Faults {
        server_error: 0.3,
        rate_limit: 0.2,
        ..Faults::default()
    };
    let mut runs = Vec::new();
    for seed in [11, 11, 12] {
        let api = Api::start(Emulator::builder().faults(f).seed(seed)).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(api.get("/v1/mgmt/permission/all").await.0);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0], runs[2]);
    assert!(runs[0].contains(&200) && runs[0].contains(&429));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn latency_delays_responses() -> TestResult {
    let api =
        Api::start(Emulator::builder().latency(Duration::from_secs(2), Duration::from_secs(1)))
            .await;
    for _ in 0..5 {
        let start = tokio::time::Instant::now();
        assert_eq!(api.get("/v1/mgmt/license").await.0, 200);
        let took = start.elapsed();
        assert!(took >= Duration::from_secs(2), "{took:?}");
        assert!(
            took <= Duration::from_secs(3) + Duration::from_millis(100),
            "{took:?}"
        );
    }
    Ok(())
}
