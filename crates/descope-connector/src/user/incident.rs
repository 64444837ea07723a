//! The actions an administrator takes on a user in an incident, offered as baton actions of the
//! `user` resource type (beside enable and disable, in [`crate::lifecycle`]):
//!
//! | action | what Descope does | confirmed by |
//! | --- | --- | --- |
//! | `sign_out_user` | `POST /v1/mgmt/user/logout` `{"userId"}`: ends every session of the user (its refresh tokens stop working) | Descope's answer only: the Management API has no read of a user's sessions |
//! | `reset_user_mfa` | removes the TOTP (authenticator app) seed (`user/totp/delete`), every passkey (`user/passkeys/delete`) and the recovery codes (`user/recovery-codes/delete`). Passwords, OTP by email or SMS, magic links, SSO and trusted devices are untouched | a reload showing `TOTP` and `webauthn` off and an empty passkey list; recovery codes are not readable, so their removal rests on Descope's answer |
//! | `update_user_profile` | sets the display name, given, middle and family names, email, phone (`user/patch`, only the fields given) and custom attributes one by one (`user/update/customAttribute`, leaving the others) | a reload showing every field given |
//!
//! Each is idempotent: what already holds is not sent again (the response's `changed` says
//! whether anything was), and a repeat succeeds. Each takes the user's lock
//! ([`crate::principal_lock`]) and is logged at info level with the user and what changed
//! (never a value of a custom attribute, which may be sensitive).

use c1_connector_sdk::connector::{ActionOutcome, resource_id_arg, string_arg};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::config::Field;
use c1_connector_sdk::model::{ActionType, BatonActionSchema, ResourceId};
use descope_mgmt::{Client, PatchUserRequest, User};
use serde_json::{Map, Value};

use crate::error::from_descope;
use crate::ids::component_of;
use crate::kinds::USER_TYPE;
use crate::principal_lock::PrincipalKey;
use crate::provisioner::{DescopeProvisioner, load_user};

/// Name of the action that signs a user out of every session.
pub const SIGN_OUT_ACTION: &str = "sign_out_user";
/// Name of the action that removes a user's TOTP seed, passkeys and recovery codes.
pub const RESET_MFA_ACTION: &str = "reset_user_mfa";
/// Name of the action that updates a user's profile.
pub const UPDATE_PROFILE_ACTION: &str = "update_user_profile";

/// The string fields `update_user_profile` takes besides `resource_id` and
/// `custom_attributes`, with the user field each sets.
const PROFILE_FIELDS: [&str; 6] = [
    "display_name",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "phone",
];

/// The incident actions' schemas.
pub(crate) fn schemas() -> Vec<BatonActionSchema> {
    let user = || Field::resource_id("resource_id", "User").required();
    let mut update = BatonActionSchema::new(UPDATE_PROFILE_ACTION, "Update user profile")
        .with_description(
            "Sets the given fields of a Descope user (POST /v1/mgmt/user/patch) and custom \
             attributes one by one (POST /v1/mgmt/user/update/customAttribute), confirmed by a \
             reload; fields not given are left as they are; unknown fields are refused",
        )
        .with_argument(user())
        .with_action_type(ActionType::AccountUpdateProfile);
    for name in PROFILE_FIELDS {
        update = update.with_argument(Field::string(name, &name.replace('_', " ")));
    }
    update = update.with_argument(
        Field::string("custom_attributes", "Custom attributes").with_description(
            "A JSON object of custom attribute keys and values to set, e.g. {\"department\":\"Finance\"}",
        ),
    );
    vec![
        BatonActionSchema::new(SIGN_OUT_ACTION, "Sign user out")
            .with_description(
                "Ends every session of a Descope user (POST /v1/mgmt/user/logout); the user must \
                 sign in again",
            )
            .with_argument(user()),
        BatonActionSchema::new(RESET_MFA_ACTION, "Reset user MFA")
            .with_description(
                "Removes a Descope user's TOTP seed, every passkey and the recovery codes \
                 (user/totp/delete, user/passkeys/delete, user/recovery-codes/delete), so the \
                 user enrols again; passwords, email/SMS OTP, magic links and SSO are untouched",
            )
            .with_argument(user()),
        update,
    ]
}

/// Whether `name` is one of these actions.
pub(crate) fn handles(name: &str) -> bool {
    matches!(
        name,
        SIGN_OUT_ACTION | RESET_MFA_ACTION | UPDATE_PROFILE_ACTION
    )
}

