//! User account lifecycle: create (or invite) a Descope user, delete one, enable or disable one.
//!
//! Each is decided from the user's current state and confirmed from Descope's answer or by
//! loading the user again, like grants and revokes: creating a login id that exists answers
//! "already exists" with that user, deleting a user Descope says does not exist answers
//! `ResourceDoesNotExist`, enabling an enabled user changes nothing.

use async_trait::async_trait;
use c1_connector_sdk::connector::{
    AccountCreated, AccountManager, ActionOutcome, ActionProvider, LocalCredentialOptions,
    ResourceDeleter, resource_id_arg,
};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    AccountInfo, ActionType, Annotations, BatonActionSchema, CapabilityDetailCredentialOption,
    ConnectorAccountCreationSchema, CredentialDetailsAccountProvisioning, ResourceDoesNotExist,
    ResourceId, config::Field,
};
use descope_mgmt::{
    AssociatedTenant, Client, CreateUserRequest, InviteOptions, User, UserStatus, UserStatusUpdate,
};
use prost_types::value::Kind;

use crate::actions::{Change, action_response};
use crate::error::from_descope;
use crate::ids::component_of;
use crate::kinds::USER_TYPE;
use crate::principal_lock::PrincipalKey;
use crate::provisioner::load_user;
use crate::user::resource::user_resource;
use crate::user::syncer::UserSyncer;

/// Name of the action that enables a user.
pub(crate) const ENABLE_ACTION: &str = "enable_user";
/// Name of the action that disables a user.
pub(crate) const DISABLE_ACTION: &str = "disable_user";

/// The fields ConductorOne asks for when it creates a Descope user (the `profile` of the
/// account info). The login id is the account's login, or its email when it has none.
pub(crate) fn account_creation_schema() -> ConnectorAccountCreationSchema {
    ConnectorAccountCreationSchema::new()
        .string_field("email", "Email", true)
        .string_field("login", "Login id (defaults to the email)", false)
        .string_field("name", "Display name", false)
        .string_field("givenName", "Given name", false)
        .string_field("familyName", "Family name", false)
        .string_field("phone", "Phone (E.164)", false)
        .string_list_field("tenantIds", "Tenants to add the user to", false)
        .bool_field("invite", "Send an invitation email", false)
}

fn profile_bool(info: &AccountInfo, key: &str) -> Result<bool, Error> {
    match info
        .profile
        .as_ref()
        .and_then(|p| p.fields.get(key))
        .and_then(|v| v.kind.as_ref())
    {
        None | Some(Kind::NullValue(_)) => Ok(false),
        Some(Kind::BoolValue(b)) => Ok(*b),
        Some(Kind::StringValue(s)) if s == "true" => Ok(true),
        Some(Kind::StringValue(s)) if s == "false" || s.is_empty() => Ok(false),
        Some(_) => Err(Error::invalid_argument(format!(
            "the account profile's '{key}' must be true or false"
        ))),
    }
}

