//! One-shot commands beyond grant and revoke (baton-sdk's `pkg/cli/commands.go` and
//! `pkg/tasks/local`): account creation, resource deletion, actions and event feeds, each run
//! once against the connector.
//!
//! | flags | needs `--provisioning` | standard output | standard error |
//! | --- | --- | --- | --- |
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
#[cfg(test)]
mod tests;

use std::future::Future;
use std::io::Write;

use c1_connector_sdk::model::Resource;
use tokio_util::sync::CancellationToken;

use crate::cli::{BatonArgs, Cli};
use crate::exit::{Exit, Failure};
use crate::program::ConnectorProgram;
use crate::run::Outcome;

/// One parsed one-shot command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OneShot {
    CreateAccount(accounts::CreateAccount),
    DeleteResource { id: String, resource_type: String },
    ListActionSchemas { resource_type: String },
    InvokeAction(actions::Invoke),
    ActionStatus { id: String },
    EventFeed(events::FeedRequest),
}

/// A flag's value, with an empty value (e.g. `BATON_EVENT_FEED_ID=`) counted as unset, as baton
/// does.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

impl OneShot {
    /// The one-shot command the flags ask for, if it is one of these (grant and revoke are run
    /// by [`crate::run`]). More than one command at a time, or a companion flag without its
    /// command, is a usage error (exit 2): baton would silently pick one.
    pub(crate) fn from_args(args: &BatonArgs) -> Result<Option<OneShot>, Failure> {
        let create = [
            &args.create_account_login,
            &args.create_account_email,
            &args.create_account_profile,
        ]
        .into_iter()
        .any(|v| given(v).is_some());
        let create_companion = given(&args.create_account_resource_type).is_some()
            || args.create_account_credential.is_some();
        let list = args.list_action_schemas;
        let invoke = given(&args.invoke_action).is_some();
        let events = args.event_feed;
        let asked: Vec<&str> = [
            (args.grant_entitlement.is_some(), "--grant-entitlement"),
            (args.revoke_grant.is_some(), "--revoke-grant"),
            (create, "--create-account-*"),
            (given(&args.delete_resource).is_some(), "--delete-resource"),
            (list, "--list-action-schemas"),
            (invoke, "--invoke-action"),
            (given(&args.action_status).is_some(), "--action-status"),
            (events, "--event-feed"),
        ]
        .into_iter()
        .filter_map(|(on, flag)| on.then_some(flag))
        .collect();
        if asked.len() > 1 {
            return Err(Failure::usage(format!(
                "one command at a time: {} were given together; run them one after another",
                asked.join(" and ")
            )));
        }
        let companion = |flag: &str, needs: &str| {
            Failure::usage(format!("{flag} is only used with {needs}: add {needs}"))
        };
        if create_companion && !create {
            return Err(companion(
                "--create-account-resource-type / --create-account-credential",
                "--create-account-login, --create-account-email or --create-account-profile",
            ));
        }
        if given(&args.list_action_schemas_resource_type).is_some() && !list {
            return Err(companion(
                "--list-action-schemas-resource-type",
                "--list-action-schemas",
            ));
        }
        if !events {
            for (value, flag) in [
                (&args.event_feed_id, "--event-feed-id"),
                (&args.event_feed_cursor, "--event-feed-cursor"),
            ] {
                if given(value).is_some() {
                    return Err(companion(flag, "--event-feed"));
                }
            }
            if args.event_feed_start_at.is_some() {
                return Err(companion("--event-feed-start-at", "--event-feed"));
            }
        }

        let command = if create {
            OneShot::CreateAccount(accounts::CreateAccount::from_args(args)?)
        } else if let (Some(id), Some(resource_type)) = (
            given(&args.delete_resource),
            given(&args.delete_resource_type),
        ) {
            OneShot::DeleteResource {
                id: id.to_owned(),
                resource_type: resource_type.to_owned(),
            }
        } else if given(&args.delete_resource).is_some() {
            return Err(Failure::usage(
                "--delete-resource needs --delete-resource-type (the resource type of the id)",
            ));
        } else if list {
            OneShot::ListActionSchemas {
                resource_type: given(&args.list_action_schemas_resource_type)
                    .unwrap_or_default()
                    .to_owned(),
            }
        } else if invoke {
            OneShot::InvokeAction(actions::Invoke::from_args(args)?)
        } else if let Some(id) = given(&args.action_status) {
            OneShot::ActionStatus { id: id.to_owned() }
        } else if events {
            OneShot::EventFeed(events::FeedRequest::from_args(args))
        } else {
            return Ok(None);
        };
        Ok(Some(command))
    }

