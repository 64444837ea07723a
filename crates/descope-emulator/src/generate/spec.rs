//! [`GenSpec`]: the sizes and seed of a generated dataset.

/// Sizes and seed of a generated [`Dataset`](crate::Dataset). `Default` is small (50 users, 5 tenants).
///
/// Construct it with struct update syntax so new fields (which always have defaults) do not
/// break callers: `GenSpec { users: 100_000, ..GenSpec::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSpec {
    /// Number of users, test users included.
    pub users: usize,
    /// Number of tenants; every fourth one after the first is a sub-tenant of an earlier one.
    pub tenants: usize,
    /// Number of project-level roles.
    pub project_roles: usize,
    /// Number of tenant-scoped roles **per tenant**.
    pub tenant_roles: usize,
    /// Number of permissions.
    pub permissions: usize,
    /// How many of the users are test users (the last ones generated).
    pub test_users: usize,
    /// Groups per tenant whose `authType` is `saml` or `oidc`.
    pub groups_per_sso_tenant: usize,
    /// How many tenants have SSO (`authType` `saml` or `oidc`, alternately), spread evenly over
    /// the tenants; the others have `none`. `None` (the default) keeps the usual mix: two
    /// tenants in three, in the order `none`, `saml`, `oidc`.
    pub sso_tenants: Option<usize>,
    /// How many tenants *without* SSO hold SCIM groups anyway (`groups_per_sso_tenant` each,
    /// source `scim`, members flagged `SCIM`): the reading of Descope's undocumented behaviour in
    /// which a tenant whose `authType` is `none` can hold groups (SCIM provisioning without SSO,
    /// or groups left after its SSO configuration was removed). Default 0, the other reading.
    /// Drawn after everything else from the same stream, so a spec with 0 gives the dataset it
    /// gave before this field existed.
    pub scim_tenants_without_sso: usize,
    /// Extra tenant memberships per user, on top of the usual mix (mostly one tenant, some
    /// none, a few two); each comes with the usual chance of a tenant role and of a project role
    /// within the tenant. Raises the number of grants per user for scale benchmarks. Default 0,
    /// which draws no extra random numbers, so datasets of earlier specs are unchanged.
    pub extra_tenants_per_user: usize,
    /// Access keys: a mix of project-role, tenant-role, inactive, expired, user-bound and
    /// IP-restricted keys, drawn from their own RNG stream after everything else, so adding keys
    /// changes nothing else. Default 0 (datasets of earlier specs are unchanged).
    pub access_keys: usize,
    /// SSO applications (alternately SAML and OIDC, every fourth disabled; SAML ones map
    /// tenant groups to project roles). When there are any, about half the users list one to
    /// three of them in `ssoAppIds` and the others none (which Descope reads as every app).
    /// Drawn from their own RNG stream after everything else and changing only users'
    /// `ssoAppIds`; default 0 (datasets of earlier specs are unchanged).
    pub sso_apps: usize,
    /// Most sign-ins per user: when above 0, about three in four users who are not invited get
    /// 1 to this many sign-ins at times in the 29 days before
    /// [`Dataset::activity_as_of`](crate::Dataset::activity_as_of), each with a `LoginSucceed`
    /// audit record, and some users get `LoginFailed` records. Own RNG stream (shared with
    /// `sso_apps`); default 0 (no sign-ins, no audit, datasets of earlier specs unchanged).
    pub logins_per_user: usize,
    /// Third-party (inbound) applications, each with `read` and `admin` permission scopes (a
    /// project role each) and an `email` attribute scope. About one user in six (not invited)
    /// consents to one or two of them, to some of their scopes, half the time within the user's
    /// first tenant. Own RNG stream, drawn after everything else; default 0 (datasets of
    /// earlier specs are unchanged).
    pub third_party_apps: usize,
    /// Outbound applications (Google Drive, Slack, GitHub, Salesforce, ...). About one user in
    /// six (not invited) holds a token for one or two of them (never expiring for good: each
    /// has a refresh token). Same RNG stream as `third_party_apps`; default 0.
    pub outbound_apps: usize,
    /// RNG seed: the same spec gives the same dataset.
    pub seed: u64,
}

impl Default for GenSpec {
    fn default() -> Self {
        Self {
            users: 50,
            tenants: 5,
            project_roles: 5,
            tenant_roles: 2,
            permissions: 10,
            test_users: 2,
            groups_per_sso_tenant: 2,
            sso_tenants: None,
            scim_tenants_without_sso: 0,
            extra_tenants_per_user: 0,
            access_keys: 0,
            sso_apps: 0,
            logins_per_user: 0,
            third_party_apps: 0,
            outbound_apps: 0,
            seed: 42,
        }
    }
}
