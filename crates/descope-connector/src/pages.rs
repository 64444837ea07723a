//! Page tokens, and the pages of grants the tenant, role and app syncers read from the
//! assignment index.

use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use c1_connector_sdk::page::Page;

use crate::context::SyncContext;
use crate::index::AssignmentIndex;
use crate::kinds::for_grants;

/// Grants per page when listing the holders of one role or tenant.
const GRANT_PAGE: usize = 500;

/// The offset a page token names (`0` for the first page).
pub(crate) fn parse_offset(token: Option<&str>) -> Result<u64, Error> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t.parse().map_err(|_| {
            Error::invalid_argument(format!("page token '{t}' is not a Descope connector token"))
        }),
    }
}

/// One page of grants to holders `holders[start..]`, as `Grant`s on `entitlement`.
pub(crate) async fn holder_grants(
    ctx: &SyncContext,
    entitlement: &Entitlement,
    holders: impl Fn(&AssignmentIndex) -> &[u32],
    token: Option<&str>,
) -> Result<Page<Grant>, Error> {
    two_list_grants(ctx, entitlement, |i| (holders(i), &[]), None, token).await
}

/// One page of grants to the holders of two lists read as one (`first` then `second`), the
/// grants to `second`'s holders carrying `second_annotation`.
pub(crate) async fn two_list_grants(
    ctx: &SyncContext,
    entitlement: &Entitlement,
    holders: impl Fn(&AssignmentIndex) -> (&[u32], &[u32]),
    second_annotation: Option<prost_types::Any>,
    token: Option<&str>,
) -> Result<Page<Grant>, Error> {
    let start = usize::try_from(parse_offset(token)?).unwrap_or(usize::MAX);
    // Grants are only ever read from a complete index (see `SyncContext::ensure_index`).
    ctx.ensure_index().await?;
    let index = ctx.index();
    let (first, second) = holders(&index);
    let total = first.len() + second.len();
    let end = total.min(start.saturating_add(GRANT_PAGE));
    let entitlement = &for_grants(entitlement);
    let mut grants = Vec::with_capacity(end.saturating_sub(start));
    for i in start..end {
        let (n, annotated) = if i < first.len() {
            (first[i], false)
        } else {
            (second[i - first.len()], true)
        };
        if let Some(user) = index.user(n) {
            let principal_type = user.kind.resource_type();
            // What `Grant::new(entitlement, principal)` builds, without the intermediate
            // copies of the principal and its id, nor a copy of the entitlement: the page
            // shares one (`Page::of_entitlement`).
            let mut grant = Grant {
                id: format!("{}:{principal_type}:{}", entitlement.id, user.resource_id),
                principal: Some(Resource::new(
                    principal_type,
                    user.resource_id,
                    user.display_name,
                )),
                ..Grant::default()
            };
            if annotated && let Some(any) = &second_annotation {
                grant.annotations.push(any.clone());
            }
            grants.push(grant);
        }
    }
    let next = (end < total).then(|| end.to_string());
    Ok(Page::of_entitlement(entitlement.clone(), grants, next))
}
