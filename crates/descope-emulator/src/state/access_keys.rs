//! Access key mutations, and the access-key check behind SCIM authentication.

use std::net::IpAddr;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::{State, now_secs};
use crate::error::ApiError;
use crate::key_records::{AccessKeyRecord, AccessKeyStatus, KeyTenantRecord, secret_hash};

/// The role a key (or its bound user) must hold in a tenant to call that tenant's SCIM API.
pub(crate) const SCIM_ROLE: &str = "Tenant Admin";

/// A key to create, from `POST /v1/mgmt/accesskey/create`.
#[derive(Debug, Default)]
pub(crate) struct NewKey {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) expire_time: i64,
    pub(crate) role_names: Vec<String>,
    /// `(tenantId, roleNames)` pairs; names are filled in from the tenants.
    pub(crate) key_tenants: Vec<(String, Vec<String>)>,
    pub(crate) bound_user_id: String,
    pub(crate) custom_claims: Map<String, Value>,
    pub(crate) permitted_ips: Vec<String>,
    pub(crate) custom_attributes: Map<String, Value>,
}

/// An update: `name` always replaces; every other field replaces when `Some` (an empty list or
/// map clears) and keeps the stored value when `None`.
#[derive(Debug, Default)]
pub(crate) struct KeyChanges {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) key_tenants: Option<Vec<(String, Vec<String>)>>,
    pub(crate) custom_claims: Option<Map<String, Value>>,
    pub(crate) permitted_ips: Option<Vec<String>>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
}

/// The `createdBy` of keys created through the management API (the emulator has no
/// management-key names; Descope's format for this field is undocumented).
const CREATED_BY_API: &str = super::API_ACTOR;

/// 404 for an access key addressed by id. The code is the emulator's invention.
pub(crate) fn key_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "E117102",
        "Access key not found",
        &format!("access key {id:?}"),
    )
}

/// An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`).
fn valid_ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => s.parse::<IpAddr>().is_ok(),
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32,
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128,
            _ => false,
        },
    }
}

fn check_ips(ips: &[String]) -> Result<(), ApiError> {
    match ips.iter().find(|ip| !valid_ip_or_cidr(ip)) {
        Some(bad) => Err(ApiError::invalid_argument(format!(
            "permittedIps: {bad:?} is neither an IP address nor a CIDR block"
        ))),
        None => Ok(()),
    }
}

impl State {
    /// Position of the key `id`, or 404.
    pub(crate) fn key_index(&self, id: &str) -> Result<usize, ApiError> {
        self.access_keys
            .iter()
            .position(|k| k.id == id)
            .ok_or_else(|| key_not_found(id))
    }

    /// Validates project roles and tenant associations (tenants exist, each once; roles
    /// assignable in their scope) and builds the `keyTenants` with tenant names.
    fn key_assignments(
        &self,
        role_names: Option<&[String]>,
        key_tenants: Option<&[(String, Vec<String>)]>,
    ) -> Result<Option<Vec<KeyTenantRecord>>, ApiError> {
        for r in role_names.into_iter().flatten() {
            self.check_role("", r)?;
        }
        let Some(tenants) = key_tenants else {
            return Ok(None);
        };
        let mut out: Vec<KeyTenantRecord> = Vec::with_capacity(tenants.len());
        for (tenant_id, roles) in tenants {
            if tenant_id.is_empty() {
                return Err(ApiError::missing_argument(
                    "keyTenants: every item needs a tenantId",
                ));
            }
            let t = self.tenant(tenant_id).ok_or_else(|| {
                ApiError::invalid_argument(format!("Tenant {tenant_id:?} does not exist"))
            })?;
            if out.iter().any(|k| k.tenant_id == *tenant_id) {
                return Err(ApiError::invalid_argument(format!(
                    "keyTenants: tenant {tenant_id:?} is listed twice"
                )));
            }
            for r in roles {
                self.check_role(tenant_id, r)?;
            }
            let mut names: Vec<String> = Vec::with_capacity(roles.len());
            for r in roles {
                if !names.contains(r) {
                    names.push(r.clone());
                }
            }
            out.push(KeyTenantRecord::new(
                tenant_id.clone(),
                t.name.clone(),
                names,
            ));
        }
        Ok(Some(out))
    }

    fn new_secret(&mut self) -> String {
        self.new_id("", 64)
    }

