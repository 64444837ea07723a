//! ConductorOne client credentials: the client id, the client secret (an Ed25519 private JWK)
//! and the signed client assertion the token endpoint accepts.
//!
//! The key material lives in an [`ed25519_dalek::SigningKey`], which zeroizes itself on drop;
//! every intermediate copy (the decoded JWK JSON, the seed) is held in [`Zeroizing`] buffers.
//! Nothing here logs, and no error carries any part of the secret.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer as _, SigningKey};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::ServiceError;

/// How long a client assertion is valid each side of now (baton: `exp = now + 2 min`,
/// `nbf = now - 2 min`).
const ASSERTION_WINDOW_SECS: u64 = 120;

/// A parsed client id, `<client name>@<token host[:port]>/<suffix>`.
///
/// The whole string is the JWT `iss` and `sub` and the token request's `client_id`; the host
/// (with its port) is where the token endpoint and the gRPC service live; the host without its
/// port is the JWT audience.
///
/// ```
/// use c1_connector_runner::service::ClientId;
/// let id = ClientId::parse("my-connector@tenant.conductor.one:8443/pcc").unwrap();
/// assert_eq!(id.client_name(), "my-connector");
/// assert_eq!(id.host(), "tenant.conductor.one:8443");
/// assert_eq!(id.audience(), "tenant.conductor.one");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientId {
    raw: String,
    name_len: usize,
    host: String,
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client id is not a secret (it is in every JWT), so it is shown.
        f.debug_tuple("ClientId").field(&self.raw).finish()
    }
}

impl ClientId {
    /// Parses a client id the way baton-sdk does: split at the first `@`, then the rest at the
    /// first `/`; both must be present (the suffix after `/` is otherwise ignored).
    ///
    /// # Errors
    ///
    /// [`ServiceError::InvalidClientId`] without an `@` or a `/` after it.
    pub fn parse(raw: &str) -> Result<Self, ServiceError> {
        let (name, rest) = raw.split_once('@').ok_or(ServiceError::InvalidClientId)?;
        let (host, _suffix) = rest.split_once('/').ok_or(ServiceError::InvalidClientId)?;
        Ok(Self {
            raw: raw.to_owned(),
            name_len: name.len(),
            host: host.to_owned(),
        })
    }

    /// The whole client id.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The part before the `@`, used in the user agent.
    pub fn client_name(&self) -> &str {
        &self.raw[..self.name_len]
    }

    /// The token host, with its port if it has one.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The JWT audience: the host without its port (Go's `net.SplitHostPort`; a host it cannot
    /// split is used whole).
    pub fn audience(&self) -> &str {
        split_host_port(&self.host).map_or(self.host.as_str(), |(h, _)| h)
    }
}

/// Go's `net.SplitHostPort` for the forms a client id can hold: `host:port` and
/// `[v6addr]:port`. `None` when there is no port.
pub(crate) fn split_host_port(hostport: &str) -> Option<(&str, &str)> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return Some((host, port));
    }
    let (host, port) = hostport.rsplit_once(':')?;
    if host.contains(':') {
        // An IPv6 address without brackets: Go reports "too many colons".
        return None;
    }
    Some((host, port))
}

/// The JWK inside a client secret. `d` (the private seed) is zeroized when dropped.
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
    d: Option<Zeroizing<String>>,
    kid: Option<String>,
}

/// The signing half of the credentials: an Ed25519 key from the client secret.
///
/// `Debug` shows only the public key id; the key itself zeroizes on drop.
pub(crate) struct ClientKey {
    key: SigningKey,
    kid: Option<String>,
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("key", &"[redacted]")
            .field("kid", &self.kid)
            .finish()
    }
}

fn bad(reason: &'static str) -> ServiceError {
    ServiceError::InvalidClientSecret { reason }
}

