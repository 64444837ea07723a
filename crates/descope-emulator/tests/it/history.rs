//! `POST /v1/mgmt/user/history` and its knobs, over HTTP.

use std::time::{SystemTime, UNIX_EPOCH};

use descope_emulator::{Dataset, Emulator, HistoryShape, LoginRecord, UserRecord};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, decode};

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

/// Users with and without sign-ins in the demo dataset, as the emulator serves it.
fn signed_in(d: &Dataset) -> (Vec<String>, Vec<String>) {
    let (yes, no): (Vec<_>, Vec<_>) = d
        .users
        .iter()
        .partition(|u| d.login_history.iter().any(|l| l.user_id == u.user_id));
    let ids = |v: Vec<&UserRecord>| v.into_iter().map(|u| u.user_id.clone()).collect();
    (ids(yes), ids(no))
}

async fn raw(api: &Api, body: &'static str) -> (u16, Value) {
    let resp = api
        .http
        .post(api.url("/v1/mgmt/user/history"))
        .header("Authorization", &api.auth)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    decode(resp).await
}

#[tokio::test]
async fn bare_array_newest_first_in_the_last_30_days() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let (yes, no) = signed_in(&d);
    assert!(
        yes.len() > no.len() && !no.is_empty(),
        "most demo users signed in, some not"
    );
    let ask = vec![
        yes[0].clone(),
        no[0].clone(),
        yes[1].clone(),
        "U2unknown".into(),
    ];
    let (s, v) = api.post("/v1/mgmt/user/history", json!(ask)).await;
    assert_eq!(s, 200, "{v}");
    let records = v.as_array().unwrap();
    let want = |id: &str| d.login_history.iter().filter(|l| l.user_id == id).count();
    assert_eq!(records.len(), want(&yes[0]) + want(&yes[1]));
    // Per user in the order asked, newest first.
    let users: Vec<&str> = records
        .iter()
        .map(|r| r["userId"].as_str().unwrap())
        .collect();
    let split = want(&yes[0]);
    assert!(users[..split].iter().all(|u| *u == yes[0]));
    assert!(users[split..].iter().all(|u| *u == yes[1]));
    let now = now_secs();
    for pair in records[..split].windows(2) {
        assert!(pair[0]["loginTime"].as_i64() >= pair[1]["loginTime"].as_i64());
    }
    for r in records {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 6, "{r}");
        for k in [
            "userId",
            "loginTime",
            "city",
            "country",
            "ip",
            "selectedTenant",
        ] {
            assert!(r.get(k).is_some(), "{k} in {r}");
        }
        // Epoch seconds, moved to the emulator's start: all within the last 30 days.
        let t = r["loginTime"].as_i64().unwrap();
        assert!(t <= now && t > now - 30 * 86_400, "{t} vs {now}");
    }
    // The snapshot holds the served (moved) times.
    let snap = api.emu.dataset();
    assert!(snap.activity_as_of.unwrap() >= now - 60);
    let first = snap
        .login_history
        .iter()
        .filter(|l| l.user_id == yes[0])
        .map(|l| l.login_time)
        .max();
    assert_eq!(first, records[0]["loginTime"].as_i64());
    Ok(())
}

#[tokio::test]
async fn nulls_empties_repeats_and_bad_bodies() -> TestResult {
    let api = Api::demo().await;
    let (yes, _) = signed_in(&api.emu.dataset());
    assert_eq!(raw(&api, "").await, (200, json!([])));
    assert_eq!(raw(&api, "null").await, (200, json!([])));
    assert_eq!(raw(&api, "[]").await, (200, json!([])));
    let (s, once) = api.post("/v1/mgmt/user/history", json!([yes[0]])).await;
    assert_eq!(s, 200);
    let (_, twice) = api
        .post("/v1/mgmt/user/history", json!([yes[0], null, yes[0], ""]))
        .await;
    assert_eq!(
        once, twice,
        "null and empty items are skipped, repeats count once"
    );
    let (s, v) = raw(&api, r#"{"userIds":["U1"]}"#).await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011003")));
    let (s, _) = raw(&api, "[1,2]").await;
    assert_eq!(s, 400);
    Ok(())
}

#[tokio::test]
async fn wrapped_shape_knob() -> TestResult {
    let api = Api::start(Emulator::builder().history_shape(HistoryShape::Wrapped)).await;
    let (yes, _) = signed_in(&api.emu.dataset());
    let (s, v) = api.post("/v1/mgmt/user/history", json!([yes[0]])).await;
    assert_eq!(s, 200, "{v}");
    let list = v["usersAuthHistory"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|r| r["userId"] == yes[0].as_str()));
    assert_eq!(v.as_object().unwrap().len(), 1);
    Ok(())
}

#[tokio::test]
async fn max_ids_knob() -> TestResult {
    let api = Api::start(Emulator::builder().history_max_ids(Some(3))).await;
    let ids: Vec<String> = api
        .emu
        .dataset()
        .users
        .iter()
        .map(|u| u.user_id.clone())
        .collect();
    let (s, _) = api.post("/v1/mgmt/user/history", json!(ids[..3])).await;
    assert_eq!(s, 200);
    let (s, v) = api.post("/v1/mgmt/user/history", json!(ids[..4])).await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011004")), "{v}");
    assert!(v["errorMessage"].as_str().unwrap().contains("At most 3"));
    let e = Emulator::builder()
        .history_max_ids(Some(0))
        .start()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    Ok(())
}

#[tokio::test]
async fn hand_made_history_without_anchor_and_deletes() -> TestResult {
    let mut data = Dataset::new();
    data.users.push(UserRecord::new("U1", "a@x.io"));
    data.users.push(UserRecord::new("U2", "b@x.io"));
    let mut l = LoginRecord::new("U1", 1_700_000_000);
    l.city = "Berlin".into();
    l.country = "DE".into();
    l.ip = "192.0.2.7".into();
    l.selected_tenant = "T1".into();
    data.login_history.push(l);
    data.login_history
        .push(LoginRecord::new("U2", 1_700_000_100));
    let api = Api::start(Emulator::builder().dataset(data)).await;
    // No `activityAsOf`: the times are served as they are.
    let (_, v) = api.post("/v1/mgmt/user/history", json!(["U1"])).await;
    assert_eq!(
        v,
        json!([{"userId": "U1", "loginTime": 1_700_000_000_i64, "city": "Berlin",
                "country": "DE", "ip": "192.0.2.7", "selectedTenant": "T1"}])
    );
    // A deleted user's sign-ins go with it.
    let (s, _) = api
        .post("/v1/mgmt/user/delete", json!({"userId": "U1"}))
        .await;
    assert_eq!(s, 200);
    let (_, v) = api.post("/v1/mgmt/user/history", json!(["U1", "U2"])).await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["userId"], "U2");
    Ok(())
}
