//! The messages of ConductorOne's `c1.connectorapi.baton.v1.BatonService` as prost types.
//!
//! Written by hand, like `c1_connector_sdk::model`, with the field numbers of baton-sdk's
//! `proto/c1/connectorapi/baton/v1/baton.proto`; the `c1.connector.v2` messages inside them
//! (resources, entitlements, grants, connector metadata) are the SDK's own types, so a task's
//! entitlement is the same value a `.c1z` holds. Writing them by hand keeps `protoc` and a
//! build script out of the build; the messages are few and stable, and the unit tests below
//! pin their encodings.
//!
//! Rust names drop the proto's `BatonService` prefix: `BatonServiceHelloRequest` is
//! [`HelloRequest`].
//!
//! ```
//! use c1_connector_runner::service::proto::{GetTaskResponse, Task, TaskType, SyncFullTask};
//! use prost::Message;
//!
//! let response = GetTaskResponse {
//!     task: Some(Task {
//!         id: "2a7Xl0tZbXzbm2zYqyHfVQ8iE9v".into(),
//!         task_type: Some(TaskType::SyncFull(SyncFullTask::default())),
//!         ..Task::default()
//!     }),
//!     ..GetTaskResponse::default()
//! };
//! let decoded = GetTaskResponse::decode(response.encode_to_vec().as_slice()).unwrap();
//! assert_eq!(decoded.task.unwrap().type_name(), "sync_full");
//! ```

mod task;

pub use task::*;

use c1_connector_sdk::model::{Annotations, Grant};
use prost::Message;
use prost_types::{Any, Duration};

/// The fully qualified gRPC service name.
pub const SERVICE_NAME: &str = "c1.connectorapi.baton.v1.BatonService";

/// `google.rpc.Status`: a gRPC status as a message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RpcStatus {
    /// The gRPC code (`google.rpc.Code`).
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// A developer-facing message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// Typed details.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

/// `BatonServiceHelloRequest.BuildInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BuildInfo {
    /// The language and its version (`rustc 1.x` style; Go sends `go1.x`).
    #[prost(string, tag = "1")]
    pub lang_version: String,
    /// The package (the connector program).
    #[prost(string, tag = "2")]
    pub package: String,
    /// The package's version.
    #[prost(string, tag = "3")]
    pub package_version: String,
}

/// `BatonServiceHelloRequest.OSInfo`. ConductorOne requires every field non-empty.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OsInfo {
    /// Host name.
    #[prost(string, tag = "1")]
    pub hostname: String,
    /// Operating system (`linux`, `macos`, `windows`).
    #[prost(string, tag = "2")]
    pub os: String,
    /// Distribution (`debian`, `ubuntu`, ...).
    #[prost(string, tag = "3")]
    pub platform: String,
    /// Distribution version.
    #[prost(string, tag = "4")]
    pub platform_version: String,
    /// Distribution family.
    #[prost(string, tag = "5")]
    pub platform_family: String,
    /// Kernel version.
    #[prost(string, tag = "6")]
    pub kernel_version: String,
    /// Kernel architecture (`x86_64`, `aarch64`).
    #[prost(string, tag = "7")]
    pub kernel_arch: String,
    /// Virtualisation system (`none` when unknown).
    #[prost(string, tag = "8")]
    pub virtualization_system: String,
}

/// `BatonServiceHelloRequest`: the connector introduces itself (at startup with no task id,
/// and to answer a Hello task with its id).
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    /// This host's id (1..256 characters).
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// Empty at startup; the task's id when answering a Hello task.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// What program this is.
    #[prost(message, optional, tag = "3")]
    pub build_info: Option<BuildInfo>,
    /// Where it runs.
    #[prost(message, optional, tag = "4")]
    pub os_info: Option<OsInfo>,
    /// The connector's metadata, with its capabilities (required).
    #[prost(message, optional, tag = "5")]
    pub connector_metadata: Option<c1_connector_sdk::model::ConnectorMetadata>,
    /// Annotations (at most 16).
    #[prost(message, repeated, tag = "6")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceHelloResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloResponse {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceGetTaskRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetTaskRequest {
    /// This host's id.
    #[prost(string, tag = "1")]
    pub host_id: String,
}

/// `BatonServiceGetTaskResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetTaskResponse {
    /// The task, if there is work (`None` or a `none` task = no work).
    #[prost(message, optional, tag = "1")]
    pub task: Option<Task>,
    /// How long to wait before the next poll.
    #[prost(message, optional, tag = "2")]
    pub next_poll: Option<Duration>,
    /// Ignored by the client (as in baton).
    #[prost(message, optional, tag = "3")]
    pub next_heartbeat: Option<Duration>,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceHeartbeatRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HeartbeatRequest {
    /// This host's id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// The task being worked on.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// Annotations (none are sent, as in baton).
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// Batch heartbeat (not sent by this client, as in baton's default path).
    #[prost(string, repeated, tag = "4")]
    pub task_ids: Vec<String>,
}

/// `BatonServiceHeartbeatResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HeartbeatResponse {
    /// When to send the next heartbeat.
    #[prost(message, optional, tag = "1")]
    pub next_heartbeat: Option<Duration>,
    /// Stop working on the task.
    #[prost(bool, tag = "2")]
    pub cancelled: bool,
    /// Annotations.
    #[prost(message, repeated, tag = "3")]
    pub annotations: Vec<Any>,
    /// Batch cancellation (not read, as in baton's default path).
    #[prost(string, repeated, tag = "4")]
    pub cancelled_task_ids: Vec<String>,
}

/// `BatonServiceFinishTaskRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishTaskRequest {
    /// This host's id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// The task.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// The failure, set only with [`FinalState::Error`].
    #[prost(message, optional, tag = "3")]
    pub status: Option<RpcStatus>,
    /// How the task ended (required).
    #[prost(oneof = "FinalState", tags = "100, 101")]
    pub final_state: Option<FinalState>,
}

/// The `final_state` oneof of [`FinishTaskRequest`].
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum FinalState {
    /// The task failed.
    #[prost(message, tag = "100")]
    Error(FinishError),
    /// The task succeeded.
    #[prost(message, tag = "101")]
    Success(FinishSuccess),
}

/// `BatonServiceFinishTaskRequest.Error`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishError {
    /// ConductorOne should not retry the task.
    #[prost(bool, tag = "1")]
    pub non_retryable: bool,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
    /// A response (never filled by the client, as in baton).
    #[prost(message, optional, tag = "3")]
    pub response: Option<Any>,
}

/// `BatonServiceFinishTaskRequest.Success`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishSuccess {
    /// Annotations (for a grant or revoke: the connector's).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// The connector's reply packed as `Any` (grant and revoke tasks), or unset.
    #[prost(message, optional, tag = "2")]
    pub response: Option<Any>,
}

/// `BatonServiceFinishTaskResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FinishTaskResponse {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceUploadAssetRequest`: one message of the upload stream.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadAssetRequest {
    /// Metadata first, then data chunks, then the end with the checksum.
    #[prost(oneof = "UploadMsg", tags = "100, 101, 102")]
    pub msg: Option<UploadMsg>,
}

/// The `msg` oneof of [`UploadAssetRequest`].
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum UploadMsg {
    /// The first message.
    #[prost(message, tag = "100")]
    Metadata(UploadMetadata),
    /// A chunk of the file.
    #[prost(message, tag = "101")]
    Data(UploadData),
    /// The last message.
    #[prost(message, tag = "102")]
    Eof(UploadEof),
}

/// `BatonServiceUploadAssetRequest.UploadMetadata` (there is no field 3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadMetadata {
    /// This host's id.
    #[prost(string, tag = "1")]
    pub host_id: String,
    /// The task the asset belongs to.
    #[prost(string, tag = "2")]
    pub task_id: String,
    /// Annotations.
    #[prost(message, repeated, tag = "4")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceUploadAssetRequest.UploadData`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadData {
    /// 1..=1 MiB of the file (the client sends 512 KiB chunks).
    #[prost(bytes = "vec", tag = "1")]
    pub data: Vec<u8>,
}

/// `BatonServiceUploadAssetRequest.UploadEOF`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadEof {
    /// The raw 32-byte SHA-256 digest of the whole file.
    #[prost(bytes = "vec", tag = "1")]
    pub sha256_checksum: Vec<u8>,
    /// Annotations.
    #[prost(message, repeated, tag = "2")]
    pub annotations: Vec<Any>,
}

/// `BatonServiceUploadAssetResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UploadAssetResponse {
    /// Annotations.
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// `c1.connector.v2.GrantManagerServiceGrantResponse`: the connector's answer to a grant.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantResponse {
    /// The connector's annotations (e.g. `GrantAlreadyExists`).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
    /// The grants created (empty: the SDK's provisioner reports annotations only).
    #[prost(message, repeated, tag = "2")]
    pub grants: Vec<Grant>,
}

/// `c1.connector.v2.GrantManagerServiceRevokeResponse`: the connector's answer to a revoke.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RevokeResponse {
    /// The connector's annotations (e.g. `GrantAlreadyRevoked`).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<Any>,
}

