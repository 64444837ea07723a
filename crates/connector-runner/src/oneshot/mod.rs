//! One-shot commands (baton-sdk's `pkg/cli/commands.go`, `pkg/provisioner` and
//! `pkg/tasks/local`): grant, revoke, account creation, resource deletion, actions and event
//! feeds, each run once against the connector through the SDK's operations
//! (`c1_connector_sdk::ops`). This module maps flags to a call and the result to the streams
//! and an exit code; what the call does is the SDK's.
//!
//! | flags | needs `--provisioning` | standard output | standard error |
//! | --- | --- | --- | --- |
//! | `--grant-entitlement <id> --grant-principal <id> --grant-principal-type <type>` (ids from the `.c1z` of `--file`) | yes | nothing | granted, or "already has …: nothing changed" |
//! | `--revoke-grant <id>` (from the `.c1z` of `--file`) | yes | nothing | revoked, or "was already revoked: nothing changed" |
//! | `--create-account-login/-email/-profile [-resource-type] [-credential]` | yes | nothing | what was created (type and id), or "already exists", "action required: …", "in progress" |
//! | `--delete-resource <id> --delete-resource-type <type>` | yes | nothing | deleted, or "does not exist" (already gone) |
//! | `--list-action-schemas [--list-action-schemas-resource-type <type>]` | no | `{"schemas": [...]}` (protojson) | how many |
//! | `--invoke-action <name> [--invoke-action-args <json>] [--invoke-action-resource-type <type>]` | yes | the settled outcome (protojson of `InvokeActionResponse`) | the status as it changes |
//! | `--action-status <id>` | no | the outcome (protojson of `GetActionStatusResponse`) | the status |
//! | `--event-feed [--event-feed-id] [--event-feed-start-at] [--event-feed-cursor]` | no | one event a line (protojson of `c1.connector.v2.Event`) | how many, and the cursor to resume from |
//!
//! Everything given on the command line is checked before the connector is built, so malformed
//! input (exit 2) never reaches the connected system. Failures map through the one exit-code
//! table ([`crate::exit`]).

mod accounts;
mod actions;
mod events;
mod flags;
mod interrupt;
mod io;
mod provision;
#[cfg(test)]
mod tests;

pub(crate) use interrupt::Interrupt;
pub(crate) use io::Io;

use crate::cli::{BatonArgs, Cli};
use crate::exit::{Exit, Failure, Outcome};
use crate::program::{ConnectorProgram, Purpose};
use flags::given;

/// One parsed one-shot command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OneShot {
    Grant(provision::Grant),
    Revoke { grant: String },
    CreateAccount(accounts::CreateAccount),
    DeleteResource { id: String, resource_type: String },
    RotateCredentials { id: String, resource_type: String },
    ListActionSchemas { resource_type: String },
    InvokeAction(actions::Invoke),
    ActionStatus { id: String },
    EventFeed(events::FeedRequest),
}

impl OneShot {
    /// The one-shot command the flags ask for, if any (`None`: a sync). More than one command at
    /// a time, or a companion flag without its command, is a usage error (exit 2): baton would
    /// silently pick one.
    pub(crate) fn from_args(args: &BatonArgs) -> Result<Option<OneShot>, Failure> {
        flags::check_combination(args)?;
        let command = if let Some(entitlement) = &args.grant_entitlement {
            OneShot::Grant(provision::Grant {
                entitlement: entitlement.clone(),
                principal: args.grant_principal.clone(),
                principal_type: args.grant_principal_type.clone(),
            })
        } else if let Some(grant) = &args.revoke_grant {
            OneShot::Revoke {
                grant: grant.clone(),
            }
        } else if flags::creates_account(args) {
            OneShot::CreateAccount(accounts::CreateAccount::from_args(args)?)
        } else if let (Some(id), Some(resource_type)) = (
            given(&args.delete_resource),
            given(&args.delete_resource_type),
        ) {
            OneShot::DeleteResource {
                id: id.to_owned(),
                resource_type: resource_type.to_owned(),
            }
        } else if let (Some(id), Some(resource_type)) = (
            given(&args.rotate_credentials),
            given(&args.rotate_credentials_type),
        ) {
            OneShot::RotateCredentials {
                id: id.to_owned(),
                resource_type: resource_type.to_owned(),
            }
        } else if given(&args.rotate_credentials).is_some() {
            return Err(Failure::usage(
                "--rotate-credentials needs --rotate-credentials-type (the resource type of the id)",
            ));
        } else if given(&args.delete_resource).is_some() {
            return Err(Failure::usage(
                "--delete-resource needs --delete-resource-type (the resource type of the id)",
            ));
        } else if args.list_action_schemas {
            OneShot::ListActionSchemas {
                resource_type: given(&args.list_action_schemas_resource_type)
                    .unwrap_or_default()
                    .to_owned(),
            }
        } else if given(&args.invoke_action).is_some() {
            OneShot::InvokeAction(actions::Invoke::from_args(args)?)
        } else if let Some(id) = given(&args.action_status) {
            OneShot::ActionStatus { id: id.to_owned() }
        } else if args.event_feed {
            OneShot::EventFeed(events::FeedRequest::from_args(args))
        } else {
            return Ok(None);
        };
        Ok(Some(command))
    }

