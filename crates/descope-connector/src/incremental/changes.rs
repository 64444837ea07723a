//! What changed in Descope since the previous sync: the queries an incremental sync makes.

use std::collections::HashSet;

use c1_connector_sdk::error::{Code, Error};
use descope_mgmt::{Client, SearchAuditRequest, SearchUsersRequest, User};
use futures::TryStreamExt;

use crate::error::from_descope;

/// Users asked for by id per user search: one page.
pub(crate) const BY_ID_BATCH: usize = 100;

/// The audit actions about users an incremental sync reads: creations and modifications name
/// users to read again (a role or tenant assignment may not change a user's modified time),
/// deletions the users to drop.
const USER_ACTIONS: &[&str] = &[
    "UserCreated",
    "UsersCreated",
    "UserModified",
    "UsersModified",
    "UserDeleted",
    "UsersDeleted",
];

/// The users with these ids that a full listing would return (`search` is the listing's),
/// [`BY_ID_BATCH`] a request; ids Descope does not return are not users any more.
pub(crate) async fn users_by_id(
    client: &Client,
    search: &SearchUsersRequest,
    ids: &[String],
) -> Result<(Vec<User>, u64), Error> {
    let mut found = Vec::with_capacity(ids.len());
    let mut requests = 0;
    for chunk in ids.chunks(BY_ID_BATCH) {
        let mut req = search.clone();
        req.user_ids = chunk.to_vec();
        req.limit = Some(u32::try_from(chunk.len()).unwrap_or(u32::MAX));
        req.page = Some(0);
        requests += 1;
        let page = client
            .users()
            .search(&req)
            .await
            .map_err(|e| from_descope("searching users by id (incremental sync)", e))?;
        let asked: HashSet<&str> = chunk.iter().map(String::as_str).collect();
        for user in page.users {
            if !asked.contains(user.user_id.as_str()) {
                return Err(Error::new(
                    Code::Unavailable,
                    format!(
                        "Descope answered a search for {} users by id with user '{}', which was not asked for: the answer is not trusted; the sync will be retried",
                        chunk.len(),
                        user.user_id
                    ),
                ));
            }
            found.push(user);
        }
    }
    Ok((found, requests))
}

/// How many users a full listing would return now: Descope's `total` for the listing's search.
pub(crate) async fn user_total(client: &Client, search: &SearchUsersRequest) -> Result<u64, Error> {
    let mut req = search.clone();
    req.limit = Some(1);
    req.page = Some(0);
    client
        .users()
        .search(&req)
        .await
        .map(|page| page.total)
        .map_err(|e| from_descope("counting users (incremental sync)", e))
}

/// Users the audit log names between two times.
#[derive(Debug, Default)]
pub(crate) struct AuditChanges {
    /// Ids of users deleted.
    pub(crate) deleted: HashSet<String>,
    /// Ids of users created or modified.
    pub(crate) touched: HashSet<String>,
    /// Audit records read.
    pub(crate) records: u64,
}

/// The user changes in the audit log from `from` to `to` (epoch ms), or why they cannot be
/// known (a record that names no user, an audit log the key may not read).
pub(crate) async fn audit_changes(
    client: &Client,
    from: i64,
    to: i64,
) -> Result<Result<AuditChanges, String>, Error> {
    let mut req = SearchAuditRequest::new();
    req.actions = USER_ACTIONS.iter().map(|a| (*a).to_owned()).collect();
    req.from = Some(from);
    req.to = Some(to);
    let mut records = client.audit().search_all(req);
    let mut changes = AuditChanges::default();
    loop {
        let record = match records.try_next().await {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(e) => {
                let err = from_descope("reading the audit log (incremental sync)", e);
                return match err.code() {
                    Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted => {
                        Err(err)
                    }
                    _ => Ok(Err(format!(
                        "the audit log could not be read, so deletions are unknown ({})",
                        err.message()
                    ))),
                };
            }
        };
        changes.records += 1;
        let ids = crate::events::users_named(&record);
        if ids.is_empty() {
            return Ok(Err(format!(
                "the audit record '{}' ({}) names no user, so which user changed is unknown",
                record.id, record.action
            )));
        }
        let into = if record.action.ends_with("Deleted") {
            &mut changes.deleted
        } else {
            &mut changes.touched
        };
        into.extend(ids);
    }
    Ok(Ok(changes))
}
