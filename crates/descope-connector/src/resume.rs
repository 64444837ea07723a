//! What makes an unfinished sync safe to continue: the same session format, the same options,
//! and the same catalog and SSO applications as when it started.
//!
//! A resumed sync continues a file another process started, possibly days earlier. It must end
//! equal to a fresh sync taken when it ends, so:
//! - **Identity.** A fresh sync records in its session (`descope/identity`) the session format
//!   this version writes and every option that changes the file's contents (test users, last
//!   sign-ins; the engine checks the resource types, the runner the project and base URL). A
//!   resume with another format, or another option, is refused with the reason, and the runner
//!   sets the file aside and starts over. A session without the record was written by an older
//!   version and is refused too: never read as if it were this version's.
//! - **Catalog and applications.** Tenants, roles, permissions and SSO applications are what
//!   the resources and most grants are made of, and every process fetches them (four calls).
//!   The first process records a digest of each (`descope/digest/<kind>`); a resumed process
//!   compares what it fetched: when anything changed in between (a role created, another
//!   deleted), the resources already written would not match the grants still to come, and the
//!   resume is refused ("the project's roles changed since ..."), so the result is a fresh sync.
//!   Access keys are kept whole in the session instead (see `access_keys`), and groups are read
//!   per tenant, listed and granted from the same answer.

use c1_connector_sdk::engine::NotResumable;
use c1_connector_sdk::error::Error;
use c1_connector_sdk::session::SessionStore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version of what this connector keeps in a sync's session. Bump it whenever a record's
/// meaning or shape changes: a session of another format is refused, never misread.
///
/// 2: user page records always carry SSO app ids, and each page's boundary is kept
/// (`descope/users-after/<offset>`) so a resumed listing can check for shifts.
/// 3: user page records are kept keys (`kept/descope/users/<offset>`), which a finished file
/// keeps for a later incremental sync.
pub(crate) const SESSION_FORMAT: u32 = 3;

/// The session key of the sync's identity.
const IDENTITY_KEY: &str = "descope/identity";

/// The session key prefix of the digests of what the first process fetched.
const DIGEST_PREFIX: &str = "descope/digest/";

/// What a sync's contents depend on, besides the project, the base URL and the resource types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) format: u32,
    pub(crate) include_test_users: bool,
    pub(crate) sync_last_login: bool,
    /// Absent from sessions of versions before `--sync-outbound-connections`: off.
    #[serde(default)]
    pub(crate) sync_outbound_connections: bool,
    /// Started from a previous sync (`--incremental-from`): never resumed.
    #[serde(default)]
    pub(crate) incremental: bool,
}

impl Identity {
    /// How `stored` (the unfinished sync's) differs from `self` (this run's), if it does.
    fn difference(&self, stored: &Identity) -> Option<String> {
        let flag = |on: bool, name: &str| {
            if on {
                format!("with {name}")
            } else {
                format!("without {name}")
            }
        };
        if stored.format != self.format {
            return Some(format!(
                "its session was written in format {} by another version of the Descope connector; this version writes format {}",
                stored.format, self.format
            ));
        }
        if stored.include_test_users != self.include_test_users {
            return Some(format!(
                "it was started {}, and this run is {}",
                flag(stored.include_test_users, "--include-test-users"),
                flag(self.include_test_users, "--include-test-users")
            ));
        }
        if stored.sync_outbound_connections != self.sync_outbound_connections {
            return Some(format!(
                "it was started {}, and this run is {}",
                flag(
                    stored.sync_outbound_connections,
                    "--sync-outbound-connections"
                ),
                flag(
                    self.sync_outbound_connections,
                    "--sync-outbound-connections"
                )
            ));
        }
        if stored.incremental {
            return Some(
                "it was an incremental sync, which is never resumed: it starts again".to_owned(),
            );
        }
        if stored.sync_last_login != self.sync_last_login {
            return Some(format!(
                "it was started {}, and this run is {}",
                flag(stored.sync_last_login, "--sync-last-login"),
                flag(self.sync_last_login, "--sync-last-login")
            ));
        }
        None
    }
}

/// Records this run's identity in a fresh sync's session; checks it against a resumed one's.
pub(crate) async fn check_identity(
    session: &SessionStore,
    identity: &Identity,
    resumed: bool,
) -> Result<(), Error> {
    // A session that does not outlive the process holds nothing of an interrupted run to
    // misread (the connector then lists everything again).
    if resumed && session.is_durable() {
        if identity.incremental {
            return Err(NotResumable::new(
                "an incremental sync is not resumed: it starts again from the previous file, which costs only what changed",
            )
            .into_error());
        }
        let stored = session.get(IDENTITY_KEY).await?;
        let why = match stored.as_deref().map(serde_json::from_slice::<Identity>) {
            None => Some(
                "its session was written by an earlier version of the Descope connector, which did not record its options and format"
                    .to_owned(),
            ),
            Some(Err(_)) => Some(
                "its session's record of the options it was started with is unreadable".to_owned(),
            ),
            Some(Ok(stored)) => identity.difference(&stored),
        };
        if let Some(why) = why {
            return Err(NotResumable::new(why).into_error());
        }
        return Ok(());
    }
    let bytes = serde_json::to_vec(identity)
        .map_err(|e| Error::internal("encoding the sync's identity").with_source(e))?;
    session
        .put(IDENTITY_KEY, bytes)
        .await
        .map_err(|e| e.context("saving the sync's identity in its session"))
}

