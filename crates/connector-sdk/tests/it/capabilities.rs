//! Capability derivation, `ConnectorMetadata.capabilities` and the capabilities document.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{
    AccountCreated, AccountManager, Connector, LocalCredentialOptions, ResourceSyncer,
};
use c1_connector_sdk::error::{Code, Error};
use c1_connector_sdk::model::{
    AccountInfo, Annotations, Capability, CapabilityDetailCredentialOption as Opt,
    CapabilityPermission, CapabilityPermissions, ConnectorMetadata,
    CredentialDetailsAccountProvisioning, Entitlement, Grant, OptInRequired, Resource, ResourceId,
    ResourceType, Trait,
};
use c1_connector_sdk::ops::{
    capabilities_json, connector_capabilities, metadata_with_capabilities,
};
use c1_connector_sdk::page::Page;
use c1_connector_sdk::testing::FakeConnector;
use prost::Message;

use super::org;

fn caps_of(rc: &c1_connector_sdk::model::ResourceTypeCapability) -> Vec<Capability> {
    rc.capabilities
        .iter()
        .map(|c| Capability::try_from(*c).unwrap())
        .collect()
}

#[test]
fn derivation_follows_baton() {
    let fake = org()
        .provisioning(true)
        .accounts("user")
        .deletion("group")
        .enable_disable_actions("user")
        .events([])
        .build();
    let caps = connector_capabilities(&fake).unwrap();
    let ids: Vec<&str> = caps
        .resource_type_capabilities
        .iter()
        .map(|r| r.resource_type.as_ref().unwrap().id.as_str())
        .collect();
    assert_eq!(ids, ["group", "team", "user"], "sorted by type id");
    let by = |id: &str| caps_of(caps.for_resource_type(id).unwrap());
    assert_eq!(
        by("user"),
        [
            Capability::Sync,
            Capability::Provision,
            Capability::AccountProvisioning
        ]
    );
    assert_eq!(
        by("group"),
        [
            Capability::Sync,
            Capability::Provision,
            Capability::ResourceDelete
        ]
    );
    assert_eq!(by("team"), [Capability::Sync, Capability::Provision]);
    let connector: Vec<Capability> = caps.connector_capability_values().collect();
    assert_eq!(
        connector,
        [
            Capability::Provision,
            Capability::Sync,
            Capability::AccountProvisioning,
            Capability::ResourceDelete,
            Capability::Actions,
            Capability::EventFeedV2,
        ]
    );
    let details = caps
        .credential_details
        .as_ref()
        .unwrap()
        .capability_account_provisioning
        .as_ref()
        .unwrap();
    assert_eq!(details.preferred_credential_option, Opt::NoPassword as i32);
    assert!(details.supports(Opt::RandomPassword));
    // Every entry carries (possibly empty) permissions, as baton's builder sets them.
    assert!(
        caps.resource_type_capabilities
            .iter()
            .all(|r| r.permissions.is_some())
    );
    // The per-syncer list of Connector::capabilities agrees.
    let user = fake
        .capabilities()
        .into_iter()
        .find(|c| c.resource_type.id == "user")
        .unwrap();
    assert_eq!(user.capabilities, by("user"));
}

#[test]
fn a_plain_connector_only_syncs() {
    let caps = connector_capabilities(&org().build()).unwrap();
    assert_eq!(caps.connector_capabilities, [Capability::Sync as i32]);
    assert_eq!(
        caps.credential_details,
        Some(Default::default()),
        "baton always sets credential details"
    );
}

#[test]
fn annotations_on_a_type_become_flags_and_permissions() {
    let perms = CapabilityPermissions {
        permissions: vec![CapabilityPermission {
            permission: "users:read".into(),
        }],
    };
    let fake = FakeConnector::builder()
        .resource_type(
            ResourceType::new("user", "User")
                .with_annotation(&perms)
                .with_annotation(&OptInRequired {}),
        )
        .build();
    let caps = connector_capabilities(&fake).unwrap();
    let user = caps.for_resource_type("user").unwrap();
    assert_eq!(user.permissions.as_ref(), Some(&perms));
    assert!(user.opt_in_required && !user.deprecated && !user.skip_sync_anomaly_detection);
}

