//! The emulator's data: a [`Dataset`] of users, tenants, roles, permissions, groups, access
//! keys, SSO applications, sign-ins and the audit trail.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::activity_records::{AuditRecord, LoginRecord};
use crate::app_records::SsoAppRecord;
use crate::grant_records::{
    ConsentRecord, OutboundAppRecord, OutboundTokenRecord, ThirdPartyAppRecord,
};
use crate::key_records::AccessKeyRecord;
use crate::records::{GroupRecord, PermissionRecord, RoleRecord, TenantRecord, UserRecord};

/// Everything a Descope project holds that the emulator serves.
///
/// Its JSON form (`{"users":[...],"tenants":[...],"roles":[...],"permissions":[...],"groups":[...],
/// "accessKeys":[...],"ssoApps":[...],"loginHistory":[...],"audit":[...],"activityAsOf":...}`)
/// uses Descope's own field names, so a file saved from here reads like Descope data. Access
/// keys carry only the SHA-256 of their secret (`secretHash`), never the cleartext. The newer
/// collections are left out of the JSON when empty, so datasets without them serialize as
/// before.
///
/// ```
/// use descope_emulator::Dataset;
///
/// let demo = Dataset::demo();
/// let json = demo.to_json();
/// assert_eq!(Dataset::from_json(&json).unwrap(), demo);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Dataset {
    /// Users, in creation order (the order search returns them in).
    pub users: Vec<UserRecord>,
    /// Tenants.
    pub tenants: Vec<TenantRecord>,
    /// Project roles (`tenant_id` empty) and tenant-scoped roles.
    pub roles: Vec<RoleRecord>,
    /// Permissions.
    pub permissions: Vec<PermissionRecord>,
    /// SSO/SCIM groups of tenants.
    pub groups: Vec<GroupRecord>,
    /// Access keys (JSON `accessKeys`, left out of the JSON when empty so datasets without keys
    /// serialize as before).
    #[serde(rename = "accessKeys", skip_serializing_if = "Vec::is_empty")]
    pub access_keys: Vec<AccessKeyRecord>,
    /// SSO applications (JSON `ssoApps`, left out when empty).
    #[serde(rename = "ssoApps", skip_serializing_if = "Vec::is_empty")]
    pub sso_apps: Vec<SsoAppRecord>,
    /// Users' sign-ins, served by `POST /v1/mgmt/user/history` (JSON `loginHistory`, left out
    /// when empty).
    #[serde(rename = "loginHistory", skip_serializing_if = "Vec::is_empty")]
    pub login_history: Vec<LoginRecord>,
    /// The audit trail, served by `POST /v1/mgmt/audit/search` newest first; the running
    /// emulator appends a record for every change made through its API (left out when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audit: Vec<AuditRecord>,
    /// The instant (epoch seconds) the sign-ins and audit records are "as of" (JSON
    /// `activityAsOf`, left out when `None`). When set, the emulator moves every sign-in and
    /// audit time forward by its start time minus this, once, at start, so a saved dataset's
    /// activity always looks recent (Descope's audit reaches back 30 days only); the running
    /// emulator's snapshot then holds the moved times and its start time here. `None` keeps
    /// the times as they are.
    #[serde(rename = "activityAsOf", skip_serializing_if = "Option::is_none")]
    pub activity_as_of: Option<i64>,
    /// Third-party (inbound) applications (JSON `thirdPartyApps`, left out when empty).
    #[serde(rename = "thirdPartyApps", skip_serializing_if = "Vec::is_empty")]
    pub third_party_apps: Vec<ThirdPartyAppRecord>,
    /// Users' (and tenants') consents to third-party applications (left out when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<ConsentRecord>,
    /// Outbound applications (JSON `outboundApps`, left out when empty).
    #[serde(rename = "outboundApps", skip_serializing_if = "Vec::is_empty")]
    pub outbound_apps: Vec<OutboundAppRecord>,
    /// Who holds a token for which outbound application, without the token (JSON
    /// `outboundTokens`, left out when empty).
    #[serde(rename = "outboundTokens", skip_serializing_if = "Vec::is_empty")]
    pub outbound_tokens: Vec<OutboundTokenRecord>,
}

