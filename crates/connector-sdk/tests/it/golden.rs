//! The new messages against encodings made by Google's protobuf runtime from baton-sdk's
//! `.proto` files (`tests/fixtures/golden-v2.txt`, see `golden-v2.py`), and the capabilities
//! document against protojson (`tests/fixtures/golden-capabilities.json`).

use std::collections::HashMap;

use c1_connector_sdk::model::{
    AccountInfo, ActionType, Annotations, BatonActionSchema, BatonActionStatus, Capability,
    CapabilityDetailCredentialOption as Opt, CapabilityPermission, CapabilityPermissions,
    ConnectorAccountCreationSchema, ConnectorCapabilities, ConnectorMetadata, CreateAccountRequest,
    CreateAccountResponse, CreateGrantEvent, CreateRevokeEvent, CredentialDetails,
    CredentialDetailsAccountProvisioning, CredentialDetailsCredentialRotation, CredentialOptions,
    DeleteResourceRequest, DeleteResourceResponse, EncryptedData, EncryptionConfig, Entitlement,
    Event, EventFeedMetadata, EventType, GetActionSchemaRequest, GetActionSchemaResponse,
    GetActionStatusRequest, GetActionStatusResponse, Grant, GrantEvent, InvokeActionRequest,
    InvokeActionResponse, ListActionSchemasRequest, ListActionSchemasResponse,
    ListEventFeedsResponse, ListEventsRequest, ListEventsResponse, PasswordConstraint,
    PlaintextData, Resource, ResourceChangeEvent, ResourceDoesNotExist, ResourceId, ResourceType,
    ResourceTypeCapability, RevokeEvent, SkipEntitlementsAndGrants, Trait, UsageEvent,
    account_creation_schema as acs, config, config::BoolField, config::Constraint,
    config::ConstraintKind, config::IntField, config::ResourceIdField, config::StringField,
    config::StringFieldOption, config::StringFieldType, config::StringSliceField, config::field,
    create_account_response as car, credential_options as co, encryption_config as ecfg, event,
    json_object_to_struct,
};
use c1_connector_sdk::ops::capabilities_json;
use prost::Message;
use prost_types::{Any, Timestamp};
use serde_json::json;

fn goldens() -> HashMap<String, Vec<u8>> {
    let text = include_str!("../fixtures/golden-v2.txt");
    text.lines()
        .map(|l| {
            let (name, hex) = l.split_once(' ').unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (name.to_owned(), bytes)
        })
        .collect()
}

fn check<M: Message + Default + PartialEq + std::fmt::Debug>(
    g: &HashMap<String, Vec<u8>>,
    name: &str,
    m: &M,
) {
    let want = g.get(name).unwrap_or_else(|| panic!("no golden {name}"));
    assert_eq!(&m.encode_to_vec(), want, "encoding of {name}");
    assert_eq!(
        &M::decode(want.as_slice()).unwrap(),
        m,
        "decoding of {name}"
    );
}

fn rid(t: &str, i: &str) -> ResourceId {
    ResourceId::new(t, i)
}

fn user() -> Resource {
    Resource::new("user", "u1", "Ann")
}

fn ann() -> Vec<Any> {
    Annotations::with(&ResourceDoesNotExist {}).into_inner()
}

fn st(v: serde_json::Value) -> prost_types::Struct {
    match v {
        serde_json::Value::Object(m) => json_object_to_struct(m),
        _ => unreachable!(),
    }
}

fn ts() -> Timestamp {
    Timestamp {
        seconds: 1_700_000_060,
        nanos: 123,
    }
}

fn info() -> AccountInfo {
    AccountInfo::new("ann")
        .with_email("ann@example.com", true)
        .with_email("a@old.example.com", false)
        .with_login_alias("ann.lee")
        .with_login_alias("al")
        .with_profile(st(json!({"tenant": "T1", "admin": true, "n": 3})))
}

