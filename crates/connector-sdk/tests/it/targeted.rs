//! Targeted syncs (baton's `--sync-resources`): only the targets, their children (resources
//! only), and the targets' entitlements and grants.

use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, Syncer, TargetedResource};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::store::{C1zReader, C1zWriter, JsonlWriter};

use super::org;

fn targets(list: &str) -> Vec<TargetedResource> {
    TargetedResource::parse_list(list).unwrap()
}

#[tokio::test]
async fn a_targeted_sync_fetches_the_target_its_children_entitlements_and_grants_only() {
    let fake = org().page_size(2).targeted_get(true).build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.c1z");
    let mut store = C1zWriter::create(&path).unwrap();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_targeted_resources(targets("group:g1")),
    )
    .run(&mut store)
    .await
    .unwrap();
    assert_eq!(stats.resources_by_type["group"], 1);
    assert_eq!(stats.resources_by_type["team"], 3, "the children under g1");
    assert!(!stats.resources_by_type.contains_key("user"));
    assert_eq!(stats.entitlements, 1);
    assert_eq!(
        stats.grants, 5,
        "g1's members, whose users are not in the sync"
    );
    let log = fake.call_log();
    assert!(log.contains(&"get group:g1 -".to_owned()), "{log:?}");
    assert!(
        !log.iter().any(|l| l.starts_with("list user")
            || l.starts_with("list group")
            || l.contains("g2")
            || l.contains("team:t")),
        "nothing but the target and its children is listed: {log:?}"
    );
    let reader = C1zReader::open(&path).unwrap();
    let sync = reader.selected_sync().unwrap();
    assert_eq!(sync.sync_type, "partial");
    assert!(sync.is_finished());
    assert_eq!(reader.resource_types().unwrap().len(), 3);
    assert_eq!(reader.grants().unwrap().len(), 5);
}

#[tokio::test]
async fn skip_grants_lists_entitlements_but_no_grants() {
    let fake = org().targeted_get(true).build();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default()
            .with_targeted_resources(targets("group:g2,group:g2,bid:r:user/u1"))
            .with_skip_grants(true),
    )
    .run(&mut JsonlWriter::new(Vec::new()))
    .await
    .unwrap();
    assert_eq!(stats.resources(), 2, "a repeated target is synced once");
    assert_eq!(stats.entitlements, 1);
    assert_eq!(stats.grants, 0);
    assert!(!fake.call_log().iter().any(|l| l.starts_with("grants")));
    assert_eq!(
        fake.call_log()
            .iter()
            .filter(|l| l.starts_with("get group:g2"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_missing_target_is_a_warning_and_the_type_selection_filters_targets() {
    let fake = org().targeted_get(true).build();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default()
            .with_targeted_resources(targets("user:gone,user:u2,group:g1"))
            .with_sync_resource_types(["user"]),
    )
    .run(&mut JsonlWriter::new(Vec::new()))
    .await
    .unwrap();
    assert_eq!(stats.warnings, 1);
    assert_eq!(stats.resources(), 1);
    assert_eq!(stats.resources_by_type["user"], 1);
    assert!(!fake.call_log().iter().any(|l| l.contains("group:g1")));
}

#[tokio::test]
async fn refusals_come_before_any_fetch() {
    // No getter for the type.
    let fake = org().build();
    let err = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_targeted_resources(targets("user:u1")),
    )
    .run(&mut JsonlWriter::new(Vec::new()))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("cannot fetch one resource"), "{err}");
    // A type the connector does not sync.
    let fake = org().targeted_get(true).build();
    let err = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_targeted_resources(targets("robot:r1")),
    )
    .run(&mut JsonlWriter::new(Vec::new()))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("group, team, user"), "{err}");
    assert!(!fake.call_log().iter().any(|l| l.starts_with("get")));
    // --skip-grants outside a targeted sync (baton refuses it too).
    let err = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_skip_grants(true),
    )
    .run(&mut JsonlWriter::new(Vec::new()))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("targeted sync"), "{err}");
}

#[tokio::test]
async fn a_connector_answering_another_resource_fails_the_sync() {
    use async_trait::async_trait;
    use c1_connector_sdk::connector::{Connector, ResourceGetter, ResourceSyncer};
    use c1_connector_sdk::error::Error;
    use c1_connector_sdk::model::{
        Annotations, ConnectorMetadata, Entitlement, Grant, Resource, ResourceId, ResourceType,
    };
    use c1_connector_sdk::page::Page;

    struct Liar;
    #[async_trait]
    impl ResourceSyncer for Liar {
        fn resource_type(&self) -> ResourceType {
            ResourceType::new("user", "User")
        }
        async fn list(
            &self,
            _: Option<&ResourceId>,
            _: Option<&str>,
        ) -> Result<Page<Resource>, Error> {
            Ok(Page::last(Vec::new()))
        }
        async fn entitlements(
            &self,
            _: &Resource,
            _: Option<&str>,
        ) -> Result<Page<Entitlement>, Error> {
            Ok(Page::last(Vec::new()))
        }
        async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
            Ok(Page::last(Vec::new()))
        }
        fn resource_getter(&self) -> Option<&dyn ResourceGetter> {
            Some(self)
        }
    }
    #[async_trait]
    impl ResourceGetter for Liar {
        async fn get(&self, _: &ResourceId, _: Option<&ResourceId>) -> Result<Resource, Error> {
            Ok(Resource::new("user", "someone-else", "Someone else"))
        }
    }
    struct C;
    #[async_trait]
    impl Connector for C {
        async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
            Ok(ConnectorMetadata::new("c", "c"))
        }
        async fn validate(&self) -> Result<Annotations, Error> {
            Ok(Annotations::new())
        }
        fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
            vec![Arc::new(Liar)]
        }
    }
    let err = Syncer::new(
        Arc::new(C),
        SyncOptions::default().with_targeted_resources(targets("user:u1")),
    )
    .run(&mut JsonlWriter::new(Vec::new()))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("someone-else"), "{err}");
}
