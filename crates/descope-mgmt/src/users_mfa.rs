//! A user's second factors and one-attribute updates on `client.users()`: removing the TOTP
//! seed, passkeys and recovery codes, listing passkeys, and updating one custom attribute.
//!
//! # What each endpoint removes (verified in the official SDKs)
//!
//! | method | endpoint and body | what it removes | source |
//! | --- | --- | --- | --- |
//! | [`Users::remove_totp_seed`] | `POST /v1/mgmt/user/totp/delete` `{"loginId"}` | the user's TOTP (authenticator app) seed; the user object's `TOTP` then reads `false` (unverified) | go `user.go:745-753`, `sdk/mgmt.go:496-499`, `api/client.go:159`; python `user.py:1671-1690`; node `user.ts:1072-1074` |
//! | [`Users::remove_all_passkeys`] | `POST /v1/mgmt/user/passkeys/delete` `{"loginId"}` | every registered passkey (WebAuthn device); `webauthn` then reads `false` (unverified) | go `user.go:681-689`, `sdk/mgmt.go:485-488`, `api/client.go:156`; python `user.py:1650-1669`; node `user.ts:1060-1062` |
//! | [`Users::remove_passkey`] | `POST /v1/mgmt/user/passkey/delete` `{"loginId","credentialId"}` | one passkey | go `user.go:691-702`, `api/client.go:157`; python `user.py:2103-2121` |
//! | [`Users::list_passkeys`] | `POST /v1/mgmt/user/passkeys/list` `{"loginId"}` → `{"passkeys":[{id,rpId,kind,displayName,createdTime}]}` | nothing (a read) | go `user.go:704-743`, `api/client.go:158`; python `user.py:2123-2143`; node `user.ts:1237-1239` |
//! | [`Users::remove_recovery_codes`] | `POST /v1/mgmt/user/recovery-codes/delete` `{"loginId"}` (login id or user id) | every recovery code | go `user.go:755-763`, `sdk/mgmt.go:501-502`; python `user.py:1692-1709`; node `user.ts:1084-1086` |
//! | [`Users::update_custom_attribute`] | `POST /v1/mgmt/user/update/customAttribute` `{"loginId","attributeKey","attributeValue"}` → `{"user"}` | nothing: sets one attribute, leaving the others | go `user.go:485-498`, `api/client.go:143`; python `user.py:1168-1193` |
//!
//! None of these touches passwords, OTP by email or SMS, SSO, or trusted devices
//! (`mgmt/user/trusteddevices/remove`, not offered here). Both SDK docs warn that a user left
//! without another method or a verified email or phone may no longer be able to sign in.
//!
//! Unverified: whether the TOTP and passkey endpoints accept a user id in `loginId` (Go names
//! the parameter `loginID`, and `loginIDOrUserID` for recovery codes), what they answer for a
//! user with nothing to remove, and whether the user object's `TOTP` / `webauthn` flags follow
//! at once. Confirm a removal by loading the user (and listing passkeys).

use serde_json::Value;

use crate::client::Call;
use crate::error::Error;
use crate::models::user_mfa::{CustomAttributeBody, PasskeysEnvelope};
use crate::models::{LoginIdBody, Passkey, User};
use crate::transport::EndpointClass;
use crate::users::Users;

fn require(value: &str, what: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} is empty")));
    }
    Ok(())
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PasskeyBody<'a> {
    login_id: &'a str,
    credential_id: &'a str,
}

impl Users {
    async fn by_login(&self, path: &'static str, login_id: &str, what: &str) -> Result<(), Error> {
        require(login_id, what)?;
        let call = Call::post(path, &LoginIdBody { login_id })?.idempotent(true);
        self.client().call_unit(call).await
    }