fn random_password() -> CredentialOptions {
    let mut o = CredentialOptions::random_password(16);
    o.force_change_at_next_login = true;
    if let Some(co::Options::RandomPassword(r)) = &mut o.options {
        r.constraints.push(PasswordConstraint {
            char_set: "0123456789".into(),
            min_count: 2,
        });
    }
    o
}

fn encrypted_data() -> EncryptedData {
    EncryptedData {
        provider: "baton/jwk/v1".into(),
        key_id: "k".into(),
        name: "password".into(),
        description: "d".into(),
        schema: "s".into(),
        encrypted_bytes: vec![0, 1, 0xff],
        key_ids: vec!["k1".into(), "k2".into()],
    }
}

fn schema() -> ConnectorAccountCreationSchema {
    let f = |display: &str, order: i32, kind: acs::Kind| acs::Field {
        display_name: display.into(),
        order,
        field: Some(kind),
        ..Default::default()
    };
    let mut s = ConnectorAccountCreationSchema::new();
    s.field_map.insert(
        "email".into(),
        acs::Field {
            required: true,
            description: "d".into(),
            placeholder: "p".into(),
            ..f(
                "Email",
                0,
                acs::Kind::StringField(acs::StringField {
                    default_value: Some("x@y".into()),
                }),
            )
        },
    );
    s.field_map.insert(
        "admin".into(),
        f(
            "Admin",
            1,
            acs::Kind::BoolField(acs::BoolField {
                default_value: Some(false),
            }),
        ),
    );
    s.field_map.insert(
        "tenants".into(),
        acs::Field {
            deprecated: true,
            ..f(
                "Tenants",
                2,
                acs::Kind::StringListField(acs::StringListField {
                    default_value: vec!["a".into(), "b".into()],
                }),
            )
        },
    );
    s.field_map.insert(
        "age".into(),
        f(
            "Age",
            3,
            acs::Kind::IntField(acs::IntField {
                default_value: Some(7),
            }),
        ),
    );
    let mut inner = std::collections::BTreeMap::new();
    inner.insert(
        "k".to_owned(),
        f(
            "K",
            0,
            acs::Kind::StringField(acs::StringField {
                default_value: None,
            }),
        ),
    );
    s.field_map.insert(
        "extra".into(),
        f(
            "Extra",
            4,
            acs::Kind::MapField(acs::MapField {
                default_value: inner,
            }),
        ),
    );
    s
}

fn action_schema() -> BatonActionSchema {
    let string = config::Field {
        name: "mode".into(),
        display_name: "Mode".into(),
        description: "d".into(),
        placeholder: "p".into(),
        is_required: true,
        is_ops: true,
        is_secret: true,
        field: Some(field::Kind::StringField(StringField {
            default_value: "a".into(),
            r#type: StringFieldType::ConnectorDerivedOptions as i32,
            allowed_extensions: vec![".txt".into()],
            options: vec![StringFieldOption {
                name: "n".into(),
                value: "v".into(),
                display_name: "N".into(),
            }],
            suggested_value: "b".into(),
        })),
    };
    let kind = |name: &str, k: field::Kind| config::Field {
        name: name.into(),
        field: Some(k),
        ..Default::default()
    };
    let mut rid_field = config::Field::resource_id("resource_id", "User").required();
    rid_field.field = Some(field::Kind::ResourceIdField(ResourceIdField {
        default_value: Some(config::ResourceId {
            resource_type_id: "user".into(),
            resource_id: "u1".into(),
        }),
    }));
    BatonActionSchema {
        name: "disable".into(),
        arguments: vec![
            string,
            kind(
                "count",
                field::Kind::IntField(IntField {
                    default_value: -3,
                    suggested_value: 9,
                }),
            ),
            kind(
                "force",
                field::Kind::BoolField(BoolField {
                    default_value: true,
                    suggested_value: true,
                }),
            ),
            kind(
                "tags",
                field::Kind::StringSliceField(StringSliceField {
                    default_value: vec!["a".into()],
                    suggested_value: vec!["b".into()],
                }),
            ),
            rid_field,
        ],
        constraints: vec![Constraint {
            kind: ConstraintKind::DependentOn as i32,
            field_names: vec!["a".into(), "b".into()],
            secondary_field_names: vec!["c".into()],
            name: "n".into(),
            help_text: "h".into(),
            is_field_group: true,
        }],
        return_types: vec![kind(
            "status",
            field::Kind::StringField(StringField::default()),
        )],
        display_name: "Disable".into(),
        description: "Disables".into(),
        action_type: vec![
            ActionType::AccountDisable as i32,
            ActionType::Dynamic as i32,
        ],
        resource_type_id: "user".into(),
    }
}

