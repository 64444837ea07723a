//! Access keys of generated and demo datasets.
//!
//! Keys come from their own RNG stream, seeded from the spec's seed, and are added after
//! everything else: a spec with `access_keys: 0` gives exactly the dataset it gave before keys
//! existed, and a spec with keys gives the same users, tenants, roles and groups as without.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::random::{BASE_TIME, pick, random_id};
use super::spec::GenSpec;
use crate::dataset::Dataset;
use crate::key_records::{AccessKeyRecord, AccessKeyStatus, KeyTenantRecord};

/// The cleartext of the demo dataset's SCIM key (`Globex SCIM`, `Tenant Admin` of `Globex`):
/// `Authorization: Bearer <ProjectID>:DEMO_SCIM_ACCESS_KEY` calls Globex's `/scim/v2` API.
/// Emulator-only, not a real secret (the dataset stores only its hash).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use descope_emulator::{DEMO_SCIM_ACCESS_KEY, Emulator};
///
/// let emu = Emulator::builder().start().await?; // the demo dataset
/// let users = reqwest::Client::new()
///     .get(format!("{}/scim/v2/Users", emu.base_url()))
///     .bearer_auth(format!("{}:{DEMO_SCIM_ACCESS_KEY}", emu.project_id()))
///     .send()
///     .await?;
/// assert_eq!(users.status(), 200);
/// # Ok(()) }
/// ```
pub const DEMO_SCIM_ACCESS_KEY: &str = "K2DemoGlobexScim-emulator-only-not-a-secret";

/// `expireTime` of generated keys that expire in the future: 2100-01-01.
const FAR_FUTURE: i64 = 4_102_444_800;

const KEY_NAMES: &[&str] = &[
    "CI pipeline",
    "Terraform",
    "Backup job",
    "Reporting",
    "Monitoring",
    "Data sync",
    "Deploy bot",
    "Audit export",
];

const IP_RANGES: &[&str] = &[
    "10.0.0.0/8",
    "192.168.1.0/24",
    "203.0.113.7",
    "2001:db8::/32",
];

/// Adds `spec.access_keys` generated keys. Every sixth key is of each kind: project roles,
/// tenant roles, inactive, expired, bound to a user, and project plus tenant roles with
/// permitted IPs; descriptions, future expiry and creators are drawn at random.
pub(crate) fn add_access_keys(data: &mut Dataset, spec: &GenSpec) {
    if spec.access_keys == 0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x00ac_ce55_0000_6e75);
    let project_roles: Vec<&str> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    let users: Vec<&str> = data
        .users
        .iter()
        .filter(|u| !u.test)
        .map(|u| u.user_id.as_str())
        .collect();
    let keys = (0..spec.access_keys)
        .map(|i| key(i, data, &users, &project_roles, &mut rng))
        .collect();
    data.access_keys = keys;
}

/// The `i`-th key: its kind (`i % 6`) says what it holds (a project role, tenants, inactive,
/// expiring, bound to a user, or a project role and a tenant with permitted IPs).
fn key(
    i: usize,
    data: &Dataset,
    users: &[&str],
    project_roles: &[&str],
    rng: &mut ChaCha8Rng,
) -> AccessKeyRecord {
    let base = KEY_NAMES[i % KEY_NAMES.len()];
    let mut k = AccessKeyRecord::new(random_id(rng, "K2", 28), format!("{base} {}", i + 1));
    k.client_id = random_id(rng, "C2", 28);
    k.created_time = BASE_TIME + i as i64 * 60;
    k.set_cleartext(&random_id(rng, "", 64));
    if rng.random_bool(0.5) {
        k.description = format!("{base} access for automation");
    }
    if !users.is_empty() && rng.random_bool(0.5) {
        k.created_by = users[rng.random_range(0..users.len())].to_owned();
    }
    if rng.random_bool(0.2) {
        k.expire_time = FAR_FUTURE;
    }
    match i % 6 {
        0 => add_project_role(&mut k, project_roles, rng),
        1 => {
            add_tenant(&mut k, data, project_roles, rng);
            if rng.random_bool(0.3) {
                add_tenant(&mut k, data, project_roles, rng);
            }
        }
        2 => {
            k.status = AccessKeyStatus::Inactive;
            add_project_role(&mut k, project_roles, rng);
        }
        3 => {
            k.expire_time = BASE_TIME + 86_400 * (1 + i as i64 % 365);
            add_tenant(&mut k, data, project_roles, rng);
        }
        4 => {
            if !users.is_empty() {
                k.bound_user_id = users[rng.random_range(0..users.len())].to_owned();
            }
        }
        _ => {
            add_project_role(&mut k, project_roles, rng);
            add_tenant(&mut k, data, project_roles, rng);
            let n = rng.random_range(1..=2);
            for _ in 0..n {
                let ip = pick(rng, IP_RANGES).to_owned();
                if !k.permitted_ips.contains(&ip) {
                    k.permitted_ips.push(ip);
                }
            }
        }
    }
    if rng.random_bool(0.1) {
        k.custom_attributes.insert(
            "team".into(),
            ["platform", "data", "security"][i % 3].into(),
        );
    }
    k
}

fn add_project_role(k: &mut AccessKeyRecord, project_roles: &[&str], rng: &mut ChaCha8Rng) {
    if !project_roles.is_empty() {
        k.role_names.push(pick(rng, project_roles).to_owned());
    }
}

