//! Dataset generation, JSON round trips and loading into a server.

use descope_emulator::{Dataset, DatasetError, Emulator, GenSpec};
use serde_json::json;

use crate::common::{Api, TestResult};

#[test]
fn same_seed_same_json_other_seed_other_json() {
    let spec = GenSpec {
        users: 2_000,
        tenants: 12,
        ..GenSpec::default()
    };
    let a = Dataset::generate(&spec).to_json();
    assert_eq!(a, Dataset::generate(&spec).to_json());
    let b = Dataset::generate(&GenSpec { seed: 43, ..spec }).to_json();
    assert_ne!(a, b);
    assert_eq!(Dataset::demo().to_json(), Dataset::demo().to_json());
}

#[test]
fn hundred_thousand_users_generate() {
    let spec = GenSpec {
        users: 100_000,
        tenants: 200,
        project_roles: 8,
        tenant_roles: 3,
        permissions: 30,
        test_users: 10,
        ..GenSpec::default()
    };
    let d = Dataset::generate(&spec);
    assert_eq!(d.users.len(), 100_000);
    assert_eq!(d.tenants.len(), 200);
    assert_eq!(d.roles.len(), 8 + 200 * 3);
    assert_eq!(d.permissions.len(), 30);
    assert_eq!(d.users.iter().filter(|u| u.test).count(), 10);
    d.validate().unwrap();
}

#[test]
fn generated_data_covers_all_three_role_levels() {
    let d = Dataset::generate(&GenSpec::default());
    let project_role = |n: &str| {
        d.roles
            .iter()
            .any(|r| r.tenant_id.is_empty() && r.name == n)
    };
    let tenant_role = |t: &str, n: &str| d.roles.iter().any(|r| r.tenant_id == t && r.name == n);
    assert!(d.users.iter().any(|u| !u.role_names.is_empty()));
    assert!(d.users.iter().any(|u| {
        u.user_tenants
            .iter()
            .any(|m| m.role_names.iter().any(|r| tenant_role(&m.tenant_id, r)))
    }));
    assert!(d.users.iter().any(|u| u.user_tenants.iter().any(|m| {
        m.role_names
            .iter()
            .any(|r| !tenant_role(&m.tenant_id, r) && project_role(r))
    })));
    assert!(d.roles.iter().any(|r| !r.permission_names.is_empty()));
    assert!(d.tenants.iter().any(|t| !t.parent.is_empty()));
    assert!(d.tenants.iter().any(|t| !t.domains.is_empty()));
}

#[test]
fn json_uses_descope_field_names_and_round_trips() -> TestResult {
    let d = Dataset::demo();
    let v: serde_json::Value = serde_json::from_str(&d.to_json())?;
    let u = &v["users"][0];
    for key in [
        "userId",
        "loginIds",
        "roleNames",
        "userTenants",
        "createdTime",
        "TOTP",
        "SAML",
        "SCIM",
        "OIDC",
        "OAuth",
        "verifiedEmail",
        "customAttributes",
    ] {
        assert!(u.get(key).is_some(), "user JSON lacks {key}");
    }
    assert!(v["tenants"][0].get("selfProvisioningDomains").is_some());
    assert!(v["roles"][0].get("permissionNames").is_some());

    let path = std::env::temp_dir().join(format!("descope-emu-{}.json", std::process::id()));
    d.save(&path)?;
    let back = Dataset::load(&path)?;
    std::fs::remove_file(&path)?;
    assert_eq!(back, d);
    Ok(())
}

#[test]
fn inconsistent_json_is_rejected() {
    let bad = json!({"users": [
        {"userId": "U1", "loginIds": ["a"]},
        {"userId": "U2", "loginIds": ["a"]}
    ]});
    assert!(matches!(
        Dataset::from_json(&bad.to_string()),
        Err(DatasetError::Invalid(_))
    ));
    let dangling = json!({"users": [{"userId": "U1", "userTenants": [{"tenantId": "T9"}]}]});
    assert!(Dataset::from_json(&dangling.to_string()).is_err());
    assert!(matches!(
        Dataset::from_json("{"),
        Err(DatasetError::Json(_))
    ));
}

#[tokio::test]
async fn snapshot_reflects_writes() -> TestResult {
    let api = Api::start(Emulator::builder().dataset(Dataset::new())).await;
    let (status, _) = api
        .post("/v1/mgmt/user/create", json!({"loginId": "new@x.io"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(api.emu.dataset().users.len(), 1);
    Ok(())
}