    /// Whether the command changes the connected system (and so needs `--provisioning`).
    fn changes(&self) -> Option<&'static str> {
        match self {
            OneShot::Grant(_) | OneShot::Revoke { .. } => Some("change access"),
            OneShot::CreateAccount(_) => Some("create accounts"),
            OneShot::DeleteResource { .. } => Some("delete resources"),
            OneShot::RotateCredentials { .. } => Some("rotate credentials"),
            OneShot::InvokeAction(_) => Some("invoke actions"),
            _ => None,
        }
    }
}

/// Runs a one-shot command on standard output and standard error, stopping on Ctrl-C / SIGTERM.
pub(crate) async fn run_std<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    command: OneShot,
) -> Result<(), Outcome> {
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    run(
        program,
        cli,
        command,
        &mut Io::new(&mut out, &mut err),
        &Interrupt::on_signals(),
    )
    .await
}

/// Runs a one-shot command.
pub(crate) async fn run<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    command: OneShot,
    io: &mut Io<'_>,
    interrupt: &Interrupt,
) -> Result<(), Outcome> {
    if let Some(what) = command.changes()
        && !cli.baton.provisioning
    {
        return Err(Failure::new(
            Exit::Precondition,
            format!(
                "provisioning is not enabled: add --provisioning (or BATON_PROVISIONING=true) to {what}"
            ),
        )
        .into());
    }
    let cancel = interrupt.token();
    match command {
        // Grant and revoke check their `.c1z` first, and listen for signals once connected.
        OneShot::Grant(grant) => provision::grant(program, cli, &grant, io, interrupt).await,
        OneShot::Revoke { grant } => provision::revoke(program, cli, &grant, io, interrupt).await,
        // The others listen from the start.
        OneShot::CreateAccount(request) => {
            let ops = interrupt.connect(program, cli, Purpose::Provision).await?;
            accounts::create(&ops, &request, io, cancel).await
        }
        OneShot::DeleteResource { id, resource_type } => {
            let ops = interrupt.connect(program, cli, Purpose::Provision).await?;
            accounts::delete(&ops, &resource_type, &id, io, cancel).await
        }
        OneShot::RotateCredentials { id, resource_type } => {
            let ops = interrupt.connect(program, cli, Purpose::Provision).await?;
            accounts::rotate(&ops, &resource_type, &id, io, cancel).await
        }
        OneShot::ListActionSchemas { resource_type } => {
            // Listing schemas reads only what the connector declares: no call is made.
            let ops = interrupt.connect(program, cli, Purpose::Describe).await?;
            actions::list(&ops, &resource_type, io)
        }
        OneShot::InvokeAction(invoke) => {
            let ops = interrupt.connect(program, cli, Purpose::Provision).await?;
            let interval = std::time::Duration::from_millis(cli.baton.action_poll_interval_ms);
            actions::invoke(&ops, &invoke, interval, io, cancel).await
        }
        OneShot::ActionStatus { id } => {
            let ops = interrupt.connect(program, cli, Purpose::Provision).await?;
            actions::status(&ops, &id, io, cancel).await
        }
        OneShot::EventFeed(request) => {
            let ops = interrupt.connect(program, cli, Purpose::Sync).await?;
            events::read(&ops, &request, io, cancel).await
        }
    }
}
