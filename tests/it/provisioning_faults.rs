//! Provisioning under faults: with 5xx, dropped connections and truncated bodies injected,
//! a grant or revoke that reports success has really happened in Descope, and one that fails
//! says so. "Done" is never reported for a change that is not there.

use std::sync::Arc;

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::ops::ProvisioningRunner;
use descope_c1::testing::{TestResult, connector_for, enc, sync_to};
use descope_emulator::{Dataset, Emulator, Faults, GenSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_truthful_under_faults() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 80,
        tenants: 3,
        project_roles: 4,
        tenant_roles: 2,
        seed: 17,
        ..GenSpec::default()
    });
    let emu = Emulator::builder()
        .dataset(data.clone())
        .faults(Faults {
            server_error: 0.1,
            rate_limit: 0.0,
            drop_connection: 0.08,
            truncate_body: 0.08,
        })
        .seed(5)
        .start()
        .await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;
    let dyn_connector: Arc<dyn Connector> = connector.clone();
    let runner = ProvisioningRunner::new(dyn_connector, &path);

    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .expect("a project role");
    let entitlement = format!("role:project/{}:assigned", enc(&role.name));
    let holds = |user_id: &str| {
        emu.dataset()
            .users
            .iter()
            .any(|u| u.user_id == user_id && u.role_names.contains(&role.name))
    };
    let (mut ok, mut failed) = (0, 0);
    for user in data.users.iter().filter(|u| !u.test).take(16) {
        let principal = enc(&user.user_id);
        match runner.grant(&entitlement, "user", &principal).await {
            Ok(_) => {
                ok += 1;
                assert!(holds(&user.user_id), "a grant reported done must be there");
            }
            Err(_) => failed += 1,
        }
    }
    // Re-sync so the grants are in the file, then revoke them all.
    sync_to(connector.clone(), &path).await?;
    let runner = ProvisioningRunner::new(connector.clone(), &path);
    for user in data.users.iter().filter(|u| !u.test).take(16) {
        if !holds(&user.user_id) {
            continue;
        }
        let grant = format!("{entitlement}:user:{}", enc(&user.user_id));
        match runner.revoke(&grant).await {
            Ok(_) => {
                ok += 1;
                assert!(
                    !holds(&user.user_id),
                    "a revoke reported done must be there"
                );
            }
            Err(_) => failed += 1,
        }
    }
    assert!(
        emu.counters().faults >= 3,
        "faults were injected: {}",
        emu.counters().faults
    );
    assert!(
        ok > 12,
        "most changes get through the retries ({ok} ok, {failed} failed)"
    );
    Ok(())
}
