//! Credential encryption the way ConductorOne's baton-sdk does it (`pkg/crypto`), so the secrets
//! a connector issues (a generated password, a new or rotated API key) leave the connector only
//! encrypted to the recipients ConductorOne named in the request.
//!
//! [`BatonCrypto`] implements [`CredentialCrypto`] with baton-sdk's providers
//! (`pkg/crypto/providers/registry.go`):
//!
//! | `EncryptionConfig` | key | ciphertext in `EncryptedData.encrypted_bytes` | `key_id` / `key_ids` |
//! | --- | --- | --- | --- |
//! | provider `baton/age/v1` (or empty, with `age_recipient_config`) | one X25519 age recipient, `age1...` | a binary age file | — / `[hex(SHA-256(recipient))]` |
//! | provider `baton/jwk/v1` or `baton/jwk/v1/private` (or empty, with `jwk_public_key_config`), `kty` `OKP` `crv` `Ed25519` | the JWK's Ed25519 key | base64 (standard, padded) of an age file to the key's `ssh-ed25519` recipient | the JWK's RFC 7638 SHA-256 thumbprint in hex, in both |
//! | same, `kty` `RSA` (2048-4096 bits) | the JWK's RSA key | base64 of an age file to its `ssh-rsa` recipient (RSA-OAEP-SHA256) | as above |
//! | same, `kty` `EC`, `crv` `P-256` / `P-384` / `P-521` | the JWK's EC key | base64 of the JWE compact serialization, `alg` `ECDH-ES`, `enc` `A256GCM` | as above |
//!
//! The produced `EncryptedData` carries the provider (`baton/jwk/v1` for every JWK), the
//! plaintext's name, description and schema, and never the plaintext. Provider names are
//! compared trimmed and without regard to case, as baton does.
//!
//! Beyond baton: a request without recipients is refused ([`Code::FailedPrecondition`]) rather
//! than answered with nothing encrypted, and [`BatonCrypto::validate`] checks every recipient
//! before a connector issues an irreversible secret (baton's `ValidateEncryptionConfigs`).
//! A chosen password (`EncryptedPassword`) is decrypted with the ConductorOne client secret's
//! Ed25519 key when [`BatonCrypto::with_client_secret`] gave one (baton's
//! `ConvertCredentialOptions`); without it, decryption is `Unimplemented`.
//!
//! Neither `Debug` nor any error ever shows a plaintext or a private key.
//!
//! ```
//! use c1_connector_sdk::crypto::BatonCrypto;
//! use c1_connector_sdk::model::{EncryptionConfig, PlaintextData, encryption_config};
//! use c1_connector_sdk::connector::CredentialCrypto;
//!
//! let recipient = EncryptionConfig {
//!     provider: "baton/age/v1".into(),
//!     config: Some(encryption_config::Config::AgeRecipientConfig(
//!         encryption_config::AgeRecipientConfig {
//!             recipient: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p".into(),
//!         },
//!     )),
//!     ..Default::default()
//! };
//! let crypto = BatonCrypto::new();
//! crypto.validate(std::slice::from_ref(&recipient))?;
//! let secret = PlaintextData::new("access key", b"K2-new-secret".to_vec());
//! let sealed = crypto.encrypt(&secret, &[recipient])?;
//! assert_eq!(sealed[0].provider, "baton/age/v1");
//! assert!(!sealed[0].encrypted_bytes.windows(13).any(|w| w == b"K2-new-secret"));
//! # Ok::<(), c1_connector_sdk::error::Error>(())
//! ```
//!
//! [`Code::FailedPrecondition`]: crate::error::Code::FailedPrecondition
//! [`BatonCrypto::validate`]: CredentialCrypto::validate

mod age;
mod jwe;
mod jwk;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::connector::{CredentialCrypto, Password};
use crate::error::Error;
use crate::model::encryption_config::Config;
use crate::model::{EncryptedData, EncryptionConfig, PlaintextData};

use self::jwk::PublicJwk;

/// baton-sdk's `jwk.EncryptionProviderJwk`.
pub const PROVIDER_JWK: &str = "baton/jwk/v1";
/// baton-sdk's `jwk.EncryptionProviderJwkPrivate` (encrypts like [`PROVIDER_JWK`]).
pub const PROVIDER_JWK_PRIVATE: &str = "baton/jwk/v1/private";
/// baton-sdk's `age.EncryptionProviderAge`.
pub const PROVIDER_AGE: &str = "baton/age/v1";

