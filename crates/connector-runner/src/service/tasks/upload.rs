//! Uploading a sync file (UploadAsset), with a deadline per attempt and retries.
//!
//! Each attempt has a deadline scaled to the file ([`Timings::upload_deadline`]: 60 s plus the
//! size at 256 KiB/s), so a stream that stalls (the server stopped reading, a proxy holds it)
//! fails instead of holding a task slot forever while heartbeats succeed. A failed attempt
//! (that deadline, a broken connection, a transient code) is retried after a jittered,
//! doubling pause for up to [`Timings::upload_retry_for`]; a code that would fail the same way
//! again (`InvalidArgument`, `PermissionDenied`, ...) ends it at once. The protocol has no
//! resume (the metadata message carries only the host and task ids, no offset), so every
//! attempt is a new stream that sends the file again from its first byte with the same
//! SHA-256. baton makes three attempts within a second and sets no deadline.

use std::path::Path;

use sha2::{Digest as _, Sha256};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::context::TaskFailure;
use crate::service::backoff::{is_transient, jitter};
use crate::service::client::BatonApi;
use crate::service::timings::Timings;

/// Uploads `path` for `task_id`.
pub(super) async fn upload(
    api: &dyn BatonApi,
    task_id: &str,
    path: &Path,
    timings: &Timings,
    cancel: &CancellationToken,
) -> Result<(), TaskFailure> {
    let (size, sha256) = size_and_sha256(path).await?;
    let deadline = timings.upload_deadline(size);
    let give_up_at = Instant::now() + timings.upload_retry_for;
    let mut failures = 0u32;
    loop {
        let attempt = failures + 1;
        let result = tokio::select! {
            biased;
            () = cancel.cancelled() => {
                return Err(TaskFailure::new(Code::Cancelled, "upload cancelled"));
            }
            r = tokio::time::timeout(deadline, api.upload_asset(task_id, path, sha256)) => r,
        };
        let status = match result {
            Ok(Ok(())) => {
                if failures > 0 {
                    tracing::info!(task_id, attempt, bytes = size, "upload succeeded");
                }
                return Ok(());
            }
            Ok(Err(status)) => status,
            Err(_) => Status::deadline_exceeded(format!(
                "the upload of {size} bytes did not finish within {deadline:?} (the stream stalled, or moved slower than {} bytes/s)",
                timings.upload_min_bytes_per_sec
            )),
        };
        failures = attempt;
        let wait = jitter(timings.retry_backoff(failures));
        if !is_transient(status.code()) || Instant::now() + wait > give_up_at {
            tracing::error!(task_id, attempt, code = ?status.code(), message = status.message(), "upload failed; giving up");
            return Err(TaskFailure::new(
                status.code(),
                format!(
                    "upload of the sync file failed after {attempt} attempt(s): {}",
                    status.message()
                ),
            ));
        }
        tracing::warn!(task_id, attempt, ?wait, code = ?status.code(), message = status.message(), "upload failed; sending the file again from its start after a pause");
        tokio::select! {
            biased;
            () = cancel.cancelled() => {
                return Err(TaskFailure::new(Code::Cancelled, "upload cancelled"));
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}

async fn size_and_sha256(path: &Path) -> Result<(u64, [u8; 32]), TaskFailure> {
    let p = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<(u64, [u8; 32])> {
        let mut file = std::fs::File::open(&p)?;
        let mut hasher = Sha256::new();
        let size = std::io::copy(&mut file, &mut hasher)?;
        Ok((size, hasher.finalize().into()))
    })
    .await
    .map_err(|e| TaskFailure::new(Code::Internal, format!("hashing the sync file failed: {e}")))?
    .map_err(|e| {
        TaskFailure::new(
            Code::Unknown,
            format!("could not read the sync file {}: {e}", path.display()),
        )
    })
}
