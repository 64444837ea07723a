//! The `config` subcommand: the connector's configuration fields as baton's config schema.
//!
//! baton-sdk prints its `field.Configuration` as protojson of `c1.config.v1.Configuration`
//! (`fields[]` with `name`, `displayName`, `description`, `isRequired`, `isSecret` and one of
//! `stringField` / `boolField` / `intField` / `stringSliceField` holding a `defaultValue`). The
//! fields here are derived from the connector's clap flags, so the schema and the command line
//! cannot drift apart: a flag whose environment value is hidden (`hide_env_values`) is a secret.

use std::any::TypeId;

use clap::{Arg, ArgAction, Args, Command};
use serde_json::{Map, Value, json};

/// The configuration schema of a connector whose own flags are `A`, as baton's JSON.
///
/// ```
/// #[derive(Debug, Clone, clap::Args)]
/// struct MyArgs {
///     /// The API key.
///     #[arg(long, env = "BATON_MY_API_KEY", hide_env_values = true)]
///     my_api_key: Option<String>,
///     /// Items per page.
///     #[arg(long, env = "BATON_PAGE_SIZE", default_value_t = 100)]
///     page_size: u32,
/// }
///
/// let schema = c1_connector_runner::config_schema::<MyArgs>("My system");
/// assert_eq!(schema["displayName"], "My system");
/// assert_eq!(schema["fields"][0]["name"], "my-api-key");
/// assert_eq!(schema["fields"][0]["isSecret"], true);
/// assert_eq!(schema["fields"][1]["intField"]["defaultValue"], "100");
/// ```
pub fn config_schema<A: Args>(display_name: &str) -> Value {
    let cmd = A::augment_args(Command::new("connector"));
    let fields: Vec<Value> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && a.get_long().is_some())
        .map(field)
        .collect();
    json!({ "fields": fields, "displayName": display_name })
}

fn field(arg: &Arg) -> Value {
    let name = arg.get_long().unwrap_or_default().to_owned();
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("displayName".into(), json!(display_name(&name)));
    if let Some(help) = arg.get_help() {
        out.insert("description".into(), json!(help.to_string()));
    }
    if arg.is_required_set() {
        out.insert("isRequired".into(), json!(true));
    }
    if arg.is_hide_env_values_set() {
        out.insert("isSecret".into(), json!(true));
    }
    let default: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let (key, value) = match kind(arg) {
        Kind::Bool => (
            "boolField",
            default
                .first()
                .map(|d| json!({ "defaultValue": d == "true" })),
        ),
        Kind::Int => (
            "intField",
            // protojson writes int64 as a string.
            default.first().map(|d| json!({ "defaultValue": d })),
        ),
        Kind::StringSlice => (
            "stringSliceField",
            (!default.is_empty()).then(|| json!({ "defaultValue": default })),
        ),
        Kind::String => (
            "stringField",
            default.first().map(|d| json!({ "defaultValue": d })),
        ),
    };
    out.insert(key.into(), value.unwrap_or_else(|| json!({})));
    Value::Object(out)
}

enum Kind {
    Bool,
    Int,
    StringSlice,
    String,
}

fn kind(arg: &Arg) -> Kind {
    if matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse) {
        return Kind::Bool;
    }
    if matches!(arg.get_action(), ArgAction::Append)
        || arg.get_value_delimiter().is_some()
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
    {
        return Kind::StringSlice;
    }
    let t = arg.get_value_parser().type_id();
    if t == TypeId::of::<bool>() {
        return Kind::Bool;
    }
    let ints = [
        TypeId::of::<u8>(),
        TypeId::of::<u16>(),
        TypeId::of::<u32>(),
        TypeId::of::<u64>(),
        TypeId::of::<usize>(),
        TypeId::of::<i8>(),
        TypeId::of::<i16>(),
        TypeId::of::<i32>(),
        TypeId::of::<i64>(),
        TypeId::of::<isize>(),
    ];
    if ints.iter().any(|i| t == *i) {
        Kind::Int
    } else {
        Kind::String
    }
}

/// `descope-project-id` → `Descope project id`.
fn display_name(name: &str) -> String {
    let words = name.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
