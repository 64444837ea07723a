//! What the connector keeps in a sync's session, so a resumed sync need not list users again.
//!
//! The grants phase reads the assignment index, which the user listing fills. A process that
//! resumes a sync past the user listing (or part-way through it) has not seen every user, so the
//! index must come from somewhere. While users stream past, each page's compact assignment
//! records are stored in the session under the page's offset (`kept/descope/users/<offset, 20
//! digits>`): a page listed again (a retry, a resumed listing) replaces its record rather than
//! adding one. On resume the index is rebuilt by following the chain of records from offset 0,
//! each record naming where the next page starts, to the record of the last page. Where the
//! chain breaks (a record never saved, or unreadable), the users are listed again from there
//! only. The SDK saves a session write no later than the checkpoint accounting for the page the
//! connector returned after it, so the chain always covers every page the checkpoint does.
//!
//! The records are kept keys (`c1_connector_sdk::previous::KEPT_PREFIX`): a finished file keeps
//! them, with the marker [`KEPT_MARKER`] once the chain covers every user, so that a later
//! incremental sync (see the `incremental` module) rebuilds its index from them and asks Descope
//! only for the users that changed. They cost about 70 bytes a user before compression.
//!
//! A record is JSON: `{"o": offset, "n": next offset or null, "u": [[user id, display name,
//! [project roles], [[tenant id, [tenant roles]], ...], [SSO app ids]], ...]}`, the fields of a
//! user the index needs and no more. A record of another shape (an older version wrote users
//! without SSO app ids, and an empty list means "every app") is unreadable, never read as this
//! one: the users are listed again from there. A session written by another version is refused
//! as a whole before any record is read (see [`crate::resume`]).
//!
//! Each page's boundary (where the last page fetched for it started, and its last users' ids) is
//! kept under the offset of the page that follows (`descope/users-after/<offset, 20 digits>`),
//! so a listing resumed there checks its first page against it: a shift in between (users
//! deleted in front while the sync was stopped) is seen, and the range fetched again.

use c1_connector_sdk::error::Error;
use c1_connector_sdk::session::SessionStore;
use descope_mgmt::{PageBoundary, User, UserTenant};
use futures::TryStreamExt;
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::index::{AssignmentIndex, Assignments, display_name};

/// The key prefix of the user page records.
pub(crate) const USER_PAGES: &str = "kept/descope/users/";

/// The key of the marker that says the user page records cover every user of a finished sync.
pub(crate) const KEPT_MARKER: &str = "kept/descope/sync";

/// The key of the record of the user page at `offset`; zero-padded, so key order is offset order.
pub(crate) fn user_page_key(offset: u64) -> String {
    format!("{USER_PAGES}{offset:020}")
}

/// A user page as stored.
#[derive(Serialize)]
struct PageOut<'a> {
    o: u64,
    n: Option<u64>,
    u: Vec<UserOut<'a>>,
}

/// A user as stored: `[id, display name, project roles, [[tenant id, roles], ...]]`.
struct UserOut<'a>(&'a User);

impl Serialize for UserOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(5)?;
        t.serialize_element(&self.0.user_id)?;
        t.serialize_element(display_name(self.0))?;
        t.serialize_element(&self.0.role_names)?;
        t.serialize_element(&TenantsOut(&self.0.user_tenants))?;
        t.serialize_element(&self.0.sso_app_ids)?;
        t.end()
    }
}

struct TenantsOut<'a>(&'a [UserTenant]);

impl Serialize for TenantsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|t| (&t.tenant_id, &t.role_names)))
    }
}

/// A user page read back.
#[derive(Debug, Deserialize)]
struct PageIn {
    o: u64,
    n: Option<u64>,
    u: Vec<StoredUser>,
}

/// A user read back from the session: what the index needs of it (all five fields: a record
/// without SSO app ids does not read, rather than read as "every app").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredUser(
    String,
    String,
    Vec<String>,
    Vec<(String, Vec<String>)>,
    Vec<String>,
);