fn profile_list(info: &AccountInfo, key: &str) -> Result<Vec<String>, Error> {
    let items = match info
        .profile
        .as_ref()
        .and_then(|p| p.fields.get(key))
        .and_then(|v| v.kind.as_ref())
    {
        None | Some(Kind::NullValue(_)) => return Ok(Vec::new()),
        Some(Kind::StringValue(s)) => s.split(',').map(|t| t.trim().to_owned()).collect(),
        Some(Kind::ListValue(list)) => list
            .values
            .iter()
            .map(|v| match &v.kind {
                Some(Kind::StringValue(s)) => Ok(s.trim().to_owned()),
                _ => Err(Error::invalid_argument(format!(
                    "the account profile's '{key}' must be a list of strings"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(Error::invalid_argument(format!(
                "the account profile's '{key}' must be a list of strings"
            )));
        }
    };
    Ok(items.into_iter().filter(|t| !t.is_empty()).collect())
}

/// The create request an account info asks for, and whether to invite.
fn create_request(info: &AccountInfo) -> Result<(CreateUserRequest, bool), Error> {
    let email = info
        .profile_str("email")
        .filter(|e| !e.is_empty())
        .or_else(|| info.primary_email())
        .unwrap_or_default();
    let login = [info.profile_str("login"), Some(info.login.as_str())]
        .into_iter()
        .flatten()
        .find(|l| !l.is_empty())
        .unwrap_or(email);
    if login.is_empty() {
        return Err(Error::invalid_argument(
            "a Descope user needs a login id or an email: set the account's login or email",
        ));
    }
    let mut req = CreateUserRequest::new(login);
    if !email.is_empty() {
        req = req.email(email);
    }
    for (key, set) in [
        ("name", CreateUserRequest::display_name as fn(_, _) -> _),
        ("givenName", CreateUserRequest::given_name),
        ("familyName", CreateUserRequest::family_name),
        ("phone", CreateUserRequest::phone),
    ] {
        if let Some(value) = info.profile_str(key).filter(|v| !v.is_empty()) {
            req = set(req, value.to_owned());
        }
    }
    let tenants = profile_list(info, "tenantIds")?;
    if !tenants.is_empty() {
        req = req.user_tenants(
            tenants
                .into_iter()
                .map(|t| AssociatedTenant::new(t, Vec::<String>::new()))
                .collect::<Vec<_>>(),
        );
    }
    Ok((req, profile_bool(info, "invite")?))
}

/// Loads a user by login id or user id; `None` only when Descope says it does not exist.
async fn load(client: &Client, login_or_id: &str) -> Result<Option<User>, Error> {
    crate::error::found(
        client.users().load(login_or_id).await,
        &format!("loading user '{login_or_id}'"),
    )
}

#[async_trait]
impl AccountManager for UserSyncer {
    /// Creates the user with `POST /v1/mgmt/user/create` (with `invite: true` and
    /// `sendMail: true` when the profile's `invite` is true). A login id that exists answers
    /// "already exists" with the existing user and changes nothing.
    async fn create_account(
        &self,
        info: &AccountInfo,
        _credentials: Option<&LocalCredentialOptions>,
    ) -> Result<AccountCreated, Error> {
        let (req, invite) = create_request(info)?;
        let client = self.provisioner.client();
        let login = req.login_id.clone();
        // Two creations of one login id in this process: the second sees the first's user.
        let _held = self
            .provisioner
            .lock(PrincipalKey::Login(login.to_lowercase()))
            .await;
        if let Some(user) = load(client, &login).await? {
            return Ok(AccountCreated::already_exists(user_resource(&user, None)));
        }
        let users = client.users();
        let result = if invite {
            users
                .invite(&req, &InviteOptions::new().send_mail(true))
                .await
        } else {
            users.create(&req).await
        };
        match result {
            Ok(user) if !user.user_id.is_empty() => Ok(AccountCreated::created(user_resource(&user, None))),
            Ok(_) => Err(Error::new(
                c1_connector_sdk::error::Code::Unknown,
                format!(
                    "Descope answered creating user '{login}' without a user id: check that the base URL points at Descope; \
                     the user may have been created (load '{login}' before retrying)"
                ),
            )
            .with_retryable(false)),
            // The create is not retried (a repeat could invite twice); the answer may have been
            // lost after Descope created the user: look before reporting a failure.
            Err(err) => match load(client, &login).await {
                Ok(Some(user)) => Ok(AccountCreated::created(user_resource(&user, None))),
                _ => Err(from_descope(&format!("creating user '{login}'"), err)),
            },
        }
    }

    fn capability_details(&self) -> CredentialDetailsAccountProvisioning {
        CredentialDetailsAccountProvisioning::new(
            [CapabilityDetailCredentialOption::NoPassword],
            CapabilityDetailCredentialOption::NoPassword,
        )
    }
}

/// The Descope user id of a `user` resource id.
fn user_id(id: &ResourceId) -> Result<String, Error> {
    component_of(id, USER_TYPE)
}

#[async_trait]
impl ResourceDeleter for UserSyncer {
    /// Deletes the user with `POST /v1/mgmt/user/delete` (by user id), then loads it to confirm.
    async fn delete(
        &self,
        id: &ResourceId,
        _parent: Option<&ResourceId>,
    ) -> Result<Annotations, Error> {
        let user_id = user_id(id)?;
        let client = self.provisioner.client();
        let _held = self
            .provisioner
            .lock(PrincipalKey::User(user_id.clone()))
            .await;
        if load_user(client, &user_id).await?.is_none() {
            let mut annotations = Annotations::default();
            annotations.push(&ResourceDoesNotExist {});
            return Ok(annotations);
        }
        let result = client.users().delete_by_user_id(&user_id).await;
        match (load_user(client, &user_id).await, result) {
            (Ok(None), _) => Ok(Annotations::default()),
            (_, Err(err)) => Err(from_descope(&format!("deleting user '{user_id}'"), err)),
            (Ok(Some(_)), Ok(())) => Err(Error::unavailable(format!(
                "Descope accepted deleting user '{user_id}', but the user still loads; retry"
            ))),
            (Err(load_err), Ok(())) => Err(load_err.context(format!(
                "user '{user_id}' was deleted but the deletion could not be confirmed"
            ))),
        }
    }
}

/// Whether a user's status counts as enabled (an invited user can sign in once it accepts).
fn is_enabled(status: &UserStatus) -> bool {
    matches!(status, UserStatus::Enabled | UserStatus::Invited)
}

/// Enables or disables a user, idempotently, confirmed from Descope's answer (or by loading
/// the user when the answer does not show it).
pub(crate) async fn set_user_enabled(
    client: &Client,
    user_id: &str,
    enabled: bool,
) -> Result<Change, Error> {
    let verb = if enabled { "enabling" } else { "disabling" };
    let user = load_user(client, user_id).await?.ok_or_else(|| {
        Error::not_found(format!(
            "user '{user_id}' does not exist in Descope; re-sync and retry"
        ))
    })?;
    let done = |u: &User| {
        if enabled {
            is_enabled(&u.status)
        } else {
            u.status == UserStatus::Disabled
        }
    };
    if done(&user) {
        return Ok(Change::Unchanged);
    }
    let status = if enabled {
        UserStatusUpdate::Enabled
    } else {
        UserStatusUpdate::Disabled
    };
    let write_error = match client.users().update_status(user_id, status).await {
        Ok(user) if done(&user) => return Ok(Change::Changed),
        Ok(_) => None,
        Err(err) => Some(err),
    };
    match load_user(client, user_id).await {
        Ok(Some(user)) if done(&user) => Ok(Change::Changed),
        Ok(now) => {
            let holds = now.map_or_else(
                || "no such user".to_owned(),
                |u| format!("status '{}'", u.status.as_str()),
            );
            Err(match write_error {
                Some(err) => from_descope(
                    &format!("{verb} user '{user_id}' (Descope holds {holds})"),
                    err,
                ),
                None => Error::unavailable(format!(
                    "Descope accepted {verb} user '{user_id}', but the user does not show the change \
                     yet (Descope holds {holds}); retry"
                )),
            })
        }
        Err(load_err) => Err(match write_error {
            Some(err) => from_descope(&format!("{verb} user '{user_id}'"), err),
            None => load_err.context(format!(
                "{verb} user '{user_id}' was sent, but the user could not be read back to confirm it"
            )),
        }),
    }
}

#[async_trait]
impl ActionProvider for UserSyncer {
    fn action_schemas(&self) -> Vec<BatonActionSchema> {
        let mut schemas = vec![
            BatonActionSchema::new(ENABLE_ACTION, "Enable user")
                .with_description(
                    "Lets a disabled Descope user sign in again (POST /v1/mgmt/user/update/status, status enabled)",
                )
                .with_argument(Field::resource_id("resource_id", "User").required())
                .with_action_type(ActionType::AccountEnable),
            BatonActionSchema::new(DISABLE_ACTION, "Disable user")
                .with_description(
                    "Stops a Descope user from signing in, keeping the user and its access (POST /v1/mgmt/user/update/status, status disabled)",
                )
                .with_argument(Field::resource_id("resource_id", "User").required())
                .with_action_type(ActionType::AccountDisable),
        ];
        schemas.extend(super::incident::schemas());
        schemas
    }

    async fn invoke_action(
        &self,
        name: &str,
        args: &prost_types::Struct,
    ) -> Result<ActionOutcome, Error> {
        let enabled = match name {
            ENABLE_ACTION => true,
            DISABLE_ACTION => false,
            other if super::incident::handles(other) => {
                return super::incident::invoke(&self.provisioner, other, args).await;
            }
            other => {
                return Err(Error::invalid_argument(format!(
                    "unknown user action '{other}': use {ENABLE_ACTION} or {DISABLE_ACTION}"
                )));
            }
        };
        let id = resource_id_arg(args, "resource_id")
            .ok_or_else(|| Error::invalid_argument("the argument resource_id is required"))?;
        let user_id = user_id(&id)?;
        let change = {
            let _held = self
                .provisioner
                .lock(PrincipalKey::User(user_id.clone()))
                .await;
            set_user_enabled(self.provisioner.client(), &user_id, enabled).await?
        };
        Ok(ActionOutcome::complete(
            format!("{name}:{user_id}"),
            Some(action_response(&user_id, change)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn create_request_from_profile() {
        let info = AccountInfo::new("")
            .with_email("ann@acme.io", true)
            .with_profile(obj(json!({
                "name": "Ann Lee",
                "tenantIds": ["T1", " T2 "],
                "invite": true,
            })));
        let (req, invite) = create_request(&info).unwrap();
        assert_eq!(req.login_id, "ann@acme.io");
        assert_eq!(req.email.as_deref(), Some("ann@acme.io"));
        assert_eq!(req.display_name.as_deref(), Some("Ann Lee"));
        let tenants: Vec<&str> = req
            .user_tenants
            .iter()
            .map(|t| t.tenant_id.as_str())
            .collect();
        assert_eq!(tenants, ["T1", "T2"]);
        assert!(invite);

        let named = AccountInfo::new("ann")
            .with_profile(obj(json!({"email": "a@acme.io", "tenantIds": "T1,T2"})));
        let (req, invite) = create_request(&named).unwrap();
        assert_eq!(req.login_id, "ann");
        assert_eq!(req.user_tenants.len(), 2);
        assert!(!invite);

        let nothing = AccountInfo::new("");
        assert_eq!(
            create_request(&nothing).unwrap_err().code(),
            c1_connector_sdk::error::Code::InvalidArgument
        );
        let bad = AccountInfo::new("x").with_profile(obj(json!({"invite": 3})));
        assert!(create_request(&bad).is_err());
    }
}
