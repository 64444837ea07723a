//! SSO applications, users' access to them, sign-ins and the audit trail of generated and demo
//! datasets.
//!
//! All of it comes from its own RNG stream, seeded from the spec's seed, and is added after
//! everything else; it only sets users' `ssoAppIds`. A spec with `sso_apps: 0` and
//! `logins_per_user: 0` gives exactly the dataset it gave before these existed, and any
//! counts leave users' roles and tenants, and every other object, unchanged.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use super::random::{pick, random_id};
use super::spec::GenSpec;
use crate::activity_records::{AuditRecord, LoginRecord};
use crate::app_records::{
    AttributeMappingRecord, GroupsMappingRecord, MappedRoleRecord, SsoAppRecord,
};
use crate::dataset::Dataset;
use crate::records::{RoleRecord, UserRecord, UserStatus};

/// The `activityAsOf` of generated and demo activity: 2026-01-01T00:00:00Z. Sign-ins fall in
/// the 29 days before it; the emulator moves them to its start time.
pub(crate) const ACTIVITY_AS_OF: i64 = 1_767_225_600;

const DAY: i64 = 86_400;

const APP_NAMES: &[&str] = &[
    "Wiki",
    "CRM",
    "Payroll",
    "Ticketing",
    "Analytics",
    "HR Portal",
    "Code Review",
    "Expenses",
    "Status Page",
    "Knowledge Base",
];

/// City, country code and the /24 (documentation ranges) its sign-ins come from.
const PLACES: &[(&str, &str, &str)] = &[
    ("New York", "US", "198.51.100"),
    ("San Francisco", "US", "203.0.113"),
    ("Berlin", "DE", "192.0.2"),
    ("London", "GB", "198.51.100"),
    ("Tel Aviv", "IL", "203.0.113"),
    ("Bengaluru", "IN", "192.0.2"),
    ("Sao Paulo", "BR", "198.51.100"),
    ("Tokyo", "JP", "203.0.113"),
];
const METHODS: &[&str] = &["password", "otp", "magiclink", "oauth", "totp"];
const DEVICES: &[&str] = &["Desktop", "Desktop", "Desktop", "Mobile", "Tablet"];
const FAILURES: &[(&str, &str)] = &[
    ("password", "Invalid password"),
    ("otp", "Invalid OTP code"),
    ("magiclink", "Magic link expired"),
];

fn slug(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "-")
}

/// An application with realistic settings; a SAML one maps `mapping` (group value, roles).
fn app(
    id: String,
    name: &str,
    saml: bool,
    enabled: bool,
    mapping: Vec<(String, Vec<&RoleRecord>)>,
) -> SsoAppRecord {
    let host = format!("{}.example.com", slug(name));
    let idp = format!("https://auth.example.com/sso/idp/app/{id}");
    let mut a = if saml {
        SsoAppRecord::saml(id.clone(), name)
    } else {
        SsoAppRecord::oidc(id.clone(), name)
    };
    a.description = format!("{name} for the whole company");
    a.enabled = enabled;
    a.logo = format!("https://{host}/logo.png");
    let login_page_url = format!("https://auth.example.com/login?flow=sign-in&app={id}");
    if let Some(s) = &mut a.saml_settings {
        s.login_page_url.clone_from(&login_page_url);
        s.idp_cert = format!("MIIC-emulator-certificate-of-{id}");
        s.use_metadata_info = false;
        s.metadata_url = format!("https://{host}/saml/metadata");
        s.entity_id = format!("https://{host}/saml");
        s.acs_url = format!("https://{host}/saml/acs");
        s.acs_allowed_callbacks = vec![format!("https://{host}/saml/acs/alt")];
        s.idp_metadata_url = format!("{idp}/metadata");
        s.idp_entity_id = idp.clone();
        s.idp_sso_url = format!("{idp}/saml");
        s.subject_name_id_type = "email".to_owned();
        s.subject_name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into();
        s.attribute_mapping = vec![
            AttributeMappingRecord::new("email", "email"),
            AttributeMappingRecord::new("name", "name"),
        ];
        s.groups_mapping = mapping
            .into_iter()
            .map(|(value, roles)| GroupsMappingRecord {
                name: "groups".to_owned(),
                kind: "string".to_owned(),
                filter_type: "roles".to_owned(),
                value,
                roles: roles
                    .into_iter()
                    .map(|r| MappedRoleRecord::new(r.id.clone(), r.name.clone()))
                    .collect(),
            })
            .collect();
    }
    if let Some(o) = &mut a.oidc_settings {
        o.login_page_url = login_page_url;
        o.issuer = idp.clone();
        o.discovery_url = format!("{idp}/.well-known/openid-configuration");
        o.client_id = id;
        o.client_type = "confidential".to_owned();
        o.approved_redirect_urls = vec![format!("https://{host}/oauth/callback")];
    }
    a
}

fn project_roles(data: &Dataset) -> Vec<&RoleRecord> {
    data.roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .collect()
}

