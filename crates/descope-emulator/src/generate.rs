//! The deterministic dataset generator behind [`Dataset::generate`] and [`Dataset::demo`].
//!
//! [`Dataset::generate`]: crate::Dataset::generate
//! [`Dataset::demo`]: crate::Dataset::demo

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dataset::Dataset;
use crate::records::{
    GroupMemberRecord, GroupRecord, PermissionRecord, RoleRecord, TenantRecord, UserRecord,
    UserStatus, UserTenantRecord,
};

/// Sizes and seed of a generated [`Dataset`]. `Default` is small (50 users, 5 tenants).
///
/// Construct it with struct update syntax so new fields (which always have defaults) do not
/// break callers: `GenSpec { users: 100_000, ..GenSpec::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSpec {
    /// Number of users, test users included.
    pub users: usize,
    /// Number of tenants; every fourth one after the first is a sub-tenant of an earlier one.
    pub tenants: usize,
    /// Number of project-level roles.
    pub project_roles: usize,
    /// Number of tenant-scoped roles **per tenant**.
    pub tenant_roles: usize,
    /// Number of permissions.
    pub permissions: usize,
    /// How many of the users are test users (the last ones generated).
    pub test_users: usize,
    /// Groups per tenant whose `authType` is `saml` or `oidc`.
    pub groups_per_sso_tenant: usize,
    /// How many tenants have SSO (`authType` `saml` or `oidc`, alternately), spread evenly over
    /// the tenants; the others have `none`. `None` (the default) keeps the usual mix: two
    /// tenants in three, in the order `none`, `saml`, `oidc`.
    pub sso_tenants: Option<usize>,
    /// How many tenants *without* SSO hold SCIM groups anyway (`groups_per_sso_tenant` each,
    /// source `scim`, members flagged `SCIM`): the reading of Descope's undocumented behaviour in
    /// which a tenant whose `authType` is `none` can hold groups (SCIM provisioning without SSO,
    /// or groups left after its SSO configuration was removed). Default 0, the other reading.
    /// Drawn after everything else from the same stream, so a spec with 0 gives the dataset it
    /// gave before this field existed.
    pub scim_tenants_without_sso: usize,
    /// Extra tenant memberships per user, on top of the usual mix (mostly one tenant, some
    /// none, a few two); each comes with the usual chance of a tenant role and of a project role
    /// within the tenant. Raises the number of grants per user for scale benchmarks. Default 0,
    /// which draws no extra random numbers, so datasets of earlier specs are unchanged.
    pub extra_tenants_per_user: usize,
    /// Access keys: a mix of project-role, tenant-role, inactive, expired, user-bound and
    /// IP-restricted keys, drawn from their own RNG stream after everything else, so adding keys
    /// changes nothing else. Default 0 (datasets of earlier specs are unchanged).
    pub access_keys: usize,
    /// SSO applications (alternately SAML and OIDC, every fourth disabled; SAML ones map
    /// tenant groups to project roles). When there are any, about half the users list one to
    /// three of them in `ssoAppIds` and the others none (which Descope reads as every app).
    /// Drawn from their own RNG stream after everything else and changing only users'
    /// `ssoAppIds`; default 0 (datasets of earlier specs are unchanged).
    pub sso_apps: usize,
    /// Most sign-ins per user: when above 0, about three in four users who are not invited get
    /// 1 to this many sign-ins at times in the 29 days before
    /// [`Dataset::activity_as_of`](crate::Dataset::activity_as_of), each with a `LoginSucceed`
    /// audit record, and some users get `LoginFailed` records. Own RNG stream (shared with
    /// `sso_apps`); default 0 (no sign-ins, no audit, datasets of earlier specs unchanged).
    pub logins_per_user: usize,
    /// Third-party (inbound) applications, each with `read` and `admin` permission scopes (a
    /// project role each) and an `email` attribute scope. About one user in six (not invited)
    /// consents to one or two of them, to some of their scopes, half the time within the user's
    /// first tenant. Own RNG stream, drawn after everything else; default 0 (datasets of
    /// earlier specs are unchanged).
    pub third_party_apps: usize,
    /// Outbound applications (Google Drive, Slack, GitHub, Salesforce, ...). About one user in
    /// six (not invited) holds a token for one or two of them (never expiring for good: each
    /// has a refresh token). Same RNG stream as `third_party_apps`; default 0.
    pub outbound_apps: usize,
    /// RNG seed: the same spec gives the same dataset.
    pub seed: u64,
}

impl Default for GenSpec {
    fn default() -> Self {
        Self {
            users: 50,
            tenants: 5,
            project_roles: 5,
            tenant_roles: 2,
            permissions: 10,
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
            seed: 42,
        }
    }
}

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
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Epoch seconds of 2023-11-14: generated creation times count up from here.
pub(crate) const BASE_TIME: i64 = 1_700_000_000;

/// A Descope-looking id: `prefix` followed by random alphanumerics up to `len` characters.
pub(crate) fn random_id(rng: &mut impl Rng, prefix: &str, len: usize) -> String {
    let mut s = String::with_capacity(len);
    s.push_str(prefix);
    while s.len() < len {
        s.push(char::from(ALNUM[rng.random_range(0..ALNUM.len())]));
    }
    s
}

