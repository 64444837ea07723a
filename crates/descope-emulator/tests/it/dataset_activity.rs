//! Datasets with SSO applications, sign-ins and audit records: JSON, validation, and a saved
//! running state served again.

use descope_emulator::{AuditRecord, Dataset, DatasetError, Emulator, GenSpec, LoginRecord};
use serde_json::{Value, json};

use crate::common::{Api, TestResult};

#[test]
fn new_collections_are_left_out_when_empty() -> TestResult {
    let plain = Dataset::generate(&GenSpec::default());
    let v: Value = serde_json::from_str(&plain.to_json())?;
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    for k in ["ssoApps", "loginHistory", "audit", "activityAsOf"] {
        assert!(
            !keys.iter().any(|x| *x == k),
            "{k} in a dataset without activity"
        );
    }
    // Users without applications still carry the user object's `ssoAppIds: []`.
    assert_eq!(v["users"][0]["ssoAppIds"], json!([]));
    Ok(())
}

#[test]
fn demo_json_has_descope_shapes_and_round_trips() -> TestResult {
    let d = Dataset::demo();
    let v: Value = serde_json::from_str(&d.to_json())?;
    let app = &v["ssoApps"][0];
    for k in [
        "id",
        "name",
        "description",
        "enabled",
        "logo",
        "appType",
        "samlSettings",
    ] {
        assert!(app.get(k).is_some(), "app JSON lacks {k}");
    }
    assert!(
        app["samlSettings"]["groupsMapping"][0]["roles"][0]
            .get("id")
            .is_some()
    );
    let login = &v["loginHistory"][0];
    for k in [
        "userId",
        "loginTime",
        "city",
        "country",
        "ip",
        "selectedTenant",
    ] {
        assert!(login.get(k).is_some(), "login JSON lacks {k}");
    }
    let audit = &v["audit"][0];
    assert!(audit.get("ID").is_some() && audit["occurred"].is_string());
    assert_eq!(v["activityAsOf"], 1_767_225_600_i64);
    assert_eq!(
        v["groups"][0]["members"][0].get("loginId"),
        Some(&json!(d.groups[0].members[0].login_id))
    );
    assert_eq!(Dataset::from_json(&d.to_json())?, d);
    Ok(())
}

#[test]
fn activity_is_validated() {
    let dup_app = json!({"ssoApps": [{"id": "SA1"}, {"id": "SA1"}]});
    assert!(matches!(
        Dataset::from_json(&dup_app.to_string()),
        Err(DatasetError::Invalid(_))
    ));
    let no_id = json!({"ssoApps": [{"name": "x"}]});
    assert!(Dataset::from_json(&no_id.to_string()).is_err());
    let dup_audit = json!({"audit": [{"ID": "A1"}, {"id": "A1"}]});
    assert!(Dataset::from_json(&dup_audit.to_string()).is_err());
    // Dangling references are allowed: an app id on a user, sign-ins of a deleted user.
    let dangling = json!({"users": [{"userId": "U1", "ssoAppIds": ["SA9"]}],
        "loginHistory": [{"userId": "U9", "loginTime": 1}],
        "audit": [{"ID": "A1", "occurred": 5, "userId": "U9"}]});
    let d = Dataset::from_json(&dangling.to_string()).unwrap();
    assert_eq!(
        d.audit[0].occurred, 5,
        "occurred reads a number as well as a string"
    );
}

#[tokio::test]
async fn a_saved_running_state_serves_the_same_activity() -> TestResult {
    let api = Api::demo().await;
    let (s, _) = api
        .post(
            "/v1/mgmt/user/update/status",
            json!({"loginId": api.emu.dataset().users[0].user_id, "status": "disabled"}),
        )
        .await;
    assert_eq!(s, 200);
    let snap = api.emu.dataset();
    let (_, served) = api.post("/v1/mgmt/audit/search", json!({})).await;
    assert_eq!(served["total"], snap.audit.len());

    // Loaded again later, the activity moves to the new start, keeping its spacing.
    let again = Api::start(Emulator::builder().dataset(Dataset::from_json(&snap.to_json())?)).await;
    let moved = again.emu.dataset();
    let shift = moved.activity_as_of.unwrap() - snap.activity_as_of.unwrap();
    assert!(shift >= 0);
    assert_eq!(moved.audit.len(), snap.audit.len());
    for (a, b) in moved.audit.iter().zip(&snap.audit) {
        assert_eq!(a.occurred, b.occurred + shift * 1000);
        assert_eq!(a.id, b.id);
    }
    for (a, b) in moved.login_history.iter().zip(&snap.login_history) {
        assert_eq!(a.login_time, b.login_time + shift);
    }
    let (_, v) = again
        .post(
            "/v1/mgmt/audit/search",
            json!({"actions": ["UserModified"]}),
        )
        .await;
    assert_eq!(
        v["total"], 1,
        "the change recorded before the save is served again"
    );
    Ok(())
}

#[tokio::test]
async fn hand_made_records_without_anchor_keep_their_times() -> TestResult {
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis(),
    )?;
    let mut d = Dataset::new();
    let mut recent = AuditRecord::new("A1", "LoginSucceed", now_ms - 3_600_000);
    recent.user_id = "U1".into();
    d.audit.push(recent);
    d.audit.push(AuditRecord::new(
        "A2",
        "LoginSucceed",
        now_ms - 40 * 86_400_000,
    ));
    d.login_history
        .push(LoginRecord::new("U1", now_ms / 1000 - 3_600));
    let api = Api::start(Emulator::builder().dataset(d)).await;
    let (_, v) = api.post("/v1/mgmt/audit/search", json!({})).await;
    // The 40-day-old record is past Descope's 30 days: never served.
    assert_eq!(v["total"], 1);
    assert_eq!(v["audits"][0]["ID"], "A1");
    assert_eq!(v["audits"][0]["occurred"], (now_ms - 3_600_000).to_string());
    Ok(())
}
