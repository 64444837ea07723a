//! Knobs for a project that changes while a client reads it: users deleted or created after the
//! N-th user search, audit records that become searchable some time after they occur, audit
//! search answers without `total` or with a capped one, and audit records without ids. All off
//! by default; set with the builder's `user_churn`, `audit_ingestion_delay`, `audit_total` and
//! `audit_records_without_ids`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One change to the project's users, made right after the `after_search`-th user search (v1,
/// v2 or test, counted from 1) is answered: `delete` users from a position of the search order
/// (creation order, test users included), then `create` users at a position. Each change is
/// audited like the API's (`UserDeleted`, `UserCreated`).
///
/// ```
/// use descope_emulator::UserChurn;
///
/// // Three users at the front of the order deleted after the first page is answered.
/// let churn = UserChurn::after(1).delete(0, 3);
/// assert_eq!(churn.delete, Some((0, 3)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UserChurn {
    /// After which user search (1 = the first).
    pub after_search: u64,
    /// `(position, count)` of users deleted.
    pub delete: Option<(usize, usize)>,
    /// `(position, count)` of users created (login ids `churn-<user id>@example.com`, no
    /// roles, tenants or apps).
    pub create: Option<(usize, usize)>,
}

impl UserChurn {
    /// A change after the `n`-th user search; add [`delete`](Self::delete) and/or
    /// [`create`](Self::create).
    pub fn after(n: u64) -> Self {
        UserChurn {
            after_search: n,
            ..UserChurn::default()
        }
    }

    /// Deletes `count` users from `position` of the order (fewer at the end of the order).
    #[must_use]
    pub fn delete(mut self, position: usize, count: usize) -> Self {
        self.delete = Some((position, count));
        self
    }

    /// Creates `count` users at `position` of the order (at the end when past it).
    #[must_use]
    pub fn create(mut self, position: usize, count: usize) -> Self {
        self.create = Some((position, count));
        self
    }
}

/// What the [`UserChurn`] changes did so far ([`Emulator::churned`](crate::Emulator::churned)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Churned {
    /// User searches answered.
    pub searches: u64,
    /// Ids of the users deleted.
    pub deleted: Vec<String>,
    /// Ids of the users created.
    pub created: Vec<String>,
}

/// What audit search says about how many records match (default [`AuditTotal::Exact`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuditTotal {
    /// Every match, as the SDKs assume.
    #[default]
    Exact,
    /// No `total` field at all.
    Absent,
    /// At most this many (a search engine's usual cap), whatever matches.
    Capped(u64),
}

/// The knobs and their run-time state.
#[derive(Debug, Default)]
pub(crate) struct ChangeKnobs {
    pub(crate) churn: Vec<UserChurn>,
    /// Records become searchable up to this long after they occur.
    pub(crate) audit_delay: Duration,
    pub(crate) audit_total: AuditTotal,
    pub(crate) audit_without_ids: bool,
    searches: AtomicU64,
    churned: Mutex<Churned>,
}

impl ChangeKnobs {
    /// Counts a user search; the changes due after it.
    pub(crate) fn user_searched(&self) -> Vec<UserChurn> {
        let n = self.searches.fetch_add(1, Ordering::SeqCst) + 1;
        self.churned_mut().searches = n;
        self.churn
            .iter()
            .filter(|c| c.after_search == n)
            .copied()
            .collect()
    }

    pub(crate) fn record(&self, deleted: Vec<String>, created: Vec<String>) {
        let mut c = self.churned_mut();
        c.deleted.extend(deleted);
        c.created.extend(created);
    }

    pub(crate) fn churned(&self) -> Churned {
        self.churned_mut().clone()
    }

    fn churned_mut(&self) -> std::sync::MutexGuard<'_, Churned> {
        self.churned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When the audit record `id` that occurred at `occurred` becomes searchable: a delay drawn
    /// from the id (so the same record always gets the same one), uniform in
    /// `0..=audit_delay`.
    pub(crate) fn searchable_at(&self, id: &str, occurred: i64) -> i64 {
        let max = i64::try_from(self.audit_delay.as_millis()).unwrap_or(i64::MAX);
        if max == 0 {
            return occurred;
        }
        // FNV-1a: a fixed, seedless spread of ids over the delay.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let span = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
        occurred.saturating_add(i64::try_from(h % span).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_is_due_after_its_search() {
        let k = ChangeKnobs {
            churn: vec![
                UserChurn::after(2).delete(0, 1),
                UserChurn::after(2).create(0, 1),
            ],
            ..ChangeKnobs::default()
        };
        assert!(k.user_searched().is_empty());
        assert_eq!(k.user_searched().len(), 2);
        assert!(k.user_searched().is_empty());
        assert_eq!(k.churned().searches, 3);
    }

    #[test]
    fn searchable_delays_are_stable_and_bounded() {
        let k = ChangeKnobs {
            audit_delay: Duration::from_secs(4),
            ..ChangeKnobs::default()
        };
        let delays: Vec<i64> = (0..200)
            .map(|i| k.searchable_at(&format!("A{i}"), 1_000) - 1_000)
            .collect();
        assert!(delays.iter().all(|d| (0..=4_000).contains(d)));
        assert!(delays.iter().any(|d| *d < 1_000) && delays.iter().any(|d| *d > 3_000));
        assert_eq!(k.searchable_at("A1", 5), k.searchable_at("A1", 5));
        assert_eq!(ChangeKnobs::default().searchable_at("A1", 5), 5);
    }
}
