//! The realism knobs of issue 11: tenant roles listed only by role/search, a silent cap on the
//! user-search limit, and an ignored `offset`.

use descope_emulator::{Dataset, Emulator, RoleRecord, TenantRecord, UserRecord};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, ids};

/// Project roles Viewer (users:read) and Editor (users:write); T1 roles Editor (users:read)
/// and Approver; T2 role Auditor (users:read, users:write).
fn roles() -> Dataset {
    let mut d = Dataset::new();
    d.tenants.push(TenantRecord::new("T1", "One"));
    d.tenants.push(TenantRecord::new("T2", "Two"));
    let mut push = |id: &str, name: &str, tenant: &str, perms: &[&str]| {
        let mut r = RoleRecord::new(id, name, tenant);
        r.permission_names = perms.iter().map(|p| (*p).to_owned()).collect();
        d.roles.push(r);
    };
    push("R1", "Viewer", "", &["users:read"]);
    push("R2", "Editor", "", &["users:write"]);
    push("R3", "Editor", "T1", &["users:read"]);
    push("R4", "Approver", "T1", &[]);
    push("R5", "Auditor", "T2", &["users:read", "users:write"]);
    d
}

/// The role ids of a `{"roles":[...]}` response.
fn role_ids(v: &Value) -> Vec<String> {
    v["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("no roles in {v}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn role_search(api: &Api, body: Value) -> Vec<String> {
    let (status, v) = api.post("/v1/mgmt/role/search", body.clone()).await;
    assert_eq!(status, 200, "{body}: {v}");
    role_ids(&v)
}

#[tokio::test]
async fn role_all_lists_tenant_roles_unless_the_knob_hides_them() -> TestResult {
    let default = Api::start(Emulator::builder().dataset(roles())).await;
    let (_, v) = default.get("/v1/mgmt/role/all").await;
    assert_eq!(role_ids(&v), ["R1", "R2", "R3", "R4", "R5"]);

    let hidden = Api::start(
        Emulator::builder()
            .dataset(roles())
            .tenant_roles_only_in_search(true),
    )
    .await;
    let (_, v) = hidden.get("/v1/mgmt/role/all").await;
    assert_eq!(role_ids(&v), ["R1", "R2"]);
    assert_eq!(v["roles"][0]["tenantId"], "");
    // Without tenantIds, role/search sees project roles only too.
    assert_eq!(role_search(&hidden, json!({})).await, ["R1", "R2"]);
    assert_eq!(
        role_search(&default, json!({})).await,
        ["R1", "R2", "R3", "R4", "R5"]
    );
    Ok(())
}

/// Every role/search filter, with and without `tenantIds`, gives the same answer whether or
/// not the knob is on (the knob only changes what a search without `tenantIds` sees).
#[tokio::test]
async fn role_search_filters_in_every_mode() -> TestResult {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"tenantIds": ["T1"]}), vec!["R3", "R4"]),
        (json!({"tenantIds": ["T1", "T2"]}), vec!["R3", "R4", "R5"]),
        (
            json!({"tenantIds": ["T1"], "includeProjectRoles": true}),
            vec!["R1", "R2", "R3", "R4"],
        ),
        (
            json!({"tenantIds": ["T1"], "includeProjectRoles": false}),
            vec!["R3", "R4"],
        ),
        (json!({"tenantIds": ["T9"]}), vec![]),
        (
            json!({"tenantIds": ["T1"], "includeProjectRoles": true, "roleNames": ["Editor"]}),
            vec!["R2", "R3"],
        ),
        (
            json!({"tenantIds": ["T1", "T2"], "roleNameLike": "uDiT"}),
            vec!["R5"],
        ),
        (
            json!({"tenantIds": ["T1", "T2"], "includeProjectRoles": true, "roleNameLike": "EDI"}),
            vec!["R2", "R3"],
        ),
        (
            json!({"tenantIds": ["T1", "T2"], "permissionNames": ["users:write"]}),
            vec!["R5"],
        ),
        (
            json!({"tenantIds": ["T1", "T2"], "includeProjectRoles": true,
                "permissionNames": ["users:read"]}),
            vec!["R1", "R3", "R5"],
        ),
        (
            json!({"tenantIds": ["T1", "T2"], "includeProjectRoles": true,
                "roleIds": ["R2", "R4"]}),
            vec!["R2", "R4"],
        ),
        (
            json!({"tenantIds": ["T2"], "includeProjectRoles": true,
                "roleNameLike": "or", "permissionNames": ["users:write"]}),
            vec!["R2", "R5"],
        ),
        // Project roles only through includeProjectRoles: roleNames alone does not widen scope.
        (
            json!({"tenantIds": ["T2"], "roleNames": ["Viewer"]}),
            vec![],
        ),
    ];
    for knob in [false, true] {
        let api = Api::start(
            Emulator::builder()
                .dataset(roles())
                .tenant_roles_only_in_search(knob),
        )
        .await;
        for (body, want) in &cases {
            assert_eq!(
                &role_search(&api, body.clone()).await,
                want,
                "knob {knob}: {body}"
            );
        }
    }
    // Without tenantIds, the filters apply to every role the mode lists.
    let default = Api::start(Emulator::builder().dataset(roles())).await;
    assert_eq!(
        role_search(&default, json!({"roleNames": ["Editor"]})).await,
        ["R2", "R3"]
    );
    assert_eq!(
        role_search(&default, json!({"roleNameLike": "AUDIT"})).await,
        ["R5"]
    );
    let hidden = Api::start(
        Emulator::builder()
            .dataset(roles())
            .tenant_roles_only_in_search(true),
    )
    .await;
    assert_eq!(
        role_search(&hidden, json!({"roleNames": ["Editor"]})).await,
        ["R2"]
    );
    Ok(())
}

