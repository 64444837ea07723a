//! The deterministic dataset generator: [`Dataset::generate`] and [`Dataset::demo`], built on
//! the data model (the records and the dataset) below it. Users, tenants, roles, permissions and
//! groups are drawn here; access keys ([`keys`]), SSO applications, sign-ins and the audit
//! trail ([`activity`]), and third-party and outbound applications ([`grants`]) from RNG
//! streams of their own.

mod activity;
mod grants;
mod keys;
mod random;
mod spec;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use self::keys::DEMO_SCIM_ACCESS_KEY;
pub(crate) use self::random::random_id;
use self::random::{BASE_TIME, pick};
pub use self::spec::GenSpec;
use crate::dataset::Dataset;
use crate::records::{
    GroupMemberRecord, GroupRecord, PermissionRecord, RoleRecord, TenantRecord, UserRecord,
    UserStatus, UserTenantRecord,
};

const GIVEN: &[&str] = &[
    "Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "Edsger",
    "Radia", "Tim", "Shafi", "Donald", "Sophie", "John", "Hedy", "Niklaus", "Joan", "Bjarne",
];
const FAMILY: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Goldwasser",
    "Knuth",
    "Wilson",
    "McCarthy",
    "Lamarr",
    "Wirth",
    "Clarke",
    "Stroustrup",
];
const TENANT_WORDS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Vandelay",
    "Pied Piper",
    "Massive Dynamic",
    "Oscorp",
];
const PROJECT_ROLES: &[&str] = &[
    "Tenant Admin",
    "Viewer",
    "Editor",
    "Auditor",
    "Billing Manager",
    "Support",
    "Developer",
    "Owner",
];
// "Editor" appears in both lists on purpose: a tenant role may share a project role's name.
const TENANT_ROLES: &[&str] = &[
    "Editor",
    "Approver",
    "Analyst",
    "Support Agent",
    "Reviewer",
    "Operator",
];
const PERMISSION_AREAS: &[&str] = &[
    "users", "billing", "reports", "projects", "settings", "audit", "secrets", "tickets",
];
const PERMISSION_VERBS: &[&str] = &["read", "write", "delete", "approve"];
/// `base` while `i < list.len()`, then `base N` so names stay unique.
fn nth_name(list: &[&str], i: usize) -> String {
    let base = list[i % list.len()];
    match i / list.len() {
        0 => base.to_owned(),
        n => format!("{base} {}", n + 1),
    }
}

fn slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' | '-' => Some('-'),
            _ => None,
        })
        .collect()
}

impl Dataset {
    /// The small named demo dataset the examples use: 36 users across three tenants
    /// (`Acme Corp`, `Globex`, and `Initech`, a sub-tenant of `Globex`), with project roles,
    /// tenant roles, permissions, two test users, a disabled and an invited user, groups with
    /// members, and five access keys: `CI pipeline` (project role `Viewer`, permitted IPs),
    /// `Globex SCIM` (`Tenant Admin` of Globex; its cleartext is [`DEMO_SCIM_ACCESS_KEY`]),
    /// `Legacy importer` (inactive), `Acme partner (expired)` and `Support bot` (bound to the
    /// first user). Three SSO applications: `Wiki` (SAML, whose groups mapping maps a Globex
    /// group to a project role), `Expenses` (OIDC) and `Legacy CRM` (SAML, disabled); some
    /// users list applications, the others none (which means all). Most users have sign-ins
    /// in the 30 days before [`activity_as_of`](Self::activity_as_of), with a matching audit
    /// trail (`LoginSucceed`, some `LoginFailed`). Two third-party applications (`Partner Portal`,
    /// `Analytics Bot`) with consents of a few users (one tenant-level consent, one expired), and
    /// two outbound applications (`Google Drive`, `Slack`) with a few users' tokens (one tied to a
    /// tenant, one expired without a refresh token).
    ///
    /// [`DEMO_SCIM_ACCESS_KEY`]: crate::DEMO_SCIM_ACCESS_KEY
    ///
    /// It is the same on every call.
    pub fn demo() -> Self {
        demo()
    }

