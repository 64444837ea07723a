//! `POST /v1/mgmt/audit/search` over the demo's seeded trail: shape, order, paging, filters,
//! the 30-day rule and the rate-limit class.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use descope_emulator::{Emulator, RateLimits};
use serde_json::{Value, json};

use crate::common::{Api, TestResult};

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .try_into()
        .unwrap()
}

pub(crate) async fn audit(api: &Api, body: Value) -> Value {
    let (s, v) = api.post("/v1/mgmt/audit/search", body.clone()).await;
    assert_eq!(s, 200, "{body}: {v}");
    v
}

pub(crate) fn audits(v: &Value) -> &Vec<Value> {
    v["audits"].as_array().unwrap()
}

fn occurred(a: &Value) -> i64 {
    a["occurred"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn seeded_trail_shape_order_and_paging() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let all = audit(&api, json!({})).await;
    let list = audits(&all);
    assert_eq!(all["total"], d.audit.len());
    assert_eq!(list.len(), d.audit.len(), "the default page holds them all");
    let now = now_ms();
    let a = &list[0];
    for k in [
        "ID",
        "projectId",
        "userId",
        "action",
        "type",
        "actorId",
        "occurred",
        "device",
        "method",
        "geo",
        "remoteAddress",
        "externalIds",
        "tenants",
        "data",
    ] {
        assert!(a.get(k).is_some(), "{k} in {a}");
    }
    assert!(a.get("id").is_none(), "the id's key is upper-case");
    assert_eq!(a["projectId"], api.emu.project_id());
    assert!(a["occurred"].is_string());
    // Newest first, all within the last 30 days.
    for w in list.windows(2) {
        assert!(occurred(&w[0]) >= occurred(&w[1]));
    }
    assert!(
        list.iter()
            .all(|a| occurred(a) <= now && occurred(a) > now - 30 * DAY_MS)
    );
    let oldest_first = audit(&api, json!({"oldestFirst": true})).await;
    let mut reversed = audits(&oldest_first).clone();
    reversed.reverse();
    assert_eq!(&reversed, list);

    // Paging by size and page to the end: every record once, in the same order.
    let mut paged = Vec::new();
    for page in 0.. {
        let v = audit(&api, json!({"size": 7, "page": page})).await;
        assert_eq!(v["total"], d.audit.len());
        let got = audits(&v);
        assert!(got.len() <= 7);
        if got.is_empty() {
            break;
        }
        paged.extend(got.iter().cloned());
    }
    assert_eq!(&paged, list);
    let ids: HashSet<&str> = paged.iter().map(|a| a["ID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), paged.len());
    Ok(())
}

#[tokio::test]
async fn filters_and_together() -> TestResult {
    let api = Api::demo().await;
    let all = audit(&api, json!({})).await;
    let list = audits(&all).clone();
    let count = |f: &dyn Fn(&Value) -> bool| list.iter().filter(|a| f(a)).count();

    let v = audit(&api, json!({"actions": ["LoginFailed"]})).await;
    let failed = audits(&v);
    assert!(!failed.is_empty());
    assert!(
        failed
            .iter()
            .all(|a| a["type"] == "warn" && a["data"]["error_message"].is_string())
    );
    let v = audit(&api, json!({"excludedActions": ["LoginFailed"]})).await;
    assert_eq!(v["total"], list.len() - failed.len());

    let a = &list[0];
    let user = a["userId"].as_str().unwrap();
    let v = audit(&api, json!({"userIds": [user]})).await;
    assert_eq!(v["total"], count(&|x| x["userId"] == user));
    let login = a["externalIds"][0].as_str().unwrap();
    let v = audit(&api, json!({"externalIds": [login]})).await;
    assert_eq!(v["total"], count(&|x| x["userId"] == user));
    let v = audit(&api, json!({"methods": ["saml"], "geos": ["US"]})).await;
    assert_eq!(
        v["total"],
        count(&|x| x["method"] == "saml" && x["geo"] == "US")
    );
    let v = audit(&api, json!({"devices": ["Mobile", "Tablet"]})).await;
    assert_eq!(
        v["total"],
        count(&|x| x["device"] == "Mobile" || x["device"] == "Tablet")
    );
    let ip = a["remoteAddress"].as_str().unwrap();
    let v = audit(&api, json!({"remoteAddresses": [ip]})).await;
    assert_eq!(v["total"], count(&|x| x["remoteAddress"] == ip));
    let v = audit(&api, json!({"actorIds": [login]})).await;
    assert_eq!(v["total"], count(&|x| x["actorId"] == login));

    // Tenants: records of the tenant; `noTenants` adds those without any.
    let tenant = api.emu.dataset().tenants[0].id.clone();
    let of_tenant = count(&|x| x["tenants"].as_array().unwrap().contains(&json!(tenant)));
    let without = count(&|x| x["tenants"].as_array().unwrap().is_empty());
    assert!(of_tenant > 0 && without > 0);
    let v = audit(&api, json!({"tenants": [tenant]})).await;
    assert_eq!(v["total"], of_tenant);
    let v = audit(&api, json!({"tenants": [tenant], "noTenants": true})).await;
    assert_eq!(v["total"], of_tenant + without);

    // Free text, case-insensitive, over every field including data.
    let v = audit(&api, json!({"text": "INVALID"})).await;
    assert_eq!(
        v["total"],
        count(&|x| x["data"].to_string().to_lowercase().contains("invalid"))
    );
    let v = audit(&api, json!({"text": user.to_lowercase()})).await;
    assert!(v["total"].as_u64().unwrap() >= count(&|x| x["userId"] == user) as u64);

    // A time window (epoch ms, as numbers or strings).
    let mid = occurred(&list[list.len() / 2]);
    let v = audit(&api, json!({"from": mid})).await;
    assert_eq!(v["total"], count(&|x| occurred(x) >= mid));
    let v = audit(
        &api,
        json!({"to": mid.to_string(), "from": (mid - DAY_MS).to_string()}),
    )
    .await;
    assert_eq!(
        v["total"],
        count(&|x| occurred(x) <= mid && occurred(x) >= mid - DAY_MS)
    );
    // Filters AND together.
    let v = audit(
        &api,
        json!({"userIds": [user], "actions": ["NoSuchAction"]}),
    )
    .await;
    assert_eq!(v, json!({"audits": [], "total": 0}));
    Ok(())
}

#[tokio::test]
async fn thirty_days_sizes_nulls_and_strictness() -> TestResult {
    let api = Api::demo().await;
    let total = audit(&api, json!({})).await["total"].clone();
    let now = now_ms();
    // Go's zero time (sent when no time is set) and 0 are "unset".
    let go_zero = -62_135_596_800_000_i64;
    let v = audit(&api, json!({"from": go_zero, "to": go_zero})).await;
    assert_eq!(v["total"], total);
    assert_eq!(
        audit(&api, json!({"from": 0, "to": 0})).await["total"],
        total
    );
    // Exactly 30 days back is allowed; 31 is refused.
    audit(&api, json!({"from": now - 30 * DAY_MS})).await;
    let (s, v) = api
        .post("/v1/mgmt/audit/search", json!({"from": now - 31 * DAY_MS}))
        .await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011004")), "{v}");
    assert!(v["errorMessage"].as_str().unwrap().contains("30 days"));

    let (s, v) = api
        .post("/v1/mgmt/audit/search", json!({"size": 1001}))
        .await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011004")));
    assert_eq!(audit(&api, json!({"size": 1000})).await["total"], total);
    assert_eq!(
        audits(&audit(&api, json!({"size": 0})).await).len(),
        total.as_u64().unwrap() as usize
    );
    for bad in [json!({"page": -1}), json!({"size": -5})] {
        let (s, v) = api.post("/v1/mgmt/audit/search", bad).await;
        assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011004")));
    }
    let (s, v) = api
        .post("/v1/mgmt/audit/search", json!({"size": 3, "page": 10_000}))
        .await;
    assert_eq!(
        (s, v["audits"].clone(), v["total"].clone()),
        (200, json!([]), total.clone())
    );
    let (s, v) = api
        .post("/v1/mgmt/audit/search", json!({"levels": ["info"]}))
        .await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011003")));

    // `null` in every field is unset: the same answer as `{}`.
    let fields = [
        "userIds",
        "actions",
        "excludedActions",
        "devices",
        "methods",
        "geos",
        "remoteAddresses",
        "externalIds",
        "tenants",
        "noTenants",
        "text",
        "from",
        "to",
        "size",
        "page",
        "actorIds",
        "excludedExternalIds",
        "oldestFirst",
    ];
    let all_null: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), Value::Null))
        .collect();
    let v = audit(&api, Value::Object(all_null)).await;
    assert_eq!(v, audit(&api, json!({})).await);
    for f in fields {
        audit(&api, json!({ f: null })).await;
    }
    // Go's default body: every key, null lists, "" text, size and page 0.
    let go = json!({"userIds": null, "actions": null, "excludedActions": null,
        "from": go_zero, "to": go_zero, "devices": null, "methods": null, "geos": null,
        "remoteAddresses": null, "externalIds": null, "tenants": null, "noTenants": false,
        "text": "", "size": 0, "page": 0});
    assert_eq!(audit(&api, go).await["total"], total);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn audit_search_has_its_own_rate_limit() -> TestResult {
    let limits = RateLimits::descope();
    assert_eq!(limits.audit_search.unwrap().requests, 10);
    let api = Api::start(Emulator::builder().rate_limits(limits)).await;
    for _ in 0..10 {
        audit(&api, json!({"size": 1})).await;
    }
    let resp = api
        .http
        .post(api.url("/v1/mgmt/audit/search"))
        .header("Authorization", &api.auth)
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "60");
    // Other classes are not affected.
    let (s, _) = api.post("/v2/mgmt/user/search", json!({"limit": 1})).await;
    assert_eq!(s, 200);
    let (s, _) = api.post("/v1/mgmt/user/history", json!([])).await;
    assert_eq!(s, 200);
    tokio::time::advance(Duration::from_secs(60)).await;
    audit(&api, json!({"size": 1})).await;
    assert_eq!(api.emu.counters().rate_limited, 1);
    Ok(())
}