    /// Whether the command changes the connected system (and so needs `--provisioning`).
    fn changes(&self) -> Option<&'static str> {
        match self {
            OneShot::CreateAccount(_) => Some("create accounts"),
            OneShot::DeleteResource { .. } => Some("delete resources"),
            OneShot::InvokeAction(_) => Some("invoke actions"),
            _ => None,
        }
    }
}

/// Where a command writes: its result on `out`, what happened on `err`.
pub(crate) struct Io<'a> {
    out: &'a mut (dyn Write + Send),
    err: &'a mut (dyn Write + Send),
}

impl<'a> Io<'a> {
    pub(crate) fn new(out: &'a mut (dyn Write + Send), err: &'a mut (dyn Write + Send)) -> Self {
        Io { out, err }
    }

    /// Writes the result; a reader that went away (`| head -1`) ends the command quietly.
    fn out(&mut self, text: &str) -> Result<(), Outcome> {
        match self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
        {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Outcome::BrokenPipe),
            Err(e) => {
                Err(Failure::failed(format!("could not write to standard output: {e}")).into())
            }
        }
    }

    /// Writes one line of JSON on the result stream.
    fn out_json(&mut self, value: &serde_json::Value, pretty: bool) -> Result<(), Outcome> {
        let rendered = if pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        let mut text =
            rendered.map_err(|e| Failure::failed(format!("could not render JSON: {e}")))?;
        text.push('\n');
        self.out(&text)
    }

    /// Tells the user what happened (a closed standard error is not worth failing for).
    fn note(&mut self, line: &str) {
        let _ = writeln!(self.err, "{line}");
    }
}

/// Runs a one-shot command on standard output and standard error, stopping on Ctrl-C / SIGTERM.
pub(crate) async fn run_std<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    command: OneShot,
) -> Result<(), Outcome> {
    let cancel = CancellationToken::new();
    crate::run::spawn_signal_handler(cancel.clone());
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    run(
        program,
        cli,
        command,
        &mut Io::new(&mut out, &mut err),
        &cancel,
    )
    .await
}

/// Runs a one-shot command.
pub(crate) async fn run<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    command: OneShot,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
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
    match command {
        OneShot::CreateAccount(request) => {
            let connected = program
                .connect(&cli.connector, crate::Purpose::Provision)
                .await?;
            accounts::create(connected.connector.as_ref(), &request, io, cancel).await
        }
        OneShot::DeleteResource { id, resource_type } => {
            let connected = program
                .connect(&cli.connector, crate::Purpose::Provision)
                .await?;
            accounts::delete(
                connected.connector.as_ref(),
                &resource_type,
                &id,
                io,
                cancel,
            )
            .await
        }
        OneShot::ListActionSchemas { resource_type } => {
            // Listing schemas reads only what the connector declares: no call is made.
            let connected = program
                .connect(&cli.connector, crate::Purpose::Describe)
                .await?;
            actions::list(connected.connector.as_ref(), &resource_type, io)
        }
        OneShot::InvokeAction(invoke) => {
            let connected = program
                .connect(&cli.connector, crate::Purpose::Provision)
                .await?;
            let interval = std::time::Duration::from_millis(cli.baton.action_poll_interval_ms);
            actions::invoke(connected.connector.as_ref(), &invoke, interval, io, cancel).await
        }
        OneShot::ActionStatus { id } => {
            let connected = program
                .connect(&cli.connector, crate::Purpose::Provision)
                .await?;
            actions::status(connected.connector.as_ref(), &id, io, cancel).await
        }
        OneShot::EventFeed(request) => {
            let connected = program
                .connect(&cli.connector, crate::Purpose::Sync)
                .await?;
            events::read(connected.connector.as_ref(), &request, io, cancel).await
        }
    }
}

/// Awaits a connector call unless the user interrupts; `interrupted` says what state that
/// leaves (exit 130).
async fn unless_cancelled<T>(
    cancel: &CancellationToken,
    interrupted: impl FnOnce() -> String,
    call: impl Future<Output = Result<T, c1_connector_sdk::Error>>,
) -> Result<T, Outcome> {
    tokio::select! {
        result = call => result.map_err(Outcome::from),
        () = cancel.cancelled() => Err(Failure::new(Exit::Interrupted, interrupted()).into()),
    }
}

/// `user 'U1'`, or `user 'U1' ("Ann Lee")` when the display name says more.
fn describe(resource: &Resource) -> String {
    let (resource_type, id) = resource.id.as_ref().map_or(("?", "?"), |i| {
        (i.resource_type.as_str(), i.resource.as_str())
    });
    let mut text = format!("{resource_type} '{id}'");
    if !resource.display_name.is_empty() && resource.display_name != id {
        text.push_str(&format!(" (\"{}\")", resource.display_name));
    }
    text
}
