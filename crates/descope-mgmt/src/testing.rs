//! Test support (feature `test-util`): the response decoders every endpoint uses, callable
//! without a server, for property tests of hostile bodies outside the crate.
//!
//! [`decode`] is the one function every endpoint decodes a 2xx body with (a JSON path on
//! failure, an array refused where an object is expected, trailing data refused). The response
//! envelopes (`{"user": ..}`, `{"keys": [..]}`, a list either bare or wrapped) are private; each
//! function below decodes one of them and hands over what its endpoint takes from it, before
//! the endpoint's own answer checks. [`error_body`] is the decoder of non-2xx bodies.
//!
//! ```
//! use descope_mgmt::testing;
//!
//! let user = testing::user_envelope(br#"{"user": {"userId": "U1"}}"#)?;
//! assert_eq!(user.map(|u| u.user_id).as_deref(), Some("U1"));
//! let err = testing::users_envelope(br#"{"users": [{"loginIds": "a"}]}"#).unwrap_err();
//! assert!(err.to_string().contains("users[0].loginIds"));
//! assert_eq!(testing::error_body(404, b"<html>", &[]).status, 404);
//! # Ok::<(), descope_mgmt::Error>(())
//! ```

use secrecy::SecretString;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error};
use crate::models::outbound::{
    AppIdsEnvelope, OutboundApp, OutboundAppEnvelope, OutboundAppsEnvelope,
};
use crate::models::third_party::{MaybeWrappedThirdPartyApp, ThirdPartyAppsEnvelope};
use crate::models::user_mfa::PasskeysEnvelope;
use crate::models::{
    AccessKey, AccessKeyEnvelope, AccessKeysEnvelope, AuthHistoryList, CreatedAccessKeyEnvelope,
    Group, GroupList, IdEnvelope, MaybeWrappedSsoApp, MaybeWrappedUser, Permission,
    PermissionsEnvelope, ResourceTypes, Role, RolesEnvelope, ScimResourceType, ScimUser,
    SsoApplication, SsoAppsEnvelope, Tenant, TenantsEnvelope, User, UserAuthHistory, UserEnvelope,
    UsersEnvelope,
};
use crate::models::{ConsentPage, Passkey, ThirdPartyApp};

/// The longest JSON path a decode error carries, in bytes.
pub const EXCERPT_BYTES: usize = crate::excerpt::EXCERPT_BYTES;
/// The longest message (or field taken from an error body) an error carries, in bytes.
pub const FIELD_BYTES: usize = crate::excerpt::FIELD_BYTES;

/// Decodes a 2xx body as `T` exactly as every endpoint does.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    crate::client::decode(body)
}

/// The error of a non-2xx answer with `body` (without `Retry-After`), `secrets` scrubbed from
/// anything taken from the body.
pub fn error_body(status: u16, body: &[u8], secrets: &[&str]) -> ApiError {
    ApiError::from_body(status, body, None, secrets)
}

/// One function per private response envelope: decodes it and returns what its endpoints take.
macro_rules! envelopes {
    ($($(#[$doc:meta])* $name:ident: $envelope:ty => $out:ty = $take:expr;)*) => {$(
        $(#[$doc])*
        pub fn $name(body: &[u8]) -> Result<$out, Error> {
            let take: fn($envelope) -> $out = $take;
            decode::<$envelope>(body).map(take)
        }
    )*};
}

envelopes! {
    /// `{"user": {...}}`: load, create, update, patch and the other one-user answers.
    user_envelope: UserEnvelope => Option<User> = |e| e.user;
    /// `{"users": [...]}`: load many.
    users_envelope: UsersEnvelope => Vec<User> = |e| e.users;
    /// `{"tenants": [...]}`: tenant listing and search.
    tenants_envelope: TenantsEnvelope => Vec<Tenant> = |e| e.tenants;
    /// `{"id": "..."}`: tenant creation.
    id_envelope: IdEnvelope => String = |e| e.id;
    /// `{"roles": [...]}`: role listing and search.
    roles_envelope: RolesEnvelope => Vec<Role> = |e| e.roles;
    /// `{"permissions": [...]}`: permission listing.
    permissions_envelope: PermissionsEnvelope => Vec<Permission> = |e| e.permissions;
    /// Groups, as a bare list or `{"groups": [...]}`.
    group_list: GroupList => Vec<Group> = |l| l.0;
    /// A SCIM user, flat or as `{"user": {...}}`.
    scim_user: MaybeWrappedUser => ScimUser = MaybeWrappedUser::into_user;
    /// SCIM resource types, as a list response or a bare array.
    scim_resource_types: ResourceTypes => Vec<ScimResourceType> = ResourceTypes::into_vec;
    /// `{"key": {...}}`: access key load and update.
    access_key_envelope: AccessKeyEnvelope => Option<AccessKey> = |e| e.key;
    /// `{"keys": [...]}`: access key search.
    access_keys_envelope: AccessKeysEnvelope => Vec<AccessKey> = |e| e.keys;
    /// `{"key": {...}, "cleartext": "..."}`: access key creation and rotation.
    created_access_key: CreatedAccessKeyEnvelope => (Option<AccessKey>, Option<SecretString>) =
        |e| (e.key, e.cleartext);
    /// `{"apps": [...]}`: SSO application listing.
    sso_apps_envelope: SsoAppsEnvelope => Vec<SsoApplication> = |e| e.apps;
    /// One SSO application, flat or as `{"app": {...}}` (`None` when the answer holds none).
    sso_app: MaybeWrappedSsoApp => Option<SsoApplication> = MaybeWrappedSsoApp::into_app;
    /// Users' sign-in history, as a bare list or `{"usersAuthHistory": [...]}`.
    auth_history: AuthHistoryList => Vec<UserAuthHistory> = AuthHistoryList::into_vec;
    /// `{"consents": [...], "total": n}`: third-party consent search.
    consent_page: ConsentPage => ConsentPage = |p| p;
    /// `{"apps": [...], "total": n}`: third-party application listing.
    third_party_apps_envelope: ThirdPartyAppsEnvelope => (Vec<ThirdPartyApp>, Option<u64>) =
        |e| (e.apps, e.total);
    /// One third-party application, flat or as `{"app": {...}}` (`None` when the answer holds
    /// none).
    third_party_app: MaybeWrappedThirdPartyApp => Option<ThirdPartyApp> =
        MaybeWrappedThirdPartyApp::into_app;
    /// `{"apps": [...]}`: outbound application listing.
    outbound_apps_envelope: OutboundAppsEnvelope => Vec<OutboundApp> = |e| e.apps;
    /// `{"app": {...}}`: one outbound application.
    outbound_app_envelope: OutboundAppEnvelope => Option<OutboundApp> = |e| e.app;
    /// `{"appIds": [...]}`: the outbound applications a user holds a token for.
    app_ids_envelope: AppIdsEnvelope => Vec<String> = |e| e.app_ids;
    /// `{"passkeys": [...]}`: a user's passkeys.
    passkeys_envelope: PasskeysEnvelope => Vec<Passkey> = |e| e.passkeys;
}
