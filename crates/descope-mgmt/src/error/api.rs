//! [`ApiError`]: a non-success answer, decoded from its error body (Descope's own, or whatever
//! answered in its place).

use std::time::Duration;

use crate::excerpt;

/// A non-success answer, decoded from its error body.
///
/// Descope's own errors carry `{"errorCode":"E062108","errorDescription":"User not found",
/// "errorMessage":"..."}` ([`ApiError::is_from_descope`]). Anything else that answered instead
/// (a proxy's HTML page, an empty 404 from a wrong base URL, a redirect) keeps its status, an
/// empty `error_code`, and a short, redacted excerpt of its body; its `Display` says the base URL
/// may be wrong and names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// Descope's error code (`E` plus six digits), empty when the body had none.
    pub error_code: String,
    /// The short, human-readable description.
    pub description: String,
    /// The optional detail message.
    pub message: String,
    /// The `Retry-After` header, in seconds, when present and valid.
    pub retry_after: Option<Duration>,
    /// The base URL the request went to (no path, query or credentials), empty when unknown.
    pub base_url: String,
    /// HTTP attempts the client made for this request, retries included (0 when unknown).
    pub attempts: u32,
}

impl std::error::Error for ApiError {}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = describe(&self.description, &self.message);
        if self.is_from_descope() {
            return write!(
                f,
                "Descope API error (HTTP {}, {}): {what}",
                self.status, self.error_code
            );
        }
        let from = if self.base_url.is_empty() {
            String::new()
        } else {
            format!(" from {}", self.base_url)
        };
        let kind = if (300..400).contains(&self.status) {
            "a redirect, not followed"
        } else {
            "not a Descope error"
        };
        write!(
            f,
            "HTTP {}{from}, {kind} ({what}); the base URL may be wrong, or a proxy answered \
             instead of Descope",
            self.status
        )
    }
}

fn describe(description: &str, message: &str) -> String {
    match (description.is_empty(), message.is_empty()) {
        (true, true) => "no description".to_owned(),
        (false, true) => description.to_owned(),
        (true, false) => message.to_owned(),
        (false, false) => format!("{description}: {message}"),
    }
}

/// Descope's error codes are `E` followed by six digits.
fn is_descope_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 7 && b[0] == b'E' && b[1..].iter().all(u8::is_ascii_digit)
}

/// Descope's documented "user not found" codes: `E112102` (management API) and `E062108`
/// (the same in the auth API's context).
const USER_NOT_FOUND_CODES: [&str; 2] = ["E112102", "E062108"];

impl ApiError {
    /// Builds an API error by hand (useful in tests of code that handles errors).
    ///
    /// ```
    /// let e = descope_mgmt::ApiError::new(404, "E112102", "User not found");
    /// assert!(e.is_not_found() && e.is_from_descope());
    /// assert!(!descope_mgmt::ApiError::new(404, "", "Not Found").is_not_found());
    /// ```
    pub fn new(status: u16, error_code: impl Into<String>, description: impl Into<String>) -> Self {
        ApiError {
            status,
            error_code: error_code.into(),
            description: description.into(),
            ..ApiError::default()
        }
    }

    /// True when the body was Descope's own error: an `errorCode` of the shape `E` plus six
    /// digits. Every Descope error carries one (the official Go SDK treats a body without it as
    /// invalid).
    pub fn is_from_descope(&self) -> bool {
        is_descope_code(&self.error_code)
    }

    /// True only when Descope itself said the object does not exist:
    ///
    /// - the documented "user not found" codes `E112102` and `E062108`, whatever the status;
    /// - HTTP 404 **with a Descope error body** (any `E` + six digits code): Descope's codes for
    ///   a missing tenant, role or permission are undocumented, and it answers them with 404.
    ///
    /// Never true for a 404 without a Descope error body (an HTML page, an empty body, plain
    /// text, JSON without `errorCode`), which is what a wrong base URL, a proxy or a file server
    /// answers: treating that as "not found" would report changes that never happened.
    pub fn is_not_found(&self) -> bool {
        USER_NOT_FOUND_CODES.contains(&self.error_code.as_str())
            || (self.status == 404 && self.is_from_descope())
    }

