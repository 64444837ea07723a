//! Lists the users of a real Descope project, read from the environment.
//!
//! ```text
//! DESCOPE_PROJECT_ID=P2... DESCOPE_MANAGEMENT_KEY=K2... cargo run --example list_users
//! DESCOPE_MANAGEMENT_KEY=P2...:K2... cargo run --example list_users      # combined form
//! ```
//!
//! `DESCOPE_BASE_URL` (or `DESCOPE_BASE_URI`) points it elsewhere, e.g. at the emulator.
//! Exits with code 2 and one line on stderr when the configuration is missing or wrong (the
//! client's own rules: the same variables the library reads).

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use descope_mgmt::{Client, SearchUsersRequest, SortField};
use futures::TryStreamExt;

/// Lists the users of a Descope project (one tab-separated line each) with the `descope-mgmt`
/// client alone.
///
/// Reads DESCOPE_PROJECT_ID and DESCOPE_MANAGEMENT_KEY (or DESCOPE_MANAGEMENT_KEY set to
/// ProjectID:ManagementKey), and DESCOPE_BASE_URL to point elsewhere (e.g. at the emulator).
#[derive(Debug, Parser)]
#[command(name = "list_users", version)]
struct Args {
    /// Users per search page.
    #[arg(long, default_value_t = 100)]
    page_size: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("list_users: {e} (see --help)");
            return Ok(ExitCode::from(2));
        }
    };
    eprintln!(
        "listing users of project {} at {}",
        client.project_id(),
        client.base_url()
    );

    // A stable sort keeps paging consistent if users are added while we read.
    let req = SearchUsersRequest::new()
        .limit(args.page_size)
        .sort(vec![SortField::asc("createdTime")]);
    let mut users = client.users().search_all(req);
    let mut count = 0u64;
    while let Some(user) = users.try_next().await.context("user search failed")? {
        count += 1;
        let tenants: Vec<&str> = user
            .user_tenants
            .iter()
            .map(|t| t.tenant_id.as_str())
            .collect();
        println!(
            "{}\t{}\t{}\t{}\troles={}\ttenants={}",
            user.user_id,
            user.primary_login_id(),
            user.email,
            user.status,
            user.role_names.join(","),
            tenants.join(","),
        );
    }
    let m = client.metrics();
    eprintln!(
        "{count} users; {} requests, {} retries, {} rate-limited, {:?} waiting on the client-side limiter",
        m.requests, m.retries, m.rate_limited, m.throttle_wait
    );
    Ok(ExitCode::SUCCESS)
}
