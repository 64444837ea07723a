//! `DeleteResource` / `DeleteResourceV2`: served by the
//! [`ResourceDeleter`](crate::connector::ResourceDeleter) of the syncer of
//! the resource id's type.

use std::sync::Arc;

use crate::connector::{Connector, ResourceSyncer};
use crate::error::Error;
use crate::model::{
    Annotations, DeleteResourceRequest, DeleteResourceResponse, DeleteResourceV2Request,
    DeleteResourceV2Response, ResourceId,
};

/// The syncer of `resource_type_id` if it can delete.
///
/// Errors: `Unimplemented` naming the types that support deletion.
pub fn deleter_syncer(
    syncers: &[Arc<dyn ResourceSyncer>],
    resource_type_id: &str,
) -> Result<Arc<dyn ResourceSyncer>, Error> {
    syncers
        .iter()
        .find(|s| s.resource_type().id == resource_type_id && s.resource_deleter().is_some())
        .cloned()
        .ok_or_else(|| {
            let supported: Vec<String> = syncers
                .iter()
                .filter(|s| s.resource_deleter().is_some())
                .map(|s| s.resource_type().id)
                .collect();
            Error::unimplemented(format!(
                "resource type {resource_type_id:?} does not support deletion; types that do: {}",
                if supported.is_empty() {
                    "none".to_owned()
                } else {
                    supported.join(", ")
                }
            ))
        })
}

async fn delete(
    connector: &dyn Connector,
    id: Option<&ResourceId>,
    parent: Option<&ResourceId>,
) -> Result<Annotations, Error> {
    let id = id
        .filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
        .ok_or_else(|| {
            Error::invalid_argument(
                "delete resource request needs a resource_id with a resource type and a resource id",
            )
        })?;
    let syncers = connector.syncers();
    let syncer = deleter_syncer(&syncers, &id.resource_type)?;
    let deleter = syncer.resource_deleter().ok_or_else(|| {
        Error::internal(format!(
            "the syncer of {} stopped offering a deleter",
            id.resource_type
        ))
    })?;
    deleter.delete(id, parent).await
}

/// Serves `DeleteResource` (also what a service-mode `DeleteResourceTask` asks).
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # async fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::delete_resource;
/// use c1_connector_sdk::model::{DeleteResourceRequest, ResourceDoesNotExist, ResourceId, AnnotationsExt};
/// let request = DeleteResourceRequest { resource_id: Some(ResourceId::new("access_key", "K1")), parent_resource_id: None };
/// let response = delete_resource(connector, &request).await?;
/// let was_gone = response.annotations.contains_annotation::<ResourceDoesNotExist>();
/// # Ok(()) }
/// ```
pub async fn delete_resource(
    connector: &dyn Connector,
    request: &DeleteResourceRequest,
) -> Result<DeleteResourceResponse, Error> {
    let annotations = delete(
        connector,
        request.resource_id.as_ref(),
        request.parent_resource_id.as_ref(),
    )
    .await?;
    Ok(DeleteResourceResponse {
        annotations: annotations.into_inner(),
    })
}

/// Serves `DeleteResourceV2` (same behaviour as [`delete_resource`]).
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # async fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::delete_resource_v2;
/// use c1_connector_sdk::model::{DeleteResourceV2Request, ResourceId};
/// let request = DeleteResourceV2Request { resource_id: Some(ResourceId::new("user", "U1")), parent_resource_id: None };
/// delete_resource_v2(connector, &request).await?;
/// # Ok(()) }
/// ```
pub async fn delete_resource_v2(
    connector: &dyn Connector,
    request: &DeleteResourceV2Request,
) -> Result<DeleteResourceV2Response, Error> {
    let annotations = delete(
        connector,
        request.resource_id.as_ref(),
        request.parent_resource_id.as_ref(),
    )
    .await?;
    Ok(DeleteResourceV2Response {
        annotations: annotations.into_inner(),
    })
}
