//! Actions (baton's `GlobalActionProvider`, `ResourceActionProvider`): the [`ActionProvider`]
//! trait a connector or a syncer offers, and what an action answers.
//!
//! Unlike baton's action manager, the SDK does not run handlers in the background and does not
//! implement `inline_wait`: a provider answers when it answers, with a settled status or with
//! an id that [`ActionProvider::action_status`] knows.

use async_trait::async_trait;
use prost_types::value::Kind;
use prost_types::{Struct, Value};

use crate::error::Error;
use crate::model::{Annotations, BatonActionSchema, BatonActionStatus};

/// Offers actions and runs them.
///
/// ```
/// use async_trait::async_trait;
/// use c1_connector_sdk::connector::{ActionOutcome, ActionProvider, resource_id_arg};
/// use c1_connector_sdk::model::{ActionType, BatonActionSchema, config::Field};
/// use c1_connector_sdk::error::Error;
///
/// struct UserActions;
///
/// #[async_trait]
/// impl ActionProvider for UserActions {
///     fn action_schemas(&self) -> Vec<BatonActionSchema> {
///         vec![BatonActionSchema::new("disable", "Disable user")
///             .with_argument(Field::resource_id("resource_id", "User").required())
///             .with_action_type(ActionType::AccountDisable)]
///     }
///     async fn invoke_action(&self, name: &str, args: &prost_types::Struct) -> Result<ActionOutcome, Error> {
///         let user = resource_id_arg(args, "resource_id")
///             .ok_or_else(|| Error::invalid_argument("resource_id is required"))?;
///         // ... disable `user` through the API ...
///         Ok(ActionOutcome::complete(format!("{name}-{}", user.resource), None))
///     }
/// }
/// ```
#[async_trait]
pub trait ActionProvider: Send + Sync {
    /// The actions offered. Names must be unique within the provider; for resource-scoped
    /// actions, two schemas may not share an action type other than `UNSPECIFIED` / `DYNAMIC`.
    fn action_schemas(&self) -> Vec<BatonActionSchema>;

    /// Runs the action `name` (one of [`ActionProvider::action_schemas`]) with arguments already
    /// checked against its schema.
    ///
    /// Answer [`BatonActionStatus::Complete`] only once the action took effect. An action that
    /// continues in the background answers `Pending` or `Running` with an id that
    /// [`ActionProvider::action_status`] knows.
    async fn invoke_action(&self, name: &str, args: &Struct) -> Result<ActionOutcome, Error>;

    /// The current outcome of the action `id`, or `None` if this provider does not know it
    /// (the default: a provider whose actions always settle within `invoke_action`).
    async fn action_status(&self, id: &str) -> Result<Option<ActionOutcome>, Error> {
        let _ = id;
        Ok(None)
    }
}

/// What an action answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ActionOutcome {
    /// The action's id (needed for status lookups while it is in flight).
    pub id: String,
    /// The action's name (the SDK fills it on invoke when empty).
    pub name: String,
    /// The status.
    pub status: BatonActionStatus,
    /// The response, shaped by the schema's `return_types`.
    pub response: Option<Struct>,
    /// Annotations.
    pub annotations: Annotations,
}

impl ActionOutcome {
    /// An outcome with this status.
    pub fn new(id: impl Into<String>, status: BatonActionStatus) -> Self {
        Self {
            id: id.into(),
            name: String::new(),
            status,
            response: None,
            annotations: Annotations::new(),
        }
    }

    /// The action finished successfully.
    pub fn complete(id: impl Into<String>, response: Option<Struct>) -> Self {
        Self {
            response,
            ..Self::new(id, BatonActionStatus::Complete)
        }
    }

    /// The action finished with a failure; the response carries `{"error": message}`, as
    /// baton's action manager reports failures.
    pub fn failed(id: impl Into<String>, message: impl Into<String>) -> Self {
        let mut response = Struct::default();
        response.fields.insert(
            "error".into(),
            Value {
                kind: Some(Kind::StringValue(message.into())),
            },
        );
        Self {
            response: Some(response),
            ..Self::new(id, BatonActionStatus::Failed)
        }
    }

    /// The action was accepted and runs in the background.
    pub fn pending(id: impl Into<String>) -> Self {
        Self::new(id, BatonActionStatus::Pending)
    }

    /// Sets the name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the annotations.
    #[must_use]
    pub fn with_annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = annotations;
        self
    }
}
