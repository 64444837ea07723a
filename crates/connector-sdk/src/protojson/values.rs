//! How protojson writes values: objects without their default fields, enums, int64, timestamps
//! and bytes.

use prost_types::Timestamp;
use serde_json::{Map, Value};

/// An object builder that leaves out default values, as protojson does.
pub(crate) struct Obj(Map<String, Value>);

impl Obj {
    pub(crate) fn new() -> Self {
        Self(Map::new())
    }
    pub(crate) fn str(mut self, k: &str, v: &str) -> Self {
        if !v.is_empty() {
            self.0.insert(k.into(), Value::String(v.into()));
        }
        self
    }
    pub(crate) fn bool(mut self, k: &str, v: bool) -> Self {
        if v {
            self.0.insert(k.into(), Value::Bool(true));
        }
        self
    }
    pub(crate) fn val(mut self, k: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), v);
        }
        self
    }
    pub(crate) fn list(mut self, k: &str, v: Vec<Value>) -> Self {
        if !v.is_empty() {
            self.0.insert(k.into(), Value::Array(v));
        }
        self
    }
    /// An int64 field, which protojson writes as a string.
    pub(crate) fn int64(self, k: &str, v: i64) -> Self {
        self.val(k, (v != 0).then(|| Value::String(v.to_string())))
    }
    /// An enum field: left out when 0, else by name (by number when the name is unknown).
    pub(crate) fn enumeration(self, k: &str, n: i32, name: Option<&str>) -> Self {
        self.val(k, (n != 0).then(|| enum_value(n, name)))
    }
    pub(crate) fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// An enum value by name when known, else by number (as protojson does).
pub(crate) fn enum_value(n: i32, name: Option<&str>) -> Value {
    match name {
        Some(s) => Value::String(s.to_owned()),
        None => Value::from(n),
    }
}

pub(crate) fn strings(v: &[String]) -> Vec<Value> {
    v.iter().map(|s| Value::String(s.clone())).collect()
}

/// A timestamp as protojson writes it: RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits
/// (`2023-11-14T22:13:20Z`, `...:01.500Z`, `...:01.000001Z`); `null` for one outside what
/// RFC 3339 can write (Go's protojson refuses those).
///
/// ```
/// use c1_connector_sdk::protojson::timestamp;
/// use prost_types::Timestamp;
/// assert_eq!(timestamp(&Timestamp { seconds: 1, nanos: 500_000_000 }), "1970-01-01T00:00:01.500Z");
/// assert_eq!(timestamp(&Timestamp { seconds: 1_700_000_000, nanos: 0 }), "2023-11-14T22:13:20Z");
/// ```
pub fn timestamp(t: &Timestamp) -> Value {
    // A negative `nanos` counts as none, as both renderers this one replaced did.
    let nanos = u32::try_from(t.nanos).unwrap_or(0);
    if nanos >= 1_000_000_000 {
        return Value::Null;
    }
    let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(t.seconds) else {
        return Value::Null;
    };
    if !(0..=9999).contains(&dt.year()) {
        return Value::Null;
    }
    let Ok(whole) = dt.format(&time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    )) else {
        return Value::Null;
    };
    let fraction = if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    };
    Value::String(format!("{whole}{fraction}Z"))
}

/// Bytes as protojson writes them: standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn timestamps_are_protojson() {
        let t = |seconds, nanos| timestamp(&Timestamp { seconds, nanos });
        assert_eq!(t(0, 0), json!("1970-01-01T00:00:00Z"));
        assert_eq!(t(1, 500_000_000), json!("1970-01-01T00:00:01.500Z"));
        assert_eq!(t(1, 120_000_000), json!("1970-01-01T00:00:01.120Z"));
        assert_eq!(t(1, 1_000), json!("1970-01-01T00:00:01.000001Z"));
        assert_eq!(t(1, 7), json!("1970-01-01T00:00:01.000000007Z"));
        assert_eq!(t(1, -1), json!("1970-01-01T00:00:01Z"));
        assert_eq!(t(1, 1_000_000_000), Value::Null);
        assert_eq!(t(-62_200_000_000, 0), Value::Null, "a negative year");
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }
}