    /// Generates a dataset of the given sizes; the same spec always gives the same dataset.
    ///
    /// ```
    /// use descope_emulator::{Dataset, GenSpec};
    ///
    /// let spec = GenSpec { users: 1_000, tenants: 20, ..GenSpec::default() };
    /// let data = Dataset::generate(&spec);
    /// assert_eq!(data.users.len(), 1_000);
    /// assert_eq!(data.tenants.len(), 20);
    /// ```
    pub fn generate(spec: &GenSpec) -> Self {
        generate_with(spec, None)
    }
}

fn demo() -> Dataset {
    let spec = GenSpec {
        users: 36,
        tenants: 3,
        project_roles: 4,
        tenant_roles: 2,
        permissions: 8,
        test_users: 2,
        groups_per_sso_tenant: 2,
        sso_tenants: None,
        scim_tenants_without_sso: 0,
        extra_tenants_per_user: 0,
        access_keys: 0,
        sso_apps: 0,
        logins_per_user: 0,
        third_party_apps: 0,
        outbound_apps: 0,
        seed: 7,
    };
    let mut data = generate_with(&spec, Some(&["Acme Corp", "Globex", "Initech"]));
    // Pin the cases the examples show off, whatever the RNG drew.
    if let Some(u) = data.users.get_mut(3) {
        u.status = UserStatus::Disabled;
    }
    if let Some(u) = data.users.get_mut(5) {
        u.status = UserStatus::Invited;
    }
    keys::demo_keys(&mut data);
    activity::demo_activity(&mut data);
    grants::demo_grants(&mut data);
    data
}

fn generate_with(spec: &GenSpec, tenant_names: Option<&[&str]>) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut data = Dataset::new();
    add_permissions(&mut data, spec);
    let mut roles = RoleMaker::default();
    for i in 0..spec.project_roles {
        let r = roles.make(&mut rng, nth_name(PROJECT_ROLES, i), "", &data.permissions);
        data.roles.push(r);
    }
    add_tenants(&mut data, spec, tenant_names, &mut roles, &mut rng);
    add_users(&mut data, spec, &mut rng);
    add_groups(&mut data, spec, &mut rng);
    keys::add_access_keys(&mut data, spec);
    activity::add_activity(&mut data, spec);
    grants::add_grants(&mut data, spec);
    data
}

fn add_permissions(data: &mut Dataset, spec: &GenSpec) {
    for i in 0..spec.permissions {
        let verb = PERMISSION_VERBS[i % PERMISSION_VERBS.len()];
        let area = nth_name(PERMISSION_AREAS, i / PERMISSION_VERBS.len());
        let mut p = PermissionRecord::new(format!("PRM{i:05}"), format!("{}:{verb}", slug(&area)));
        p.description = format!("Can {verb} {area}");
        data.permissions.push(p);
    }
}

/// Makes roles with ids and creation times in sequence, project and tenant roles alike.
#[derive(Default)]
struct RoleMaker {
    seq: usize,
}

impl RoleMaker {
    /// A role named `name` in `tenant_id`'s scope (empty: the project's) with one to three of
    /// `perms`.
    fn make(
        &mut self,
        rng: &mut ChaCha8Rng,
        name: String,
        tenant_id: &str,
        perms: &[PermissionRecord],
    ) -> RoleRecord {
        let mut r = RoleRecord::new(format!("ROL{:06}", self.seq), name, tenant_id);
        r.created_time = BASE_TIME + self.seq as i64;
        self.seq += 1;
        if !perms.is_empty() {
            let n = rng.random_range(1..=perms.len().min(3));
            for _ in 0..n {
                let p = &perms[rng.random_range(0..perms.len())].name;
                if !r.permission_names.contains(p) {
                    r.permission_names.push(p.clone());
                }
            }
        }
        r.description = format!("{} role", r.name);
        r
    }
}

