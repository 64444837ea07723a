//! Refusals to resume an unfinished sync: another source ([`SourceMismatch`]), or contents
//! this run would not match ([`NotResumable`]).

use std::fmt;

/// An unfinished sync was of another source than the one asked for
/// ([`SyncOptions::with_source`](crate::engine::SyncOptions::with_source)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceMismatch {
    /// The source the unfinished sync read.
    pub stored: String,
    /// The source of this run.
    pub expected: String,
}

impl fmt::Display for SourceMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the unfinished sync reads {}, not {}",
            self.stored, self.expected
        )
    }
}

impl std::error::Error for SourceMismatch {}

/// An unfinished sync that must not be continued, because what it already holds would not match
/// what this run writes (an option that changes the contents differs, a session written by
/// another version, the data it was started from changed). A connector or the engine fails the
/// run with [`NotResumable::into_error`] (`FailedPrecondition`, nothing stored), and the caller
/// sets the unfinished sync aside and starts over, as for a [`SourceMismatch`]
/// ([`resume_refusal`] finds either).
///
/// ```
/// use c1_connector_sdk::engine::{NotResumable, resume_refusal};
/// let err = NotResumable::new("it was started with --include-test-users").into_error();
/// assert_eq!(resume_refusal(&err).as_deref(), Some("it was started with --include-test-users"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotResumable {
    /// Why, in words a user can act on.
    pub reason: String,
}

impl NotResumable {
    /// A refusal for `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        NotResumable {
            reason: reason.into(),
        }
    }

    /// The error a connector returns (from [`Connector::begin_sync`] or a syncer) to refuse the
    /// resume: `FailedPrecondition`, with this as its source.
    ///
    /// [`Connector::begin_sync`]: crate::connector::Connector::begin_sync
    pub fn into_error(self) -> crate::error::Error {
        crate::error::Error::failed_precondition(format!(
            "the unfinished sync cannot be resumed: {}",
            self.reason
        ))
        .with_retryable(false)
        .with_source(self)
    }
}

impl fmt::Display for NotResumable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for NotResumable {}

/// Why a run refused to resume an unfinished sync ([`SourceMismatch`] or [`NotResumable`]), if
/// that is what `err` is: the caller then sets the unfinished sync aside and starts over.
pub fn resume_refusal(err: &crate::error::Error) -> Option<String> {
    let source = std::error::Error::source(err)?;
    if let Some(m) = source.downcast_ref::<SourceMismatch>() {
        return Some(m.to_string());
    }
    source
        .downcast_ref::<NotResumable>()
        .map(|n| n.reason.clone())
}
