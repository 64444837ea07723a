//! What a `.c1z` holds, read back through the SDK's reader, and what it must hold, computed
//! from the emulator's dataset alone (the connector's id rules written again here, so the
//! expectations do not borrow the code under test).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use c1_connector_sdk::store::C1zReader;
use descope_emulator::Dataset;

use super::TestResult;

/// What a `.c1z` holds, as sets of ids (and counts, to catch duplicates).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Contents {
    /// Resource type ids.
    pub resource_types: BTreeSet<String>,
    /// Resources, as `type:id`.
    pub resources: BTreeSet<String>,
    /// Entitlement ids.
    pub entitlements: BTreeSet<String>,
    /// Grant ids.
    pub grants: BTreeSet<String>,
    /// Rows of resources, entitlements and grants (more than the sets hold: a duplicate).
    pub rows: (usize, usize, usize),
}

/// Reads a `.c1z` back through the SDK's reader.
pub fn read(path: &Path) -> TestResult<Contents> {
    let reader = C1zReader::open(path)?;
    let resources = reader.resources()?;
    let entitlements = reader.entitlements()?;
    let grants = reader.grants()?;
    Ok(Contents {
        resource_types: reader.resource_types()?.into_iter().map(|t| t.id).collect(),
        rows: (resources.len(), entitlements.len(), grants.len()),
        resources: resources
            .iter()
            .map(|r| {
                let id = r.resource_id();
                format!("{}:{}", id.resource_type, id.resource)
            })
            .collect(),
        entitlements: entitlements.into_iter().map(|e| e.id).collect(),
        grants: grants.into_iter().map(|g| g.id).collect(),
    })
}

