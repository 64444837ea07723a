//! The fake connector's targeted get, account creation, deletion, actions and event feed.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use prost_types::value::Kind;
use prost_types::{Struct, Timestamp, Value};
use rand::Rng;

use super::{FakeConnector, FakeOp, FakeSyncer, key, lock};
use crate::connector::{
    AccountCreated, AccountManager, ActionOutcome, ActionProvider, CredentialOption, EventFeed,
    EventPage, EventProvider, EventsRequest, LocalCredentialOptions, ResourceDeleter,
    resource_id_arg,
};
use crate::error::Error;
use crate::model::config::Field;
use crate::model::resource::{Status, StatusValue};
use crate::model::{
    AccountInfo, ActionType, Annotations, BatonActionSchema,
    CapabilityDetailCredentialOption as Opt, CredentialDetailsAccountProvisioning,
    EventFeedMetadata, EventType, PlaintextData, Resource, ResourceDoesNotExist, ResourceId, Trait,
    UserTrait, user_trait,
};

/// The id of the fake connector's event feed.
pub const FAKE_FEED_ID: &str = "fake_feed";

/// Actions started by the fake: outcomes by id, and pending effects.
#[derive(Debug, Default)]
pub(super) struct Actions {
    next: u64,
    outcomes: HashMap<String, ActionOutcome>,
    pending: HashMap<String, (ResourceId, bool)>,
}

#[async_trait]
impl crate::connector::ResourceGetter for FakeSyncer {
    async fn get(&self, id: &ResourceId, parent: Option<&ResourceId>) -> Result<Resource, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(
                FakeOp::Get,
                t,
                format!("get {} {}", key(Some(id)), key(parent)),
            )
            .await?;
        lock(&self.state.resources)
            .iter()
            .find(|r| {
                r.id.as_ref() == Some(id)
                    && parent.is_none_or(|p| r.parent_resource_id.as_ref() == Some(p))
            })
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no resource {}", key(Some(id)))))
    }
}

#[async_trait]
impl AccountManager for FakeSyncer {
    async fn create_account(
        &self,
        info: &AccountInfo,
        credentials: Option<&LocalCredentialOptions>,
    ) -> Result<AccountCreated, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(
                FakeOp::CreateAccount,
                t,
                format!("create_account {t} {}", info.login),
            )
            .await?;
        if info.login.is_empty() {
            return Err(Error::invalid_argument(
                "the fake creates accounts by login: set account_info.login",
            ));
        }
        let id = ResourceId::new(t.clone(), info.login.clone());
        let mut resources = lock(&self.state.resources);
        if let Some(existing) = resources.iter().find(|r| r.id.as_ref() == Some(&id)) {
            return Ok(AccountCreated::already_exists(existing.clone()));
        }
        let name = info.primary_email().unwrap_or(&info.login).to_owned();
        let mut r =
            Resource::new(t.clone(), info.login.clone(), name).with_status(StatusValue::Enabled);
        if let Some(p) = &info.profile {
            r = r.with_profile(p.clone());
        }
        if self.resource_type.has_trait(Trait::User) {
            let mut user = UserTrait::new().with_login(info.login.clone());
            user.emails.clone_from(&info.emails);
            user.login_aliases.clone_from(&info.login_aliases);
            r = r.with_user_trait(user);
        }
        let mut created = AccountCreated::created(r.clone());
        if let Some(LocalCredentialOptions {
            option: CredentialOption::RandomPassword { length, .. },
            ..
        }) = credentials
        {
            let n = usize::try_from(*length).unwrap_or(16);
            let password: String = rand::rng()
                .sample_iter(rand::distr::Alphanumeric)
                .take(n)
                .map(char::from)
                .collect();
            created = created.with_credential(PlaintextData::new("password", password.into()));
        }
        resources.push(r);
        Ok(created)
    }

    fn capability_details(&self) -> CredentialDetailsAccountProvisioning {
        CredentialDetailsAccountProvisioning::new(
            [Opt::NoPassword, Opt::RandomPassword, Opt::Sso],
            Opt::NoPassword,
        )
    }
}

#[async_trait]
impl ResourceDeleter for FakeSyncer {
    async fn delete(
        &self,
        id: &ResourceId,
        _parent: Option<&ResourceId>,
    ) -> Result<Annotations, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(FakeOp::Delete, t, format!("delete {}", key(Some(id))))
            .await?;
        let mut resources = lock(&self.state.resources);
        let before = resources.len();
        resources.retain(|r| r.id.as_ref() != Some(id));
        if resources.len() == before {
            return Ok(Annotations::with(&ResourceDoesNotExist {}));
        }
        drop(resources);
        // The source system would drop the grants naming a deleted resource too.
        lock(&self.state.grants).retain(|g| {
            g.principal.as_ref().and_then(|p| p.id.as_ref()) != Some(id)
                && g.entitlement
                    .as_ref()
                    .and_then(|e| e.resource.as_ref())
                    .and_then(|r| r.id.as_ref())
                    != Some(id)
        });
        Ok(Annotations::new())
    }
}

fn status_response(enabled: bool) -> Struct {
    let mut s = Struct::default();
    s.fields.insert(
        "status".into(),
        Value {
            kind: Some(Kind::StringValue(
                if enabled { "enabled" } else { "disabled" }.into(),
            )),
        },
    );
    s
}

