//! Knobs for the readings of the third-party and outbound endpoints that the official SDKs
//! leave open. All off by default (the default is the reading the SDKs' docs lean to).

/// How many consents a search answers when it asks for no `limit` (or 0). Descope's default is
/// unverified.
pub(crate) const DEFAULT_CONSENT_PAGE: usize = 100;

/// The knobs, carried from the builder into the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct GrantKnobs {
    pub(crate) third_party_get_page: Option<usize>,
    pub(crate) consent_search_max_limit: Option<usize>,
    pub(crate) consent_search_without_total: bool,
    pub(crate) consent_delete_ignored: bool,
    pub(crate) outbound_lists_expired_tokens: bool,
    pub(crate) outbound_lookup_untenanted_only: bool,
    pub(crate) outbound_token_delete_ignored: bool,
    pub(crate) outbound_token_delete_untenanted_only: bool,
}