/// The escaping the connector documents for id components (`%`, `/`, `:`), written again here
/// so the expectations do not borrow the code under test.
pub fn enc(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            ':' => out.push_str("%3A"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A principal id, its project roles and its `(tenant, tenant roles)`.
type Holder<'a> = (String, &'a [String], Vec<(&'a str, &'a [String])>);

/// What a sync of `data` must produce, computed from the dataset alone (without
/// `--sync-outbound-connections`).
pub fn expected(data: &Dataset, include_test_users: bool) -> Contents {
    expected_with(data, include_test_users, false)
}

/// What a sync of `data` must produce; `outbound_connections` for a sync with
/// `--sync-outbound-connections` (the emulator's default reading: a user is connected to an
/// application while it holds an unexpired or renewable token for it).
pub fn expected_with(
    data: &Dataset,
    include_test_users: bool,
    outbound_connections: bool,
) -> Contents {
    let tenants: HashSet<&str> = data.tenants.iter().map(|t| t.id.as_str()).collect();
    let project_roles: Vec<&str> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    let mut tenant_roles: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in data.roles.iter().filter(|r| !r.tenant_id.is_empty()) {
        tenant_roles
            .entry(r.tenant_id.as_str())
            .or_default()
            .push(r.name.as_str());
    }
    let own = |t: &str, name: &str| tenant_roles.get(t).is_some_and(|v| v.contains(&name));

    let mut c = Contents {
        resource_types: [
            "user",
            "access_key",
            "tenant",
            "group",
            "role",
            "permission",
            "app",
            "third_party_app",
            "outbound_app",
        ]
        .map(String::from)
        .into(),
        ..Contents::default()
    };
    let mut role_ids = Vec::new();
    for name in &project_roles {
        role_ids.push(format!("project/{}", enc(name)));
    }
    for t in &data.tenants {
        for name in tenant_roles.get(t.id.as_str()).into_iter().flatten() {
            role_ids.push(format!("tenant/{}/{}", enc(&t.id), enc(name)));
        }
        for name in &project_roles {
            if !own(&t.id, name) {
                role_ids.push(format!("tenant/{}/project/{}", enc(&t.id), enc(name)));
            }
        }
        c.resources.insert(format!("tenant:{}", enc(&t.id)));
        c.entitlements
            .insert(format!("tenant:{}:member", enc(&t.id)));
    }
    for id in &role_ids {
        c.resources.insert(format!("role:{id}"));
        c.entitlements.insert(format!("role:{id}:assigned"));
    }
    for p in &data.permissions {
        c.resources.insert(format!("permission:{}", enc(&p.name)));
        c.entitlements
            .insert(format!("permission:{}:granted", enc(&p.name)));
    }
    for r in &data.roles {
        let role_id = if r.tenant_id.is_empty() {
            format!("project/{}", enc(&r.name))
        } else {
            format!("tenant/{}/{}", enc(&r.tenant_id), enc(&r.name))
        };
        for p in &r.permission_names {
            if data.permissions.iter().any(|x| &x.name == p) {
                c.grants
                    .insert(format!("permission:{}:granted:role:{role_id}", enc(p)));
            }
        }
    }
    // Users and access keys hold roles and tenants the same way.
    let mut holders: Vec<Holder<'_>> = Vec::new();
    for u in data.users.iter().filter(|u| include_test_users || !u.test) {
        let tenants = u
            .user_tenants
            .iter()
            .map(|t| (t.tenant_id.as_str(), t.role_names.as_slice()))
            .collect();
        holders.push((format!("user:{}", enc(&u.user_id)), &u.role_names, tenants));
    }
    for k in &data.access_keys {
        let tenants = k
            .key_tenants
            .iter()
            .map(|t| (t.tenant_id.as_str(), t.role_names.as_slice()))
            .collect();
        holders.push((format!("access_key:{}", enc(&k.id)), &k.role_names, tenants));
    }
    for (principal, role_names, user_tenants) in holders {
        c.resources.insert(principal.clone());
        for r in role_names {
            // A project role no listing returned is synced from the assignment all the same.
            if !project_roles.contains(&r.as_str()) {
                c.resources.insert(format!("role:project/{}", enc(r)));
                c.entitlements
                    .insert(format!("role:project/{}:assigned", enc(r)));
            }
            c.grants
                .insert(format!("role:project/{}:assigned:{principal}", enc(r)));
        }
        for (tenant_id, tenant_roles) in user_tenants {
            if !tenants.contains(tenant_id) {
                continue;
            }
            let t = enc(tenant_id);
            c.grants.insert(format!("tenant:{t}:member:{principal}"));
            for r in tenant_roles {
                if own(tenant_id, r) {
                    c.grants
                        .insert(format!("role:tenant/{t}/{}:assigned:{principal}", enc(r)));
                } else if project_roles.contains(&r.as_str()) {
                    c.grants.insert(format!(
                        "role:tenant/{t}/project/{}:assigned:{principal}",
                        enc(r)
                    ));
                } else {
                    // A name no listing returned: the tenant's own role, from the assignment.
                    c.resources.insert(format!("role:tenant/{t}/{}", enc(r)));
                    c.entitlements
                        .insert(format!("role:tenant/{t}/{}:assigned", enc(r)));
                    c.grants
                        .insert(format!("role:tenant/{t}/{}:assigned:{principal}", enc(r)));
                }
            }
        }
    }
    // SSO apps: explicit ssoAppIds, or every app for an empty list.
    let synced: HashSet<&str> = data
        .users
        .iter()
        .filter(|u| include_test_users || !u.test)
        .map(|u| u.user_id.as_str())
        .collect();
    for app in &data.sso_apps {
        let a = enc(&app.id);
        c.resources.insert(format!("app:{a}"));
        c.entitlements.insert(format!("app:{a}:access"));
        for u in data
            .users
            .iter()
            .filter(|u| synced.contains(u.user_id.as_str()))
        {
            if u.sso_app_ids.is_empty() || u.sso_app_ids.contains(&app.id) {
                c.grants
                    .insert(format!("app:{a}:access:user:{}", enc(&u.user_id)));
            }
        }
    }
    // Groups: members that are synced users.
    for g in &data.groups {
        let id = format!("{}/{}", enc(&g.tenant_id), enc(&g.id));
        c.resources.insert(format!("group:{id}"));
        c.entitlements.insert(format!("group:{id}:member"));
        for m in &g.members {
            if synced.contains(m.user_id.as_str()) {
                c.grants
                    .insert(format!("group:{id}:member:user:{}", enc(&m.user_id)));
            }
        }
    }
    // Third-party applications: a `consent` entitlement and one per scope (declared, or named
    // by a consent); a consent's user (or tenant, for a tenant-level one) holds `consent` and
    // each of its scopes.
    let mut apps: BTreeSet<&str> = data
        .third_party_apps
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    apps.extend(data.consents.iter().map(|c| c.app_id.as_str()));
    for app in apps {
        let a = enc(app);
        c.resources.insert(format!("third_party_app:{a}"));
        c.entitlements
            .insert(format!("third_party_app:{a}:consent"));
        if let Some(rec) = data.third_party_apps.iter().find(|x| x.id == app) {
            for s in rec.permissions_scopes.iter().chain(&rec.attributes_scopes) {
                c.entitlements
                    .insert(format!("third_party_app:{a}:scope/{}", enc(&s.name)));
            }
        }
        for consent in data.consents.iter().filter(|x| x.app_id == app) {
            let principal = if !consent.user_id.is_empty() {
                if !synced.contains(consent.user_id.as_str()) {
                    None
                } else {
                    Some(format!("user:{}", enc(&consent.user_id)))
                }
            } else if tenants.contains(consent.tenant_id.as_str()) {
                Some(format!("tenant:{}", enc(&consent.tenant_id)))
            } else {
                None
            };
            for s in &consent.scopes {
                c.entitlements
                    .insert(format!("third_party_app:{a}:scope/{}", enc(s)));
            }
            if let Some(p) = principal {
                c.grants.insert(format!("third_party_app:{a}:consent:{p}"));
                for s in &consent.scopes {
                    c.grants
                        .insert(format!("third_party_app:{a}:scope/{}:{p}", enc(s)));
                }
            }
        }
    }
    // Outbound applications: `connected`, held with --sync-outbound-connections.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    for app in &data.outbound_apps {
        let a = enc(&app.id);
        c.resources.insert(format!("outbound_app:{a}"));
        c.entitlements.insert(format!("outbound_app:{a}:connected"));
        if !outbound_connections {
            continue;
        }
        for t in data.outbound_tokens.iter().filter(|t| t.app_id == app.id) {
            let valid =
                t.has_refresh_token || t.access_token_expiry == 0 || t.access_token_expiry > now;
            if valid && synced.contains(t.user_id.as_str()) {
                c.grants.insert(format!(
                    "outbound_app:{a}:connected:user:{}",
                    enc(&t.user_id)
                ));
            }
        }
    }
    c.rows = (c.resources.len(), c.entitlements.len(), c.grants.len());
    c
}

