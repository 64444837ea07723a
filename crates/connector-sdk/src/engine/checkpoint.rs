//! The engine's serialisable progress, written into an unfinished sync's `sync_token`.
//!
//! Resource listing jobs are few (one per type and parent), so they are recorded in full.
//! Entitlement and grant jobs are one per resource, in the order resources were stored; they
//! are recorded compactly as a watermark (every job below it is done), the jobs above it that
//! are done, and the page tokens of jobs part-way through. The id sets the integrity checks
//! need are rebuilt from the store on resume, so the checkpoint stays small.

use serde::{Deserialize, Serialize};

/// Which phase the checkpoint is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum CkPhase {
    Resources,
    Entitlements,
    Grants,
}

/// A pending resource listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CkListJob {
    pub(super) resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) parent: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) token: Option<String>,
}

/// The whole checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Checkpoint {
    /// Marks tokens written by this engine (baton's own tokens look different).
    pub(super) engine: String,
    pub(super) version: u32,
    pub(super) phase: CkPhase,
    #[serde(default)]
    pub(super) resource_jobs: Vec<CkListJob>,
    #[serde(default)]
    pub(super) watermark: u64,
    #[serde(default)]
    pub(super) done_beyond: Vec<u64>,
    #[serde(default)]
    pub(super) in_progress: Vec<(u64, String)>,
    /// The resource types selected ([`SyncOptions::sync_resource_types`](crate::engine::SyncOptions::sync_resource_types), sorted);
    /// empty for every type. A resume must select the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) selected_types: Vec<String>,
    /// Set by a targeted sync (which is never resumed), so no run resumes its sync.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) targeted: bool,
}

pub(super) const ENGINE: &str = "c1-connector-sdk";
pub(super) const VERSION: u32 = 1;

impl Checkpoint {
    pub(super) fn new(phase: CkPhase) -> Self {
        Self {
            engine: ENGINE.to_owned(),
            version: VERSION,
            phase,
            resource_jobs: Vec::new(),
            watermark: 0,
            done_beyond: Vec::new(),
            in_progress: Vec::new(),
            selected_types: Vec::new(),
            targeted: false,
        }
    }

    /// Parses a token written by this engine; anything else (baton's tokens, `""`) is `None`,
    /// which makes the engine redo the sync from the start into the same sync row.
    pub(super) fn parse(token: &str) -> Option<Self> {
        let ck: Self = serde_json::from_str(token).ok()?;
        (ck.engine == ENGINE && ck.version == VERSION).then_some(ck)
    }

    pub(super) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_foreign_tokens() {
        let mut ck = Checkpoint::new(CkPhase::Grants);
        ck.watermark = 7;
        ck.in_progress.push((9, "p2".into()));
        ck.resource_jobs.push(CkListJob {
            resource_type: "team".into(),
            parent: Some(("group".into(), "g1".into())),
            token: None,
        });
        assert_eq!(Checkpoint::parse(&ck.to_json()), Some(ck));
        assert_eq!(Checkpoint::parse(""), None);
        assert_eq!(Checkpoint::parse(r#"{"version":1}"#), None);
        assert_eq!(
            Checkpoint::parse(r#"{"actions_map":{},"action_order":[],"version":2}"#),
            None
        );
    }
}
