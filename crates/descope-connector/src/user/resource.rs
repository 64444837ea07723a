//! How a Descope user becomes a baton resource.

use c1_connector_sdk::model::{
    Resource, UserTrait, json_to_value, resource::StatusValue, user_trait,
};
use descope_mgmt::{User, UserStatus};
use serde_json::Value;

use crate::ids::user_resource_id;
use crate::index::display_name;
use crate::kinds::USER_TYPE;

/// A user resource with the user trait; `last_login` (epoch seconds) when it was synced.
pub(crate) fn user_resource(user: &User, last_login: Option<i64>) -> Resource {
    let (status, details) = match &user.status {
        UserStatus::Enabled => (StatusValue::Enabled, ""),
        // An invited user's account exists and can accept its invitation.
        UserStatus::Invited => (StatusValue::Enabled, "invited"),
        UserStatus::Disabled => (StatusValue::Disabled, ""),
        UserStatus::Expired => (StatusValue::Disabled, "expired"),
        _ => (StatusValue::Unspecified, user.status.as_str()),
    };
    let mut login_ids = user.login_ids.iter().filter(|l| !l.is_empty());
    let mut trait_ = UserTrait::new();
    if let Some(login) = login_ids.next() {
        trait_.login = login.clone();
    }
    trait_.login_aliases = login_ids.cloned().collect();
    if !user.email.is_empty() {
        trait_.emails.push(c1_connector_sdk::model::Email::new(
            user.email.clone(),
            true,
        ));
    }
    trait_.status = Some(user_trait::Status {
        status: status as i32,
        details: details.to_owned(),
    });
    trait_.account_type = user_trait::AccountType::Human as i32;
    trait_.last_login = last_login.map(|seconds| prost_types::Timestamp { seconds, nanos: 0 });
    trait_.mfa_status = Some(user_trait::MfaStatus {
        mfa_enabled: user.totp || user.webauthn || user.push,
    });
    trait_.sso_status = Some(user_trait::SsoStatus {
        sso_enabled: user.saml || user.oidc || !user.external_ids.is_empty(),
    });
    if !(user.given_name.is_empty() && user.family_name.is_empty() && user.middle_name.is_empty()) {
        trait_.structured_name = Some(user_trait::StructuredName {
            given_name: user.given_name.clone(),
            family_name: user.family_name.clone(),
            middle_names: if user.middle_name.is_empty() {
                Vec::new()
            } else {
                vec![user.middle_name.clone()]
            },
            prefix: String::new(),
            suffix: String::new(),
        });
    }

    let mut resource = Resource::new(
        USER_TYPE,
        user_resource_id(&user.user_id),
        display_name(user),
    );
    resource.status = Some(c1_connector_sdk::model::resource::Status {
        status: status as i32,
        details: details.to_owned(),
    });
    if user.test {
        // Test users are Descope's own kind of user for automated tests (created with
        // `user/create/test`, excluded from billing); reviewers filter them out by this.
        resource = resource.with_description("Descope test user");
    }
    if user.created_time > 0 {
        resource = resource.with_created_at(user.created_time);
    }
    trait_.profile = Some(prost_types::Struct {
        fields: user_profile(user),
    });
    resource.with_user_trait(trait_)
}

/// A user's profile: its Descope fields, for reviewers.
fn user_profile(user: &User) -> ProfileFields {
    // Built as a protobuf `Struct` directly (what `json_object_to_struct` would make of the
    // same JSON object), not as JSON first and converted, once per user.
    let mut profile = ProfileFields::new();
    profile.insert("userId".into(), pb_str(&user.user_id));
    profile.insert("loginIds".into(), pb_list(&user.login_ids));
    pb_put_str(&mut profile, "email", &user.email);
    pb_put_str(&mut profile, "phone", &user.phone);
    pb_put_str(&mut profile, "picture", &user.picture);
    profile.insert("status".into(), pb_str(user.status.as_str()));
    profile.insert("verifiedEmail".into(), pb_bool(user.verified_email));
    profile.insert("verifiedPhone".into(), pb_bool(user.verified_phone));
    profile.insert("scim".into(), pb_bool(user.scim));
    profile.insert("test".into(), pb_bool(user.test));
    if !user.custom_attributes.is_empty() {
        profile.insert(
            "customAttributes".into(),
            json_to_value(Value::Object(user.custom_attributes.clone())),
        );
    }
    if !user.external_ids.is_empty() {
        profile.insert("externalIds".into(), pb_list(&user.external_ids));
    }
    profile
}

type ProfileFields = std::collections::BTreeMap<String, prost_types::Value>;

fn pb_str(s: &str) -> prost_types::Value {
    prost_types::Value {
        kind: Some(prost_types::value::Kind::StringValue(s.to_owned())),
    }
}

fn pb_bool(b: bool) -> prost_types::Value {
    prost_types::Value {
        kind: Some(prost_types::value::Kind::BoolValue(b)),
    }
}

fn pb_list(items: &[String]) -> prost_types::Value {
    prost_types::Value {
        kind: Some(prost_types::value::Kind::ListValue(
            prost_types::ListValue {
                values: items.iter().map(|s| pb_str(s)).collect(),
            },
        )),
    }
}

fn pb_put_str(map: &mut ProfileFields, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.to_owned(), pb_str(value));
    }
}
