//! Datasets with access keys: JSON round trips, determinism, validation, secrets, and loading
//! into a server.

use descope_emulator::{
    AccessKeyRecord, DEMO_SCIM_ACCESS_KEY, Dataset, DatasetError, Emulator, GenSpec,
    KeyTenantRecord,
};

use crate::common::{Api, TestResult};

#[test]
fn keys_round_trip_and_are_deterministic() {
    let demo = Dataset::demo();
    assert_eq!(demo.access_keys.len(), 5);
    let json = demo.to_json();
    assert!(json.contains("\"accessKeys\""));
    assert!(json.contains("\"secretHash\""));
    assert!(
        !json.contains(DEMO_SCIM_ACCESS_KEY),
        "a dataset holds no cleartext secret"
    );
    assert_eq!(Dataset::from_json(&json).unwrap(), demo);

    let spec = GenSpec {
        users: 500,
        tenants: 8,
        access_keys: 60,
        ..GenSpec::default()
    };
    let a = Dataset::generate(&spec);
    assert_eq!(a.to_json(), Dataset::generate(&spec).to_json());
    assert_eq!(Dataset::from_json(&a.to_json()).unwrap(), a);
    let b = Dataset::generate(&GenSpec {
        seed: 9,
        ..spec.clone()
    });
    assert_ne!(a.access_keys, b.access_keys);

    // Without keys, the JSON is what it was before keys existed (no `accessKeys` at all), and
    // keys change nothing else.
    let plain = Dataset::generate(&GenSpec {
        access_keys: 0,
        ..spec
    });
    assert!(!plain.to_json().contains("accessKeys"));
    let mut stripped = a.clone();
    stripped.access_keys.clear();
    assert_eq!(stripped, plain);
    // A file written before keys existed still loads.
    let old = r#"{"users":[],"tenants":[],"roles":[],"permissions":[],"groups":[]}"#;
    assert!(Dataset::from_json(old).unwrap().access_keys.is_empty());
}

#[test]
fn validation_checks_key_ids_and_tenants() {
    let mut d = Dataset::demo();
    let dup = d.access_keys[0].clone();
    d.access_keys.push(dup);
    assert!(matches!(
        Dataset::from_json(&d.to_json()),
        Err(DatasetError::Invalid(m)) if m.contains("access key id")
    ));

    let mut d = Dataset::demo();
    d.access_keys[0]
        .key_tenants
        .push(KeyTenantRecord::new("T2gone", "Gone", Vec::new()));
    assert!(matches!(d.validate(), Err(DatasetError::Invalid(_))));

    // A key bound to a deleted user is allowed (deleting a user leaves its keys).
    let mut d = Dataset::demo();
    d.access_keys[0].bound_user_id = "U2deleted".into();
    d.validate().unwrap();
    // An unknown stored status is a JSON error.
    let bad = Dataset::demo()
        .to_json()
        .replace("\"inactive\"", "\"expired\"");
    assert!(matches!(
        Dataset::from_json(&bad),
        Err(DatasetError::Json(_))
    ));
}

#[tokio::test]
async fn a_loaded_dataset_keeps_its_keys_usable() -> TestResult {
    // A key set up by hand, saved and loaded again, authenticates SCIM with its cleartext.
    let mut d = Dataset::demo();
    let acme = d.tenants[0].clone();
    let mut k = AccessKeyRecord::new("K2handmade", "Acme SCIM");
    k.key_tenants.push(KeyTenantRecord::new(
        acme.id.clone(),
        acme.name.clone(),
        vec!["Tenant Admin".into()],
    ));
    k.set_cleartext("handmade-secret");
    d.access_keys.push(k);
    let loaded = Dataset::from_json(&d.to_json())?;
    let api = Api::start(Emulator::builder().dataset(loaded)).await;
    let resp = api
        .http
        .get(api.url("/scim/v2/Users"))
        .header(
            "Authorization",
            format!("Bearer {}:handmade-secret", api.emu.project_id()),
        )
        .send()
        .await?;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await?;
    let acme_members = api
        .emu
        .dataset()
        .users
        .iter()
        .filter(|u| u.tenant(&acme.id).is_some())
        .count();
    assert_eq!(v["totalResults"], acme_members);
    // The snapshot keeps the hash, so a saved running state stays usable too.
    let snap = api.emu.dataset();
    assert!(
        snap.access_keys
            .iter()
            .any(|k| k.cleartext_matches("handmade-secret"))
    );
    Ok(())
}
