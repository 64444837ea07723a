//! The `capabilities` subcommand's document.

use c1_connector_sdk::{Connector, Error};
use serde_json::{Value, json};

/// The connector's resource types and what each supports, in the shape of baton's
/// `capabilities` output.
pub(crate) async fn capabilities_document(connector: &dyn Connector) -> Result<Value, Error> {
    let caps: Vec<Value> = connector
        .capabilities()
        .into_iter()
        .map(|c| {
            json!({
                "resourceType": c1_connector_sdk::store::protojson::resource_type(&c.resource_type),
                "capabilities": c.capabilities.iter().map(|c| c.proto_name()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(json!({
        "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
        "resourceTypeCapabilities": caps,
    }))
}
