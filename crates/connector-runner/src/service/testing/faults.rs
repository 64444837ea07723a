//! Transient faults of ConductorOne for [`FakeConductorOne`]: a token endpoint that fails a few
//! times, odd `expires_in` values, tokens revoked early, an outage of the whole server (at will,
//! or as a FinishTask arrives), and upload streams that stall.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::{FakeConductorOne, Recorded, UploadRecord};
use crate::service::proto::{UploadAssetRequest, UploadAssetResponse, UploadMsg};

/// The fault state (one field of the fake's state).
#[derive(Debug, Default)]
pub(super) struct Faults {
    /// HTTP statuses for the next valid token requests, one each.
    token_statuses: VecDeque<u16>,
    /// The `expires_in` of the next tokens handed out (`None`: the field is absent).
    token_expires_in: VecDeque<Option<i64>>,
    /// Uploads to stall after their first data message.
    upload_stalls: u32,
    /// While true, connections are dropped as soon as they are accepted.
    unreachable: bool,
    /// Until then, too.
    down_until: Option<Instant>,
    /// An outage of this length begins at the next FinishTask.
    outage_at_finish: Option<Duration>,
    /// Cancelled to close every open connection when the outage begins.
    cut: CancellationToken,
}

impl Faults {
    /// The status to answer the next valid token request with instead of a token.
    pub(super) fn next_token_status(&mut self) -> Option<u16> {
        self.token_statuses.pop_front()
    }

    /// A scripted `expires_in` for the next token: `Some(None)` means leave the field out.
    pub(super) fn next_expires_in(&mut self) -> Option<Option<i64>> {
        self.token_expires_in.pop_front()
    }

    /// Whether the next upload stalls.
    pub(super) fn take_upload_stall(&mut self) -> bool {
        let stall = self.upload_stalls > 0;
        if stall {
            self.upload_stalls -= 1;
        }
        stall
    }

    /// `None` while unreachable (drop the connection), else the token that closes it when an
    /// outage begins.
    pub(super) fn admit(&self) -> Option<CancellationToken> {
        let down = self.unreachable || self.down_until.is_some_and(|t| Instant::now() < t);
        (!down).then(|| self.cut.clone())
    }

    /// Closes every open connection.
    fn cut_all(&mut self) {
        self.cut.cancel();
        self.cut = CancellationToken::new();
    }

    /// If an outage was asked for at this FinishTask, begins it: every connection (this
    /// call's too) is closed and new ones are dropped for its length.
    pub(super) fn outage_at_finish(&mut self) -> Option<Duration> {
        let d = self.outage_at_finish.take()?;
        self.down_until = Some(Instant::now() + d);
        self.cut_all();
        Some(d)
    }
}

impl FakeConductorOne {
    /// Answers the next valid token requests with these HTTP statuses, one each (before
    /// [`refuse_tokens`](Self::refuse_tokens) applies), then hands out tokens again.
    pub fn fail_tokens(&self, statuses: impl IntoIterator<Item = u16>) {
        self.inner.lock().faults.token_statuses.extend(statuses);
    }

    /// The `expires_in` of the next tokens, in order (`None`: the field is left out). Such
    /// tokens stay valid on the fake until [`revoke_tokens`](Self::revoke_tokens).
    pub fn script_expires_in(&self, values: impl IntoIterator<Item = Option<i64>>) {
        self.inner.lock().faults.token_expires_in.extend(values);
    }

    /// Forgets every token handed out so far: calls bearing one are answered
    /// `Unauthenticated: unknown token`, as when ConductorOne revokes tokens early.
    pub fn revoke_tokens(&self) {
        self.inner.lock().tokens.clear();
    }

    /// Makes the whole server unreachable (`true`: open connections are closed, new ones
    /// dropped once accepted) or reachable again (`false`).
    pub fn set_unreachable(&self, unreachable: bool) {
        let mut state = self.inner.lock();
        state.faults.unreachable = unreachable;
        if unreachable {
            state.faults.cut_all();
        }
    }

    /// When the next FinishTask arrives, closes every connection (that call is not answered)
    /// and drops new ones for `outage`: ConductorOne going away just as a task reports its
    /// end. The lost call is recorded as a rejection, not as a FinishTask.
    pub fn outage_at_next_finish(&self, outage: Duration) {
        self.inner.lock().faults.outage_at_finish = Some(outage);
    }

    /// Stalls the next `n` uploads after their first data message: the fake stops reading and
    /// never answers (the stream ends only when the client gives up on it). Each is recorded,
    /// with the error `stalled (injected)`, when the stall begins.
    pub fn stall_uploads(&self, n: u32) {
        self.inner.lock().faults.upload_stalls = n;
    }
}

/// Reads the metadata and the first data message of an upload to stall, records it, then
/// waits forever.
pub(super) async fn stall(
    inner: &super::Inner,
    mut stream: tonic::Streaming<UploadAssetRequest>,
) -> Result<UploadAssetResponse, tonic::Status> {
    let mut record = UploadRecord {
        error: Some("stalled (injected)".into()),
        ..UploadRecord::default()
    };
    while let Ok(Some(message)) = stream.message().await {
        match message.msg {
            Some(UploadMsg::Metadata(meta)) => record.task_id = meta.task_id,
            Some(UploadMsg::Data(d)) => {
                record.chunk_sizes.push(d.data.len());
                record.data.extend_from_slice(&d.data);
                break;
            }
            _ => break,
        }
    }
    inner.lock().record(Recorded::Upload(record));
    inner.notify.notify_waiters();
    std::future::pending().await
}
