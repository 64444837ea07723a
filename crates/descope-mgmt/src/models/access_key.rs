//! Access keys: the key object, its status, and the request bodies of `/v1/mgmt/accesskey/*`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de as serde_de};
use serde_json::{Map, Value};

use super::{AssociatedTenant, SortField, de, map_is_empty, setters};

/// A Descope access key, as returned by load, search, create, update and rotate.
///
/// Never holds the key's secret: the cleartext is returned once, by create and rotate, in
/// [`CreatedAccessKey`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessKey {
    /// Key id (also the key's client-facing identifier).
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Name (not unique).
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// Project-level roles.
    #[serde(deserialize_with = "de::null_default")]
    pub role_names: Vec<String>,
    /// Tenants the key belongs to, with its roles in each.
    #[serde(deserialize_with = "de::null_default")]
    pub key_tenants: Vec<AccessKeyTenant>,
    /// `active` or `inactive` (deactivated).
    pub status: AccessKeyStatus,
    /// Creation time, epoch seconds.
    #[serde(deserialize_with = "de::int64")]
    pub created_time: i64,
    /// Expiry, epoch seconds; `0` means the key never expires.
    #[serde(deserialize_with = "de::int64")]
    pub expire_time: i64,
    /// Who created the key (format undocumented).
    #[serde(deserialize_with = "de::null_default")]
    pub created_by: String,
    /// Client id.
    #[serde(deserialize_with = "de::null_default")]
    pub client_id: String,
    /// The user the key is bound to (it then acts with that user's authorization); empty when
    /// unbound.
    #[serde(deserialize_with = "de::null_default")]
    pub bound_user_id: String,
    /// Custom claims added to the key's tokens.
    #[serde(deserialize_with = "de::null_default")]
    pub custom_claims: Map<String, Value>,
    /// IP addresses or CIDR ranges allowed to use the key; empty means any.
    #[serde(deserialize_with = "de::null_default")]
    pub permitted_ips: Vec<String>,
    /// Custom attributes.
    #[serde(deserialize_with = "de::null_default")]
    pub custom_attributes: Map<String, Value>,
    /// Whether the key may be edited (`false` when the server does not say; older backends omit
    /// it).
    #[serde(deserialize_with = "de::null_default")]
    pub editable: bool,
}

impl AccessKey {
    /// When the key expires; `None` when it never does (`expireTime` 0).
    ///
    /// ```
    /// let key: descope_mgmt::AccessKey = serde_json::from_str(r#"{"expireTime":0}"#).unwrap();
    /// assert_eq!(key.expires_at(), None);
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        (self.expire_time != 0).then(|| epoch_seconds(self.expire_time))
    }

    /// True when the key has expired at `now`: its expiry time has passed, or Descope reports
    /// its status as `expired` (whether it ever does is unverified). A key without an expiry
    /// (`expireTime` 0) never expires.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// let key: descope_mgmt::AccessKey =
    ///     serde_json::from_str(r#"{"id":"K1","expireTime":1700000000}"#).unwrap();
    /// assert!(key.is_expired(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
    /// assert!(!key.is_expired(UNIX_EPOCH + Duration::from_secs(1_699_999_999)));
    /// ```
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.status.as_str() == "expired" || self.expires_at().is_some_and(|at| at <= now)
    }

    /// The key's roles in one tenant (empty when it does not belong to it).
    ///
    /// ```
    /// let key: descope_mgmt::AccessKey = serde_json::from_str(
    ///     r#"{"keyTenants":[{"tenantId":"T1","tenantName":"Acme","roleNames":["deployer"]}]}"#,
    /// ).unwrap();
    /// assert_eq!(key.tenant_roles("T1"), ["deployer".to_owned()]);
    /// assert!(key.tenant_roles("T2").is_empty());
    /// ```
    pub fn tenant_roles(&self, tenant_id: &str) -> &[String] {
        self.key_tenants
            .iter()
            .find(|t| t.tenant_id == tenant_id)
            .map_or(&[], |t| t.role_names.as_slice())
    }
}

