//! Generated access beyond roles: third-party applications with scopes and users' consents,
//! outbound applications and users' tokens. Drawn from their own RNG stream after everything
//! else, so specs without them (`third_party_apps: 0`, `outbound_apps: 0`) give exactly the
//! datasets they gave before.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::activity::ACTIVITY_AS_OF;
use super::random::random_id;
use super::spec::GenSpec;
use crate::dataset::Dataset;
use crate::grant_records::{
    ConsentRecord, OutboundAppRecord, OutboundTokenRecord, ScopeRecord, ThirdPartyAppRecord,
};
use crate::records::UserStatus;

const THIRD_PARTY: &[&str] = &[
    "Partner Portal",
    "Analytics Bot",
    "Support Desk",
    "BI Export",
];
const OUTBOUND: &[(&str, &[&str])] = &[
    ("Google Drive", &["drive.readonly", "drive.file"]),
    ("Slack", &["chat:write", "channels:read"]),
    ("GitHub", &["repo", "read:org"]),
    ("Salesforce", &["api", "refresh_token"]),
];
const DAY: i64 = 86_400;

fn nth(names: &[&str], i: usize) -> String {
    match i / names.len() {
        0 => names[i % names.len()].to_owned(),
        n => format!("{} {}", names[i % names.len()], n + 1),
    }
}

/// A third-party app with two permission scopes (a project role each, when there are any) and
/// an attribute scope.
fn third_party(id: String, name: &str, roles: &[String], i: usize) -> ThirdPartyAppRecord {
    let mut app = ThirdPartyAppRecord::new(id, name);
    app.description = format!("{name}, signing users in with OAuth");
    app.login_page_url = "https://app.example.com/login".into();
    app.approved_callback_urls = vec![format!("https://{}.example.com/callback", i + 1)];
    for (k, scope) in ["read", "admin"].iter().enumerate() {
        let values: Vec<String> = roles
            .get((i + k) % roles.len().max(1))
            .cloned()
            .into_iter()
            .collect();
        app.permissions_scopes
            .push(ScopeRecord::new(*scope, values));
    }
    app.attributes_scopes
        .push(ScopeRecord::new("email", ["email"]));
    app
}

/// A non-empty subset of `names`, in their order.
fn some_of(rng: &mut ChaCha8Rng, names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .filter(|_| rng.random_bool(0.5))
        .cloned()
        .collect();
    if out.is_empty() {
        out.push(names[rng.random_range(0..names.len())].clone());
    }
    out
}

pub(crate) fn add_grants(data: &mut Dataset, spec: &GenSpec) {
    if spec.third_party_apps == 0 && spec.outbound_apps == 0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x0a11_0c0e_5e17_0001);
    let roles: Vec<String> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .map(|r| r.name.clone())
        .collect();
    for i in 0..spec.third_party_apps {
        let id = random_id(&mut rng, "TPA2", 28);
        data.third_party_apps
            .push(third_party(id, &nth(THIRD_PARTY, i), &roles, i));
    }
    for i in 0..spec.outbound_apps {
        let (name, scopes) = OUTBOUND[i % OUTBOUND.len()];
        let mut app = OutboundAppRecord::new(random_id(&mut rng, "OA2", 28), nth(&[name], i));
        app.default_scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        app.client_id = format!("client-{}", i + 1);
        data.outbound_apps.push(app);
    }
    // About one user in six (not invited) consents to one or two third-party apps, some within
    // one of their tenants; about one in six holds a token for one or two outbound apps.
    let users: Vec<(String, Option<String>)> = data
        .users
        .iter()
        .filter(|u| u.status != UserStatus::Invited)
        .map(|u| {
            (
                u.user_id.clone(),
                u.user_tenants.first().map(|t| t.tenant_id.clone()),
            )
        })
        .collect();
    for (user_id, tenant) in &users {
        if !data.third_party_apps.is_empty() && rng.random_bool(1.0 / 6.0) {
            let n = rng.random_range(1..=data.third_party_apps.len().min(2));
            for k in 0..n {
                let app =
                    &data.third_party_apps[(rng.random_range(0..data.third_party_apps.len()) + k)
                        % data.third_party_apps.len()];
                if data
                    .consents
                    .iter()
                    .any(|c| c.app_id == app.id && &c.user_id == user_id)
                {
                    continue;
                }
                let names: Vec<String> = app.scope_names().map(str::to_owned).collect();
                let mut c = ConsentRecord::new(
                    random_id(&mut rng, "CN2", 28),
                    app.id.clone(),
                    user_id.clone(),
                    some_of(&mut rng, &names),
                );
                c.created_time = ACTIVITY_AS_OF - rng.random_range(1..90) * DAY;
                if let Some(t) = tenant.as_ref().filter(|_| rng.random_bool(0.5)) {
                    c.tenant_id.clone_from(t);
                }
                data.consents.push(c);
            }
        }
        if !data.outbound_apps.is_empty() && rng.random_bool(1.0 / 6.0) {
            let n = rng.random_range(1..=data.outbound_apps.len().min(2));
            for k in 0..n {
                let app = &data.outbound_apps[(rng.random_range(0..data.outbound_apps.len()) + k)
                    % data.outbound_apps.len()];
                if data
                    .outbound_tokens
                    .iter()
                    .any(|t| t.app_id == app.id && &t.user_id == user_id)
                {
                    continue;
                }
                let mut t = OutboundTokenRecord::new(
                    random_id(&mut rng, "OT2", 28),
                    app.id.clone(),
                    user_id.clone(),
                );
                t.scopes = some_of(&mut rng, &app.default_scopes);
                t.created_time = ACTIVITY_AS_OF - rng.random_range(1..90) * DAY;
                t.access_token_expiry = ACTIVITY_AS_OF + DAY;
                data.outbound_tokens.push(t);
            }
        }
    }
}

