//! The connector metadata sent in Hello: the SDK's [`ConnectorMetadata`] plus field 8,
//! `capabilities`, which ConductorOne reads to learn what the connector can do (baton fills it
//! in `connectorbuilder.GetCapabilities`).

use c1_connector_sdk::connector::{Capability, ResourceCapabilities};
use c1_connector_sdk::model::{ConnectorMetadata, ResourceType};
use prost::bytes::{Buf, BufMut};
use prost::encoding::{DecodeContext, WireType};
use prost::{DecodeError, Message};

/// `c1.connector.v2.Capability` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
#[non_exhaustive]
pub enum CapabilityValue {
    /// Unknown.
    Unspecified = 0,
    /// Grant and revoke.
    Provision = 1,
    /// Full sync.
    Sync = 2,
    /// Event feed.
    EventFeed = 3,
    /// Ticketing.
    Ticketing = 4,
    /// Account creation.
    AccountProvisioning = 5,
    /// Credential rotation.
    CredentialRotation = 6,
    /// Resource creation.
    ResourceCreate = 7,
    /// Resource deletion.
    ResourceDelete = 8,
    /// Secrets sync.
    SyncSecrets = 9,
    /// Actions.
    Actions = 10,
    /// Targeted sync of single resources.
    TargetedSync = 11,
    /// Event feed v2.
    EventFeedV2 = 12,
    /// Targeted sync in service mode.
    ServiceModeTargetedSync = 13,
    /// Credential issuance.
    CredentialIssue = 14,
}

/// `c1.connector.v2.ResourceTypeCapability` (fields 1-2; permissions and the flags are not sent).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceTypeCapability {
    /// The resource type.
    #[prost(message, optional, tag = "1")]
    pub resource_type: Option<ResourceType>,
    /// What its syncer can do (values of [`CapabilityValue`]).
    #[prost(enumeration = "CapabilityValue", repeated, tag = "2")]
    pub capabilities: Vec<i32>,
}

/// `c1.connector.v2.ConnectorCapabilities` (fields 1-2).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConnectorCapabilities {
    /// Per resource type, sorted by type id.
    #[prost(message, repeated, tag = "1")]
    pub resource_type_capabilities: Vec<ResourceTypeCapability>,
    /// The union over the types, sorted (values of [`CapabilityValue`]).
    #[prost(enumeration = "CapabilityValue", repeated, tag = "2")]
    pub connector_capabilities: Vec<i32>,
}

fn capability_value(c: Capability) -> Option<CapabilityValue> {
    Some(match c {
        Capability::Sync => CapabilityValue::Sync,
        Capability::TargetedSync => CapabilityValue::TargetedSync,
        Capability::Provision => CapabilityValue::Provision,
        Capability::AccountProvisioning => CapabilityValue::AccountProvisioning,
        // A capability added to the SDK later is not advertised until it is mapped here.
        _ => return None,
    })
}

impl ConnectorCapabilities {
    /// baton's derivation (`connectorbuilder.GetCapabilities`): each type's capabilities, and
    /// for the connector the union, plus `SERVICE_MODE_TARGETED_SYNC` when a type supports
    /// targeted sync.
    pub fn from_resource_capabilities(types: &[ResourceCapabilities]) -> Self {
        let mut all = std::collections::BTreeSet::new();
        let mut per_type: Vec<ResourceTypeCapability> = types
            .iter()
            .map(|t| {
                let caps: Vec<CapabilityValue> = t
                    .capabilities
                    .iter()
                    .copied()
                    .filter_map(capability_value)
                    .collect();
                for c in &caps {
                    all.insert(*c);
                    if *c == CapabilityValue::TargetedSync {
                        all.insert(CapabilityValue::ServiceModeTargetedSync);
                    }
                }
                ResourceTypeCapability {
                    resource_type: Some(t.resource_type.clone()),
                    capabilities: caps.into_iter().map(|c| c as i32).collect(),
                }
            })
            .collect();
        // TargetedSync is a per-type capability only, as in baton.
        all.remove(&CapabilityValue::TargetedSync);
        per_type.sort_by(|a, b| {
            let id = |x: &ResourceTypeCapability| {
                x.resource_type
                    .as_ref()
                    .map(|r| r.id.clone())
                    .unwrap_or_default()
            };
            id(a).cmp(&id(b))
        });
        Self {
            resource_type_capabilities: per_type,
            connector_capabilities: all.into_iter().map(|c| c as i32).collect(),
        }
    }
}