impl StoredUser {
    /// The record of a user from Descope.
    pub(crate) fn of(user: &User) -> Self {
        StoredUser(
            user.user_id.clone(),
            display_name(user).to_owned(),
            user.role_names.clone(),
            user.user_tenants
                .iter()
                .map(|t| (t.tenant_id.clone(), t.role_names.clone()))
                .collect(),
            user.sso_app_ids.clone(),
        )
    }
}

impl Assignments for StoredUser {
    fn user_id(&self) -> &str {
        &self.0
    }
    fn display_name(&self) -> &str {
        &self.1
    }
    fn role_names(&self) -> &[String] {
        &self.2
    }
    fn tenants(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.3.iter().map(|(t, r)| (t.as_str(), r.as_slice()))
    }
    fn sso_app_ids(&self) -> Option<&[String]> {
        Some(&self.4)
    }
}

/// Stores the record of the user page at `offset` (whose successor starts at `next`), and the
/// boundary its successor is checked against, when the session is durable: a session that does
/// not outlive the process never serves a resume.
pub(crate) async fn store_user_page(
    session: &SessionStore,
    offset: u64,
    next: Option<u64>,
    users: &[User],
    boundary: Option<&PageBoundary>,
) -> Result<(), Error> {
    if !session.keeps_kept_keys() {
        return Ok(());
    }
    if let (Some(next), Some(b)) = (next, boundary)
        && session.is_durable()
    {
        let record = BoundaryRecord {
            o: b.offset,
            t: b.tail.clone(),
        };
        let bytes = serde_json::to_vec(&record)
            .map_err(|e| Error::internal("encoding a user page boundary").with_source(e))?;
        session
            .put(boundary_key(next), bytes)
            .await
            .map_err(|e| e.context("saving a user page boundary in the sync's session"))?;
    }
    session
        .put(
            user_page_key(offset),
            encode_user_page(offset, next, users)?,
        )
        .await
        .map_err(|e| e.context("saving a user page record in the sync's session"))
}

/// The key prefix of the user page boundaries.
const BOUNDARIES: &str = "descope/users-after/";

/// The key of the boundary the user page at `offset` is checked against.
fn boundary_key(offset: u64) -> String {
    format!("{BOUNDARIES}{offset:020}")
}

/// A boundary as stored: the offset of the page before and its last users' ids.
#[derive(Debug, Serialize, Deserialize)]
struct BoundaryRecord {
    o: u64,
    t: Vec<String>,
}

/// The boundary the user page at `offset` is checked against, if the session holds it.
pub(crate) async fn load_boundary(
    session: &SessionStore,
    offset: u64,
) -> Result<Option<PageBoundary>, Error> {
    if !session.is_durable() {
        return Ok(None);
    }
    let Some(bytes) = session.get(&boundary_key(offset)).await? else {
        return Ok(None);
    };
    Ok(serde_json::from_slice::<BoundaryRecord>(&bytes)
        .ok()
        .filter(|b| b.o < offset && !b.t.is_empty())
        .map(|b| PageBoundary::new(b.o, b.t)))
}

/// The record of a user page.
fn encode_user_page(offset: u64, next: Option<u64>, users: &[User]) -> Result<Vec<u8>, Error> {
    let page = PageOut {
        o: offset,
        n: next,
        u: users.iter().map(UserOut).collect(),
    };
    serde_json::to_vec(&page)
        .map_err(|e| Error::internal("encoding a user page record").with_source(e))
}

/// What [`load_user_pages`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loaded {
    /// Pages loaded into the index.
    pub(crate) pages: u64,
    /// Where the chain breaks, so users must be listed again from there; `None` when it reaches
    /// the last page.
    pub(crate) missing_from: Option<u64>,
}

