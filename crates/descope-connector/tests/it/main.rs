//! Integration tests of the Descope connector against wiremock servers on 127.0.0.1.

mod paging;