/// `c1.connector.v2.ConnectorMetadata` as sent in Hello: the SDK's metadata (fields 1-7) and
/// the capabilities (field 8). Encodes as one message; decoding splits field 8 off.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct HelloConnectorMetadata {
    /// Fields 1-7.
    pub metadata: ConnectorMetadata,
    /// Field 8.
    pub capabilities: Option<ConnectorCapabilities>,
}

const CAPABILITIES_TAG: u32 = 8;

impl Message for HelloConnectorMetadata {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        self.metadata.encode_raw(buf);
        if let Some(c) = &self.capabilities {
            prost::encoding::message::encode(CAPABILITIES_TAG, c, buf);
        }
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        if tag == CAPABILITIES_TAG {
            let c = self.capabilities.get_or_insert_with(Default::default);
            prost::encoding::message::merge(wire_type, c, buf, ctx)
        } else {
            self.metadata.merge_field(tag, wire_type, buf, ctx)
        }
    }

    fn encoded_len(&self) -> usize {
        self.metadata.encoded_len()
            + self.capabilities.as_ref().map_or(0, |c| {
                prost::encoding::message::encoded_len(CAPABILITIES_TAG, c)
            })
    }

    fn clear(&mut self) {
        self.metadata.clear();
        self.capabilities = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use c1_connector_sdk::model::ResourceType;

    #[test]
    fn round_trips_and_appends_field_8() {
        let caps = ConnectorCapabilities::from_resource_capabilities(&[]);
        let m = HelloConnectorMetadata {
            metadata: ConnectorMetadata::new("Demo", "A demo"),
            capabilities: Some(caps),
        };
        let bytes = m.encode_to_vec();
        let plain = ConnectorMetadata::new("Demo", "A demo").encode_to_vec();
        assert_eq!(&bytes[..plain.len()], &plain[..]);
        assert_eq!(&bytes[plain.len()..], &[0x42, 0]);
        assert_eq!(HelloConnectorMetadata::decode(&bytes[..]).unwrap(), m);
        // The SDK's type reads the same bytes, skipping field 8.
        assert_eq!(
            ConnectorMetadata::decode(&bytes[..]).unwrap(),
            ConnectorMetadata::new("Demo", "A demo")
        );
    }

    #[test]
    fn capabilities_follow_baton() {
        let fake = c1_connector_sdk::testing::FakeConnector::builder()
            .resource_type(ResourceType::new("user", "User"))
            .resource_type(ResourceType::new("role", "Role"))
            .provisioning(true)
            .build();
        let types = c1_connector_sdk::Connector::capabilities(&fake);
        let caps = ConnectorCapabilities::from_resource_capabilities(&types);
        let ids: Vec<_> = caps
            .resource_type_capabilities
            .iter()
            .map(|r| r.resource_type.as_ref().unwrap().id.as_str())
            .collect();
        assert_eq!(ids, ["role", "user"]);
        assert_eq!(
            caps.connector_capabilities,
            vec![
                CapabilityValue::Provision as i32,
                CapabilityValue::Sync as i32
            ]
        );
        // Per type in baton's order of discovery: sync first, then provision.
        assert_eq!(
            caps.resource_type_capabilities[0].capabilities,
            vec![
                CapabilityValue::Sync as i32,
                CapabilityValue::Provision as i32
            ]
        );
    }
}
