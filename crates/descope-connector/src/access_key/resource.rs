//! How an access key becomes a baton resource.

use std::time::SystemTime;

use c1_connector_sdk::model::{
    Resource, ResourceId, SecretTrait, resource::Status, resource::StatusValue,
    secret_trait::CredentialType,
};
use descope_mgmt::AccessKey;
use serde_json::{Map, Value, json};

use crate::ids::user_resource_id;
use crate::key_list::key_display_name;
use crate::kinds::{ACCESS_KEY_TYPE, USER_TYPE, put_str};

/// The `credential_detail` of a key's secret trait.
pub(crate) const CREDENTIAL_DETAIL: &str = "descope_access_key";

pub(crate) fn key_status(key: &AccessKey, now: SystemTime) -> (StatusValue, &'static str) {
    match key.status.as_str() {
        // Whether Descope reports an expired key as `expired` or by its stored status is
        // unverified: both read the same here.
        "inactive" => (StatusValue::Disabled, "inactive"),
        "expired" => (StatusValue::Disabled, "expired"),
        _ if key.is_expired(now) => (StatusValue::Disabled, "expired"),
        "active" => (StatusValue::Enabled, ""),
        _ => (StatusValue::Unspecified, "unknown"),
    }
}

/// An `access_key` resource. The creator (`createdBy`) stays in the profile only: its format is
/// undocumented (a user id, a login id or a key), so it is not linked as a resource.
pub(crate) fn access_key_resource(key: &AccessKey, now: SystemTime) -> Resource {
    let (status, details) = key_status(key, now);
    let mut profile = Map::new();
    profile.insert("keyId".into(), json!(key.id));
    profile.insert("name".into(), json!(key.name));
    put_str(&mut profile, "description", &key.description);
    profile.insert("status".into(), json!(key.status.as_str()));
    profile.insert("expired".into(), json!(key.is_expired(now)));
    if key.created_time > 0 {
        profile.insert("createdTime".into(), json!(key.created_time));
    }
    profile.insert("expireTime".into(), json!(key.expire_time));
    put_str(&mut profile, "createdBy", &key.created_by);
    put_str(&mut profile, "clientId", &key.client_id);
    put_str(&mut profile, "boundUserId", &key.bound_user_id);
    profile.insert("roleNames".into(), json!(key.role_names));
    profile.insert(
        "keyTenants".into(),
        Value::Array(
            key.key_tenants
                .iter()
                .map(|t| {
                    json!({
                        "tenantId": t.tenant_id,
                        "tenantName": t.tenant_name,
                        "roleNames": t.role_names,
                    })
                })
                .collect(),
        ),
    );
    profile.insert("permittedIps".into(), json!(key.permitted_ips));
    if !key.custom_attributes.is_empty() {
        profile.insert(
            "customAttributes".into(),
            Value::Object(key.custom_attributes.clone()),
        );
    }

    let mut description = key.description.clone();
    if !key.bound_user_id.is_empty() {
        let note = format!(
            "Bound to user {}: it acts with that user's authorization, and Descope ignores roles of its own.",
            key.bound_user_id
        );
        description = if description.is_empty() {
            note
        } else {
            format!("{description} ({note})")
        };
    }

    let mut secret =
        SecretTrait::new().with_credential_type(CredentialType::StaticSecret, CREDENTIAL_DETAIL);
    if key.expire_time > 0 {
        secret = secret.with_expires_at(key.expire_time);
    }
    if !key.bound_user_id.is_empty() {
        secret = secret.with_identity(ResourceId::new(
            USER_TYPE,
            user_resource_id(&key.bound_user_id),
        ));
    }

    let mut resource = Resource::new(
        ACCESS_KEY_TYPE,
        user_resource_id(&key.id),
        key_display_name(key),
    )
    .with_description(description)
    .with_profile(profile);
    resource.status = Some(Status {
        status: status as i32,
        details: details.to_owned(),
    });
    if key.created_time > 0 {
        resource = resource.with_created_at(key.created_time);
    }
    resource.with_secret_trait(secret)
}
