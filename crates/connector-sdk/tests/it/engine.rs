use std::sync::{Arc, Mutex};
use std::time::Duration;

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::engine::{Phase, SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{
    Entitlement, Grant, Resource, ResourceId, ResourceType, SkipEntitlementsAndGrants, SkipGrants,
    Trait, UserTrait,
};
use c1_connector_sdk::store::JsonlWriter;
use c1_connector_sdk::testing::{FakeConnector, FakeOp, Fault};
use tokio_util::sync::CancellationToken;

use super::org;

fn sink() -> JsonlWriter<Vec<u8>> {
    JsonlWriter::new(Vec::new())
}

#[tokio::test(start_paused = true)]
async fn full_sync_paginates_and_lists_children() {
    let fake = org().page_size(2).build();
    let mut out = sink();
    let stats = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut out)
        .await
        .unwrap();
    assert_eq!(stats.resource_types, 3);
    assert_eq!(stats.resources_by_type["user"], 5);
    assert_eq!(stats.resources_by_type["group"], 2);
    assert_eq!(stats.resources_by_type["team"], 3);
    assert_eq!(stats.entitlements, 2);
    assert_eq!(stats.grants, 9);
    let log = fake.call_log();
    // Users: 3 pages of 2.
    assert_eq!(
        log.iter().filter(|l| l.starts_with("list user -")).count(),
        3
    );
    // The child type is listed once with no parent (like baton) and once per parent.
    assert!(log.contains(&"list team - None".to_owned()));
    assert!(log.contains(&"list team group:g1 None".to_owned()));
    assert!(log.contains(&"list team group:g1 Some(\"2\")".to_owned()));
    assert!(log.contains(&"list team group:g2 None".to_owned()));
    // Order of phases: every list before any entitlements, every entitlements before grants.
    let last_list = log.iter().rposition(|l| l.starts_with("list")).unwrap();
    let first_ent = log
        .iter()
        .position(|l| l.starts_with("entitlements"))
        .unwrap();
    let last_ent = log
        .iter()
        .rposition(|l| l.starts_with("entitlements"))
        .unwrap();
    let first_grant = log.iter().position(|l| l.starts_with("grants")).unwrap();
    assert!(last_list < first_ent && last_ent < first_grant);
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    assert_eq!(text.lines().count(), 3 + 10 + 2 + 9);
}