/// Runs one of these actions.
pub(crate) async fn invoke(
    provisioner: &DescopeProvisioner,
    name: &str,
    args: &prost_types::Struct,
) -> Result<ActionOutcome, Error> {
    let allowed: &[&str] = match name {
        UPDATE_PROFILE_ACTION => &[
            "resource_id",
            "display_name",
            "given_name",
            "middle_name",
            "family_name",
            "email",
            "phone",
            "custom_attributes",
        ],
        _ => &["resource_id"],
    };
    if let Some(unknown) = args.fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Error::invalid_argument(format!(
            "action '{name}' has no argument '{unknown}' (it takes {})",
            allowed.join(", ")
        )));
    }
    let id: ResourceId = resource_id_arg(args, "resource_id")
        .ok_or_else(|| Error::invalid_argument("the argument resource_id is required"))?;
    let user_id = component_of(&id, USER_TYPE)?;
    let client = provisioner.client();
    let _held = provisioner.lock(PrincipalKey::User(user_id.clone())).await;
    let user = load_user(client, &user_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("user '{user_id}' does not exist in Descope")))?;
    let mut response = Map::new();
    response.insert("id".into(), user_id.clone().into());
    match name {
        SIGN_OUT_ACTION => {
            client
                .users()
                .logout_by_user_id(&user_id)
                .await
                .map_err(|e| from_descope(&format!("signing user '{user_id}' out"), e))?;
            tracing::info!(user = %user_id, action = name, "signed the user out of every session");
            response.insert("changed".into(), true.into());
            response.insert(
                "confirmedBy".into(),
                "Descope's answer (sessions are not readable through the Management API)".into(),
            );
        }
        RESET_MFA_ACTION => {
            let removed = reset_mfa(client, &user).await?;
            response.insert("changed".into(), (!removed.is_empty()).into());
            response.insert("removed".into(), removed.into());
            response.insert("recoveryCodes".into(), "removal sent (not readable)".into());
        }
        UPDATE_PROFILE_ACTION => {
            let changed = update_profile(client, &user, args).await?;
            response.insert("changed".into(), (!changed.is_empty()).into());
            response.insert("fields".into(), changed.into());
        }
        other => {
            return Err(Error::invalid_argument(format!(
                "unknown incident action '{other}'"
            )));
        }
    }
    Ok(ActionOutcome::complete(
        format!("{name}:{user_id}"),
        Some(c1_connector_sdk::model::json_object_to_struct(response)),
    ))
}

/// The login id the second-factor endpoints take (`loginId`; whether a user id is accepted is
/// unverified).
fn login_id(user: &User) -> Result<&str, Error> {
    user.login_ids
        .iter()
        .find(|l| !l.is_empty())
        .map(String::as_str)
        .ok_or_else(|| {
            Error::failed_precondition(format!(
                "user '{}' has no login id, which Descope's second-factor endpoints need",
                user.user_id
            ))
            .with_retryable(false)
        })
}

/// Removes the TOTP seed, the passkeys and the recovery codes; returns what was there.
async fn reset_mfa(client: &Client, user: &User) -> Result<Vec<String>, Error> {
    let users = client.users();
    let user_id = &user.user_id;
    let login = login_id(user)?;
    let passkeys = users
        .list_passkeys(login)
        .await
        .map_err(|e| from_descope(&format!("listing the passkeys of user '{user_id}'"), e))?;
    let mut removed = Vec::new();
    if user.totp {
        users
            .remove_totp_seed(login)
            .await
            .map_err(|e| from_descope(&format!("removing the TOTP seed of user '{user_id}'"), e))?;
        removed.push("totp".to_owned());
    }
    if user.webauthn || !passkeys.is_empty() {
        users
            .remove_all_passkeys(login)
            .await
            .map_err(|e| from_descope(&format!("removing the passkeys of user '{user_id}'"), e))?;
        removed.push(format!("passkeys ({})", passkeys.len()));
    }
    // Not readable, so always sent (a repeat is harmless).
    users.remove_recovery_codes(login).await.map_err(|e| {
        from_descope(
            &format!("removing the recovery codes of user '{user_id}'"),
            e,
        )
    })?;
    let now = load_user(client, user_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("user '{user_id}' was deleted meanwhile")))?;
    let left = users.list_passkeys(login).await.map_err(|e| {
        from_descope(
            &format!("listing the passkeys of user '{user_id}' again to confirm"),
            e,
        )
    })?;
    if now.totp || now.webauthn || !left.is_empty() {
        return Err(Error::unavailable(format!(
            "Descope accepted removing the second factors of user '{user_id}', but a reload \
             still shows TOTP {}, webauthn {} and {} passkey(s): the reset is NOT confirmed; retry",
            now.totp,
            now.webauthn,
            left.len()
        )));
    }
    tracing::info!(user = %user_id, removed = ?removed, "reset the user's MFA (TOTP seed, passkeys, recovery codes)");
    Ok(removed)
}

