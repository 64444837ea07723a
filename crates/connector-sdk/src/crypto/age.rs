//! age files (age-encryption.org/v1) with the `age` crate: to an X25519 recipient
//! (`baton/age/v1`), and to an Ed25519 or RSA JWK through age's `ssh-ed25519` / `ssh-rsa`
//! recipient types (what baton-sdk's `EncryptED25519` / `EncryptRSA` do with `agessh`); and the
//! decryption of a chosen password with the ConductorOne client secret's Ed25519 key.

use ssh_key::private::{Ed25519Keypair, Ed25519PrivateKey, KeypairData};
use ssh_key::public::{Ed25519PublicKey, KeyData, RsaPublicKey};
use ssh_key::{LineEnding, Mpint, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::error::Error;

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("age encryption failed: {e}"))
}

/// Encrypts to one age recipient (a binary age file).
fn encrypt_to(recipient: &impl age::Recipient, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    age::encrypt(recipient, plaintext).map_err(internal)
}

/// Parses one canonical X25519 recipient (`age1...`), as baton-sdk's age provider requires:
/// exactly one, no surrounding whitespace.
pub(super) fn x25519_recipient(text: &str) -> Result<age::x25519::Recipient, Error> {
    let bad = |why: &str| {
        Error::invalid_argument(format!("invalid baton/age/v1 encryption config: {why}"))
    };
    if text.is_empty() {
        return Err(bad("the recipient is empty"));
    }
    if text.trim() != text || text.contains(['\r', '\n']) {
        return Err(bad(
            "the recipient must be a single canonical recipient string",
        ));
    }
    text.parse::<age::x25519::Recipient>().map_err(|_| {
        bad("the recipient is not an X25519 age recipient (age1...); other age recipient types are not supported")
    })
}

/// Encrypts to an X25519 recipient.
pub(super) fn encrypt_x25519(
    recipient: &age::x25519::Recipient,
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    encrypt_to(recipient, plaintext)
}

/// The age `ssh-ed25519` recipient of an Ed25519 public key.
pub(super) fn ssh_ed25519(public: [u8; 32]) -> Result<age::ssh::Recipient, Error> {
    ssh_recipient(KeyData::Ed25519(Ed25519PublicKey(public)), "Ed25519")
}

fn ssh_recipient(key: KeyData, what: &str) -> Result<age::ssh::Recipient, Error> {
    let line = PublicKey::new(key, "")
        .to_openssh()
        .map_err(|e| Error::invalid_argument(format!("invalid {what} public key: {e}")))?;
    line.parse::<age::ssh::Recipient>().map_err(|e| {
        Error::invalid_argument(format!(
            "invalid baton/jwk/v1 encryption config: the {what} key is not an age recipient \
             ({e:?}; RSA keys must have 2048 to 4096 bits)"
        ))
    })
}

/// The age `ssh-rsa` recipient of an RSA public key (`n`, `e` big-endian).
pub(super) fn rsa_recipient(n: &[u8], e: &[u8]) -> Result<age::ssh::Recipient, Error> {
    let mpint = |b: &[u8]| {
        Mpint::from_positive_bytes(b).map_err(|_| {
            Error::invalid_argument("invalid baton/jwk/v1 encryption config: bad RSA key")
        })
    };
    ssh_recipient(
        KeyData::Rsa(RsaPublicKey {
            e: mpint(e)?,
            n: mpint(n)?,
        }),
        "RSA",
    )
}

/// Encrypts to an age ssh recipient (`ssh-ed25519`: X25519 from the Edwards key;
/// `ssh-rsa`: RSA-OAEP-SHA256 of the file key).
pub(super) fn encrypt_ssh(
    recipient: &age::ssh::Recipient,
    plaintext: &[u8],
) -> Result<Vec<u8>, Error> {
    encrypt_to(recipient, plaintext)
}

/// Decrypts an age file made for the `ssh-ed25519` recipient of the Ed25519 key whose 32-byte
/// seed is `seed` and public key `public` (baton-sdk's `DecryptED25519`). The `age` crate takes
/// ssh identities as OpenSSH private keys only, so the key is written as one (zeroized after).
pub(super) fn decrypt_ed25519(
    seed: &[u8; 32],
    public: [u8; 32],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let keypair = Ed25519Keypair {
        public: Ed25519PublicKey(public),
        private: Ed25519PrivateKey::from_bytes(seed),
    };
    let pem = PrivateKey::new(KeypairData::Ed25519(keypair), "")
        .and_then(|k| k.to_openssh(LineEnding::LF))
        .map_err(|e| Error::internal(format!("the client secret key could not be used: {e}")))?;
    let identity = age::ssh::Identity::from_buffer(pem.as_bytes(), None)
        .map_err(|e| Error::internal(format!("the client secret key could not be used: {e}")))?;
    age::decrypt(&identity, ciphertext)
        .map(Zeroizing::new)
        .map_err(|e| {
            Error::invalid_argument(format!(
                "the encrypted password could not be decrypted with the client secret: {e}"
            ))
        })
}