#[tokio::test(start_paused = true)]
async fn concurrency_cap_is_respected() {
    for cap in [1usize, 3, 6] {
        let fake = org().page_size(1).delay(Duration::from_millis(50)).build();
        Syncer::new(
            Arc::new(fake.clone()),
            SyncOptions::default().with_concurrency(cap),
        )
        .run(&mut sink())
        .await
        .unwrap();
        assert!(
            fake.max_in_flight() <= cap,
            "cap {cap}: {}",
            fake.max_in_flight()
        );
        assert!(
            fake.max_in_flight() >= cap.min(3),
            "cap {cap} never reached"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn retries_unavailable_then_succeeds() {
    let fake = org()
        .fault(
            Fault::new(FakeOp::List, Code::Unavailable)
                .for_type("user")
                .times(3),
        )
        .fault(
            Fault::new(FakeOp::Grants, Code::DeadlineExceeded).retry_after(Duration::from_secs(30)),
        )
        .build();
    let started = tokio::time::Instant::now();
    let stats = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap();
    assert_eq!(stats.retries, 4);
    assert_eq!(stats.grants, 9);
    // 1 + 2 + 3 s of linear back-off (in one job) and the 30 s the error asked for.
    assert!(started.elapsed() >= Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_retries_and_on_permanent_errors() {
    let fake = org()
        .fault(Fault::new(FakeOp::List, Code::Unavailable).times(100))
        .build();
    let err = Syncer::new(Arc::new(fake), SyncOptions::default().with_max_retries(2))
        .run(&mut sink())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);

    let fake = org()
        .fault(Fault::new(FakeOp::List, Code::PermissionDenied))
        .build();
    let err = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

#[tokio::test(start_paused = true)]
async fn an_error_marked_not_retryable_is_not_retried() {
    // The connector's own client already retried: the engine must not multiply the attempts.
    let fake = org()
        .fault(
            Fault::new(FakeOp::List, Code::Unavailable)
                .for_type("group")
                .retryable(false),
        )
        .build();
    let err = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    assert!(!err.is_retryable());
    let group_lists = fake
        .call_log()
        .iter()
        .filter(|l| l.starts_with("list group"))
        .count();
    assert_eq!(group_lists, 1, "{:?}", fake.call_log());

    // And an error of a non-retryable code marked retryable is retried.
    let fake = org()
        .fault(
            Fault::new(FakeOp::List, Code::Internal)
                .for_type("group")
                .retryable(true),
        )
        .build();
    let stats = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap();
    assert_eq!(stats.retries, 1);
}

#[tokio::test(start_paused = true)]
async fn not_found_on_grants_is_a_warning() {
    let fake = org()
        .fault(Fault::new(FakeOp::Grants, Code::NotFound).for_type("group"))
        .build();
    let stats = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap();
    assert_eq!(stats.warnings, 1);
    assert!(stats.grants < 9);
}

/// A `NotFound` from building the connector's shared state (an index every grants call reads)
/// is not a vanished resource: the sync fails with it, in the entitlements phase and in the
/// grants phase, rather than skipping every resource and succeeding without their grants.
#[tokio::test(start_paused = true)]
async fn not_found_in_shared_state_fails_the_sync() {
    for op in [FakeOp::Grants, FakeOp::Entitlements] {
        let fake = org()
            .fault(
                Fault::new(op, Code::NotFound)
                    .for_type("group")
                    .in_shared_state(),
            )
            .build();
        let err = Syncer::new(Arc::new(fake), SyncOptions::default())
            .run(&mut sink())
            .await
            .expect_err("the sync fails");
        assert_eq!(err.code(), Code::NotFound, "{err}");
        assert!(err.is_in_shared_state(), "{err:?}");
        assert!(err.message().contains("injected"), "keeps its cause: {err}");
    }
}

#[tokio::test(start_paused = true)]
async fn cancellation_stops_the_sync() {
    let fake = org().delay(Duration::from_secs(1)).build();
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        c.cancel();
    });
    let err = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_cancel(cancel),
    )
    .run(&mut sink())
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::Cancelled);
    let calls = fake.calls();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(fake.calls(), calls, "no calls after cancellation");
}

#[tokio::test(start_paused = true)]
async fn unchanged_page_token_is_an_error() {
    let fake = org().stuck_token("user").build();
    let err = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Internal);
    assert!(
        err.to_string().contains("next page token unchanged"),
        "{err}"
    );
    assert!(fake.calls() < 20);
}