fn capabilities() -> ConnectorCapabilities {
    let perms = CapabilityPermissions {
        permissions: vec![CapabilityPermission {
            permission: "users:read".into(),
        }],
    };
    let user_type = ResourceType::new("user", "User")
        .with_trait(Trait::User)
        .with_description("People")
        .with_annotation(&SkipEntitlementsAndGrants {})
        .with_annotation(&perms);
    let caps = |c: &[Capability]| c.iter().map(|c| *c as i32).collect::<Vec<_>>();
    ConnectorCapabilities {
        resource_type_capabilities: vec![
            ResourceTypeCapability {
                resource_type: Some(ResourceType::new("key", "Access key")),
                capabilities: caps(&[Capability::Sync, Capability::ResourceDelete]),
                permissions: Some(CapabilityPermissions::default()),
                opt_in_required: true,
                skip_sync_anomaly_detection: false,
                deprecated: true,
            },
            ResourceTypeCapability {
                resource_type: Some(user_type),
                capabilities: caps(&[
                    Capability::Sync,
                    Capability::TargetedSync,
                    Capability::Provision,
                    Capability::AccountProvisioning,
                ]),
                permissions: Some(perms),
                opt_in_required: false,
                skip_sync_anomaly_detection: true,
                deprecated: false,
            },
        ],
        connector_capabilities: caps(&[
            Capability::Provision,
            Capability::Sync,
            Capability::AccountProvisioning,
            Capability::ResourceDelete,
            Capability::Actions,
            Capability::TargetedSync,
            Capability::EventFeedV2,
            Capability::ServiceModeTargetedSync,
        ]),
        credential_details: Some(CredentialDetails {
            capability_account_provisioning: Some(CredentialDetailsAccountProvisioning::new(
                [Opt::NoPassword, Opt::RandomPassword],
                Opt::NoPassword,
            )),
            capability_credential_rotation: Some(CredentialDetailsCredentialRotation {
                supported_credential_options: vec![Opt::Sso as i32],
                preferred_credential_option: Opt::Sso as i32,
            }),
        }),
    }
}