impl ClientKey {
    /// Parses `<a>:<b>:v1:<base64url-nopad JWK>` (baton's `crypto.ParseClientSecret`): exactly
    /// four `:`-separated parts with `v1` third (the first two are not checked), the JWK an
    /// Ed25519 private key (`kty` `OKP`, `crv` `Ed25519`, 32-byte `d`). When `x` is present it
    /// must be the public key of `d`.
    pub(crate) fn parse(secret: &SecretString) -> Result<Self, ServiceError> {
        let mut parts = secret.expose_secret().splitn(4, ':');
        let (Some(_), Some(_), Some(version), Some(jwk_b64)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("it must have four parts separated by ':'"));
        };
        if version != "v1" {
            return Err(bad("its third part must be v1"));
        }
        let json = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(jwk_b64)
                .map_err(|_| bad("its key is not base64url without padding"))?,
        );
        let jwk: Jwk =
            serde_json::from_slice(&json).map_err(|_| bad("its key is not a JSON Web Key"))?;
        if jwk.kty != "OKP" || jwk.crv.as_deref() != Some("Ed25519") {
            return Err(bad("its key is not an Ed25519 key"));
        }
        let d = jwk.d.as_ref().ok_or(bad("its key is a public key"))?;
        let seed = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(d.as_bytes())
                .map_err(|_| bad("its key's private part is not base64url"))?,
        );
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            seed.as_slice()
                .try_into()
                .map_err(|_| bad("its key's private part is not 32 bytes"))?,
        );
        let key = SigningKey::from_bytes(&seed);
        if let Some(x) = &jwk.x {
            let public = URL_SAFE_NO_PAD
                .decode(x)
                .map_err(|_| bad("its key's public part is not base64url"))?;
            if public.as_slice() != key.verifying_key().as_bytes() {
                return Err(bad("its key's public part does not match the private part"));
            }
        }
        Ok(Self { key, kid: jwk.kid })
    }

    /// The raw public key (for tests and diagnostics; not secret).
    #[cfg(test)]
    pub(crate) fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs a client assertion for `client_id`, valid from 2 minutes before `now` to 2 minutes
    /// after (baton's window), with a fresh 16-byte nonce in the protected header.
    pub(crate) fn assertion(&self, client_id: &ClientId, now: SystemTime) -> SecretString {
        let nonce: [u8; 16] = rand::random();
        let header = Header {
            alg: "EdDSA",
            kid: self.kid.as_deref(),
            nonce: &hex(&nonce),
        };
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let claims = Claims {
            iss: client_id.as_str(),
            sub: client_id.as_str(),
            aud: client_id.audience(),
            exp: now + ASSERTION_WINDOW_SECS,
            nbf: now.saturating_sub(ASSERTION_WINDOW_SECS),
            iat: now,
        };
        // Serialising these plain structs cannot fail.
        let header = serde_json::to_vec(&header).unwrap_or_default();
        let claims = serde_json::to_vec(&claims).unwrap_or_default();
        let mut jws = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = self.key.sign(jws.as_bytes());
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        SecretString::from(jws)
    }
}

/// The protected header, in go-jose's order (its header is a map, so keys are sorted).
#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    nonce: &'a str,
}

/// The claims, in go-jose's `jwt.Claims` field order; `aud` is a single string.
#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    nbf: u64,
    iat: u64,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Builds a client secret in ConductorOne's format from a 32-byte Ed25519 seed: what