#[test]
fn duplicate_types_are_refused() {
    let fake = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .resource_type(ResourceType::new("user", "User again"))
        .build();
    let e = connector_capabilities(&fake).unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().contains("\"user\""), "{e}");
}

#[tokio::test]
async fn metadata_carries_capabilities_in_field_8() {
    let fake = org().accounts("user").build();
    let md = metadata_with_capabilities(&fake).await.unwrap();
    assert_eq!(md.display_name, "Fake");
    let caps = md.capabilities.clone().unwrap();
    assert!(caps.has(Capability::AccountProvisioning));
    let bytes = md.encode_to_vec();
    let decoded = ConnectorMetadata::decode(bytes.as_slice()).unwrap();
    assert_eq!(decoded.capabilities, Some(caps.clone()));
    // Field 8 (the last one set), length-delimited: tag 0x42, the length, the message.
    let inner = caps.encode_to_vec();
    let mut tail = vec![0x42];
    prost::encoding::encode_varint(inner.len() as u64, &mut tail);
    tail.extend(inner);
    assert!(bytes.ends_with(&tail));
}

#[test]
fn document_of_a_small_connector() {
    let fake = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
        .resource_type(ResourceType::new("key", "Access key"))
        .accounts("user")
        .deletion("key")
        .build();
    let doc = capabilities_json(&connector_capabilities(&fake).unwrap());
    let want = r#"{
  "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
  "resourceTypeCapabilities": [
    {
      "resourceType": {
        "id": "key",
        "displayName": "Access key"
      },
      "capabilities": [
        "CAPABILITY_SYNC",
        "CAPABILITY_RESOURCE_DELETE"
      ],
      "permissions": {}
    },
    {
      "resourceType": {
        "id": "user",
        "displayName": "User",
        "traits": [
          "TRAIT_USER"
        ]
      },
      "capabilities": [
        "CAPABILITY_SYNC",
        "CAPABILITY_ACCOUNT_PROVISIONING"
      ],
      "permissions": {}
    }
  ],
  "connectorCapabilities": [
    "CAPABILITY_SYNC",
    "CAPABILITY_ACCOUNT_PROVISIONING",
    "CAPABILITY_RESOURCE_DELETE"
  ],
  "credentialDetails": {
    "capabilityAccountProvisioning": {
      "supportedCredentialOptions": [
        "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD",
        "CAPABILITY_DETAIL_CREDENTIAL_OPTION_RANDOM_PASSWORD",
        "CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO"
      ],
      "preferredCredentialOption": "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"
    }
  }
}"#;
    assert_eq!(doc, want);
}

/// A one-type connector whose account manager declares `details`.
struct BadDetails(CredentialDetailsAccountProvisioning);

#[async_trait]
impl AccountManager for BadDetails {
    async fn create_account(
        &self,
        _: &AccountInfo,
        _: Option<&LocalCredentialOptions>,
    ) -> Result<AccountCreated, Error> {
        Err(Error::internal("not called"))
    }
    fn capability_details(&self) -> CredentialDetailsAccountProvisioning {
        self.0.clone()
    }
}

#[async_trait]
impl ResourceSyncer for BadDetails {
    fn resource_type(&self) -> ResourceType {
        ResourceType::new("user", "User")
    }
    async fn list(&self, _: Option<&ResourceId>, _: Option<&str>) -> Result<Page<Resource>, Error> {
        Ok(Page::empty())
    }
    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::empty())
    }
    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        Ok(Page::empty())
    }
    fn account_manager(&self) -> Option<&dyn AccountManager> {
        Some(self)
    }
}

struct OneType(Arc<BadDetails>);

#[async_trait]
impl Connector for OneType {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("One", "One type"))
    }
    async fn validate(&self) -> Result<Annotations, Error> {
        Ok(Annotations::new())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        vec![self.0.clone()]
    }
}

#[tokio::test]
async fn credential_details_are_validated() {
    for (details, needle) in [
        (
            CredentialDetailsAccountProvisioning::new([Opt::NoPassword], Opt::Unspecified),
            "no preferred",
        ),
        (
            CredentialDetailsAccountProvisioning::new([Opt::NoPassword], Opt::Sso),
            "not among",
        ),
    ] {
        let c = OneType(Arc::new(BadDetails(details)));
        let e = metadata_with_capabilities(&c).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument);
        assert!(e.message().contains(needle), "{e}");
    }
}