/// Records into `index`, in order, the users of every stored page on the chain from offset 0,
/// reading the session a page of records at a time.
pub(crate) async fn load_user_pages(
    session: &SessionStore,
    index: &mut AssignmentIndex,
    catalog: &Catalog,
) -> Result<Loaded, Error> {
    let mut chain = Chain::default();
    let mut records = session.scan(USER_PAGES);
    while let Some((key, value)) = records.try_next().await? {
        match chain.step(&key, &value) {
            Step::Skip => continue,
            Step::Broken => break,
            Step::Page(page) => {
                for user in &page {
                    index.record(user, catalog);
                }
                if chain.complete() {
                    break;
                }
            }
        }
    }
    Ok(chain.loaded())
}

/// Follows the chain of user page records from offset 0, in key order.
#[derive(Debug, Default)]
pub(crate) struct Chain {
    expected: u64,
    pages: u64,
    done: bool,
}

/// What one record is to a [`Chain`].
pub(crate) enum Step {
    /// Not on the chain (another key, or a page of an earlier listing): go on.
    Skip,
    /// The chain breaks here (a page missing or unreadable): stop.
    Broken,
    /// The next page's users.
    Page(Vec<StoredUser>),
}

impl Chain {
    /// Reads the record under `key`.
    pub(crate) fn step(&mut self, key: &str, value: &[u8]) -> Step {
        if self.done {
            return Step::Skip;
        }
        let Some(offset) = key
            .strip_prefix(USER_PAGES)
            .and_then(|d| d.parse::<u64>().ok())
        else {
            return Step::Skip;
        };
        if offset < self.expected {
            // Off the chain: a page of an earlier listing with other page boundaries.
            return Step::Skip;
        }
        if offset > self.expected {
            return Step::Broken;
        }
        let page = match serde_json::from_slice::<PageIn>(value) {
            Ok(page) if page.o == offset && page.n.is_none_or(|n| n > offset) => page,
            Ok(_) | Err(_) => {
                tracing::warn!(
                    offset,
                    "an unreadable user page record in the sync's session; users are listed again from there"
                );
                return Step::Broken;
            }
        };
        self.pages += 1;
        match page.n {
            Some(next) => self.expected = next,
            None => self.done = true,
        }
        Step::Page(page.u)
    }

    /// The chain reached its last page.
    pub(crate) fn complete(&self) -> bool {
        self.done
    }

    /// What was loaded, and where the chain broke.
    pub(crate) fn loaded(&self) -> Loaded {
        Loaded {
            pages: self.pages,
            missing_from: (!self.done).then_some(self.expected),
        }
    }
}