/// The Ed25519 key of a ConductorOne client secret, for decrypting chosen passwords.
struct ClientSecret {
    seed: Zeroizing<[u8; 32]>,
    public: [u8; 32],
    kid: String,
}

/// baton-sdk's credential encryption (see the [module docs](self)).
#[derive(Default)]
pub struct BatonCrypto {
    client_secret: Option<ClientSecret>,
}

impl fmt::Debug for BatonCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatonCrypto")
            .field(
                "client_secret_kid",
                &self.client_secret.as_ref().map(|c| c.kid.as_str()),
            )
            .finish()
    }
}

/// A recipient resolved from its `EncryptionConfig`.
enum Recipient {
    Age {
        text: String,
        recipient: ::age::x25519::Recipient,
    },
    /// A JWK; Ed25519 and RSA keys with their age ssh recipient.
    Jwk {
        key: PublicJwk,
        ssh: Option<::age::ssh::Recipient>,
    },
}

fn normalized(provider: &str) -> String {
    provider.trim().to_ascii_lowercase()
}

impl Recipient {
    /// Resolves `config` like baton's `GetEncryptorForConfig`, then checks its key.
    fn of(index: usize, config: &EncryptionConfig) -> Result<Self, Error> {
        let mut provider = normalized(&config.provider);
        if provider.is_empty() {
            provider = match &config.config {
                Some(Config::AgeRecipientConfig(_)) => PROVIDER_AGE.to_owned(),
                Some(Config::JwkPublicKeyConfig(_)) => PROVIDER_JWK.to_owned(),
                None => String::new(),
            };
        }
        let at = |e: Error| {
            Error::new(
                e.code(),
                format!("encryption config {index}: {}", e.message()),
            )
        };
        match (provider.as_str(), &config.config) {
            (PROVIDER_AGE, Some(Config::AgeRecipientConfig(a))) => Ok(Recipient::Age {
                recipient: age::x25519_recipient(&a.recipient).map_err(at)?,
                text: a.recipient.clone(),
            }),
            (PROVIDER_JWK | PROVIDER_JWK_PRIVATE, Some(Config::JwkPublicKeyConfig(j))) => {
                let key = PublicJwk::parse(&j.pub_key).map_err(at)?;
                let ssh = match &key {
                    PublicJwk::Rsa { n, e } => Some(age::rsa_recipient(n, e).map_err(at)?),
                    PublicJwk::Ed25519(x) => Some(age::ssh_ed25519(*x).map_err(at)?),
                    PublicJwk::Ec { curve, x, y } => {
                        jwe::check_point(*curve, x, y).map_err(at)?;
                        None
                    }
                };
                Ok(Recipient::Jwk { key, ssh })
            }
            ("", _) => Err(Error::invalid_argument(format!(
                "encryption config {index} names no provider and carries no key"
            ))),
            (PROVIDER_AGE | PROVIDER_JWK | PROVIDER_JWK_PRIVATE, _) => {
                Err(Error::invalid_argument(format!(
                    "encryption config {index}: provider {provider:?} needs its own key \
                     configuration (age_recipient_config for baton/age/v1, \
                     jwk_public_key_config for baton/jwk/v1)"
                )))
            }
            (other, _) => Err(Error::invalid_argument(format!(
                "encryption config {index}: provider {other:?} is not supported (supported: \
                 {PROVIDER_AGE}, {PROVIDER_JWK}, {PROVIDER_JWK_PRIVATE})"
            ))),
        }
    }

    fn encrypt(&self, plaintext: &PlaintextData) -> Result<EncryptedData, Error> {
        let base = EncryptedData {
            name: plaintext.name.clone(),
            description: plaintext.description.clone(),
            schema: plaintext.schema.clone(),
            ..EncryptedData::default()
        };
        match self {
            Recipient::Age { text, recipient } => Ok(EncryptedData {
                provider: PROVIDER_AGE.to_owned(),
                encrypted_bytes: age::encrypt_x25519(recipient, &plaintext.bytes)?,
                key_ids: vec![jwk::hex(&Sha256::digest(text.as_bytes()))],
                ..base
            }),
            Recipient::Jwk { key, ssh } => {
                let ciphertext = match (key, ssh) {
                    (PublicJwk::Ec { curve, x, y }, _) => {
                        jwe::encrypt_ecdh_es(*curve, x, y, &plaintext.bytes)?.into_bytes()
                    }
                    (_, Some(r)) => age::encrypt_ssh(r, &plaintext.bytes)?,
                    (_, None) => {
                        return Err(Error::internal("an ssh recipient was not resolved"));
                    }
                };
                let kid = key.thumbprint();
                Ok(EncryptedData {
                    provider: PROVIDER_JWK.to_owned(),
                    key_id: kid.clone(),
                    encrypted_bytes: STANDARD.encode(ciphertext).into_bytes(),
                    key_ids: vec![kid],
                    ..base
                })
            }
        }
    }
}