impl FakeSyncer {
    /// Sets a resource's status; `NotFound` if it is not there.
    fn set_status(&self, id: &ResourceId, enabled: bool) -> Result<(), Error> {
        let mut resources = lock(&self.state.resources);
        let r = resources
            .iter_mut()
            .find(|r| r.id.as_ref() == Some(id))
            .ok_or_else(|| {
                Error::not_found(format!(
                    "the fake has no resource {}:{}",
                    id.resource_type, id.resource
                ))
            })?;
        let value = if enabled {
            StatusValue::Enabled
        } else {
            StatusValue::Disabled
        };
        r.status = Some(Status::of(value));
        // The user trait's (deprecated) status must not contradict the resource's.
        let mut annos = Annotations::from(std::mem::take(&mut r.annotations));
        if let Some(mut user) = annos.get::<UserTrait>() {
            user.status = Some(user_trait::Status {
                status: value as i32,
                details: String::new(),
            });
            annos.update(&user);
        }
        r.annotations = annos.into_inner();
        Ok(())
    }
}

#[async_trait]
impl ActionProvider for FakeSyncer {
    fn action_schemas(&self) -> Vec<BatonActionSchema> {
        let user = self.resource_type.has_trait(Trait::User);
        let (on, off) = if user {
            (ActionType::AccountEnable, ActionType::AccountDisable)
        } else {
            (ActionType::ResourceEnable, ActionType::ResourceDisable)
        };
        let name = &self.resource_type.display_name;
        [("enable", "Enable", on), ("disable", "Disable", off)]
            .into_iter()
            .map(|(id, label, t)| {
                BatonActionSchema::new(id, format!("{label} {name}"))
                    .with_argument(Field::resource_id("resource_id", name.as_str()).required())
                    .with_return_type(Field::string("status", "Status"))
                    .with_action_type(t)
            })
            .collect()
    }

    async fn invoke_action(&self, name: &str, args: &Struct) -> Result<ActionOutcome, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(FakeOp::Action, t, format!("action {t} {name}"))
            .await?;
        let enable = match name {
            "enable" => true,
            "disable" => false,
            other => {
                return Err(Error::not_found(format!(
                    "the fake has no action {other:?}"
                )));
            }
        };
        let id = resource_id_arg(args, "resource_id")
            .ok_or_else(|| Error::invalid_argument("resource_id is required"))?;
        if &id.resource_type != t {
            return Err(Error::invalid_argument(format!(
                "action {name} of {t} cannot act on a {}",
                id.resource_type
            )));
        }
        let mut actions = lock(&self.state.actions);
        actions.next += 1;
        let action_id = format!("fake-action-{}", actions.next);
        let outcome = if self.state.pending_actions {
            // Report honestly: nothing has changed yet.
            if !lock(&self.state.resources)
                .iter()
                .any(|r| r.id.as_ref() == Some(&id))
            {
                return Err(Error::not_found(format!(
                    "the fake has no resource {}:{}",
                    id.resource_type, id.resource
                )));
            }
            actions.pending.insert(action_id.clone(), (id, enable));
            ActionOutcome::pending(action_id.clone())
        } else {
            self.set_status(&id, enable)?;
            ActionOutcome::complete(action_id.clone(), Some(status_response(enable)))
        }
        .with_name(name);
        actions.outcomes.insert(action_id, outcome.clone());
        Ok(outcome)
    }

    async fn action_status(&self, id: &str) -> Result<Option<ActionOutcome>, Error> {
        let t = &self.resource_type.id;
        let _g = self
            .state
            .enter(FakeOp::Action, t, format!("action_status {id}"))
            .await?;
        let mut actions = lock(&self.state.actions);
        if let Some((rid, enable)) = actions.pending.remove(id) {
            let name = if enable { "enable" } else { "disable" };
            let outcome = match self.set_status(&rid, enable) {
                Ok(()) => ActionOutcome::complete(id, Some(status_response(enable))),
                Err(e) => ActionOutcome::failed(id, e.message()),
            }
            .with_name(name);
            actions.outcomes.insert(id.to_owned(), outcome);
        }
        Ok(actions.outcomes.get(id).cloned())
    }
}

impl EventProvider for FakeConnector {
    fn event_feeds(&self) -> Vec<Arc<dyn EventFeed>> {
        vec![Arc::new(FakeFeed(self.clone()))]
    }
}

struct FakeFeed(FakeConnector);

fn at_or_after(t: Option<&Timestamp>, start: &Timestamp) -> bool {
    t.is_some_and(|t| (t.seconds, t.nanos) >= (start.seconds, start.nanos))
}

#[async_trait]
impl EventFeed for FakeFeed {
    fn metadata(&self) -> EventFeedMetadata {
        EventFeedMetadata::new(
            FAKE_FEED_ID,
            [
                EventType::Usage,
                EventType::ResourceChange,
                EventType::CreateGrant,
                EventType::CreateRevoke,
            ],
        )
    }

    /// The cursor is the index of the next event; an empty one starts at the first event at or
    /// after `start_at`.
    async fn list_events(&self, request: &EventsRequest) -> Result<EventPage, Error> {
        let state = &self.0.state;
        let _g = state
            .enter(
                FakeOp::Events,
                "",
                format!("list_events {:?}", request.cursor),
            )
            .await?;
        let events = lock(&state.events);
        let start = if request.cursor.is_empty() {
            match &request.start_at {
                Some(s) => events
                    .iter()
                    .position(|e| at_or_after(e.occurred_at.as_ref(), s))
                    .unwrap_or(events.len()),
                None => 0,
            }
        } else {
            request
                .cursor
                .parse::<usize>()
                .ok()
                .filter(|i| *i <= events.len())
                .ok_or_else(|| {
                    Error::invalid_argument(format!(
                        "bad event cursor {:?}: start again with an empty cursor",
                        request.cursor
                    ))
                })?
        };
        let size = if request.page_size == 0 {
            state.page_size
        } else {
            request.page_size as usize
        };
        let end = (start + size).min(events.len());
        Ok(EventPage::new(
            events[start..end].to_vec(),
            end.to_string(),
            end < events.len(),
        ))
    }
}
