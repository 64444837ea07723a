//! Activity: users' sign-ins (`POST /v1/mgmt/user/history`) and the audit trail
//! (`POST /v1/mgmt/audit/search`), shaped like Descope's wire objects.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// One sign-in of a user, as the auth-history endpoint returns it.
///
/// ```
/// use descope_emulator::LoginRecord;
///
/// let login = LoginRecord::new("U2abc", 1_767_225_000);
/// let json = serde_json::to_value(&login).unwrap();
/// assert_eq!(json["loginTime"], 1_767_225_000);
/// assert_eq!(json["selectedTenant"], "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct LoginRecord {
    /// The user who signed in.
    pub user_id: String,
    /// When, in epoch **seconds**.
    pub login_time: i64,
    /// City.
    pub city: String,
    /// Country code (`US`, `DE`...).
    pub country: String,
    /// IP address.
    pub ip: String,
    /// The tenant selected at sign-in (empty for none).
    pub selected_tenant: String,
}

impl LoginRecord {
    /// A sign-in of `user_id` at `login_time` (epoch seconds), without place or tenant.
    pub fn new(user_id: impl Into<String>, login_time: i64) -> Self {
        Self {
            user_id: user_id.into(),
            login_time,
            ..Self::default()
        }
    }
}

/// One audit record, as audit search returns it (less `projectId`, which the server adds).
///
/// `occurred` is epoch **milliseconds**, written as a JSON string the way Descope sends it (a
/// number is read too); the id's JSON key is the upper-case `ID`.
///
/// ```
/// use descope_emulator::AuditRecord;
///
/// let mut a = AuditRecord::new("A2xyz", "LoginSucceed", 1_767_225_000_123);
/// a.user_id = "U2abc".into();
/// let json = serde_json::to_value(&a).unwrap();
/// assert_eq!(json["ID"], "A2xyz");
/// assert_eq!(json["occurred"], "1767225000123");
/// assert_eq!(json["type"], "info");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AuditRecord {
    /// Record id (JSON `ID`).
    #[serde(rename = "ID", alias = "id")]
    pub id: String,
    /// The user the record is about (empty for records about other objects).
    pub user_id: String,
    /// Action, e.g. `LoginSucceed`, `UserModified`, `AccessKeyCreated`.
    pub action: String,
    /// `info`, `warn` or `error` (JSON `type`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Who did it: the user's login id for sign-ins, the emulator's management-key actor for
    /// changes made through the management API.
    pub actor_id: String,
    /// When, epoch milliseconds (a JSON string).
    #[serde(serialize_with = "ms_as_string", deserialize_with = "ms_from_any")]
    pub occurred: i64,
    /// Device class (`Desktop`, `Mobile`, `Tablet`, `Bot`, `Unknown`).
    pub device: String,
    /// Authentication method (`password`, `otp`, `magiclink`, `oauth`, `saml`, `totp`...).
    pub method: String,
    /// Country code.
    pub geo: String,
    /// Remote IP address.
    pub remote_address: String,
    /// Login ids of the user (what search's `externalIds` filter matches).
    pub external_ids: Vec<String>,
    /// Tenant ids the record concerns.
    pub tenants: Vec<String>,
    /// Details: what changed, or why a sign-in failed (`error_message`).
    pub data: Map<String, Value>,
}

impl AuditRecord {
    /// An `info` record of `action` at `occurred` (epoch milliseconds), everything else empty.
    pub fn new(id: impl Into<String>, action: impl Into<String>, occurred: i64) -> Self {
        Self {
            id: id.into(),
            action: action.into(),
            kind: "info".to_owned(),
            occurred,
            ..Self::default()
        }
    }
}

fn ms_as_string<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(ms)
}

fn ms_from_any<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        N(i64),
        S(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(0),
        Some(Raw::N(n)) => Ok(n),
        Some(Raw::S(s)) => s
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("invalid epoch milliseconds {s:?}"))),
    }
}
