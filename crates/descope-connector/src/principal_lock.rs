//! One writer per principal: every change to one user or access key made by this process waits
//! for the change before it to finish, from the load it is decided on to the read that confirms
//! it.
//!
//! Descope has no compare-and-set. A change decided from a load (an access key's whole role
//! list, a user's SSO applications, "another app remains") is only right if nothing changes the
//! principal between that load and the write; two tasks changing the same principal at once
//! would each decide from the same stale state (one key update undoing the other, two app
//! revokes each leaving "one app" and together none, which Descope reads as every app). The
//! locks are keyed by principal, so changes to different principals still run in parallel.
//!
//! One [`PrincipalLocks`] belongs to a `DescopeConnector` and is shared by its clones
//! and by every provisioner, account manager, deleter and action it hands out, so all service
//! mode tasks and one-shot calls of the process go through it. Entries live only while someone
//! holds or waits for them: the map never grows beyond the principals being changed right now.
//! Across processes nothing is serialised: see docs/OPERATIONS.md, "Concurrent changes".

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// What a lock is about: one Descope principal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PrincipalKey {
    /// A user, by user id.
    User(String),
    /// An access key, by key id.
    AccessKey(String),
    /// A user that may not exist yet, by the login id it is created with.
    Login(String),
}

impl fmt::Display for PrincipalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrincipalKey::User(id) => write!(f, "user '{id}'"),
            PrincipalKey::AccessKey(id) => write!(f, "access key '{id}'"),
            PrincipalKey::Login(login) => write!(f, "login id '{login}'"),
        }
    }
}

/// One principal's lock and how many callers hold it or wait for it.
#[derive(Debug, Default)]
struct Entry {
    lock: Arc<AsyncMutex<()>>,
    users: usize,
}

type Map = Arc<Mutex<HashMap<PrincipalKey, Entry>>>;

/// The per-principal locks of one connector (cheap to clone: an `Arc` inside).
#[derive(Clone, Default)]
pub(crate) struct PrincipalLocks {
    map: Map,
}

impl fmt::Debug for PrincipalLocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrincipalLocks")
            .field("principals", &self.len())
            .finish()
    }
}

fn lock_map(map: &Map) -> MutexGuard<'_, HashMap<PrincipalKey, Entry>> {
    // The map is only ever changed by the few lines below, which cannot leave it half-written.
    map.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl PrincipalLocks {
    /// Waits until no other change to `key` runs in this process, and holds `key` until the
    /// guard is dropped. Waiters are served in arrival order (tokio's mutex is fair).
    pub(crate) async fn lock(&self, key: PrincipalKey) -> PrincipalGuard {
        let lock = {
            let mut map = lock_map(&self.map);
            let entry = map.entry(key.clone()).or_default();
            entry.users += 1;
            entry.lock.clone()
        };
        // Counted before waiting, uncounted when dropped: a caller cancelled while waiting
        // (a task cut short) still leaves the map as it found it.
        let registration = Registration {
            key,
            map: self.map.clone(),
        };
        let held = lock.lock_owned().await;
        PrincipalGuard {
            _held: held,
            _registration: registration,
        }
    }

    /// Principals held or waited for right now.
    pub(crate) fn len(&self) -> usize {
        lock_map(&self.map).len()
    }
}

/// A caller counted in its principal's entry; the entry goes when the last one leaves.
struct Registration {
    key: PrincipalKey,
    map: Map,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut map = lock_map(&self.map);
        if let Some(entry) = map.get_mut(&self.key) {
            entry.users = entry.users.saturating_sub(1);
            if entry.users == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// Holds one principal (see [`PrincipalLocks::lock`]); dropping it lets the next change run.
pub(crate) struct PrincipalGuard {
    // Field order is drop order: the lock is released before the entry is uncounted.
    _held: OwnedMutexGuard<()>,
    _registration: Registration,
}

impl fmt::Debug for PrincipalGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrincipalGuard")
            .field("principal", &self._registration.key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_writer_per_principal_and_parallel_across_principals() {
        let locks = PrincipalLocks::default();
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (locks, inside, most) = (locks.clone(), inside.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let _g = locks.lock(PrincipalKey::AccessKey("K1".into())).await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "never two writers of K1");
        assert_eq!(locks.len(), 0, "no entry left behind");

        // Another principal is not held up by K1.
        let _k1 = locks.lock(PrincipalKey::AccessKey("K1".into())).await;
        let other = tokio::time::timeout(
            Duration::from_millis(1),
            locks.lock(PrincipalKey::User("K1".into())),
        )
        .await;
        assert!(
            other.is_ok(),
            "a user with the same id is another principal"
        );
        drop(other);
        assert_eq!(locks.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_waiter_leaves_nothing_behind() {
        let locks = PrincipalLocks::default();
        let held = locks.lock(PrincipalKey::User("U1".into())).await;
        for i in 0..100 {
            let key = PrincipalKey::User(if i % 2 == 0 {
                "U1".into()
            } else {
                format!("U{i}")
            });
            let wait = tokio::time::timeout(Duration::from_millis(1), async {
                let _g = locks.lock(key).await;
                std::future::pending::<()>().await;
            })
            .await;
            assert!(wait.is_err());
        }
        assert_eq!(locks.len(), 1, "only the held principal");
        drop(held);
        assert_eq!(locks.len(), 0);
    }
}