/// Epoch seconds as a `SystemTime`, saturating at what the platform can represent.
fn epoch_seconds(secs: i64) -> SystemTime {
    let d = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        UNIX_EPOCH.checked_add(d).unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH.checked_sub(d).unwrap_or(UNIX_EPOCH)
    }
}

/// A tenant an access key belongs to, as responses show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessKeyTenant {
    /// Tenant id.
    #[serde(deserialize_with = "de::null_default")]
    pub tenant_id: String,
    /// Tenant name (responses only; never sent).
    #[serde(deserialize_with = "de::null_default")]
    pub tenant_name: String,
    /// The key's roles in this tenant.
    #[serde(deserialize_with = "de::null_default")]
    pub role_names: Vec<String>,
}

/// An access key's status. Unknown strings decode as [`AccessKeyStatus::Other`], never as an
/// error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessKeyStatus {
    /// `active`: the key can authenticate.
    Active,
    /// `inactive`: deactivated; it can be activated again.
    Inactive,
    /// Missing, `null` or empty.
    #[default]
    Unknown,
    /// A status this crate does not know yet (perhaps `expired`, unverified).
    Other(String),
}

impl AccessKeyStatus {
    /// The wire string (`""` for [`AccessKeyStatus::Unknown`]).
    pub fn as_str(&self) -> &str {
        match self {
            AccessKeyStatus::Active => "active",
            AccessKeyStatus::Inactive => "inactive",
            AccessKeyStatus::Unknown => "",
            AccessKeyStatus::Other(s) => s,
        }
    }

    /// Parses a wire string; never fails.
    ///
    /// ```
    /// use descope_mgmt::AccessKeyStatus;
    /// assert_eq!(AccessKeyStatus::parse("inactive"), AccessKeyStatus::Inactive);
    /// assert_eq!(AccessKeyStatus::parse("expired").as_str(), "expired");
    /// ```
    pub fn parse(s: &str) -> Self {
        match s {
            "active" => AccessKeyStatus::Active,
            "inactive" => AccessKeyStatus::Inactive,
            "" => AccessKeyStatus::Unknown,
            other => AccessKeyStatus::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for AccessKeyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AccessKeyStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AccessKeyStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        Ok(s.map_or(AccessKeyStatus::Unknown, |s| AccessKeyStatus::parse(&s)))
    }
}

/// A newly created (or rotated) access key and its secret.
///
/// The cleartext is shown by Descope **once**: store it now. It is a [`SecretString`], so it
/// never appears in `Debug` output; read it with `secrecy::ExposeSecret`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatedAccessKey {
    /// The key.
    pub key: AccessKey,
    /// The key's secret, to use as `<ProjectID>:<cleartext>`.
    pub cleartext: SecretString,
}

/// The body of `POST /v1/mgmt/accesskey/search`. Every filter is optional; an empty request
/// returns every key of the project (the endpoint has no paging).
///
/// ```
/// let req = descope_mgmt::SearchAccessKeysRequest::new().tenant_ids(["T1"]);
/// assert_eq!(req.tenant_ids, ["T1"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchAccessKeysRequest {
    /// Keys that belong to any of these tenants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_ids: Vec<String>,
    /// Keys bound to this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_user_id: Option<String>,
    /// Keys created by this user (matching rule undocumented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creating_user: Option<String>,
    /// Keys whose custom attributes match these values.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// Sort order (sortable fields undocumented).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortField>,
    /// Free-text search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl SearchAccessKeysRequest {
    /// No filter: every key.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SearchAccessKeysRequest {
    list tenant_ids: String,
    opt_str bound_user_id: String,
    opt_str creating_user: String,
    val custom_attributes: Map<String, Value>,
    val sort: Vec<SortField>,
    opt_str text: String,
});

