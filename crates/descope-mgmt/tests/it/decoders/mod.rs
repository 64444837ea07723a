//! Property tests of every response decoder, on hostile input: arbitrary bytes, arbitrary JSON
//! trees keyed with the real field names, valid documents with one field replaced by anything,
//! and truncated documents. The rule under test: a correct value or a typed `Error::Decode`
//! (with a non-empty, bounded path), never a panic. Runs the crate's own `decode` (the function
//! every endpoint uses) and its envelope decoders directly (`descope_mgmt::testing`, feature
//! `test-util`), so thousands of cases cost well under a second.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::select;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value, json};

use descope_mgmt::testing::{self, EXCERPT_BYTES, FIELD_BYTES, decode};
use descope_mgmt::{
    Error, Group, Permission, Role, ScimGroup, ScimListResponse, ScimServiceProviderConfig,
    ScimUser, Tenant, User, UserPage, UserStatus,
};

/// Field names the decoders know (and some they almost know), so generated trees hit real
/// fields with wrong types far more often than random keys would.
const KEYS: &[&str] = &[
    "userId",
    "loginIds",
    "userTenants",
    "roleNames",
    "total",
    "users",
    "user",
    "TOTP",
    "totp",
    "SAML",
    "SCIM",
    "OIDC",
    "OAuth",
    "createdTime",
    "modifiedTime",
    "status",
    "email",
    "name",
    "customAttributes",
    "verifiedEmail",
    "permissions",
    "tenantId",
    "tenantName",
    "tenants",
    "roles",
    "permissionNames",
    "id",
    "parent",
    "parentId",
    "enforceSSO",
    "domains",
    "members",
    "loginID",
    "errorCode",
    "errorDescription",
    "errorMessage",
    "Resources",
    "totalResults",
    "userName",
    "ssoAppIds",
    "ssoAppIDs",
    "externalIds",
    "default",
    "systemDefault",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(KEYS).prop_map(str::to_owned),
        1 => "\\PC{0,10}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,16}".prop_map(Value::String),
        // int64 as strings, in and out of range, and near-misses.
        "-?[0-9]{1,22}".prop_map(Value::String),
        select(&["", " 12 ", "1e3", "0x10", "NaN", "enabled", "disabled"][..])
            .prop_map(|s| Value::String(s.to_owned())),
    ]
}

/// Arbitrary JSON trees: null/bool/number/string/array/object, nested a few levels deep.
fn json_tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Text with the characters ids and names really contain, plus anything printable.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9:/@._+ -]{0,24}",
        "[a-z:/éü日本😀\\\\\"]{0,12}",
        "\\PC{0,24}",
    ]
}

/// Asserts the decode contract for one body and one target type.
fn check<T: DeserializeOwned>(body: &[u8], is_json: bool) -> Result<(), TestCaseError> {
    check_result(decode::<T>(body), is_json)
}

/// Asserts the decode contract for the result of one decoder.
fn check_result<T>(result: Result<T, Error>, is_json: bool) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => Ok(()),
        Err(Error::Decode { path, message, .. }) => {
            prop_assert!(!message.is_empty());
            prop_assert!(message.len() <= FIELD_BYTES, "{} bytes", message.len());
            prop_assert!(path.len() <= EXCERPT_BYTES, "{} bytes", path.len());
            if is_json {
                prop_assert!(!path.is_empty(), "empty path for a JSON body: {message}");
            }
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!(
            "not a decode error: {other:?}"
        ))),
    }
}

/// Every decoder a response can reach.
fn check_all(body: &[u8], is_json: bool) -> Result<(), TestCaseError> {
    check::<User>(body, is_json)?;
    check_result(testing::user_envelope(body), is_json)?;
    check_result(testing::users_envelope(body), is_json)?;
    check::<UserPage>(body, is_json)?;
    check::<Tenant>(body, is_json)?;
    check_result(testing::tenants_envelope(body), is_json)?;
    check_result(testing::id_envelope(body), is_json)?;
    check::<Role>(body, is_json)?;
    check_result(testing::roles_envelope(body), is_json)?;
    check::<Permission>(body, is_json)?;
    check_result(testing::permissions_envelope(body), is_json)?;
    check::<Group>(body, is_json)?;
    check_result(testing::group_list(body), is_json)?;
    check_result(testing::scim_user(body), is_json)?;
    check::<ScimUser>(body, is_json)?;
    check::<ScimGroup>(body, is_json)?;
    check::<ScimListResponse<ScimUser>>(body, is_json)?;
    check::<ScimListResponse<ScimGroup>>(body, is_json)?;
    check_result(testing::scim_resource_types(body), is_json)?;
    check::<ScimServiceProviderConfig>(body, is_json)?;
    check_error_body(body)
}

/// The error-body decoder never fails: it always yields an `ApiError`, bounded and scrubbed.
fn check_error_body(body: &[u8]) -> Result<(), TestCaseError> {
    let e = testing::error_body(503, body, &["K2secret"]);
    prop_assert_eq!(e.status, 503);
    prop_assert!(e.description.len() <= FIELD_BYTES);
    prop_assert!(e.message.len() <= FIELD_BYTES);
    prop_assert!(e.error_code.len() <= 64);
    prop_assert!(!e.to_string().contains("K2secret"));
    Ok(())
}

