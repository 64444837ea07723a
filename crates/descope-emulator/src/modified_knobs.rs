//! Knobs for users' modified time, which an incremental sync reads through user search's
//! `fromModifiedTime`: whether that filter is exclusive, and whether a change to a user's role,
//! tenant or SSO application assignments alone moves the time. Descope documents neither;
//! set them with the builder's `from_modified_time_exclusive` and
//! `assignment_changes_bump_modified`.

use crate::builder::EmulatorBuilder;

impl EmulatorBuilder {
    /// User search's `fromModifiedTime` matches users modified strictly after it (default
    /// `false`: at or after it, as the Descope SDKs' "from" reads and as the emulator's
    /// `fromCreatedTime` does). Descope documents neither; a client that lists the users
    /// modified since an instant must not lose one modified at exactly that millisecond.
    /// `toModifiedTime` is inclusive either way.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// let emu = Emulator::builder().from_modified_time_exclusive(true).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn from_modified_time_exclusive(mut self, on: bool) -> Self {
        self.modified.from_exclusive = on;
        self
    }

    /// Whether a change to a user's role, tenant or SSO application assignments alone moves its
    /// modified time (default `true`). With `false`, a change whose only changed fields are
    /// `roleNames`, `userTenants` or `ssoAppIds` (made through the role, tenant or SSO
    /// application endpoints, or an update or patch that changes nothing else), or a role,
    /// tenant or SSO application call that changes nothing, leaves the time where it was; it is
    /// audited as `UserModified` all the same. Descope does not say; the default follows the
    /// reference's lean: the assignments are fields of the user object, the role endpoints
    /// answer the changed user, and the change is a `UserModified` like any other. Changes that
    /// reach users from elsewhere (a tenant or role renamed or deleted) never move it, under
    /// either setting.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use descope_emulator::Emulator;
    ///
    /// // A role added to a user does not show in `fromModifiedTime` searches.
    /// let emu = Emulator::builder().assignment_changes_bump_modified(false).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn assignment_changes_bump_modified(mut self, on: bool) -> Self {
        self.modified.assignment_bumps = on;
        self
    }
}