/// The demo's: `Partner Portal` (scopes `read`, `admin` → project role `Editor`, `email`) and
/// `Analytics Bot` (`read`); consents by users 0, 1 (both apps), 2 (within its first tenant)
/// and 4 (expired), and a tenant-level consent of Acme Corp. `Google Drive` and `Slack`; tokens
/// of users 0 (both), 1 (Slack, tied to its first tenant) and 6 (Google Drive, expired and not
/// renewable).
pub(crate) fn demo_grants(data: &mut Dataset) {
    let demo_id = |p: &str| format!("{p:0<28}");
    let mut portal = ThirdPartyAppRecord::new(demo_id("TPA2DemoPartnerPortal"), "Partner Portal");
    portal.description = "Partner access to shared projects".into();
    portal.login_page_url = "https://partners.example.com/login".into();
    portal.approved_callback_urls = vec!["https://partners.example.com/callback".into()];
    portal.permissions_scopes = vec![
        ScopeRecord::new("read", Vec::<String>::new()),
        ScopeRecord::new("admin", ["Editor"]),
    ];
    portal.attributes_scopes = vec![ScopeRecord::new("email", ["email"])];
    let mut bot = ThirdPartyAppRecord::new(demo_id("TPA2DemoAnalyticsBot"), "Analytics Bot");
    bot.description = "Reads usage for dashboards".into();
    bot.permissions_scopes = vec![ScopeRecord::new("read", Vec::<String>::new())];

    let user = |i: usize| {
        data.users.get(i).map(|u| {
            (
                u.user_id.clone(),
                u.user_tenants
                    .first()
                    .map(|t| t.tenant_id.clone())
                    .unwrap_or_default(),
            )
        })
    };
    let mut consents = Vec::new();
    let mut n = 0;
    let mut consent = |app: &ThirdPartyAppRecord,
                       who: Option<(String, String)>,
                       scopes: &[&str],
                       tenant: bool,
                       expired: bool| {
        let Some((user_id, tenant_id)) = who else {
            return;
        };
        n += 1;
        let mut c = ConsentRecord::new(
            demo_id(&format!("CN2Demo{n}")),
            app.id.clone(),
            user_id,
            scopes.iter().copied(),
        );
        c.created_time = ACTIVITY_AS_OF - (10 + n as i64) * DAY;
        if tenant {
            c.tenant_id = tenant_id;
        }
        if expired {
            c.expire_time = ACTIVITY_AS_OF - DAY;
        }
        consents.push(c);
    };
    consent(&portal, user(0), &["read", "admin", "email"], false, false);
    consent(&portal, user(1), &["read"], false, false);
    consent(&bot, user(1), &["read"], false, false);
    consent(&portal, user(2), &["read", "email"], true, false);
    consent(&bot, user(4), &["read"], false, true);
    let acme = data
        .tenants
        .first()
        .map(|t| t.id.clone())
        .unwrap_or_default();
    let mut tenant_level =
        ConsentRecord::new(demo_id("CN2DemoTenant"), bot.id.clone(), "", ["read"]);
    tenant_level.tenant_id = acme;
    tenant_level.granted_by = data
        .users
        .first()
        .map(|u| u.user_id.clone())
        .unwrap_or_default();
    tenant_level.created_time = ACTIVITY_AS_OF - 20 * DAY;
    consents.push(tenant_level);

    let mut drive = OutboundAppRecord::new(demo_id("OA2DemoGoogleDrive"), "Google Drive");
    drive.default_scopes = vec!["drive.readonly".into()];
    drive.client_id = "drive-client".into();
    let mut slack = OutboundAppRecord::new(demo_id("OA2DemoSlack"), "Slack");
    slack.default_scopes = vec!["chat:write".into()];
    slack.client_id = "slack-client".into();
    let mut tokens = Vec::new();
    let mut token =
        |app: &OutboundAppRecord, who: Option<(String, String)>, tenant: bool, expired: bool| {
            let Some((user_id, tenant_id)) = who else {
                return;
            };
            let mut t = OutboundTokenRecord::new(
                demo_id(&format!("OT2Demo{}", tokens.len() + 1)),
                app.id.clone(),
                user_id,
            );
            t.scopes.clone_from(&app.default_scopes);
            t.created_time = ACTIVITY_AS_OF - 5 * DAY;
            t.access_token_expiry = ACTIVITY_AS_OF + DAY;
            if tenant {
                t.tenant_id = tenant_id;
            }
            if expired {
                t.access_token_expiry = ACTIVITY_AS_OF - DAY;
                t.has_refresh_token = false;
            }
            tokens.push(t);
        };
    token(&drive, user(0), false, false);
    token(&slack, user(0), false, false);
    token(&slack, user(1), true, false);
    token(&drive, user(6), false, true);

    data.third_party_apps = vec![portal, bot];
    data.consents = consents;
    data.outbound_apps = vec![drive, slack];
    data.outbound_tokens = tokens;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_without_grants_are_unchanged_and_with_them_deterministic() {
        let plain = GenSpec {
            users: 200,
            ..GenSpec::default()
        };
        let before = Dataset::generate(&plain);
        assert!(before.third_party_apps.is_empty() && before.outbound_tokens.is_empty());
        let spec = GenSpec {
            third_party_apps: 3,
            outbound_apps: 2,
            ..plain.clone()
        };
        let with = Dataset::generate(&spec);
        with.validate().unwrap();
        assert_eq!(with, Dataset::generate(&spec));
        assert_eq!(with.users, before.users, "only the new collections differ");
        assert_eq!(
            (with.third_party_apps.len(), with.outbound_apps.len()),
            (3, 2)
        );
        assert!(with.consents.len() > 10, "{}", with.consents.len());
        assert!(
            with.outbound_tokens.len() > 10,
            "{}",
            with.outbound_tokens.len()
        );
        for c in &with.consents {
            let app = with
                .third_party_apps
                .iter()
                .find(|a| a.id == c.app_id)
                .unwrap();
            assert!(!c.scopes.is_empty());
            assert!(c.scopes.iter().all(|s| app.scope_names().any(|n| n == s)));
        }
    }

    #[test]
    fn the_demo_has_every_kind() {
        let d = Dataset::demo();
        d.validate().unwrap();
        assert_eq!(d.third_party_apps.len(), 2);
        assert!(
            d.consents
                .iter()
                .any(|c| c.user_id.is_empty() && !c.tenant_id.is_empty())
        );
        assert!(
            d.consents
                .iter()
                .any(|c| !c.user_id.is_empty() && !c.tenant_id.is_empty())
        );
        assert!(d.consents.iter().any(|c| c.expire_time != 0));
        assert!(d.outbound_tokens.iter().any(|t| !t.has_refresh_token));
        assert!(d.outbound_tokens.iter().any(|t| !t.tenant_id.is_empty()));
    }
}