/// Adds the generated SSO applications, users' `ssoAppIds` and the sign-ins with their audit
/// trail that `spec` asks for.
pub(crate) fn add_activity(data: &mut Dataset, spec: &GenSpec) {
    if spec.sso_apps == 0 && spec.logins_per_user == 0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x5503_a995_0000_1091);
    let roles = project_roles(data);
    let mut apps = Vec::with_capacity(spec.sso_apps);
    for i in 0..spec.sso_apps {
        let base = APP_NAMES[i % APP_NAMES.len()];
        let name = match i / APP_NAMES.len() {
            0 => base.to_owned(),
            n => format!("{base} {}", n + 1),
        };
        let saml = i % 2 == 0;
        // Each SAML app maps up to two of the tenants' groups to project roles.
        let mut mapping = Vec::new();
        for k in 0..2 {
            let Some(role) = roles.get((i + k) % roles.len().max(1)) else {
                break;
            };
            let value = match data.groups.len() {
                0 => format!("{} users", role.name),
                n => data.groups[(2 * i + k) % n].display.clone(),
            };
            mapping.push((value, vec![*role]));
        }
        let id = random_id(&mut rng, "SA2", 28);
        apps.push(app(id, &name, saml, i % 4 != 3, mapping));
    }
    if !apps.is_empty() {
        for u in &mut data.users {
            // About half list applications; the others list none, which means every app.
            if rng.random_bool(0.5) {
                let n = rng.random_range(1..=apps.len().min(3));
                for _ in 0..n {
                    let id = &apps[rng.random_range(0..apps.len())].id;
                    if !u.sso_app_ids.contains(id) {
                        u.sso_app_ids.push(id.clone());
                    }
                }
            }
        }
    }
    data.sso_apps = apps;
    add_logins(data, spec.logins_per_user, &mut rng);
}

/// Sign-ins for most users who are not invited (up to `per_user` each, at times in the 29 days
/// before [`ACTIVITY_AS_OF`]), a `LoginSucceed` audit record for each, and `LoginFailed` ones
/// for some users; the audit trail ends up oldest first.
fn add_logins(data: &mut Dataset, per_user: usize, rng: &mut ChaCha8Rng) {
    if per_user == 0 {
        return;
    }
    let mut history = Vec::new();
    let mut audit = Vec::new();
    for u in &data.users {
        if u.status == UserStatus::Invited || rng.random_range(0..4) == 0 {
            continue;
        }
        for _ in 0..rng.random_range(1..=per_user) {
            let t = ACTIVITY_AS_OF - rng.random_range(600..29 * DAY);
            let (city, country, net) = PLACES[rng.random_range(0..PLACES.len())];
            let mut l = LoginRecord::new(u.user_id.clone(), t);
            l.city = city.to_owned();
            l.country = country.to_owned();
            l.ip = format!("{net}.{}", rng.random_range(1..255));
            if !u.user_tenants.is_empty() {
                let m = &u.user_tenants[rng.random_range(0..u.user_tenants.len())];
                l.selected_tenant.clone_from(&m.tenant_id);
            }
            let method = if u.saml { "saml" } else { pick(rng, METHODS) };
            let ms = t * 1000 + rng.random_range(0..1000);
            let mut a = login_audit(rng, u, "LoginSucceed", ms, method, &l);
            a.device = pick(rng, DEVICES).to_owned();
            audit.push(a);
            history.push(l);
        }
        if rng.random_bool(0.2) {
            for _ in 0..rng.random_range(1..=2) {
                let (method, why) = FAILURES[rng.random_range(0..FAILURES.len())];
                let t = ACTIVITY_AS_OF - rng.random_range(600..29 * DAY);
                let (city, country, net) = PLACES[rng.random_range(0..PLACES.len())];
                let mut l = LoginRecord::new(u.user_id.clone(), t);
                l.city = city.to_owned();
                l.country = country.to_owned();
                l.ip = format!("{net}.{}", rng.random_range(1..255));
                let ms = t * 1000 + rng.random_range(0..1000);
                let mut a = login_audit(rng, u, "LoginFailed", ms, method, &l);
                a.kind = "warn".to_owned();
                a.device = pick(rng, DEVICES).to_owned();
                a.data.insert("error_message".into(), Value::from(why));
                audit.push(a);
            }
        }
    }
    audit.sort_by_key(|a| a.occurred);
    data.login_history = history;
    data.audit = audit;
    data.activity_as_of = Some(ACTIVITY_AS_OF);
}

/// A sign-in's audit record: the user signs in as themselves (`actorId` is their login id).
fn login_audit(
    rng: &mut ChaCha8Rng,
    u: &UserRecord,
    action: &str,
    ms: i64,
    method: &str,
    l: &LoginRecord,
) -> AuditRecord {
    let mut a = AuditRecord::new(random_id(rng, "A2", 28), action, ms);
    a.user_id.clone_from(&u.user_id);
    a.actor_id = u.login_ids.first().cloned().unwrap_or_default();
    a.external_ids.clone_from(&u.login_ids);
    a.method = method.to_owned();
    a.geo.clone_from(&l.country);
    a.remote_address.clone_from(&l.ip);
    if !l.selected_tenant.is_empty() {
        a.tenants.push(l.selected_tenant.clone());
    }
    a.data = Map::new();
    a
}

