//! JWE compact serialization with `alg` `ECDH-ES` (direct key agreement) and `enc` `A256GCM`,
//! what baton-sdk's `EncryptECDSA` makes with go-jose (`jose.NewEncrypter(jose.A256GCM,
//! jose.Recipient{Algorithm: jose.ECDH_ES, ...})`, then `CompactSerialize`).
//!
//! RFC 7518 §4.6: an ephemeral key on the recipient's curve, the ECDH shared secret `Z`, the
//! content key from Concat KDF (SHA-256) over `Z` with `AlgorithmID` = `"A256GCM"`, empty
//! `PartyUInfo` / `PartyVInfo` (go-jose sends no `apu` / `apv` here) and `keydatalen` 256; the
//! protected header (`alg`, `enc`, `epk`) as AAD; a random 96-bit IV. Only composition lives
//! here: ECDH, the KDF and AES-GCM are RustCrypto's (`p256`/`p384`/`p521`, `concat-kdf`,
//! `aes-gcm`).

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use super::jwk::Curve;
use crate::error::Error;

/// `AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo` of RFC 7518 §4.6.2 for direct
/// key agreement to A256GCM.
fn other_info() -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 7 + 4 + 4 + 4);
    out.extend(7u32.to_be_bytes());
    out.extend(b"A256GCM");
    out.extend(0u32.to_be_bytes());
    out.extend(0u32.to_be_bytes());
    out.extend(256u32.to_be_bytes());
    out
}

fn bad_key(why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!(
        "invalid baton/jwk/v1 encryption config: the EC public key {why}"
    ))
}

/// The shared secret `Z` of one ECDH with a fresh ephemeral key, and that key's public
/// coordinates.
type Agreement = (Zeroizing<Vec<u8>>, Vec<u8>, Vec<u8>);

/// `fn $name(x, y) -> Agreement` for one RustCrypto curve crate.
macro_rules! agreement {
    ($name:ident, $check:ident, $curve:ident, $label:literal) => {
        fn $check(x: &[u8], y: &[u8]) -> Result<$curve::PublicKey, Error> {
            use $curve::elliptic_curve::sec1::FromEncodedPoint;
            let point = $curve::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
            Option::<$curve::PublicKey>::from($curve::PublicKey::from_encoded_point(&point))
                .ok_or_else(|| bad_key(concat!("is not a point on ", $label)))
        }

        fn $name(x: &[u8], y: &[u8]) -> Result<Agreement, Error> {
            use $curve::elliptic_curve::sec1::ToEncodedPoint;
            let public = $check(x, y)?;
            let eph = $curve::ecdh::EphemeralSecret::random(
                &mut $curve::elliptic_curve::rand_core::OsRng,
            );
            let z = Zeroizing::new(eph.diffie_hellman(&public).raw_secret_bytes().to_vec());
            let epk = eph.public_key().to_encoded_point(false);
            let coordinate = |c: Option<&_>| {
                c.map(|v: &$curve::FieldBytes| v.to_vec())
                    .unwrap_or_default()
            };
            Ok((z, coordinate(epk.x()), coordinate(epk.y())))
        }
    };
}

agreement!(shared_p256, point_p256, p256, "P-256");
agreement!(shared_p384, point_p384, p384, "P-384");
agreement!(shared_p521, point_p521, p521, "P-521");

/// Checks that (`x`, `y`) is a point of `curve` (not the identity), without encrypting.
pub(super) fn check_point(curve: Curve, x: &[u8], y: &[u8]) -> Result<(), Error> {
    match curve {
        Curve::P256 => point_p256(x, y).map(|_| ()),
        Curve::P384 => point_p384(x, y).map(|_| ()),
        Curve::P521 => point_p521(x, y).map(|_| ()),
    }
}

/// Encrypts `plaintext` to the EC public key (`x`, `y`, each `curve.size()` bytes) as a JWE
/// compact serialization.
pub(super) fn encrypt_ecdh_es(
    curve: Curve,
    x: &[u8],
    y: &[u8],
    plaintext: &[u8],
) -> Result<String, Error> {
    let (z, ex, ey) = match curve {
        Curve::P256 => shared_p256(x, y)?,
        Curve::P384 => shared_p384(x, y)?,
        Curve::P521 => shared_p521(x, y)?,
    };
    let mut cek = Zeroizing::new([0u8; 32]);
    concat_kdf::derive_key_into::<sha2::Sha256>(&z, &other_info(), cek.as_mut_slice())
        .map_err(|e| Error::internal(format!("JWE key derivation failed: {e}")))?;
    let header = serde_json::json!({
        "alg": "ECDH-ES",
        "enc": "A256GCM",
        "epk": {
            "kty": "EC",
            "crv": curve.name(),
            "x": URL_SAFE_NO_PAD.encode(&ex),
            "y": URL_SAFE_NO_PAD.encode(&ey),
        },
    });
    let protected = URL_SAFE_NO_PAD.encode(header.to_string());
    let cipher = Aes256Gcm::new_from_slice(cek.as_slice())
        .map_err(|e| Error::internal(format!("JWE content key: {e}")))?;
    let iv = Aes256Gcm::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(
            &iv,
            Payload {
                msg: plaintext,
                aad: protected.as_bytes(),
            },
        )
        .map_err(|_| Error::internal("JWE content encryption failed"))?;
    // aes-gcm appends the 16-byte tag to the ciphertext.
    let (ciphertext, tag) = sealed.split_at(sealed.len() - 16);
    Ok(format!(
        "{protected}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ciphertext),
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_info_is_rfc7518s() {
        // RFC 7518 appendix C, with AlgorithmID "A256GCM" and no apu/apv.
        let info = other_info();
        assert_eq!(&info[..4], &[0, 0, 0, 7]);
        assert_eq!(&info[4..11], b"A256GCM");
        assert_eq!(&info[11..], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    }

    #[test]
    fn a_point_off_the_curve_is_refused() {
        let e = encrypt_ecdh_es(Curve::P256, &[1; 32], &[2; 32], b"x").unwrap_err();
        assert_eq!(e.code(), crate::Code::InvalidArgument);
        assert!(e.message().contains("not a point on P-256"), "{e}");
    }
}