/// Tenants, each followed by its own roles.
fn add_tenants(
    data: &mut Dataset,
    spec: &GenSpec,
    tenant_names: Option<&[&str]>,
    roles: &mut RoleMaker,
    rng: &mut ChaCha8Rng,
) {
    for i in 0..spec.tenants {
        let name = match tenant_names.and_then(|n| n.get(i)) {
            Some(n) => (*n).to_owned(),
            None => nth_name(TENANT_WORDS, i),
        };
        let mut t = TenantRecord::new(random_id(rng, "T2", 28), name);
        let domain = format!("{}.example.com", slug(&t.name));
        t.created_time = BASE_TIME + i as i64 * 3_600;
        t.auth_type = match spec.sso_tenants {
            None => ["none", "saml", "oidc"][i % 3],
            // Tenant i has SSO when it starts a new share of `sso` over `tenants` (evenly spread).
            Some(sso) if (i * sso) / spec.tenants != ((i + 1) * sso) / spec.tenants => {
                if (i * sso / spec.tenants).is_multiple_of(2) {
                    "saml"
                } else {
                    "oidc"
                }
            }
            Some(_) => "none",
        }
        .to_owned();
        t.enforce_sso = t.auth_type == "saml" && i % 2 == 0;
        if i % 2 == 0 {
            t.self_provisioning_domains.push(domain.clone());
        }
        if t.auth_type != "none" {
            t.domains.push(domain);
        }
        // Every fourth tenant (and the third of the demo's three) hangs under an earlier one.
        if i > 0 && (i % 4 == 3 || (tenant_names.is_some() && i == 2)) {
            t.parent = data.tenants[rng.random_range(0..i)].id.clone();
        }
        t.custom_attributes
            .insert("plan".into(), ["free", "pro", "enterprise"][i % 3].into());
        for j in 0..spec.tenant_roles {
            let r = roles.make(rng, nth_name(TENANT_ROLES, j), &t.id, &data.permissions);
            data.roles.push(r);
        }
        data.tenants.push(t);
    }
}

fn add_users(data: &mut Dataset, spec: &GenSpec, rng: &mut ChaCha8Rng) {
    let project_roles: Vec<&str> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    let test_from = spec.users.saturating_sub(spec.test_users);
    data.users.reserve(spec.users);
    for i in 0..spec.users {
        let u = user(i, i >= test_from, spec, &data.tenants, &project_roles, rng);
        data.users.push(u);
    }
}

/// How long after its creation the `i`-th user was last modified, in seconds: never for every
/// fourth user, else a spread up to 30 days. A function of `i` alone, drawing no random
/// number, so the datasets of earlier specs gain the `modifiedTime` field and nothing else
/// changes.
fn modified_after(i: usize) -> i64 {
    const THIRTY_DAYS: u64 = 30 * 86_400;
    if i.is_multiple_of(4) {
        return 0;
    }
    let spread = (i as u64).wrapping_mul(7_919) % THIRTY_DAYS + 1;
    i64::try_from(spread).unwrap_or(0)
}

/// The `i`-th user: a name, an email at its first tenant's domain, a status, sign-in methods,
/// project roles and tenant memberships.
fn user(
    i: usize,
    test: bool,
    spec: &GenSpec,
    tenants: &[TenantRecord],
    project_roles: &[&str],
    rng: &mut ChaCha8Rng,
) -> UserRecord {
    let given = pick(rng, GIVEN);
    let family = pick(rng, FAMILY);
    let mut u = UserRecord::new(random_id(rng, "U2", 28), String::new());
    let tenant_count = if tenants.is_empty() {
        0
    } else {
        // Mostly one tenant, some none, a few two; plus the extra ones asked for.
        let usual = match rng.random_range(0..10) {
            0 => 0,
            1 => 2,
            _ => 1,
        };
        (usual + spec.extra_tenants_per_user).min(tenants.len())
    };
    let first_tenant = if tenants.is_empty() {
        0
    } else {
        rng.random_range(0..tenants.len())
    };
    let domain = match tenant_count {
        0 => "example.org".to_owned(),
        _ => format!("{}.example.com", slug(&tenants[first_tenant].name)),
    };
    let email = if test {
        format!("test.user{i}@test.example.org")
    } else {
        format!(
            "{}.{}{i}@{domain}",
            given.to_ascii_lowercase(),
            family.to_ascii_lowercase()
        )
    };
    u.login_ids[0].clone_from(&email);
    u.email = email;
    u.given_name = given.to_owned();
    u.family_name = family.to_owned();
    u.name = format!("{given} {family}");
    u.verified_email = rng.random_bool(0.9);
    if rng.random_bool(0.3) {
        u.phone = format!("+1555{:07}", i % 10_000_000);
        u.verified_phone = rng.random_bool(0.5);
    }
    u.status = match rng.random_range(0..100) {
        0..=5 => UserStatus::Disabled,
        6..=9 => UserStatus::Invited,
        10 => UserStatus::Expired,
        _ => UserStatus::Enabled,
    };
    u.created_time = BASE_TIME + i as i64 * 37;
    u.modified_time = u.created_time + modified_after(i);
    u.test = test;
    u.password = rng.random_bool(0.5);
    u.totp = rng.random_bool(0.1);
    u.webauthn = rng.random_bool(0.1);
    if rng.random_bool(0.2) {
        u.oauth.insert("google".into(), true);
    }
    if !project_roles.is_empty() && rng.random_bool(0.4) {
        u.role_names.push(pick(rng, project_roles).to_owned());
    }
    for k in 0..tenant_count {
        let t = &tenants[(first_tenant + k) % tenants.len()];
        add_membership(&mut u, t, spec, project_roles, rng);
    }
    if rng.random_bool(0.05) {
        u.scim = true;
    }
    u.custom_attributes
        .insert("department".into(), ["eng", "sales", "ops"][i % 3].into());
    u
}

