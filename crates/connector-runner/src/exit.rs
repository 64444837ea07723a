//! Exit codes, and the one place failures are mapped to them.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | done |
//! | 1 | failed (the sync, the change, the service) |
//! | 2 | bad flags or configuration, or a malformed id: nothing was written or changed |
//! | 3 | the connected system refused the credentials |
//! | 4 | an id was not found |
//! | 5 | a precondition failed (provisioning not enabled, a prerequisite grant missing, a read-only entitlement) |
//! | 130 | interrupted (Ctrl-C or SIGTERM) |
//!
//! A run that did not succeed ends as an [`Outcome`]: a [`Failure`] with its code, or a closed
//! standard output (`| head -1`), which ends the program quietly with 0.

use std::fmt;
use std::process::ExitCode;

use c1_connector_sdk::error::{Code, Error};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// 0: done.
    Success,
    /// 1: failed.
    Failed,
    /// 2: bad flags, configuration or input; nothing written or changed.
    Usage,
    /// 3: the credentials were refused.
    Unauthenticated,
    /// 4: an id was not found.
    NotFound,
    /// 5: a precondition failed.
    Precondition,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Unauthenticated => 3,
            Exit::NotFound => 4,
            Exit::Precondition => 5,
            Exit::Interrupted => 130,
        }
    }

    /// The exit code a connector error maps to.
    pub fn for_code(code: Code) -> Exit {
        match code {
            Code::InvalidArgument => Exit::Usage,
            Code::Unauthenticated | Code::PermissionDenied => Exit::Unauthenticated,
            Code::NotFound => Exit::NotFound,
            Code::FailedPrecondition => Exit::Precondition,
            Code::Cancelled => Exit::Interrupted,
            _ => Exit::Failed,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// A run that did not succeed: what to tell the user, and the exit code.
///
/// ```
/// use c1_connector_runner::{Exit, Failure};
///
/// let f = Failure::usage("--file is a directory: /tmp");
/// assert_eq!(f.exit(), Exit::Usage);
/// assert_eq!(f.exit().code(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Failure {
    exit: Exit,
    message: String,
}

impl Failure {
    /// A failure with an exit code and a message that says what failed and what to do.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
        }
    }

    /// Bad flags, configuration or input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Exit::Usage, message)
    }

    /// A failure of the run itself (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Failure::new(Exit::Failed, message)
    }

    /// The exit code.
    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::new(Exit::for_code(err.code()), err.to_string())
    }
}

/// How a run ended when it did not succeed.
pub(crate) enum Outcome {
    /// The reader of standard output went away (`| head -1`): end quietly.
    BrokenPipe,
    Failed(Failure),
}

impl From<Failure> for Outcome {
    fn from(f: Failure) -> Self {
        Outcome::Failed(f)
    }
}

impl From<c1_connector_sdk::error::Error> for Outcome {
    fn from(err: c1_connector_sdk::error::Error) -> Self {
        if is_broken_pipe(&err) {
            Outcome::BrokenPipe
        } else {
            Outcome::Failed(Failure::from(err))
        }
    }
}

fn is_broken_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return true;
        }
        cur = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        assert_eq!(Exit::for_code(Code::InvalidArgument).code(), 2);
        assert_eq!(Exit::for_code(Code::Unauthenticated).code(), 3);
        assert_eq!(Exit::for_code(Code::PermissionDenied).code(), 3);
        assert_eq!(Exit::for_code(Code::NotFound).code(), 4);
        assert_eq!(Exit::for_code(Code::FailedPrecondition).code(), 5);
        assert_eq!(Exit::for_code(Code::Cancelled).code(), 130);
        assert_eq!(Exit::for_code(Code::Unavailable).code(), 1);
        assert_eq!(Exit::for_code(Code::Internal).code(), 1);
    }
}
