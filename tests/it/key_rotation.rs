//! `rotate_credentials` of access keys against the emulator: the new secret comes back only
//! encrypted, for each of baton's providers exercised here (age X25519, JWK Ed25519, JWK RSA and
//! JWK EC P-256: decrypted in the test), authenticates at `POST /v1/auth/accesskey/exchange`
//! while the old one no longer does, and the key keeps its id and roles; a request without
//! encryption configs is refused with nothing rotated. The same through service mode. (P-384 and
//! P-521 JWEs are checked by the SDK's own crypto tests.)

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_runner::service::{self};
use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::crypto::{BatonCrypto, PROVIDER_AGE, PROVIDER_JWK};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::encryption_config::{AgeRecipientConfig, Config, JwkPublicKeyConfig};
use c1_connector_sdk::model::{
    EncryptedData, EncryptionConfig, ResourceId, RotateCredentialRequest, RotateCredentialResponse,
};
use c1_connector_sdk::ops::rotate_credentials;
use descope_c1::testing::{TestResult, client_for, connector_for};
use descope_emulator::{Dataset, Emulator};
use descope_mgmt::CreateAccessKeyRequest;
use secrecy::ExposeSecret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// The HTTP status of `POST /v1/auth/accesskey/exchange` with `<project>:<secret>`.
async fn exchange(emu: &Emulator, secret: &str) -> TestResult<u16> {
    let url = emu.base_url().trim_start_matches("http://").to_owned();
    let host = url.trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let body = "{}";
    let request = format!(
        "POST /v1/auth/accesskey/exchange HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}:{secret}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        emu.project_id(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .ok_or("an HTTP status line")?
        .parse()?;
    Ok(status)
}

fn fixture(name: &str) -> TestResult<String> {
    Ok(std::fs::read_to_string(format!(
        "{}/crates/connector-sdk/tests/fixtures/crypto/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))?)
}

/// The length-prefixed fields of an OpenSSH public key line, after the key type.
fn ssh_fields(line: &str) -> TestResult<Vec<Vec<u8>>> {
    let wire = STANDARD.decode(line.split_whitespace().nth(1).ok_or("a key")?)?;
    let mut fields = Vec::new();
    let mut rest = &wire[..];
    while rest.len() >= 4 {
        let len = u32::from_be_bytes(rest[..4].try_into()?) as usize;
        fields.push(rest[4..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    fields.remove(0);
    Ok(fields)
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

fn age_config(recipient: &str) -> EncryptionConfig {
    EncryptionConfig {
        provider: PROVIDER_AGE.into(),
        config: Some(Config::AgeRecipientConfig(AgeRecipientConfig {
            recipient: recipient.into(),
        })),
        ..Default::default()
    }
}

/// How a test decrypts what was encrypted to one recipient.
type Decrypt = Box<dyn Fn(&EncryptedData) -> TestResult<Vec<u8>>>;

/// RFC 7518 §4.6.2 Concat KDF for `A256GCM` with empty `apu`/`apv`: one SHA-256 round.
fn concat_kdf_a256gcm(z: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(1u32.to_be_bytes());
    h.update(z);
    h.update(7u32.to_be_bytes());
    h.update(b"A256GCM");
    h.update(0u32.to_be_bytes());
    h.update(0u32.to_be_bytes());
    h.update(256u32.to_be_bytes());
    h.finalize().into()
}

/// A JWK EC P-256 recipient (baton's `baton/jwk/v1` with an EC key: a JWE, `ECDH-ES` and
/// `A256GCM`, base64 of its compact serialization) and its decryption with the private key.
fn ec_p256_recipient() -> TestResult<(EncryptionConfig, Decrypt)> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let point = secret.public_key().to_encoded_point(false);
    let jwk = format!(
        r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(point.x().ok_or("x")?),
        URL_SAFE_NO_PAD.encode(point.y().ok_or("y")?)
    );
    let decrypt = move |d: &EncryptedData| -> TestResult<Vec<u8>> {
        let compact = String::from_utf8(STANDARD.decode(&d.encrypted_bytes)?)?;
        let parts: Vec<&str> = compact.split('.').collect();
        if parts.len() != 5 || !parts[1].is_empty() {
            return Err(format!("not a direct-agreement JWE: {} parts", parts.len()).into());
        }
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0])?)?;
        if header["alg"] != "ECDH-ES"
            || header["enc"] != "A256GCM"
            || header["epk"]["crv"] != "P-256"
        {
            return Err(format!("unexpected JWE header {header}").into());
        }
        let coordinate = |k: &str| -> TestResult<Vec<u8>> {
            Ok(URL_SAFE_NO_PAD.decode(header["epk"][k].as_str().ok_or("a coordinate")?)?)
        };
        let (x, y) = (coordinate("x")?, coordinate("y")?);
        let epk = p256::EncodedPoint::from_affine_coordinates(
            x.as_slice().into(),
            y.as_slice().into(),
            false,
        );
        let epk = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&epk))
            .ok_or("the ephemeral key is not on P-256")?;
        let z = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), epk.as_affine());
        let key = concat_kdf_a256gcm(z.raw_secret_bytes());
        let iv = URL_SAFE_NO_PAD.decode(parts[2])?;
        let mut sealed = URL_SAFE_NO_PAD.decode(parts[3])?;
        sealed.extend(URL_SAFE_NO_PAD.decode(parts[4])?);
        aes_gcm::Aes256Gcm::new_from_slice(&key)?
            .decrypt(
                iv.as_slice().into(),
                Payload {
                    msg: &sealed,
                    aad: parts[0].as_bytes(),
                },
            )
            .map_err(|_| "the JWE does not decrypt".into())
    };
    Ok((jwk_config(&jwk), Box::new(decrypt)))
}