    /// Creates a key; returns its position and its cleartext (shown once, stored hashed).
    pub(crate) fn create_access_key(&mut self, k: NewKey) -> Result<(usize, String), ApiError> {
        if k.name.is_empty() {
            return Err(ApiError::missing_argument("The name field is required"));
        }
        if k.expire_time < 0 {
            return Err(ApiError::invalid_argument(
                "expireTime must be 0 (never) or epoch seconds",
            ));
        }
        let key_tenants = self
            .key_assignments(Some(&k.role_names), Some(&k.key_tenants))?
            .unwrap_or_default();
        if !k.bound_user_id.is_empty() && self.find_user_by_id(&k.bound_user_id).is_none() {
            return Err(ApiError::invalid_argument(format!(
                "userId {:?} is not an existing user",
                k.bound_user_id
            )));
        }
        check_ips(&k.permitted_ips)?;
        let id = loop {
            let id = self.new_id("K2", 28);
            if self.key_index(&id).is_err() {
                break id;
            }
        };
        let cleartext = self.new_secret();
        let mut rec = AccessKeyRecord::new(id, k.name);
        rec.description = k.description;
        rec.role_names = dedup(k.role_names);
        rec.key_tenants = key_tenants;
        rec.created_time = now_secs();
        rec.expire_time = k.expire_time;
        rec.created_by = CREATED_BY_API.to_owned();
        rec.client_id = self.new_id("C2", 28);
        rec.bound_user_id = k.bound_user_id;
        rec.custom_claims = k.custom_claims;
        rec.permitted_ips = k.permitted_ips;
        rec.custom_attributes = k.custom_attributes;
        rec.secret_hash = secret_hash(&cleartext);
        self.access_keys.push(rec);
        Ok((self.access_keys.len() - 1, cleartext))
    }

    /// Updates the key `id`; validates everything first, so a failing call changes nothing.
    pub(crate) fn update_access_key(&mut self, id: &str, c: KeyChanges) -> Result<usize, ApiError> {
        if id.is_empty() {
            return Err(ApiError::missing_argument("The id field is required"));
        }
        if c.name.is_empty() {
            return Err(ApiError::missing_argument("The name field is required"));
        }
        let pos = self.key_index(id)?;
        let key_tenants =
            self.key_assignments(c.role_names.as_deref(), c.key_tenants.as_deref())?;
        if let Some(ips) = &c.permitted_ips {
            check_ips(ips)?;
        }
        let k = &mut self.access_keys[pos];
        k.name = c.name;
        if let Some(d) = c.description {
            k.description = d;
        }
        if let Some(r) = c.role_names {
            k.role_names = dedup(r);
        }
        if let Some(t) = key_tenants {
            k.key_tenants = t;
        }
        if let Some(m) = c.custom_claims {
            k.custom_claims = m;
        }
        if let Some(ips) = c.permitted_ips {
            k.permitted_ips = ips;
        }
        if let Some(m) = c.custom_attributes {
            k.custom_attributes = m;
        }
        Ok(pos)
    }

    /// Positions of every key in `ids`, or 404 for the first unknown one (so batch calls are
    /// all-or-nothing).
    fn key_indexes(&self, ids: &[String]) -> Result<Vec<usize>, ApiError> {
        ids.iter().map(|id| self.key_index(id)).collect()
    }

    /// Activates or deactivates every key in `ids` (all exist, or nothing changes).
    pub(crate) fn set_key_status(
        &mut self,
        ids: &[String],
        status: AccessKeyStatus,
    ) -> Result<(), ApiError> {
        for i in self.key_indexes(ids)? {
            self.access_keys[i].status = status;
        }
        Ok(())
    }

    /// Deletes every key in `ids` (all exist, or nothing changes).
    pub(crate) fn delete_access_keys(&mut self, ids: &[String]) -> Result<(), ApiError> {
        self.key_indexes(ids)?;
        self.access_keys.retain(|k| !ids.contains(&k.id));
        Ok(())
    }

