//! `crypto::BatonCrypto`: every baton-sdk provider encrypts, and the ciphertext decrypts back
//! with the recipient's private key through code other than the one that encrypted: `age`
//! identities read from OpenSSH private keys made by `ssh-keygen` for the ssh recipients, and
//! for the JWEs a decryption written here from RFC 7516/7518 (its own Concat KDF over SHA-256;
//! the crate's KDF is checked against RFC 7518's appendix C example in its unit tests). The
//! cleartext never shows in `Debug`, `Display` or an error.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use c1_connector_sdk::connector::CredentialCrypto;
use c1_connector_sdk::crypto::{BatonCrypto, PROVIDER_AGE, PROVIDER_JWK};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    EncryptedData, EncryptionConfig, PlaintextData, encryption_config::AgeRecipientConfig,
    encryption_config::Config, encryption_config::JwkPublicKeyConfig,
};
use sha2::{Digest, Sha256};

/// A secret distinctive enough to search for.
const SECRET: &[u8] = b"K2-ROTATED-cleartext-0123456789";

fn plaintext() -> PlaintextData {
    let mut p = PlaintextData::new("access key", SECRET.to_vec());
    p.description = "the new secret of key K2abc".into();
    p.schema = "text".into();
    p
}

fn age_config(recipient: &str) -> EncryptionConfig {
    EncryptionConfig {
        provider: PROVIDER_AGE.into(),
        config: Some(Config::AgeRecipientConfig(AgeRecipientConfig {
            recipient: recipient.into(),
        })),
        ..Default::default()
    }
}