/// Why a dataset could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The JSON did not decode as a dataset.
    #[error("invalid dataset JSON")]
    Json(#[from] serde_json::Error),
    /// Reading or writing the file failed.
    #[error("dataset file I/O failed")]
    Io(#[from] std::io::Error),
    /// The data decoded but is inconsistent (duplicate ids, dangling references...).
    #[error("inconsistent dataset: {0}")]
    Invalid(String),
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain records (string keys, no non-finite floats) cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Decodes JSON written by [`Dataset::to_json`] (or by hand) and checks its consistency.
    pub fn from_json(s: &str) -> Result<Self, DatasetError> {
        let data: Self = serde_json::from_str(s)?;
        data.validate()?;
        Ok(data)
    }

    /// Writes [`Dataset::to_json`] to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), DatasetError> {
        std::fs::write(path, self.to_json())?;
        Ok(())
    }

    /// Reads a dataset from a JSON file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, DatasetError> {
        let s = std::fs::read_to_string(path)?;
        Self::from_json(&s)
    }

    /// Checks the invariants the server relies on: unique user ids and login ids, unique
    /// tenant ids, unique role names per scope, unique permission names, memberships
    /// that point at existing tenants, unique access key ids whose `keyTenants` point at
    /// existing tenants (a key's `boundUserId` may name a deleted user), unique non-empty SSO
    /// application ids and audit record ids, unique non-empty ids of third-party and outbound
    /// applications, consents and outbound tokens, whose applications exist. A user's
    /// `ssoAppIds` may name an application that no longer exists, and sign-ins, audit records,
    /// consents and tokens may name deleted users.
    pub fn validate(&self) -> Result<(), DatasetError> {
        let mut ids = HashSet::new();
        let mut logins = HashSet::new();
        let tenants: HashSet<&str> = self.tenants.iter().map(|t| t.id.as_str()).collect();
        if tenants.len() != self.tenants.len() {
            return Err(DatasetError::Invalid("duplicate tenant id".into()));
        }
        for u in &self.users {
            if u.user_id.is_empty() || !ids.insert(u.user_id.as_str()) {
                return Err(DatasetError::Invalid(format!(
                    "empty or duplicate user id {:?}",
                    u.user_id
                )));
            }
            for l in &u.login_ids {
                if !logins.insert(l.as_str()) {
                    return Err(DatasetError::Invalid(format!("duplicate login id {l:?}")));
                }
            }
            for m in &u.user_tenants {
                if !tenants.contains(m.tenant_id.as_str()) {
                    return Err(DatasetError::Invalid(format!(
                        "user {} is a member of unknown tenant {}",
                        u.user_id, m.tenant_id
                    )));
                }
            }
        }
        let mut roles = HashSet::new();
        for r in &self.roles {
            if !roles.insert((r.tenant_id.as_str(), r.name.as_str())) {
                return Err(DatasetError::Invalid(format!(
                    "duplicate role {:?} in scope {:?}",
                    r.name, r.tenant_id
                )));
            }
        }
        validate_access_keys(&self.access_keys, &tenants).map_err(DatasetError::Invalid)?;
        let mut apps = HashSet::new();
        for a in &self.sso_apps {
            if a.id.is_empty() || !apps.insert(a.id.as_str()) {
                return Err(DatasetError::Invalid(format!(
                    "empty or duplicate SSO application id {:?}",
                    a.id
                )));
            }
        }
        let mut audits = HashSet::new();
        for a in &self.audit {
            if a.id.is_empty() || !audits.insert(a.id.as_str()) {
                return Err(DatasetError::Invalid(format!(
                    "empty or duplicate audit record id {:?}",
                    a.id
                )));
            }
        }
        validate_grants(self).map_err(DatasetError::Invalid)?;
        let mut perms = HashSet::new();
        for p in &self.permissions {
            if !perms.insert(p.name.as_str()) {
                return Err(DatasetError::Invalid(format!(
                    "duplicate permission {:?}",
                    p.name
                )));
            }
        }
        Ok(())
    }
}

/// Checks the keys of a dataset: unique ids, and `keyTenants` of existing tenants.
fn validate_access_keys(keys: &[AccessKeyRecord], tenants: &HashSet<&str>) -> Result<(), String> {
    let mut ids = HashSet::new();
    for k in keys {
        if k.id.is_empty() || !ids.insert(k.id.as_str()) {
            return Err(format!("empty or duplicate access key id {:?}", k.id));
        }
        for t in &k.key_tenants {
            if !tenants.contains(t.tenant_id.as_str()) {
                return Err(format!(
                    "access key {} is associated with unknown tenant {}",
                    k.id, t.tenant_id
                ));
            }
        }
    }
    Ok(())
}

/// Checks the ids of applications, consents and tokens, and that consents and tokens name
/// applications of the dataset.
pub(crate) fn validate_grants(d: &Dataset) -> Result<(), String> {
    fn unique<'a>(
        what: &str,
        ids: impl Iterator<Item = &'a str>,
    ) -> Result<HashSet<&'a str>, String> {
        let mut seen = HashSet::new();
        for id in ids {
            if id.is_empty() || !seen.insert(id) {
                return Err(format!("empty or duplicate {what} id {id:?}"));
            }
        }
        Ok(seen)
    }
    let tp = unique(
        "third-party application",
        d.third_party_apps.iter().map(|a| a.id.as_str()),
    )?;
    let ob = unique(
        "outbound application",
        d.outbound_apps.iter().map(|a| a.id.as_str()),
    )?;
    unique("consent", d.consents.iter().map(|c| c.id.as_str()))?;
    unique(
        "outbound token",
        d.outbound_tokens.iter().map(|t| t.id.as_str()),
    )?;
    if let Some(c) = d.consents.iter().find(|c| !tp.contains(c.app_id.as_str())) {
        return Err(format!(
            "consent {} names unknown third-party application {}",
            c.id, c.app_id
        ));
    }
    if let Some(t) = d
        .outbound_tokens
        .iter()
        .find(|t| !ob.contains(t.app_id.as_str()))
    {
        return Err(format!(
            "outbound token {} names unknown outbound application {}",
            t.id, t.app_id
        ));
    }
    Ok(())
}