/// A digest of `items` as the sync uses them: each serialized, sorted, hashed (SHA-256).
pub(crate) fn digest<T: Serialize>(items: &[T]) -> String {
    let mut encoded: Vec<Vec<u8>> = items
        .iter()
        .map(|i| serde_json::to_vec(i).unwrap_or_default())
        .collect();
    encoded.sort();
    let mut h = Sha256::new();
    for e in &encoded {
        h.update((e.len() as u64).to_le_bytes());
        h.update(e);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Pins what the sync read of `kind` (tenants, roles...): the first process to read it records
/// `digest`; a later process of the same sync that reads something else refuses to continue.
pub(crate) async fn pin(session: &SessionStore, kind: &str, digest: &str) -> Result<(), Error> {
    if !session.is_durable() {
        return Ok(());
    }
    let key = format!("{DIGEST_PREFIX}{kind}");
    match session.get(&key).await? {
        None => session
            .put(key, digest.as_bytes().to_vec())
            .await
            .map_err(|e| e.context("saving a digest in the sync's session")),
        Some(stored) if stored == digest.as_bytes() => Ok(()),
        Some(_) => Err(NotResumable::new(format!(
            "the project's {kind} changed since it started, so the resources it already holds would not match the grants still to come"
        ))
        .into_error()),
    }
}

#[cfg(test)]
mod tests {
    use c1_connector_sdk::engine::resume_refusal;

    use super::*;

    fn id(test_users: bool, last_login: bool) -> Identity {
        Identity {
            format: SESSION_FORMAT,
            include_test_users: test_users,
            sync_last_login: last_login,
            sync_outbound_connections: false,
            incremental: false,
        }
    }

    /// A durable session in memory, as a resumed `.c1z`'s would be.
    fn durable() -> SessionStore {
        #[derive(Debug, Default)]
        struct Durable(c1_connector_sdk::session::MemorySession);
        #[async_trait::async_trait]
        impl c1_connector_sdk::session::SessionBackend for Durable {
            async fn put(&self, k: String, v: Vec<u8>) -> Result<(), Error> {
                self.0.put(k, v).await
            }
            async fn get(&self, k: &str) -> Result<Option<Vec<u8>>, Error> {
                self.0.get(k).await
            }
            async fn delete(&self, k: &str) -> Result<(), Error> {
                self.0.delete(k).await
            }
            async fn clear(&self) -> Result<(), Error> {
                self.0.clear().await
            }
            async fn scan(
                &self,
                p: &str,
                a: Option<&str>,
                l: usize,
                m: usize,
            ) -> Result<c1_connector_sdk::session::SessionPage, Error> {
                self.0.scan(p, a, l, m).await
            }
            fn is_durable(&self) -> bool {
                true
            }
        }
        SessionStore::from_backend(std::sync::Arc::new(Durable::default()))
    }

    #[tokio::test]
    async fn an_incremental_sync_is_never_resumed_nor_resumes_another() {
        let incremental = Identity {
            incremental: true,
            ..id(false, false)
        };
        // Resuming an incremental sync, as an incremental sync again: refused.
        let s = durable();
        check_identity(&s, &incremental, false).await.unwrap();
        let err = check_identity(&s, &incremental, true).await.unwrap_err();
        assert!(resume_refusal(&err).is_some(), "{err}");
        assert!(err.message().contains("incremental"), "{err}");
        // Resuming it as a full sync: refused too (its records are not a listing's).
        let err = check_identity(&s, &id(false, false), true)
            .await
            .unwrap_err();
        assert!(resume_refusal(&err).is_some(), "{err}");
        // A full sync resumed by an incremental run: refused (the run starts over incrementally).
        let s = durable();
        check_identity(&s, &id(false, false), false).await.unwrap();
        let err = check_identity(&s, &incremental, true).await.unwrap_err();
        assert!(resume_refusal(&err).is_some(), "{err}");
    }

    #[tokio::test]
    async fn a_resume_with_other_options_or_another_format_is_refused() {
        let s = durable();
        check_identity(&s, &id(false, false), false).await.unwrap();
        check_identity(&s, &id(false, false), true).await.unwrap();
        let err = check_identity(&s, &id(true, false), true)
            .await
            .unwrap_err();
        let why = resume_refusal(&err).unwrap();
        assert!(
            why.contains("without --include-test-users")
                && why.contains("is with --include-test-users"),
            "{why}"
        );
        let err = check_identity(&s, &id(false, true), true)
            .await
            .unwrap_err();
        assert!(resume_refusal(&err).unwrap().contains("--sync-last-login"));
        let mut other = id(false, false);
        other.format = SESSION_FORMAT + 1;
        let err = check_identity(&s, &other, true).await.unwrap_err();
        assert!(resume_refusal(&err).unwrap().contains("format"));
        // A session an older version wrote: no identity at all.
        let old = durable();
        let err = check_identity(&old, &id(false, false), true)
            .await
            .unwrap_err();
        assert!(resume_refusal(&err).unwrap().contains("earlier version"));
        // A session that is not durable holds nothing to misread.
        check_identity(&SessionStore::memory(), &id(true, true), true)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_pinned_digest_that_changes_refuses_the_resume() {
        let s = durable();
        pin(&s, "roles", "a").await.unwrap();
        pin(&s, "roles", "a").await.unwrap();
        let err = pin(&s, "roles", "b").await.unwrap_err();
        assert!(
            resume_refusal(&err)
                .unwrap()
                .contains("project's roles changed")
        );
        pin(&s, "tenants", "b").await.unwrap();
    }

    #[test]
    fn digests_ignore_order_and_see_any_change() {
        let a = digest(&["x", "y"]);
        assert_eq!(a, digest(&["y", "x"]));
        assert_ne!(a, digest(&["x", "y", "z"]));
        assert_ne!(a, digest(&["x", "Y"]));
        assert_eq!(a.len(), 32);
    }
}
