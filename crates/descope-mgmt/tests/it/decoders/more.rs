//! Property tests of the decoders of access keys, SSO applications, audit search, auth history,
//! groups, third-party applications and consents, outbound applications and passkeys, under the
//! same rule as the parent module: a correct value or a typed
//! `Error::Decode` with a bounded path, never a panic. Valid generated documents decode to
//! exactly what was generated, whatever tolerated encoding (numbers as strings, `null` lists,
//! alternative key spellings, wrapped or bare lists) the server picks.

use proptest::prelude::*;
use proptest::sample::select;
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

use descope_mgmt::testing::{self, decode};
use descope_mgmt::{
    AccessKey, AccessKeyStatus, Audit, AuditPage, Error, SsoAppType, SsoApplication,
    UpdateAccessKeyRequest, UserAuthHistory,
};

use super::{check, check_result, leaf, text};

/// Field names of the new decoders, so generated trees hit them with wrong types.
const KEYS: &[&str] = &[
    "id",
    "ID",
    "name",
    "key",
    "keys",
    "cleartext",
    "status",
    "roleNames",
    "keyTenants",
    "tenantId",
    "tenantName",
    "createdTime",
    "expireTime",
    "boundUserId",
    "customClaims",
    "permittedIps",
    "customAttributes",
    "editable",
    "apps",
    "app",
    "appType",
    "enabled",
    "samlSettings",
    "oidcSettings",
    "wsFedSettings",
    "wsfedSettings",
    "entityId",
    "acsUrl",
    "groupsMapping",
    "attributeMapping",
    "roles",
    "audits",
    "total",
    "occurred",
    "externalIds",
    "tenants",
    "data",
    "type",
    "usersAuthHistory",
    "userId",
    "loginTime",
    "groups",
    "members",
    "loginId",
    "loginID",
    "consents",
    "appId",
    "scopes",
    "grantedBy",
    "permissionsScopes",
    "attributesScopes",
    "values",
    "appIds",
    "passkeys",
    "defaultScopes",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(KEYS).prop_map(str::to_owned),
        1 => "\\PC{0,10}",
    ]
}

fn json_tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn check_new(body: &[u8], is_json: bool) -> Result<(), TestCaseError> {
    check::<AccessKey>(body, is_json)?;
    check_result(testing::access_key_envelope(body), is_json)?;
    check_result(testing::access_keys_envelope(body), is_json)?;
    check_result(testing::created_access_key(body), is_json)?;
    check::<SsoApplication>(body, is_json)?;
    check_result(testing::sso_apps_envelope(body), is_json)?;
    check_result(testing::sso_app(body), is_json)?;
    check::<Audit>(body, is_json)?;
    check::<AuditPage>(body, is_json)?;
    check::<UserAuthHistory>(body, is_json)?;
    check_result(testing::auth_history(body), is_json)?;
    check_result(testing::group_list(body), is_json)?;
    check_result(testing::consent_page(body), is_json)?;
    check_result(testing::third_party_apps_envelope(body), is_json)?;
    check_result(testing::third_party_app(body), is_json)?;
    check_result(testing::outbound_apps_envelope(body), is_json)?;
    check_result(testing::outbound_app_envelope(body), is_json)?;
    check_result(testing::app_ids_envelope(body), is_json)?;
    check_result(testing::passkeys_envelope(body), is_json)
}

fn to_body(v: &Value) -> Result<Vec<u8>, TestCaseError> {
    serde_json::to_vec(v).map_err(|e| TestCaseError::fail(e.to_string()))
}

fn ok<T>(r: Result<T, Error>) -> Result<T, TestCaseError> {
    r.map_err(|e| TestCaseError::fail(e.to_string()))
}

/// An int64 as a JSON number or a numeric string.
fn int_json(n: i64, as_string: bool) -> Value {
    if as_string {
        Value::String(n.to_string())
    } else {
        Value::from(n)
    }
}

/// A list, or `null` when empty and `null_empty` says so (Descope does both).
fn list(items: &[String], null_empty: bool) -> Value {
    if items.is_empty() && null_empty {
        Value::Null
    } else {
        json!(items)
    }
}

