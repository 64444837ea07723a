//! What the enable and disable actions of users and access keys answer.

/// What an enable or disable did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// The status was changed (and confirmed).
    Changed,
    /// The status was already the one wanted: nothing was sent.
    Unchanged,
}

pub(crate) fn action_response(id: &str, change: Change) -> prost_types::Struct {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), id.into());
    map.insert(
        "changed".into(),
        serde_json::Value::Bool(change == Change::Changed),
    );
    c1_connector_sdk::model::json_object_to_struct(map)
}