    /// `POST /v1/mgmt/user/totp/delete`: removes the user's TOTP seed (see the table in the
    /// module docs). Retried after a server error (a repeat converges).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().remove_totp_seed("jane@acme.io").await?;
    /// assert!(!client.users().load("jane@acme.io").await?.totp);
    /// # Ok(()) }
    /// ```
    pub async fn remove_totp_seed(&self, login_id: &str) -> Result<(), Error> {
        self.by_login(
            "/v1/mgmt/user/totp/delete",
            login_id,
            "remove TOTP seed: the login id",
        )
        .await
    }

    /// `POST /v1/mgmt/user/passkeys/delete`: removes every passkey of the user. Retried after
    /// a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().remove_all_passkeys("jane@acme.io").await?;
    /// assert!(client.users().list_passkeys("jane@acme.io").await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn remove_all_passkeys(&self, login_id: &str) -> Result<(), Error> {
        self.by_login(
            "/v1/mgmt/user/passkeys/delete",
            login_id,
            "remove passkeys: the login id",
        )
        .await
    }

    /// `POST /v1/mgmt/user/passkey/delete`: removes one passkey by credential id. Retried
    /// after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// for p in client.users().list_passkeys("jane@acme.io").await? {
    ///     client.users().remove_passkey("jane@acme.io", &p.id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn remove_passkey(&self, login_id: &str, credential_id: &str) -> Result<(), Error> {
        require(login_id, "remove passkey: the login id")?;
        require(credential_id, "remove passkey: the credential id")?;
        let body = PasskeyBody {
            login_id,
            credential_id,
        };
        let call = Call::post("/v1/mgmt/user/passkey/delete", &body)?.idempotent(true);
        self.client().call_unit(call).await
    }

    /// `POST /v1/mgmt/user/passkeys/list`: the user's registered passkeys.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// for p in client.users().list_passkeys("jane@acme.io").await? {
    ///     println!("{} {} since {}", p.id, p.display_name, p.created_time);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_passkeys(&self, login_id: &str) -> Result<Vec<Passkey>, Error> {
        require(login_id, "list passkeys: the login id")?;
        let call =
            Call::post("/v1/mgmt/user/passkeys/list", &LoginIdBody { login_id })?.idempotent(true);
        Ok(self.client().call::<PasskeysEnvelope>(call).await?.passkeys)
    }

    /// `POST /v1/mgmt/user/recovery-codes/delete`: removes the user's recovery codes (login
    /// id or user id). Retried after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// client.users().remove_recovery_codes("U2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_recovery_codes(&self, login_id_or_user_id: &str) -> Result<(), Error> {
        self.by_login(
            "/v1/mgmt/user/recovery-codes/delete",
            login_id_or_user_id,
            "remove recovery codes: the login id or user id",
        )
        .await
    }

    /// `POST /v1/mgmt/user/update/customAttribute`: sets one custom attribute (which must be
    /// defined in the project), leaving the user's other attributes as they are, and returns
    /// the user as it stands afterwards. Retried after a server error (it sets the same value
    /// again).
    ///
    /// Prefer this to [`Users::patch`] with `custom_attributes` when changing some attributes
    /// only: whether patch merges the map or replaces it is unverified.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let user = client.users()
    ///     .update_custom_attribute("jane@acme.io", "department", &serde_json::json!("Finance"))
    ///     .await?;
    /// assert_eq!(user.custom_attributes["department"], "Finance");
    /// # Ok(()) }
    /// ```
    pub async fn update_custom_attribute(
        &self,
        login_id_or_user_id: &str,
        key: &str,
        value: &Value,
    ) -> Result<User, Error> {
        require(login_id_or_user_id, "update custom attribute: the login id")?;
        require(key, "update custom attribute: the attribute key")?;
        let body = CustomAttributeBody {
            login_id: login_id_or_user_id,
            attribute_key: key,
            attribute_value: value,
        };
        let call = Call::post("/v1/mgmt/user/update/customAttribute", &body)?
            .idempotent(true)
            .class(EndpointClass::UserSearchUpdate);
        self.one(
            call,
            "/v1/mgmt/user/update/customAttribute",
            Some(login_id_or_user_id),
        )
        .await
    }
}
