//! The official Descope Python SDK (PyPI `descope`, pinned in `tests/python/requirements.txt`)
//! against the emulator, and the JSON bodies it sends compared with our client's.
//!
//! The test needs a Python with the SDK installed; it never installs anything itself (tests
//! never touch the internet). `.ci/run` creates the virtual environment and sets
//! `DESCOPE_PY_SDK_PYTHON` to its interpreter and `DESCOPE_PY_SDK_REQUIRED=1`. Without
//! `DESCOPE_PY_SDK_PYTHON` the test says how to run it and passes; with
//! `DESCOPE_PY_SDK_REQUIRED=1` a missing interpreter or SDK fails it. To run it by hand:
//!
//! ```sh
//! python3 -m venv target/py-sdk-venv
//! target/py-sdk-venv/bin/pip install -r tests/python/requirements.txt
//! DESCOPE_PY_SDK_PYTHON=target/py-sdk-venv/bin/python cargo test -p descope-c1 --test it official_sdk
//! ```

use std::collections::{BTreeMap, BTreeSet};

use descope_c1::testing::TestResult;
use descope_emulator::{Dataset, Emulator, GenSpec};
use descope_mgmt::{
    AssociatedTenant, CreateAccessKeyRequest, CreateRoleRequest, CreateTenantRequest,
    CreateUserRequest, PatchUserRequest, SearchAccessKeysRequest, SearchAuditRequest,
    SearchConsentsRequest, SearchRolesRequest, SearchUsersRequest, UpdateUserRequest,
    UserStatusUpdate,
};
use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/official_sdk.py");
const LOGIN: &str = "py.sdk@acme.example";

/// Fields our client sends that the Python SDK does not, each with why it is right.
const OUR_EXTRA_FIELDS: &[(&str, &str, &str)] = &[
    (
        "POST /v2/mgmt/user/search",
        "offset",
        "Descope documents offset; our pager sends page and offset together so either paging works",
    ),
    (
        "POST /v1/mgmt/user/update/role/add",
        "tenantId",
        "v1 role add with a tenant: the connector never adds a membership silently",
    ),
];

/// Paths our client calls for these operations that the SDK does not, each with why.
const OUR_EXTRA_PATHS: &[(&str, &str)] = &[(
    "POST /v1/mgmt/user/update/role/add",
    "the connector grants roles with v1 add, which never adds a tenant membership (the SDK's v2 add does)",
)];

fn interpreter() -> TestResult<Option<String>> {
    let required = std::env::var("DESCOPE_PY_SDK_REQUIRED").is_ok_and(|v| v == "1");
    match std::env::var("DESCOPE_PY_SDK_PYTHON") {
        Ok(python) if !python.is_empty() => Ok(Some(python)),
        _ if required => Err(
            "DESCOPE_PY_SDK_REQUIRED=1 but DESCOPE_PY_SDK_PYTHON is not set: run .ci/run, or set it to a Python with \
             the pinned descope SDK installed"
                .into(),
        ),
        _ => {
            eprintln!(
                "official_sdk: skipped (set DESCOPE_PY_SDK_PYTHON to a Python with `pip install -r \
                 tests/python/requirements.txt`; .ci/run does)"
            );
            Ok(None)
        }
    }
}

