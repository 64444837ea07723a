//! [`Timings`]: the intervals, deadlines and retry budgets of service mode.

use std::time::Duration;

/// Intervals, deadlines and retry budgets of service mode. The polling, heartbeat and Hello
/// defaults are baton-sdk's; the deadlines and retry budgets are ours (baton has none: it sends
/// FinishTask once, retries an upload three times within a second, and sets no deadline on an
/// upload). Tests shorten them.
///
/// ```
/// use std::time::Duration;
/// use c1_connector_runner::service::Timings;
/// let t = Timings::default();
/// assert_eq!(t.get_task_error_backoff(3), Duration::from_secs(9));
/// assert_eq!(t.hello_backoff(4), Duration::from_secs(8));
/// assert_eq!(t.heartbeat_interval(None), Duration::from_secs(30));
/// assert_eq!(t.retry_backoff(3), Duration::from_secs(4));
/// // A 100 MiB sync file gets 60 s + 100 MiB / 256 KiB/s = 460 s per upload attempt.
/// assert_eq!(t.upload_deadline(100 << 20), Duration::from_secs(460));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// First wait after a failed startup Hello (1 s), doubled after each failure...
    pub hello_backoff_initial: Duration,
    /// ...up to this (5 min). Each wait is jittered between half and all of it.
    pub hello_backoff_max: Duration,
    /// The longest `next_poll` honoured (5 min).
    pub max_poll: Duration,
    /// The shortest wait before the next poll when the previous one brought no task (1 s).
    /// baton polls again at once when the server sends no `next_poll`, a tight loop against a
    /// server that omits it; this floor is our deliberate deviation. After a task the next
    /// poll follows `next_poll` as in baton, so free slots fill quickly.
    pub min_poll: Duration,
    /// The unit of the GetTask error back-off: `failures² × unit` (1 s)...
    pub get_task_error_unit: Duration,
    /// ...capped at this (60 s). Each wait is jittered between half and all of it.
    pub get_task_error_max: Duration,
    /// Heartbeat interval when the server sends none (30 s).
    pub heartbeat_default: Duration,
    /// Shortest heartbeat interval honoured (1 s).
    pub heartbeat_min: Duration,
    /// Longest heartbeat interval honoured (5 min).
    pub heartbeat_max: Duration,
    /// Consecutive failed heartbeats after which the task is cancelled (9).
    pub heartbeat_max_failures: u32,
    /// First wait before retrying FinishTask or UploadAsset (1 s), doubled after each
    /// failure...
    pub retry_initial: Duration,
    /// ...up to this (60 s). Each wait is jittered between half and all of it.
    pub retry_max: Duration,
    /// Deadline of one FinishTask attempt (30 s, baton's).
    pub finish_timeout: Duration,
    /// How long FinishTask is retried after its first attempt failed with a transient error
    /// (10 min), so an outage of ConductorOne at the end of a long sync does not lose it.
    pub finish_retry_for: Duration,
    /// The fixed part of one UploadAsset attempt's deadline (60 s)...
    pub upload_deadline_base: Duration,
    /// ...plus the file's size at this many bytes per second (256 KiB/s): the slowest upload
    /// still waited for. A stalled stream fails at its deadline and is retried.
    pub upload_min_bytes_per_sec: u64,
    /// How long UploadAsset is retried, from the start of the first attempt (10 min, plus the
    /// attempt in flight then). Each attempt sends the file again from its first byte.
    pub upload_retry_for: Duration,
    /// Deadline of Hello, GetTask and Heartbeat calls (60 s). baton sets none, so a call
    /// stuck on a half-open connection would stall it forever.
    pub rpc_timeout: Duration,
    /// HTTP/2 PING interval on the connection to ConductorOne, also while no call is open
    /// (60 s)...
    pub keep_alive_interval: Duration,
    /// ...and how long a PING may go unanswered before the connection is dropped and the next
    /// call dials a new one (20 s).
    pub keep_alive_timeout: Duration,
    /// After [`ServiceConfig::shutdown_grace`](super::ServiceConfig::shutdown_grace), how long
    /// cancelled tasks get to stop and deliver their FinishTask (15 s); whatever still runs
    /// then is aborted.
    pub shutdown_finish: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            hello_backoff_initial: Duration::from_secs(1),
            hello_backoff_max: Duration::from_secs(300),
            max_poll: Duration::from_secs(300),
            min_poll: Duration::from_secs(1),
            get_task_error_unit: Duration::from_secs(1),
            get_task_error_max: Duration::from_secs(60),
            heartbeat_default: Duration::from_secs(30),
            heartbeat_min: Duration::from_secs(1),
            heartbeat_max: Duration::from_secs(300),
            heartbeat_max_failures: 9,
            retry_initial: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            finish_timeout: Duration::from_secs(30),
            finish_retry_for: Duration::from_secs(600),
            upload_deadline_base: Duration::from_secs(60),
            upload_min_bytes_per_sec: 256 * 1024,
            upload_retry_for: Duration::from_secs(600),
            rpc_timeout: Duration::from_secs(60),
            keep_alive_interval: Duration::from_secs(60),
            keep_alive_timeout: Duration::from_secs(20),
            shutdown_finish: Duration::from_secs(15),
        }
    }
}