/// A random tenant the key is not in yet, with (sometimes) one of its roles and `Tenant Admin`.
fn add_tenant(
    k: &mut AccessKeyRecord,
    data: &Dataset,
    project_roles: &[&str],
    rng: &mut ChaCha8Rng,
) {
    if data.tenants.is_empty() {
        return;
    }
    let t = &data.tenants[rng.random_range(0..data.tenants.len())];
    if k.tenant(&t.id).is_some() {
        return;
    }
    let own: Vec<&str> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id == t.id)
        .map(|r| r.name.as_str())
        .collect();
    let mut roles = Vec::new();
    if !own.is_empty() && rng.random_bool(0.7) {
        roles.push(pick(rng, &own).to_owned());
    }
    // Tenant Admin keys are the ones that could drive the tenant's SCIM API.
    if project_roles.contains(&"Tenant Admin") && rng.random_bool(0.3) {
        roles.push("Tenant Admin".to_owned());
    }
    k.key_tenants
        .push(KeyTenantRecord::new(t.id.clone(), t.name.clone(), roles));
}

/// The demo's five keys: a CI key with a project role, Globex's SCIM key
/// ([`DEMO_SCIM_ACCESS_KEY`]), an inactive key, an expired key of Acme Corp, and a key bound to
/// the first demo user. Their secrets other than the SCIM key's are not known; rotate one
/// through the API to get a usable cleartext.
pub(crate) fn demo_keys(data: &mut Dataset) {
    let tenant = |name: &str| {
        data.tenants
            .iter()
            .find(|t| t.name == name)
            .map(|t| (t.id.clone(), t.name.clone()))
    };
    let mut rng = ChaCha8Rng::seed_from_u64(0x00de_0ac5);
    let mut key = |id: &str, name: &str, created: i64| {
        let mut k = AccessKeyRecord::new(id, name);
        k.client_id = random_id(&mut rng, "C2", 28);
        k.created_time = BASE_TIME + created;
        k.set_cleartext(&random_id(&mut rng, "", 64));
        k
    };

    let mut ci = key("K2DemoCiPipeline00000000000", "CI pipeline", 100);
    ci.description = "Read-only access for the CI pipeline".into();
    ci.role_names.push("Viewer".into());
    ci.permitted_ips.push("10.0.0.0/8".into());

    let mut scim = key("K2DemoGlobexScim00000000000", "Globex SCIM", 200);
    scim.description = "Globex's identity provider provisions users over SCIM".into();
    if let Some((id, name)) = tenant("Globex") {
        scim.key_tenants
            .push(KeyTenantRecord::new(id, name, vec!["Tenant Admin".into()]));
    }
    scim.set_cleartext(DEMO_SCIM_ACCESS_KEY);

    let mut legacy = key("K2DemoLegacyImport000000000", "Legacy importer", 300);
    legacy.status = AccessKeyStatus::Inactive;
    legacy.role_names.push("Editor".into());

    let mut partner = key("K2DemoExpiredPartner0000000", "Acme partner (expired)", 400);
    partner.expire_time = BASE_TIME + 86_400 * 30;
    if let Some((id, name)) = tenant("Acme Corp") {
        partner
            .key_tenants
            .push(KeyTenantRecord::new(id, name, vec!["Approver".into()]));
    }

    let mut bound = key("K2DemoSupportBot00000000000", "Support bot", 500);
    if let Some(u) = data.users.iter().find(|u| !u.test) {
        bound.bound_user_id.clone_from(&u.user_id);
        bound.created_by.clone_from(&u.user_id);
    }

    data.access_keys = vec![ci, scim, legacy, partner, bound];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_nothing_else_and_cover_every_kind() {
        let spec = GenSpec {
            users: 300,
            tenants: 6,
            ..GenSpec::default()
        };
        let plain = Dataset::generate(&spec);
        assert!(plain.access_keys.is_empty());
        let with = Dataset::generate(&GenSpec {
            access_keys: 40,
            ..spec.clone()
        });
        assert_eq!(
            with,
            Dataset::generate(&GenSpec {
                access_keys: 40,
                ..spec
            })
        );
        with.validate().unwrap();
        let mut without = with.clone();
        without.access_keys.clear();
        assert_eq!(without, plain);

        let k = &with.access_keys;
        assert_eq!(k.len(), 40);
        assert!(k.iter().any(|k| !k.role_names.is_empty()));
        assert!(k.iter().any(|k| !k.key_tenants.is_empty()));
        assert!(k.iter().any(|k| k.status == AccessKeyStatus::Inactive));
        assert!(k.iter().any(|k| k.is_expired_at(BASE_TIME + 86_400 * 400)));
        assert!(k.iter().any(|k| k.expire_time == FAR_FUTURE));
        assert!(k.iter().any(|k| !k.permitted_ips.is_empty()));
        assert!(k.iter().any(|k| !k.description.is_empty()));
        assert!(k.iter().all(|k| !k.secret_hash.is_empty()));
        for b in k.iter().filter(|k| !k.bound_user_id.is_empty()) {
            assert!(with.users.iter().any(|u| u.user_id == b.bound_user_id));
        }
        assert!(k.iter().any(|k| !k.bound_user_id.is_empty()));
    }

    #[test]
    fn demo_keys_are_pinned() {
        let d = Dataset::demo();
        let names: Vec<&str> = d.access_keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "CI pipeline",
                "Globex SCIM",
                "Legacy importer",
                "Acme partner (expired)",
                "Support bot"
            ]
        );
        assert!(d.access_keys[1].cleartext_matches(DEMO_SCIM_ACCESS_KEY));
        assert_eq!(d.access_keys[1].key_tenants[0].tenant_name, "Globex");
        assert!(!d.access_keys[4].bound_user_id.is_empty());
    }
}