    /// True for HTTP 429 or error code `E130429`.
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429 || self.error_code == "E130429"
    }

    /// Decodes an error body tolerantly: a body that is not Descope's JSON shape (a proxy's HTML
    /// page, plain text, nothing) still yields an error with the status and a short excerpt.
    ///
    /// Everything taken from the body is bounded in size, put on one line, and has `secrets` (and
    /// any `Bearer` token) removed: some gateways echo the request's headers in their error pages.
    pub(crate) fn from_body(
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        secrets: &[&str],
    ) -> Self {
        #[derive(serde::Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct Wire {
            #[serde(deserialize_with = "crate::models::de::null_default")]
            error_code: String,
            #[serde(deserialize_with = "crate::models::de::null_default")]
            error_description: String,
            #[serde(deserialize_with = "crate::models::de::null_default")]
            error_message: String,
        }
        let field = |s: &str, max: usize| excerpt::truncate(&excerpt::redact(s, secrets), max);
        if let Ok(w) = serde_json::from_slice::<Wire>(body) {
            let mut e = ApiError {
                status,
                error_code: field(&w.error_code, 64),
                description: field(&w.error_description, excerpt::FIELD_BYTES),
                message: field(&w.error_message, excerpt::FIELD_BYTES),
                retry_after,
                ..ApiError::default()
            };
            if !e.is_from_descope() && e.description.is_empty() && e.message.is_empty() {
                e.description = "JSON error body without a Descope errorCode".to_owned();
            }
            return e;
        }
        let description = if body.iter().all(u8::is_ascii_whitespace) {
            "empty error body"
        } else if excerpt::looks_like_html(body) {
            "non-JSON error body (an HTML page)"
        } else {
            "non-JSON error body"
        };
        ApiError {
            status,
            description: description.to_owned(),
            message: excerpt::body_excerpt(body, secrets),
            retry_after,
            ..ApiError::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_descope_error_body() {
        let e = ApiError::from_body(
            404,
            br#"{"errorCode":"E112102","errorDescription":"User not found","errorMessage":"x","extra":1}"#,
            None,
            &[],
        );
        assert_eq!(e.error_code, "E112102");
        assert!(e.is_not_found());
        assert_eq!(
            e.to_string(),
            "Descope API error (HTTP 404, E112102): User not found: x"
        );
    }

    #[test]
    fn only_descope_bodies_are_not_found() {
        for body in [
            &b""[..],
            b"<html>Not Found</html>",
            b"Not Found",
            br#"{"error":"nope"}"#,
        ] {
            let e = ApiError::from_body(404, body, None, &[]);
            assert!(!e.is_not_found() && !e.is_from_descope(), "{body:?}");
        }
        // An undocumented Descope code on a 404 (a missing tenant or role) is not found too.
        assert!(ApiError::from_body(404, br#"{"errorCode":"E123456"}"#, None, &[]).is_not_found());
        // The user-not-found codes count whatever the status.
        assert!(ApiError::from_body(400, br#"{"errorCode":"E062108"}"#, None, &[]).is_not_found());
        // Shapes that are not Descope codes.
        for code in ["E11210", "E1121022", "X112102", "E11210a", "e112102"] {
            assert!(!ApiError::new(404, code, "x").is_from_descope(), "{code}");
        }
    }

    #[test]
    fn foreign_answers_name_the_base_url() {
        let mut e = ApiError::from_body(404, b"<html><title>Not Found</title></html>", None, &[]);
        e.base_url = "http://127.0.0.1:9/".to_owned();
        let text = e.to_string();
        assert!(
            text.contains("http://127.0.0.1:9/") && text.contains("base URL"),
            "{text}"
        );
        assert!(text.contains("Not Found"), "{text}");
        let mut r = ApiError::from_body(302, b"", None, &[]);
        r.base_url = "https://x.example/".to_owned();
        assert!(r.to_string().contains("redirect"), "{r}");
    }
}