/// ConductorOne hands out, for tests and for [`FakeConductorOne`](super::testing::FakeConductorOne).
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn client_secret_from_seed(seed: &[u8; 32]) -> SecretString {
    let key = SigningKey::from_bytes(seed);
    let jwk = Zeroizing::new(format!(
        r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        URL_SAFE_NO_PAD.encode(seed)
    ));
    SecretString::from(format!(
        "secret-token:conductorone.com:v1:{}",
        URL_SAFE_NO_PAD.encode(jwk.as_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};

    const SEED: [u8; 32] = [7; 32];

    fn secret_with(jwk: &str) -> SecretString {
        SecretString::from(format!("a:b:v1:{}", URL_SAFE_NO_PAD.encode(jwk)))
    }

    fn good_jwk() -> String {
        let key = SigningKey::from_bytes(&SEED);
        format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
            URL_SAFE_NO_PAD.encode(SEED)
        )
    }

    #[test]
    fn client_ids() {
        let id = ClientId::parse("a@b.example/x/y").unwrap();
        assert_eq!(
            (id.client_name(), id.host(), id.audience()),
            ("a", "b.example", "b.example")
        );
        let id = ClientId::parse("a@b@c:9/x").unwrap();
        assert_eq!(
            (id.client_name(), id.host(), id.audience()),
            ("a", "b@c:9", "b@c")
        );
        let id = ClientId::parse("a@[::1]:8443/x").unwrap();
        assert_eq!(id.audience(), "::1");
        let id = ClientId::parse("a@host/").unwrap();
        assert_eq!(id.host(), "host");
        for bad in ["", "a", "a@host", "a/host@x"] {
            assert!(
                matches!(ClientId::parse(bad), Err(ServiceError::InvalidClientId)),
                "{bad}"
            );
        }
    }

    #[test]
    fn secrets_parse_like_baton() {
        assert!(ClientKey::parse(&secret_with(&good_jwk())).is_ok());
        // The fourth part may itself hold ':' only if it were valid base64url (it is not).
        let cases: Vec<(SecretString, &str)> = vec![
            (SecretString::from("a:b:v1"), "four parts"),
            (
                SecretString::from(format!("a:b:v2:{}", URL_SAFE_NO_PAD.encode(good_jwk()))),
                "v1",
            ),
            (SecretString::from("a:b:v1:!!!"), "base64url"),
            (secret_with("{"), "JSON Web Key"),
            (
                secret_with(r#"{"kty":"EC","crv":"P-256","d":"AA"}"#),
                "Ed25519",
            ),
            (
                secret_with(r#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#),
                "public key",
            ),
            (
                secret_with(r#"{"kty":"OKP","crv":"Ed25519","d":"AAAA"}"#),
                "32 bytes",
            ),
        ];
        for (secret, want) in cases {
            let err = ClientKey::parse(&secret).unwrap_err();
            let msg = err.to_string();
            assert!(msg.starts_with("invalid client secret"), "{msg}");
            assert!(msg.contains(want), "{msg} should mention {want}");
        }
        let mismatched = format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}"#,
            URL_SAFE_NO_PAD.encode([1u8; 32]),
            URL_SAFE_NO_PAD.encode(SEED)
        );
        assert!(ClientKey::parse(&secret_with(&mismatched)).is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = ClientKey::parse(&secret_with(&good_jwk())).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&URL_SAFE_NO_PAD.encode(SEED)));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn assertion_has_batons_header_claims_and_a_valid_signature() {
        let key = ClientKey::parse(&secret_with(&good_jwk())).unwrap();
        let id = ClientId::parse("conn@tenant.example:8443/pcc").unwrap();
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let jwt = key.assertion(&id, now);
        let parts: Vec<&str> = jwt.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let nonce = header
            .strip_prefix(r#"{"alg":"EdDSA","nonce":""#)
            .and_then(|s| s.strip_suffix(r#""}"#))
            .unwrap_or_else(|| panic!("unexpected header {header}"));
        assert_eq!(nonce.len(), 32);
        assert!(
            nonce
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            claims,
            r#"{"iss":"conn@tenant.example:8443/pcc","sub":"conn@tenant.example:8443/pcc","aud":"tenant.example","exp":1700000120,"nbf":1699999880,"iat":1700000000}"#
        );
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let public = VerifyingKey::from_bytes(&key.public_key()).unwrap();
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .unwrap();
        // A fresh nonce each time.
        assert_ne!(jwt.expose_secret(), key.assertion(&id, now).expose_secret());
    }

    #[test]
    fn a_kid_in_the_jwk_goes_into_the_header_in_sorted_order() {
        let jwk = good_jwk().replacen('{', r#"{"kid":"k1","#, 1);
        let key = ClientKey::parse(&secret_with(&jwk)).unwrap();
        let id = ClientId::parse("c@h/x").unwrap();
        let jwt = key.assertion(&id, SystemTime::now());
        let header = URL_SAFE_NO_PAD
            .decode(jwt.expose_secret().split('.').next().unwrap())
            .unwrap();
        assert!(
            String::from_utf8(header)
                .unwrap()
                .starts_with(r#"{"alg":"EdDSA","kid":"k1","nonce":""#)
        );
    }
}
