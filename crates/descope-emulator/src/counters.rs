//! Request counters, readable from tests and benchmarks through [`Emulator::counters`].
//!
//! [`Emulator::counters`]: crate::Emulator::counters

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the emulator's counters since start (or the last reset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Requests per endpoint, keyed `"<METHOD> <path>"`, e.g. `"POST /v2/mgmt/user/search"`.
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// All requests received.
    pub requests: u64,
    /// 429 responses sent (rate limits and injected 429 faults).
    pub rate_limited: u64,
    /// Faults injected (errors, injected 429s, dropped connections, truncated bodies).
    pub faults: u64,
    /// Requests rejected for a missing or wrong `Authorization` header.
    pub unauthorized: u64,
}

impl Counters {
    /// Requests received for one endpoint key (`"POST /v2/mgmt/user/search"`), 0 if none.
    pub fn endpoint(&self, key: &str) -> u64 {
        self.requests_by_endpoint.get(key).copied().unwrap_or(0)
    }
}

/// The live counters behind [`Counters`].
#[derive(Debug, Default)]
pub(crate) struct CounterSet {
    by_endpoint: Mutex<BTreeMap<String, u64>>,
    requests: AtomicU64,
    rate_limited: AtomicU64,
    faults: AtomicU64,
    unauthorized: AtomicU64,
}

impl CounterSet {
    pub(crate) fn request(&self, method: &str, path: &str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut map = self
            .by_endpoint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = format!("{method} {path}");
        *map.entry(key).or_insert(0) += 1;
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn fault(&self) {
        self.faults.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn unauthorized(&self) {
        self.unauthorized.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let map = self
            .by_endpoint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Counters {
            requests_by_endpoint: map.clone(),
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            faults: self.faults.load(Ordering::Relaxed),
            unauthorized: self.unauthorized.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn reset(&self) {
        self.by_endpoint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        for c in [
            &self.requests,
            &self.rate_limited,
            &self.faults,
            &self.unauthorized,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}
