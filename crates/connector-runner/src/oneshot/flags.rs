//! Reading the one-shot flags: baton's empty-means-unset rule and JSON-object flags.

use serde_json::{Map, Value};

use crate::cli::BatonArgs;
use crate::exit::Failure;

/// A flag's value, with an empty value (e.g. `BATON_EVENT_FEED_ID=`) counted as unset, as baton
/// does.
pub(super) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// Parses a flag that must hold a JSON object; the error shows the expected shape.
pub(super) fn parse_object(
    text: &str,
    flag: &str,
    example: &str,
) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Failure::usage(format!(
            "{flag} must be a JSON object such as {example}, not {}",
            kind_of(&other)
        ))),
        Err(e) => Err(Failure::usage(format!(
            "{flag} is not valid JSON ({e}): give a JSON object such as {example}"
        ))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether the flags ask to create an account (a login, an email or a profile).
pub(super) fn creates_account(args: &BatonArgs) -> bool {
    [
        &args.create_account_login,
        &args.create_account_email,
        &args.create_account_profile,
    ]
    .into_iter()
    .any(|v| given(v).is_some())
}

/// Refuses more than one command at a time, and a companion flag without its command (exit 2):
/// baton would silently pick one.
pub(super) fn check_combination(args: &BatonArgs) -> Result<(), Failure> {
    let create = creates_account(args);
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
        (
            given(&args.rotate_credentials).is_some(),
            "--rotate-credentials",
        ),
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
    Ok(())
}