/// `"METHOD path" → top-level JSON field names` of the recorded requests, and their query
/// parameters as `?name`.
fn fields(emu: &Emulator) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in emu.requests() {
        let entry = out.entry(format!("{} {}", r.method, r.path)).or_default();
        for pair in r.query.as_deref().unwrap_or_default().split('&') {
            if let Some(name) = pair.split('=').next().filter(|n| !n.is_empty()) {
                entry.insert(format!("?{name}"));
            }
        }
        match r.json() {
            Some(Value::Object(map)) => entry.extend(map.keys().cloned()),
            Some(Value::Array(_)) => {
                entry.insert("[array]".into());
            }
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_works_against_the_emulator() -> TestResult {
    let Some(python) = interpreter()? else {
        return Ok(());
    };
    let data = Dataset::generate(&GenSpec {
        users: 30,
        tenants: 3,
        project_roles: 3,
        tenant_roles: 2,
        permissions: 3,
        access_keys: 3,
        sso_apps: 2,
        logins_per_user: 2,
        third_party_apps: 2,
        outbound_apps: 2,
        seed: 4,
        ..GenSpec::default()
    });
    // One consent and one token for the SDK to revoke, others for our client.
    let [sdk_consent, our_consent] = [0, 1].map(|i| data.consents.get(i).cloned());
    let (sdk_consent, our_consent) = (
        sdk_consent.ok_or("a consent")?,
        our_consent.ok_or("two consents")?,
    );
    let sdk_token = data.outbound_tokens.first().cloned().ok_or("a token")?;
    let our_token = data
        .outbound_tokens
        .iter()
        .find(|t| t.user_id != sdk_token.user_id)
        .cloned()
        .ok_or("a token of another user")?;
    let tenant = data.tenants[0].id.clone();
    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .map(|r| r.name.clone())
        .ok_or("a project role")?;
    let emu = Emulator::builder()
        .dataset(data)
        .record_requests(true)
        .start()
        .await?;

    let cmd = {
        let mut cmd = std::process::Command::new(&python);
        cmd.arg(SCRIPT)
            .env("DESCOPE_BASE_URL", emu.base_url())
            .env("DESCOPE_PROJECT_ID", emu.project_id())
            .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
            .env("DESCOPE_TEST_TENANT", &tenant)
            .env("DESCOPE_TEST_ROLE", &role)
            .env("DESCOPE_TEST_TP_APP", &sdk_consent.app_id)
            .env("DESCOPE_TEST_CONSENT", &sdk_consent.id)
            .env("DESCOPE_TEST_OB_APP", &sdk_token.app_id)
            .env("DESCOPE_TEST_OB_USER", &sdk_token.user_id);
        cmd
    };
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = cmd;
        cmd.output()
    })
    .await??;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the SDK script failed to run ({python}): {stderr}"
    );
    let mut results: BTreeMap<String, Value> = BTreeMap::new();
    let mut failed = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let v: Value = serde_json::from_str(line)?;
        let op = v["op"].as_str().unwrap_or_default().to_owned();
        if v["ok"] != Value::Bool(true) {
            failed.push(format!("{op}: {} {}", v["status"], v["error"]));
        }
        results.insert(op, v["result"].clone());
    }
    assert!(
        failed.is_empty(),
        "operations the SDK could not do against the emulator:\n{}\n{stderr}",
        failed.join("\n")
    );
    assert!(results.len() >= 25, "every operation ran: {results:?}");

    // The results make sense.
    let user_id = results["user.create"]["userId"]
        .as_str()
        .ok_or("a created user id")?
        .to_owned();
    assert_eq!(results["user.search_all"], serde_json::json!([user_id]));
    assert_eq!(results["user.load"]["userId"], user_id.as_str());
    assert_eq!(results["user.patch"]["name"], "Py Sdk Patched");
    assert_eq!(results["user.deactivate"]["status"], "disabled");
    assert_eq!(results["user.activate"]["status"], "enabled");
    assert!(
        results["user.add_roles"]["roleNames"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == role.as_str()))
    );
    assert!(
        results["user.add_tenant"]["tenants"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "T2PySdkTenant"))
    );
    assert!(
        results["user.add_tenant_roles"]["tenantRoles"][&tenant]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == role.as_str()))
    );
    // Access beyond roles: what the SDK read and changed is what the emulator holds.
    assert!(
        results["third_party.load_all"]
            .as_array()
            .is_some_and(|a| a.len() == 2)
    );
    assert_eq!(
        results["third_party.load"]["id"],
        sdk_consent.app_id.as_str()
    );
    assert!(
        results["third_party.search_consents.app"]["ids"]
            .as_array()
            .is_some_and(|ids| ids.iter().any(|i| i == sdk_consent.id.as_str()))
    );
    assert_eq!(
        results["third_party.search_consents.page"]["ids"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        results["third_party.search_consents.deleted"]["ids"],
        serde_json::json!([])
    );
    assert!(
        results["outbound.list_apps_with_user_token"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == sdk_token.app_id.as_str()))
    );
    assert!(
        results["outbound.list_apps_with_user_token.after"]
            .as_array()
            .is_some_and(|a| !a.iter().any(|x| x == sdk_token.app_id.as_str()))
    );
    assert_eq!(results["user.list_passkeys"], 0);
    assert_eq!(results["user.update_custom_attribute"]["department"], "py");
    assert_eq!(results["access_key.create"]["hasSecret"], true);
    assert_eq!(
        results["access_key.rotate"]["id"],
        results["access_key.create"]["id"]
    );
    assert_eq!(results["access_key.rotate"]["hasSecret"], true);
    assert_eq!(emu.logouts().len(), 2);
    assert!(!stdout.contains("cleartext"), "no secret printed");
    let sdk = fields(&emu);

    // Our client, the same operations.
    emu.clear_requests();
    let client = descope_mgmt::Client::builder()
        .project_id(emu.project_id())
        .management_key(secrecy::SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .build()?;
    client.tenants().all().await?;
    client
        .tenants()
        .create(&CreateTenantRequest::new("Rust tenant").id("T2RustTenant"))
        .await?;
    client.roles().all().await?;
    client
        .roles()
        .search(
            &SearchRolesRequest::new()
                .tenant_ids([tenant.clone()])
                .include_project_roles(true),
        )
        .await?;
    client.permissions().create("rs:read", "from Rust").await?;
    client.permissions().all().await?;
    client
        .roles()
        .create(
            &CreateRoleRequest::new("RustRole")
                .description("made by Rust")
                .permission_names(["rs:read"]),
        )
        .await?;
    let login = "rust.client@acme.example";
    let user = client
        .users()
        .create(
            &CreateUserRequest::new(login)
                .email(login)
                .display_name("Rust")
                .user_tenants(vec![AssociatedTenant::new(
                    tenant.clone(),
                    Vec::<String>::new(),
                )]),
        )
        .await?;
    client.users().load(login).await?;
    client.users().load_by_user_id(&user.user_id).await?;
    client
        .users()
        .search(&SearchUsersRequest::new().login_ids([login]).limit(10))
        .await?;
    client
        .users()
        .update(&UpdateUserRequest::from_user(&user))
        .await?;
    client
        .users()
        .patch(&PatchUserRequest::new(login).display_name("Rust Patched"))
        .await?;
    client
        .users()
        .update_status(login, UserStatusUpdate::Disabled)
        .await?;
    client
        .users()
        .update_status(login, UserStatusUpdate::Enabled)
        .await?;
    let roles = [role.clone()];
    client.users().add_roles(login, &roles, None).await?;
    client
        .users()
        .add_roles_v1(login, &roles, Some(&tenant))
        .await?;
    client.users().remove_roles(login, &roles, None).await?;
    client.users().set_roles(login, &roles, None).await?;
    client.users().add_tenant(login, "T2RustTenant").await?;
    client.users().remove_tenant(login, "T2RustTenant").await?;
    client
        .users()
        .history(std::slice::from_ref(&user.user_id))
        .await?;
    client.groups().all(&tenant).await?;
    client
        .access_keys()
        .search(&SearchAccessKeysRequest::new())
        .await?;
    client.sso_apps().all().await?;
    client
        .audit()
        .search(&SearchAuditRequest::new().actions(["UserCreated"]))
        .await?;
    let tp = client.third_party_apps();
    tp.all().await?;
    tp.load(&our_consent.app_id).await?;
    tp.search_all_consents(SearchConsentsRequest::new().app_id(&our_consent.app_id))
        .await?;
    tp.delete_consents(std::slice::from_ref(&our_consent.id))
        .await?;
    let left = tp
        .search_consents(&SearchConsentsRequest::new().consent_id(&our_consent.id))
        .await?;
    assert!(left.consents.is_empty());
    let ob = client.outbound_apps();
    ob.all().await?;
    ob.load(&our_token.app_id).await?;
    ob.apps_with_user_token(&our_token.user_id, None).await?;
    ob.delete_user_tokens(&our_token.app_id, &our_token.user_id)
        .await?;
    client.users().logout(login).await?;
    client.users().logout_by_user_id(&user.user_id).await?;
    client.users().remove_totp_seed(login).await?;
    client.users().remove_all_passkeys(login).await?;
    client.users().list_passkeys(login).await?;
    client.users().remove_recovery_codes(login).await?;
    client
        .users()
        .update_custom_attribute(login, "department", &serde_json::json!("rs"))
        .await?;
    let key = client
        .access_keys()
        .create(&CreateAccessKeyRequest::new("rs-key"))
        .await?;
    client.access_keys().rotate(&key.key.id).await?;
    let ours = fields(&emu);

    // Every field we send, the SDK sends for the same call (or it is explained above).
    let mut problems = Vec::new();
    let mut sdk_only = Vec::new();
    for (call, our_fields) in &ours {
        if call.starts_with("GET /v1/mgmt/license") {
            continue;
        }
        let Some(sdk_fields) = sdk.get(call) else {
            if !OUR_EXTRA_PATHS.iter().any(|(p, _)| p == call) {
                problems.push(format!(
                    "{call}: the SDK never calls it for these operations"
                ));
            }
            continue;
        };
        for field in our_fields.difference(sdk_fields) {
            let explained = OUR_EXTRA_FIELDS
                .iter()
                .any(|(c, f, _)| c == call && f == field)
                || OUR_EXTRA_PATHS.iter().any(|(p, _)| p == call);
            if !explained {
                problems.push(format!("{call}: we send '{field}', the SDK does not"));
            }
        }
        let only: Vec<&String> = sdk_fields.difference(our_fields).collect();
        if !only.is_empty() {
            sdk_only.push(format!("{call}: {only:?}"));
        }
    }
    eprintln!(
        "official_sdk: fields the SDK sends and our client does not (for review):\n{}",
        sdk_only.join("\n")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = LOGIN;
    Ok(())
}