/// `n` users `U00`, `U01`, ... in creation order.
fn users(n: usize) -> Dataset {
    let mut d = Dataset::new();
    for i in 0..n {
        d.users
            .push(UserRecord::new(format!("U{i:02}"), format!("u{i}@x.io")));
    }
    d
}

fn user_range(from: usize, to: usize) -> Vec<String> {
    (from..to).map(|i| format!("U{i:02}")).collect()
}

#[tokio::test]
async fn a_silent_limit_cap_keeps_total_honest() -> TestResult {
    let api = Api::start(
        Emulator::builder()
            .dataset(users(25))
            .user_search_max_limit(Some(10)),
    )
    .await;
    for (body, want) in [
        (json!({"limit": 50}), user_range(0, 10)),
        (json!({}), user_range(0, 10)),
        (json!({"limit": 0}), user_range(0, 10)),
        (json!({"limit": 10}), user_range(0, 10)),
        (json!({"limit": 4}), user_range(0, 4)),
        (json!({"limit": 4, "page": 2}), user_range(8, 12)),
        // page * limit uses the capped limit, so pages of a capped search still tile.
        (json!({"limit": 50, "page": 1}), user_range(10, 20)),
        (json!({"limit": 50, "page": 2}), user_range(20, 25)),
        (json!({"limit": 50, "page": 3}), vec![]),
        (json!({"limit": 50, "offset": 17}), user_range(17, 25)),
    ] {
        let v = api.search(body.clone()).await;
        assert_eq!(ids(&v), want, "{body}");
        assert_eq!(v["total"], 25, "{body}");
    }
    // Without the knob a large limit is served in full.
    let plain = Api::start(Emulator::builder().dataset(users(25))).await;
    assert_eq!(ids(&plain.search(json!({"limit": 50})).await).len(), 25);

    let err = Emulator::builder()
        .user_search_max_limit(Some(0))
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("user_search_max_limit"), "{err}");
    Ok(())
}

#[tokio::test]
async fn offset_can_be_ignored_while_page_is_honoured() -> TestResult {
    let api = Api::start(
        Emulator::builder()
            .dataset(users(25))
            .ignore_search_offset(true),
    )
    .await;
    for (body, want) in [
        (json!({"limit": 5, "offset": 7}), user_range(0, 5)),
        (
            json!({"limit": 5, "page": 2, "offset": 3}),
            user_range(10, 15),
        ),
        (json!({"limit": 5, "page": 4}), user_range(20, 25)),
        (json!({"limit": 5, "offset": 100}), user_range(0, 5)),
    ] {
        let v = api.search(body.clone()).await;
        assert_eq!(ids(&v), want, "{body}");
        assert_eq!(v["total"], 25);
    }
    // The default: a positive offset wins over page.
    let plain = Api::start(Emulator::builder().dataset(users(25))).await;
    assert_eq!(
        ids(&plain
            .search(json!({"limit": 5, "page": 2, "offset": 7}))
            .await),
        user_range(7, 12)
    );

    // Both knobs together: offset ignored, limit capped.
    let both = Api::start(
        Emulator::builder()
            .dataset(users(25))
            .ignore_search_offset(true)
            .user_search_max_limit(Some(3)),
    )
    .await;
    assert_eq!(
        ids(&both
            .search(json!({"limit": 10, "page": 1, "offset": 9}))
            .await),
        user_range(3, 6)
    );
    Ok(())
}

#[tokio::test]
async fn role_names_can_match_project_level_assignments_only() -> TestResult {
    let mut d = roles();
    let mut at_project = UserRecord::new("U1", "one@x.io");
    at_project.role_names = vec!["Viewer".into()];
    let mut in_tenant = UserRecord::new("U2", "two@x.io");
    in_tenant.user_tenants = vec![descope_emulator::UserTenantRecord::new(
        "T1",
        "One",
        vec!["Viewer".into()],
    )];
    d.users = vec![at_project, in_tenant];
    let body = json!({"roleNames": ["Viewer"]});
    let either = Api::start(Emulator::builder().dataset(d.clone())).await;
    assert_eq!(ids(&either.search(body.clone()).await), ["U1", "U2"]);
    let project_only = Api::start(
        Emulator::builder()
            .dataset(d)
            .role_names_filter_project_only(true),
    )
    .await;
    let v = project_only.search(body).await;
    assert_eq!(ids(&v), ["U1"]);
    assert_eq!(v["total"], 1);
    Ok(())
}
