//! The fake's token endpoint: checks the form and the client assertion as ConductorOne would
//! (signature with the client's public key, every header field and claim), then hands out a
//! token whose lifetime the test scripted.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;

/// What the token endpoint expects.
pub(super) struct Expected<'a> {
    pub(super) client_id: &'a str,
    pub(super) audience: &'a str,
    pub(super) public_key: &'a VerifyingKey,
}

/// Checks a token request's form; `Ok(nonce)` when it is valid.
pub(super) fn check_request(
    form: &[(String, String)],
    expected: &Expected<'_>,
) -> Result<String, String> {
    let fields: HashMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if fields.len() != 4 || form.len() != 4 {
        return Err(format!(
            "expected exactly 4 form fields, got {:?}",
            form.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()
        ));
    }
    let keys: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    if keys
        != [
            "client_assertion",
            "client_assertion_type",
            "client_id",
            "grant_type",
        ]
    {
        return Err(format!("form fields not in Go's sorted order: {keys:?}"));
    }
    if fields["client_id"] != expected.client_id {
        return Err("client_id does not match".into());
    }
    if fields["grant_type"] != "client_credentials" {
        return Err("grant_type is not client_credentials".into());
    }
    if fields["client_assertion_type"] != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
        return Err("wrong client_assertion_type".into());
    }
    check_assertion(fields["client_assertion"], expected)
}

fn decode_json(part: &str, what: &str) -> Result<serde_json::Map<String, Value>, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| format!("{what} is not base64url without padding"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(format!("{what} is not a JSON object")),
    }
}

fn check_assertion(jwt: &str, expected: &Expected<'_>) -> Result<String, String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header_b64, claims_b64, sig_b64] = parts[..] else {
        return Err("the assertion is not a compact JWS".into());
    };
    let header = decode_json(header_b64, "the header")?;
    let header_keys: Vec<&str> = header.keys().map(String::as_str).collect();
    if header_keys != ["alg", "nonce"] {
        return Err(format!(
            "header fields are {header_keys:?}, want [alg, nonce]"
        ));
    }
    if header["alg"] != "EdDSA" {
        return Err("alg is not EdDSA".into());
    }
    let nonce = header["nonce"].as_str().unwrap_or_default().to_owned();
    if nonce.len() != 32
        || !nonce
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err("nonce is not 32 lowercase hex characters".into());
    }
    let claims = decode_json(claims_b64, "the claims")?;
    let claim_keys: Vec<&str> = claims.keys().map(String::as_str).collect();
    let mut sorted = claim_keys.clone();
    sorted.sort_unstable();
    if sorted != ["aud", "exp", "iat", "iss", "nbf", "sub"] {
        return Err(format!("claims are {claim_keys:?}"));
    }
    // The claim order go-jose writes (serde_json's map keeps insertion order here only with
    // `preserve_order`, so the raw text is checked).
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(claims_b64).unwrap_or_default())
        .unwrap_or_default();
    let order: Vec<usize> = [
        "\"iss\"", "\"sub\"", "\"aud\"", "\"exp\"", "\"nbf\"", "\"iat\"",
    ]
    .iter()
    .map(|k| raw.find(k).unwrap_or(usize::MAX))
    .collect();
    if !order.windows(2).all(|w| w[0] < w[1]) {
        return Err(format!("claims not in go-jose's order: {raw}"));
    }
    if claims["iss"] != expected.client_id || claims["sub"] != expected.client_id {
        return Err("iss/sub are not the client id".into());
    }
    if claims["aud"] != expected.audience {
        return Err(format!(
            "aud is {}, want the string {:?}",
            claims["aud"], expected.audience
        ));
    }
    let int = |k: &str| {
        claims[k]
            .as_u64()
            .ok_or_else(|| format!("{k} is not an integer"))
    };
    let (exp, nbf, iat) = (int("exp")?, int("nbf")?, int("iat")?);
    if exp != iat + 120 || nbf + 120 != iat {
        return Err(format!(
            "exp/nbf are not iat ± 120 s (exp {exp}, nbf {nbf}, iat {iat})"
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    if iat.abs_diff(now) > 60 {
        return Err("iat is not now".into());
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig_b64)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or("the signature is not 64 base64url bytes")?;
    expected
        .public_key
        .verify_strict(format!("{header_b64}.{claims_b64}").as_bytes(), &sig)
        .map_err(|_| "the signature does not verify with the client's public key".to_owned())?;
    Ok(nonce)
}