/// A valid user, as the generated field values and the JSON Descope would send for them.
#[derive(Debug, Clone)]
struct GenUser {
    user_id: String,
    login_ids: Vec<String>,
    name: String,
    email: String,
    verified_email: bool,
    role_names: Vec<String>,
    tenants: Vec<(String, String, Vec<String>)>,
    status: String,
    created_time: i64,
    created_as_string: bool,
    totp: bool,
    saml: bool,
    test: bool,
    oauth: BTreeMap<String, bool>,
    custom: BTreeMap<String, Value>,
    /// Send empty lists as `null`, as Descope sometimes does.
    null_empty_lists: bool,
}

fn gen_user() -> impl Strategy<Value = GenUser> {
    let strings = || prop::collection::vec(text(), 0..4);
    let attr = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        text().prop_map(Value::String),
        Just(Value::Null),
        prop::collection::vec(text().prop_map(Value::String), 0..3).prop_map(Value::Array),
    ];
    (
        (text(), strings(), text(), text(), any::<bool>(), strings()),
        prop::collection::vec((text(), text(), strings()), 0..3),
        (
            prop_oneof![
                select(&["enabled", "disabled", "invited", "expired", ""][..])
                    .prop_map(str::to_owned),
                text(),
            ],
            any::<i64>(),
            any::<bool>(),
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        prop::collection::btree_map(text(), any::<bool>(), 0..3),
        prop::collection::btree_map(text(), attr, 0..4),
    )
        .prop_map(
            |(
                (user_id, login_ids, name, email, verified_email, role_names),
                tenants,
                (status, created_time, created_as_string),
                (totp, saml, test, null_empty_lists),
                oauth,
                custom,
            )| GenUser {
                user_id,
                login_ids,
                name,
                email,
                verified_email,
                role_names,
                tenants,
                status,
                created_time,
                created_as_string,
                totp,
                saml,
                test,
                oauth,
                custom,
                null_empty_lists,
            },
        )
}

impl GenUser {
    fn list(&self, items: &[String]) -> Value {
        if items.is_empty() && self.null_empty_lists {
            Value::Null
        } else {
            json!(items)
        }
    }

    fn to_json(&self) -> Value {
        let tenants: Vec<Value> = self
            .tenants
            .iter()
            .map(|(id, name, roles)| {
                json!({"tenantId": id, "tenantName": name, "roleNames": self.list(roles)})
            })
            .collect();
        let created = if self.created_as_string {
            Value::String(self.created_time.to_string())
        } else {
            Value::from(self.created_time)
        };
        json!({
            "userId": self.user_id,
            "loginIds": self.list(&self.login_ids),
            "name": self.name,
            "email": self.email,
            "verifiedEmail": self.verified_email,
            "roleNames": self.list(&self.role_names),
            "userTenants": if tenants.is_empty() && self.null_empty_lists { Value::Null } else { Value::Array(tenants) },
            "status": self.status,
            "createdTime": created,
            "TOTP": self.totp,
            "SAML": self.saml,
            "test": self.test,
            "OAuth": self.oauth,
            "customAttributes": self.custom,
            "unknownFutureField": {"nested": [1, "x", null]},
        })
    }

    fn assert_decoded(&self, u: &User) -> Result<(), TestCaseError> {
        prop_assert_eq!(&u.user_id, &self.user_id);
        prop_assert_eq!(&u.login_ids, &self.login_ids);
        prop_assert_eq!(&u.name, &self.name);
        prop_assert_eq!(&u.email, &self.email);
        prop_assert_eq!(u.verified_email, self.verified_email);
        prop_assert_eq!(&u.role_names, &self.role_names);
        prop_assert_eq!(u.user_tenants.len(), self.tenants.len());
        for (got, (id, name, roles)) in u.user_tenants.iter().zip(&self.tenants) {
            prop_assert_eq!(&got.tenant_id, id);
            prop_assert_eq!(&got.tenant_name, name);
            prop_assert_eq!(&got.role_names, roles);
        }
        prop_assert_eq!(&u.status, &UserStatus::parse(&self.status));
        prop_assert_eq!(u.status.as_str(), self.status.as_str());
        prop_assert_eq!(u.created_time, self.created_time);
        prop_assert_eq!(u.totp, self.totp);
        prop_assert_eq!(u.saml, self.saml);
        prop_assert_eq!(u.test, self.test);
        prop_assert_eq!(&u.oauth, &self.oauth);
        let custom: Map<String, Value> = self.custom.clone().into_iter().collect();
        prop_assert_eq!(&u.custom_attributes, &custom);
        prop_assert_eq!(
            u.primary_login_id(),
            self.login_ids.first().unwrap_or(&self.user_id).as_str()
        );
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        check_all(&body, false)?;
    }