/// A membership of `t`, with (sometimes) one of its own roles and a project role within it.
fn add_membership(
    u: &mut UserRecord,
    t: &TenantRecord,
    spec: &GenSpec,
    project_roles: &[&str],
    rng: &mut ChaCha8Rng,
) {
    let mut m = UserTenantRecord::new(t.id.clone(), t.name.clone(), Vec::new());
    // Roles within the tenant: its own roles and, sometimes, a project role.
    if spec.tenant_roles > 0 && rng.random_bool(0.6) {
        m.role_names.push(nth_name(
            TENANT_ROLES,
            rng.random_range(0..spec.tenant_roles),
        ));
    }
    if !project_roles.is_empty() && rng.random_bool(0.25) {
        let r = pick(rng, project_roles).to_owned();
        if !m.role_names.contains(&r) {
            m.role_names.push(r);
        }
    }
    if t.auth_type == "saml" {
        u.saml = true;
        u.external_ids.push(format!("{}@idp", u.login_ids[0]));
    }
    u.user_tenants.push(m);
}

fn add_groups(data: &mut Dataset, spec: &GenSpec, rng: &mut ChaCha8Rng) {
    let sso: Vec<usize> = (0..data.tenants.len())
        .filter(|&i| data.tenants[i].auth_type != "none")
        .collect();
    for i in sso {
        let source = if data.tenants[i].auth_type == "saml" {
            "scim"
        } else {
            "jit"
        };
        add_tenant_groups(data, i, source, spec.groups_per_sso_tenant, rng);
    }
    // The reading in which a tenant without SSO holds SCIM groups: the first of every
    // `plain / k` tenants without SSO, its groups' members provisioned by SCIM.
    let plain: Vec<usize> = (0..data.tenants.len())
        .filter(|&i| data.tenants[i].auth_type == "none")
        .collect();
    let k = spec.scim_tenants_without_sso.min(plain.len());
    for n in 0..k {
        let i = plain[n * plain.len() / k];
        let first = data.groups.len();
        add_tenant_groups(data, i, "scim", spec.groups_per_sso_tenant, rng);
        let members: std::collections::HashSet<String> = data.groups[first..]
            .iter()
            .flat_map(|g| g.members.iter().map(|m| m.user_id.clone()))
            .collect();
        for u in &mut data.users {
            if members.contains(&u.user_id) {
                u.scim = true;
            }
        }
    }
}

