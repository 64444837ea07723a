//! Knobs for the readings of the third-party and outbound endpoints that the official SDKs
//! leave open. All off by default (the default is the reading the SDKs' docs lean to).

use crate::emulator::EmulatorBuilder;

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
}

impl EmulatorBuilder {
    /// `GET /v1/mgmt/thirdparty/apps/load` answers only the first `n` applications, with a
    /// `total` of all of them, as a paged backend would (default `None`: every application, as
    /// the Python and Node SDKs assume); `POST` with `page` and `limit` (the Go SDK's form) pages
    /// through them either way. `Some(0)` is refused by [`start`](Self::start).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().third_party_apps_get_page(Some(1)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn third_party_apps_get_page(mut self, n: Option<usize>) -> Self {
        self.grants.third_party_get_page = n;
        self
    }

    /// A silent cap on consents per search page (default `None`: the `limit` asked for, 100
    /// when none). `Some(0)` is refused by [`start`](Self::start).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().consent_search_max_limit(Some(2)).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn consent_search_max_limit(mut self, max: Option<usize>) -> Self {
        self.grants.consent_search_max_limit = max;
        self
    }

    /// Consent search answers carry no `total` (default `false`: they do, as the Go SDK reads).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().consent_search_without_total(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn consent_search_without_total(mut self, on: bool) -> Self {
        self.grants.consent_search_without_total = on;
        self
    }

    /// `POST /v1/mgmt/thirdparty/consents/delete` answers 200 and deletes nothing (default
    /// `false`). Whether a 2xx always means the consents are gone is unverified, so a client must
    /// confirm a revoke with a fresh search; this knob makes the difference visible.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().consent_delete_ignored(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn consent_delete_ignored(mut self, on: bool) -> Self {
        self.grants.consent_delete_ignored = on;
        self
    }

    /// `GET /v1/mgmt/outbound/apps-with-user-token` also lists applications whose token has
    /// expired and cannot be renewed (default `false`: only "valid" tokens, unexpired or with a
    /// refresh token, as the SDKs' docs say; what Descope counts as valid is unverified).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().outbound_lists_expired_tokens(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_lists_expired_tokens(mut self, on: bool) -> Self {
        self.grants.outbound_lists_expired_tokens = on;
        self
    }

    /// `GET /v1/mgmt/outbound/apps-with-user-token` without `tenantId` counts only tokens tied
    /// to no tenant (default `false`: every token of the user; which Descope does is
    /// unverified).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().outbound_lookup_untenanted_only(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_lookup_untenanted_only(mut self, on: bool) -> Self {
        self.grants.outbound_lookup_untenanted_only = on;
        self
    }

    /// `DELETE /v1/mgmt/outbound/user/tokens` answers 200 and deletes nothing (default `false`),
    /// so a client's confirmation by a fresh lookup can be tested.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emu = descope_emulator::Emulator::builder().outbound_token_delete_ignored(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_token_delete_ignored(mut self, on: bool) -> Self {
        self.grants.outbound_token_delete_ignored = on;
        self
    }
}