/// The body of `POST /v1/mgmt/accesskey/create`.
///
/// `role_names` (project roles) and `key_tenants` (tenant roles) are alternatives: Descope gives
/// tenant roles precedence when both are set. A key bound to a user (`user_id`) acts with that
/// user's authorization and ignores its own roles.
///
/// ```
/// use descope_mgmt::{AssociatedTenant, CreateAccessKeyRequest};
/// let req = CreateAccessKeyRequest::new("ci-deployer")
///     .expire_time(1_900_000_000)
///     .key_tenants(vec![AssociatedTenant::new("T1", ["deployer"])]);
/// assert_eq!(req.name, "ci-deployer");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateAccessKeyRequest {
    /// Name (required).
    pub name: String,
    /// Expiry, epoch seconds; `0` (the default) means never. Always sent.
    pub expire_time: i64,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Project-level roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_names: Vec<String>,
    /// Tenants and the key's roles in each (sent as `tenantId` and `roleNames` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_tenants: Vec<AssociatedTenant>,
    /// Binds the key to this user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Custom claims added to the key's tokens.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_claims: Map<String, Value>,
    /// Allowed IP addresses or CIDR ranges; empty means any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permitted_ips: Vec<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
}

impl CreateAccessKeyRequest {
    /// A key named `name` that never expires, with nothing else set.
    pub fn new(name: impl Into<String>) -> Self {
        CreateAccessKeyRequest {
            name: name.into(),
            ..Self::default()
        }
    }
}

setters!(CreateAccessKeyRequest {
    val expire_time: i64,
    opt_str description: String,
    list role_names: String,
    val key_tenants: Vec<AssociatedTenant>,
    opt_str user_id: String,
    val custom_claims: Map<String, Value>,
    list permitted_ips: String,
    val custom_attributes: Map<String, Value>,
});

/// The body of `POST /v1/mgmt/accesskey/update`.
///
/// `id` and `name` are sent every time (Descope requires both; the name is always replaced).
/// Every other field is optional: **unset, it keeps the stored value; set, it REPLACES the
/// stored value entirely.** There is no add or remove: to change one role, send every other
/// role back too. Start from [`UpdateAccessKeyRequest::from_key`] for a read-modify-write that
/// changes only what you change.
///
/// ```
/// use descope_mgmt::{AccessKey, UpdateAccessKeyRequest};
/// let key: AccessKey = serde_json::from_str(
///     r#"{"id":"K1","name":"ci","roleNames":["reader"],"permittedIps":["10.0.0.0/8"]}"#,
/// ).unwrap();
/// let mut req = UpdateAccessKeyRequest::from_key(&key);
/// if let Some(roles) = req.role_names.as_mut() {
///     roles.push("writer".into()); // "reader" is kept because it is sent back
/// }
/// assert_eq!(req.permitted_ips.as_deref(), Some(&["10.0.0.0/8".to_owned()][..]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateAccessKeyRequest {
    /// Key id (required).
    pub id: String,
    /// Name (required; always replaced).
    pub name: String,
    /// Description; replaces the stored one when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Project-level roles; when set, REPLACES all of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_names: Option<Vec<String>>,
    /// Tenants and tenant roles; when set, REPLACES all of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_tenants: Option<Vec<AssociatedTenant>>,
    /// Custom claims; when set, REPLACES the whole map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// Allowed IPs or CIDR ranges; when set, REPLACES the list (empty allows any IP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permitted_ips: Option<Vec<String>>,
    /// Custom attributes; when set, REPLACES the whole map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
}

