//! `--event-feed`: paged to the end, resumed from the printed cursor, filtered by start time.

use c1_connector_sdk::model::{Event, Resource, ResourceId, ResourceType};
use c1_connector_sdk::testing::{FAKE_FEED_ID, FakeConnector};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::support::{ClosedPipe, Program, Ran, exec, exec_with};
use crate::oneshot::events::CURSOR_PREFIX;
use crate::program::Purpose;

/// Event `e<i>` happened at 1 000 000 + i seconds.
fn event(i: usize) -> Event {
    let at = 1_000_000 + i64::try_from(i).unwrap();
    if i.is_multiple_of(2) {
        Event::usage(
            format!("e{i}"),
            at,
            Resource::new("app", "a1", "App"),
            Resource::new("user", format!("u{i}"), "U"),
        )
    } else {
        Event::resource_change(
            format!("e{i}"),
            at,
            ResourceId::new("user", format!("u{i}")),
            None,
        )
    }
}

fn fake(n: usize) -> FakeConnector {
    FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .events((0..n).map(event))
        .build()
}

fn event_ids(ran: &Ran) -> Vec<String> {
    ran.out_lines()
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            v["id"].as_str().expect("an id").to_owned()
        })
        .collect()
}

fn cursor(ran: &Ran) -> String {
    ran.err
        .lines()
        .find_map(|l| l.strip_prefix(CURSOR_PREFIX))
        .unwrap_or_else(|| panic!("no cursor line in {:?}", ran.err))
        .to_owned()
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("e{i}")).collect()
}

const FROM_THE_START: [&str; 5] = [
    "--event-feed",
    "--event-feed-id",
    FAKE_FEED_ID,
    "--event-feed-start-at",
    "1970-01-01T00:00:00Z",
];

#[tokio::test]
async fn the_feed_is_paged_to_its_end_and_resumed_from_the_cursor() {
    let fake = fake(250);
    let program = Program::new(fake.clone());
    let ran = exec(&program, &FROM_THE_START).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(event_ids(&ran), ids(0..250), "every event once, in order");
    assert_eq!(cursor(&ran), "250");
    assert!(
        ran.err.starts_with("250 event(s) from feed fake_feed\n"),
        "{}",
        ran.err
    );
    assert_eq!(program.connects(), vec![Purpose::Sync]);
    // 100 a page: three pages.
    let pages = fake
        .call_log()
        .iter()
        .filter(|c| c.starts_with("list_events"))
        .count();
    assert_eq!(pages, 3);
    let first: Value = serde_json::from_str(ran.out_lines()[0]).unwrap();
    assert_eq!(first["occurredAt"], "1970-01-12T13:46:40Z");
    assert_eq!(first["usageEvent"]["actorResource"]["id"]["resource"], "u0");

    // Nothing new yet: resuming prints nothing and keeps the cursor.
    let resume = [
        "--event-feed",
        "--event-feed-id",
        FAKE_FEED_ID,
        "--event-feed-cursor",
        "250",
    ];
    let ran = exec(&program, &resume).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.out, "");
    assert_eq!(cursor(&ran), "250");

    // The feed grows: a resume prints exactly the new events, no duplicate, no gap.
    for i in 250..253 {
        fake.push_event(event(i));
    }
    let ran = exec(&program, &resume).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(event_ids(&ran), ids(250..253));
    assert_eq!(cursor(&ran), "253");
}

#[tokio::test]
async fn the_start_time_filters_and_defaults_to_a_day_ago() {
    let program = Program::new(fake(10));
    let ran = exec(
        &program,
        &[
            "--event-feed",
            "--event-feed-id",
            FAKE_FEED_ID,
            "--event-feed-start-at",
            "1970-01-12T13:46:47Z",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(event_ids(&ran), ids(7..10));

    // The fake's events are from 1970: none is newer than a day ago.
    let ran = exec(&program, &["--event-feed", "--event-feed-id", FAKE_FEED_ID]).await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.out, "");
    assert!(
        ran.err.starts_with("0 event(s) from feed fake_feed\n"),
        "{}",
        ran.err
    );
}

#[tokio::test]
async fn feed_errors_map_to_exit_codes_and_name_the_feeds() {
    let program = Program::new(fake(3));
    let ran = exec(&program, &["--event-feed", "--event-feed-id", "audit"]).await;
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(
        ran.err
            .contains("event feed \"audit\" not found; feeds: fake_feed"),
        "{}",
        ran.err
    );
    // No id: baton's legacy feed id.
    let ran = exec(&program, &["--event-feed"]).await;
    assert_eq!(ran.code, 4, "{ran:?}");
    assert!(
        ran.err.contains("\"baton_feed_event\" not found"),
        "{}",
        ran.err
    );

    let ran = exec(
        &program,
        &[
            "--event-feed",
            "--event-feed-id",
            FAKE_FEED_ID,
            "--event-feed-cursor",
            "nope",
        ],
    )
    .await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.err.contains("bad event cursor \"nope\""), "{}", ran.err);

    let none = FakeConnector::builder()
        .resource_type(ResourceType::new("user", "User"))
        .build();
    let ran = exec(&Program::new(none), &["--event-feed"]).await;
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.err.contains("this connector has no event feeds"),
        "{}",
        ran.err
    );
}

#[tokio::test]
async fn bad_flags_are_exit_2_before_connecting() {
    let program = Program::new(fake(3));
    let ran = exec(
        &program,
        &["--event-feed", "--event-feed-start-at", "yesterday"],
    )
    .await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err
            .contains("is not an RFC 3339 time such as 2024-05-01T00:00:00Z"),
        "{}",
        ran.err
    );
    let ran = exec(&program, &["--event-feed-cursor", "5"]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.err
            .contains("--event-feed-cursor is only used with --event-feed: add --event-feed"),
        "{}",
        ran.err
    );
    let ran = exec(&program, &["--event-feed", "--list-action-schemas"]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.err.contains("one command at a time"), "{}", ran.err);
    let ran = exec(&program, &["--event-feed=maybe"]).await;
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(program.connects().is_empty());
}

#[tokio::test]
async fn a_reader_that_goes_away_ends_the_feed_quietly() {
    let fake = fake(250);
    let program = Program::new(fake.clone());
    let mut pipe = ClosedPipe { allow: 10 };
    let ran = exec_with(
        &program,
        &FROM_THE_START,
        &CancellationToken::new(),
        &mut pipe,
    )
    .await;
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(!ran.err.contains("error"), "{}", ran.err);
    let pages = fake
        .call_log()
        .iter()
        .filter(|c| c.starts_with("list_events"))
        .count();
    assert_eq!(pages, 1, "no page is read after the reader left");
}