    #[test]
    fn arbitrary_json_is_a_value_or_a_decode_error_with_a_path(tree in json_tree()) {
        let body = serde_json::to_vec(&tree).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_all(&body, true)?;
    }

    #[test]
    fn truncated_json_never_panics(tree in json_tree(), cut in any::<prop::sample::Index>()) {
        let body = serde_json::to_vec(&tree).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cut = cut.index(body.len() + 1);
        check_all(body.get(..cut).unwrap_or_default(), false)?;
    }

    /// A valid page whose user has one field replaced by anything: either decodes, or fails
    /// with a path that points into that user (or is the duplicate-key root of an alias).
    #[test]
    fn one_wrong_field_is_located(user in gen_user(), field in key(), value in json_tree()) {
        let mut doc = user.to_json();
        if let Some(obj) = doc.as_object_mut() {
            obj.insert(field.clone(), value);
        }
        let page = json!({"users": [doc], "total": 1});
        let body = serde_json::to_vec(&page).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match decode::<UserPage>(&body) {
            Ok(p) => prop_assert_eq!(p.users.len(), 1),
            Err(Error::Decode { path, .. }) => {
                prop_assert!(path.starts_with("users[0]"), "path {path:?} for field {field:?}");
            }
            Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
        }
    }

    /// A generated valid user decodes to exactly the generated values: alone, in the
    /// `{"user": ..}` envelope, and in a search page (with `total` as a number or a string).
    #[test]
    fn valid_user_round_trips(user in gen_user(), total in any::<u32>(), total_as_string in any::<bool>()) {
        let doc = user.to_json();
        let body = serde_json::to_vec(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let u = decode::<User>(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        user.assert_decoded(&u)?;

        let wrapped = serde_json::to_vec(&json!({"user": doc})).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let u = testing::user_envelope(&wrapped).map_err(|e| TestCaseError::fail(e.to_string()))?
            .ok_or_else(|| TestCaseError::fail("the envelope lost its user"))?;
        user.assert_decoded(&u)?;

        let total_json = if total_as_string { json!(total.to_string()) } else { json!(total) };
        let page = serde_json::to_vec(&json!({"users": [doc.clone(), doc], "total": total_json}))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let p = decode::<UserPage>(&page).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p.total, u64::from(total));
        prop_assert_eq!(p.users.len(), 2);
        for u in &p.users {
            user.assert_decoded(u)?;
        }
    }
}

#[test]
fn wrong_shapes_name_their_path() {
    for (body, want) in [
        (&br#"[]"#[..], "."),
        (br#"{"users": {}}"#, "users"),
        (br#"{"users": [{"loginIds": "a"}]}"#, "users[0].loginIds"),
        (br#"{"users": [], "total": "many"}"#, "total"),
        (
            br#"{"users": [{"createdTime": 1.5}]}"#,
            "users[0].createdTime",
        ),
        (
            br#"{"users": [{"userTenants": [{"roleNames": [1]}]}]}"#,
            "users[0].userTenants[0].roleNames[0]",
        ),
    ] {
        match decode::<UserPage>(body) {
            Err(Error::Decode { path, .. }) => {
                assert_eq!(path, want, "{}", String::from_utf8_lossy(body))
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
        }
    }
}

#[test]
fn non_json_bodies_say_what_they_were() {
    let msg = |body: &[u8]| match decode::<UserPage>(body) {
        Err(Error::Decode { message, .. }) => message,
        other => panic!("{other:?}"),
    };
    assert!(msg(b"").contains("empty"));
    assert!(msg(b"  \n").contains("empty"));
    let html = msg(b"<!DOCTYPE html><html><title>Login</title></html>");
    assert!(
        html.contains("HTML page") && html.contains("base URL"),
        "{html}"
    );
    assert!(msg(b"Service Unavailable").contains("not JSON"));
    assert!(msg(br#"{"users":[{"userId":"U1""#).contains("truncated"));
    assert!(msg(br#"{"users":[]} x"#).contains("after the JSON value"));
}

#[test]
fn huge_strings_do_not_make_huge_errors() {
    let big = "x".repeat(1 << 20);
    let body = serde_json::to_vec(&json!({"users": [], "total": big})).unwrap_or_default();
    match decode::<UserPage>(&body) {
        Err(Error::Decode { message, path, .. }) => {
            assert!(message.len() <= FIELD_BYTES, "{}", message.len());
            assert_eq!(path, "total");
        }
        other => panic!("{other:?}"),
    }
    let key = "k".repeat(1 << 16);
    let body = format!(r#"{{"customAttributes": {{"{key}": 1}}, "loginIds": 7}}"#);
    assert!(matches!(
        decode::<User>(body.as_bytes()),
        Err(Error::Decode { .. })
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let body = format!(
        r#"{{"customAttributes": {{"a": {}{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert!(matches!(
        decode::<User>(body.as_bytes()),
        Err(Error::Decode { .. })
    ));
}

/// The decoders of access keys, SSO apps, audit, auth history and groups.
mod more;
