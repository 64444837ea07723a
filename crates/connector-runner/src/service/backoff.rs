//! Waiting between attempts: capped exponential back-off with jitter, and which gRPC codes are
//! worth another attempt.
//!
//! Every retry loop of service mode (startup Hello, GetTask, FinishTask, UploadAsset) waits
//! through [`jitter`], so connectors that failed together (ConductorOne restarted, a load
//! balancer dropped every connection) do not come back together.

use std::time::Duration;

use rand::Rng as _;
use tonic::Code;

/// "Equal jitter": a uniformly random wait between half of `cap` and `cap`, so a schedule keeps
/// its shape (each wait at least half the planned one) without being in step with other clients.
pub(crate) fn jitter(cap: Duration) -> Duration {
    let half = cap / 2;
    let spread = u64::try_from((cap - half).as_micros()).unwrap_or(u64::MAX);
    if spread == 0 {
        return cap;
    }
    half.saturating_add(Duration::from_micros(rand::rng().random_range(0..=spread)))
}

/// `initial × 2^(failures−1)`, at most `max` (`failures` is 1-based), before jitter.
pub(crate) fn exponential(initial: Duration, max: Duration, failures: u32) -> Duration {
    let shift = failures.saturating_sub(1).min(30);
    initial.saturating_mul(1 << shift).min(max)
}

/// Whether a call that failed with `code` may succeed if sent again unchanged: ConductorOne (or
/// the way to it) was unavailable, slow, overloaded, or the connection broke (hyper and h2
/// errors surface as `Unknown` or `Internal`; our own deadlines as `DeadlineExceeded`).
/// The others (a refused request, refused credentials, an unknown task) would fail the same way
/// again.
pub(crate) fn is_transient(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::Unknown
            | Code::Internal
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Cancelled
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_between_half_and_the_cap() {
        for cap_ms in [0u64, 1, 3, 1000, 60_000] {
            let cap = Duration::from_millis(cap_ms);
            for _ in 0..200 {
                let d = jitter(cap);
                assert!(d >= cap / 2 && d <= cap, "{d:?} for {cap:?}");
            }
        }
        // Not constant: 200 draws over a 30 s spread are not all equal.
        let draws: std::collections::HashSet<Duration> =
            (0..200).map(|_| jitter(Duration::from_secs(60))).collect();
        assert!(draws.len() > 100);
    }

    #[test]
    fn exponential_doubles_up_to_the_cap_and_never_overflows() {
        let s = |n| exponential(Duration::from_secs(1), Duration::from_secs(60), n).as_secs();
        let secs: Vec<u64> = (1..=8).map(s).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(s(0), 1);
        assert_eq!(s(u32::MAX), 60);
    }

    #[test]
    fn only_transient_codes_are_retried() {
        for code in [
            Code::Unavailable,
            Code::DeadlineExceeded,
            Code::Unknown,
            Code::Internal,
        ] {
            assert!(is_transient(code), "{code:?}");
        }
        for code in [
            Code::InvalidArgument,
            Code::NotFound,
            Code::PermissionDenied,
            Code::Unauthenticated,
            Code::FailedPrecondition,
            Code::Unimplemented,
        ] {
            assert!(!is_transient(code), "{code:?}");
        }
    }
}
