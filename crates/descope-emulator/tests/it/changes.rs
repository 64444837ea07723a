//! The knobs for a project that changes while a client reads it: users deleted and created
//! after the N-th search, audit records searchable some time after they occur, `total` absent
//! or capped, records without ids.

use std::time::Duration;

use descope_emulator::{AuditTotal, Emulator, UserChurn};
use serde_json::{Value, json};

use crate::common::{Api, TestResult};

fn ids(v: &Value) -> Vec<String> {
    v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn users_are_deleted_and_created_after_the_nth_search() -> TestResult {
    let api =
        Api::start(Emulator::builder().user_churn([UserChurn::after(2).delete(0, 3).create(1, 2)]))
            .await;
    let page = |n: u64| json!({"limit": 5, "page": n});
    let (_, first) = api.post("/v2/mgmt/user/search", page(0)).await;
    let before = ids(&first);
    // The second search is answered before the change; the third sees it.
    let (_, second) = api.post("/v2/mgmt/user/search", page(0)).await;
    assert_eq!(ids(&second), before);
    let (_, third) = api.post("/v2/mgmt/user/search", page(0)).await;
    let churned = api.emu.churned();
    assert_eq!(churned.searches, 3);
    assert_eq!(churned.deleted, before[..3]);
    assert_eq!(churned.created.len(), 2);
    let after = ids(&third);
    assert_eq!(after[0], before[3]);
    assert_eq!(after[1..3], churned.created[..]);
    assert_eq!(
        third["total"].as_u64(),
        first["total"].as_u64().map(|t| t - 1)
    );
    // Both changes are in the audit trail, as the API's would be.
    let (_, audit) = api
        .post(
            "/v1/mgmt/audit/search",
            json!({"actions": ["UserDeleted", "UserCreated"]}),
        )
        .await;
    assert_eq!(audit["audits"].as_array().unwrap().len(), 5);
    Ok(())
}

#[tokio::test]
async fn audit_records_become_searchable_after_their_delay() -> TestResult {
    let api = Api::start(Emulator::builder().audit_ingestion_delay(Duration::from_secs(3))).await;
    let count = |v: &Value| v["audits"].as_array().unwrap().len();
    let query = json!({"actions": ["TenantCreated"]});
    for i in 0..20 {
        let (s, _) = api
            .post(
                "/v1/mgmt/tenant/create",
                json!({"name": format!("Delayed {i}"), "id": format!("delayed-{i}")}),
            )
            .await;
        assert_eq!(s, 200);
    }
    let (_, now) = api.post("/v1/mgmt/audit/search", query.clone()).await;
    assert!(count(&now) < 20, "some records are not searchable yet");
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    let (_, later) = api.post("/v1/mgmt/audit/search", query).await;
    assert_eq!(count(&later), 20);
    Ok(())
}

#[tokio::test]
async fn audit_total_absent_or_capped_and_records_without_ids() -> TestResult {
    let body = json!({"size": 2});
    let api = Api::start(Emulator::builder().audit_total(AuditTotal::Absent)).await;
    let (_, v) = api.post("/v1/mgmt/audit/search", body.clone()).await;
    assert!(v.get("total").is_none(), "{v}");
    assert_eq!(v["audits"].as_array().unwrap().len(), 2);

    let api = Api::start(Emulator::builder().audit_total(AuditTotal::Capped(3))).await;
    let (_, v) = api.post("/v1/mgmt/audit/search", body.clone()).await;
    assert_eq!(v["total"], 3);

    let api = Api::start(Emulator::builder().audit_records_without_ids(true)).await;
    let (_, v) = api.post("/v1/mgmt/audit/search", body).await;
    let first = &v["audits"][0];
    assert!(
        first.get("ID").is_none() && first.get("action").is_some(),
        "{first}"
    );
    assert!(v["total"].as_u64().unwrap() > 3);
    Ok(())
}