/// What a file synced while `deleted` users were deleted and `created` ones created must hold:
/// every object of the project after the change that is not about a created user (those are
/// the objects of users present throughout, and of the catalog); and nothing that neither the
/// project before nor the project after explains (a deleted user may appear, with its grants,
/// and so may a created one). No object is written twice.
pub fn assert_exact_under_change(
    got: &Contents,
    data: &Dataset,
    deleted: &[String],
    created: &[String],
    include_test_users: bool,
) {
    let gone: HashSet<&str> = deleted.iter().map(String::as_str).collect();
    let mut after = data.clone();
    after.users.retain(|u| !gone.contains(u.user_id.as_str()));
    for g in &mut after.groups {
        g.members.retain(|m| !gone.contains(m.user_id.as_str()));
    }
    let required = expected(&after, include_test_users);
    let before = expected(data, include_test_users);
    let new: Vec<String> = created.iter().map(|c| enc(c)).collect();
    let about_created = |x: &str| new.iter().any(|c| x.contains(c.as_str()));
    for (kind, req, allowed, have) in [
        (
            "resource",
            &required.resources,
            &before.resources,
            &got.resources,
        ),
        (
            "entitlement",
            &required.entitlements,
            &before.entitlements,
            &got.entitlements,
        ),
        ("grant", &required.grants, &before.grants, &got.grants),
    ] {
        let missing: Vec<&String> = req.difference(have).collect();
        assert!(
            missing.is_empty(),
            "{} {kind}s of the project present throughout are missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        let unexplained: Vec<&String> = have
            .iter()
            .filter(|x| !req.contains(*x) && !allowed.contains(*x) && !about_created(x))
            .collect();
        assert!(
            unexplained.is_empty(),
            "{kind}s neither project explains: {unexplained:?}"
        );
    }
    assert_eq!(
        got.rows,
        (
            got.resources.len(),
            got.entitlements.len(),
            got.grants.len()
        ),
        "no object written twice"
    );
}

/// Everything a `.c1z`'s sync holds, byte for byte: each resource, entitlement and grant
/// (protobuf-encoded), by id.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Resources by `type:id`.
    pub resources: BTreeMap<String, Vec<u8>>,
    /// Entitlements by id.
    pub entitlements: BTreeMap<String, Vec<u8>>,
    /// Grants by id.
    pub grants: BTreeMap<String, Vec<u8>>,
}

impl Snapshot {
    /// Reads the newest finished sync of the `.c1z` at `path`.
    pub fn read(path: &Path) -> TestResult<Snapshot> {
        use prost::Message;
        let reader = C1zReader::open(path)?;
        let mut snapshot = Snapshot::default();
        for r in reader.resources()? {
            let id = r.resource_id();
            snapshot.resources.insert(
                format!("{}:{}", id.resource_type, id.resource),
                r.encode_to_vec(),
            );
        }
        for e in reader.entitlements()? {
            snapshot
                .entitlements
                .insert(e.id.clone(), e.encode_to_vec());
        }
        reader.for_each_grant(|g| {
            snapshot.grants.insert(g.id.clone(), g.encode_to_vec());
            Ok(())
        })?;
        Ok(snapshot)
    }

    /// Panics, naming up to ten differences of each kind, unless `self` equals `other`.
    pub fn assert_same(&self, other: &Snapshot, what: &str) {
        fn diff(
            kind: &str,
            a: &BTreeMap<String, Vec<u8>>,
            b: &BTreeMap<String, Vec<u8>>,
        ) -> Vec<String> {
            let mut out = Vec::new();
            for (id, bytes) in a {
                match b.get(id) {
                    None => out.push(format!("{kind} {id} only in the first")),
                    Some(other) if other != bytes => out.push(format!("{kind} {id} differs")),
                    Some(_) => {}
                }
            }
            for id in b.keys().filter(|id| !a.contains_key(*id)) {
                out.push(format!("{kind} {id} only in the second"));
            }
            out.truncate(10);
            out
        }
        let mut problems = diff("resource", &self.resources, &other.resources);
        problems.extend(diff("entitlement", &self.entitlements, &other.entitlements));
        problems.extend(diff("grant", &self.grants, &other.grants));
        assert!(
            problems.is_empty(),
            "{what}: the files differ ({} resources, {} entitlements, {} grants vs {}, {}, {}):\n{}",
            self.resources.len(),
            self.entitlements.len(),
            self.grants.len(),
            other.resources.len(),
            other.entitlements.len(),
            other.grants.len(),
            problems.join("\n")
        );
    }
}