fn user_field<'a>(user: &'a User, field: &str) -> &'a str {
    match field {
        "display_name" => &user.name,
        "given_name" => &user.given_name,
        "middle_name" => &user.middle_name,
        "family_name" => &user.family_name,
        "email" => &user.email,
        "phone" => &user.phone,
        _ => "",
    }
}

/// Sets the fields given that differ; returns their names, confirmed by a reload.
async fn update_profile(
    client: &Client,
    user: &User,
    args: &prost_types::Struct,
) -> Result<Vec<String>, Error> {
    let user_id = &user.user_id;
    let mut wanted: Vec<(&str, String)> = Vec::new();
    for field in PROFILE_FIELDS {
        if let Some(v) = string_arg(args, field) {
            wanted.push((field, v.to_owned()));
        }
    }
    let attributes: Map<String, Value> = match string_arg(args, "custom_attributes") {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(Error::invalid_argument(
                    "custom_attributes must be a JSON object of attribute keys and values, e.g. \
                     {\"department\":\"Finance\"}",
                ));
            }
        },
    };
    if wanted.is_empty() && attributes.is_empty() {
        return Err(Error::invalid_argument(format!(
            "update_user_profile needs at least one of {}, custom_attributes",
            PROFILE_FIELDS.join(", ")
        )));
    }
    let fields: Vec<&(&str, String)> = wanted
        .iter()
        .filter(|(f, v)| user_field(user, f) != v)
        .collect();
    let attrs: Vec<(&String, &Value)> = attributes
        .iter()
        .filter(|(k, v)| user.custom_attributes.get(*k) != Some(*v))
        .collect();
    let mut changed: Vec<String> = fields.iter().map(|(f, _)| (*f).to_owned()).collect();
    changed.extend(attrs.iter().map(|(k, _)| format!("custom_attributes.{k}")));
    if changed.is_empty() {
        return Ok(changed);
    }
    let users = client.users();
    if !fields.is_empty() {
        let mut patch = PatchUserRequest::new(user_id);
        for (field, value) in &fields {
            let v = Some(value.clone());
            match *field {
                "display_name" => patch.display_name = v,
                "given_name" => patch.given_name = v,
                "middle_name" => patch.middle_name = v,
                "family_name" => patch.family_name = v,
                "email" => patch.email = v,
                "phone" => patch.phone = v,
                _ => {}
            }
        }
        users
            .patch(&patch)
            .await
            .map_err(|e| from_descope(&format!("updating the profile of user '{user_id}'"), e))?;
    }
    if !attrs.is_empty() {
        let login = login_id(user)?;
        for (key, value) in &attrs {
            users
                .update_custom_attribute(login, key, value)
                .await
                .map_err(|e| {
                    from_descope(
                        &format!("setting custom attribute '{key}' of user '{user_id}'"),
                        e,
                    )
                })?;
        }
    }
    let now = load_user(client, user_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("user '{user_id}' was deleted meanwhile")))?;
    let mut differ: Vec<String> = wanted
        .iter()
        .filter(|(f, v)| user_field(&now, f) != v)
        .map(|(f, _)| (*f).to_owned())
        .collect();
    differ.extend(
        attributes
            .iter()
            .filter(|(k, v)| now.custom_attributes.get(*k) != Some(*v))
            .map(|(k, _)| format!("custom_attributes.{k}")),
    );
    if !differ.is_empty() {
        return Err(Error::unavailable(format!(
            "Descope accepted updating user '{user_id}', but a reload does not show {differ:?}: \
             the update is NOT confirmed; retry"
        )));
    }
    tracing::info!(user = %user_id, fields = ?changed, "updated the user's profile");
    Ok(changed)
}
