//! The public JWKs of `baton/jwk/v1` recipients, and their RFC 7638 thumbprints (the key id
//! baton-sdk's `jwk.Thumbprint` computes: SHA-256, hex, over the key's required members with
//! go-jose's encodings: EC coordinates padded to the curve size, RSA `n` and `e` minimal).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The curves of EC keys (go-jose's `ecdsa.PublicKey` curves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    pub(super) fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Bytes of a coordinate.
    pub(super) fn size(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// A recipient's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PublicJwk {
    /// `kty` `OKP`, `crv` `Ed25519`.
    Ed25519([u8; 32]),
    /// `kty` `EC`: uncompressed coordinates, each `curve.size()` bytes.
    Ec {
        curve: Curve,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    /// `kty` `RSA`: modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

#[derive(Deserialize)]
struct Raw {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

fn bad(why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!("invalid baton/jwk/v1 encryption config: {why}"))
}

fn b64(field: Option<&String>, name: &str) -> Result<Vec<u8>, Error> {
    let v = field.ok_or_else(|| bad(format_args!("the key has no `{name}`")))?;
    URL_SAFE_NO_PAD
        .decode(v.trim_end_matches('='))
        .map_err(|_| bad(format_args!("`{name}` is not base64url")))
}

fn minimal(mut v: Vec<u8>) -> Vec<u8> {
    let zeros = v.iter().take_while(|b| **b == 0).count();
    v.drain(..zeros.min(v.len().saturating_sub(1)));
    v
}

/// Left-pads `v` to `size` bytes (refusing a longer one).
fn padded(v: Vec<u8>, size: usize, name: &str) -> Result<Vec<u8>, Error> {
    let v = minimal(v);
    if v.len() > size {
        return Err(bad(format_args!(
            "`{name}` is longer than the curve allows"
        )));
    }
    let mut out = vec![0; size - v.len()];
    out.extend(v);
    Ok(out)
}

impl PublicJwk {
    /// Parses the JWK JSON of an `EncryptionConfig`'s `jwk_public_key_config.pub_key`. Only the
    /// public members are read (a private `d`, if present by mistake, is ignored, as go-jose's
    /// `Public()` drops it).
    pub(super) fn parse(json: &[u8]) -> Result<Self, Error> {
        let raw: Raw = serde_json::from_slice(json).map_err(|_| bad("the key is not a JWK"))?;
        match (raw.kty.as_str(), raw.crv.as_deref()) {
            ("OKP", Some("Ed25519")) => {
                let x = b64(raw.x.as_ref(), "x")?;
                let x: [u8; 32] = x
                    .try_into()
                    .map_err(|_| bad("an Ed25519 `x` must be 32 bytes"))?;
                Ok(PublicJwk::Ed25519(x))
            }
            ("EC", Some(crv)) => {
                let curve = match crv {
                    "P-256" => Curve::P256,
                    "P-384" => Curve::P384,
                    "P-521" => Curve::P521,
                    other => return Err(bad(format_args!("unsupported EC curve {other:?}"))),
                };
                let x = padded(b64(raw.x.as_ref(), "x")?, curve.size(), "x")?;
                let y = padded(b64(raw.y.as_ref(), "y")?, curve.size(), "y")?;
                Ok(PublicJwk::Ec { curve, x, y })
            }
            ("RSA", _) => Ok(PublicJwk::Rsa {
                n: minimal(b64(raw.n.as_ref(), "n")?),
                e: minimal(b64(raw.e.as_ref(), "e")?),
            }),
            (kty, crv) => Err(bad(format_args!(
                "unsupported key type {kty:?} (curve {crv:?}); baton supports OKP Ed25519, EC \
                 P-256/P-384/P-521 and RSA"
            ))),
        }
    }

    /// The RFC 7638 thumbprint, SHA-256, hex (baton's key id).
    pub(super) fn thumbprint(&self) -> String {
        let enc = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        // The required members in lexicographic order, no whitespace (RFC 7638 §3.2).
        let canonical = match self {
            PublicJwk::Ed25519(x) => {
                format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, enc(x))
            }
            PublicJwk::Ec { curve, x, y } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.name(),
                enc(x),
                enc(y)
            ),
            PublicJwk::Rsa { n, e } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, enc(e), enc(n))
            }
        };
        hex(&Sha256::digest(canonical.as_bytes()))
    }
}

/// Lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1: the thumbprint of this RSA key is
        // NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs (base64url), here in hex.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwk =
            format!(r#"{{"kty":"RSA","n":"{n}","e":"AQAB","alg":"RS256","kid":"2011-04-29"}}"#);
        let key = PublicJwk::parse(jwk.as_bytes()).unwrap();
        let want = URL_SAFE_NO_PAD
            .decode("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
            .unwrap();
        assert_eq!(key.thumbprint(), hex(&want));
    }

    #[test]
    fn rfc8037_ed25519_thumbprint() {
        // RFC 8037 appendix A.3.
        let key = PublicJwk::parse(
            br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        )
        .unwrap();
        let want = URL_SAFE_NO_PAD
            .decode("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
            .unwrap();
        assert_eq!(key.thumbprint(), hex(&want));
    }

    #[test]
    fn coordinates_and_integers_take_go_joses_encodings() {
        // A leading zero on an RSA exponent and a short EC coordinate do not change the id.
        let a = PublicJwk::parse(br#"{"kty":"RSA","n":"AQID","e":"AAEAAQ"}"#).unwrap();
        let b = PublicJwk::parse(br#"{"kty":"RSA","n":"AQID","e":"AQAB"}"#).unwrap();
        assert_eq!(a.thumbprint(), b.thumbprint());
        let short = PublicJwk::parse(br#"{"kty":"EC","crv":"P-256","x":"AQ","y":"Ag"}"#).unwrap();
        match &short {
            PublicJwk::Ec { x, .. } => assert_eq!(x.len(), 32),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unsupported_keys_are_refused_with_the_reason() {
        for (jwk, says) in [
            (
                r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#,
                "unsupported key type",
            ),
            (
                r#"{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}"#,
                "unsupported EC curve",
            ),
            (r#"{"kty":"oct","k":"AA"}"#, "unsupported key type"),
            (r#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#, "32 bytes"),
            (r#"{"kty":"RSA","e":"AQAB"}"#, "no `n`"),
            ("not json", "not a JWK"),
        ] {
            let e = PublicJwk::parse(jwk.as_bytes()).unwrap_err();
            assert_eq!(e.code(), crate::error::Code::InvalidArgument);
            assert!(e.message().contains(says), "{jwk}: {e}");
        }
    }
}