#[tokio::test(start_paused = true)]
async fn integrity_missing_trait() {
    let fake = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User").with_trait(Trait::User))
        .resource(Resource::new("user", "u1", "No trait"))
        .build();
    let err = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(
        err.to_string()
            .contains("user:u1 lacks the trait annotation for TRAIT_USER"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn integrity_grant_references() {
    let user_t = ResourceType::new("user", "User");
    let u1 = Resource::new("user", "u1", "U1");
    let e = Entitlement::assignment(&u1, "manager");
    let ghost_ent = Entitlement::assignment(&u1, "ghost");
    let fake = FakeConnector::builder()
        .resource_type(user_t)
        .resource(u1.clone())
        .entitlement(e.clone())
        .grant(Grant::new(&e, ResourceId::new("user", "nobody")))
        .grant(Grant::new(&ghost_ent, u1.resource_id()))
        .build();
    let err = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(msg.contains("2 problem(s)"), "{msg}");
    assert!(
        msg.contains("principal user:nobody, which is not in this sync"),
        "{msg}"
    );
    assert!(msg.contains("entitlement \"user:u1:ghost\""), "{msg}");
}

#[tokio::test(start_paused = true)]
async fn integrity_unknown_resource_type() {
    let fake = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .resource(
            Resource::new("user", "u1", "U1")
                .with_annotation(&c1_connector_sdk::model::ChildResourceType::new("nope")),
        )
        .build();
    let err = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("child type \"nope\""), "{err}");
}

#[tokio::test(start_paused = true)]
async fn skip_annotations_avoid_calls() {
    let fake =
        FakeConnector::builder()
            .resource_type(
                ResourceType::new("user", "User")
                    .with_trait(Trait::User)
                    .with_annotation(&SkipEntitlementsAndGrants {}),
            )
            .resource_type(ResourceType::new("app", "App"))
            .resources((0..50).map(|i| {
                Resource::new("user", format!("u{i}"), "U").with_user_trait(UserTrait::new())
            }))
            .resource(Resource::new("app", "a1", "A1").with_annotation(&SkipGrants {}))
            .build();
    let stats = Syncer::new(Arc::new(fake.clone()), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap();
    assert_eq!(stats.resources(), 51);
    let log = fake.call_log();
    assert!(
        !log.iter()
            .any(|l| l.starts_with("entitlements user") || l.starts_with("grants"))
    );
    assert!(log.iter().any(|l| l.starts_with("entitlements app:a1")));
}

#[tokio::test(start_paused = true)]
async fn duplicate_resources_are_counted_once() {
    let u = Resource::new("user", "u1", "U1");
    let fake = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .resource(u.clone())
        .resource(u.clone())
        .resource(u)
        .build();
    let mut out = sink();
    let stats = Syncer::new(Arc::new(fake), SyncOptions::default())
        .run(&mut out)
        .await
        .unwrap();
    assert_eq!(stats.resources_by_type["user"], 1);
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    assert_eq!(text.matches("\"resource\":{").count(), 1);
}

#[tokio::test(start_paused = true)]
async fn progress_is_reported_per_phase() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let fake = org().build();
    Syncer::new(
        Arc::new(fake),
        SyncOptions::default().with_progress(move |p| s.lock().unwrap().push((p.phase, p.grants))),
    )
    .run(&mut sink())
    .await
    .unwrap();
    let seen = seen.lock().unwrap();
    let phases: Vec<Phase> = seen.iter().map(|(p, _)| *p).collect();
    assert!(phases.is_sorted(), "{phases:?}");
    assert_eq!(phases.last(), Some(&Phase::Finishing));
    assert_eq!(seen.last().map(|(_, g)| *g), Some(9));
}

#[tokio::test(start_paused = true)]
async fn capabilities_are_derived() {
    let plain = org().build();
    let caps = plain.capabilities();
    assert_eq!(caps.len(), 3);
    assert!(
        caps.iter()
            .all(|c| c.capabilities == vec![c1_connector_sdk::model::Capability::Sync])
    );
    let prov = org().provisioning(true).build();
    assert!(prov.capabilities().iter().all(|c| {
        c.capabilities
            .contains(&c1_connector_sdk::model::Capability::Provision)
    }));
}

/// Counts checkpoints, to see the interval at work.
#[derive(Default)]
struct Recording {
    checkpoints: Vec<String>,
}

#[async_trait::async_trait]
impl c1_connector_sdk::store::SyncStore for Recording {
    async fn start_sync(&mut self) -> Result<String, c1_connector_sdk::error::Error> {
        Ok("s".into())
    }
    async fn put_resource_types(
        &mut self,
        _: Vec<ResourceType>,
    ) -> Result<(), c1_connector_sdk::error::Error> {
        Ok(())
    }
    async fn put_resources(
        &mut self,
        _: Vec<Resource>,
    ) -> Result<(), c1_connector_sdk::error::Error> {
        Ok(())
    }
    async fn put_entitlements(
        &mut self,
        _: Vec<Entitlement>,
    ) -> Result<(), c1_connector_sdk::error::Error> {
        Ok(())
    }
    async fn put_grants(&mut self, _: Vec<Grant>) -> Result<(), c1_connector_sdk::error::Error> {
        Ok(())
    }
    async fn checkpoint(&mut self, state: String) -> Result<(), c1_connector_sdk::error::Error> {
        self.checkpoints.push(state);
        Ok(())
    }
    async fn finish(&mut self) -> Result<(), c1_connector_sdk::error::Error> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn checkpoints_at_phase_boundaries_and_on_the_interval() {
    // 1 s per call, one call in flight: the grants phase alone takes well over 10 s.
    let fake = org().page_size(1).delay(Duration::from_secs(1)).build();
    let mut rec = Recording::default();
    Syncer::new(
        Arc::new(fake),
        SyncOptions::default()
            .with_concurrency(1)
            .with_checkpoint_interval(Duration::from_secs(10)),
    )
    .run(&mut rec)
    .await
    .unwrap();
    let phases: Vec<&str> = rec
        .checkpoints
        .iter()
        .map(|c| {
            let v: serde_json::Value = serde_json::from_str(c).unwrap();
            match v["phase"].as_str().unwrap() {
                "resources" => "r",
                "entitlements" => "e",
                _ => "g",
            }
        })
        .collect();
    // Three boundaries plus periodic ones in the long phases.
    assert!(phases.len() > 4, "{phases:?}");
    assert_eq!(phases.first(), Some(&"r"));
    assert!(phases.contains(&"e") && phases.contains(&"g"));
    assert!(phases.is_sorted_by(|a, b| (*a == "r" || *b != "r") && (*a != "g" || *b == "g")));
}

#[tokio::test(start_paused = true)]
async fn sync_resource_types_lists_only_the_selected_types() {
    let fake = org().build();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_sync_resource_types(["group"]),
    )
    .run(&mut sink())
    .await
    .unwrap();
    assert_eq!(stats.resource_types, 1);
    assert_eq!(
        stats.resources_by_type.keys().collect::<Vec<_>>(),
        vec!["group"]
    );
    assert_eq!(stats.entitlements, 2);
    // Grants to users stay, although users are not part of this sync.
    assert_eq!(stats.grants, 9);
    let log = fake.call_log();
    assert!(
        log.iter()
            .all(|l| !l.starts_with("list user") && !l.starts_with("list team")),
        "{log:?}"
    );

    // A selected child type is listed at the top and under its selected parents.
    let fake = org().build();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_sync_resource_types(["team", "group"]),
    )
    .run(&mut sink())
    .await
    .unwrap();
    assert_eq!(stats.resources_by_type["team"], 3);
    assert!(
        fake.call_log()
            .contains(&"list team group:g1 None".to_owned())
    );
    assert!(!fake.call_log().iter().any(|l| l.starts_with("list user")));
}

#[tokio::test(start_paused = true)]
async fn an_unknown_selected_type_names_the_known_ones() {
    let fake = org().build();
    let err = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_sync_resource_types(["user", "robot"]),
    )
    .run(&mut sink())
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("robot"), "{err}");
    assert!(err.message().contains("group, team, user"), "{err}");
    // Nothing was listed.
    assert!(fake.call_log().iter().all(|l| l == "validate"));
}

