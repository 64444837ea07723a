//! Lists the users of a real Descope project, read from the environment.
//!
//! ```text
//! DESCOPE_PROJECT_ID=P2... DESCOPE_MANAGEMENT_KEY=K2... cargo run --example list_users
//! DESCOPE_MANAGEMENT_KEY=P2...:K2... cargo run --example list_users      # combined form
//! ```
//!
//! `DESCOPE_BASE_URL` (or `DESCOPE_BASE_URI`) points it elsewhere, e.g. at the emulator.
//! Exits with code 2 and one line on stderr when credentials are missing.

use std::process::ExitCode;

use anyhow::Context;
use descope_mgmt::{Client, SearchUsersRequest, SortField};
use futures::TryStreamExt;

fn set(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let key = set("DESCOPE_MANAGEMENT_KEY");
    let combined = key.as_deref().is_some_and(|k| k.contains(':'));
    if key.is_none() || (set("DESCOPE_PROJECT_ID").is_none() && !combined) {
        eprintln!(
            "list_users: set DESCOPE_PROJECT_ID and DESCOPE_MANAGEMENT_KEY (or DESCOPE_MANAGEMENT_KEY=ProjectID:ManagementKey) to list a project's users"
        );
        return Ok(ExitCode::from(2));
    }

    let client = Client::from_env().context("could not configure the Descope client")?;
    eprintln!(
        "listing users of project {} at {}",
        client.project_id(),
        client.base_url()
    );

    // A stable sort keeps paging consistent if users are added while we read.
    let req = SearchUsersRequest::new()
        .limit(100)
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
