//! Resource deletion: the [`ResourceDeleter`] trait a syncer offers (baton's `ResourceDeleterV2`).

use async_trait::async_trait;

use crate::error::Error;
use crate::model::{Annotations, ResourceId};

/// Deletes resources of one type (baton's `ResourceDeleterV2`).
///
/// Deleting must be idempotent: when the resource is already gone, answer `Ok` with
/// [`ResourceDoesNotExist`](crate::model::ResourceDoesNotExist) in the annotations, not an error.
///
/// ```
/// use async_trait::async_trait;
/// use c1_connector_sdk::connector::ResourceDeleter;
/// use c1_connector_sdk::model::{Annotations, ResourceDoesNotExist, ResourceId};
/// use c1_connector_sdk::error::Error;
///
/// struct Keys;
///
/// #[async_trait]
/// impl ResourceDeleter for Keys {
///     async fn delete(&self, id: &ResourceId, _parent: Option<&ResourceId>) -> Result<Annotations, Error> {
///         let existed = false; // ... call the API; a 404 means it was already gone ...
///         Ok(if existed { Annotations::new() } else { Annotations::with(&ResourceDoesNotExist {}) })
///     }
/// }
/// ```
#[async_trait]
pub trait ResourceDeleter: Send + Sync {
    /// Deletes `id` (a child of `parent`, if given).
    async fn delete(
        &self,
        id: &ResourceId,
        parent: Option<&ResourceId>,
    ) -> Result<Annotations, Error>;
}