#[tokio::test(start_paused = true)]
async fn skip_entitlements_and_grants_syncs_resources_only() {
    let fake = org().build();
    let mut out = sink();
    let stats = Syncer::new(
        Arc::new(fake.clone()),
        SyncOptions::default().with_skip_entitlements_and_grants(true),
    )
    .run(&mut out)
    .await
    .unwrap();
    assert_eq!(stats.resources(), 10);
    assert_eq!((stats.entitlements, stats.grants), (0, 0));
    assert!(
        fake.call_log()
            .iter()
            .all(|l| l == "validate" || l.starts_with("list ")),
        "{:?}",
        fake.call_log()
    );
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    assert_eq!(text.lines().count(), 3 + 10);
}

/// A connector whose syncers exist only per sync: `syncers()` has none.
struct PerSync {
    fake: FakeConnector,
    begins: std::sync::atomic::AtomicUsize,
    fail: bool,
}

#[async_trait::async_trait]
impl Connector for PerSync {
    async fn metadata(
        &self,
    ) -> Result<c1_connector_sdk::model::ConnectorMetadata, c1_connector_sdk::error::Error> {
        self.fake.metadata().await
    }
    async fn validate(
        &self,
    ) -> Result<c1_connector_sdk::model::Annotations, c1_connector_sdk::error::Error> {
        self.fake.validate().await
    }
    fn syncers(&self) -> Vec<Arc<dyn c1_connector_sdk::connector::ResourceSyncer>> {
        Vec::new()
    }
    async fn begin_sync(
        &self,
        session: c1_connector_sdk::session::SyncSession,
    ) -> Result<
        Vec<Arc<dyn c1_connector_sdk::connector::ResourceSyncer>>,
        c1_connector_sdk::error::Error,
    > {
        self.begins
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.fail {
            return Err(c1_connector_sdk::error::Error::permission_denied(
                "no access to the directory",
            ));
        }
        assert!(!session.is_resumed());
        assert!(!session.sync_id().is_empty());
        self.fake.begin_sync(session).await
    }
}

#[tokio::test(start_paused = true)]
async fn the_engine_takes_its_syncers_from_begin_sync_once_per_sync() {
    let connector = Arc::new(PerSync {
        fake: org().build(),
        begins: Default::default(),
        fail: false,
    });
    for n in 1..=2 {
        let stats = Syncer::new(connector.clone(), SyncOptions::default())
            .run(&mut sink())
            .await
            .unwrap();
        assert_eq!(stats.resources(), 10);
        assert_eq!(stats.grants, 9);
        assert_eq!(
            connector.begins.load(std::sync::atomic::Ordering::SeqCst),
            n
        );
    }

    let failing = Arc::new(PerSync {
        fake: org().build(),
        begins: Default::default(),
        fail: true,
    });
    let err = Syncer::new(failing.clone(), SyncOptions::default())
        .run(&mut sink())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert!(err.message().starts_with("begin sync: "), "{err}");
    assert_eq!(failing.fake.call_log(), vec!["validate".to_owned()]);
}