/// `count` groups for tenant `i`, from `source`, sharing out up to 200 of its members.
fn add_tenant_groups(
    data: &mut Dataset,
    i: usize,
    source: &str,
    count: usize,
    rng: &mut ChaCha8Rng,
) {
    let t = &data.tenants[i];
    let members: Vec<&UserRecord> = data
        .users
        .iter()
        .filter(|u| u.tenant(&t.id).is_some())
        .take(200)
        .collect();
    let mut groups = Vec::with_capacity(count);
    for g in 0..count {
        let mut group = GroupRecord {
            tenant_id: t.id.clone(),
            id: random_id(rng, "G", 12),
            display: format!("{} group {}", t.name, g + 1),
            source: source.to_owned(),
            sso_id: String::new(),
            members: Vec::new(),
            external_id: String::new(),
        };
        for (n, u) in members.iter().enumerate() {
            if n % count == g {
                group.members.push(GroupMemberRecord {
                    login_id: u.login_ids.first().cloned().unwrap_or_default(),
                    user_id: u.user_id.clone(),
                    display: u.name.clone(),
                });
            }
        }
        groups.push(group);
    }
    data.groups.extend(groups);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_valid() {
        let spec = GenSpec {
            users: 500,
            tenants: 9,
            ..GenSpec::default()
        };
        let a = Dataset::generate(&spec);
        assert_eq!(a, Dataset::generate(&spec));
        a.validate().unwrap();
        assert_eq!(a.users.iter().filter(|u| u.test).count(), spec.test_users);
        assert_eq!(
            a.roles.len(),
            spec.project_roles + spec.tenants * spec.tenant_roles
        );
        assert!(a.tenants.iter().any(|t| !t.parent.is_empty()));
        let other = Dataset::generate(&GenSpec { seed: 1, ..spec });
        assert_ne!(a, other);
    }

    #[test]
    fn demo_has_three_named_tenants_and_all_statuses_of_interest() {
        let d = demo();
        d.validate().unwrap();
        let names: Vec<&str> = d.tenants.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Acme Corp", "Globex", "Initech"]);
        assert!(!d.tenants[2].parent.is_empty());
        assert!(d.users.iter().any(|u| u.status == UserStatus::Disabled));
        assert!(d.users.iter().any(|u| u.status == UserStatus::Invited));
        assert!(d.users.iter().any(|u| u.test));
        assert!(!d.groups.is_empty());
        assert!(d.groups.iter().all(|g| !g.members.is_empty()));
        // Group members are real users of the group's tenant.
        for g in &d.groups {
            for m in &g.members {
                let u = d.users.iter().find(|u| u.user_id == m.user_id).unwrap();
                assert!(u.tenant(&g.tenant_id).is_some());
                assert_eq!(u.login_ids[0], m.login_id);
            }
        }
    }

    #[test]
    fn demo_apps_assignments_and_sign_ins() {
        let d = demo();
        let names: Vec<(&str, &str, bool)> = d
            .sso_apps
            .iter()
            .map(|a| (a.name.as_str(), a.app_type.as_str(), a.enabled))
            .collect();
        assert_eq!(
            names,
            [
                ("Wiki", "saml", true),
                ("Expenses", "oidc", true),
                ("Legacy CRM", "saml", false)
            ]
        );
        let wiki = d.sso_apps[0].saml_settings.as_ref().unwrap();
        let m = &wiki.groups_mapping[0];
        assert!(d.groups.iter().any(|g| g.display == m.value));
        let editor = d.roles.iter().find(|r| r.id == m.roles[0].id).unwrap();
        assert_eq!(
            (editor.name.as_str(), editor.tenant_id.as_str()),
            ("Editor", "")
        );
        assert!(d.users.iter().any(|u| u.sso_app_ids.is_empty()));
        assert!(d.users.iter().any(|u| u.sso_app_ids.len() == 2));
        let signed_in: std::collections::HashSet<&str> =
            d.login_history.iter().map(|l| l.user_id.as_str()).collect();
        assert!(signed_in.len() * 2 > d.users.len(), "most users signed in");
        assert!(d.audit.iter().any(|a| a.action == "LoginFailed"));

        // The activity leaves users' roles and tenants, and everything else, as they were.
        let mut plain = generate_with(
            &GenSpec {
                users: 36,
                tenants: 3,
                project_roles: 4,
                permissions: 8,
                seed: 7,
                ..GenSpec::default()
            },
            Some(&["Acme Corp", "Globex", "Initech"]),
        );
        plain.users[3].status = UserStatus::Disabled;
        plain.users[5].status = UserStatus::Invited;
        for (a, b) in d.users.iter().zip(&plain.users) {
            assert_eq!(
                (&a.role_names, &a.user_tenants),
                (&b.role_names, &b.user_tenants)
            );
        }
        assert_eq!(
            (&d.tenants, &d.roles, &d.groups),
            (&plain.tenants, &plain.roles, &plain.groups)
        );
    }
}
