//! Access keys as the emulator stores them, shaped like Descope's `AccessKey` object.
//!
//! A record (de)serializes with Descope's field names plus one emulator-only field,
//! `secretHash`: the SHA-256 of the key's cleartext. The cleartext itself is never stored, so
//! a saved dataset holds no usable secret; the server hashes a presented key to check it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An access key's stored status (`active` / `inactive`, as Descope spells it).
///
/// Expiry is not a stored status: a key whose `expireTime` has passed keeps its status, and the
/// server shows it as `active` or `expired` depending on
/// [`EmulatorBuilder::expired_key_status`](crate::EmulatorBuilder::expired_key_status).
///
/// ```
/// use descope_emulator::AccessKeyStatus;
///
/// assert_eq!(AccessKeyStatus::Inactive.as_str(), "inactive");
/// assert_eq!(AccessKeyStatus::default(), AccessKeyStatus::Active);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AccessKeyStatus {
    /// The key can be used.
    #[default]
    Active,
    /// The key was deactivated (it persists and can be activated again).
    Inactive,
}

impl AccessKeyStatus {
    /// The wire spelling (`"active"`, `"inactive"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }
}

/// One tenant an access key is associated with (`keyTenants[]`).
///
/// ```
/// use descope_emulator::{AccessKeyRecord, KeyTenantRecord};
///
/// let mut key = AccessKeyRecord::new("K2scim", "Acme SCIM");
/// key.key_tenants
///     .push(KeyTenantRecord::new("T2acme", "Acme", vec!["Tenant Admin".into()]));
/// assert!(key.tenant("T2acme").is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct KeyTenantRecord {
    /// The tenant's id.
    pub tenant_id: String,
    /// The tenant's name (denormalised, as Descope returns it).
    pub tenant_name: String,
    /// Role names the key holds in this tenant.
    pub role_names: Vec<String>,
}

impl KeyTenantRecord {
    /// An association with `tenant_id` (named `tenant_name`) holding `role_names`.
    pub fn new(
        tenant_id: impl Into<String>,
        tenant_name: impl Into<String>,
        role_names: Vec<String>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            tenant_name: tenant_name.into(),
            role_names,
        }
    }
}

/// An access key, as Descope's `AccessKey` object carries it, plus the hash of its secret.
///
/// ```
/// use descope_emulator::AccessKeyRecord;
///
/// let mut key = AccessKeyRecord::new("K2ci", "CI pipeline");
/// key.role_names.push("Viewer".into());
/// key.set_cleartext("K2ci-secret");
/// assert!(key.cleartext_matches("K2ci-secret"));
/// assert!(!format!("{key:?}").contains("K2ci-secret"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AccessKeyRecord {
    /// Key id (`K2...`).
    pub id: String,
    /// Name (not unique).
    pub name: String,
    /// Description.
    pub description: String,
    /// Project-level role names.
    pub role_names: Vec<String>,
    /// Tenants the key is associated with, and its roles in each.
    pub key_tenants: Vec<KeyTenantRecord>,
    /// Stored status.
    pub status: AccessKeyStatus,
    /// Creation time in epoch seconds.
    pub created_time: i64,
    /// Expiry in epoch seconds; `0` never expires.
    pub expire_time: i64,
    /// Who created the key.
    pub created_by: String,
    /// The key's client id.
    pub client_id: String,
    /// The user the key is bound to (it then acts with that user's authorization); empty if none.
    pub bound_user_id: String,
    /// Custom claims added to the key's JWTs.
    pub custom_claims: Map<String, Value>,
    /// IPs or CIDRs the key may be used from; empty allows all.
    pub permitted_ips: Vec<String>,
    /// Custom attributes.
    pub custom_attributes: Map<String, Value>,
    /// Whether the key is editable.
    pub editable: bool,
    /// Lower-case hex SHA-256 of the key's cleartext (emulator-only; never sent in responses).
    /// Empty: no cleartext authenticates the key.
    pub secret_hash: String,
}

impl fmt::Debug for AccessKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hash is not the secret, but there is no reason to print it either.
        f.debug_struct("AccessKeyRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("description", &self.description)
            .field("role_names", &self.role_names)
            .field("key_tenants", &self.key_tenants)
            .field("status", &self.status)
            .field("created_time", &self.created_time)
            .field("expire_time", &self.expire_time)
            .field("created_by", &self.created_by)
            .field("client_id", &self.client_id)
            .field("bound_user_id", &self.bound_user_id)
            .field("custom_claims", &self.custom_claims)
            .field("permitted_ips", &self.permitted_ips)
            .field("custom_attributes", &self.custom_attributes)
            .field("editable", &self.editable)
            .field("secret_hash", &"<redacted>")
            .finish()
    }
}

impl AccessKeyRecord {
    /// An active, never-expiring, editable key with the given id and name and no secret.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            editable: true,
            ..Self::default()
        }
    }

    /// Makes `cleartext` the key's secret (stores its hash only).
    pub fn set_cleartext(&mut self, cleartext: &str) {
        self.secret_hash = secret_hash(cleartext);
    }

    /// Whether `cleartext` is this key's secret.
    pub fn cleartext_matches(&self, cleartext: &str) -> bool {
        !self.secret_hash.is_empty() && self.secret_hash == secret_hash(cleartext)
    }

    /// Whether the key has expired at `now` (epoch seconds).
    pub fn is_expired_at(&self, now: i64) -> bool {
        self.expire_time > 0 && self.expire_time <= now
    }

    /// The association with `tenant_id`, if any.
    pub fn tenant(&self, tenant_id: &str) -> Option<&KeyTenantRecord> {
        self.key_tenants.iter().find(|t| t.tenant_id == tenant_id)
    }
}

/// Lower-case hex SHA-256 of `cleartext`.
pub(crate) fn secret_hash(cleartext: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, cleartext.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.as_ref() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let k = AccessKeyRecord::new("K1", "k");
        assert!(!k.cleartext_matches(""), "no secret: nothing matches");
    }

    #[test]
    fn expiry() {
        let mut k = AccessKeyRecord::new("K1", "k");
        assert!(!k.is_expired_at(i64::MAX));
        k.expire_time = 100;
        assert!(!k.is_expired_at(99));
        assert!(k.is_expired_at(100));
    }
}
