//! The `capabilities` subcommand's document.

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::error::Error;
use c1_connector_sdk::ops::{capabilities_json, connector_capabilities};

/// The connector's capabilities as baton's `capabilities` subcommand prints them: protojson of
/// `Any(c1.connector.v2.ConnectorCapabilities)`.
pub(crate) async fn capabilities_document(connector: &dyn Connector) -> Result<String, Error> {
    let caps = connector_capabilities(connector)?;
    Ok(capabilities_json(&caps))
}