impl UpdateAccessKeyRequest {
    /// An update of key `id` that sets its name and keeps everything else.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        UpdateAccessKeyRequest {
            id: id.into(),
            name: name.into(),
            ..Self::default()
        }
    }

    /// An update that writes back everything `key` holds, so that sending it unchanged changes
    /// nothing and each field you then modify changes only that field.
    ///
    /// Fields that are empty on `key` are left unset (not sent), which keeps the stored value:
    /// this is correct whether or not Descope treats an explicit empty list as "clear", and never
    /// sends both `roleNames` and `keyTenants` unless the key has both.
    pub fn from_key(key: &AccessKey) -> Self {
        fn non_empty<T: Clone>(v: &[T]) -> Option<Vec<T>> {
            (!v.is_empty()).then(|| v.to_vec())
        }
        fn non_empty_map(m: &Map<String, Value>) -> Option<Map<String, Value>> {
            (!m.is_empty()).then(|| m.clone())
        }
        UpdateAccessKeyRequest {
            id: key.id.clone(),
            name: key.name.clone(),
            description: (!key.description.is_empty()).then(|| key.description.clone()),
            role_names: non_empty(&key.role_names),
            key_tenants: (!key.key_tenants.is_empty()).then(|| {
                key.key_tenants
                    .iter()
                    .map(|t| AssociatedTenant::new(t.tenant_id.clone(), t.role_names.clone()))
                    .collect()
            }),
            custom_claims: non_empty_map(&key.custom_claims),
            permitted_ips: non_empty(&key.permitted_ips),
            custom_attributes: non_empty_map(&key.custom_attributes),
        }
    }
}

setters!(UpdateAccessKeyRequest {
    opt_str description: String,
    opt role_names: Vec<String>,
    opt key_tenants: Vec<AssociatedTenant>,
    opt custom_claims: Map<String, Value>,
    opt permitted_ips: Vec<String>,
    opt custom_attributes: Map<String, Value>,
});

// Envelopes and small bodies; private because the handlers take plain arguments.

/// `{"key": {...}}`. A missing or `null` key is kept as `None` so the handler can refuse it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AccessKeyEnvelope {
    pub(crate) key: Option<AccessKey>,
}

/// `{"keys": [...]}` from search.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AccessKeysEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) keys: Vec<AccessKey>,
}

/// `{"key": {...}, "cleartext": "..."}` from create and rotate.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CreatedAccessKeyEnvelope {
    pub(crate) key: Option<AccessKey>,
    #[serde(deserialize_with = "cleartext")]
    pub(crate) cleartext: Option<SecretString>,
}

/// Decodes the cleartext straight into a [`SecretString`]. Only a string (or `null`) is
/// accepted, and a wrong type is reported without its value: serde's own message would quote a
/// number or a boolean, and that could be the secret.
fn cleartext<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    struct V;
    impl<'de> serde_de::Visitor<'de> for V {
        type Value = Option<SecretString>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde_de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(SecretString::from(v)))
        }
        fn visit_unit<E: serde_de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde_de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: serde_de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom(NOT_A_STRING))
        }
        fn visit_i64<E: serde_de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom(NOT_A_STRING))
        }
        fn visit_u64<E: serde_de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom(NOT_A_STRING))
        }
        fn visit_f64<E: serde_de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom(NOT_A_STRING))
        }
        fn visit_seq<A: serde_de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(serde_de::Error::custom(NOT_A_STRING))
        }
        fn visit_map<A: serde_de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(serde_de::Error::custom(NOT_A_STRING))
        }
    }
    const NOT_A_STRING: &str = "the cleartext is not a string (value withheld)";
    d.deserialize_any(V)
}

#[derive(Serialize)]
pub(crate) struct IdBody<'a> {
    pub(crate) id: &'a str,
}

