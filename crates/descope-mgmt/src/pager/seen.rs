//! What a listing has handed over, for deduplication and the "no new user" check.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

use crate::models::User;

/// What a listing has handed over: fingerprints of every id, and the exact ids of the last page.
#[derive(Debug, Default)]
pub(super) struct Seen {
    fingerprints: HashSet<u64, BuildHasherDefault<Identity>>,
    /// Random keys per listing: fingerprints cannot be made to collide on purpose.
    keys: RandomState,
    previous: HashSet<String>,
}

/// A page after deduplication.
#[derive(Debug)]
pub(super) struct Admitted {
    pub(super) users: Vec<User>,
    /// Users whose fingerprint was not seen before.
    pub(super) new: usize,
    /// Users with a non-empty id.
    pub(super) with_id: usize,
    pub(super) duplicates: u64,
}

impl Seen {
    pub(super) fn distinct(&self) -> u64 {
        u64::try_from(self.fingerprints.len()).unwrap_or(u64::MAX)
    }

    pub(super) fn admit(&mut self, users: Vec<User>) -> Admitted {
        let mut current = HashSet::with_capacity(users.len());
        let mut out = Vec::with_capacity(users.len());
        let (mut new, mut with_id, mut duplicates) = (0, 0, 0);
        for user in users {
            if user.user_id.is_empty() {
                out.push(user);
                continue;
            }
            with_id += 1;
            if current.contains(&user.user_id) || self.previous.contains(&user.user_id) {
                duplicates += 1;
                continue;
            }
            if self.fingerprints.insert(self.keys.hash_one(&user.user_id)) {
                new += 1;
            }
            current.insert(user.user_id.clone());
            out.push(user);
        }
        self.previous = current;
        Admitted {
            users: out,
            new,
            with_id,
            duplicates,
        }
    }
}

/// The fingerprints are already uniformly distributed hashes: hashing them again is wasted work.
#[derive(Debug, Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in so the hasher stays correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        User {
            user_id: id.to_owned(),
            ..User::default()
        }
    }

    #[test]
    fn duplicates_of_the_previous_page_are_dropped_and_fingerprints_count_new_users() {
        let mut seen = Seen::default();
        let a = seen.admit(vec![user("U1"), user("U2"), user("U2"), user("")]);
        assert_eq!(a.users.len(), 3);
        assert_eq!((a.new, a.with_id, a.duplicates), (2, 3, 1));
        let b = seen.admit(vec![user("U2"), user("U3")]);
        assert_eq!(
            b.users
                .iter()
                .map(|u| u.user_id.as_str())
                .collect::<Vec<_>>(),
            ["U3"]
        );
        assert_eq!((b.new, b.duplicates), (1, 1));
        // U1 is two pages back: not dropped on its fingerprint alone, but not new either.
        let c = seen.admit(vec![user("U1")]);
        assert_eq!((c.users.len(), c.new, c.duplicates), (1, 0, 0));
        assert_eq!(seen.distinct(), 3);
    }
}