    /// Gives the key `id` a new secret (the old one stops working at once). Only an active key
    /// that has not expired can be rotated.
    pub(crate) fn rotate_access_key(&mut self, id: &str) -> Result<(usize, String), ApiError> {
        if id.is_empty() {
            return Err(ApiError::missing_argument("The id field is required"));
        }
        let pos = self.key_index(id)?;
        let k = &self.access_keys[pos];
        if k.status != AccessKeyStatus::Active {
            return Err(ApiError::invalid_argument(format!(
                "Access key {id:?} is inactive; only an active key can be rotated"
            )));
        }
        if k.is_expired_at(now_secs()) {
            return Err(ApiError::invalid_argument(format!(
                "Access key {id:?} has expired; only an unexpired key can be rotated"
            )));
        }
        let cleartext = self.new_secret();
        self.access_keys[pos].secret_hash = secret_hash(&cleartext);
        Ok((pos, cleartext))
    }

    /// The access key whose secret is `cleartext`, when it authenticates: known (its secret's
    /// SHA-256 matches; a rotated key's old secret no longer does), active and unexpired.
    /// Otherwise why not.
    pub(crate) fn authenticate_key(
        &self,
        cleartext: &str,
    ) -> Result<&AccessKeyRecord, &'static str> {
        let hash = secret_hash(cleartext);
        let key = self
            .access_keys
            .iter()
            .find(|k| !k.secret_hash.is_empty() && k.secret_hash == hash)
            .ok_or("the access key is unknown")?;
        if key.status != AccessKeyStatus::Active {
            return Err("the access key is inactive");
        }
        if key.is_expired_at(now_secs()) {
            return Err("the access key has expired");
        }
        Ok(key)
    }

    /// The tenant whose SCIM API `cleartext` may call: the key must exist, be active and
    /// unexpired, and hold [`SCIM_ROLE`] in exactly one tenant (a key bound to a user acts with
    /// that user's roles instead of its own). 401 for a key that does not authenticate, 403 for
    /// one that does but lacks the role.
    /// Returns the tenant's id and the key's.
    pub(crate) fn scim_tenant(&self, cleartext: &str) -> Result<(String, String), ApiError> {
        let unauthorized = |why: &str| {
            ApiError::unauthorized(format!(
                "SCIM needs 'Bearer <ProjectID>:<AccessKey>' with an active, unexpired access key: {why}"
            ))
        };
        let key = self.authenticate_key(cleartext).map_err(unauthorized)?;
        let admin_of: Vec<&str> = if key.bound_user_id.is_empty() {
            key.key_tenants
                .iter()
                .filter(|t| t.role_names.iter().any(|r| r == SCIM_ROLE))
                .map(|t| t.tenant_id.as_str())
                .collect()
        } else {
            let user = self
                .find_user_by_id(&key.bound_user_id)
                .map(|i| &self.users[i])
                .ok_or_else(|| unauthorized("the user the access key is bound to is gone"))?;
            user.user_tenants
                .iter()
                .filter(|t| t.role_names.iter().any(|r| r == SCIM_ROLE))
                .map(|t| t.tenant_id.as_str())
                .collect()
        };
        match admin_of.as_slice() {
            [one] => Ok(((*one).to_owned(), key.id.clone())),
            [] => Err(forbidden(format!(
                "access key {:?} does not hold the {SCIM_ROLE:?} role in any tenant",
                key.id
            ))),
            _ => Err(forbidden(format!(
                "access key {:?} holds {SCIM_ROLE:?} in {} tenants; SCIM needs a key of one tenant",
                key.id,
                admin_of.len()
            ))),
        }
    }
}

/// 403 for a valid access key without SCIM rights (invented code).
fn forbidden(message: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "E011403", "Forbidden", message)
}

fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::knobs::DuplicateMode;
    use crate::records::{RoleRecord, TenantRecord, UserRecord, UserTenantRecord};

    fn state() -> State {
        let mut d = Dataset::new();
        d.tenants.push(TenantRecord::new("T1", "One"));
        d.tenants.push(TenantRecord::new("T2", "Two"));
        d.roles.push(RoleRecord::new("R1", SCIM_ROLE, ""));
        d.roles.push(RoleRecord::new("R2", "Viewer", ""));
        let mut u = UserRecord::new("U1", "a@x.io");
        u.user_tenants
            .push(UserTenantRecord::new("T2", "Two", vec![SCIM_ROLE.into()]));
        d.users.push(u);
        State::new(d, 1, DuplicateMode::Silent)
    }

    fn tenants(t: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        t.iter()
            .map(|(id, r)| {
                (
                    (*id).to_owned(),
                    r.iter().map(|s| (*s).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn ip_and_cidr() {
        for ok in [
            "10.0.0.1",
            "10.0.0.0/8",
            "::1",
            "2001:db8::/32",
            "0.0.0.0/0",
        ] {
            assert!(valid_ip_or_cidr(ok), "{ok}");
        }
        for bad in ["10.0.0", "10.0.0.0/33", "::/129", "host", "1.2.3.4/", ""] {
            assert!(!valid_ip_or_cidr(bad), "{bad}");
        }
    }

    #[test]
    fn create_validates_and_scim_tenant_follows_roles() {
        let mut s = state();
        let bad = NewKey {
            name: "k".into(),
            key_tenants: tenants(&[("T9", &[])]),
            ..NewKey::default()
        };
        assert_eq!(s.create_access_key(bad).unwrap_err().code, "E011004");
        let dup = NewKey {
            name: "k".into(),
            key_tenants: tenants(&[("T1", &[]), ("T1", &[])]),
            ..NewKey::default()
        };
        assert!(s.create_access_key(dup).is_err());
        assert!(s.access_keys.is_empty(), "failed creates store nothing");

        let (i, secret) = s
            .create_access_key(NewKey {
                name: "scim".into(),
                key_tenants: tenants(&[("T1", &[SCIM_ROLE]), ("T2", &["Viewer"])]),
                ..NewKey::default()
            })
            .unwrap();
        assert_eq!(s.access_keys[i].key_tenants[0].tenant_name, "One");
        assert_eq!(s.scim_tenant(&secret).unwrap().0, "T1");
        assert_eq!(s.scim_tenant("nope").unwrap_err().status, 401);

        let id = s.access_keys[i].id.clone();
        let (_, rotated) = s.rotate_access_key(&id).unwrap();
        assert_eq!(s.scim_tenant(&secret).unwrap_err().status, 401);
        assert_eq!(s.scim_tenant(&rotated).unwrap().0, "T1");

        s.set_key_status(std::slice::from_ref(&id), AccessKeyStatus::Inactive)
            .unwrap();
        assert_eq!(s.scim_tenant(&rotated).unwrap_err().status, 401);
        assert!(s.rotate_access_key(&id).is_err());
        s.set_key_status(std::slice::from_ref(&id), AccessKeyStatus::Active)
            .unwrap();

        // Admin of two tenants: ambiguous, 403. Bound to U1: U1's roles decide (T2).
        s.update_access_key(
            &id,
            KeyChanges {
                name: "scim".into(),
                key_tenants: Some(tenants(&[("T1", &[SCIM_ROLE]), ("T2", &[SCIM_ROLE])])),
                ..KeyChanges::default()
            },
        )
        .unwrap();
        assert_eq!(s.scim_tenant(&rotated).unwrap_err().status, 403);
        s.access_keys[i].bound_user_id = "U1".into();
        assert_eq!(s.scim_tenant(&rotated).unwrap().0, "T2");
    }

    #[test]
    fn update_keeps_absent_and_clears_empty() {
        let mut s = state();
        let (i, _) = s
            .create_access_key(NewKey {
                name: "k".into(),
                description: "d".into(),
                role_names: vec!["Viewer".into()],
                permitted_ips: vec!["10.0.0.0/8".into()],
                ..NewKey::default()
            })
            .unwrap();
        let id = s.access_keys[i].id.clone();
        let e = s.update_access_key(&id, KeyChanges::default()).unwrap_err();
        assert_eq!(e.message, "The name field is required");
        let e = s
            .update_access_key(
                "",
                KeyChanges {
                    name: "x".into(),
                    ..KeyChanges::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.message, "The id field is required");
        s.update_access_key(
            &id,
            KeyChanges {
                name: "renamed".into(),
                role_names: Some(Vec::new()),
                ..KeyChanges::default()
            },
        )
        .unwrap();
        let k = &s.access_keys[i];
        assert_eq!((k.name.as_str(), k.description.as_str()), ("renamed", "d"));
        assert!(k.role_names.is_empty());
        assert_eq!(k.permitted_ips, ["10.0.0.0/8"]);
        assert_eq!(
            s.delete_access_keys(&[id.clone(), "K2none".into()])
                .unwrap_err()
                .code,
            "E117102"
        );
        assert_eq!(s.access_keys.len(), 1, "a failing batch deletes nothing");
        s.delete_access_keys(&[id]).unwrap();
        assert!(s.access_keys.is_empty());
    }
}
