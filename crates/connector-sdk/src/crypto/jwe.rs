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

/// The content key of RFC 7518 §4.6.2: Concat KDF (SHA-256) over the shared secret `z` with
/// `OtherInfo` = `AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo`, each of the first
/// three length-prefixed, `SuppPubInfo` the key length in bits. For direct key agreement the
/// `AlgorithmID` is the `enc` value.
pub(super) fn content_key(
    z: &[u8],
    algorithm: &str,
    apu: &[u8],
    apv: &[u8],
    bytes: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut info = Vec::with_capacity(16 + algorithm.len() + apu.len() + apv.len());
    for part in [algorithm.as_bytes(), apu, apv] {
        let len = u32::try_from(part.len())
            .map_err(|_| Error::internal("JWE key derivation input too long"))?;
        info.extend(len.to_be_bytes());
        info.extend(part);
    }
    let bits = u32::try_from(bytes * 8)
        .map_err(|_| Error::internal("JWE key derivation output too long"))?;
    info.extend(bits.to_be_bytes());
    let mut key = Zeroizing::new(vec![0u8; bytes]);
    concat_kdf::derive_key_into::<sha2::Sha256>(z, &info, key.as_mut_slice())
        .map_err(|e| Error::internal(format!("JWE key derivation failed: {e}")))?;
    Ok(key)
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
    // go-jose sends no apu / apv for this recipient.
    let cek = content_key(&z, "A256GCM", &[], &[], 32)?;
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

    /// RFC 7518 appendix C: the ECDH-ES example's shared secret and content key (P-256,
    /// `A128GCM`, `apu` "Alice", `apv` "Bob").
    #[test]
    fn rfc7518_appendix_c_key_agreement() {
        use p256::elliptic_curve::sec1::FromEncodedPoint;
        let b64 = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap();
        let alice_d = b64("0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo");
        let bob = p256::EncodedPoint::from_affine_coordinates(
            b64("weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ")
                .as_slice()
                .into(),
            b64("e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck")
                .as_slice()
                .into(),
            false,
        );
        let bob = p256::PublicKey::from_encoded_point(&bob).unwrap();
        let alice = p256::SecretKey::from_slice(&alice_d).unwrap();
        let z = p256::ecdh::diffie_hellman(alice.to_nonzero_scalar(), bob.as_affine());
        let z = z.raw_secret_bytes().to_vec();
        assert_eq!(
            z,
            [
                158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
                110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196
            ]
        );
        let key = content_key(&z, "A128GCM", b"Alice", b"Bob", 16).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(key.as_slice()),
            "VqqN6vgjbSBcIijNcacQGg"
        );
    }

    #[test]
    fn a_point_off_the_curve_is_refused() {
        let e = encrypt_ecdh_es(Curve::P256, &[1; 32], &[2; 32], b"x").unwrap_err();
        assert_eq!(e.code(), crate::error::Code::InvalidArgument);
        assert!(e.message().contains("not a point on P-256"), "{e}");
    }
}