pub(crate) fn pick<'a>(rng: &mut impl Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

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

pub(crate) fn generate(spec: &GenSpec) -> Dataset {
    generate_with(spec, None)
}

pub(crate) fn demo() -> Dataset {
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
    crate::generate_keys::demo_keys(&mut data);
    crate::generate_activity::demo_activity(&mut data);
    crate::generate_grants::demo_grants(&mut data);
    data
}

fn generate_with(spec: &GenSpec, tenant_names: Option<&[&str]>) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut data = Dataset::new();

    for i in 0..spec.permissions {
        let verb = PERMISSION_VERBS[i % PERMISSION_VERBS.len()];
        let area = nth_name(PERMISSION_AREAS, i / PERMISSION_VERBS.len());
        let mut p = PermissionRecord::new(format!("PRM{i:05}"), format!("{}:{verb}", slug(&area)));
        p.description = format!("Can {verb} {area}");
        data.permissions.push(p);
    }

    let mut role_seq = 0usize;
    let mut make_role =
        |rng: &mut ChaCha8Rng, name: String, tenant_id: &str, perms: &[PermissionRecord]| {
            let mut r = RoleRecord::new(format!("ROL{role_seq:06}"), name, tenant_id);
            r.created_time = BASE_TIME + role_seq as i64;
            role_seq += 1;
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
        };
    for i in 0..spec.project_roles {
        let r = make_role(&mut rng, nth_name(PROJECT_ROLES, i), "", &data.permissions);
        data.roles.push(r);
    }

    for i in 0..spec.tenants {
        let name = match tenant_names.and_then(|n| n.get(i)) {
            Some(n) => (*n).to_owned(),
            None => nth_name(TENANT_WORDS, i),
        };
        let mut t = TenantRecord::new(random_id(&mut rng, "T2", 28), name);
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
            let r = make_role(
                &mut rng,
                nth_name(TENANT_ROLES, j),
                &t.id,
                &data.permissions,
            );
            data.roles.push(r);
        }
        data.tenants.push(t);
    }

    let project_roles: Vec<&str> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    let test_from = spec.users.saturating_sub(spec.test_users);
    data.users.reserve(spec.users);
    for i in 0..spec.users {
        let given = pick(&mut rng, GIVEN);
        let family = pick(&mut rng, FAMILY);
        let test = i >= test_from;
        let mut u = UserRecord::new(random_id(&mut rng, "U2", 28), String::new());
        let tenant_count = if data.tenants.is_empty() {
            0
        } else {
            // Mostly one tenant, some none, a few two; plus the extra ones asked for.
            let usual = match rng.random_range(0..10) {
                0 => 0,
                1 => 2,
                _ => 1,
            };
            (usual + spec.extra_tenants_per_user).min(data.tenants.len())
        };
        let first_tenant = if data.tenants.is_empty() {
            0
        } else {
            rng.random_range(0..data.tenants.len())
        };
        let domain = match tenant_count {
            0 => "example.org".to_owned(),
            _ => format!("{}.example.com", slug(&data.tenants[first_tenant].name)),
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
        u.test = test;
        u.password = rng.random_bool(0.5);
        u.totp = rng.random_bool(0.1);
        u.webauthn = rng.random_bool(0.1);
        if rng.random_bool(0.2) {
            u.oauth.insert("google".into(), true);
        }
        if !project_roles.is_empty() && rng.random_bool(0.4) {
            u.role_names.push(pick(&mut rng, &project_roles).to_owned());
        }
        for k in 0..tenant_count {
            let t = &data.tenants[(first_tenant + k) % data.tenants.len()];
            let mut m = UserTenantRecord::new(t.id.clone(), t.name.clone(), Vec::new());
            // Roles within the tenant: its own roles and, sometimes, a project role.
            if spec.tenant_roles > 0 && rng.random_bool(0.6) {
                m.role_names.push(nth_name(
                    TENANT_ROLES,
                    rng.random_range(0..spec.tenant_roles),
                ));
            }
            if !project_roles.is_empty() && rng.random_bool(0.25) {
                let r = pick(&mut rng, &project_roles).to_owned();
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
        if rng.random_bool(0.05) {
            u.scim = true;
        }
        u.custom_attributes
            .insert("department".into(), ["eng", "sales", "ops"][i % 3].into());
        data.users.push(u);
    }

    add_groups(&mut data, spec, &mut rng);
    crate::generate_keys::add_access_keys(&mut data, spec);
    crate::generate_activity::add_activity(&mut data, spec);
    crate::generate_grants::add_grants(&mut data, spec);
    data
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
        let a = generate(&spec);
        assert_eq!(a, generate(&spec));
        a.validate().unwrap();
        assert_eq!(a.users.iter().filter(|u| u.test).count(), spec.test_users);
        assert_eq!(
            a.roles.len(),
            spec.project_roles + spec.tenants * spec.tenant_roles
        );
        assert!(a.tenants.iter().any(|t| !t.parent.is_empty()));
        let other = generate(&GenSpec { seed: 1, ..spec });
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