impl BatonCrypto {
    /// Encryption only: chosen passwords cannot be decrypted (`Unimplemented`).
    ///
    /// ```
    /// use c1_connector_sdk::connector::CredentialCrypto;
    /// let e = c1_connector_sdk::crypto::BatonCrypto::new().decrypt_password(&[]).unwrap_err();
    /// assert_eq!(e.code(), c1_connector_sdk::error::Code::Unimplemented);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Encryption, and decryption of chosen passwords encrypted to the ConductorOne client
    /// secret whose Ed25519 private key has the 32-byte `seed` and JWK key id `kid`.
    ///
    /// ```
    /// let crypto = c1_connector_sdk::crypto::BatonCrypto::with_client_secret([7; 32], "kid-1");
    /// assert!(format!("{crypto:?}").contains("kid-1"));
    /// ```
    pub fn with_client_secret(seed: [u8; 32], kid: impl Into<String>) -> Self {
        let seed = Zeroizing::new(seed);
        let public = ed25519_public(&seed);
        Self {
            client_secret: Some(ClientSecret {
                seed,
                public,
                kid: kid.into(),
            }),
        }
    }
}

fn resolve(recipients: &[EncryptionConfig]) -> Result<Vec<Recipient>, Error> {
    if recipients.is_empty() {
        return Err(Error::failed_precondition(
            "the request names no encryption config, so a new secret could not be delivered \
             encrypted: refused before issuing it (ConductorOne sends encryption configs with \
             requests that create credentials)",
        ));
    }
    recipients
        .iter()
        .enumerate()
        .map(|(i, c)| Recipient::of(i, c))
        .collect()
}

/// The Ed25519 public key of `seed`.
fn ed25519_public(seed: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(seed)
        .verifying_key()
        .to_bytes()
}

impl CredentialCrypto for BatonCrypto {
    /// baton's `ConvertCredentialOptions`: the first encrypted password whose key ids name the
    /// client secret's key id is decrypted with it; none matching is `InvalidArgument`.
    fn decrypt_password(&self, encrypted: &[EncryptedData]) -> Result<Password, Error> {
        let secret = self.client_secret.as_ref().ok_or_else(|| {
            Error::unimplemented(
                "an encrypted password needs the ConductorOne client secret to decrypt, and this \
                 runner was given none",
            )
        })?;
        let data = encrypted
            .iter()
            .find(|d| d.key_ids.contains(&secret.kid))
            .ok_or_else(|| {
                Error::invalid_argument(format!(
                    "no encrypted password matched client secret key id {:?}",
                    secret.kid
                ))
            })?;
        let ciphertext = Zeroizing::new(
            STANDARD
                .decode(&data.encrypted_bytes)
                .map_err(|_| Error::invalid_argument("the encrypted password is not base64"))?,
        );
        let plain = age::decrypt_ed25519(&secret.seed, secret.public, &ciphertext)?;
        let text = String::from_utf8(plain.to_vec())
            .map_err(|_| Error::invalid_argument("the decrypted password is not UTF-8"))?;
        Ok(Password::new(text))
    }

    /// Checks every recipient (provider known, key well formed and supported) without
    /// encrypting anything: call it before issuing a secret that cannot be issued again.
    /// An empty list is refused (`FailedPrecondition`): the secret could not be delivered.
    ///
    /// ```
    /// use c1_connector_sdk::connector::CredentialCrypto;
    /// use c1_connector_sdk::crypto::BatonCrypto;
    /// let e = BatonCrypto::new().validate(&[]).unwrap_err();
    /// assert_eq!(e.code(), c1_connector_sdk::error::Code::FailedPrecondition);
    /// ```
    fn validate(&self, recipients: &[EncryptionConfig]) -> Result<(), Error> {
        resolve(recipients).map(|_| ())
    }

    /// baton's `EncryptionManager.Encrypt`: one `EncryptedData` per recipient, in order; every
    /// recipient is checked before anything is encrypted, and none is refused.
    fn encrypt(
        &self,
        plaintext: &PlaintextData,
        recipients: &[EncryptionConfig],
    ) -> Result<Vec<EncryptedData>, Error> {
        resolve(recipients)?
            .iter()
            .map(|r| r.encrypt(plaintext))
            .collect()
    }
}
