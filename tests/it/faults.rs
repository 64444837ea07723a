//! With 429s, 5xx, dropped connections and truncated bodies injected, a sync's output is
//! identical to the fault-free run's.

use std::path::Path;

use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::{TestResult, connector_for, sync_to};
use descope_emulator::{Dataset, Emulator, Faults, GenSpec};
use prost::Message;

/// Every object of a `.c1z`, encoded, in a canonical order.
fn objects(path: &Path) -> TestResult<Vec<Vec<u8>>> {
    let reader = C1zReader::open(path)?;
    let mut out: Vec<Vec<u8>> = Vec::new();
    out.extend(reader.resource_types()?.iter().map(Message::encode_to_vec));
    out.extend(reader.resources()?.iter().map(Message::encode_to_vec));
    out.extend(reader.entitlements()?.iter().map(Message::encode_to_vec));
    out.extend(reader.grants()?.iter().map(Message::encode_to_vec));
    out.sort();
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_do_not_change_the_output() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 1_500,
        tenants: 10,
        project_roles: 5,
        tenant_roles: 10,
        permissions: 6,
        seed: 21,
        ..GenSpec::default()
    });
    let dir = tempfile::tempdir()?;

    let clean = Emulator::builder().dataset(data.clone()).start().await?;
    let clean_path = dir.path().join("clean.c1z");
    sync_to(connector_for(&clean)?, &clean_path).await?;

    let faulty = Emulator::builder()
        .dataset(data.clone())
        .faults(Faults {
            server_error: 0.08,
            rate_limit: 0.05,
            drop_connection: 0.05,
            truncate_body: 0.05,
        })
        .seed(99)
        .start()
        .await?;
    let faulty_path = dir.path().join("faulty.c1z");
    let connector = connector_for(&faulty)?;
    sync_to(connector.clone(), &faulty_path).await?;

    let injected = faulty.counters().faults;
    assert!(injected >= 3, "faults were injected ({injected})");
    assert!(
        connector.client().metrics().retries >= injected.min(3),
        "the client retried"
    );
    let (a, b) = (objects(&clean_path)?, objects(&faulty_path)?);
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the fault-injected sync wrote different objects");
    Ok(())
}
