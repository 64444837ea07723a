//! `list_event_feeds` and `list_events` tasks (baton-sdk's `pkg/tasks/c1api/list_event_feeds.go`
//! and `list_events.go`), through the SDK's operations. (`event_feed` tasks are not
//! handled in baton's service mode either: they get "unsupported task type".)
//!
//! As in baton, the responses are rebuilt from the connector's: `ListEventFeedsResponse` with
//! the feeds, `ListEventsResponse` with the events, the cursor and `has_more` (the connector's
//! annotations are not passed on), and the task's annotations are not passed to the connector.

use c1_connector_sdk::model::{
    ListEventFeedsRequest, ListEventFeedsResponse, ListEventsRequest, ListEventsResponse,
};
use c1_connector_sdk::ops::Operations;
use tokio_util::sync::CancellationToken;

use super::calls::{self, Kind, operations};
use super::context::{TaskContext, TaskFailure, TaskSuccess};
use crate::service::proto::ListEventsTask;

/// The connector's event feeds.
pub(super) fn list_feeds(ctx: &TaskContext) -> Result<TaskSuccess, TaskFailure> {
    let feeds = Operations::new(ctx.connector.clone())
        .list_event_feeds(&ListEventFeedsRequest::default())
        .map_err(|e| TaskFailure::from_sdk(&e).non_retryable())?;
    let response = ListEventFeedsResponse {
        list: feeds.list,
        annotations: Vec::new(),
    };
    Ok(calls::success(&response, Vec::new()))
}

/// One page of a feed.
pub(super) async fn list(
    ctx: &TaskContext,
    spec: &ListEventsTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    let request = ListEventsRequest {
        cursor: spec.cursor.clone(),
        start_at: spec.start_at,
        page_size: spec.page_size,
        event_feed_id: spec.event_feed_id.clone(),
        ..ListEventsRequest::default()
    };
    let result = operations(ctx, cancel).list_events(&request).await;
    let page = Kind::Read.report(result, cancel)?;
    let response = ListEventsResponse {
        events: page.events,
        cursor: page.cursor,
        has_more: page.has_more,
        annotations: Vec::new(),
    };
    Ok(calls::success(&response, Vec::new()))
}
