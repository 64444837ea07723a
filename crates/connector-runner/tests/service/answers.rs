//! Reading a task's FinishTask: its success (with the response decoded) or its failure.

use c1_connector_runner::service::proto::{FinalState, FinishSuccess};
use c1_connector_runner::service::testing::Records;
use c1_connector_sdk::model::AnnotationMessage;

/// The one FinishTask of `id`, which must be a success.
pub(crate) fn success(records: &Records, id: &str) -> FinishSuccess {
    let finished = records.finished_for(id);
    assert_eq!(finished.len(), 1, "{id}: {finished:?}");
    assert!(
        finished[0].status.is_none(),
        "{id}: {:?}",
        finished[0].status
    );
    match &finished[0].final_state {
        Some(FinalState::Success(s)) => s.clone(),
        other => panic!("{id} did not succeed: {other:?}"),
    }
}

/// The response of a successful task, decoded as `M` (its `type_url` checked).
pub(crate) fn response<M: AnnotationMessage>(records: &Records, id: &str) -> M {
    let s = success(records, id);
    let any = s
        .response
        .as_ref()
        .unwrap_or_else(|| panic!("{id}: no response"));
    assert_eq!(any.type_url, M::type_url(), "{id}");
    M::decode(any.value.as_slice()).unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// A failed task: its gRPC code, message and whether it is non-retryable.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Failed {
    pub(crate) code: i32,
    pub(crate) message: String,
    pub(crate) non_retryable: bool,
}

/// The one FinishTask of `id`, which must be a failure.
pub(crate) fn failure(records: &Records, id: &str) -> Failed {
    let finished = records.finished_for(id);
    assert_eq!(finished.len(), 1, "{id}: {finished:?}");
    let status = finished[0]
        .status
        .clone()
        .unwrap_or_else(|| panic!("{id}: no status"));
    match &finished[0].final_state {
        Some(FinalState::Error(e)) => {
            assert!(e.response.is_none());
            Failed {
                code: status.code,
                message: status.message,
                non_retryable: e.non_retryable,
            }
        }
        other => panic!("{id} did not fail: {other:?}"),
    }
}