#[test]
fn account_messages_match_protobuf() {
    let g = goldens();
    check(&g, "account_info", &info());
    check(&g, "credential_options_random", &random_password());
    check(
        &g,
        "credential_options_sso",
        &CredentialOptions::sso("okta"),
    );
    check(
        &g,
        "credential_options_none",
        &CredentialOptions::no_password(),
    );
    check(
        &g,
        "credential_options_encrypted",
        &CredentialOptions {
            force_change_at_next_login: false,
            options: Some(co::Options::EncryptedPassword(co::EncryptedPassword {
                encrypted_passwords: vec![encrypted_data()],
            })),
        },
    );
    let mut plain = PlaintextData::new("password", b"hunter2".to_vec());
    plain.description = "d".into();
    plain.schema = "s".into();
    check(&g, "plaintext_data", &plain);

    let jwk = EncryptionConfig {
        principal: Some(user()),
        provider: "baton/jwk/v1".into(),
        key_id: "kid".into(),
        config: Some(ecfg::Config::JwkPublicKeyConfig(ecfg::JwkPublicKeyConfig {
            pub_key: br#"{"kty":"OKP"}"#.to_vec(),
        })),
    };
    let age = EncryptionConfig {
        principal: None,
        provider: "baton/age/v1".into(),
        key_id: String::new(),
        config: Some(ecfg::Config::AgeRecipientConfig(ecfg::AgeRecipientConfig {
            recipient: "age1xyz".into(),
        })),
    };
    check(
        &g,
        "create_account_request",
        &CreateAccountRequest {
            account_info: Some(info()),
            credential_options: Some(random_password()),
            encryption_configs: vec![jwk, age],
            resource_type_id: "user".into(),
        },
    );

    let resp = |result| CreateAccountResponse {
        result: Some(result),
        ..Default::default()
    };
    check(
        &g,
        "create_account_response_success",
        &CreateAccountResponse {
            result: Some(car::Result::Success(car::SuccessResult {
                resource: Some(user()),
                is_create_account_result: true,
                invitation_expires_at: Some(Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 5,
                }),
            })),
            encrypted_data: vec![encrypted_data()],
            annotations: ann(),
        },
    );
    check(
        &g,
        "create_account_response_action_required",
        &resp(car::Result::ActionRequired(car::ActionRequiredResult {
            resource: Some(user()),
            message: "accept the invite".into(),
            is_create_account_result: true,
        })),
    );
    check(
        &g,
        "create_account_response_already_exists",
        &resp(car::Result::AlreadyExists(car::AlreadyExistsResult {
            resource: Some(user()),
            is_create_account_result: true,
        })),
    );
    check(
        &g,
        "create_account_response_in_progress",
        &resp(car::Result::InProgress(car::InProgressResult {
            resource: None,
            is_create_account_result: true,
        })),
    );
    check(&g, "account_creation_schema", &schema());
}

#[test]
fn deletion_messages_match_protobuf() {
    let g = goldens();
    check(
        &g,
        "delete_resource_request",
        &DeleteResourceRequest {
            resource_id: Some(rid("key", "K1")),
            parent_resource_id: Some(rid("user", "u1")),
        },
    );
    check(
        &g,
        "delete_resource_response",
        &DeleteResourceResponse { annotations: ann() },
    );
}

#[test]
fn action_messages_match_protobuf() {
    let g = goldens();
    let s = action_schema();
    check(&g, "baton_action_schema", &s);
    let args = st(json!({
        "resource_id": {"resource_type_id": "user", "resource_id": "u1"},
        "force": true,
        "num": 2.5,
        "tags": ["a", "b"],
        "none": null,
    }));
    check(
        &g,
        "invoke_action_request",
        &InvokeActionRequest {
            name: "disable".into(),
            args: Some(args),
            annotations: ann(),
            resource_type_id: "user".into(),
            inline_wait: Some(prost_types::Duration {
                seconds: 3,
                nanos: 7,
            }),
        },
    );
    let resp = st(json!({"status": "disabled"}));
    check(
        &g,
        "invoke_action_response",
        &InvokeActionResponse {
            id: "a-1".into(),
            status: BatonActionStatus::Complete as i32,
            annotations: ann(),
            response: Some(resp.clone()),
            name: "disable".into(),
        },
    );
    check(
        &g,
        "get_action_status_request",
        &GetActionStatusRequest {
            name: "disable".into(),
            id: "a-1".into(),
            annotations: ann(),
        },
    );
    check(
        &g,
        "get_action_status_response",
        &GetActionStatusResponse {
            name: "disable".into(),
            id: "a-1".into(),
            status: BatonActionStatus::Running as i32,
            annotations: ann(),
            response: Some(resp),
        },
    );
    check(
        &g,
        "get_action_schema_request",
        &GetActionSchemaRequest {
            name: "disable".into(),
            annotations: ann(),
        },
    );
    check(
        &g,
        "get_action_schema_response",
        &GetActionSchemaResponse {
            schema: Some(s.clone()),
            annotations: ann(),
        },
    );
    check(
        &g,
        "list_action_schemas_request",
        &ListActionSchemasRequest {
            annotations: ann(),
            resource_type_id: "user".into(),
        },
    );
    check(
        &g,
        "list_action_schemas_response",
        &ListActionSchemasResponse {
            schemas: vec![s.clone(), s],
            annotations: ann(),
        },
    );
}