#[derive(Serialize)]
pub(crate) struct IdsBody<'a> {
    pub(crate) ids: &'a [String],
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_the_documented_example() {
        let k: AccessKey = serde_json::from_value(json!({"id":"K2x","name":"ci","description":"",
            "roleNames":[],"keyTenants":[{"tenantId":"T1","tenantName":"Acme","roleNames":["r"]}],
            "status":"active","createdTime":1_700_000_000,"expireTime":0,"createdBy":"u",
            "clientId":"c","boundUserId":"","permittedIps":[],"customClaims":{},"editable":true,
            "future":1}))
        .unwrap();
        assert_eq!(k.status, AccessKeyStatus::Active);
        assert_eq!(k.tenant_roles("T1"), ["r".to_owned()]);
        assert_eq!(k.key_tenants[0].tenant_name, "Acme");
        assert!(k.editable);
        assert_eq!(k.expires_at(), None);
        assert!(!k.is_expired(SystemTime::now()));
    }

    #[test]
    fn nulls_strings_and_unknown_status() {
        let k: AccessKey = serde_json::from_value(json!({"id":"K","roleNames":null,
            "keyTenants":null,"status":"expired","createdTime":"5","expireTime":"10",
            "customClaims":null,"permittedIps":null,"editable":null}))
        .unwrap();
        assert_eq!(k.status, AccessKeyStatus::Other("expired".into()));
        assert_eq!((k.created_time, k.expire_time), (5, 10));
        assert!(
            k.is_expired(UNIX_EPOCH),
            "status expired wins over the clock"
        );
        let k: AccessKey = serde_json::from_value(json!({"status": null})).unwrap();
        assert_eq!(k.status, AccessKeyStatus::Unknown);
    }

    #[test]
    fn expiry_in_the_past_is_expired() {
        let k: AccessKey = serde_json::from_value(json!({"expireTime": -5})).unwrap();
        assert!(k.is_expired(UNIX_EPOCH));
        let k: AccessKey = serde_json::from_value(json!({"expireTime": i64::MAX})).unwrap();
        assert!(!k.is_expired(SystemTime::now()));
    }

    #[test]
    fn requests_encode_only_what_is_set() {
        assert_eq!(
            serde_json::to_value(SearchAccessKeysRequest::new()).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(CreateAccessKeyRequest::new("n")).unwrap(),
            json!({"name": "n", "expireTime": 0})
        );
        assert_eq!(
            serde_json::to_value(UpdateAccessKeyRequest::new("K1", "n")).unwrap(),
            json!({"id": "K1", "name": "n"})
        );
        let cleared = UpdateAccessKeyRequest::new("K1", "n").role_names(Vec::new());
        assert_eq!(
            serde_json::to_value(cleared).unwrap(),
            json!({"id": "K1", "name": "n", "roleNames": []})
        );
    }

    #[test]
    fn from_key_writes_back_everything_it_holds() {
        let k: AccessKey = serde_json::from_value(json!({"id":"K1","name":"ci",
            "description":"d","roleNames":["a"],
            "keyTenants":[{"tenantId":"T1","tenantName":"Acme","roleNames":["r"]}],
            "customClaims":{"c":1},"permittedIps":["1.2.3.4"],"customAttributes":{"x":"y"},
            "status":"active","createdTime":1,"expireTime":2,"createdBy":"u","clientId":"c",
            "boundUserId":"U1","editable":true}))
        .unwrap();
        assert_eq!(
            serde_json::to_value(UpdateAccessKeyRequest::from_key(&k)).unwrap(),
            json!({"id":"K1","name":"ci","description":"d","roleNames":["a"],
                "keyTenants":[{"tenantId":"T1","roleNames":["r"]}],"customClaims":{"c":1},
                "permittedIps":["1.2.3.4"],"customAttributes":{"x":"y"}})
        );
        let bare: AccessKey = serde_json::from_value(json!({"id":"K2","name":"n"})).unwrap();
        assert_eq!(
            serde_json::to_value(UpdateAccessKeyRequest::from_key(&bare)).unwrap(),
            json!({"id":"K2","name":"n"})
        );
    }

    #[test]
    fn cleartext_is_secret_and_never_quoted() {
        let c: CreatedAccessKeyEnvelope =
            serde_json::from_value(json!({"key":{"id":"K1"},"cleartext":"S3cr3t"})).unwrap();
        let secret = c.cleartext.unwrap();
        assert_eq!(secret.expose_secret(), "S3cr3t");
        let created = CreatedAccessKey {
            key: c.key.unwrap(),
            cleartext: secret,
        };
        assert!(!format!("{created:?}").contains("S3cr3t"));
        let err = serde_json::from_str::<CreatedAccessKeyEnvelope>(r#"{"cleartext":987654321}"#)
            .err()
            .unwrap();
        assert!(!err.to_string().contains("987654321"), "{err}");
        let none: CreatedAccessKeyEnvelope = serde_json::from_str(r#"{"cleartext":null}"#).unwrap();
        assert!(none.cleartext.is_none());
    }
}