/// Stores a page of records of users as the index needs them (see the module documentation),
/// at `offset` in a chain whose next page is at `next`.
pub(crate) async fn store_records(
    session: &SessionStore,
    offset: u64,
    next: Option<u64>,
    users: &[&StoredUser],
) -> Result<(), Error> {
    if !session.keeps_kept_keys() {
        return Ok(());
    }
    #[derive(Serialize)]
    struct Out<'a> {
        o: u64,
        n: Option<u64>,
        u: &'a [&'a StoredUser],
    }
    let bytes = serde_json::to_vec(&Out {
        o: offset,
        n: next,
        u: users,
    })
    .map_err(|e| Error::internal("encoding a user page record").with_source(e))?;
    session
        .put(user_page_key(offset), bytes)
        .await
        .map_err(|e| e.context("saving a user page record in the sync's session"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, roles: &[&str], tenants: &[(&str, &[&str])]) -> User {
        let mut u = User::default();
        u.user_id = id.to_owned();
        u.name = format!("User {id}");
        u.role_names = roles.iter().map(|r| (*r).to_owned()).collect();
        u.user_tenants = tenants
            .iter()
            .map(|(t, rs)| {
                let mut m = UserTenant::default();
                m.tenant_id = (*t).to_owned();
                m.role_names = rs.iter().map(|r| (*r).to_owned()).collect();
                m
            })
            .collect();
        u
    }

    #[test]
    fn a_stored_user_reads_back_with_the_same_assignments() {
        let mut u = user(
            "U1",
            &["admin"],
            &[("T1", &["editor", "viewer"]), ("T2", &[])],
        );
        u.sso_app_ids = vec!["A1".to_owned()];
        let bytes = serde_json::to_vec(&PageOut {
            o: 40,
            n: Some(60),
            u: vec![UserOut(&u)],
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"o":40,"n":60,"u":[["U1","User U1",["admin"],[["T1",["editor","viewer"]],["T2",[]]],["A1"]]]}"#
        );
        let page: PageIn = serde_json::from_slice(&bytes).unwrap();
        let s = &page.u[0];
        assert_eq!(s.user_id(), u.user_id());
        assert_eq!(Assignments::display_name(s), Assignments::display_name(&u));
        assert_eq!(s.role_names(), u.role_names());
        assert!(s.tenants().eq(u.tenants()));
        assert_eq!(s.sso_app_ids(), Some(&["A1".to_owned()][..]));

        // A record written before SSO apps were synced does not read: an empty list would mean
        // every app.
        let old = serde_json::from_str::<PageIn>(
            r#"{"o":0,"n":null,"u":[["U1","User U1",["admin"],[["T1",["editor"]]]]]}"#,
        );
        assert!(old.is_err());
    }

    async fn put_page(s: &SessionStore, offset: u64, next: Option<u64>, ids: &[&str]) {
        let users: Vec<User> = ids.iter().map(|id| user(id, &[], &[])).collect();
        s.put(
            user_page_key(offset),
            encode_user_page(offset, next, &users).unwrap(),
        )
        .await
        .unwrap();
    }

    async fn load(s: &SessionStore) -> (Loaded, usize) {
        let mut index = AssignmentIndex::default();
        let catalog = Catalog::new(Vec::new(), Vec::new(), Vec::new());
        let loaded = load_user_pages(s, &mut index, &catalog).await.unwrap();
        (loaded, index.user_count())
    }

    #[tokio::test]
    async fn the_chain_is_followed_from_offset_zero_to_the_last_page() {
        let s = SessionStore::memory();
        assert_eq!(
            load(&s).await,
            (
                Loaded {
                    pages: 0,
                    missing_from: Some(0)
                },
                0
            )
        );
        put_page(&s, 0, Some(2), &["a", "b"]).await;
        put_page(&s, 2, Some(4), &["c", "d"]).await;
        // A record of an earlier listing with other boundaries, off the chain.
        put_page(&s, 3, Some(5), &["x", "y"]).await;
        assert_eq!(
            load(&s).await,
            (
                Loaded {
                    pages: 2,
                    missing_from: Some(4)
                },
                4
            )
        );
        // The same page stored twice (a retry) is one record; a user repeated across pages
        // (the project changed while listing) is counted once.
        put_page(&s, 4, None, &["e", "a"]).await;
        put_page(&s, 4, None, &["e", "a"]).await;
        assert_eq!(
            load(&s).await,
            (
                Loaded {
                    pages: 3,
                    missing_from: None
                },
                5
            )
        );
        // A gap: users are listed again from it.
        s.delete(&user_page_key(2)).await.unwrap();
        assert_eq!(load(&s).await.0.missing_from, Some(2));
        // An unreadable record is a gap too.
        s.put(user_page_key(2), b"{not json".to_vec())
            .await
            .unwrap();
        assert_eq!(load(&s).await.0.missing_from, Some(2));
        // A record that does not move forward is unreadable.
        put_page(&s, 2, Some(2), &["c"]).await;
        assert_eq!(load(&s).await.0.missing_from, Some(2));
    }

    #[tokio::test]
    async fn a_session_that_is_not_durable_gets_no_records() {
        let s = SessionStore::memory();
        store_user_page(&s, 0, None, &[user("a", &[], &[])], None)
            .await
            .unwrap();
        assert_eq!(s.get(&user_page_key(0)).await.unwrap(), None);
    }

    #[test]
    fn keys_sort_by_offset() {
        assert!(user_page_key(900) < user_page_key(1_000));
        assert!(user_page_key(u64::MAX).len() == USER_PAGES.len() + 20);
    }
}
