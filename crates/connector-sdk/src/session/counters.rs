//! What a connector reports about one sync: figures and notes for the summary.

/// Figures a connector reports about one sync (users announced by the API and users synced,
/// requests made, assignments found only on users, ...). The engine copies them into its
/// `SyncStats::connector_counters` when the sync ends, and programs print them in their
/// summary. Cheap to clone; clones share the figures.
///
/// ```
/// use c1_connector_sdk::session::SyncCounters;
/// let counters = SyncCounters::default();
/// counters.add("users synced", 100);
/// counters.add("users synced", 20);
/// counters.set("users announced", 125);
/// let all = counters.snapshot();
/// assert_eq!(all["users synced"], 120);
/// assert_eq!(all["users announced"], 125);
/// ```
#[derive(Debug, Clone, Default)]
pub struct SyncCounters {
    inner: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>,
    notes: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, String>>>,
}

impl SyncCounters {
    /// Sets `name` to `value`.
    pub fn set(&self, name: impl Into<String>, value: u64) {
        self.with(|m| {
            m.insert(name.into(), value);
        });
    }

    /// Adds `value` to `name` (starting at 0).
    pub fn add(&self, name: impl Into<String>, value: u64) {
        self.with(|m| {
            let v = m.entry(name.into()).or_insert(0);
            *v = v.saturating_add(value);
        });
    }

    /// Raises `name` to `value` if it is lower (a high-water mark).
    pub fn max(&self, name: impl Into<String>, value: u64) {
        self.with(|m| {
            let v = m.entry(name.into()).or_insert(0);
            *v = (*v).max(value);
        });
    }

    /// Sets the note `name` to `text`: a line of the sync's summary that is not a number
    /// (`sync: incremental, ...` or `sync: full: <reason>`).
    ///
    /// ```
    /// use c1_connector_sdk::session::SyncCounters;
    /// let counters = SyncCounters::default();
    /// counters.note("sync", "full: no previous sync");
    /// assert_eq!(counters.notes()["sync"], "full: no previous sync");
    /// ```
    pub fn note(&self, name: impl Into<String>, text: impl Into<String>) {
        let mut notes = self.notes.lock().unwrap_or_else(|p| p.into_inner());
        notes.insert(name.into(), text.into());
    }

    /// Every note, by name.
    pub fn notes(&self) -> std::collections::BTreeMap<String, String> {
        self.notes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every figure, by name.
    pub fn snapshot(&self) -> std::collections::BTreeMap<String, u64> {
        let mut out = std::collections::BTreeMap::new();
        self.with(|m| out = m.clone());
        out
    }

    fn with(&self, f: impl FnOnce(&mut std::collections::BTreeMap<String, u64>)) {
        // A panic while the lock was held leaves a map of plain numbers: keep using it.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard);
    }
}