fn jwk_config(jwk: &str) -> EncryptionConfig {
    EncryptionConfig {
        provider: PROVIDER_JWK.into(),
        config: Some(Config::JwkPublicKeyConfig(JwkPublicKeyConfig {
            pub_key: jwk.as_bytes().to_vec(),
        })),
        ..Default::default()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Checks what every `EncryptedData` must hold, and that it does not hold the secret.
fn check_common(d: &EncryptedData) {
    assert_eq!(d.name, "access key");
    assert_eq!(d.description, "the new secret of key K2abc");
    assert_eq!(d.schema, "text");
    assert!(!d.encrypted_bytes.windows(SECRET.len()).any(|w| w == SECRET));
    let shown = format!("{d:?}");
    assert!(!shown.contains("K2-ROTATED"), "{shown}");
}

#[test]
fn age_recipients_decrypt_with_their_identity() {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let out = BatonCrypto::new()
        .encrypt(&plaintext(), &[age_config(&recipient)])
        .unwrap();
    assert_eq!(out.len(), 1);
    let d = &out[0];
    check_common(d);
    assert_eq!(d.provider, "baton/age/v1");
    assert_eq!(d.key_id, "", "baton's age provider sets key_ids only");
    assert_eq!(d.key_ids, [hex(&Sha256::digest(recipient.as_bytes()))]);
    // A binary age file, not base64.
    assert!(d.encrypted_bytes.starts_with(b"age-encryption.org/v1\n"));
    assert_eq!(age::decrypt(&identity, &d.encrypted_bytes).unwrap(), SECRET);
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/crypto/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// The fields of an OpenSSH public key line, parsed here independently of the crate: each
/// length-prefixed field of the base64 wire format after the key type.
fn ssh_fields(line: &str) -> Vec<Vec<u8>> {
    let wire = STANDARD
        .decode(line.split_whitespace().nth(1).unwrap())
        .unwrap();
    let mut fields = Vec::new();
    let mut rest = &wire[..];
    while rest.len() >= 4 {
        let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
        fields.push(rest[4..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    fields.remove(0); // the key type
    fields
}

fn ssh_identity(private: &str) -> age::ssh::Identity {
    age::ssh::Identity::from_buffer(private.as_bytes(), None).unwrap()
}

#[test]
fn ed25519_jwks_become_ssh_ed25519_age_files() {
    let fields = ssh_fields(&fixture("test_only_ed25519.pub"));
    let x = URL_SAFE_NO_PAD.encode(&fields[0]);
    let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","kid":"ignored"}}"#);
    let out = BatonCrypto::new()
        .encrypt(&plaintext(), &[jwk_config(&jwk)])
        .unwrap();
    let d = &out[0];
    check_common(d);
    assert_eq!(d.provider, "baton/jwk/v1");
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    let kid = hex(&Sha256::digest(canonical.as_bytes()));
    assert_eq!(
        (d.key_id.as_str(), d.key_ids.as_slice()),
        (kid.as_str(), &[kid.clone()][..])
    );
    let file = STANDARD.decode(&d.encrypted_bytes).unwrap();
    let identity = ssh_identity(&fixture("test_only_ed25519"));
    assert_eq!(age::decrypt(&identity, &file).unwrap(), SECRET);
}

#[test]
fn rsa_jwks_become_ssh_rsa_age_files() {
    let fields = ssh_fields(&fixture("test_only_rsa2048.pub"));
    // ssh-rsa: e, then n (mpints; a leading zero byte is harmless in a JWK parser).
    let (e, n) = (&fields[0], &fields[1]);
    let jwk = format!(
        r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(n),
        URL_SAFE_NO_PAD.encode(e)
    );
    let out = BatonCrypto::new()
        .encrypt(&plaintext(), &[jwk_config(&jwk)])
        .unwrap();
    check_common(&out[0]);
    let file = STANDARD.decode(&out[0].encrypted_bytes).unwrap();
    let identity = ssh_identity(&fixture("test_only_rsa2048"));
    assert_eq!(age::decrypt(&identity, &file).unwrap(), SECRET);
}

/// RFC 7518 §4.6.2 Concat KDF, one SHA-256 round (enough for 256 bits), written here apart from
/// the crate's.
fn concat_kdf_a256gcm(z: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(1u32.to_be_bytes());
    h.update(z);
    h.update(7u32.to_be_bytes());
    h.update(b"A256GCM");
    h.update(0u32.to_be_bytes()); // apu
    h.update(0u32.to_be_bytes()); // apv
    h.update(256u32.to_be_bytes());
    h.finalize().into()
}

/// Decrypts a JWE compact serialization (ECDH-ES, A256GCM) with `agree`, which takes the
/// header's `epk` as a JWK and returns the shared secret.
fn decrypt_jwe(compact: &str, agree: impl Fn(&serde_json::Value) -> Vec<u8>) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let parts: Vec<&str> = compact.split('.').collect();
    assert_eq!(parts.len(), 5);
    assert_eq!(parts[1], "", "direct key agreement: no encrypted key");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ECDH-ES");
    assert_eq!(header["enc"], "A256GCM");
    let key = concat_kdf_a256gcm(&agree(&header["epk"]));
    let iv = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let mut sealed = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
    sealed.extend(URL_SAFE_NO_PAD.decode(parts[4]).unwrap());
    aes_gcm::Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .decrypt(
            iv.as_slice().into(),
            Payload {
                msg: &sealed,
                aad: parts[0].as_bytes(),
            },
        )
        .unwrap()
}

/// `ec_jwk_round_trip!(curve crate, "crv")`: a key pair, its public JWK, a JWE from
/// `BatonCrypto`, and the plaintext back through `decrypt_jwe`.
macro_rules! ec_jwk_round_trip {
    ($curve:ident, $crv:literal) => {{
        use $curve::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
        let secret = $curve::SecretKey::random(&mut $curve::elliptic_curve::rand_core::OsRng);
        let point = secret.public_key().to_encoded_point(false);
        let jwk = format!(
            r#"{{"kty":"EC","crv":"{}","x":"{}","y":"{}"}}"#,
            $crv,
            URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            URL_SAFE_NO_PAD.encode(point.y().unwrap())
        );
        let out = BatonCrypto::new()
            .encrypt(&plaintext(), &[jwk_config(&jwk)])
            .unwrap();
        let d = &out[0];
        check_common(d);
        assert_eq!(d.provider, "baton/jwk/v1");
        // baton base64-encodes the compact serialization.
        let compact = String::from_utf8(STANDARD.decode(&d.encrypted_bytes).unwrap()).unwrap();
        let plain = decrypt_jwe(&compact, |epk| {
            assert_eq!(epk["kty"], "EC");
            assert_eq!(epk["crv"], $crv);
            let coordinate = |k: &str| URL_SAFE_NO_PAD.decode(epk[k].as_str().unwrap()).unwrap();
            let (x, y) = (coordinate("x"), coordinate("y"));
            let epk = $curve::EncodedPoint::from_affine_coordinates(
                x.as_slice().into(),
                y.as_slice().into(),
                false,
            );
            let epk = $curve::PublicKey::from_encoded_point(&epk).unwrap();
            $curve::ecdh::diffie_hellman(secret.to_nonzero_scalar(), epk.as_affine())
                .raw_secret_bytes()
                .to_vec()
        });
        assert_eq!(plain, SECRET, "{}", $crv);
    }};
}

#[test]
fn ec_jwks_become_ecdh_es_a256gcm_jwes() {
    ec_jwk_round_trip!(p256, "P-256");
    ec_jwk_round_trip!(p384, "P-384");
    ec_jwk_round_trip!(p521, "P-521");
}

#[test]
fn one_encrypted_data_per_recipient_in_order_and_providers_are_normalized() {
    let a = age::x25519::Identity::generate();
    let b = age::x25519::Identity::generate();
    let mut second = age_config(&b.to_public().to_string());
    second.provider = "  BATON/AGE/V1 ".into();
    let mut third = age_config(&a.to_public().to_string());
    third.provider = String::new(); // inferred from the age config
    let out = BatonCrypto::new()
        .encrypt(
            &plaintext(),
            &[age_config(&a.to_public().to_string()), second, third],
        )
        .unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(age::decrypt(&a, &out[0].encrypted_bytes).unwrap(), SECRET);
    assert_eq!(age::decrypt(&b, &out[1].encrypted_bytes).unwrap(), SECRET);
    assert_eq!(age::decrypt(&a, &out[2].encrypted_bytes).unwrap(), SECRET);
    assert!(age::decrypt(&b, &out[0].encrypted_bytes).is_err());
}

#[test]
fn recipients_that_cannot_receive_are_refused_before_anything_is_encrypted() {
    let crypto = BatonCrypto::new();
    let good = age_config(&age::x25519::Identity::generate().to_public().to_string());
    let e = crypto.encrypt(&plaintext(), &[]).unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("no encryption config"), "{e}");
    assert_eq!(
        crypto.validate(&[]).unwrap_err().code(),
        Code::FailedPrecondition
    );

    let small_rsa = r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#;
    let cases: Vec<(EncryptionConfig, &str)> = vec![
        (
            EncryptionConfig {
                provider: "baton/kms/v1".into(),
                ..good.clone()
            },
            "not supported",
        ),
        (
            EncryptionConfig {
                provider: PROVIDER_JWK.into(),
                ..good.clone()
            },
            "needs its own key configuration",
        ),
        (EncryptionConfig::default(), "names no provider"),
        (age_config(" age1abc"), "single canonical"),
        (
            age_config("age1notarecipient"),
            "not an X25519 age recipient",
        ),
        (
            jwk_config(r#"{"kty":"oct","k":"AA"}"#),
            "unsupported key type",
        ),
        (jwk_config(small_rsa), "2048 to 4096 bits"),
        (
            jwk_config(r#"{"kty":"EC","crv":"P-256","x":"AQ","y":"Ag"}"#),
            "not a point on P-256",
        ),
    ];
    for (bad, says) in cases {
        // The bad one second: nothing is encrypted for the good one either.
        let e = crypto
            .encrypt(&plaintext(), &[good.clone(), bad.clone()])
            .unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{e}");
        assert!(e.message().contains("encryption config 1"), "{e}");
        assert!(e.message().contains(says), "{says}: {e}");
        assert!(!e.to_string().contains("K2-ROTATED"));
        assert_eq!(
            crypto.validate(&[bad]).unwrap_err().code(),
            Code::InvalidArgument
        );
    }
}

#[test]
fn chosen_passwords_decrypt_with_the_client_secret_only() {
    let seed = [42u8; 32];
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    let x = URL_SAFE_NO_PAD.encode(public);
    let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#);
    let mut password = PlaintextData::new("password", b"correct horse".to_vec());
    password.description = String::new();
    let sealed = BatonCrypto::new()
        .encrypt(&password, &[jwk_config(&jwk)])
        .unwrap();
    let kid = sealed[0].key_ids[0].clone();

    let crypto = BatonCrypto::with_client_secret(seed, kid.clone());
    let p = crypto.decrypt_password(&sealed).unwrap();
    assert_eq!(p.expose_secret(), "correct horse");
    assert!(!format!("{p:?}").contains("horse"));
    let shown = format!("{crypto:?}");
    assert!(
        shown.contains(&kid) && !shown.contains(&hex(&seed)),
        "{shown}"
    );

    // Another key id: nothing matches.
    let other = BatonCrypto::with_client_secret(seed, "another-kid");
    assert_eq!(
        other.decrypt_password(&sealed).unwrap_err().code(),
        Code::InvalidArgument
    );
    // The right key id with the wrong key: refused, no plaintext in the error.
    let wrong = BatonCrypto::with_client_secret([7; 32], kid);
    let e = wrong.decrypt_password(&sealed).unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(!e.to_string().contains("horse"));
    // No client secret at all.
    assert_eq!(
        BatonCrypto::new()
            .decrypt_password(&sealed)
            .unwrap_err()
            .code(),
        Code::Unimplemented
    );
}

#[tokio::test]
async fn account_creation_delivers_the_random_password_encrypted_or_creates_nothing() {
    use c1_connector_sdk::model::{AccountInfo, CreateAccountRequest, CredentialOptions};
    use c1_connector_sdk::ops::create_account;

    let fake = super::org().accounts("user").build();
    let before = fake.current_resources().len();
    let identity = age::x25519::Identity::generate();
    let mut request = CreateAccountRequest {
        account_info: Some(AccountInfo::new("bob").with_email("bob@example.com", true)),
        credential_options: Some(CredentialOptions::random_password(16)),
        encryption_configs: vec![
            age_config(&identity.to_public().to_string()),
            jwk_config(r#"{"kty":"oct","k":"AA"}"#),
        ],
        resource_type_id: "user".into(),
    };
    // One recipient cannot receive it: refused before the account exists.
    let e = create_account(&fake, &request, Some(&BatonCrypto::new()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(fake.current_resources().len(), before);

    request.encryption_configs.truncate(1);
    let resp = create_account(&fake, &request, Some(&BatonCrypto::new()))
        .await
        .unwrap();
    assert_eq!(fake.current_resources().len(), before + 1);
    let sealed = &resp.encrypted_data;
    assert_eq!(sealed.len(), 1);
    assert_eq!(sealed[0].provider, "baton/age/v1");
    let password = age::decrypt(&identity, &sealed[0].encrypted_bytes).unwrap();
    assert_eq!(password.len(), 16);
    assert!(password.iter().all(u8::is_ascii_graphic));
}
