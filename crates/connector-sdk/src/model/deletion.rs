//! baton's resource-deletion messages (`proto/c1/connector/v2/resource.proto`) and the
//! annotations a delete answers with.

use super::annotations::packable;
use super::messages::ResourceId;

/// `c1.connector.v2.DeleteResourceRequest` (also the content of service mode's
/// `DeleteResourceTask`, whose field numbers are the same).
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceRequest {
    /// The resource to delete.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// Its parent, for child resources.
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
}

/// `c1.connector.v2.DeleteResourceResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceResponse {
    /// Annotations ([`ResourceDoesNotExist`] when the resource was already gone).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.DeleteResourceV2Request` (same shape as [`DeleteResourceRequest`]).
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceV2Request {
    /// The resource to delete.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
    /// Its parent, for child resources.
    #[prost(message, optional, tag = "2")]
    pub parent_resource_id: Option<ResourceId>,
}

/// `c1.connector.v2.DeleteResourceV2Response`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResourceV2Response {
    /// Annotations ([`ResourceDoesNotExist`] when the resource was already gone).
    #[prost(message, repeated, tag = "1")]
    pub annotations: Vec<prost_types::Any>,
}

/// `c1.connector.v2.ResourceDoesNotExist`: a delete was an idempotent no-op because the
/// resource was already gone.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceDoesNotExist {}

/// `c1.connector.v2.ResourceDeleted`: on a grant or revoke response, the operation deleted a
/// resource as a side effect.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResourceDeleted {
    /// The deleted resource.
    #[prost(message, optional, tag = "1")]
    pub resource_id: Option<ResourceId>,
}

packable!(
    DeleteResourceResponse,
    DeleteResourceV2Response,
    ResourceDoesNotExist,
    ResourceDeleted,
);

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::model::{Annotations, pack};

    #[test]
    fn delete_bytes() {
        let req = DeleteResourceRequest {
            resource_id: Some(ResourceId::new("u", "1")),
            parent_resource_id: Some(ResourceId::new("t", "2")),
        };
        let want = [
            0x0a, 6, 0x0a, 1, b'u', 0x12, 1, b'1', 0x12, 6, 0x0a, 1, b't', 0x12, 1, b'2',
        ];
        assert_eq!(req.encode_to_vec(), want);
        let v2 = DeleteResourceV2Request::decode(want.as_slice()).unwrap();
        assert_eq!(v2.resource_id, req.resource_id);

        let resp = DeleteResourceResponse {
            annotations: Annotations::with(&ResourceDoesNotExist {}).into_inner(),
        };
        let url = b"type.googleapis.com/c1.connector.v2.ResourceDoesNotExist";
        let mut any = vec![0x0a, url.len() as u8];
        any.extend(url);
        let mut want = vec![0x0a, any.len() as u8];
        want.extend(any);
        assert_eq!(resp.encode_to_vec(), want);
        assert_eq!(
            pack(&resp).type_url,
            "type.googleapis.com/c1.connector.v2.DeleteResourceResponse"
        );
    }
}
