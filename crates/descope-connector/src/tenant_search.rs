//! Searches by `tenantIds` (roles, access keys), in as few requests as Descope accepts.
//!
//! Descope documents no maximum for a search's `tenantIds`. The connector starts with
//! [`TENANT_IDS_PER_SEARCH`] ids a request (about 31 KB of body): a project of 10,000 tenants
//! costs 10 searches instead of the 200 that chunks of 50 took. A search Descope refuses with
//! 400 is asked again as two searches of half as many ids, and the smaller size is kept for the
//! rest of the listing, so a stricter server costs a few more requests, never an error (a
//! single id refused is an error).

use std::future::Future;

use c1_connector_sdk::error::Error;
use descope_mgmt::{Client, Role, SearchRolesRequest};
use futures::{StreamExt, TryStreamExt};

/// Tenant ids per search to start with.
pub(crate) const TENANT_IDS_PER_SEARCH: usize = 1_000;

/// Searches in flight at once, once the first search has shown how many ids Descope accepts.
const SEARCHES_IN_FLIGHT: usize = 4;

/// What searches by tenant returned: each search's tenant ids with its answer.
pub(crate) type Answers<T> = Vec<(Vec<String>, Vec<T>)>;

/// Searches `ids` in chunks (see the module docs). `search` sends one search for the ids it is
/// given; `what` names the search in errors.
pub(crate) async fn search_by_tenants<T, F, Fut>(
    ids: &[String],
    what: &str,
    search: F,
) -> Result<Answers<T>, Error>
where
    F: Fn(Vec<String>) -> Fut + Clone + Send + Sync,
    Fut: Future<Output = Result<Vec<T>, descope_mgmt::Error>> + Send,
    T: Send,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The first chunk alone: it finds the size Descope takes.
    let first_len = ids.len().min(TENANT_IDS_PER_SEARCH);
    let mut answers = halving(ids[..first_len].to_vec(), what, search.clone()).await?;
    let size = answers
        .iter()
        .map(|(chunk, _)| chunk.len())
        .max()
        .unwrap_or(1);
    // Owned inputs: the futures of a buffered stream must not borrow from this function
    // (a borrow there makes the caller's future not `Send` for every lifetime).
    let chunks: Vec<Vec<String>> = ids[first_len..]
        .chunks(size)
        .map(<[String]>::to_vec)
        .collect();
    let rest: Vec<Answers<T>> = futures::stream::iter(chunks)
        .map(|chunk| halving(chunk, what, search.clone()))
        .buffered(SEARCHES_IN_FLIGHT)
        .try_collect()
        .await?;
    answers.extend(rest.into_iter().flatten());
    Ok(answers)
}

/// The roles of tenants `ids` (`role/search` by tenant, in chunks as [`search_by_tenants`]
/// sends them); `what` names the search in errors.
pub(crate) async fn roles_of_tenants(
    client: &Client,
    ids: &[String],
    what: &str,
) -> Result<Answers<Role>, Error> {
    search_by_tenants(ids, what, |chunk| {
        let client = client.clone();
        async move {
            client
                .roles()
                .search(&SearchRolesRequest::new().tenant_ids(chunk))
                .await
        }
    })
    .await
}

/// Searches `chunk`, in one search if Descope accepts it; refused with 400, in searches of
/// half as many ids, and so on (the size that worked is kept for the rest of `chunk`).
pub(crate) async fn halving<T, F, Fut>(
    chunk: Vec<String>,
    what: &str,
    search: F,
) -> Result<Answers<T>, Error>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, descope_mgmt::Error>>,
{
    let mut out = Vec::new();
    let mut size = chunk.len();
    let mut rest = chunk.as_slice();
    while !rest.is_empty() {
        let n = size.min(rest.len());
        let ids = rest[..n].to_vec();
        match search(ids.clone()).await {
            Ok(found) => {
                out.push((ids, found));
                rest = &rest[n..];
            }
            Err(err) if err.status() == Some(400) && n > 1 => {
                tracing::info!(
                    tenants = n,
                    search = what,
                    "Descope refused a search of this many tenants: asking half as many at a time"
                );
                size = n / 2;
            }
            Err(err) => return Err(crate::error::from_descope(what, err)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("T{i}")).collect()
    }

    type Answer =
        std::pin::Pin<Box<dyn Future<Output = Result<Vec<String>, descope_mgmt::Error>> + Send>>;

    /// A search that refuses more than `max` ids with a 400 and answers each id with itself.
    fn capped(
        max: usize,
        sizes: Arc<Mutex<Vec<usize>>>,
    ) -> impl Fn(Vec<String>) -> Answer + Clone + Send + Sync {
        move |chunk: Vec<String>| {
            let sizes = sizes.clone();
            Box::pin(async move {
                sizes.lock().unwrap().push(chunk.len());
                if chunk.len() > max {
                    return Err(descope_mgmt::Error::from(descope_mgmt::ApiError::new(
                        400,
                        "E011004",
                        "Too many ids",
                    )));
                }
                Ok(chunk)
            })
        }
    }

    #[tokio::test]
    async fn one_search_when_descope_takes_them_all() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let got = search_by_tenants(&ids(900), "test", capped(5_000, sizes.clone()))
            .await
            .unwrap();
        assert_eq!(*sizes.lock().unwrap(), [900]);
        let all: Vec<String> = got.into_iter().flat_map(|(_, found)| found).collect();
        assert_eq!(all, ids(900));
    }

    #[tokio::test]
    async fn halves_until_accepted_and_keeps_the_size() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let got = search_by_tenants(&ids(2_500), "test", capped(300, sizes.clone()))
            .await
            .unwrap();
        let sizes = sizes.lock().unwrap().clone();
        // 1000 refused, 500 refused, then 250s: the rest of the first 1000 and everything after.
        assert_eq!(&sizes[..3], [1_000, 500, 250]);
        assert!(sizes[3..].iter().all(|&s| s == 250), "{sizes:?}");
        assert_eq!(sizes.len(), 2 + 10);
        let mut all: Vec<String> = got.into_iter().flat_map(|(_, found)| found).collect();
        all.sort();
        let mut want = ids(2_500);
        want.sort();
        assert_eq!(all, want, "every tenant searched once");
    }

    #[tokio::test]
    async fn a_single_id_refused_is_an_error() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let err = search_by_tenants(&ids(3), "searching test", capped(0, sizes))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("searching test"), "{err}");
    }
}