#[test]
fn event_messages_match_protobuf() {
    let g = goldens();
    let group = Resource::new("group", "g1", "G");
    let member = Entitlement::assignment(&group, "member").with_display_name("Member");
    let ev = |id: &str, at: Option<Timestamp>, kind: event::Kind| Event {
        id: id.into(),
        occurred_at: at,
        annotations: Vec::new(),
        event: Some(kind),
    };
    check(
        &g,
        "event_usage",
        &Event {
            annotations: ann(),
            ..ev(
                "e1",
                Some(ts()),
                event::Kind::UsageEvent(UsageEvent {
                    target_resource: Some(group.clone()),
                    actor_resource: Some(user()),
                }),
            )
        },
    );
    check(
        &g,
        "event_grant",
        &ev(
            "e2",
            Some(ts()),
            event::Kind::GrantEvent(GrantEvent {
                grant: Some(Grant {
                    entitlement: Some(member.clone()),
                    principal: Some(user()),
                    id: "group:g1:member:user:u1".into(),
                    annotations: Vec::new(),
                    sources: None,
                }),
            }),
        ),
    );
    check(
        &g,
        "event_revoke",
        &ev(
            "e3",
            None,
            event::Kind::RevokeEvent(RevokeEvent {
                entitlement: Some(member.clone()),
                principal: Some(user()),
            }),
        ),
    );
    check(
        &g,
        "event_resource_change",
        &ev(
            "e4",
            Some(ts()),
            event::Kind::ResourceChangeEvent(ResourceChangeEvent {
                resource_id: Some(rid("user", "u1")),
                parent_resource_id: Some(rid("tenant", "t1")),
            }),
        ),
    );
    check(
        &g,
        "event_create_grant",
        &ev(
            "e5",
            None,
            event::Kind::CreateGrantEvent(CreateGrantEvent {
                entitlement: Some(member.clone()),
                principal: Some(user()),
                annotations: ann(),
            }),
        ),
    );
    check(
        &g,
        "event_create_revoke",
        &ev(
            "e6",
            None,
            event::Kind::CreateRevokeEvent(CreateRevokeEvent {
                entitlement: Some(member),
                principal: Some(user()),
                annotations: ann(),
            }),
        ),
    );
    let feed = EventFeedMetadata::new(
        "audit",
        [
            EventType::Usage,
            EventType::ResourceChange,
            EventType::CreateGrant,
            EventType::CreateRevoke,
        ],
    );
    check(&g, "event_feed_metadata", &feed);
    check(
        &g,
        "list_events_request",
        &ListEventsRequest {
            cursor: "c1".into(),
            start_at: Some(ts()),
            page_size: 100,
            annotations: ann(),
            event_feed_id: "audit".into(),
        },
    );
    check(
        &g,
        "list_events_response",
        &ListEventsResponse {
            events: vec![ev(
                "e4",
                None,
                event::Kind::ResourceChangeEvent(ResourceChangeEvent {
                    resource_id: Some(rid("user", "u1")),
                    parent_resource_id: None,
                }),
            )],
            cursor: "c2".into(),
            has_more: true,
            annotations: ann(),
        },
    );
    check(
        &g,
        "list_event_feeds_response",
        &ListEventFeedsResponse {
            list: vec![feed],
            annotations: ann(),
        },
    );
}

#[test]
fn capability_messages_match_protobuf() {
    let g = goldens();
    check(&g, "connector_capabilities", &capabilities());
    let md = ConnectorMetadata {
        help_url: "https://example.com".into(),
        capabilities: Some(capabilities()),
        account_creation_schema: Some(schema()),
        ..ConnectorMetadata::new("Descope", "d")
    };
    check(&g, "connector_metadata", &md);
}

#[test]
fn capabilities_document_matches_protojson() {
    let want = include_str!("../fixtures/golden-capabilities.json");
    assert_eq!(capabilities_json(&capabilities()), want);
}