/// A recipient and how to decrypt what was encrypted to it.
type Recipient = (&'static str, EncryptionConfig, Decrypt);

fn recipients() -> TestResult<Vec<Recipient>> {
    let age_id = age::x25519::Identity::generate();
    let age_recipient = age_id.to_public().to_string();
    let ed = ssh_fields(&fixture("test_only_ed25519.pub")?)?;
    let ed_jwk = format!(
        r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(&ed[0])
    );
    let ed_private = fixture("test_only_ed25519")?;
    let rsa = ssh_fields(&fixture("test_only_rsa2048.pub")?)?;
    let rsa_jwk = format!(
        r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(&rsa[1]),
        URL_SAFE_NO_PAD.encode(&rsa[0])
    );
    let rsa_private = fixture("test_only_rsa2048")?;
    let ssh = |private: String| {
        Box::new(move |d: &EncryptedData| -> TestResult<Vec<u8>> {
            let identity = age::ssh::Identity::from_buffer(private.as_bytes(), None)?;
            Ok(age::decrypt(
                &identity,
                &STANDARD.decode(&d.encrypted_bytes)?,
            )?)
        }) as Box<dyn Fn(&EncryptedData) -> TestResult<Vec<u8>>>
    };
    Ok(vec![
        (
            "age X25519",
            age_config(&age_recipient),
            Box::new(move |d: &EncryptedData| Ok(age::decrypt(&age_id, &d.encrypted_bytes)?)),
        ),
        ("JWK Ed25519", jwk_config(&ed_jwk), ssh(ed_private)),
        ("JWK RSA", jwk_config(&rsa_jwk), ssh(rsa_private)),
        {
            let (config, decrypt) = ec_p256_recipient()?;
            ("JWK EC P-256", config, decrypt)
        },
    ])
}

fn request(key_id: &str, configs: Vec<EncryptionConfig>) -> RotateCredentialRequest {
    RotateCredentialRequest {
        resource_id: Some(ResourceId::new("access_key", key_id)),
        credential_options: None,
        encryption_configs: configs,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_keeps_its_id_and_its_new_secret_arrives_only_encrypted() -> TestResult {
    let mut data = Dataset::demo();
    data.access_keys.clear();
    let emu = Emulator::builder().dataset(data).start().await?;
    let client = client_for(&emu)?;
    let connector = connector_for(&emu)?;
    let c: &dyn Connector = connector.as_ref();
    let role = emu.dataset().roles[0].name.clone();
    let created = client
        .access_keys()
        .create(&CreateAccessKeyRequest::new("ci").role_names([role.clone()]))
        .await?;
    let id = created.key.id.clone();
    let mut secret = created.cleartext.expose_secret().to_owned();
    assert_eq!(exchange(&emu, &secret).await?, 200);

    // Without a recipient: refused, and the secret still works (nothing was rotated).
    let err = rotate_credentials(c, &request(&id, Vec::new()), Some(&BatonCrypto::new()))
        .await
        .expect_err("no recipient");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    let err = rotate_credentials(c, &request(&id, vec![recipients()?.remove(0).1]), None)
        .await
        .expect_err("no crypto");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert_eq!(exchange(&emu, &secret).await?, 200);

    for (name, config, decrypt) in recipients()? {
        let response: RotateCredentialResponse =
            rotate_credentials(c, &request(&id, vec![config]), Some(&BatonCrypto::new())).await?;
        assert_eq!(response.encrypted_data.len(), 1, "{name}");
        let sealed = &response.encrypted_data[0];
        let new = String::from_utf8(decrypt(sealed)?)?;
        assert!(
            !sealed
                .encrypted_bytes
                .windows(new.len())
                .any(|w| w == new.as_bytes()),
            "{name}: the secret is not in the clear"
        );
        assert_ne!(new, secret, "{name}: a new secret");
        assert_eq!(
            exchange(&emu, &new).await?,
            200,
            "{name}: the new secret works"
        );
        assert_eq!(
            exchange(&emu, &secret).await?,
            401,
            "{name}: the old one does not"
        );
        secret = new;
    }
    let key = client.access_keys().load(&id).await?;
    assert_eq!(key.id, id);
    assert_eq!(key.role_names, [role]);
    assert_eq!(
        emu.dataset().access_keys.len(),
        1,
        "rotated, not re-created"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_mode_rotates_keys_for_the_task_recipients_only() -> TestResult {
    let mut data = Dataset::demo();
    data.access_keys.clear();
    let emu = Emulator::builder().dataset(data).start().await?;
    let client = client_for(&emu)?;
    let created = client
        .access_keys()
        .create(&CreateAccessKeyRequest::new("svc"))
        .await?;
    let id = created.key.id.clone();
    let old = created.cleartext.expose_secret().to_owned();
    let c1 = FakeConductorOne::start().await?;
    let dir = tempfile::tempdir()?;
    let config = c1
        .service_config()
        .with_provisioning(true)
        .with_temp_dir(dir.path());
    let shutdown = CancellationToken::new();
    let svc = tokio::spawn(service::run(connector_for(&emu)?, config, shutdown.clone()));

    let (_, recipient, decrypt) = recipients()?.remove(0);
    let resource = Some(ResourceId::new("access_key", &id));
    let runs = [
        (tasks::task_id(1), Vec::new()),
        (tasks::task_id(2), vec![recipient]),
    ];
    let mut finishes = Vec::new();
    for (task, configs) in runs {
        c1.push_task(tasks::rotate_credentials(&task, resource.clone(), configs));
        let records = c1
            .wait_until(Duration::from_secs(30), |r| {
                !r.finished_for(&task).is_empty()
            })
            .await?;
        finishes.push(records.finished_for(&task)[0].clone());
    }
    // Without recipients: failed, nothing rotated.
    assert!(!matches!(
        finishes[0].final_state,
        Some(FinalState::Success(_))
    ));
    let status = finishes[0].status.clone().unwrap_or_default();
    assert_eq!(status.code, 9, "FAILED_PRECONDITION: {status:?}");
    // With one: the response carries the secret, encrypted.
    let Some(FinalState::Success(success)) = &finishes[1].final_state else {
        return Err(format!("rotation failed: {:?}", finishes[1].status).into());
    };
    let any = success.response.as_ref().ok_or("a response")?;
    assert!(
        any.type_url
            .ends_with("c1.connector.v2.RotateCredentialResponse")
    );
    let response: RotateCredentialResponse = prost::Message::decode(any.value.as_slice())?;
    let new = String::from_utf8(decrypt(&response.encrypted_data[0])?)?;
    assert_eq!(exchange(&emu, &new).await?, 200);
    assert_eq!(exchange(&emu, &old).await?, 401);
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), svc).await???;
    Ok(())
}

/// `issue_credential` for a user mints an access key bound to it: the secret arrives only
/// encrypted (JWK EC P-256 here, a JWE) and authenticates; a task without encryption configs is refused with no
/// key created; so is an issuance through the SDK of another kind than an API key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_a_key_for_a_user_returns_it_only_encrypted() -> TestResult {
    let mut data = Dataset::demo();
    data.access_keys.clear();
    let user = data
        .users
        .iter()
        .find(|u| !u.test)
        .ok_or("a user")?
        .user_id
        .clone();
    let emu = Emulator::builder().dataset(data).start().await?;
    let connector = connector_for(&emu)?;

    // Through the SDK: a token is not an API key, refused before anything is minted.
    let (config, decrypt) = ec_p256_recipient()?;
    let recipient = config;
    let token = c1_connector_sdk::model::IssueCredentialRequest {
        identity_id: Some(ResourceId::new("user", &user)),
        credential_options: Some(c1_connector_sdk::model::CredentialIssueOptions {
            options: Some(
                c1_connector_sdk::model::credential_issue_options::Options::Token(
                    Default::default(),
                ),
            ),
        }),
        encryption_configs: vec![recipient.clone()],
        request_id: "r1".into(),
        expires_at: None,
    };
    let c: &dyn Connector = connector.as_ref();
    let err = c1_connector_sdk::ops::issue_credential(c, &token, Some(&BatonCrypto::new()))
        .await
        .expect_err("only API keys");
    assert_eq!(err.code(), Code::InvalidArgument, "{err}");
    assert!(emu.dataset().access_keys.is_empty());

    let c1 = FakeConductorOne::start().await?;
    let dir = tempfile::tempdir()?;
    let config = c1
        .service_config()
        .with_provisioning(true)
        .with_temp_dir(dir.path());
    let shutdown = CancellationToken::new();
    let svc = tokio::spawn(service::run(connector, config, shutdown.clone()));
    let identity = Some(ResourceId::new("user", &user));
    let mut finishes = Vec::new();
    for (task, configs) in [
        (tasks::task_id(1), Vec::new()),
        (tasks::task_id(2), vec![recipient]),
    ] {
        c1.push_task(tasks::issue_api_key(&task, identity.clone(), configs));
        let records = c1
            .wait_until(Duration::from_secs(30), |r| {
                !r.finished_for(&task).is_empty()
            })
            .await?;
        finishes.push(records.finished_for(&task)[0].clone());
    }
    assert!(!matches!(
        finishes[0].final_state,
        Some(FinalState::Success(_))
    ));
    let Some(FinalState::Success(success)) = &finishes[1].final_state else {
        return Err(format!("issuance failed: {:?}", finishes[1].status).into());
    };
    let any = success.response.as_ref().ok_or("a response")?;
    let response: c1_connector_sdk::model::IssueCredentialResponse =
        prost::Message::decode(any.value.as_slice())?;
    assert_eq!(response.request_id, tasks::task_id(2));
    let keys = emu.dataset().access_keys;
    assert_eq!(keys.len(), 1, "one key, from the task with a recipient");
    assert_eq!(keys[0].bound_user_id, user);
    let secret_id = response
        .secret
        .and_then(|r| r.id)
        .ok_or("the key resource")?;
    assert_eq!(
        (
            secret_id.resource_type.as_str(),
            secret_id.resource.as_str()
        ),
        ("access_key", keys[0].id.as_str())
    );
    let secret = String::from_utf8(decrypt(&response.encrypted_data[0])?)?;
    assert_eq!(exchange(&emu, &secret).await?, 200);
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), svc).await???;
    Ok(())
}
