//! The opt-in request log, readable through [`Emulator::requests`]: what each request asked,
//! for tests that compare the bodies two clients send.
//!
//! [`Emulator::requests`]: crate::Emulator::requests

use std::sync::{Mutex, PoisonError};

use serde_json::Value;

/// One request as the emulator received it: method, path, query and body. Headers are not
/// kept, so the `Authorization` header (the management key) never enters the log.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use descope_emulator::{Emulator, RecordedBody};
///
/// let emu = Emulator::builder().record_requests(true).start().await?;
/// // ... send requests to emu.base_url() ...
/// for r in emu.requests() {
///     if let RecordedBody::Json(body) = &r.body {
///         println!("{} {} {body}", r.method, r.path);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The HTTP method (`"POST"`, `"GET"`, `"PATCH"`...).
    pub method: String,
    /// The path, without the query (`"/v2/mgmt/user/search"`).
    pub path: String,
    /// The raw query string without the `?` (`"loginId=a%40x.io"`), if the URL had one.
    pub query: Option<String>,
    /// The body.
    pub body: RecordedBody,
}

impl RecordedRequest {
    /// The body's JSON value, if the body was JSON.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            RecordedBody::Json(v) => Some(v),
            RecordedBody::Empty | RecordedBody::NotJson(_) => None,
        }
    }
}

/// The body of a [`RecordedRequest`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecordedBody {
    /// No body, or only whitespace.
    Empty,
    /// The body parsed as JSON, as sent (`null`s included; object keys come back sorted).
    Json(Value),
    /// A body that is not JSON, as UTF-8 text (invalid bytes replaced).
    NotJson(String),
}

impl RecordedBody {
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Self::Empty;
        }
        match serde_json::from_slice(bytes) {
            Ok(v) => Self::Json(v),
            Err(_) => Self::NotJson(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

/// The live log: `None` unless recording was turned on.
#[derive(Debug, Default)]
pub(crate) struct RequestLog(Option<Mutex<Vec<RecordedRequest>>>);

impl RequestLog {
    pub(crate) fn new(enabled: bool) -> Self {
        Self(enabled.then(Mutex::default))
    }

    pub(crate) fn enabled(&self) -> bool {
        self.0.is_some()
    }

    pub(crate) fn push(&self, r: RecordedRequest) {
        if let Some(log) = &self.0 {
            log.lock().unwrap_or_else(PoisonError::into_inner).push(r);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.0.as_ref().map_or_else(Vec::new, |log| {
            log.lock().unwrap_or_else(PoisonError::into_inner).clone()
        })
    }

    pub(crate) fn clear(&self) {
        if let Some(log) = &self.0 {
            log.lock().unwrap_or_else(PoisonError::into_inner).clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_classified() {
        assert_eq!(RecordedBody::from_bytes(b" \n"), RecordedBody::Empty);
        assert_eq!(
            RecordedBody::from_bytes(br#"{"a":null}"#),
            RecordedBody::Json(serde_json::json!({"a": null}))
        );
        assert_eq!(
            RecordedBody::from_bytes(b"a=b"),
            RecordedBody::NotJson("a=b".into())
        );
        let off = RequestLog::new(false);
        off.push(RecordedRequest {
            method: "GET".into(),
            path: "/".into(),
            query: None,
            body: RecordedBody::Empty,
        });
        assert!(off.snapshot().is_empty());
    }
}