/// The demo id `prefix` padded with zeros to 28 characters, like Descope's ids.
fn demo_id(prefix: &str) -> String {
    format!("{prefix:0<28}")
}

/// The demo's SSO applications and activity: `Wiki` (SAML, maps the Globex groups to the
/// project roles `Editor` and `Viewer`), `Expenses` (OIDC) and `Legacy CRM` (SAML, disabled);
/// every fourth user lists no application (all of them), the others one or two; sign-ins for
/// most users.
pub(crate) fn demo_activity(data: &mut Dataset) {
    let role = |name: &str| {
        data.roles
            .iter()
            .find(|r| r.tenant_id.is_empty() && r.name == name)
    };
    let group = |n: usize| {
        data.groups
            .iter()
            .filter(|g| g.display.starts_with("Globex"))
            .nth(n)
            .map(|g| g.display.clone())
    };
    let mut mapping = Vec::new();
    for (n, r) in [(0, "Editor"), (1, "Viewer")] {
        if let (Some(value), Some(role)) = (group(n), role(r)) {
            mapping.push((value, vec![role]));
        }
    }
    let wiki = app(demo_id("SA2DemoWiki"), "Wiki", true, true, mapping);
    let expenses = app(demo_id("SA2DemoExpenses"), "Expenses", false, true, vec![]);
    let crm = app(
        demo_id("SA2DemoLegacyCrm"),
        "Legacy CRM",
        true,
        false,
        vec![],
    );
    let lists = [
        vec![],
        vec![wiki.id.clone()],
        vec![wiki.id.clone(), expenses.id.clone()],
        vec![expenses.id.clone(), crm.id.clone()],
    ];
    for (i, u) in data.users.iter_mut().enumerate() {
        u.sso_app_ids.clone_from(&lists[i % lists.len()]);
    }
    data.sso_apps = vec![wiki, expenses, crm];
    let mut rng = ChaCha8Rng::seed_from_u64(0xde30_ac71);
    add_logins(data, 4, &mut rng);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_zero_change_nothing_and_counts_change_only_activity() {
        let plain = GenSpec {
            users: 300,
            tenants: 6,
            ..GenSpec::default()
        };
        let before = Dataset::generate(&plain);
        assert!(before.sso_apps.is_empty() && before.audit.is_empty());
        assert_eq!(before.activity_as_of, None);
        let with = Dataset::generate(&GenSpec {
            sso_apps: 5,
            logins_per_user: 3,
            ..plain
        });
        with.validate().unwrap();
        assert_eq!(
            with,
            Dataset::generate(&GenSpec {
                sso_apps: 5,
                logins_per_user: 3,
                ..plain
            })
        );
        assert_eq!(with.sso_apps.len(), 5);
        assert_eq!(
            (with.tenants.clone(), with.roles.clone()),
            (before.tenants, before.roles)
        );
        assert_eq!(with.groups, before.groups);
        for (a, b) in with.users.iter().zip(&before.users) {
            let mut a = a.clone();
            a.sso_app_ids.clear();
            assert_eq!(&a, b, "only ssoAppIds differ");
        }
        let listing = with
            .users
            .iter()
            .filter(|u| !u.sso_app_ids.is_empty())
            .count();
        assert!(
            listing > 50 && listing < 250,
            "some users list apps, some none: {listing}"
        );
        assert!(with.sso_apps.iter().any(|a| !a.enabled));
        assert!(with.sso_apps.iter().any(|a| a.app_type == "oidc"));
        // Sign-ins: within 29 days before the anchor, one LoginSucceed each, some failures.
        assert_eq!(with.activity_as_of, Some(ACTIVITY_AS_OF));
        assert!(with.login_history.iter().all(|l| {
            l.login_time < ACTIVITY_AS_OF && l.login_time > ACTIVITY_AS_OF - 29 * DAY
        }));
        let ok = with
            .audit
            .iter()
            .filter(|a| a.action == "LoginSucceed")
            .count();
        assert_eq!(ok, with.login_history.len());
        assert!(
            with.audit
                .iter()
                .any(|a| a.action == "LoginFailed" && a.kind == "warn")
        );
        assert!(
            with.audit
                .windows(2)
                .all(|w| w[0].occurred <= w[1].occurred)
        );
        let signed_in: std::collections::HashSet<&str> = with
            .login_history
            .iter()
            .map(|l| l.user_id.as_str())
            .collect();
        assert!(
            signed_in.len() < with.users.len(),
            "some users never signed in"
        );
        // Mappings name real roles, by id and name, and real groups.
        for m in with
            .sso_apps
            .iter()
            .filter_map(|a| a.saml_settings.as_ref())
        {
            for g in &m.groups_mapping {
                assert!(with.groups.iter().any(|x| x.display == g.value));
                for r in &g.roles {
                    assert!(with.roles.iter().any(|x| x.id == r.id && x.name == r.name));
                }
            }
        }
    }
}