/// The `type_url` of a [`GrantResponse`] inside an `Any`.
pub const GRANT_RESPONSE_TYPE_URL: &str =
    "type.googleapis.com/c1.connector.v2.GrantManagerServiceGrantResponse";
/// The `type_url` of a [`RevokeResponse`] inside an `Any`.
pub const REVOKE_RESPONSE_TYPE_URL: &str =
    "type.googleapis.com/c1.connector.v2.GrantManagerServiceRevokeResponse";

impl GrantResponse {
    /// A response carrying the connector's annotations.
    pub fn from_annotations(annotations: Annotations) -> Self {
        Self {
            annotations: annotations.into_inner(),
            grants: Vec::new(),
        }
    }

    /// Packs it as `Any` with its `type_url`.
    pub fn to_any(&self) -> Any {
        Any {
            type_url: GRANT_RESPONSE_TYPE_URL.to_owned(),
            value: self.encode_to_vec(),
        }
    }
}

impl RevokeResponse {
    /// A response carrying the connector's annotations.
    pub fn from_annotations(annotations: Annotations) -> Self {
        Self {
            annotations: annotations.into_inner(),
        }
    }

    /// Packs it as `Any` with its `type_url`.
    pub fn to_any(&self) -> Any {
        Any {
            type_url: REVOKE_RESPONSE_TYPE_URL.to_owned(),
            value: self.encode_to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_of_an_unknown_type_decodes_without_a_type() {
        // id "t" (field 1), then field 130 (a type newer than this build) holding an empty
        // message: tag = 130 << 3 | 2 = 1042 = varint [0x92, 0x08], length 0.
        let bytes = [0x0a, 0x01, b't', 0x92, 0x08, 0x00];
        let task = Task::decode(&bytes[..]).unwrap();
        assert_eq!(task.id, "t");
        assert!(task.task_type.is_none());
        assert_eq!(task.type_name(), "unknown");
    }

    #[test]
    fn a_create_account_task_decodes_and_is_named() {
        // field 105 (create_account), tag = 105 << 3 | 2 = 842 = [0xca, 0x06]; inside it field 1
        // (account_info { login (2) = "a" }) and field 4 (resource_type_id = "user").
        let bytes = [
            0x0a, 0x01, b't', 0xca, 0x06, 0x0b, 0x0a, 0x03, 0x12, 0x01, b'a', 0x22, 0x04, b'u',
            b's', b'e', b'r',
        ];
        let task = Task::decode(&bytes[..]).unwrap();
        assert_eq!(task.type_name(), "create_account");
        match task.task_type {
            Some(TaskType::CreateAccount(t)) => {
                assert_eq!(t.account_info.map(|i| i.login), Some("a".to_owned()));
                assert_eq!(t.resource_type_id, "user");
                assert!(t.credential_options.is_none() && t.encryption_configs.is_empty());
            }
            other => panic!("{:?}", other.map(|t| t.name())),
        }
    }

    #[test]
    fn field_numbers_of_the_upload_messages() {
        let eof = UploadAssetRequest {
            msg: Some(UploadMsg::Eof(UploadEof {
                sha256_checksum: vec![7; 32],
                annotations: vec![],
            })),
        };
        let bytes = eof.encode_to_vec();
        // field 102, wire type 2: 102 << 3 | 2 = 818 = [0xb2, 0x06]; length 34; field 1 len 32.
        assert_eq!(&bytes[..5], &[0xb2, 0x06, 34, 0x0a, 32]);
        let meta = UploadAssetRequest {
            msg: Some(UploadMsg::Metadata(UploadMetadata {
                host_id: "h".into(),
                task_id: "t".into(),
                annotations: vec![],
            })),
        };
        assert_eq!(
            meta.encode_to_vec(),
            vec![0xa2, 0x06, 6, 0x0a, 1, b'h', 0x12, 1, b't']
        );
    }

    #[test]
    fn finish_task_success_and_error_tags() {
        let ok = FinishTaskRequest {
            host_id: String::new(),
            task_id: String::new(),
            status: None,
            final_state: Some(FinalState::Success(FinishSuccess::default())),
        };
        // field 101, wire type 2: 101 << 3 | 2 = 810 = [0xaa, 0x06], empty message.
        assert_eq!(ok.encode_to_vec(), vec![0xaa, 0x06, 0]);
        let err = FinishTaskRequest {
            final_state: Some(FinalState::Error(FinishError {
                non_retryable: true,
                ..FinishError::default()
            })),
            ..ok
        };
        assert_eq!(err.encode_to_vec(), vec![0xa2, 0x06, 2, 0x08, 1]);
    }
}
