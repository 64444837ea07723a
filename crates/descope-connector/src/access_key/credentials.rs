//! Access key credentials from ConductorOne: `rotate_credentials` of an `access_key` resource.
//!
//! Descope's `POST /v1/mgmt/accesskey/rotate` issues a new secret **under the same id**,
//! keeping the name, roles, tenants, expiry and metadata, and the old secret stops working at
//! once; only active, unexpired keys can be rotated (`descope-api-more.md` 1.1, from go-sdk
//! `sdk/mgmt.go:630-641` and python-sdk `access_key.py:229-256`). A re-creation would give a new
//! id and lose the key's grants in ConductorOne, so rotation is the only form used.
//!
//! The secret is handed to the SDK's operations as `PlaintextData` (the whole
//! `<ProjectID>:<secret>` credential a client authenticates with is not built here: the secret
//! alone, as Descope returns it) and leaves the process only encrypted to the request's
//! encryption configs (`ops::rotate_credentials`, refused without any). It is never logged,
//! and `RotatedCredential`'s `Debug` shows only a count.
//!
//! The rotation is confirmed by loading the key again: the same id, its roles and tenants as
//! before. A rotation Descope answered for another id is an error (the secret is not returned
//! for a key ConductorOne did not name); a change of assignments is logged (another writer may
//! have changed them meanwhile) and the rotation is still reported, since it did happen.

use async_trait::async_trait;
use c1_connector_sdk::connector::{CredentialRotator, RotatedCredential};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    CapabilityDetailCredentialOption as Opt, CredentialDetailsCredentialRotation, PlaintextData,
    ResourceId,
};
use secrecy::ExposeSecret;

use super::syncer::{AccessKeySyncer, key_id, load_key};
use crate::error::from_descope;
use crate::principal_lock::PrincipalKey;

#[async_trait]
impl CredentialRotator for AccessKeySyncer {
    async fn rotate(&self, id: &ResourceId) -> Result<RotatedCredential, Error> {
        let key_id = key_id(id)?;
        let client = self.provisioner.client();
        let _held = self
            .provisioner
            .lock(PrincipalKey::AccessKey(key_id.clone()))
            .await;
        let before = load_key(client, &key_id).await?.ok_or_else(|| {
            Error::not_found(format!(
                "access key '{key_id}' does not exist in Descope; nothing was rotated"
            ))
        })?;
        let rotated = client
            .access_keys()
            .rotate(&key_id)
            .await
            .map_err(|e| from_descope(&format!("rotating access key '{key_id}'"), e))?;
        if !rotated.key.id.is_empty() && rotated.key.id != key_id {
            return Err(Error::internal(format!(
                "Descope answered the rotation of access key '{key_id}' with key '{}': the new \
                 secret is withheld; check both keys in the Descope console",
                rotated.key.id
            ))
            .with_retryable(false));
        }
        match load_key(client, &key_id).await {
            Ok(Some(after))
                if after.role_names == before.role_names
                    && after.key_tenants == before.key_tenants => {}
            Ok(Some(after)) => tracing::warn!(
                key = %key_id,
                roles_before = ?before.role_names,
                roles_after = ?after.role_names,
                "the access key's assignments differ after its rotation (another writer?)"
            ),
            Ok(None) => tracing::warn!(key = %key_id, "the access key is gone after its rotation"),
            Err(err) => {
                tracing::warn!(key = %key_id, error = %err, "the rotated access key could not be loaded again")
            }
        }
        tracing::info!(key = %key_id, "rotated the access key's secret (same id)");
        let secret = rotated.cleartext.expose_secret().as_bytes().to_vec();
        let mut plaintext = PlaintextData::new("access key secret", secret);
        plaintext.description = format!(
            "the new secret of Descope access key '{key_id}' (authenticate as \
             '<project id>:<secret>'); the previous secret no longer works"
        );
        Ok(RotatedCredential::new(vec![plaintext]))
    }

    fn rotation_details(&self) -> CredentialDetailsCredentialRotation {
        CredentialDetailsCredentialRotation {
            supported_credential_options: vec![Opt::ApiKey as i32, Opt::RandomPassword as i32],
            preferred_credential_option: Opt::ApiKey as i32,
        }
    }
}

/// Issuing an access key for a user (baton's `IssueCredential` on the `user` type): a new key
/// bound to the user (`POST /v1/mgmt/accesskey/create` with `userId`), named
/// `ConductorOne <request id>`, expiring when the request asks; it holds no role or tenant (grant
/// those like any access key's). The secret goes to the SDK to encrypt; the key is an
/// `access_key` resource the next sync lists.
#[async_trait]
impl c1_connector_sdk::connector::CredentialIssuer for crate::user::syncer::UserSyncer {
    async fn issue(
        &self,
        identity: &ResourceId,
        request_id: &str,
        expires_at: Option<i64>,
    ) -> Result<c1_connector_sdk::connector::IssuedCredential, Error> {
        let user_id = crate::ids::component_of(identity, crate::kinds::USER_TYPE)?;
        let client = self.provisioner.client();
        let _held = self
            .provisioner
            .lock(PrincipalKey::User(user_id.clone()))
            .await;
        crate::provisioner::load_user(client, &user_id)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!(
                    "user '{user_id}' does not exist in Descope; no key was created"
                ))
            })?;
        let now = std::time::SystemTime::now();
        let now_secs = now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        if let Some(at) = expires_at
            && at <= now_secs
        {
            return Err(Error::invalid_argument(format!(
                "the requested expiry ({at}) is in the past; no key was created"
            )));
        }
        let name = if request_id.is_empty() {
            "ConductorOne".to_owned()
        } else {
            format!("ConductorOne {request_id}")
        };
        let request = descope_mgmt::CreateAccessKeyRequest::new(name)
            .user_id(&user_id)
            .expire_time(expires_at.unwrap_or(0))
            .description(format!(
                "issued by ConductorOne for user '{user_id}' (request '{request_id}')"
            ));
        let created = client.access_keys().create(&request).await.map_err(|e| {
            from_descope(&format!("creating an access key for user '{user_id}'"), e)
        })?;
        if created.key.id.is_empty() {
            return Err(Error::internal(format!(
                "Descope created an access key for user '{user_id}' but named no key id; check \
                 the user's keys in the Descope console"
            )));
        }
        tracing::info!(user = %user_id, key = %created.key.id, request = %request_id, "issued an access key for the user");
        let resource = super::resource::access_key_resource(&created.key, now);
        let secret = created.cleartext.expose_secret().as_bytes().to_vec();
        let mut plaintext = PlaintextData::new("access key secret", secret);
        plaintext.description = format!(
            "the secret of the new Descope access key '{}' of user '{user_id}' (authenticate as \
             '<project id>:<secret>')",
            created.key.id
        );
        Ok(c1_connector_sdk::connector::IssuedCredential::new(
            resource,
            vec![plaintext],
        ))
    }
}