impl Timings {
    /// The longest wait after `failures` consecutive GetTask errors: `failures²` units,
    /// capped (the actual wait is jittered between half and all of it).
    pub fn get_task_error_backoff(&self, failures: u32) -> Duration {
        let n = failures.min(1 << 15);
        self.get_task_error_unit
            .saturating_mul(n * n)
            .min(self.get_task_error_max)
    }

    /// The longest wait before Hello attempt `attempt + 1` after `attempt` failures
    /// (1-based): `initial × 2^(attempt-1)`, capped (the actual wait is jittered between half
    /// and all of it).
    pub fn hello_backoff(&self, attempt: u32) -> Duration {
        super::backoff::exponential(self.hello_backoff_initial, self.hello_backoff_max, attempt)
    }

    /// The longest wait before FinishTask or UploadAsset attempt `failures + 1`:
    /// `retry_initial × 2^(failures-1)`, capped at `retry_max` (the actual wait is jittered
    /// between half and all of it).
    pub fn retry_backoff(&self, failures: u32) -> Duration {
        super::backoff::exponential(self.retry_initial, self.retry_max, failures)
    }

    /// The deadline of one UploadAsset attempt for a file of `bytes`:
    /// `upload_deadline_base + bytes / upload_min_bytes_per_sec`.
    pub fn upload_deadline(&self, bytes: u64) -> Duration {
        let rate = self.upload_min_bytes_per_sec.max(1);
        let transfer = Duration::from_secs(bytes / rate)
            + Duration::from_nanos((bytes % rate).saturating_mul(1_000_000_000) / rate);
        self.upload_deadline_base.saturating_add(transfer)
    }

    /// `next_poll` clamped to `[0, max_poll]`; absent means zero.
    pub fn next_poll(&self, next_poll: Option<Duration>) -> Duration {
        next_poll.unwrap_or_default().min(self.max_poll)
    }

    /// A heartbeat interval clamped as baton does: absent or zero = the default, else within
    /// `[heartbeat_min, heartbeat_max]`.
    pub fn heartbeat_interval(&self, next: Option<Duration>) -> Duration {
        match next {
            None => self.heartbeat_default,
            Some(d) if d.is_zero() => self.heartbeat_default,
            Some(d) => d.clamp(self.heartbeat_min, self.heartbeat_max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoffs_follow_baton() {
        let t = Timings::default();
        let secs: Vec<u64> = (1..=9)
            .map(|n| t.get_task_error_backoff(n).as_secs())
            .collect();
        assert_eq!(secs, [1, 4, 9, 16, 25, 36, 49, 60, 60]);
        assert_eq!(t.get_task_error_backoff(u32::MAX), Duration::from_secs(60));
        let secs: Vec<u64> = (1..=11).map(|n| t.hello_backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(t.hello_backoff(u32::MAX), Duration::from_secs(300));
        assert_eq!(t.next_poll(None), Duration::ZERO);
        assert_eq!(
            t.next_poll(Some(Duration::from_secs(900))),
            Duration::from_secs(300)
        );
        assert_eq!(t.heartbeat_interval(None), Duration::from_secs(30));
        assert_eq!(
            t.heartbeat_interval(Some(Duration::ZERO)),
            Duration::from_secs(30)
        );
        assert_eq!(
            t.heartbeat_interval(Some(Duration::from_millis(10))),
            Duration::from_secs(1)
        );
        assert_eq!(
            t.heartbeat_interval(Some(Duration::from_secs(600))),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn upload_deadlines_scale_with_the_file() {
        let t = Timings::default();
        assert_eq!(t.upload_deadline(0), Duration::from_secs(60));
        assert_eq!(t.upload_deadline(256 * 1024), Duration::from_secs(61));
        assert_eq!(t.upload_deadline(128 * 1024), Duration::from_millis(60_500));
        assert_eq!(t.upload_deadline(1 << 30), Duration::from_secs(60 + 4096));
        // No overflow, whatever the size and rate.
        assert!(t.upload_deadline(u64::MAX) > Duration::from_secs(1 << 40));
        let zero_rate = Timings {
            upload_min_bytes_per_sec: 0,
            ..Timings::default()
        };
        assert!(zero_rate.upload_deadline(10) >= Duration::from_secs(70));
    }

    #[test]
    fn retries_double_from_one_second_to_a_minute() {
        let t = Timings::default();
        let secs: Vec<u64> = (1..=8).map(|n| t.retry_backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