#[derive(Debug, Clone)]
struct GenKey {
    id: String,
    name: String,
    description: String,
    role_names: Vec<String>,
    tenants: Vec<(String, String, Vec<String>)>,
    status: String,
    created_time: i64,
    expire_time: i64,
    times_as_strings: bool,
    bound_user_id: String,
    permitted_ips: Vec<String>,
    claims: Map<String, Value>,
    attributes: Map<String, Value>,
    editable: bool,
    null_empty: bool,
}

/// Values of claims, attributes and audit data. No floats: serde_json does not promise to read
/// back every float bit for bit, which is not what these tests are about.
fn attr() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        text().prop_map(Value::String),
        Just(Value::Null),
        prop::collection::vec(text().prop_map(Value::String), 0..3).prop_map(Value::Array),
    ]
}

fn small_map() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(text(), attr(), 0..3).prop_map(|m| m.into_iter().collect())
}

fn gen_key() -> impl Strategy<Value = GenKey> {
    let strings = || prop::collection::vec(text(), 0..3);
    (
        (text(), text(), text(), strings()),
        prop::collection::vec((text(), text(), strings()), 0..3),
        (
            prop_oneof![
                select(&["active", "inactive", "", "expired"][..]).prop_map(str::to_owned),
                text(),
            ],
            any::<i64>(),
            any::<i64>(),
            any::<bool>(),
        ),
        (text(), strings(), small_map(), small_map()),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (id, name, description, role_names),
                tenants,
                (status, created_time, expire_time, times_as_strings),
                (bound_user_id, permitted_ips, claims, attributes),
                (editable, null_empty),
            )| GenKey {
                id,
                name,
                description,
                role_names,
                tenants,
                status,
                created_time,
                expire_time,
                times_as_strings,
                bound_user_id,
                permitted_ips,
                claims,
                attributes,
                editable,
                null_empty,
            },
        )
}

