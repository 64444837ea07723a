//! Audit search: the request, the audit record and a page of them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{de, setters};

/// The largest page Descope serves (`size`), and the default page of
/// [`crate::Audits::search_all`].
pub const MAX_AUDIT_PAGE_SIZE: u32 = 1000;

/// The body of `POST /v1/mgmt/audit/search`. Every filter is optional and unset ones are not
/// sent. Descope only keeps (and only lets `from` reach back) 30 days of audit.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use descope_mgmt::SearchAuditRequest;
/// let req = SearchAuditRequest::new()
///     .actions(["LoginSucceed"])
///     .since(SystemTime::now() - Duration::from_secs(7 * 24 * 3600))
///     .size(1000);
/// assert_eq!(req.actions, ["LoginSucceed"]);
/// assert!(req.from.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchAuditRequest {
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
    /// Actions (e.g. `LoginSucceed`, `UserModified`, `AccessKeyCreated`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Actions to leave out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_actions: Vec<String>,
    /// Devices: `Bot`, `Mobile`, `Desktop`, `Tablet`, `Unknown`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    /// Authentication methods (`otp`, `totp`, `magiclink`, `oauth`, `saml`, `password`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Country codes such as `US`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub geos: Vec<String>,
    /// Remote IP addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remote_addresses: Vec<String>,
    /// Login ids (wire `externalIds`).
    #[serde(rename = "externalIds", skip_serializing_if = "Vec::is_empty")]
    pub login_ids: Vec<String>,
    /// Tenant ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenants: Vec<String>,
    /// Also include audits without any tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_tenants: Option<bool>,
    /// Free text over all fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Oldest audit, epoch **milliseconds** (at most 30 days back).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// Newest audit, epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// Page size, at most [`MAX_AUDIT_PAGE_SIZE`] (the server's default is the maximum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// Page number, 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

impl SearchAuditRequest {
    /// No filter: the server's default window, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `from` to `time` (epoch milliseconds on the wire).
    #[must_use]
    pub fn since(mut self, time: SystemTime) -> Self {
        self.from = Some(epoch_millis(time));
        self
    }

    /// Sets `to` to `time` (epoch milliseconds on the wire).
    #[must_use]
    pub fn until(mut self, time: SystemTime) -> Self {
        self.to = Some(epoch_millis(time));
        self
    }
}

setters!(SearchAuditRequest {
    list user_ids: String,
    list actions: String,
    list excluded_actions: String,
    list devices: String,
    list methods: String,
    list geos: String,
    list remote_addresses: String,
    list login_ids: String,
    list tenants: String,
    opt no_tenants: bool,
    opt_str text: String,
    opt from: i64,
    opt to: i64,
    opt size: u32,
    opt page: u32,
});

/// `time` as epoch milliseconds, saturating at the ends of `i64`.
pub(crate) fn epoch_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// One audit record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Audit {
    /// Record id (wire `ID`, upper-case; `id` also accepted). Older backends may not send it.
    #[serde(rename = "ID", alias = "id", deserialize_with = "de::null_default")]
    pub id: String,
    /// Project id.
    #[serde(deserialize_with = "de::null_default")]
    pub project_id: String,
    /// The user the record is about.
    #[serde(deserialize_with = "de::null_default")]
    pub user_id: String,
    /// Action, e.g. `LoginSucceed`.
    #[serde(deserialize_with = "de::null_default")]
    pub action: String,
    /// `info`, `warn` or `error` (wire `type`).
    #[serde(rename = "type", deserialize_with = "de::null_default")]
    pub kind: String,
    /// Who performed the action.
    #[serde(deserialize_with = "de::null_default")]
    pub actor_id: String,
    /// When it happened, epoch milliseconds (sent as a numeric string; a number is accepted).
    #[serde(deserialize_with = "de::int64")]
    pub occurred: i64,
    /// Device class.
    #[serde(deserialize_with = "de::null_default")]
    pub device: String,
    /// Authentication method.
    #[serde(deserialize_with = "de::null_default")]
    pub method: String,
    /// Country code.
    #[serde(deserialize_with = "de::null_default")]
    pub geo: String,
    /// Remote IP address.
    #[serde(deserialize_with = "de::null_default")]
    pub remote_address: String,
    /// Login ids (wire `externalIds`).
    #[serde(rename = "externalIds", deserialize_with = "de::null_default")]
    pub login_ids: Vec<String>,
    /// Tenant ids.
    #[serde(deserialize_with = "de::null_default")]
    pub tenants: Vec<String>,
    /// Free-form details (e.g. `error_message` for `LoginFailed`).
    #[serde(deserialize_with = "de::null_default")]
    pub data: Map<String, Value>,
}

impl Audit {
    /// When it happened; `None` when the record carries no time (`occurred` 0 or absent).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let a: descope_mgmt::Audit = serde_json::from_str(r#"{"occurred":"1700000000123"}"#).unwrap();
    /// assert_eq!(a.occurred_at(), Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)));
    /// ```
    pub fn occurred_at(&self) -> Option<SystemTime> {
        let d = Duration::from_millis(self.occurred.unsigned_abs());
        match self.occurred {
            0 => None,
            ms if ms > 0 => UNIX_EPOCH.checked_add(d),
            _ => UNIX_EPOCH.checked_sub(d),
        }
    }
}

/// One page of an audit search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AuditPage {
    /// The records on this page.
    #[serde(deserialize_with = "de::null_default")]
    pub audits: Vec<Audit>,
    /// The number of records matching the filter, across all pages (0 when not sent).
    #[serde(deserialize_with = "de::uint64")]
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn request_encodes_wire_names_and_omits_unset() {
        assert_eq!(
            serde_json::to_value(SearchAuditRequest::new()).unwrap(),
            json!({})
        );
        let req = SearchAuditRequest::new()
            .login_ids(["a@b.c"])
            .no_tenants(false)
            .from(1)
            .to(2)
            .size(10)
            .page(0);
        assert_eq!(
            serde_json::to_value(req).unwrap(),
            json!({"externalIds":["a@b.c"],"noTenants":false,"from":1,"to":2,"size":10,"page":0})
        );
    }

    #[test]
    fn times_convert_both_ways() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(epoch_millis(t), 1_700_000_000_123);
        assert_eq!(epoch_millis(UNIX_EPOCH - Duration::from_millis(5)), -5);
        let a: Audit = serde_json::from_value(json!({"occurred": 1_700_000_000_123_i64})).unwrap();
        assert_eq!(a.occurred_at(), Some(t));
        let a: Audit = serde_json::from_value(json!({"occurred": null})).unwrap();
        assert_eq!(a.occurred_at(), None);
    }

    #[test]
    fn audit_decodes_upper_case_id_and_renamed_fields() {
        let a: Audit = serde_json::from_value(json!({"ID":"A1","type":"warn",
            "externalIds":["a@b.c"],"tenants":null,"data":{"error_message":"bad"},
            "occurred":"17"}))
        .unwrap();
        assert_eq!((a.id.as_str(), a.kind.as_str()), ("A1", "warn"));
        assert_eq!(a.login_ids, ["a@b.c"]);
        assert_eq!(a.occurred, 17);
        let a: Audit = serde_json::from_value(json!({"id":"A2"})).unwrap();
        assert_eq!(a.id, "A2");
    }
}
