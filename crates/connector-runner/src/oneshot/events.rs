//! `--event-feed` (baton-sdk's `pkg/tasks/local/event_feed.go`): reads a feed from a start time
//! or a cursor to its end, 100 events a page, printing each event as one line of protojson.
//!
//! baton prints nothing else, so a run cannot be resumed; here the cursor after the last page
//! is printed on standard error (`next cursor: <cursor>`), and `--event-feed-cursor` resumes
//! right after the last event printed, also once the feed has grown.

use c1_connector_sdk::connector::LEGACY_FEED_ID;
use c1_connector_sdk::model::ListEventsRequest;
use c1_connector_sdk::ops::Operations;
use c1_connector_sdk::protojson;
use tokio_util::sync::CancellationToken;

use super::flags::given;
use super::interrupt::unless_interrupted;
use super::io::Io;
use crate::cli::BatonArgs;
use crate::exit::Outcome;

/// Events a page, as baton's one-shot event feed asks.
const PAGE_SIZE: u32 = 100;

/// The prefix of the cursor line on standard error.
pub(crate) const CURSOR_PREFIX: &str = "next cursor: ";

/// What to read, from the flags.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FeedRequest {
    pub(crate) feed_id: String,
    pub(crate) start_at: prost_types::Timestamp,
    pub(crate) cursor: String,
}

impl FeedRequest {
    /// The start defaults to one day ago, as baton's `--event-feed-start-at` does.
    pub(crate) fn from_args(args: &BatonArgs) -> Self {
        let start_at = args.event_feed_start_at.unwrap_or_else(|| {
            let t = time::OffsetDateTime::now_utc() - time::Duration::days(1);
            prost_types::Timestamp {
                seconds: t.unix_timestamp(),
                nanos: 0,
            }
        });
        FeedRequest {
            feed_id: given(&args.event_feed_id).unwrap_or_default().to_owned(),
            start_at,
            cursor: given(&args.event_feed_cursor)
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

/// Reads the feed to its end.
pub(super) async fn read(
    ops: &Operations,
    request: &FeedRequest,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
) -> Result<(), Outcome> {
    let feed = if request.feed_id.is_empty() {
        LEGACY_FEED_ID
    } else {
        request.feed_id.as_str()
    };
    let mut cursor = request.cursor.clone();
    let mut count: u64 = 0;
    loop {
        let page_request = ListEventsRequest {
            cursor: cursor.clone(),
            start_at: Some(request.start_at),
            page_size: PAGE_SIZE,
            event_feed_id: request.feed_id.clone(),
            ..ListEventsRequest::default()
        };
        let resume = cursor.clone();
        let page = unless_interrupted(
            cancel,
            || {
                let mut line = format!("interrupted after {count} event(s) of feed {feed}");
                if !resume.is_empty() {
                    line.push_str(&format!(
                        "; to continue after them: --event-feed-cursor '{resume}'"
                    ));
                }
                line
            },
            ops.list_events(&page_request).await,
        )?;
        let mut lines = String::new();
        for event in &page.events {
            let mut line = serde_json::to_string(&protojson::event(event)).map_err(|e| {
                crate::exit::Failure::failed(format!("could not render an event as JSON: {e}"))
            })?;
            line.push('\n');
            lines.push_str(&line);
        }
        // A page is written whole, and the cursor moves only once it is written.
        io.out(&lines)?;
        count += page.events.len() as u64;
        // An empty cursor on the last page means "start again from the start time"; keep the
        // one that got us here so a resume does not replay the feed.
        if !page.cursor.is_empty() {
            cursor = page.cursor;
        }
        if !page.has_more {
            break;
        }
    }
    io.note(&format!("{count} event(s) from feed {feed}"));
    if cursor.is_empty() {
        io.note("the feed gave no cursor: a next run starts from --event-feed-start-at again");
    } else {
        io.note(&format!("{CURSOR_PREFIX}{cursor}"));
        io.note(&format!(
            "to read only newer events next time: --event-feed-cursor '{cursor}'"
        ));
    }
    Ok(())
}
