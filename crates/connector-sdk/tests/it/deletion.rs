//! Resource deletion through the dispatch helpers and the fake connector.

use std::sync::Arc;

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    AnnotationsExt, Capability, DeleteResourceRequest, DeleteResourceV2Request,
    ResourceDoesNotExist, ResourceId,
};
use c1_connector_sdk::ops::{delete_resource, delete_resource_v2};
use c1_connector_sdk::store::JsonlWriter;

use super::org;

fn req(t: &str, id: &str) -> DeleteResourceRequest {
    DeleteResourceRequest {
        resource_id: Some(ResourceId::new(t, id)),
        parent_resource_id: None,
    }
}

#[tokio::test]
async fn delete_is_idempotent_and_shows_in_the_next_sync() {
    let fake = org().deletion("group").build();
    let grants_before = fake.current_grants().len();
    let resp = delete_resource(&fake, &req("group", "g2")).await.unwrap();
    assert!(resp.annotations.is_empty());
    assert!(
        !fake
            .current_resources()
            .iter()
            .any(|r| r.resource_id() == ResourceId::new("group", "g2"))
    );
    // g2's 4 member grants went with it.
    assert_eq!(fake.current_grants().len(), grants_before - 4);

    let again = delete_resource_v2(
        &fake,
        &DeleteResourceV2Request {
            resource_id: Some(ResourceId::new("group", "g2")),
            parent_resource_id: None,
        },
    )
    .await
    .unwrap();
    assert!(
        again
            .annotations
            .contains_annotation::<ResourceDoesNotExist>()
    );

    let mut out = JsonlWriter::new(Vec::new());
    let stats = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut out)
        .await
        .unwrap();
    assert_eq!(stats.resources_by_type["group"], 1);
    assert_eq!(stats.grants, grants_before as u64 - 4);
    assert!(
        fake.capabilities()
            .iter()
            .find(|c| c.resource_type.id == "group")
            .unwrap()
            .capabilities
            .contains(&Capability::ResourceDelete)
    );
}

#[tokio::test]
async fn delete_is_routed_by_type_and_checked() {
    let fake = org().deletion("group").build();
    let e = delete_resource(&fake, &req("user", "u1"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unimplemented);
    assert!(e.message().contains("types that do: group"), "{e}");
    for bad in [
        DeleteResourceRequest::default(),
        req("", "g1"),
        req("group", ""),
    ] {
        let e = delete_resource(&fake, &bad).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument);
    }
    assert!(
        !fake.call_log().iter().any(|l| l.starts_with("delete")),
        "nothing reached the connector"
    );
}
