//! Integration tests of the Descope connector against wiremock servers and the emulator on
//! 127.0.0.1.

mod apps_events;
mod consent_revoke;
mod index_failures;
mod keys;
mod paging;
mod phantom;
mod resume;
mod user_answers;