impl GenKey {
    fn to_json(&self) -> Value {
        let tenants: Vec<Value> = self
            .tenants
            .iter()
            .map(|(id, name, roles)| {
                json!({"tenantId": id, "tenantName": name, "roleNames": list(roles, self.null_empty)})
            })
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "roleNames": list(&self.role_names, self.null_empty),
            "keyTenants": if tenants.is_empty() && self.null_empty { Value::Null } else { Value::Array(tenants) },
            "status": self.status,
            "createdTime": int_json(self.created_time, self.times_as_strings),
            "expireTime": int_json(self.expire_time, self.times_as_strings),
            "boundUserId": self.bound_user_id,
            "permittedIps": list(&self.permitted_ips, self.null_empty),
            "customClaims": self.claims,
            "customAttributes": self.attributes,
            "editable": self.editable,
            "lastUsedSomeday": {"x": [1, null]},
        })
    }

    fn assert_decoded(&self, k: &AccessKey) -> Result<(), TestCaseError> {
        prop_assert_eq!(&k.id, &self.id);
        prop_assert_eq!(&k.name, &self.name);
        prop_assert_eq!(&k.description, &self.description);
        prop_assert_eq!(&k.role_names, &self.role_names);
        prop_assert_eq!(k.key_tenants.len(), self.tenants.len());
        for (got, (id, name, roles)) in k.key_tenants.iter().zip(&self.tenants) {
            prop_assert_eq!(&got.tenant_id, id);
            prop_assert_eq!(&got.tenant_name, name);
            prop_assert_eq!(&got.role_names, roles);
        }
        prop_assert_eq!(&k.status, &AccessKeyStatus::parse(&self.status));
        prop_assert_eq!(k.status.as_str(), self.status.as_str());
        prop_assert_eq!(k.created_time, self.created_time);
        prop_assert_eq!(k.expire_time, self.expire_time);
        prop_assert_eq!(&k.bound_user_id, &self.bound_user_id);
        prop_assert_eq!(&k.permitted_ips, &self.permitted_ips);
        prop_assert_eq!(&k.custom_claims, &self.claims);
        prop_assert_eq!(&k.custom_attributes, &self.attributes);
        prop_assert_eq!(k.editable, self.editable);
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct GenAudit {
    id: String,
    upper_id_key: bool,
    action: String,
    kind: String,
    user_id: String,
    occurred: i64,
    occurred_as_string: bool,
    login_ids: Vec<String>,
    tenants: Vec<String>,
    data: Map<String, Value>,
    null_empty: bool,
}

fn gen_audit() -> impl Strategy<Value = GenAudit> {
    let strings = || prop::collection::vec(text(), 0..3);
    (
        (text(), any::<bool>(), text(), text(), text()),
        (any::<i64>(), any::<bool>()),
        (strings(), strings(), small_map(), any::<bool>()),
    )
        .prop_map(
            |(
                (id, upper_id_key, action, kind, user_id),
                (occurred, occurred_as_string),
                (login_ids, tenants, data, null_empty),
            )| GenAudit {
                id,
                upper_id_key,
                action,
                kind,
                user_id,
                occurred,
                occurred_as_string,
                login_ids,
                tenants,
                data,
                null_empty,
            },
        )
}

impl GenAudit {
    fn to_json(&self) -> Value {
        let mut v = json!({
            "projectId": "P2x",
            "action": self.action,
            "type": self.kind,
            "userId": self.user_id,
            "occurred": int_json(self.occurred, self.occurred_as_string),
            "externalIds": list(&self.login_ids, self.null_empty),
            "tenants": list(&self.tenants, self.null_empty),
            "data": self.data,
        });
        if let Some(o) = v.as_object_mut() {
            let id_key = if self.upper_id_key { "ID" } else { "id" };
            o.insert(id_key.to_owned(), Value::String(self.id.clone()));
        }
        v
    }

    fn assert_decoded(&self, a: &Audit) -> Result<(), TestCaseError> {
        prop_assert_eq!(&a.id, &self.id);
        prop_assert_eq!(&a.action, &self.action);
        prop_assert_eq!(&a.kind, &self.kind);
        prop_assert_eq!(&a.user_id, &self.user_id);
        prop_assert_eq!(a.occurred, self.occurred);
        prop_assert_eq!(a.occurred_at().is_none(), self.occurred == 0);
        prop_assert_eq!(&a.login_ids, &self.login_ids);
        prop_assert_eq!(&a.tenants, &self.tenants);
        prop_assert_eq!(&a.data, &self.data);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        check_new(&body, false)?;
    }

    #[test]
    fn arbitrary_json_is_a_value_or_a_decode_error_with_a_path(tree in json_tree()) {
        check_new(&to_body(&tree)?, true)?;
    }

    #[test]
    fn truncated_json_never_panics(tree in json_tree(), cut in any::<prop::sample::Index>()) {
        let body = to_body(&tree)?;
        let cut = cut.index(body.len() + 1);
        check_new(body.get(..cut).unwrap_or_default(), false)?;
    }

    /// A generated key decodes to exactly its values: alone, in `{"key": ..}`, in a search
    /// answer, and in a create answer with its secret.
    #[test]
    fn valid_access_key_round_trips(k in gen_key(), secret in "[A-Za-z0-9]{1,40}") {
        let doc = k.to_json();
        k.assert_decoded(&ok(decode::<AccessKey>(&to_body(&doc)?))?)?;
        let key = ok(testing::access_key_envelope(&to_body(&json!({"key": doc}))?))?;
        let key = key.ok_or_else(|| TestCaseError::fail("no key"))?;
        k.assert_decoded(&key)?;
        let all = ok(testing::access_keys_envelope(&to_body(&json!({"keys": [doc.clone(), doc]}))?))?;
        prop_assert_eq!(all.len(), 2);
        for key in &all {
            k.assert_decoded(key)?;
        }
        let (_, cleartext) = ok(testing::created_access_key(
            &to_body(&json!({"key": k.to_json(), "cleartext": secret}))?,
        ))?;
        let cleartext = cleartext.ok_or_else(|| TestCaseError::fail("no cleartext"))?;
        prop_assert_eq!(cleartext.expose_secret(), secret.as_str());
    }

    /// `from_key` writes back exactly the non-empty values of the key, with `id` and `name`
    /// always, and nothing the update endpoint does not define.
    #[test]
    fn from_key_preserves_every_value(k in gen_key()) {
        let key = ok(decode::<AccessKey>(&to_body(&k.to_json())?))?;
        let v = serde_json::to_value(UpdateAccessKeyRequest::from_key(&key))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let obj = v.as_object().ok_or_else(|| TestCaseError::fail("not an object"))?;
        const ALLOWED: &[&str] = &["id", "name", "description", "roleNames", "keyTenants",
            "customClaims", "permittedIps", "customAttributes"];
        for field in obj.keys() {
            prop_assert!(ALLOWED.contains(&field.as_str()), "unexpected field {}", field);
        }
        prop_assert_eq!(&obj["id"], &json!(k.id));
        prop_assert_eq!(&obj["name"], &json!(k.name));
        prop_assert_eq!(obj.get("roleNames").cloned(), (!k.role_names.is_empty()).then(|| json!(k.role_names)));
        prop_assert_eq!(obj.get("permittedIps").cloned(), (!k.permitted_ips.is_empty()).then(|| json!(k.permitted_ips)));
        prop_assert_eq!(obj.get("customClaims").cloned(), (!k.claims.is_empty()).then(|| json!(k.claims)));
        prop_assert_eq!(obj.get("customAttributes").cloned(), (!k.attributes.is_empty()).then(|| json!(k.attributes)));
        let tenants: Vec<Value> = k.tenants.iter().map(|(id, _, roles)| {
            if roles.is_empty() { json!({"tenantId": id}) } else { json!({"tenantId": id, "roleNames": roles}) }
        }).collect();
        prop_assert_eq!(obj.get("keyTenants").cloned(), (!tenants.is_empty()).then(|| json!(tenants)));
    }

    /// Whatever non-string value the server puts where the secret belongs, the error never
    /// quotes it.
    #[test]
    fn a_bad_cleartext_is_never_quoted(n in 100_000i64.., f in 1_000.5f64..1e12, b in any::<bool>()) {
        for v in [json!(n), json!(f), json!(b), json!([n]), json!({"s": n})] {
            let shown = v.to_string();
            match testing::created_access_key(&to_body(&json!({"cleartext": v}))?) {
                Err(Error::Decode { path, message, .. }) => {
                    prop_assert_eq!(path.as_str(), "cleartext");
                    prop_assert!(!message.contains(shown.trim_matches(|c| c == '[' || c == ']')), "{message}");
                }
                Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
                Ok(_) => return Err(TestCaseError::fail("a non-string cleartext decoded")),
            }
        }
    }

    /// A valid access key with one field replaced by anything: decodes, or fails at a path
    /// inside that key.
    #[test]
    fn one_wrong_field_in_a_key_is_located(k in gen_key(), field in key(), value in json_tree()) {
        let mut doc = k.to_json();
        if let Some(obj) = doc.as_object_mut() {
            obj.insert(field.clone(), value);
        }
        match testing::access_keys_envelope(&to_body(&json!({"keys": [doc]}))?) {
            Ok(keys) => prop_assert_eq!(keys.len(), 1),
            Err(Error::Decode { path, .. }) => {
                prop_assert!(path.starts_with("keys[0]"), "path {path:?} for field {field:?}");
            }
            Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
        }
    }

    /// Audit records decode to their values with `ID` or `id`, `occurred` as a string or a
    /// number, and a `total` as a string or a number.
    #[test]
    fn valid_audit_page_round_trips(
        audits in prop::collection::vec(gen_audit(), 0..4),
        total in any::<u32>(),
        total_as_string in any::<bool>(),
    ) {
        let docs: Vec<Value> = audits.iter().map(GenAudit::to_json).collect();
        let page = json!({"audits": docs, "total": int_json(i64::from(total), total_as_string)});
        let p = ok(decode::<AuditPage>(&to_body(&page)?))?;
        prop_assert_eq!(p.total, u64::from(total));
        prop_assert_eq!(p.audits.len(), audits.len());
        for (got, want) in p.audits.iter().zip(&audits) {
            want.assert_decoded(got)?;
        }
    }

    /// Auth history: bare or wrapped, `loginTime` as a string or a number.
    #[test]
    fn valid_history_round_trips(
        records in prop::collection::vec((text(), any::<i64>(), any::<bool>(), text(), text()), 0..5),
        wrapped in any::<bool>(),
    ) {
        let docs: Vec<Value> = records
            .iter()
            .map(|(user, t, s, ip, tenant)| json!({"userId": user, "loginTime": int_json(*t, *s),
                "ip": ip, "selectedTenant": tenant, "city": null}))
            .collect();
        let body = if wrapped { json!({"usersAuthHistory": docs}) } else { json!(docs) };
        let got = ok(testing::auth_history(&to_body(&body)?))?;
        prop_assert_eq!(got.len(), records.len());
        for (h, (user, t, _, ip, tenant)) in got.iter().zip(&records) {
            prop_assert_eq!(&h.user_id, user);
            prop_assert_eq!(h.login_time, *t);
            prop_assert_eq!(&h.ip, ip);
            prop_assert_eq!(&h.selected_tenant, tenant);
            prop_assert!(h.city.is_empty());
        }
    }

    /// SSO applications: any type string, either WS-Fed spelling, flat or wrapped.
    #[test]
    fn valid_sso_app_round_trips(
        id in "[A-Za-z0-9]{1,20}",
        name in text(),
        app_type in prop_oneof![select(&["saml", "oidc", "wsfed", "SAML", ""][..]).prop_map(str::to_owned), text()],
        entity_id in text(),
        realm in text(),
        upper_fed in any::<bool>(),
        wrapped in any::<bool>(),
        extra in small_map(),
    ) {
        let fed_key = if upper_fed { "wsFedSettings" } else { "wsfedSettings" };
        let mut saml = json!({"entityId": entity_id, "acsUrl": "https://sp/acs"});
        if let Some(o) = saml.as_object_mut() {
            for (k, v) in &extra {
                if !matches!(k.as_str(), "entityId" | "acsUrl") {
                    o.insert(k.clone(), v.clone());
                }
            }
        }
        let doc = json!({"id": id, "name": name, "appType": app_type, "samlSettings": saml,
            fed_key: {"realm": realm}, "oidcSettings": null});
        let body = if wrapped { json!({"app": doc}) } else { doc.clone() };
        let app = ok(testing::sso_app(&to_body(&body)?))?
            .ok_or_else(|| TestCaseError::fail("no app"))?;
        prop_assert_eq!(&app.id, &id);
        prop_assert_eq!(&app.name, &name);
        prop_assert_eq!(&app.app_type, &SsoAppType::parse(&app_type));
        let s = app.saml_settings.ok_or_else(|| TestCaseError::fail("no saml"))?;
        prop_assert_eq!(&s.entity_id, &entity_id);
        prop_assert_eq!(s.other.len(), extra.keys().filter(|k| !matches!(k.as_str(), "entityId" | "acsUrl")).count());
        prop_assert_eq!(&app.ws_fed_settings.ok_or_else(|| TestCaseError::fail("no ws-fed"))?.realm, &realm);
        prop_assert!(app.oidc_settings.is_none());
        let all = ok(testing::sso_apps_envelope(&to_body(&json!({"apps": [doc]}))?))?;
        prop_assert_eq!(all.len(), 1);
    }
}

/// The path of the decode error `body` must produce as a `T`.
fn error_path<T: serde::de::DeserializeOwned>(body: &[u8]) -> String {
    path_of(decode::<T>(body), body)
}

/// The path of the decode error a decoder returned for `body`.
fn path_of<T>(result: Result<T, Error>, body: &[u8]) -> String {
    match result {
        Err(Error::Decode { path, .. }) => path,
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("decoded: {}", String::from_utf8_lossy(body)),
    }
}

#[test]
fn wrong_shapes_name_their_path() {
    let keys = |body: &[u8]| path_of(testing::access_keys_envelope(body), body);
    assert_eq!(
        keys(br#"{"keys": [{"expireTime": "soon"}]}"#),
        "keys[0].expireTime"
    );
    assert_eq!(
        keys(br#"{"keys": [{"keyTenants": [{"roleNames": [1]}]}]}"#),
        "keys[0].keyTenants[0].roleNames[0]"
    );
    assert_eq!(
        error_path::<AuditPage>(br#"{"audits": [{}, {"occurred": "yesterday"}]}"#),
        "audits[1].occurred"
    );
    let history = |body: &[u8]| path_of(testing::auth_history(body), body);
    assert_eq!(history(br#"[{}, {"loginTime": 1.5}]"#), "[1].loginTime");
    assert_eq!(
        history(br#"{"usersAuthHistory": [{"userId": 7}]}"#),
        "usersAuthHistory[0].userId"
    );
    let groups = br#"{"groups": [{"members": [{"loginId": 5}]}]}"#;
    assert_eq!(
        path_of(testing::group_list(groups), groups),
        "groups[0].members[0].loginId"
    );
    assert_eq!(error_path::<AuditPage>(b"[]"), ".");
    let created = br#"{"cleartext": 5}"#;
    assert_eq!(
        path_of(testing::created_access_key(created), created),
        "cleartext"
    );
}
