//! Reading the one-shot flags: baton's empty-means-unset rule and JSON-object flags.

use serde_json::{Map, Value};

use crate::exit::Failure;

/// A flag's value, with an empty value (e.g. `BATON_EVENT_FEED_ID=`) counted as unset, as baton
/// does.
pub(super) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// Parses a flag that must hold a JSON object; the error shows the expected shape.
pub(super) fn parse_object(
    text: &str,
    flag: &str,
    example: &str,
) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Failure::usage(format!(
            "{flag} must be a JSON object such as {example}, not {}",
            kind_of(&other)
        ))),
        Err(e) => Err(Failure::usage(format!(
            "{flag} is not valid JSON ({e}): give a JSON object such as {example}"
        ))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
